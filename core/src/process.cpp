#include <immortal/process.h>

#include <immortal/node.h>
#include <immortal/registry.h>

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
    if (!m_exiting) {
        // Deleted without exit(): that is a kill.
        m_exiting = true;
        m_exitReason = QStringLiteral("kill");
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

void Process::exit(const QString &reason)
{
    if (m_exiting)
        return;
    m_exiting = true;
    m_exitReason = reason.isEmpty() ? QStringLiteral("normal") : reason;
    Node::instance()->markExiting(m_pid, m_exitReason);
    Q_EMIT exiting(m_exitReason);
    deleteLater();
}

void Process::shutdown(const QString &reason)
{
    if (m_exiting)
        return;
    runGuarded([&] { terminate(reason); });
}

void Process::terminate(const QString &reason)
{
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
    if (m_exiting) {
        // A dead process handles nothing: drop its queued calls, timers and
        // messages, but let Qt finish deleting it.
        const auto t = e->type();
        if (t == QEvent::MetaCall || t == QEvent::Timer || t >= QEvent::User)
            return true;
    }
    ProcessScope scope(m_pid);
    try {
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
    QString what;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &ex) {
        what = QString::fromUtf8(ex.what());
    } catch (...) {
        what = QStringLiteral("unknown exception");
    }
    exit(QStringLiteral("exception: ") + what);
}

} // namespace immortal
