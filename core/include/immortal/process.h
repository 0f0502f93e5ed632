#pragma once

#include <immortal/exitreason.h>
#include <immortal/processscope.h>
#include <immortal/term.h>
#include <immortal/types.h>

#include <QObject>
#include <QString>

#include <exception>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace immortal {

class Table;

/// A process: a QObject with a pid, an optional registered name and a life
/// that ends in exactly one exit reason, a Term (ExitReason: `normal`,
/// `shutdown`, `killed`, `{shutdown, Detail}`, `{exception, "what"}`, ...).
///
/// exit(reason) ends it by itself: it stops handling events at once, emits
/// exiting() and is deleted from its own event loop. Deleting it directly
/// counts as a kill (reason `killed`). Other processes end it with exit
/// signals (Node::exit, erlang:exit/2): a process that traps exits
/// (setTrapExit) receives them as exitSignal() instead of dying, except
/// `kill`. The core notices every death through QObject::destroyed and then
/// unregisters its name, passes its tables to their heirs, takes down the
/// processes it supervised, and only then tells its monitors (Node::monitor).
///
/// Handlers are everything the library runs for the process: event() (timers,
/// posted events, queued slot calls, invokeMethod) and functions wrapped by
/// guard(). An exception escaping a handler never reaches Qt's event loop: it
/// ends the process with ExitReason::fromException().
///
/// A process may live on any thread (moveToThread). From other threads, talk
/// to it through its pid (Node::post, Node::exit), never through a pointer.
class Process : public QObject
{
    Q_OBJECT
public:
    /// What the process is: a plain Worker, a Supervisor or a TableManager.
    enum class Kind { Worker, Supervisor, TableManager };
    Q_ENUM(Kind)

    /// A new worker, alive at once with a fresh pid (and traced as started).
    explicit Process(QObject *parent = nullptr);
    /// Deleting a live process ends it with reason "kill".
    ~Process() override;

    Pid pid() const noexcept { return m_pid; } ///< never 0, never reused
    Kind kind() const noexcept { return m_kind; } ///< worker, supervisor or table manager
    static const char *kindName(Kind kind); ///< "worker", "supervisor", "table_manager"

    /// The registered name, or empty.
    QString name() const;
    /// Registers this process as `name`; Registry::registerName() for errors.
    void registerName(const QString &name);

    bool isExiting() const noexcept { return m_exiting; } ///< exit() has been called
    /// Set once exiting; `undefined` until then.
    Term exitReason() const { return m_exitReason; }

    /// process_flag(trap_exit, On): exit signals other than `kill` arrive as
    /// exitSignal() instead of ending the process; from its supervisor, a
    /// stop request calls terminate(). Supervisors trap exits.
    void setTrapExit(bool on) noexcept { m_trapExit = on; }
    bool trapsExit() const noexcept { return m_trapExit; } ///< see setTrapExit()

    /// Ends the process by itself with this reason (erlang:exit/1). Idempotent:
    /// the first reason wins. Call it from the process's own thread; from
    /// another thread, or to send an exit signal, use Node::exit().
    void exit(const Term &reason = ExitReason::normal());
    /// Reasons are terms: write ExitReason::shutdown() or Term::atom(u"crash"),
    /// not a string, which would be the string "crash" and no atom.
    void exit(const char *) = delete;
    void exit(const QString &) = delete; ///< see exit(const char *)
    /// The stop request a supervisor sends its child (its exit signal
    /// `shutdown`): a process that traps exits runs terminate(), any other
    /// exits with `reason` at once.
    void shutdown(const Term &reason = ExitReason::shutdown());

    /// The process whose handler is running on this thread, or 0.
    static Pid currentPid() noexcept { return ProcessScope::current(); }

    /// Wraps a callable as a handler of this process: it runs in this
    /// process's scope, is skipped once the process is exiting, and an
    /// exception it throws ends the process. Use it for slots connected
    /// directly, e.g. `connect(timer, &QTimer::timeout, this, guard([this] {...}))`.
    /// Like a Qt slot, f may take fewer arguments than the signal sends.
    template<typename F>
    auto guard(F f)
    {
        return [this, f = std::move(f)](auto &&...args) {
            runGuarded([&] { invokeLeading(f, std::forward<decltype(args)>(args)...); });
        };
    }

Q_SIGNALS:
    /// Emitted once, before the process is gone, with its exit reason.
    void exiting(const immortal::Term &reason);
    /// An exit signal this process trapped: {'EXIT', From, Reason}. `from`
    /// is 0 when it came from outside any process (a GUI, a test's body).
    void exitSignal(immortal::Pid from, const immortal::Term &reason);
    /// ETS-TRANSFER: this process now owns `table`, from `from`, with the
    /// heir data or give_away gift. Delivered in this process's thread.
    void etsTransfer(immortal::TableId table, immortal::Pid from, const immortal::Term &data);

protected:
    /// For subclasses that are not workers (Supervisor, TableManager).
    Process(Kind kind, QObject *parent);

    /// Handles every event as a handler of this process: in its scope,
    /// skipped once it is exiting, and an exception ends it.
    bool event(QEvent *e) override;

    /// Called (in this process's thread, in its scope) when a table is given
    /// to it; emits etsTransfer() afterwards. Throwing here crashes the process.
    virtual void handleEtsTransfer(TableId table, Pid from, const Term &data);
    /// How a process that traps exits reacts to its supervisor's stop
    /// request (shutdown()): exits with `reason` at once unless overridden. A
    /// process that needs time to clean up exits when it is done; one that
    /// never does is killed when its shutdown timeout expires.
    virtual void terminate(const Term &reason);
    /// An exit signal arrived while trapping exits (never `kill`): emits
    /// exitSignal(). Override to act on it; the process lives on unless the
    /// override exits.
    virtual void handleExitSignal(Pid from, const Term &reason);

private:
    // Calls f with the longest leading run of args it accepts.
    template<typename F, typename... A>
    static void invokeLeading(F &f, A &&...args)
    {
        if constexpr (std::is_invocable_v<F &, A...>) {
            std::invoke(f, std::forward<A>(args)...);
        } else {
            static_assert(sizeof...(A) > 0, "guard(): the function cannot be called");
            invokeDroppingLast(f, std::forward_as_tuple(std::forward<A>(args)...),
                               std::make_index_sequence<sizeof...(A) - 1> {});
        }
    }
    template<typename F, typename Tuple, std::size_t... I>
    static void invokeDroppingLast(F &f, Tuple &&t, std::index_sequence<I...>)
    {
        invokeLeading(f, std::get<I>(std::forward<Tuple>(t))...);
    }

    friend class Node;
    friend class TableStore;
    void init();
    void runGuarded(const std::function<void()> &fn);
    void deliverEtsTransfer(TableId table, Pid from, const Term &data);
    void crash(const std::exception_ptr &e);
    // An exit signal, in its own thread; `linked`: from its dead supervisor, untrappable.
    void receiveExitSignal(Pid from, const Term &reason, bool linked = false);

    Pid m_pid = 0;
    Kind m_kind = Kind::Worker;
    bool m_exiting = false;
    bool m_trapExit = false;
    Term m_exitReason;
};

} // namespace immortal
