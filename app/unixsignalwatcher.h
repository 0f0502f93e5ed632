#pragma once

#include <QObject>

#include <initializer_list>

class QSocketNotifier;

namespace immortal {

// Turns Unix signals (SIGINT, SIGTERM) into a Qt signal in the main thread,
// so that a run interrupted from outside still ends in order: a signal
// handler may only write a byte to a socket, which a QSocketNotifier reads
// (Qt's "Calling Qt Functions From Unix Signal Handlers"). The handler is
// one-shot: a second Ctrl+C ends the program at once, as usual.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(std::initializer_list<int> signums, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

    static QString name(int signum); // "SIGTERM"

Q_SIGNALS:
    void received(int signum);

private:
    static void handle(int signum);
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace immortal
