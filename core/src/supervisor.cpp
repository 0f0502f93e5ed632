#include <immortal/supervisor.h>

#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/node.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/trace.h>
#include <immortal/traceevent.h>

#include <QHash>
#include <QMetaObject>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <optional>
#include <utility>

namespace immortal {

namespace {

QString quoted(const QString &id)
{
    return QLatin1Char('"') + id + QLatin1Char('"');
}

} // namespace

struct Supervisor::Private
{
    struct Child
    {
        ChildSpec spec;
        // OTP keeps one field for this, #child.pid: undefined | restarting | pid().
        enum class Status { Undefined, Restarting, Running };
        Status status = Status::Undefined;
        Pid pid = 0; // the running process, 0 unless Running
        Pid lastPid = 0; // the pid of its previous life, for ChildRestarted
        bool everStarted = false;
        bool stopping = false; // we asked it to stop: its death is no crash
        bool removed = false; // gone from the list; stale handles ignore it
        QTimer *killTimer = nullptr; // the shutdown timeout, while stopping

        bool running() const { return status == Status::Running; }
        bool restarting() const { return status == Status::Restarting; }
        void setRunning(Pid p)
        {
            status = Status::Running;
            pid = p;
        }
        void setRestarting() // a restart is under way or queued for retry
        {
            status = Status::Restarting;
            pid = 0;
        }
        void setUndefined() // down, and staying down until asked
        {
            status = Status::Undefined;
            pid = 0;
        }
    };
    using ChildPtr = std::shared_ptr<Child>;

    enum class StartResult { Started, Ignored, Failed };

    // A stop sequence: children stopped one after the other (each once the
    // previous one is gone), then `done`. One runs at a time.
    struct Sequence
    {
        bool active = false;
        bool final = false; // ends in the supervisor's own exit
        std::deque<Pid> pending;
        Pid waiting = 0;
        std::function<void()> done;
    };

    // A death or a retry that arrived while a sequence ran; handled after it,
    // as OTP handles the messages left in its mailbox.
    struct Deferred
    {
        ChildPtr child;
        Pid pid = 0; // 0 for a start retry
        Term reason;
    };

    explicit Private(Supervisor *q)
        : q(q)
    { }

    Supervisor *const q;
    ChildSpec templateSpec; // simple_one_for_one only
    QList<ChildPtr> children; // in start order
    QHash<Pid, ChildPtr> byPid; // the running ones
    std::deque<qint64> restarts; // steady-clock times of recent restarts
    Sequence seq;
    QList<Deferred> deferred;
    bool started = false;
    bool shuttingDown = false;
    Term exitReason;

    bool simple() const { return q->m_flags.strategy == Strategy::SimpleOneForOne; }

    ChildPtr find(const QString &id) const
    {
        for (const ChildPtr &c : children) {
            if (c->spec.id == id)
                return c;
        }
        return {};
    }

    // find(), or OTP's {error, not_found}.
    ChildPtr get(const QString &id) const
    {
        if (ChildPtr c = find(id))
            return c;
        throw Error(Error::Code::NotFound, QStringLiteral("No child with id %1.").arg(quoted(id)));
    }

    void remove(const ChildPtr &c)
    {
        c->removed = true;
        children.removeOne(c);
    }

    void trace(TraceEvent::Type type, const QString &childId, Pid pid, const Term &reason = {},
               Pid from = 0, const QString &kind = {})
    {
        TraceEvent e;
        e.type = type;
        e.supervisor = q->pid();
        e.childId = childId;
        e.pid = pid;
        e.reason = reason;
        e.from = from;
        e.kind = kind;
        Trace::instance()->record(e);
    }

    // OTP's `ignore`, the same wherever a start happens: the child is not
    // running; a temporary or dynamic child is forgotten, any other keeps its
    // spec (undefined, until restart_child).
    void ignored(const ChildPtr &c)
    {
        c->setUndefined();
        if (c->spec.restart == ChildSpec::Restart::Temporary || simple())
            remove(c);
    }

    // The one start routine: runs the start function as the supervisor and
    // records the outcome. `ignore` is handled here (ignored()); what a
    // failure means depends on who asked, so the caller decides.
    StartResult doStart(const ChildPtr &c, Term *failure)
    {
        Process *p = nullptr;
        bool failed = false;
        try {
            // The start function acts for the supervisor, wherever it is called from.
            ProcessScope scope(q->pid());
            if (!c->spec.start)
                throw Error(Error::Code::BadArg,
                            QStringLiteral("The child has no start function."));
            p = c->spec.start();
        } catch (...) {
            failed = true;
            *failure = ExitReason::fromException(std::current_exception());
        }
        if (failed) {
            trace(TraceEvent::Type::ChildStartFailed, c->spec.id, 0, *failure);
            return StartResult::Failed;
        }
        if (!p) {
            ignored(c);
            return StartResult::Ignored;
        }

        const Pid pid = p->pid();
        Node *node = Node::instance();
        node->setSupervisor(pid, q->pid(), c->spec.id);
        // Down arrives as a posted call, never inside the child's destructor,
        // and for a child supervisor only once its own subtree is gone.
        node->monitor(q->pid(), pid,
                      [this](Pid dead, const Term &reason) { childDied(dead, reason); });
        const Pid old = c->lastPid;
        const bool restart = c->everStarted;
        c->setRunning(pid);
        c->everStarted = true;
        byPid.insert(pid, c);
        if (restart && simple()) {
            // Dynamic children are listed, and stopped, by start order.
            children.removeOne(c);
            children.append(c);
        }
        if (restart)
            trace(TraceEvent::Type::ChildRestarted, c->spec.id, pid, {}, old,
                  QLatin1String(Process::kindName(p->kind())));
        else
            trace(TraceEvent::Type::ChildStarted, c->spec.id, pid, {}, 0,
                  QLatin1String(Process::kindName(p->kind())));
        const QString id = c->spec.id;
        emit q->childStarted(id, pid);
        if (restart)
            emit q->childRestarted(id, old, pid);
        return StartResult::Started;
    }

    // start_child/2: a new child, listed before its childStarted() is emitted.
    // Its pid, or 0 for `ignore`; a failed start leaves no child behind (OTP).
    Pid startNew(const ChildSpec &spec)
    {
        auto c = std::make_shared<Child>();
        c->spec = spec;
        children.append(c);
        Term failure;
        if (doStart(c, &failure) == StartResult::Failed) {
            remove(c);
            throw startFailed(spec.id, failure);
        }
        return c->pid;
    }

    // Asks a running child to stop, per its shutdown; its death arrives in childDied().
    void stopChild(const ChildPtr &c)
    {
        if (!c->running() || c->stopping)
            return;
        c->stopping = true;
        const Pid pid = c->pid;
        Node *node = Node::instance();
        ProcessScope scope(q->pid()); // the signals come from the supervisor
        if (c->spec.shutdown == ChildSpec::BrutalKill) {
            node->exit(pid, ExitReason::kill());
            return;
        }
        node->shutdown(pid, ExitReason::shutdown());
        if (c->spec.shutdown >= 0) {
            c->killTimer = new QTimer(q);
            c->killTimer->setSingleShot(true);
            QObject::connect(c->killTimer, &QTimer::timeout, q,
                             q->guard([pid] { Node::instance()->exit(pid, ExitReason::kill()); }));
            c->killTimer->start(c->spec.shutdown);
        }
    }

    void childDied(Pid pid, const Term &reason)
    {
        const ChildPtr c = byPid.take(pid);
        if (!c)
            return;
        delete c->killTimer;
        c->killTimer = nullptr;
        c->setUndefined();
        c->lastPid = pid;
        const bool stopped = std::exchange(c->stopping, false);
        const bool temporary = c->spec.restart == ChildSpec::Restart::Temporary;
        const QString id = c->spec.id;

        emit q->childExited(id, pid, reason);
        const auto pending = std::find(seq.pending.begin(), seq.pending.end(), pid);
        if (stopped) {
            trace(TraceEvent::Type::ChildTerminated, id, pid, reason);
            if (temporary || simple())
                remove(c);
            emit q->childTerminated(id, pid);
        } else if (seq.active && pending != seq.pending.end()) {
            // It died on its own while waiting its turn to be stopped: as good as stopped.
            seq.pending.erase(pending);
            notRestarted(c, pid, Term::atom(u"stopping"));
            if (temporary || simple())
                remove(c);
        } else if (shuttingDown) {
            notRestarted(c, pid, ExitReason::shutdown());
        } else if (seq.active) {
            deferred.append({ c, pid, reason });
        } else {
            handleExit(c, reason);
        }
        if (seq.active && seq.waiting == pid) {
            seq.waiting = 0;
            stepSequence();
        }
    }

    void handleExit(const ChildPtr &c, const Term &reason)
    {
        switch (c->spec.restart) {
        case ChildSpec::Restart::Temporary:
            notRestarted(c, c->lastPid, Term::atom(u"temporary"));
            remove(c);
            return;
        case ChildSpec::Restart::Transient:
            if (ExitReason::isOrderly(reason)) {
                notRestarted(c, c->lastPid, Term::atom(u"transient"));
                if (simple())
                    remove(c);
                return;
            }
            break;
        case ChildSpec::Restart::Permanent:
            break;
        }
        restart(c);
    }

    // Says, in the trace, that a dead child stays down and why, so an
    // observer never has to guess from which_children.
    void notRestarted(const ChildPtr &c, Pid pid, const Term &why)
    {
        trace(TraceEvent::Type::ChildNotRestarted, c->spec.id, pid, why);
    }

    // OTP's add_restart/can_restart: at most `intensity` restarts in any period.
    bool addRestart()
    {
        const qint64 now = Node::nowNs();
        const qint64 window = qint64(q->m_flags.periodMs) * 1000000;
        restarts.push_back(now);
        while (!restarts.empty() && now - restarts.front() > window)
            restarts.pop_front();
        return qsizetype(restarts.size()) <= q->m_flags.intensity;
    }

    void restart(const ChildPtr &c)
    {
        if (!addRestart()) {
            escalate(c);
            return;
        }
        c->setRestarting();
        switch (q->m_flags.strategy) {
        case Strategy::OneForOne:
        case Strategy::SimpleOneForOne:
            restartInOrder({ c });
            break;
        case Strategy::OneForAll:
            runSequence(runningReversed(0), false, [this] { restartInOrder(children); });
            break;
        case Strategy::RestForOne: {
            const qsizetype at = children.indexOf(c);
            if (at < 0)
                return;
            runSequence(runningReversed(at + 1), false, [this, c] {
                const qsizetype from = children.indexOf(c);
                if (from >= 0)
                    restartInOrder(children.mid(from));
            });
            break;
        }
        }
    }

    // Starts the ones in `list` that are not running, in order, and stops at
    // the first that fails: the one walk for booting and for restarting.
    std::optional<std::pair<ChildPtr, Term>> startInOrder(const QList<ChildPtr> list)
    {
        for (const ChildPtr &c : list) {
            if (c->removed || c->running() || shuttingDown)
                continue;
            Term failure;
            if (doStart(c, &failure) == StartResult::Failed)
                return std::make_pair(c, failure);
        }
        return std::nullopt;
    }

    // A restart that failed counts as a restart and is tried again later
    // (OTP's try_again_restart), until the intensity gives out.
    void restartInOrder(const QList<ChildPtr> &list)
    {
        if (const auto failed = startInOrder(list)) {
            failed->first->setRestarting();
            scheduleRetry(failed->first);
        }
    }

    static Error startFailed(const QString &id, const Term &failure)
    {
        return Error(
            Error::Code::StartFailed,
            QStringLiteral("Child %1 failed to start: %2").arg(quoted(id), failure.format()),
            failure);
    }

    void scheduleRetry(const ChildPtr &c)
    {
        std::weak_ptr<Child> weak = c;
        QMetaObject::invokeMethod(
            q, [this, weak] { tryAgain(weak.lock()); }, Qt::QueuedConnection);
    }

    void tryAgain(const ChildPtr &c)
    {
        if (!c || c->removed || !c->restarting() || shuttingDown)
            return;
        if (seq.active) {
            deferred.append({ c, 0, {} });
            return;
        }
        restart(c);
    }

    void escalate(const ChildPtr &offender)
    {
        const Term reason = Term::atom(u"reached_max_restart_intensity");
        TraceEvent e;
        e.type = TraceEvent::Type::SupervisorEscalated;
        e.pid = q->pid();
        e.childId = offender->spec.id;
        e.reason = reason;
        Trace::instance()->record(e);
        emit q->escalated(reason);
        notRestarted(offender, offender->lastPid, reason);
        beginShutdown(ExitReason::shutdown());
    }

    // The running children from index `from` on, last started first.
    std::deque<Pid> runningReversed(qsizetype from) const
    {
        std::deque<Pid> pids;
        for (qsizetype i = children.size() - 1; i >= from; --i) {
            if (children.at(i)->running())
                pids.push_back(children.at(i)->pid);
        }
        return pids;
    }

    void runSequence(std::deque<Pid> pids, bool final, std::function<void()> done)
    {
        seq.active = true;
        seq.final = final;
        seq.pending = std::move(pids);
        seq.waiting = 0;
        seq.done = std::move(done);
        stepSequence();
    }

    void stepSequence()
    {
        while (!seq.pending.empty()) {
            const Pid pid = seq.pending.front();
            seq.pending.pop_front();
            const ChildPtr c = byPid.value(pid);
            if (!c)
                continue;
            seq.waiting = pid;
            stopChild(c); // no-op if terminateChild already asked it
            return;
        }
        finishSequence();
    }

    void finishSequence()
    {
        const bool wasFinal = seq.final;
        std::function<void()> done = std::move(seq.done);
        seq = Sequence();
        if (shuttingDown && !wasFinal) {
            // A shutdown came in meanwhile: stop whatever runs now instead.
            runFinalSequence();
            return;
        }
        if (done)
            done();
        processDeferred();
    }

    void processDeferred()
    {
        while (!seq.active && !shuttingDown && !deferred.isEmpty()) {
            const Deferred d = deferred.takeFirst();
            const ChildPtr &c = d.child;
            if (c->removed || c->running())
                continue;
            if (d.pid == 0) {
                tryAgain(c);
            } else if (c->lastPid == d.pid && !c->restarting()) {
                handleExit(c, d.reason);
            }
        }
    }

    void beginShutdown(const Term &reason)
    {
        if (shuttingDown)
            return; // the first reason wins
        shuttingDown = true;
        exitReason = reason;
        // Deaths not yet handled and restarts not yet done will not happen now.
        for (const Deferred &d : std::as_const(deferred)) {
            if (d.pid != 0)
                notRestarted(d.child, d.pid, ExitReason::shutdown());
        }
        deferred.clear();
        for (const ChildPtr &c : std::as_const(children)) {
            if (c->restarting()) {
                notRestarted(c, c->lastPid, ExitReason::shutdown());
                c->setUndefined();
            }
        }
        if (!seq.active)
            runFinalSequence();
    }

    void runFinalSequence()
    {
        std::deque<Pid> pids;
        for (qsizetype i = children.size() - 1; i >= 0; --i) {
            if (children.at(i)->running())
                pids.push_back(children.at(i)->pid);
        }
        // Children outside the list (none today) would still be in byPid.
        runSequence(std::move(pids), true, [this] { q->exit(exitReason); });
    }

    void checkUsable(const char *what) const
    {
        if (shuttingDown)
            throw Error(Error::Code::NoProc,
                        QStringLiteral("The supervisor is shutting down, so %1 is not possible.")
                            .arg(QLatin1String(what)));
    }

    void checkNotSimple(const char *what) const
    {
        if (simple())
            throw Error(Error::Code::BadArg,
                        QStringLiteral("A simple_one_for_one supervisor has no child ids: "
                                       "%1 is not available, terminate its children by pid.")
                            .arg(QLatin1String(what)));
    }

    static void validate(const ChildSpec &spec)
    {
        if (spec.id.isEmpty())
            throw Error(Error::Code::BadArg, QStringLiteral("A child spec needs a non-empty id."));
        if (!spec.start)
            throw Error(
                Error::Code::BadArg,
                QStringLiteral("Child spec %1 has no start function.").arg(quoted(spec.id)));
        if (spec.shutdown < 0 && spec.shutdown != ChildSpec::BrutalKill
            && spec.shutdown != ChildSpec::Infinity)
            throw Error(
                Error::Code::BadArg,
                QStringLiteral("Child spec %1 has an invalid shutdown: use a timeout in ms, "
                               "BrutalKill or Infinity.")
                    .arg(quoted(spec.id)));
    }
};

Supervisor::Supervisor(const Flags &flags, const QList<ChildSpec> &children, QObject *parent)
    : Process(Kind::Supervisor, parent)
    , d(std::make_unique<Private>(this))
    , m_flags(flags)
{
    setTrapExit(true); // as in OTP: its children's and its parent's exits are messages
    if (flags.intensity < 0 || flags.periodMs <= 0)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("Restart intensity must be >= 0 and the period > 0 ms."));
    QSet<QString> ids;
    for (const ChildSpec &spec : children) {
        Private::validate(spec);
        if (ids.contains(spec.id))
            throw Error(Error::Code::BadArg,
                        QStringLiteral("Two child specs share the id %1.").arg(quoted(spec.id)));
        ids.insert(spec.id);
    }
    if (flags.strategy == Strategy::SimpleOneForOne) {
        if (children.size() != 1)
            throw Error(Error::Code::BadArg,
                        QStringLiteral("A simple_one_for_one supervisor needs exactly one child "
                                       "spec, its template."));
        d->templateSpec = children.first();
    } else {
        for (const ChildSpec &spec : children) {
            auto c = std::make_shared<Private::Child>();
            c->spec = spec;
            d->children.append(c);
        }
    }
}

// Deleted outright (killed): the Node takes the children down with it.
Supervisor::~Supervisor() = default;

void Supervisor::start()
{
    if (d->started)
        throw Error(Error::Code::BadArg, QStringLiteral("The supervisor was already started."));
    d->checkUsable("start");
    d->started = true;
    if (const auto failed = d->startInOrder(d->children)) {
        // OTP: the supervisor stops what it started and exits with
        // {shutdown, {failed_to_start_child, Id, Reason}}; start_link returns it.
        const auto &[c, failure] = *failed;
        const Term reason = ExitReason::shutdown(
            Term::tuple({ Term::atom(u"failed_to_start_child"), Term::atom(c->spec.id), failure }));
        d->beginShutdown(reason);
        // OTP 25's gen_server unregisters the name before start_link returns,
        // so a parent that retries the start at once finds it free; the
        // process itself exits once its started children have stopped.
        if (const QString name = this->name(); !name.isEmpty())
            Registry::instance()->unregisterName(name);
        throw Error(Error::Code::StartFailed,
                    QStringLiteral("The supervisor could not start child %1: %2")
                        .arg(quoted(c->spec.id), failure.format()),
                    reason);
    }
}

const char *Supervisor::strategyName(Strategy s)
{
    switch (s) {
    case Strategy::OneForOne:
        return "one_for_one";
    case Strategy::OneForAll:
        return "one_for_all";
    case Strategy::RestForOne:
        return "rest_for_one";
    case Strategy::SimpleOneForOne:
        return "simple_one_for_one";
    }
    return "unknown";
}

Pid Supervisor::startChild(const ChildSpec &spec)
{
    d->checkNotSimple("start_child with a spec");
    d->checkUsable("start_child");
    Private::validate(spec);
    if (const Private::ChildPtr existing = d->find(spec.id)) {
        if (existing->running())
            throw Error(Error::Code::Running,
                        QStringLiteral("Child %1 is already running.").arg(quoted(spec.id)));
        throw Error(Error::Code::AlreadyPresent,
                    QStringLiteral("A child with id %1 is already present; restart or delete it.")
                        .arg(quoted(spec.id)));
    }
    return d->startNew(spec);
}

Pid Supervisor::startChild()
{
    if (!d->simple())
        throw Error(Error::Code::BadArg,
                    QStringLiteral("Only a simple_one_for_one supervisor starts children from its "
                                   "template; pass a child spec."));
    d->checkUsable("start_child");
    return d->startNew(d->templateSpec);
}

void Supervisor::terminateChild(const QString &id)
{
    d->checkNotSimple("terminate_child by id");
    const Private::ChildPtr c = d->get(id);
    if (c->running()) {
        d->stopChild(c);
        return;
    }
    // Not running: cancel a pending restart; a temporary spec goes away (OTP).
    c->setUndefined();
    if (c->spec.restart == ChildSpec::Restart::Temporary)
        d->remove(c);
}

void Supervisor::terminateChild(Pid pid)
{
    if (const Private::ChildPtr c = d->byPid.value(pid)) {
        d->stopChild(c);
        return;
    }
    // A child whose restart is pending since `pid` died: OTP finds it by
    // that pid, and terminating it ends the restarts.
    const auto pending =
        std::find_if(d->children.cbegin(), d->children.cend(), [pid](const Private::ChildPtr &c) {
            return c->restarting() && c->lastPid == pid;
        });
    if (pending != d->children.cend()) {
        const Private::ChildPtr c = *pending; // a copy: remove() drops the list's
        c->setUndefined();
        if (c->spec.restart == ChildSpec::Restart::Temporary || d->simple())
            d->remove(c);
        return;
    }
    // As OTP: for simple_one_for_one a pid that is dead already is
    // terminated already (a child that died, or was stopped, before the
    // call); only a live process that is not a child is not_found.
    if (d->simple() && !Node::instance()->isAlive(pid))
        return;
    throw Error(Error::Code::NotFound,
                QStringLiteral("Process %1 is not a running child of this supervisor.").arg(pid));
}

Pid Supervisor::restartChild(const QString &id)
{
    d->checkNotSimple("restart_child");
    d->checkUsable("restart_child");
    const Private::ChildPtr c = d->get(id);
    if (c->running())
        throw Error(Error::Code::Running,
                    QStringLiteral("Child %1 is running; terminate it first.").arg(quoted(id)));
    if (c->restarting())
        throw Error(Error::Code::Restarting,
                    QStringLiteral("Child %1 is being restarted already.").arg(quoted(id)));
    Term failure;
    if (d->doStart(c, &failure) == Private::StartResult::Failed)
        throw Private::startFailed(id, failure);
    return c->pid; // 0 when ignored
}

void Supervisor::deleteChild(const QString &id)
{
    d->checkNotSimple("delete_child");
    const Private::ChildPtr c = d->get(id);
    if (c->running())
        throw Error(Error::Code::Running,
                    QStringLiteral("Child %1 is running; terminate it first.").arg(quoted(id)));
    if (c->restarting())
        throw Error(
            Error::Code::Restarting,
            QStringLiteral("Child %1 is being restarted; terminate it first.").arg(quoted(id)));
    d->remove(c);
}

QList<Supervisor::ChildInfo> Supervisor::whichChildren() const
{
    QList<ChildInfo> out;
    out.reserve(d->children.size());
    for (const Private::ChildPtr &c : std::as_const(d->children))
        out.append({ c->spec.id, c->pid, c->spec.type, c->restarting() });
    return out;
}

Supervisor::Counts Supervisor::countChildren() const
{
    Counts n;
    n.specs = d->simple() ? 1 : int(d->children.size());
    for (const Private::ChildPtr &c : std::as_const(d->children)) {
        if (c->running())
            ++n.active;
        if (c->spec.type == ChildSpec::Type::Supervisor)
            ++n.supervisors;
        else
            ++n.workers;
    }
    return n;
}

void Supervisor::terminate(const Term &reason)
{
    d->beginShutdown(reason);
}

void Supervisor::handleExitSignal(Pid from, const Term &reason)
{
    // As a gen_server: its parent's exit signal ends it (through its orderly
    // shutdown); a root's parent is whoever is outside any process. Its
    // children's deaths arrive by monitor; any other signal is only reported.
    const auto me = Node::instance()->info(pid());
    const Pid parent = me ? me->supervisor : 0;
    if (from == parent)
        d->beginShutdown(reason);
    else
        Process::handleExitSignal(from, reason);
}

} // namespace immortal
