#include <immortal/process.h>

#include "postedcall.h"

#include <immortal/node.h>
#include <immortal/registry.h>
#include <immortal/trace.h>
#include <immortal/traceevent.h>

#include <QEvent>

namespace immortal {

Process::Process(QObject *parent)
    : Process(Kind::Worker, parent)
{ }

Process::Process(Kind kind, QObject *parent)
    : QObject(parent)
    , m_kind(kind)
{
    init();
}

void Process::init()
{
    m_pid = Node::instance()->add(this);
    // A functor connection without a context object is direct: the core
    // learns of the death in the dying thread, while the pid is all it keeps.
    const Pid pid = m_pid;
    connect(this, &QObject::destroyed, [pid] { Node::instance()->died(pid); });
}

Process::~Process()
{
    // The core handles the death from QObject::destroyed, after this, and
    // reports it with the registry's and the trace's signals (the name
    // dropped, the exit recorded), emitted right there in this thread. No
    // slot of this object may hear them: it is no longer what its subclass
    // made it, and by then not even a Process.
    Registry::instance()->disconnect(this);
    Trace::instance()->disconnect(this);
    if (!m_exiting) {
        // Deleted without exit(): that is a kill.
        m_exiting = true;
        m_exitReason = ExitReason::killed();
        Node::instance()->markExiting(m_pid, m_exitReason);
        Q_EMIT exiting(m_exitReason);
    }
    Node::instance()->detach(m_pid);
}

const char *Process::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Worker:
        return "worker";
    case Kind::Supervisor:
        return "supervisor";
    case Kind::TableManager:
        return "table_manager";
    }
    return "worker";
}

QString Process::name() const
{
    return Registry::instance()->nameOf(m_pid);
}

void Process::registerName(const QString &name)
{
    Registry::instance()->registerName(name, m_pid);
}

void Process::exit(const Term &reason)
{
    if (m_exiting)
        return;
    m_exiting = true;
    m_exitReason = reason;
    Node::instance()->markExiting(m_pid, m_exitReason);
    Q_EMIT exiting(m_exitReason);
    deleteLater();
}

void Process::shutdown(const Term &reason)
{
    if (m_exiting)
        return;
    if (!m_trapExit) {
        exit(reason);
        return;
    }
    runGuarded([&] { terminate(reason); });
}

void Process::terminate(const Term &reason)
{
    exit(reason);
}

void Process::handleExitSignal(Pid from, const Term &reason)
{
    Q_EMIT exitSignal(from, reason);
}

// Erlang's rules for an exit signal arriving: `kill` always ends the
// process (as `killed`), and so does its dead supervisor's (the link Immortal
// enforces); a trapping process receives the rest as messages; otherwise
// `normal` from another process is ignored and anything else ends it.
void Process::receiveExitSignal(Pid from, const Term &reason, bool linked)
{
    if (m_exiting)
        return;
    const bool kill = linked || reason == ExitReason::kill();
    const bool trapped = m_trapExit && !kill;
    TraceEvent e;
    e.type = TraceEvent::Type::ExitSignal;
    e.pid = m_pid;
    e.name = name();
    e.from = from;
    e.reason = reason;
    e.trapped = trapped;
    Trace::instance()->record(std::move(e));
    if (kill)
        exit(reason == ExitReason::kill() ? ExitReason::killed() : reason);
    else if (trapped)
        runGuarded([&] { handleExitSignal(from, reason); });
    else if (reason != ExitReason::normal() || from == m_pid)
        exit(reason);
}

void Process::handleEtsTransfer(TableId, Pid, const Term &) { }

void Process::deliverEtsTransfer(TableId table, Pid from, const Term &data)
{
    runGuarded([&] {
        handleEtsTransfer(table, from, data);
        if (!m_exiting)
            Q_EMIT etsTransfer(table, from, data);
    });
}

bool Process::event(QEvent *e)
{
    PostedCall::received(this); // before anything is read: see PostedCall
    const auto t = e->type();
    if (m_exiting) {
        // A dead process handles nothing: drop its queued calls, timers and
        // messages (Node::post's among them), but let Qt finish deleting it.
        if (t == QEvent::MetaCall || t == QEvent::Timer || t >= QEvent::User)
            return true;
    }
    ProcessScope scope(m_pid);
    try {
        if (t == PostedCall::eventType()) {
            static_cast<PostedCall *>(e)->run();
            return true;
        }
        return QObject::event(e);
    } catch (...) {
        crash(std::current_exception());
        return true;
    }
}

void Process::runGuarded(const std::function<void()> &fn)
{
    if (m_exiting)
        return;
    ProcessScope scope(m_pid);
    try {
        fn();
    } catch (...) {
        crash(std::current_exception());
    }
}

void Process::crash(const std::exception_ptr &e)
{
    exit(ExitReason::fromException(e));
}

} // namespace immortal
