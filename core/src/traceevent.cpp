#include <immortal/traceevent.h>

#include <immortal/error.h>

#include <QJsonValue>

#include <array>
#include <utility>

namespace immortal {

namespace {
using Type = TraceEvent::Type;
// The public names of the event types: part of the stable trace format.
constexpr std::array<std::pair<Type, const char *>, 24> s_names { {
    { Type::ProcessStarted, "process_started" },
    { Type::ProcessExited, "process_exited" },
    { Type::ExitSignal, "exit_signal" },
    { Type::SubtreeDown, "subtree_down" },
    { Type::ChildStarted, "child_started" },
    { Type::ChildRestarted, "child_restarted" },
    { Type::ChildStartFailed, "child_start_failed" },
    { Type::ChildTerminated, "child_terminated" },
    { Type::ChildNotRestarted, "child_not_restarted" },
    { Type::SupervisorEscalated, "supervisor_escalated" },
    { Type::NameRegistered, "name_registered" },
    { Type::NameUnregistered, "name_unregistered" },
    { Type::TableCreated, "table_created" },
    { Type::TableGivenAway, "table_given_away" },
    { Type::TableTransferred, "table_transferred" },
    { Type::TableOrphaned, "table_orphaned" },
    { Type::TableHeirChanged, "table_heir_changed" },
    { Type::TableWritten, "table_written" },
    { Type::TableDeleted, "table_deleted" },
    { Type::TableLost, "table_lost" },
    { Type::ManagerWaiting, "manager_waiting" },
    { Type::ManagerHandedOver, "manager_handed_over" },
    { Type::ManagerReclaimed, "manager_reclaimed" },
    { Type::ManagerAdopted, "manager_adopted" },
} };
} // namespace

// A reason is written in Erlang term text; one that does not read as a term
// (a trace from before reasons were terms) is kept as a string.
static Term reasonOf(const QString &text)
{
    try {
        return Term::parse(text);
    } catch (const Error &) {
        return Term(text);
    }
}

const char *TraceEvent::typeName(Type type)
{
    for (const auto &[t, name] : s_names) {
        if (t == type)
            return name;
    }
    return "unknown";
}

bool TraceEvent::typeFromName(QStringView name, Type *type)
{
    for (const auto &[t, n] : s_names) {
        if (name == QLatin1String(n)) {
            *type = t;
            return true;
        }
    }
    return false;
}

QList<TraceEvent::Field> TraceEvent::fields() const
{
    QList<Field> out;
    const auto pidField = [&out](const char *key, Pid value) {
        if (value)
            out.append({ key, qint64(value), true });
    };
    const auto textField = [&out](const char *key, const QString &value) {
        if (!value.isEmpty())
            out.append({ key, value, false });
    };
    pidField("pid", pid);
    textField("name", name);
    textField("kind", kind);
    pidField("supervisor", supervisor);
    textField("child_id", childId);
    if (table)
        out.append({ "table", qint64(table), false });
    textField("table_name", tableName);
    textField("table_type", tableType);
    textField("access", access);
    pidField("from", from);
    pidField("to", to);
    pidField("heir", heir);
    textField("heir_name", heirName);
    textField("target", target);
    if (size >= 0)
        out.append({ "size", size, false });
    if (reason != Term())
        out.append({ "reason", reason.format(), false });
    if (trapped)
        out.append({ "trapped", true, false });
    return out;
}

QJsonObject TraceEvent::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("seq"), qint64(seq));
    o.insert(QLatin1String("t_ns"), tNs);
    o.insert(QLatin1String("event"), QLatin1String(typeName(type)));
    for (const Field &f : fields())
        o.insert(QLatin1String(f.key), QJsonValue::fromVariant(f.value));
    return o;
}

TraceEvent TraceEvent::fromJson(const QJsonObject &o)
{
    TraceEvent e;
    const QString event = o.value(QLatin1String("event")).toString();
    if (!typeFromName(event, &e.type)) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("'%1' is not a trace event type").arg(event));
    }
    auto pidOf = [&o](const char *key) {
        return Pid(o.value(QLatin1String(key)).toInteger(0));
    };
    auto stringOf = [&o](const char *key) {
        return o.value(QLatin1String(key)).toString();
    };
    e.seq = quint64(o.value(QLatin1String("seq")).toInteger(0));
    e.tNs = o.value(QLatin1String("t_ns")).toInteger(0);
    e.pid = pidOf("pid");
    e.name = stringOf("name");
    e.kind = stringOf("kind");
    e.supervisor = pidOf("supervisor");
    e.childId = stringOf("child_id");
    if (const QJsonValue r = o.value(QLatin1String("reason")); r.isString())
        e.reason = reasonOf(r.toString());
    e.trapped = o.value(QLatin1String("trapped")).toBool(false);
    e.table = pidOf("table");
    e.tableName = stringOf("table_name");
    e.tableType = stringOf("table_type");
    e.access = stringOf("access");
    e.from = pidOf("from");
    e.to = pidOf("to");
    e.heir = pidOf("heir");
    e.heirName = stringOf("heir_name");
    e.target = stringOf("target");
    e.size = o.value(QLatin1String("size")).toInteger(-1);
    return e;
}

} // namespace immortal
