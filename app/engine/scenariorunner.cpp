#include "scenariorunner.h"

#include "chaosmonkey.h"
#include "scenarioworker.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/tablemanager.h>
#include <immortal/trace.h>

#include <QLoggingCategory>
#include <QMutexLocker>
#include <QPointer>
#include <QThread>

#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>

namespace immortal {

Q_LOGGING_CATEGORY(lcRunner, "immortal.scenario", QtWarningMsg)

namespace {

// Which live processes belong to the tree under root, from one snapshot.
QList<ProcessInfo> treeOf(Pid root)
{
    QList<ProcessInfo> out;
    if (root == 0)
        return out;
    const QList<ProcessInfo> all = Node::instance()->processes();
    QHash<Pid, Pid> parent;
    for (const ProcessInfo &p : all)
        parent.insert(p.pid, p.supervisor);
    for (const ProcessInfo &p : all) {
        Pid at = p.pid;
        // Bounded walk: a tree is never deeper than the number of processes.
        for (qsizetype steps = 0; at != 0 && at != root && steps <= all.size(); ++steps)
            at = parent.value(at);
        if (at == root)
            out.append(p);
    }
    return out;
}

// Whether pid (alive or recently dead) was in the tree under root.
bool wasInTree(Pid pid, Pid root)
{
    for (int steps = 0; pid != 0 && steps < 1000; ++steps) {
        if (pid == root)
            return true;
        const auto info = Node::instance()->info(pid);
        if (!info)
            return false;
        pid = info->supervisor;
    }
    return false;
}

} // namespace

ScenarioRunner::ScenarioRunner(const Scenario &scenario, QObject *parent)
    : QObject(parent)
    , m_scenario(scenario)
    , m_shared(std::make_shared<Shared>())
    , m_scriptTimer(this)
{
    for (const Scenario::ProcessSpec *n : m_scenario.nodes()) {
        if (n->kind == Process::Kind::Worker)
            m_shared->bootDelays.insert(n->id, n->bootDelayMs);
    }
    m_chaos = new ChaosMonkey(
        [this] {
            QList<ChaosMonkey::Candidate> out;
            for (const ProcessInfo &p : treeOf(m_root)) {
                if (p.state != ProcessInfo::State::Running)
                    continue;
                out.append({ p.pid, p.name, p.pid == m_root ? m_scenario.root().id : p.childId,
                             p.kind == QLatin1String("supervisor") });
            }
            return out;
        },
        this);
    const Scenario::Chaos &c = m_scenario.chaos();
    m_chaos->setRate(c.perSecond);
    m_chaos->setSeed(c.seed);
    m_chaos->setTargetFilter(QRegularExpression(c.targets));

    m_scriptTimer.setSingleShot(true);
    // Coarse timers may fire 5% early; a script says "at 1500 ms".
    m_scriptTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_scriptTimer, &QTimer::timeout, this, [this] {
        // A batch at a time, then back to the event loop: a script of many
        // actions due at once must not hold off the end of the run, the
        // window or the trace.
        constexpr int batch = 64;
        const QList<Scenario::Action> &script = m_scenario.script();
        for (int n = 0; n < batch && m_running && !isPaused() && m_nextAction < script.size()
             && script.at(m_nextAction).atMs <= elapsedMs();
             ++n) {
            runAction(script.at(m_nextAction++));
        }
        scheduleNextAction();
    });
}

ScenarioRunner::~ScenarioRunner()
{
    disconnect(m_traceConnection);
    if (m_root != 0) {
        // No event loop to wait on here: delete the tree's tables as their
        // owners (as stop() does, but now), then kill the tree at once.
        const QList<Pid> tree = treePids();
        for (const TableInfo &t : Table::all()) {
            const QPointer<Process> owner =
                tree.contains(t.owner) ? Node::instance()->process(t.owner) : nullptr;
            if (!owner || owner->thread() != thread())
                continue;
            ProcessScope scope(t.owner);
            try {
                Table::fromId(t.id).deleteTable();
            } catch (const Error &) {
                // Gone meanwhile: nothing to clean.
            }
        }
        // Then the tree, leaves first (a child starts after its supervisor,
        // so it has a higher pid). The root alone would take its children
        // down through the event loop, and they would still hold their names
        // when the next tree starts. Processes of other threads go with the
        // root, in their own threads.
        QList<Pid> leavesFirst = tree;
        std::sort(leavesFirst.begin(), leavesFirst.end(), std::greater<>());
        for (Pid pid : std::as_const(leavesFirst)) {
            const QPointer<Process> p = pid == m_root ? nullptr : Node::instance()->process(pid);
            if (!p || p->thread() != thread())
                continue;
            disconnect(p, nullptr, this, nullptr);
            delete p.data();
        }
        const QPointer<Process> root = Node::instance()->process(m_root);
        if (root) {
            disconnect(root, nullptr, this, nullptr);
            delete root.data();
        }
    }
}

Process *ScenarioRunner::startNode(const std::shared_ptr<Shared> &shared,
                                   const Scenario::ProcessSpec &node)
{
    using Kind = Process::Kind;
    switch (node.kind) {
    case Kind::Supervisor: {
        QList<ChildSpec> specs;
        for (const Scenario::ProcessSpec &c : node.children)
            specs.append(childSpec(shared, c));
        auto *sup = new Supervisor(node.flags, specs);
        if (!node.name.isEmpty()) {
            try {
                sup->registerName(node.name);
            } catch (...) {
                delete sup; // never started: nothing else knows it
                throw;
            }
        }
        sup->start(); // on failure it has stopped its children and exits
        return sup;
    }
    case Kind::Worker: {
        ScenarioWorker::Config config;
        config.name = node.name;
        int starts = 0;
        {
            QMutexLocker lock(&shared->mutex);
            config.bootDelayMs = shared->bootDelays.value(node.id, node.bootDelayMs);
            starts = ++shared->starts[node.id];
        }
        if (starts >= node.startOutcomeFrom) {
            using Outcome = Scenario::ProcessSpec::StartOutcome;
            switch (node.startOutcome) {
            case Outcome::Ok:
                break;
            case Outcome::Ignore:
                return nullptr;
            case Outcome::Error:
                throw Error(Error::Code::StartFailed,
                            QStringLiteral("%1 refuses to start (start: error)").arg(node.id),
                            Term::atom(u"start_refused"));
            case Outcome::Throw:
                throw std::runtime_error("the start function threw (start: throw)");
            }
        }
        config.trapExit = node.trapExit;
        config.ignoreShutdown = node.ignoreShutdown;
        config.workload = node.workload;
        config.paused = std::shared_ptr<const std::atomic<bool>>(shared, &shared->paused);
        return new ScenarioWorker(config);
    }
    case Kind::TableManager:
        return new TableManager(node.targetName, node.table, node.name);
    }
    return nullptr;
}

ChildSpec ScenarioRunner::childSpec(const std::shared_ptr<Shared> &shared,
                                    const Scenario::ProcessSpec &node)
{
    ChildSpec spec;
    spec.id = node.id;
    spec.restart = node.restart;
    spec.shutdown = node.shutdown;
    spec.type = node.kind == Process::Kind::Supervisor ? ChildSpec::Type::Supervisor
                                                       : ChildSpec::Type::Worker;
    // The supervisor keeps this function for restarts, possibly longer than
    // the runner lives: it holds its own share of the state, not the runner.
    spec.start = [shared, node]() -> Process * {
        return startNode(shared, node);
    };
    return spec;
}

void ScenarioRunner::start()
{
    if (m_running)
        throw Error(Error::Code::BadArg, QStringLiteral("The scenario is already running."));
    m_restarts = 0;
    m_tablesLost = 0;
    m_nextAction = 0;
    m_pausedTotalMs = 0;
    m_pausedAtMs = -1;
    m_shared->paused = false;
    // Listen before anything starts, so no restart or loss is missed.
    m_traceConnection = connect(Trace::instance(), &Trace::event, this,
                                [this](const TraceEvent &e) { onTrace(e); });
    Process *root = nullptr;
    try {
        root = startNode(m_shared, m_scenario.root());
    } catch (...) {
        disconnect(m_traceConnection);
        throw;
    }
    m_root = root->pid();
    m_running = true;
    m_clock.start();
    scheduleNextAction();
    if (m_scenario.chaos().enabled)
        m_chaos->setEnabled(true);
    qCDebug(lcRunner) << "started" << m_scenario.fileName() << "root" << m_root;
    Q_EMIT started();
}

void ScenarioRunner::stop()
{
    if (!m_running)
        return;
    m_chaos->setEnabled(false);
    m_scriptTimer.stop();
    // The tables belong to the scenario: delete them first, each by its
    // owner, so the next run starts clean instead of re-adopting old rows
    // (and none is reported lost when its orphan grace runs out later).
    const QList<Pid> tree = treePids();
    for (const TableInfo &t : Table::all()) {
        if (!tree.contains(t.owner))
            continue;
        const TableId id = t.id;
        Node::instance()->post(t.owner, [id](Process *) {
            if (const auto info = Table::infoOf(id); info && info->owner == Process::currentPid())
                Table::fromId(id).deleteTable();
        });
    }
    // Posted after the deletions, so it runs after them.
    if (!Node::instance()->shutdown(m_root, ExitReason::shutdown()))
        finish();
}

void ScenarioRunner::finish()
{
    if (!m_running)
        return;
    m_running = false;
    m_chaos->setEnabled(false);
    m_scriptTimer.stop();
    disconnect(m_traceConnection);
    qCDebug(lcRunner) << "stopped" << m_scenario.fileName();
    Q_EMIT stopped();
}

bool ScenarioRunner::isRunning() const
{
    return m_running;
}

void ScenarioRunner::setPaused(bool paused)
{
    if (isPaused() == paused)
        return;
    m_shared->paused = paused;
    m_chaos->setPaused(paused);
    if (m_clock.isValid()) {
        if (paused) {
            m_pausedAtMs = m_clock.elapsed();
            m_scriptTimer.stop();
        } else {
            if (m_pausedAtMs >= 0)
                m_pausedTotalMs += m_clock.elapsed() - m_pausedAtMs;
            m_pausedAtMs = -1;
            scheduleNextAction();
        }
    }
    Q_EMIT pausedChanged(paused);
}

qint64 ScenarioRunner::elapsedMs() const
{
    if (!m_clock.isValid())
        return 0;
    const qint64 now = m_clock.elapsed();
    const qint64 pausedNow = m_pausedAtMs >= 0 ? now - m_pausedAtMs : 0;
    return now - m_pausedTotalMs - pausedNow;
}

void ScenarioRunner::scheduleNextAction()
{
    const QList<Scenario::Action> &script = m_scenario.script();
    if (!m_running || isPaused() || m_nextAction >= script.size())
        return;
    const qint64 due = script.at(m_nextAction).atMs - elapsedMs();
    m_scriptTimer.start(int(qBound(qint64(0), due, qint64(std::numeric_limits<int>::max()))));
}

void ScenarioRunner::runAction(const Scenario::Action &action)
{
    bool done = false;
    using Type = Scenario::Action::Type;
    switch (action.type) {
    case Type::Kill:
        // `throw` was a kill reason before exit actions existed: it still throws.
        done = action.reason == Scenario::throwReason() ? exitBySelf(action.target, action.reason)
                                                        : kill(action.target, action.reason);
        break;
    case Type::Exit:
        done = exitBySelf(action.target, action.reason);
        break;
    case Type::StartChild:
        done = startChild(action.target);
        break;
    case Type::Restart:
        done = restartChild(action.target);
        break;
    case Type::Terminate:
        done = action.index >= 0 ? terminateDynamicChild(action.target, action.index)
                                 : terminateChild(action.target);
        break;
    case Type::Delete:
        done = deleteChild(action.target);
        break;
    }
    const QString text = action.describe()
        + (done ? QString() : QStringLiteral(": nothing to act on (not running)"));
    qCDebug(lcRunner) << "script:" << text;
    Q_EMIT scriptActionDone(text);
}

void ScenarioRunner::onTrace(const TraceEvent &e)
{
    // The run is over once the root and everything under it are gone, so
    // every death and table move of the tree is in the trace before stopped().
    if (e.type == TraceEvent::Type::SubtreeDown && e.pid == m_root) {
        finish();
        return;
    }
    if (e.type == TraceEvent::Type::ChildRestarted && wasInTree(e.supervisor, m_root))
        ++m_restarts;
    else if (e.type == TraceEvent::Type::TableLost && (e.from == 0 || wasInTree(e.from, m_root)))
        ++m_tablesLost;
}

Pid ScenarioRunner::resolve(const QString &nameOrChildId) const
{
    if (nameOrChildId.isEmpty())
        return 0;
    if (const Pid pid = Registry::instance()->whereis(nameOrChildId); pid != 0)
        return pid;
    if (!m_running)
        return 0;
    if (nameOrChildId == m_scenario.root().id)
        return Node::instance()->isAlive(m_root) ? m_root : 0;
    for (const ProcessInfo &p : treeOf(m_root)) {
        if (p.childId == nameOrChildId && p.state == ProcessInfo::State::Running)
            return p.pid;
    }
    return 0;
}

QList<Pid> ScenarioRunner::treePids() const
{
    QList<Pid> out;
    for (const ProcessInfo &p : treeOf(m_root))
        out.append(p.pid);
    return out;
}

void ScenarioRunner::setBootDelay(const QString &workerNameOrId, int ms)
{
    const Scenario::ProcessSpec *n = m_scenario.find(workerNameOrId);
    if (!n || n->kind != Process::Kind::Worker) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("\"%1\" is not a worker of this scenario; only workers have a "
                                   "boot delay.")
                        .arg(workerNameOrId));
    }
    if (ms < 0 || ms > Scenario::maxBootDelayMs) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("Boot delay %1 ms: expected 0 to %2 ms.")
                        .arg(ms)
                        .arg(Scenario::maxBootDelayMs));
    }
    QMutexLocker lock(&m_shared->mutex);
    m_shared->bootDelays.insert(n->id, ms);
}

int ScenarioRunner::bootDelay(const QString &workerNameOrId) const
{
    const Scenario::ProcessSpec *n = m_scenario.find(workerNameOrId);
    if (!n || n->kind != Process::Kind::Worker)
        return -1;
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->bootDelays.value(n->id, n->bootDelayMs);
}

ScenarioRunner::Stats ScenarioRunner::stats() const
{
    Stats s;
    for (const ProcessInfo &p : treeOf(m_root)) {
        if (p.state == ProcessInfo::State::Running)
            ++s.processes;
    }
    s.restarts = m_restarts;
    s.tablesLost = m_tablesLost;
    for (const TableInfo &t : Table::all()) {
        ++s.tables;
        s.rows += t.size;
        if (t.orphaned)
            ++s.tablesOrphaned;
    }
    return s;
}

bool ScenarioRunner::kill(const QString &nameOrId, const Term &reason)
{
    const Pid pid = resolve(nameOrId);
    if (pid == 0)
        return false;
    return Node::instance()->exit(pid, reason);
}

bool ScenarioRunner::exitBySelf(const QString &nameOrId, const Term &reason)
{
    const Pid pid = resolve(nameOrId);
    if (pid == 0)
        return false;
    if (reason == Scenario::throwReason()) {
        return Node::instance()->post(
            pid, [](Process *) { throw std::runtime_error("thrown from the GUI"); });
    }
    return Node::instance()->post(pid, [reason](Process *p) { p->exit(reason); });
}

std::pair<Pid, QString> ScenarioRunner::supervisorOf(const QString &nameOrId) const
{
    const Scenario::ProcessSpec *n = m_scenario.find(nameOrId);
    if (!n) {
        // A registered name outside the scenario's own names: ask the node.
        const Pid pid = resolve(nameOrId);
        const auto info = pid ? Node::instance()->info(pid) : std::nullopt;
        if (info && info->supervisor != 0)
            return { info->supervisor, info->childId };
        return { 0, QString() };
    }
    const Scenario::ProcessSpec *parent = m_scenario.parentOf(n);
    if (!parent)
        return { 0, QString() };
    const Pid sup = parent == &m_scenario.root() ? (m_running ? m_root : 0) : resolve(parent->id);
    return { Node::instance()->isAlive(sup) ? sup : 0, n->id };
}

namespace {
// Runs a supervisor call in the supervisor's own thread. A refusal (an OTP
// error such as running or not_found) is logged, not a crash of the supervisor.
bool askSupervisor(Pid sup, const QString &call, std::function<void(Supervisor *)> fn)
{
    return Node::instance()->post(sup, [call, fn = std::move(fn)](Process *p) {
        auto *supervisor = qobject_cast<Supervisor *>(p);
        if (!supervisor)
            return;
        try {
            fn(supervisor);
        } catch (const Error &e) {
            qCWarning(lcRunner) << call << "refused:" << e.message();
        }
    });
}
} // namespace

bool ScenarioRunner::askChildSupervisor(const QString &nameOrId, const char *call,
                                        void (*fn)(Supervisor *, const QString &))
{
    const auto [sup, id] = supervisorOf(nameOrId);
    if (sup == 0)
        return false;
    return askSupervisor(sup, QLatin1String(call) + QLatin1Char(' ') + id,
                         [fn, id = id](Supervisor *s) { fn(s, id); });
}

bool ScenarioRunner::restartChild(const QString &nameOrId)
{
    const auto [sup, id] = supervisorOf(nameOrId);
    if (sup == 0 || resolve(id) != 0) // OTP: {error, running}
        return false;
    return askSupervisor(sup, QStringLiteral("restart_child ") + id,
                         [id = id](Supervisor *s) { s->restartChild(id); });
}

bool ScenarioRunner::terminateChild(const QString &nameOrId)
{
    return askChildSupervisor(nameOrId, "terminate_child",
                              [](Supervisor *s, const QString &id) { s->terminateChild(id); });
}

bool ScenarioRunner::deleteChild(const QString &nameOrId)
{
    return askChildSupervisor(nameOrId, "delete_child",
                              [](Supervisor *s, const QString &id) { s->deleteChild(id); });
}

bool ScenarioRunner::startChild(const QString &supervisorNameOrId)
{
    const Pid sup = resolve(supervisorNameOrId);
    if (sup == 0)
        return false;
    return askSupervisor(sup, QStringLiteral("start_child ") + supervisorNameOrId,
                         [](Supervisor *s) { s->startChild(); });
}

bool ScenarioRunner::terminateDynamicChild(const QString &templateId, int index)
{
    const auto [sup, id] = supervisorOf(templateId);
    if (sup == 0)
        return false;
    return askSupervisor(
        sup, QStringLiteral("terminate_child %1 #%2").arg(id).arg(index), [index](Supervisor *s) {
            int seen = 0;
            for (const Supervisor::ChildInfo &c : s->whichChildren()) {
                if (c.pid != 0 && seen++ == index) {
                    s->terminateChild(c.pid);
                    return;
                }
            }
            throw Error(Error::Code::NotFound,
                        QStringLiteral("it has only %1 running children").arg(seen));
        });
}

} // namespace immortal
