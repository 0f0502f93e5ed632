#pragma once

#include <QEvent>

#include <functional>

class QObject;

namespace immortal {

// A function run later in another object's thread: posted to a Process (run
// by Process::event, as a handler of it) or to the Node (Node::event). The
// core posts its functions this way rather than with
// QMetaObject::invokeMethod so that ThreadSanitizer can check them. Qt is
// not built for TSan: the locks that hand a posted event to the receiving
// thread are invisible to it, and it took every read of a posted function's
// captures (and of whatever the poster wrote before) for a race. So post()
// tells it the order: it releases the receiver once the event is built, and
// the receiver's event() acquires it (received()) before it reads anything.
// Nothing of this exists without TSan.
class PostedCall : public QEvent
{
public:
    static QEvent::Type eventType();
    // Posts fn to receiver (a Process or the Node); Qt owns the event from here.
    static void post(QObject *receiver, std::function<void()> fn);
    // First thing in the receiver's event(), for every event.
    static void received(QObject *receiver) noexcept;
    // Also freed unrun, in the receiver's thread, when the receiver dies first.
    ~PostedCall() override;

    void run() { m_fn(); }

private:
    explicit PostedCall(std::function<void()> fn);
    std::function<void()> m_fn;
};

} // namespace immortal
