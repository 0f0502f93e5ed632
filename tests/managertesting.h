#pragma once

// Test support shared by tst_tablemanager and tst_interleavings: the seed's
// consumer process, and an event-driven wait.

#include <immortal/process.h>
#include <immortal/trace.h>

#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>

namespace immortal::testing {

// Wakes waitUntil() on things the trace does not show (a delivered ETS-TRANSFER).
class Probe : public QObject
{
    Q_OBJECT
public:
    static Probe *instance()
    {
        static Probe p;
        return &p;
    }
Q_SIGNALS:
    void changed();
};

// The seed's YourApp.TableConsumer: a named process that keeps the table it
// is given (handle_info({:"ETS-TRANSFER", table, manager, data}, state)) and
// notes on which thread it got it. Readable from any thread.
class Consumer : public Process
{
    Q_OBJECT
public:
    explicit Consumer(const QString &name, QObject *parent = nullptr)
        : Process(parent)
    {
        registerName(name);
    }
    TableId table() const { return m_table; }
    Pid from() const { return m_from; }
    int transfers() const { return m_transfers; }
    QThread *transferThread() const { return m_thread; }

protected:
    void handleEtsTransfer(TableId table, Pid from, const Term &) override
    {
        m_table = table;
        m_from = from;
        m_thread = QThread::currentThread();
        ++m_transfers;
        emit Probe::instance()->changed();
    }

private:
    std::atomic<TableId> m_table { 0 };
    std::atomic<Pid> m_from { 0 };
    std::atomic<int> m_transfers { 0 };
    std::atomic<QThread *> m_thread { nullptr };
};

// Runs the event loop until cond() holds, re-checking after every trace
// event and probe; false when timeoutMs pass first. Queued, so cond() never
// runs inside the core's own calls.
inline bool waitUntil(const std::function<bool()> &cond, int timeoutMs = 20000)
{
    if (cond())
        return true;
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    auto check = [&] {
        if (cond())
            loop.quit();
    };
    QObject::connect(Trace::instance(), &Trace::event, &loop, check, Qt::QueuedConnection);
    QObject::connect(Probe::instance(), &Probe::changed, &loop, check, Qt::QueuedConnection);
    timeout.start(timeoutMs);
    loop.exec();
    return cond();
}

} // namespace immortal::testing
