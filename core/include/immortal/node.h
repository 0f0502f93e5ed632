#pragma once

#include <immortal/exitreason.h>
#include <immortal/processinfo.h>
#include <immortal/types.h>

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <deque>
#include <functional>
#include <optional>

namespace immortal {

class Process;
class Registry;
class TableStore;
class Trace;

/// The runtime: the directory of processes (what an Erlang node knows of its
/// processes), and the owner of their names (Registry), their tables and the
/// trace. Thread-safe. It holds weak references only: a dead process is never
/// touched, and every query answers from a snapshot. Nothing here throws: a
/// dead pid gets false, std::nullopt or a null pointer.
///
/// A program needs no Node of its own: instance() makes a process-wide one on
/// first use. A test that wants a fresh runtime constructs a Node; while it
/// lives it is the current one, and its destruction ends what it still runs.
class Node : public QObject
{
    Q_OBJECT
public:
    /// A fresh runtime, current from now on: no processes, names or tables,
    /// a trace that starts at 1. Construct and destroy it in the main thread.
    Node();
    /// Kills the processes it still has on this thread (newest first, so
    /// their deaths are handled by this node), then makes the node that was
    /// current before it current again. A process of it still alive on
    /// another thread is reported with a warning: stop those first.
    ~Node() override;
    /// The current node: the newest Node alive, or else the process-wide one,
    /// made on first use and never destroyed.
    static Node *instance();

    bool isAlive(Pid pid) const; ///< alive and not exiting
    std::optional<ProcessInfo> info(Pid pid) const; ///< alive or among the recently dead
    QList<ProcessInfo> processes() const; ///< the living, by pid
    /// The object, for code on the process's own thread only.
    QPointer<Process> process(Pid pid) const;

    /// Runs fn in pid's thread, as pid (a handler: exceptions crash pid).
    /// Returns false, and drops fn, when pid is dead.
    bool post(Pid pid, std::function<void(Process *)> fn);
    /// erlang:exit/2: sends pid an exit signal from the calling process
    /// (Process::currentPid(), 0 outside any). `kill` ends it as `killed`;
    /// a process that traps exits receives any other reason as
    /// Process::exitSignal(); otherwise `normal` is ignored and any other
    /// reason ends it. False when pid is dead.
    bool exit(Pid pid, const Term &reason);
    bool exit(Pid, const char *) = delete; ///< reasons are terms: see Process::exit(const char *)
    bool exit(Pid,
              const QString &) = delete; ///< reasons are terms: see Process::exit(const char *)
    /// The stop request a supervisor sends (Process::shutdown), from anywhere.
    /// False when pid is dead.
    bool shutdown(Pid pid, const Term &reason = ExitReason::shutdown());

    /// Names one monitor (see monitor()).
    using MonitorRef = quint64;
    /// erlang:monitor(process, Target) for `watcher`: once `target` is down,
    /// onDown(target, reason) runs in the watcher's thread as a handler of
    /// the watcher (not at all if the watcher is dead by then). Down means
    /// dead, and for a supervisor, its whole subtree dead too with their
    /// names free. A target that is not alive is down at once, as `noproc`.
    MonitorRef monitor(Pid watcher, Pid target, std::function<void(Pid, const Term &)> onDown);
    /// erlang:demonitor/1: onDown will not run. Unknown refs are ignored.
    void demonitor(MonitorRef ref);

    /// Supervisors record who supervises whom: for the trace, the GUI, and
    /// the link that takes a dead supervisor's subtree down with it.
    void setSupervisor(Pid pid, Pid supervisor, const QString &childId);

    /// How many dead processes info() remembers.
    static constexpr int deadHistory = 1024;

    /// How a pid is shown to people, in Erlang's look: `<0.42.0>`.
    static QString pidText(Pid pid);

    /// Nanoseconds on the steady clock (the trace's clock).
    static qint64 nowNs() noexcept;

protected:
    /// Runs the core's own calls posted to this thread.
    bool event(QEvent *e) override;

private:
    friend class Process;
    friend class Registry;
    friend class TableStore;
    friend class Trace;
    Pid add(Process *p);
    void markExiting(Pid pid, const Term &reason);
    void detach(Pid pid); // in ~Process: no more posting to it
    void died(Pid pid); // from QObject::destroyed
    // pid and all below it are gone: its monitors hear of it now.
    void subtreeDown(Pid pid, const Term &reason, Pid supervisor, bool isSupervisor);

    struct Entry
    {
        QPointer<Process> object;
        ProcessInfo info;
    };
    struct Monitor
    {
        MonitorRef ref;
        Pid watcher;
        std::function<void(Pid, const Term &)> onDown;
    };
    // A dead supervisor whose children are still going: its monitors wait.
    struct DyingSubtree
    {
        Term reason;
        Pid supervisor = 0; // the dead one's own supervisor
        int remaining = 0; // children not yet dead
    };
    mutable QMutex m_mutex;
    QHash<Pid, Entry> m_live;
    QHash<Pid, QSet<Pid>> m_children; // a supervisor's live children
    QHash<Pid, DyingSubtree> m_dying;
    QHash<Pid, QList<Monitor>> m_monitors; // by target
    QHash<MonitorRef, Pid> m_monitorTargets;
    MonitorRef m_nextMonitor = 1;
    QHash<Pid, ProcessInfo> m_dead;
    std::deque<Pid> m_deadOrder;
    // The rest of the runtime lives and dies with the Node (they are its
    // children): Registry::instance() and the others are these.
    Trace *m_trace;
    Registry *m_registry;
    TableStore *m_tables;
    Node *m_previous = nullptr; // current before this one
};

} // namespace immortal
