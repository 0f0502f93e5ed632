#include <immortal/node.h>

#include "postedcall.h"
#include "tablestore.h"
#include "testclock.h"

#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/trace.h>

#include <QCoreApplication>
#include <QMutexLocker>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>

namespace immortal {

namespace {
std::atomic<Pid> s_nextPid { 1 }; // shared by every node: a pid names one process ever
std::atomic<Node *> s_current { nullptr };
} // namespace

Node::Node()
    : m_trace(new Trace(this))
    , m_registry(new Registry(this))
    , m_tables(new TableStore(m_registry, this))
{
    qRegisterMetaType<Pid>("immortal::Pid");
    m_previous = s_current.exchange(this, std::memory_order_acq_rel);
}

Node::~Node()
{
    QList<QPointer<Process>> here;
    {
        QMutexLocker lock(&m_mutex);
        QList<Pid> pids = m_live.keys();
        std::sort(pids.begin(), pids.end(), std::greater<>());
        for (Pid pid : std::as_const(pids)) {
            const Entry &entry = m_live[pid];
            if (entry.object && entry.object->thread() == QThread::currentThread())
                here.append(entry.object);
        }
    }
    // Deleted while this node is still current: each death runs here, as a kill.
    for (const QPointer<Process> &p : std::as_const(here))
        delete p.data();
    {
        QMutexLocker lock(&m_mutex);
        if (!m_live.isEmpty())
            qWarning("immortal::Node destroyed with %d processes still alive on other threads",
                     int(m_live.size()));
    }
    s_current.store(m_previous, std::memory_order_release);
}

Node *Node::instance()
{
    if (Node *current = s_current.load(std::memory_order_acquire))
        return current;
    // The process-wide node, deliberately never destroyed: processes may die
    // during static destruction and must still find the directory, its
    // names, tables and trace.
    static Node *node = [] {
        auto *n = new Node;
        if (auto *app = QCoreApplication::instance())
            n->moveToThread(app->thread());
        return n;
    }();
    return node;
}

qint64 Node::nowNs() noexcept
{
    if (const detail::ClockFunction clock = detail::testClock())
        return clock();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString Node::pidText(Pid pid)
{
    return QStringLiteral("<0.%1.0>").arg(pid);
}

Pid Node::add(Process *p)
{
    const Pid pid = s_nextPid.fetch_add(1, std::memory_order_relaxed);
    ProcessInfo info;
    info.pid = pid;
    info.kind = QString::fromLatin1(Process::kindName(p->kind()));
    info.className = info.kind;
    info.startedNs = nowNs();
    {
        QMutexLocker lock(&m_mutex);
        m_live.insert(pid, Entry { p, info });
    }
    TraceEvent e;
    e.type = TraceEvent::Type::ProcessStarted;
    e.pid = pid;
    e.kind = info.kind;
    Trace::instance()->record(std::move(e));
    return pid;
}

void Node::markExiting(Pid pid, const Term &reason)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_live.find(pid);
    if (it == m_live.end() || it->info.state != ProcessInfo::State::Running)
        return;
    it->info.state = ProcessInfo::State::Exiting;
    it->info.exitReason = reason;
}

void Node::detach(Pid pid)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_live.find(pid);
    if (it != m_live.end())
        it->object = nullptr;
}

void Node::died(Pid pid)
{
    ProcessInfo info;
    QList<Pid> orphans; // the children it supervised, still alive
    bool dyingBelow = false; // waits for them, or for subtrees below it
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_live.find(pid);
        if (it == m_live.end())
            return;
        info = it->info;
        m_live.erase(it);
        if (info.state == ProcessInfo::State::Running)
            info.exitReason = ExitReason::killed(); // deleted without exit()
        info.state = ProcessInfo::State::Dead;
        info.exitedNs = nowNs();
        m_dead.insert(pid, info);
        m_deadOrder.push_back(pid);
        while (m_deadOrder.size() > size_t(deadHistory)) {
            m_dead.remove(m_deadOrder.front());
            m_deadOrder.pop_front();
        }
        for (Pid child : m_children.take(pid)) {
            if (m_live.contains(child))
                orphans.append(child);
        }
        // Children that died before it but whose own subtrees are still
        // going down count too: their subtreeDown() reports to it.
        const int stillDying =
            int(std::count_if(m_dying.cbegin(), m_dying.cend(),
                              [pid](const DyingSubtree &d) { return d.supervisor == pid; }));
        dyingBelow = !orphans.isEmpty() || stillDying > 0;
        if (dyingBelow)
            m_dying.insert(pid,
                           DyingSubtree { info.exitReason, info.supervisor,
                                          int(orphans.size()) + stillDying });
        if (auto c = m_children.find(info.supervisor); c != m_children.end()) {
            c->remove(pid);
            if (c->isEmpty())
                m_children.erase(c);
        }
    }

    // Exited first, then its name goes, then its tables move: an observer
    // reading the trace in order sees cause before effect.
    TraceEvent e;
    e.type = TraceEvent::Type::ProcessExited;
    e.pid = pid;
    e.name = Registry::instance()->nameOf(pid);
    e.kind = info.kind;
    e.reason = info.exitReason;
    e.supervisor = info.supervisor;
    e.childId = info.childId;
    Trace::instance()->record(std::move(e));

    Registry::instance()->processDied(pid);
    TableStore::instance()->ownerDied(pid, info.exitReason);

    const bool supervisor = info.kind == QLatin1String("supervisor");
    if (orphans.isEmpty() && !dyingBelow) {
        subtreeDown(pid, info.exitReason, info.supervisor, supervisor);
        return;
    }
    // A supervisor's children are linked to it: they go with it, whatever
    // they trap, newest first, and its monitors hear of it once they are all
    // gone (subtreeDown), so a restart finds their names free.
    std::sort(orphans.begin(), orphans.end(), std::greater<>());
    const Term reason = info.exitReason;
    for (Pid child : std::as_const(orphans)) {
        post(child, [pid, reason](Process *p) { p->receiveExitSignal(pid, reason, true); });
    }
}

void Node::subtreeDown(Pid pid, const Term &reason, Pid supervisor, bool isSupervisor)
{
    if (isSupervisor) {
        TraceEvent e;
        e.type = TraceEvent::Type::SubtreeDown;
        e.pid = pid;
        e.reason = reason;
        e.supervisor = supervisor;
        Trace::instance()->record(std::move(e));
    }
    QList<Monitor> monitors;
    DyingSubtree parent;
    bool parentDown = false;
    {
        QMutexLocker lock(&m_mutex);
        // Its entry goes in the same step as it reports to its supervisor, so
        // a supervisor dying meanwhile either counts it or is told.
        m_dying.remove(pid);
        monitors = m_monitors.take(pid);
        for (const Monitor &m : std::as_const(monitors))
            m_monitorTargets.remove(m.ref);
        if (auto it = m_dying.find(supervisor); it != m_dying.end() && --it->remaining == 0) {
            parent = *it;
            parentDown = true;
        }
    }
    for (const Monitor &m : std::as_const(monitors)) {
        post(m.watcher, [onDown = m.onDown, pid, reason](Process *) { onDown(pid, reason); });
    }
    if (parentDown)
        subtreeDown(supervisor, parent.reason, parent.supervisor, true);
}

Node::MonitorRef Node::monitor(Pid watcher, Pid target,
                               std::function<void(Pid, const Term &)> onDown)
{
    MonitorRef ref;
    {
        QMutexLocker lock(&m_mutex);
        ref = m_nextMonitor++;
        if (m_live.contains(target) || m_dying.contains(target)) {
            m_monitors[target].append(Monitor { ref, watcher, std::move(onDown) });
            m_monitorTargets.insert(ref, target);
            return ref;
        }
    }
    static const Term noproc = Term::atom(u"noproc");
    post(watcher, [onDown = std::move(onDown), target](Process *) { onDown(target, noproc); });
    return ref;
}

void Node::demonitor(MonitorRef ref)
{
    QMutexLocker lock(&m_mutex);
    const Pid target = m_monitorTargets.take(ref);
    auto it = m_monitors.find(target);
    if (it == m_monitors.end())
        return;
    it->removeIf([ref](const Monitor &m) { return m.ref == ref; });
    if (it->isEmpty())
        m_monitors.erase(it);
}

bool Node::isAlive(Pid pid) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_live.constFind(pid);
    return it != m_live.cend() && it->object && it->info.state == ProcessInfo::State::Running;
}

std::optional<ProcessInfo> Node::info(Pid pid) const
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_live.constFind(pid); it != m_live.cend()) {
        ProcessInfo info = it->info;
        lock.unlock();
        info.name = Registry::instance()->nameOf(pid);
        return info;
    }
    if (auto it = m_dead.constFind(pid); it != m_dead.cend())
        return *it;
    return std::nullopt;
}

QList<ProcessInfo> Node::processes() const
{
    QList<ProcessInfo> result;
    {
        QMutexLocker lock(&m_mutex);
        result.reserve(m_live.size());
        for (const Entry &e : m_live)
            result.append(e.info);
    }
    const auto names = Registry::instance()->names();
    for (ProcessInfo &info : result)
        info.name = names.key(info.pid);
    std::sort(result.begin(), result.end(),
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    return result;
}

QPointer<Process> Node::process(Pid pid) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_live.constFind(pid);
    return it != m_live.cend() ? QPointer<Process>(it->object) : QPointer<Process>();
}

bool Node::post(Pid pid, std::function<void(Process *)> fn)
{
    // Posting under the lock: ~Process detaches under the same lock, so the
    // object cannot be freed between the lookup and the post. Events posted
    // to it later are discarded by ~QObject.
    QMutexLocker lock(&m_mutex);
    auto it = m_live.constFind(pid);
    if (it == m_live.cend() || !it->object)
        return false;
    Process *p = it->object;
    PostedCall::post(p, [p, fn = std::move(fn)] { fn(p); });
    return true;
}

bool Node::event(QEvent *e)
{
    PostedCall::received(this);
    if (e->type() == PostedCall::eventType()) {
        static_cast<PostedCall *>(e)->run();
        return true;
    }
    return QObject::event(e);
}

bool Node::exit(Pid pid, const Term &reason)
{
    const Pid from = ProcessScope::current();
    return post(pid, [from, reason](Process *p) { p->receiveExitSignal(from, reason); });
}

bool Node::shutdown(Pid pid, const Term &reason)
{
    return post(pid, [reason](Process *p) { p->shutdown(reason); });
}

void Node::setSupervisor(Pid pid, Pid supervisor, const QString &childId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_live.find(pid);
    if (it == m_live.end())
        return;
    if (it->info.supervisor != supervisor) {
        if (auto c = m_children.find(it->info.supervisor); c != m_children.end())
            c->remove(pid);
        if (supervisor)
            m_children[supervisor].insert(pid);
    }
    it->info.supervisor = supervisor;
    it->info.childId = childId;
    if (it->object)
        it->info.className = QString::fromLatin1(it->object->metaObject()->className());
}

} // namespace immortal
