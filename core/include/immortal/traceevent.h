#pragma once

#include <immortal/types.h>

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace immortal {

// One event of the trace stream. Fields that do not apply stay at their
// defaults (0 / empty / -1) and are left out of the JSON form.
// docs/trace-format.md documents every type and field: it is a public,
// stable format.
struct TraceEvent
{
    enum class Type {
        ProcessStarted, // pid, kind
        ProcessExited, // pid, name, reason, supervisor, child_id
        ChildStarted, // supervisor, child_id, pid, kind
        ChildRestarted, // supervisor, child_id, pid (new), from (old pid)
        ChildStartFailed, // supervisor, child_id, reason
        ChildTerminated, // supervisor, child_id, pid, reason
        SupervisorEscalated, // pid (supervisor), reason
        NameRegistered, // name, pid
        NameUnregistered, // name, pid
        TableCreated, // table, table_name, pid (owner), to (heir), size
        TableGivenAway, // table, table_name, from, to, size
        TableTransferred, // table, table_name, from (dead owner), to (heir), size
        TableOrphaned, // table, table_name, from (dead owner), name (heir name), size
        TableHeirChanged, // table, table_name, pid (owner), to (heir pid), name (heir name)
        TableWritten, // table, table_name, size (coalesced: one per burst)
        TableDeleted, // table, table_name, pid, reason, size
        TableLost, // table, table_name, from (last owner), reason, size
        ManagerWaiting, // pid (manager), name (target), table
        ManagerHandedOver, // pid (manager), to (target), table, size
        ManagerReclaimed, // pid (manager), from (dead target), table, size
        ManagerAdopted, // pid (restarted manager), table, size
    };

    quint64 seq = 0;
    qint64 tNs = 0;
    Type type = Type::ProcessStarted;
    Pid pid = 0;
    QString name;
    QString kind;
    Pid supervisor = 0;
    QString childId;
    QString reason;
    TableId table = 0;
    QString tableName;
    Pid from = 0;
    Pid to = 0;
    qint64 size = -1;

    static const char *typeName(Type type); // "process_started", ...
    static bool typeFromName(QStringView name, Type *type);
    QJsonObject toJson() const;
    static TraceEvent fromJson(const QJsonObject &o); // throws Error(BadArg)
};

} // namespace immortal

Q_DECLARE_METATYPE(immortal::TraceEvent)
