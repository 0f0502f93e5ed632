#pragma once

#include <immortal/term.h>
#include <immortal/types.h>

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QVariant>

namespace immortal {

/// One event of the trace stream. Fields that do not apply stay at their
/// defaults (0 / empty / -1) and are left out of the JSON form.
/// docs/trace-format.md documents every type and field: it is a public,
/// stable format.
struct TraceEvent
{
    /// What happened; each names the fields it sets (JSON names).
    enum class Type {
        ProcessStarted, ///< pid, kind
        ProcessExited, ///< pid, name, reason, supervisor, child_id
        ExitSignal, ///< pid (receiver), from (sender, absent from outside any process), reason,
                    ///< trapped
        SubtreeDown, ///< pid (a supervisor), reason, supervisor: it and all below it are gone
        ChildStarted, ///< supervisor, child_id, pid, kind
        ChildRestarted, ///< supervisor, child_id, pid (new), from (old pid)
        ChildStartFailed, ///< supervisor, child_id, reason
        ChildTerminated, ///< supervisor, child_id, pid, reason
        ChildNotRestarted, ///< supervisor, child_id, pid (the dead child), reason (why not)
        SupervisorEscalated, ///< pid (supervisor), reason
        NameRegistered, ///< name, pid
        NameUnregistered, ///< name, pid
        TableCreated, ///< table, table_name, table_type, access, pid (owner), heir or
                      ///< heir_name, size
        TableGivenAway, ///< table, table_name, from, to, size
        TableTransferred, ///< table, table_name, from (dead owner), to (the heir), heir_name, size
        TableOrphaned, ///< table, table_name, from (dead owner), heir_name, size
        TableHeirChanged, ///< table, table_name, pid (owner), heir or heir_name
        TableWritten, ///< table, table_name, size (coalesced: one per burst)
        TableDeleted, ///< table, table_name, pid, reason, size
        TableLost, ///< table, table_name, from (last owner), heir or heir_name, reason, size
        ManagerWaiting, ///< pid (manager), target, table
        ManagerHandedOver, ///< pid (manager), to (target), table, size
        ManagerReclaimed, ///< pid (manager), from (dead target), table, size
        ManagerAdopted, ///< pid (restarted manager), table, size
    };

    quint64 seq = 0; ///< the sequence number: the trace's one total order
    qint64 tNs = 0; ///< steady clock, as Node::nowNs()
    Type type = Type::ProcessStarted; ///< what happened
    Pid pid = 0; ///< the process the event is about
    QString name; ///< the registered name of `pid`
    QString kind; ///< "worker", "supervisor", "table_manager"
    Pid supervisor = 0; ///< the supervisor of a child event
    QString childId; ///< the child spec id
    /// Why: an exit reason (`killed`, `{shutdown,bye}`), or why a child was
    /// not restarted or a table moved; `undefined` when none. The JSON form
    /// is its Erlang text (Term::format), which Term::parse reads back.
    Term reason;
    bool trapped = false; ///< ExitSignal: the receiver traps exits and lives on
    TableId table = 0; ///< the table a table event is about
    QString tableName; ///< that table's name
    QString tableType; ///< TableCreated: "set", "ordered_set", "bag" or "duplicate_bag"
    QString access; ///< TableCreated: "public", "protected" or "private"
    Pid from = 0; ///< where a table came from, or a restarted child's old pid
    Pid to = 0; ///< where a table went: its new owner
    Pid heir = 0; ///< a table's heir, named by pid
    QString heirName; ///< a table's heir, named by registered name
    QString target; ///< the registered name a TableManager serves
    qint64 size = -1; ///< the table's rows after the event, -1 if none

    static const char *typeName(Type type); ///< "process_started", ...
    /// The type named `name` (as typeName() gives it) into *type; false if none.
    static bool typeFromName(QStringView name, Type *type);
    /// One field of an event in its documented form (docs/trace-format.md).
    struct Field
    {
        const char *key; ///< the JSON key, e.g. "child_id"
        QVariant value; ///< a qint64 for pids, ids and sizes; a QString for text
        bool isPid; ///< the value is a pid (printers show it as `<0.N.0>`)
    };
    /// The fields that apply to this event (those with a value), always in the
    /// same order: the one description that the JSON form and every printer of
    /// events share. seq, t_ns and the type are not among them.
    QList<Field> fields() const;
    QJsonObject toJson() const; ///< one object, without the fields that do not apply
    /// The event toJson() wrote; throws Error(BadArg) for an unknown event type.
    static TraceEvent fromJson(const QJsonObject &o);
};

} // namespace immortal

Q_DECLARE_METATYPE(immortal::TraceEvent)
