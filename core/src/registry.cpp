#include <immortal/registry.h>

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/trace.h>

#include <QCoreApplication>
#include <QMutexLocker>

#include <atomic>
#include <memory>

namespace immortal {

namespace {
void traceName(TraceEvent::Type type, const QString &name, Pid pid, const Term &reason = {})
{
    TraceEvent e;
    e.type = type;
    e.name = name;
    e.pid = pid;
    e.reason = reason;
    Trace::instance()->record(std::move(e));
}
} // namespace

Registry::Registry(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<Pid>("immortal::Pid");
}

Registry *Registry::instance()
{
    return Node::instance()->m_registry;
}

void Registry::registerName(const QString &name, Pid pid)
{
    if (name.isEmpty())
        throw Error(Error::Code::BadArg, QStringLiteral("a registered name cannot be empty"));
    {
        QMutexLocker lock(&m_mutex);
        // Checked under our lock: a process that dies after this check has
        // its name removed by processDied(), which takes the same lock.
        if (!Node::instance()->isAlive(pid))
            throw Error(
                Error::Code::NoProc,
                QStringLiteral("cannot register '%1': process %2 is not alive").arg(name).arg(pid));
        if (const Pid holder = m_byName.value(name)) {
            throw Error(Error::Code::NameTaken,
                        QStringLiteral("the name '%1' is already registered to process %2")
                            .arg(name)
                            .arg(holder));
        }
        if (const QString old = m_byPid.value(pid); !old.isEmpty()) {
            throw Error(Error::Code::BadArg,
                        QStringLiteral("process %1 is already registered as '%2'; a process "
                                       "has at most one name")
                            .arg(pid)
                            .arg(old));
        }
        m_byName.insert(name, pid);
        m_byPid.insert(pid, name);
    }
    traceName(TraceEvent::Type::NameRegistered, name, pid);
    Q_EMIT registered(name, pid);
}

bool Registry::unregisterName(const QString &name)
{
    Pid pid = 0;
    {
        QMutexLocker lock(&m_mutex);
        pid = m_byName.take(name);
        if (!pid)
            return false;
        m_byPid.remove(pid);
    }
    traceName(TraceEvent::Type::NameUnregistered, name, pid);
    Q_EMIT unregistered(name, pid);
    return true;
}

void Registry::processDied(Pid pid)
{
    QString name;
    {
        QMutexLocker lock(&m_mutex);
        name = m_byPid.take(pid);
        if (name.isEmpty())
            return;
        m_byName.remove(name);
    }
    traceName(TraceEvent::Type::NameUnregistered, name, pid, Term::atom(u"exited"));
    Q_EMIT unregistered(name, pid);
}

Pid Registry::whereis(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    return m_byName.value(name);
}

QString Registry::nameOf(Pid pid) const
{
    QMutexLocker lock(&m_mutex);
    return m_byPid.value(pid);
}

QHash<QString, Pid> Registry::names() const
{
    QMutexLocker lock(&m_mutex);
    return m_byName;
}

QMetaObject::Connection Registry::whenRegistered(const QString &name, QObject *context,
                                                 std::function<void(Pid)> fn)
{
    // Delivered queued, always: the waiter never runs inside the code that
    // registered the name, and runs exactly once.
    auto fired = std::make_shared<std::atomic_bool>(false);
    auto conn = std::make_shared<QMetaObject::Connection>();
    *conn = connect(
        this, &Registry::registered, context,
        [name, fn, fired, conn](const QString &n, Pid pid) {
            if (n != name || fired->exchange(true))
                return;
            QObject::disconnect(*conn);
            fn(pid);
        },
        Qt::QueuedConnection);
    if (const Pid pid = whereis(name)) {
        QMetaObject::invokeMethod(
            context,
            [fn, fired, conn, pid] {
                if (fired->exchange(true))
                    return;
                QObject::disconnect(*conn);
                fn(pid);
            },
            Qt::QueuedConnection);
    }
    return *conn;
}

} // namespace immortal
