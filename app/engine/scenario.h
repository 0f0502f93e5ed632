#pragma once

#include <immortal/childspec.h>
#include <immortal/supervisor.h>
#include <immortal/tableoptions.h>

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace immortal {

// A parsed, validated scenario: the supervision tree to build, an optional
// script of timed actions and optional chaos settings. The JSON form is
// documented in docs/scenario-format.md ({"format": "immortal-scenario",
// "version": 1, ...}). Parsing is strict: any unknown key, wrong type,
// out-of-range value, duplicate name or id, or reference to an unknown
// process throws Error(BadArg) naming the file, the JSON path and what was
// expected. A Scenario that exists is valid.
class Scenario
{
public:
    static constexpr int formatVersion = 1;
    static constexpr int maxBootDelayMs = 5000;
    static constexpr qsizetype maxFileBytes = 8 << 20; // 8 MiB; bigger files are refused

    // What a worker does once booted.
    struct Workload
    {
        enum class Type {
            None, // just lives
            Counter, // updates a counter row {counter, N} every everyMs
            Append, // inserts a new row {N, <<"row N">>} every everyMs, up to maxRows
        };
        Type type = Type::None;
        // "managed": every table handed to the worker (ETS-TRANSFER).
        // The table name of a manager targeting the worker: that table.
        // Any other name: a table the worker creates and owns itself.
        QString table = QStringLiteral("managed");
        int everyMs = 300;
        int maxRows = 100; // Append only
        // Resolved at validation: true when the table comes from a manager.
        bool managed = true;

        static const char *typeName(Type t); // "none", "counter", "append"
    };

    // One process of the tree, as the file describes it.
    struct ProcessSpec
    {
        Process::Kind kind = Process::Kind::Worker;
        QString id; // child id (the root: its name, or "root")
        QString name; // registered name; may be empty for workers and supervisors
        QString path; // JSON path of this node, e.g. "root.children[1]"
        ChildSpec::Restart restart = ChildSpec::Restart::Permanent;
        int shutdown = 5000; // ms, or ChildSpec::BrutalKill / Infinity

        // Supervisor
        Supervisor::Flags flags;
        QList<ProcessSpec> children;

        // Worker
        int bootDelayMs = 0;
        Workload workload;
        // What its start function does (OTP: {ok, Pid}, ignore, {error, _},
        // or a crash), from its `startOutcomeFrom`-th start on; before that
        // it starts normally. So 2 fails restarts only.
        enum class StartOutcome { Ok, Ignore, Error, Throw };
        StartOutcome startOutcome = StartOutcome::Ok;
        int startOutcomeFrom = 1;
        bool trapExit = false; // exit signals from outside become messages
        // Traps exits and never stops when its supervisor asks: it is
        // killed when its shutdown timeout runs out.
        bool ignoreShutdown = false;

        // TableManager
        QString target; // as written: a registered name or a child id
        QString targetName; // resolved: the target worker's registered name
        TableOptions table;
        QString tableName; // the table's name (the target's registered name)
    };

    struct Action
    {
        // Kill: exit/2 from outside; Exit: the process exits by itself
        // (exit/1; the reason `throw` throws in one of its handlers instead);
        // the rest are the supervisor calls of the same names.
        enum class Type { Kill, Exit, StartChild, Restart, Terminate, Delete };
        Type type = Type::Kill;
        int atMs = 0; // since start
        // Registered name or child id; for StartChild a simple_one_for_one
        // supervisor, for Terminate with an index its template's id.
        QString target;
        Term reason = ExitReason::kill(); // Kill and Exit
        int index = -1; // Terminate: which running child of a template, in start order
        QString path; // where it was written, for messages

        QString describe() const; // "kill TableConsumer (kill)"
        static const char *typeName(Type t); // the script key: "kill", "terminate_child", ...
    };
    // The reason that makes a process throw instead of exiting: `throw`.
    static Term throwReason();

    struct Chaos
    {
        bool enabled = false;
        double perSecond = 1.0;
        quint64 seed = 0;
        QString targets; // regular expression; empty = workers and managers
    };

    Scenario(); // the empty scenario: a root supervisor with no children

    // Throws Error(BadArg); `fileName` is used in messages only.
    static Scenario fromJson(const QByteArray &json, const QString &fileName);
    static Scenario fromFile(const QString &path); // also ":/..." resources
    // The embedded scenarios (immortal_resources must be linked).
    static QString defaultPath(); // ":/scenarios/default.json"
    static QString demoPath(); // ":/scenarios/demo.json"
    static Scenario defaultScenario() { return fromFile(defaultPath()); }

    // The JSON form; fromJson(toJson()) gives an equal scenario.
    QByteArray toJson() const;

    QString fileName() const { return m_fileName; }
    QString title() const { return m_title; }
    QString description() const { return m_description; }
    const ProcessSpec &root() const { return m_root; }
    const QList<Action> &script() const { return m_script; }
    const Chaos &chaos() const { return m_chaos; }

    // A node by registered name or child id; nullptr if none.
    const ProcessSpec *find(const QString &nameOrId) const;
    // The supervisor node directly above a node; nullptr for the root.
    const ProcessSpec *parentOf(const ProcessSpec *node) const;
    // Every node, depth first, parents before children.
    QList<const ProcessSpec *> nodes() const;

    // Adds a timed action (--kill): the target must name a process of this
    // scenario and the time must be >= 0, or Error(BadArg) and nothing changes.
    void addAction(const Action &action);
    void setChaos(const Chaos &chaos) { m_chaos = chaos; }

private:
    friend class ScenarioParser;
    QString m_fileName;
    QString m_title;
    QString m_description;
    ProcessSpec m_root;
    QList<Action> m_script;
    Chaos m_chaos;
};

} // namespace immortal
