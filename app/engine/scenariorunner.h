#pragma once

#include "scenario.h"

#include <immortal/exitreason.h>
#include <immortal/types.h>

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace immortal {

class ChaosMonkey;
struct TraceEvent;

// Builds a supervision tree from a Scenario and runs it: the root
// supervisor with its children (workers, table managers, nested
// supervisors), the scenario's script of timed actions and its chaos monkey.
// Everything runs in the runner's thread. Processes are always addressed by
// pid (resolved from a registered name or a child id at the moment of use),
// so a process that died in between is never touched.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    // Live numbers for the headless summary and the status bar.
    struct Stats
    {
        int processes = 0; // live processes of the tree
        int restarts = 0; // child restarts since start()
        int tables = 0; // live tables
        qint64 rows = 0; // rows in those tables
        int tablesLost = 0; // table_lost events since start()
        int tablesOrphaned = 0; // live tables without an owner, waiting for their heir
    };

    explicit ScenarioRunner(const Scenario &scenario, QObject *parent = nullptr);
    ~ScenarioRunner() override; // a running tree is killed

    // Starts the tree, the script and (if the scenario enables it) chaos.
    // Throws Error (StartFailed, NameTaken...) with nothing left running.
    void start();
    // Ends the run: deletes the tree's tables (they belong to the scenario,
    // so a later run starts clean), then shuts the root supervisor down in
    // order; stopped() when it is gone.
    void stop();
    bool isRunning() const;

    // Pauses the workloads, the script's clock and the chaos monkey.
    void setPaused(bool paused);
    bool isPaused() const { return m_shared->paused.load(); }

    // The live pid for a registered name or a child id of this tree; 0 if none.
    Pid resolve(const QString &nameOrChildId) const;

    // A worker's boot delay for its next start, 0..5000 ms (BadArg otherwise,
    // or when the name is not a worker of the scenario).
    void setBootDelay(const QString &workerNameOrId, int ms);
    int bootDelay(const QString &workerNameOrId) const; // -1 if not a worker

    ChaosMonkey *chaos() const { return m_chaos; }
    Pid rootPid() const { return m_root; }
    const Scenario &scenario() const { return m_scenario; }
    qint64 elapsedMs() const; // running time, pauses excluded
    Stats stats() const;

    // Sends a process of the tree an exit signal from outside (exit/2): `kill`,
    // `normal`, `shutdown`, any other term. False if nothing by that name or
    // id is alive.
    bool kill(const QString &nameOrId, const Term &reason = ExitReason::kill());
    // Makes it exit by itself (exit/1) with `reason`; Scenario::throwReason()
    // throws an exception inside one of its handlers instead.
    bool exitBySelf(const QString &nameOrId, const Term &reason);
    // supervisor:restart_child / terminate_child, sent to the child's
    // supervisor. False when there is no such child or (restart) it runs.
    bool restartChild(const QString &nameOrId);
    bool terminateChild(const QString &nameOrId);
    // supervisor:delete_child for a child that is not running.
    bool deleteChild(const QString &nameOrId);
    // supervisor:start_child on a simple_one_for_one supervisor: a new child
    // from its template.
    bool startChild(const QString &supervisorNameOrId);
    // terminate_child by pid for the index-th running child (start order) of
    // a simple_one_for_one template.
    bool terminateDynamicChild(const QString &templateId, int index);

    // Every pid of the tree (root included) that is alive now.
    QList<Pid> treePids() const;

Q_SIGNALS:
    void started();
    void scriptActionDone(const QString &description);
    void stopped();
    void pausedChanged(bool paused);

private:
    // Shared with the child specs' start functions, which may outlive us.
    struct Shared
    {
        std::atomic<bool> paused { false };
        QMutex mutex; // guards bootDelays: supervisors may run in other threads
        QHash<QString, int> bootDelays; // by worker child id
        QHash<QString, int> starts; // how often each worker child id was started
    };

    // Runs fn(supervisor, child id) in the supervisor of nameOrId; false if
    // there is none running.
    bool askChildSupervisor(const QString &nameOrId, const char *call,
                            void (*fn)(Supervisor *, const QString &));
    static ChildSpec childSpec(const std::shared_ptr<Shared> &shared,
                               const Scenario::ProcessSpec &node);
    static Process *startNode(const std::shared_ptr<Shared> &shared,
                              const Scenario::ProcessSpec &node);
    void onTrace(const TraceEvent &e);
    void scheduleNextAction();
    void runAction(const Scenario::Action &action);
    // (supervisor pid, child id) of a scenario child, resolved now.
    std::pair<Pid, QString> supervisorOf(const QString &nameOrId) const;
    void finish();

    Scenario m_scenario;
    std::shared_ptr<Shared> m_shared;
    ChaosMonkey *m_chaos = nullptr;
    Pid m_root = 0;
    bool m_running = false;
    QMetaObject::Connection m_traceConnection;
    QTimer m_scriptTimer;
    int m_nextAction = 0;
    QElapsedTimer m_clock;
    qint64 m_pausedTotalMs = 0;
    qint64 m_pausedAtMs = -1;
    int m_restarts = 0;
    int m_tablesLost = 0;
};

} // namespace immortal
