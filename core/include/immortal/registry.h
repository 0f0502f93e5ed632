#pragma once

#include <immortal/types.h>

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>

#include <functional>

namespace immortal {

/// The name registry (erlang:register/2, whereis/1, unregister/1).
/// A name names one live process; a process has at most one name. Names of
/// dying processes are removed automatically. Thread-safe; the signals are
/// emitted in the thread that made the change, after the change is visible.
class Registry : public QObject
{
    Q_OBJECT
public:
    static Registry *instance(); ///< the one registry, created on first use, never destroyed

    /// register/2: `pid` is known as `name` until it dies or is unregistered.
    /// Errors: BadArg (empty name, or pid already has a name), NameTaken,
    /// NoProc (pid is not alive).
    void registerName(const QString &name, Pid pid);
    bool unregisterName(const QString &name); ///< false if not registered
    Pid whereis(const QString &name) const; ///< 0 if none
    QString nameOf(Pid pid) const; ///< empty if none
    QHash<QString, Pid> names() const; ///< every registered name and its pid

    /// Calls fn(pid) once a live process holds `name`: now if one does,
    /// otherwise on the next registration of it (event-driven, no polling).
    /// fn runs in context's thread; dropped if context is destroyed first.
    /// Returns the connection so a waiter can give up.
    QMetaObject::Connection whenRegistered(const QString &name, QObject *context,
                                           std::function<void(Pid)> fn);

Q_SIGNALS:
    void registered(const QString &name, immortal::Pid pid); ///< `name` now names `pid`
    /// `name` no longer names `pid` (unregistered, or `pid` died).
    void unregistered(const QString &name, immortal::Pid pid);

private:
    friend class Node;
    explicit Registry(QObject *parent);
    void processDied(Pid pid); // drops pid's name

    mutable QMutex m_mutex;
    QHash<QString, Pid> m_byName;
    QHash<Pid, QString> m_byPid;
};

} // namespace immortal
