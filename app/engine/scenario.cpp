#include "scenario.h"

#include "chaosmonkey.h"

#include <immortal/error.h>

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace immortal {

namespace {

const QString formatName = QStringLiteral("immortal-scenario");
constexpr int maxEveryMs = 3600 * 1000;
constexpr int maxScriptMs = 24 * 3600 * 1000;

struct Choice
{
    const char *word;
    int value;
};

const Choice strategies[] = {
    { "one_for_one", int(Supervisor::Strategy::OneForOne) },
    { "one_for_all", int(Supervisor::Strategy::OneForAll) },
    { "rest_for_one", int(Supervisor::Strategy::RestForOne) },
    { "simple_one_for_one", int(Supervisor::Strategy::SimpleOneForOne) },
};
const Choice startOutcomes[] = {
    { "ok", int(Scenario::ProcessSpec::StartOutcome::Ok) },
    { "ignore", int(Scenario::ProcessSpec::StartOutcome::Ignore) },
    { "error", int(Scenario::ProcessSpec::StartOutcome::Error) },
    { "throw", int(Scenario::ProcessSpec::StartOutcome::Throw) },
};
const Choice restarts[] = {
    { "permanent", int(ChildSpec::Restart::Permanent) },
    { "transient", int(ChildSpec::Restart::Transient) },
    { "temporary", int(ChildSpec::Restart::Temporary) },
};
const Choice kinds[] = {
    { "supervisor", int(Process::Kind::Supervisor) },
    { "worker", int(Process::Kind::Worker) },
    { "table_manager", int(Process::Kind::TableManager) },
};
const Choice workloads[] = {
    { "counter", int(Scenario::Workload::Type::Counter) },
    { "append", int(Scenario::Workload::Type::Append) },
};
const Choice tableTypes[] = {
    { "set", int(TableOptions::Type::Set) },
    { "ordered_set", int(TableOptions::Type::OrderedSet) },
    { "bag", int(TableOptions::Type::Bag) },
    { "duplicate_bag", int(TableOptions::Type::DuplicateBag) },
};
const Choice accesses[] = {
    { "public", int(TableOptions::Access::Public) },
    { "protected", int(TableOptions::Access::Protected) },
    { "private", int(TableOptions::Access::Private) },
};

template<size_t N>
const char *wordOf(const Choice (&choices)[N], int value)
{
    for (const Choice &c : choices) {
        if (c.value == value)
            return c.word;
    }
    return "?";
}

// Control characters written as JSON escapes, so that a key holding a NUL or
// a newline cannot cut a message short or split it over lines.
QString tooBig(const QString &file, qint64 bytes)
{
    return QStringLiteral("%1: (whole file): expected a scenario of at most %2 MiB, got %3 MiB")
        .arg(file)
        .arg(Scenario::maxFileBytes >> 20)
        .arg(double(bytes) / (1 << 20), 0, 'f', 1);
}

QString printable(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

// JSON forbids raw control characters inside strings (RFC 8259), but Qt's
// parser takes them: find the first, as the offset of the byte, or -1.
qsizetype rawControlInString(const QByteArray &json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (!inString) {
            inString = c == '"';
        } else if (c == '\\') {
            ++i; // the escaped character, whatever it is
        } else if (c == '"') {
            inString = false;
        } else if (uchar(c) < 0x20) {
            return i;
        }
    }
    return -1;
}

QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::String:
        return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

} // namespace

// Reads one JSON document into a Scenario, keeping the JSON path of every
// value so each error can say exactly where the file went wrong.
class ScenarioParser
{
public:
    explicit ScenarioParser(const QString &fileName)
        : m_file(fileName.isEmpty() ? QStringLiteral("<scenario>") : fileName)
    { }

    Scenario parse(const QByteArray &json);

    [[noreturn]] void fail(const QString &path, const QString &expected,
                           const QJsonValue &got = QJsonValue(QJsonValue::Undefined)) const
    {
        QString message =
            m_file + QStringLiteral(": ") + path + QStringLiteral(": expected ") + expected;
        if (!got.isUndefined())
            message += QStringLiteral(", got ") + describe(got);
        throw Error(Error::Code::BadArg, printable(message));
    }

private:
    static QString join(const QString &path, const QString &key)
    {
        return path.isEmpty() ? key : path + QLatin1Char('.') + key;
    }
    static QString index(const QString &path, qsizetype i)
    {
        return path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
    }

    void checkKeys(const QJsonObject &o, const QString &path, const QStringList &allowed) const
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!allowed.contains(it.key())) {
                fail(join(path, it.key()),
                     QStringLiteral("no such key (allowed here: ")
                         + allowed.join(QStringLiteral(", ")) + QLatin1Char(')'));
            }
        }
    }
    QJsonObject object(const QJsonValue &v, const QString &path) const
    {
        if (!v.isObject())
            fail(path, QStringLiteral("an object"), v);
        return v.toObject();
    }
    QString string(const QJsonObject &o, const QString &path, const QString &key, bool required,
                   const QString &fallback = QString()) const
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(join(path, key), QStringLiteral("a string (this key is required)"));
            return fallback;
        }
        if (!v.isString() || v.toString().trimmed().isEmpty())
            fail(join(path, key), QStringLiteral("a non-empty string"), v);
        return v.toString();
    }
    qint64 integer(const QJsonObject &o, const QString &path, const QString &key, qint64 min,
                   qint64 max, qint64 fallback, bool required = false) const
    {
        const QJsonValue v = o.value(key);
        const QString range = QStringLiteral("an integer from %1 to %2").arg(min).arg(max);
        if (v.isUndefined()) {
            if (required)
                fail(join(path, key), range + QStringLiteral(" (this key is required)"));
            return fallback;
        }
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || std::floor(d) != d || d < double(min) || d > double(max))
            fail(join(path, key), range, v);
        return qint64(d);
    }
    bool boolean(const QJsonObject &o, const QString &path, const QString &key, bool fallback) const
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool())
            fail(join(path, key), QStringLiteral("true or false"), v);
        return v.toBool();
    }
    template<size_t N>
    int choice(const QJsonObject &o, const QString &path, const QString &key,
               const Choice (&choices)[N], int fallback, bool required = false) const
    {
        QStringList words;
        for (const Choice &c : choices)
            words << QString::fromLatin1(c.word);
        const QString expected = QStringLiteral("one of ") + words.join(QStringLiteral(", "));
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(join(path, key), expected + QStringLiteral(" (this key is required)"));
            return fallback;
        }
        for (const Choice &c : choices) {
            if (v.isString() && v.toString() == QLatin1String(c.word))
                return c.value;
        }
        fail(join(path, key), expected, v);
    }

    Scenario::ProcessSpec supervisor(const QJsonObject &o, const QString &path, bool root);
    Scenario::ProcessSpec child(const QJsonValue &v, const QString &path);
    Scenario::Workload workload(const QJsonValue &v, const QString &path);
    Scenario::Action action(const QJsonValue &v, const QString &path);
    void startOutcome(const QJsonObject &o, const QString &path, Scenario::ProcessSpec *n);
    Term reason(const QJsonObject &o, const QString &path, const Term &fallback) const;
    void resolve(Scenario &s);
    void checkChaosTargets(const Scenario &s);
    void resolveAction(const Scenario &s, const Scenario::Action &a) const;
    void index(const Scenario::ProcessSpec &n);
    void claim(const QString &key, const QString &path, const QString &what);

    QString m_file;
    // Every registered name and child id -> the path of the node it names.
    QHash<QString, QString> m_keys;
    QHash<QString, const Scenario::ProcessSpec *> m_nodes;
};

Scenario::ProcessSpec ScenarioParser::supervisor(const QJsonObject &o, const QString &path,
                                                 bool root)
{
    Scenario::ProcessSpec n;
    n.kind = Process::Kind::Supervisor;
    n.path = path;
    n.shutdown = ChildSpec::Infinity;
    if (root) {
        checkKeys(o, path,
                  { QStringLiteral("name"), QStringLiteral("id"), QStringLiteral("strategy"),
                    QStringLiteral("intensity"), QStringLiteral("period_ms"),
                    QStringLiteral("children") });
        n.name = string(o, path, QStringLiteral("name"), false);
        n.id = string(o, path, QStringLiteral("id"), false,
                      n.name.isEmpty() ? QStringLiteral("root") : n.name);
    }
    n.flags.strategy = Supervisor::Strategy(choice(o, path, QStringLiteral("strategy"), strategies,
                                                   int(Supervisor::Strategy::OneForOne)));
    n.flags.intensity = int(integer(o, path, QStringLiteral("intensity"), 0, 1000, 3));
    n.flags.periodMs = int(integer(o, path, QStringLiteral("period_ms"), 1, 3600 * 1000, 5000));
    const QJsonValue children = o.value(QStringLiteral("children"));
    const QString childrenPath = join(path, QStringLiteral("children"));
    if (!children.isUndefined()) {
        if (!children.isArray())
            fail(childrenPath, QStringLiteral("an array of children"), children);
        const QJsonArray a = children.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            n.children.append(child(a.at(i), index(childrenPath, i)));
    }
    if (n.flags.strategy == Supervisor::Strategy::SimpleOneForOne) {
        // One template; its children are started by start_child actions and
        // share its id, so none may hold a registered name.
        if (n.children.size() != 1)
            fail(childrenPath,
                 QStringLiteral("exactly one child, the template of a simple_one_for_one "
                                "supervisor"));
        const Scenario::ProcessSpec &t = n.children.first();
        if (t.kind == Process::Kind::TableManager)
            fail(join(t.path, QStringLiteral("kind")),
                 QStringLiteral("worker or supervisor (a table manager needs a name of its own, "
                                "which children of one template cannot have)"));
        if (!t.name.isEmpty())
            fail(join(t.path, QStringLiteral("name")),
                 QStringLiteral("no name (the children of a simple_one_for_one template share "
                                "it, and a name is held by one process)"));
    }
    return n;
}

Scenario::ProcessSpec ScenarioParser::child(const QJsonValue &v, const QString &path)
{
    const QJsonObject o = object(v, path);
    const auto kind = Process::Kind(choice(o, path, QStringLiteral("kind"), kinds, 0, true));
    const QStringList common = { QStringLiteral("kind"), QStringLiteral("id"),
                                 QStringLiteral("name"), QStringLiteral("restart"),
                                 QStringLiteral("shutdown") };
    Scenario::ProcessSpec n;
    switch (kind) {
    case Process::Kind::Supervisor:
        checkKeys(o, path,
                  common
                      + QStringList { QStringLiteral("strategy"), QStringLiteral("intensity"),
                                      QStringLiteral("period_ms"), QStringLiteral("children") });
        n = supervisor(o, path, false);
        break;
    case Process::Kind::Worker:
        checkKeys(o, path,
                  common
                      + QStringList { QStringLiteral("boot_delay_ms"), QStringLiteral("workload"),
                                      QStringLiteral("start"), QStringLiteral("trap_exit"),
                                      QStringLiteral("ignore_shutdown") });
        n.kind = kind;
        n.bootDelayMs =
            int(integer(o, path, QStringLiteral("boot_delay_ms"), 0, Scenario::maxBootDelayMs, 0));
        if (o.contains(QStringLiteral("workload")))
            n.workload = workload(o.value(QStringLiteral("workload")),
                                  join(path, QStringLiteral("workload")));
        startOutcome(o, path, &n);
        n.ignoreShutdown = boolean(o, path, QStringLiteral("ignore_shutdown"), false);
        n.trapExit = boolean(o, path, QStringLiteral("trap_exit"), n.ignoreShutdown);
        if (n.ignoreShutdown && !n.trapExit)
            fail(join(path, QStringLiteral("trap_exit")),
                 QStringLiteral("true, or no trap_exit (a worker that ignores shutdown traps "
                                "exits, or the shutdown would end it)"),
                 QJsonValue(false));
        break;
    case Process::Kind::TableManager: {
        checkKeys(o, path,
                  common + QStringList { QStringLiteral("target"), QStringLiteral("table") });
        n.kind = kind;
        n.target = string(o, path, QStringLiteral("target"), true);
        const QString tablePath = join(path, QStringLiteral("table"));
        const QJsonValue tv = o.value(QStringLiteral("table"));
        const QJsonObject t = tv.isUndefined() ? QJsonObject() : object(tv, tablePath);
        checkKeys(t, tablePath,
                  { QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("access"),
                    QStringLiteral("named_table"), QStringLiteral("keypos") });
        n.tableName = string(t, tablePath, QStringLiteral("name"), false);
        n.table.type = TableOptions::Type(
            choice(t, tablePath, QStringLiteral("type"), tableTypes, int(TableOptions::Type::Set)));
        n.table.access = TableOptions::Access(choice(t, tablePath, QStringLiteral("access"),
                                                     accesses, int(TableOptions::Access::Public)));
        n.table.namedTable = boolean(t, tablePath, QStringLiteral("named_table"), false);
        n.table.keyPos = int(integer(t, tablePath, QStringLiteral("keypos"), 1, 255, 1));
        break;
    }
    }
    n.path = path;
    n.id = string(o, path, QStringLiteral("id"), true);
    n.name = string(o, path, QStringLiteral("name"), false);
    n.restart = ChildSpec::Restart(
        choice(o, path, QStringLiteral("restart"), restarts, int(ChildSpec::Restart::Permanent)));
    const QJsonValue shutdown = o.value(QStringLiteral("shutdown"));
    if (shutdown.isString() && shutdown.toString() == QLatin1String("brutal_kill")) {
        n.shutdown = ChildSpec::BrutalKill;
    } else if (shutdown.isString() && shutdown.toString() == QLatin1String("infinity")) {
        n.shutdown = ChildSpec::Infinity;
    } else if (!shutdown.isUndefined()) {
        const double d = shutdown.toDouble(-1);
        if (!shutdown.isDouble() || std::floor(d) != d || d < 0 || d > 3600 * 1000)
            fail(join(path, QStringLiteral("shutdown")),
                 QStringLiteral(
                     "\"brutal_kill\", \"infinity\" or a timeout in ms from 0 to 3600000"),
                 shutdown);
        n.shutdown = int(d);
    } else if (kind != Process::Kind::Supervisor) {
        n.shutdown = 5000;
    }
    return n;
}

Scenario::Workload ScenarioParser::workload(const QJsonValue &v, const QString &path)
{
    const QJsonObject o = object(v, path);
    checkKeys(o, path,
              { QStringLiteral("type"), QStringLiteral("table"), QStringLiteral("every_ms"),
                QStringLiteral("max_rows") });
    Scenario::Workload w;
    w.type = Scenario::Workload::Type(choice(o, path, QStringLiteral("type"), workloads, 0, true));
    w.table = string(o, path, QStringLiteral("table"), false, QStringLiteral("managed"));
    w.everyMs = int(integer(o, path, QStringLiteral("every_ms"), 10, maxEveryMs, 300));
    if (o.contains(QStringLiteral("max_rows")) && w.type != Scenario::Workload::Type::Append)
        fail(join(path, QStringLiteral("max_rows")),
             QStringLiteral("no max_rows (it applies to \"append\" workloads only)"));
    w.maxRows = int(integer(o, path, QStringLiteral("max_rows"), 1, 1000000, 100));
    return w;
}

void ScenarioParser::startOutcome(const QJsonObject &o, const QString &path,
                                  Scenario::ProcessSpec *n)
{
    using Outcome = Scenario::ProcessSpec::StartOutcome;
    const QString key = QStringLiteral("start");
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isString()) {
        n->startOutcome = Outcome(choice(o, path, key, startOutcomes, int(Outcome::Ok)));
        return;
    }
    const QString at = join(path, key);
    if (!v.isObject())
        fail(at,
             QStringLiteral("one of ok, ignore, error, throw, or an object {\"result\": ..., "
                            "\"from\": N}"),
             v);
    const QJsonObject s = v.toObject();
    checkKeys(s, at, { QStringLiteral("result"), QStringLiteral("from") });
    n->startOutcome =
        Outcome(choice(s, at, QStringLiteral("result"), startOutcomes, int(Outcome::Ok), true));
    n->startOutcomeFrom = int(integer(s, at, QStringLiteral("from"), 1, 1000000, 1));
}

Term ScenarioParser::reason(const QJsonObject &o, const QString &path, const Term &fallback) const
{
    const QString key = QStringLiteral("reason");
    if (!o.contains(key))
        return fallback;
    const QString text = string(o, path, key, true);
    try {
        return Term::parse(text);
    } catch (const Error &e) {
        fail(join(path, key),
             QStringLiteral("an exit reason in Erlang term text, such as kill, normal or "
                            "{shutdown,done} (%1)")
                 .arg(e.message()),
             QJsonValue(text));
    }
}

Scenario::Action ScenarioParser::action(const QJsonValue &v, const QString &path)
{
    using Type = Scenario::Action::Type;
    const QJsonObject o = object(v, path);
    // terminate and restart are the first spellings of terminate_child and restart_child.
    const std::pair<const char *, Type> verbs[] = {
        { "kill", Type::Kill },
        { "exit", Type::Exit },
        { "start_child", Type::StartChild },
        { "restart_child", Type::Restart },
        { "restart", Type::Restart },
        { "terminate_child", Type::Terminate },
        { "terminate", Type::Terminate },
        { "delete_child", Type::Delete },
    };
    QStringList allowed = { QStringLiteral("at_ms"), QStringLiteral("reason"),
                            QStringLiteral("index") };
    for (const auto &verb : verbs)
        allowed << QString::fromLatin1(verb.first);
    checkKeys(o, path, allowed);
    Scenario::Action a;
    a.path = path;
    a.atMs = int(integer(o, path, QStringLiteral("at_ms"), 0, maxScriptMs, 0, true));
    int found = 0;
    for (const auto &[word, type] : verbs) {
        const QString key = QString::fromLatin1(word);
        if (o.contains(key)) {
            ++found;
            a.type = type;
            a.target = string(o, path, key, true);
        }
    }
    if (found != 1)
        fail(path,
             QStringLiteral("exactly one of kill, exit, start_child, terminate_child, "
                            "restart_child or delete_child naming a process"));
    if (a.type == Type::Kill || a.type == Type::Exit) {
        a.reason =
            reason(o, path, a.type == Type::Kill ? ExitReason::kill() : ExitReason::normal());
    } else if (o.contains(QStringLiteral("reason"))) {
        fail(join(path, QStringLiteral("reason")),
             QStringLiteral("no reason (it applies to kill and exit actions only)"));
    }
    if (o.contains(QStringLiteral("index"))) {
        if (a.type != Type::Terminate)
            fail(join(path, QStringLiteral("index")),
                 QStringLiteral("no index (it picks a child of a simple_one_for_one template "
                                "for terminate_child only)"));
        a.index = int(integer(o, path, QStringLiteral("index"), 0, 1000000, 0));
    }
    return a;
}

void ScenarioParser::claim(const QString &key, const QString &path, const QString &what)
{
    if (key.isEmpty())
        return;
    const auto it = m_keys.constFind(key);
    if (it != m_keys.constEnd() && *it != path) {
        fail(path + QLatin1Char('.') + what,
             QStringLiteral("a name or id used nowhere else (\"%1\" already names %2)")
                 .arg(key, *it));
    }
    m_keys.insert(key, path);
}

void ScenarioParser::index(const Scenario::ProcessSpec &n)
{
    claim(n.id, n.path, QStringLiteral("id"));
    claim(n.name, n.path, QStringLiteral("name"));
    m_nodes.insert(n.id, &n);
    if (!n.name.isEmpty())
        m_nodes.insert(n.name, &n);
    for (const Scenario::ProcessSpec &c : n.children)
        index(c);
}

// The chaos target filter must decide on every name and id in the tree
// within the chaos monkey's matching budget: one that backtracks without end
// would otherwise quietly exclude its victims.
void ScenarioParser::checkChaosTargets(const Scenario &s)
{
    if (s.m_chaos.targets.isEmpty())
        return;
    const QRegularExpression filter(s.m_chaos.targets);
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (!ChaosMonkey::filterMatches(filter, it.key()))
            fail(QStringLiteral("chaos.targets"),
                 QStringLiteral("an expression that decides quickly whether it matches \"%1\" "
                                "(this one backtracks too much; simplify nested repeats such "
                                "as (a+)+)")
                     .arg(printable(it.key())),
                 QJsonValue(s.m_chaos.targets));
    }
}

// Cross references: manager targets, manager names, workload tables.
void ScenarioParser::resolve(Scenario &s)
{
    using Kind = Process::Kind;
    m_keys.clear();
    m_nodes.clear();
    index(s.m_root);

    // Targets resolve to workers with registered names.
    QList<Scenario::ProcessSpec *> all;
    std::function<void(Scenario::ProcessSpec &)> collect = [&](Scenario::ProcessSpec &n) {
        all.append(&n);
        for (Scenario::ProcessSpec &c : n.children)
            collect(c);
    };
    collect(s.m_root);
    QHash<QString, QList<Scenario::ProcessSpec *>> managersOf; // by target worker id
    for (Scenario::ProcessSpec *n : std::as_const(all)) {
        if (n->kind != Kind::TableManager)
            continue;
        const Scenario::ProcessSpec *t = m_nodes.value(n->target);
        if (!t)
            fail(n->path + QStringLiteral(".target"),
                 QStringLiteral("the registered name or child id of a worker in this scenario"),
                 QJsonValue(n->target));
        if (t->kind != Kind::Worker || t->name.isEmpty())
            fail(n->path + QStringLiteral(".target"),
                 QStringLiteral("a worker with a registered name (%1 is a %2%3)")
                     .arg(t->path, QString::fromLatin1(Process::kindName(t->kind)),
                          t->name.isEmpty() ? QStringLiteral(" without a name") : QString()),
                 QJsonValue(n->target));
        n->targetName = t->name;
        if (n->tableName.isEmpty())
            n->tableName = t->name;
        else if (n->tableName != t->name)
            fail(n->path + QStringLiteral(".table.name"),
                 QStringLiteral("the target's registered name \"%1\" (a table manager names "
                                "its table after its target)")
                     .arg(t->name),
                 QJsonValue(n->tableName));
        for (const Scenario::ProcessSpec *other : managersOf.value(t->id)) {
            if (other->table.namedTable && n->table.namedTable)
                fail(n->path + QStringLiteral(".table.named_table"),
                     QStringLiteral("false: %1 already gives \"%2\" a named table of that name")
                         .arg(other->path, t->name),
                     QJsonValue(true));
        }
        managersOf[t->id].append(n);
    }
    // Managers without a name register as "<target>.manager", like TableManager.
    for (Scenario::ProcessSpec *n : std::as_const(all)) {
        if (n->kind == Kind::TableManager && n->name.isEmpty()) {
            n->name = n->targetName + QStringLiteral(".manager");
            claim(n->name, n->path, QStringLiteral("name"));
        }
    }

    for (Scenario::ProcessSpec *n : std::as_const(all)) {
        if (n->kind != Kind::Worker || n->workload.type == Scenario::Workload::Type::None)
            continue;
        Scenario::Workload &w = n->workload;
        const QString where = n->path + QStringLiteral(".workload.table");
        const QList<Scenario::ProcessSpec *> mine = managersOf.value(n->id);
        QList<Scenario::ProcessSpec *> used;
        if (w.table == QLatin1String("managed")) {
            if (mine.isEmpty())
                fail(where,
                     QStringLiteral("a table of the worker's own (any name but \"managed\"), "
                                    "or a table_manager whose target is this worker"),
                     QJsonValue(w.table));
            used = mine;
            w.managed = true;
        } else {
            w.managed = false;
            for (Scenario::ProcessSpec *m : mine) {
                if (m->tableName == w.table) {
                    used.append(m);
                    w.managed = true;
                }
            }
        }
        if (w.type == Scenario::Workload::Type::Counter) {
            for (const Scenario::ProcessSpec *m : std::as_const(used)) {
                if (m->table.type == TableOptions::Type::Bag
                    || m->table.type == TableOptions::Type::DuplicateBag)
                    fail(m->path + QStringLiteral(".table.type"),
                         QStringLiteral("set or ordered_set: %1 runs a counter workload on this "
                                        "table, and counters need unique keys")
                             .arg(n->path),
                         QJsonValue(QString::fromLatin1(TableOptions::typeName(m->table.type))));
            }
        }
    }

    for (Scenario::Action &a : s.m_script)
        resolveAction(s, a);
}

void ScenarioParser::resolveAction(const Scenario &s, const Scenario::Action &a) const
{
    using Type = Scenario::Action::Type;
    const QString at =
        a.path + QLatin1Char('.') + QString::fromLatin1(Scenario::Action::typeName(a.type));
    const Scenario::ProcessSpec *n = m_nodes.value(a.target);
    if (!n)
        fail(at, QStringLiteral("the registered name or child id of a process in this scenario"),
             QJsonValue(a.target));
    const Scenario::ProcessSpec *parent = s.parentOf(n);
    const bool dynamic = parent && parent->flags.strategy == Supervisor::Strategy::SimpleOneForOne;
    switch (a.type) {
    case Type::Kill:
    case Type::Exit:
        return;
    case Type::StartChild:
        if (n->kind != Process::Kind::Supervisor
            || n->flags.strategy != Supervisor::Strategy::SimpleOneForOne)
            fail(at,
                 QStringLiteral("a simple_one_for_one supervisor (start_child starts a child "
                                "from its template)"),
                 QJsonValue(a.target));
        return;
    case Type::Restart:
    case Type::Terminate:
    case Type::Delete:
        if (!parent)
            fail(at,
                 QStringLiteral("a child of a supervisor (the root has no supervisor to %1 it)")
                     .arg(QString::fromLatin1(Scenario::Action::typeName(a.type))),
                 QJsonValue(a.target));
        if (a.type == Type::Terminate && dynamic && a.index < 0)
            fail(a.path + QStringLiteral(".index"),
                 QStringLiteral("which running child of template \"%1\" to terminate (0 is the "
                                "oldest)")
                     .arg(a.target));
        if (a.type == Type::Terminate && !dynamic && a.index >= 0)
            fail(a.path + QStringLiteral(".index"),
                 QStringLiteral("no index (%1 is not the template of a simple_one_for_one "
                                "supervisor)")
                     .arg(a.target));
        return;
    }
}

// "line L, column C" of a byte offset, as the parse errors name places.
static QString placeOf(const QByteArray &json, qsizetype offset)
{
    int line = 1, column = 1;
    for (qsizetype i = 0; i < offset && i < json.size(); ++i) {
        if (json.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

Scenario ScenarioParser::parse(const QByteArray &json)
{
    // A scenario describes a tree and a script: one this big is some other
    // file (a trace, a log) opened by mistake, not worth parsing to say so.
    if (json.size() > Scenario::maxFileBytes)
        throw Error(Error::Code::BadArg, tooBig(m_file, json.size()));
    if (json.trimmed().isEmpty())
        fail(QStringLiteral("(whole file)"),
             QStringLiteral("a scenario (a JSON object), got an empty file"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        fail(placeOf(json, error.offset),
             QStringLiteral("well-formed JSON (%1)").arg(error.errorString()));
    if (const qsizetype at = rawControlInString(json); at >= 0)
        fail(placeOf(json, at),
             QStringLiteral("well-formed JSON (a control character inside a string must be "
                            "escaped, as \\n or \\u%1)")
                 .arg(int(uchar(json.at(at))), 4, 16, QLatin1Char('0')));
    if (!doc.isObject())
        fail(QStringLiteral("(top level)"), QStringLiteral("a JSON object"));
    const QJsonObject o = doc.object();
    checkKeys(o, QString(),
              { QStringLiteral("format"), QStringLiteral("version"), QStringLiteral("title"),
                QStringLiteral("description"), QStringLiteral("root"), QStringLiteral("script"),
                QStringLiteral("chaos") });
    const QJsonValue format = o.value(QStringLiteral("format"));
    if (format.toString() != formatName)
        fail(QStringLiteral("format"), QLatin1Char('"') + formatName + QLatin1Char('"'), format);
    integer(o, QString(), QStringLiteral("version"), Scenario::formatVersion,
            Scenario::formatVersion, 0, true);

    Scenario s;
    s.m_title = string(o, QString(), QStringLiteral("title"), false);
    s.m_description = string(o, QString(), QStringLiteral("description"), false);
    const QJsonValue root = o.value(QStringLiteral("root"));
    if (root.isUndefined())
        fail(QStringLiteral("root"), QStringLiteral("the root supervisor (this key is required)"));
    s.m_root = supervisor(object(root, QStringLiteral("root")), QStringLiteral("root"), true);

    const QJsonValue script = o.value(QStringLiteral("script"));
    if (!script.isUndefined()) {
        if (!script.isArray())
            fail(QStringLiteral("script"), QStringLiteral("an array of timed actions"), script);
        const QJsonArray a = script.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            s.m_script.append(action(a.at(i), index(QStringLiteral("script"), i)));
    }

    const QJsonValue chaos = o.value(QStringLiteral("chaos"));
    if (!chaos.isUndefined()) {
        const QJsonObject c = object(chaos, QStringLiteral("chaos"));
        const QString path = QStringLiteral("chaos");
        checkKeys(c, path,
                  { QStringLiteral("enabled"), QStringLiteral("per_second"), QStringLiteral("seed"),
                    QStringLiteral("targets") });
        s.m_chaos.enabled = boolean(c, path, QStringLiteral("enabled"), true);
        const QJsonValue rate = c.value(QStringLiteral("per_second"));
        if (!rate.isUndefined()) {
            if (!rate.isDouble() || rate.toDouble() <= 0 || rate.toDouble() > 1000)
                fail(QStringLiteral("chaos.per_second"),
                     QStringLiteral("a number of kills per second above 0, at most 1000"), rate);
            s.m_chaos.perSecond = rate.toDouble();
        }
        s.m_chaos.seed = quint64(integer(c, path, QStringLiteral("seed"), 0, (qint64(1) << 53), 0));
        s.m_chaos.targets = string(c, path, QStringLiteral("targets"), false);
        if (!QRegularExpression(s.m_chaos.targets).isValid())
            fail(QStringLiteral("chaos.targets"), QStringLiteral("a valid regular expression"),
                 QJsonValue(s.m_chaos.targets));
    }

    resolve(s);
    checkChaosTargets(s);
    std::stable_sort(s.m_script.begin(), s.m_script.end(),
                     [](const auto &a, const auto &b) { return a.atMs < b.atMs; });
    return s;
}

const char *Scenario::Workload::typeName(Type t)
{
    switch (t) {
    case Type::None:
        return "none";
    case Type::Counter:
        return "counter";
    case Type::Append:
        return "append";
    }
    return "none";
}

const char *Scenario::Action::typeName(Type t)
{
    switch (t) {
    case Type::Kill:
        return "kill";
    case Type::Exit:
        return "exit";
    case Type::StartChild:
        return "start_child";
    case Type::Restart:
        return "restart_child";
    case Type::Terminate:
        return "terminate_child";
    case Type::Delete:
        return "delete_child";
    }
    return "kill";
}

QString Scenario::Action::describe() const
{
    const QString verb = QString::fromLatin1(typeName(type));
    switch (type) {
    case Type::Kill:
    case Type::Exit:
        return QStringLiteral("%1 %2 (%3)").arg(verb, target, reason.format());
    case Type::Terminate:
        if (index >= 0)
            return QStringLiteral("%1 %2 #%3").arg(verb, target).arg(index);
        break;
    default:
        break;
    }
    return QStringLiteral("%1 %2").arg(verb, target);
}

Term Scenario::throwReason()
{
    static const Term t = Term::atom(u"throw");
    return t;
}

Scenario::Scenario()
{
    m_root.kind = Process::Kind::Supervisor;
    m_root.id = QStringLiteral("root");
    m_root.path = QStringLiteral("root");
    m_root.shutdown = ChildSpec::Infinity;
}

Scenario Scenario::fromJson(const QByteArray &json, const QString &fileName)
{
    Scenario s = ScenarioParser(fileName).parse(json);
    s.m_fileName = fileName;
    return s;
}

Scenario Scenario::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("%1: cannot read the scenario file (%2); expected a readable "
                                   "JSON file")
                        .arg(path, file.errorString()));
    }
    if (file.size() > maxFileBytes) // refused before reading it all
        throw Error(Error::Code::BadArg, tooBig(path, file.size()));
    return fromJson(file.readAll(), path);
}

QString Scenario::defaultPath()
{
    return QStringLiteral(":/scenarios/default.json");
}

QString Scenario::demoPath()
{
    return QStringLiteral(":/scenarios/demo.json");
}

namespace {

QJsonValue shutdownJson(int shutdown)
{
    if (shutdown == ChildSpec::BrutalKill)
        return QStringLiteral("brutal_kill");
    if (shutdown == ChildSpec::Infinity)
        return QStringLiteral("infinity");
    return shutdown;
}

QJsonObject nodeJson(const Scenario::ProcessSpec &n, bool root)
{
    using Kind = Process::Kind;
    QJsonObject o;
    if (!root) {
        o.insert(QStringLiteral("kind"), QString::fromLatin1(Process::kindName(n.kind)));
        o.insert(QStringLiteral("restart"), QString::fromLatin1(wordOf(restarts, int(n.restart))));
        o.insert(QStringLiteral("shutdown"), shutdownJson(n.shutdown));
    }
    o.insert(QStringLiteral("id"), n.id);
    if (!n.name.isEmpty())
        o.insert(QStringLiteral("name"), n.name);
    switch (n.kind) {
    case Kind::Supervisor: {
        o.insert(QStringLiteral("strategy"),
                 QString::fromLatin1(wordOf(strategies, int(n.flags.strategy))));
        o.insert(QStringLiteral("intensity"), n.flags.intensity);
        o.insert(QStringLiteral("period_ms"), n.flags.periodMs);
        QJsonArray children;
        for (const Scenario::ProcessSpec &c : n.children)
            children.append(nodeJson(c, false));
        o.insert(QStringLiteral("children"), children);
        break;
    }
    case Kind::Worker:
        o.insert(QStringLiteral("boot_delay_ms"), n.bootDelayMs);
        if (n.startOutcome != Scenario::ProcessSpec::StartOutcome::Ok) {
            const QString result = QString::fromLatin1(wordOf(startOutcomes, int(n.startOutcome)));
            if (n.startOutcomeFrom == 1) {
                o.insert(QStringLiteral("start"), result);
            } else {
                o.insert(QStringLiteral("start"),
                         QJsonObject { { QStringLiteral("result"), result },
                                       { QStringLiteral("from"), n.startOutcomeFrom } });
            }
        }
        if (n.trapExit)
            o.insert(QStringLiteral("trap_exit"), true);
        if (n.ignoreShutdown)
            o.insert(QStringLiteral("ignore_shutdown"), true);
        if (n.workload.type != Scenario::Workload::Type::None) {
            QJsonObject w;
            w.insert(QStringLiteral("type"),
                     QString::fromLatin1(Scenario::Workload::typeName(n.workload.type)));
            w.insert(QStringLiteral("table"), n.workload.table);
            w.insert(QStringLiteral("every_ms"), n.workload.everyMs);
            if (n.workload.type == Scenario::Workload::Type::Append)
                w.insert(QStringLiteral("max_rows"), n.workload.maxRows);
            o.insert(QStringLiteral("workload"), w);
        }
        break;
    case Kind::TableManager: {
        o.insert(QStringLiteral("target"), n.target);
        QJsonObject t;
        t.insert(QStringLiteral("name"), n.tableName);
        t.insert(QStringLiteral("type"),
                 QString::fromLatin1(wordOf(tableTypes, int(n.table.type))));
        t.insert(QStringLiteral("access"),
                 QString::fromLatin1(wordOf(accesses, int(n.table.access))));
        t.insert(QStringLiteral("named_table"), n.table.namedTable);
        t.insert(QStringLiteral("keypos"), n.table.keyPos);
        o.insert(QStringLiteral("table"), t);
        break;
    }
    }
    return o;
}

} // namespace

QByteArray Scenario::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("format"), formatName);
    o.insert(QStringLiteral("version"), formatVersion);
    if (!m_title.isEmpty())
        o.insert(QStringLiteral("title"), m_title);
    if (!m_description.isEmpty())
        o.insert(QStringLiteral("description"), m_description);
    o.insert(QStringLiteral("root"), nodeJson(m_root, true));
    if (!m_script.isEmpty()) {
        QJsonArray script;
        for (const Action &a : m_script) {
            QJsonObject j;
            j.insert(QStringLiteral("at_ms"), a.atMs);
            j.insert(QLatin1String(Action::typeName(a.type)), a.target);
            if (a.type == Action::Type::Kill || a.type == Action::Type::Exit)
                j.insert(QStringLiteral("reason"), a.reason.format());
            if (a.index >= 0)
                j.insert(QStringLiteral("index"), a.index);
            script.append(j);
        }
        o.insert(QStringLiteral("script"), script);
    }
    if (m_chaos.enabled) {
        QJsonObject c;
        c.insert(QStringLiteral("enabled"), true);
        c.insert(QStringLiteral("per_second"), m_chaos.perSecond);
        c.insert(QStringLiteral("seed"), qint64(m_chaos.seed));
        if (!m_chaos.targets.isEmpty())
            c.insert(QStringLiteral("targets"), m_chaos.targets);
        o.insert(QStringLiteral("chaos"), c);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

const Scenario::ProcessSpec *Scenario::find(const QString &nameOrId) const
{
    if (nameOrId.isEmpty())
        return nullptr;
    for (const ProcessSpec *n : nodes()) {
        if (n->name == nameOrId || n->id == nameOrId)
            return n;
    }
    return nullptr;
}

const Scenario::ProcessSpec *Scenario::parentOf(const ProcessSpec *node) const
{
    for (const ProcessSpec *n : nodes()) {
        for (const ProcessSpec &c : n->children) {
            if (&c == node)
                return n;
        }
    }
    return nullptr;
}

QList<const Scenario::ProcessSpec *> Scenario::nodes() const
{
    QList<const ProcessSpec *> out;
    std::function<void(const ProcessSpec &)> walk = [&](const ProcessSpec &n) {
        out.append(&n);
        for (const ProcessSpec &c : n.children)
            walk(c);
    };
    walk(m_root);
    return out;
}

void Scenario::addAction(const Action &action)
{
    const QString where = m_fileName.isEmpty() ? QStringLiteral("<scenario>") : m_fileName;
    const ProcessSpec *n = find(action.target);
    if (!n) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("%1: no process named \"%2\"; expected the registered name "
                                   "or child id of a process in this scenario")
                        .arg(where, action.target));
    }
    if (action.atMs < 0 || action.atMs > maxScriptMs) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("action time %1 ms: expected a time from 0 to %2 ms")
                        .arg(action.atMs)
                        .arg(maxScriptMs));
    }
    if (action.type != Action::Type::Kill && n == &m_root) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("%1: \"%2\" is the root supervisor; expected a child of a "
                                   "supervisor")
                        .arg(where, action.target));
    }
    const auto at = std::upper_bound(m_script.begin(), m_script.end(), action.atMs,
                                     [](int t, const Action &a) { return t < a.atMs; });
    m_script.insert(at, action);
}

} // namespace immortal
