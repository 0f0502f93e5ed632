#pragma once

#include <immortal/childspec.h>
#include <immortal/process.h>

#include <QList>
#include <QString>

#include <memory>

namespace immortal {

/// An OTP supervisor. Children start in order and stop in reverse order.
/// Past `intensity` restarts within `periodMs` the supervisor stops all its
/// children and exits with reason "shutdown", so its own supervisor decides.
/// A child's death is seen through QObject::destroyed; restarts run later
/// from the supervisor's event loop, never inside a destructor.
///
/// Call the API from the supervisor's own thread. shutdown() (Node::shutdown)
/// stops the children in reverse order, each after the previous is gone, then
/// exits; deleting the supervisor (or exit "kill") kills its children at once.
/// docs/supervisors.md maps all of it to OTP. While it shuts down, the calls
/// that start children throw Error(NoProc).
class Supervisor : public Process
{
    Q_OBJECT
public:
    /// Which children restart when one dies: OneForOne only that one,
    /// OneForAll all of them, RestForOne it and those started after it;
    /// SimpleOneForOne is OneForOne for children started from one template.
    enum class Strategy { OneForOne, OneForAll, RestForOne, SimpleOneForOne };
    Q_ENUM(Strategy)

    /// The supervisor flags: strategy and restart intensity.
    struct Flags
    {
        Strategy strategy = Strategy::OneForOne; ///< who restarts with a dead child
        int intensity = 1; ///< OTP defaults: 1 restart in 5 s
        int periodMs = 5000; ///< the window `intensity` counts restarts in
    };

    /// One child, as which_children/1 reports it.
    struct ChildInfo
    {
        QString id; ///< for simple_one_for_one: the template id
        Pid pid = 0; ///< 0 when not running
        ChildSpec::Type type = ChildSpec::Type::Worker; ///< worker or supervisor
        bool restarting = false; ///< dead, with a restart pending
    };
    /// The children counted, as count_children/1 reports them.
    struct Counts
    {
        int specs = 0; ///< child specs (1 for simple_one_for_one)
        int active = 0; ///< children running now
        int supervisors = 0; ///< children of type supervisor
        int workers = 0; ///< children of type worker
    };

    /// For simple_one_for_one, `children` holds exactly one template spec.
    /// Nothing starts until start(). Throws Error(BadArg) for a negative
    /// intensity, a period that is not positive, an invalid spec or two specs
    /// with one id.
    Supervisor(const Flags &flags, const QList<ChildSpec> &children, QObject *parent = nullptr);
    /// Kills the running children at once, restarting none.
    ~Supervisor() override;

    /// Starts the children in order. If one fails, stops those started, exits
    /// with the failure as reason and throws Error(StartFailed).
    /// BadArg if it was started before.
    void start();

    Flags flags() const { return m_flags; } ///< as constructed
    static const char *strategyName(Strategy s); ///< "one_for_one", ...

    /// supervisor:start_child/2. AlreadyPresent if the id exists (not running),
    /// Running if it exists and runs, StartFailed if its start fails.
    /// BadArg for an invalid spec or a simple_one_for_one supervisor.
    /// Returns the new pid, or 0 if the start function returned nullptr.
    Pid startChild(const ChildSpec &spec);
    /// simple_one_for_one: a new child from the template. BadArg for other
    /// strategies, StartFailed if its start fails.
    Pid startChild();
    /// supervisor:terminate_child/2 (by id, or by pid for simple_one_for_one).
    /// Stops the child per its shutdown; childTerminated() tells when it is gone.
    /// NotFound if there is no such child; BadArg by id for simple_one_for_one.
    void terminateChild(const QString &id);
    /// The same, by pid; NotFound if pid is not a running child. As in OTP,
    /// the last pid of a child whose restart is pending names that child
    /// (terminating it ends the restarts), and for simple_one_for_one a pid
    /// that is not alive is no error: NotFound only for a live non-child.
    void terminateChild(Pid pid);
    /// supervisor:restart_child/2 for a terminated child: its new pid, or 0
    /// if ignored. Running, Restarting, NotFound, StartFailed.
    Pid restartChild(const QString &id);
    /// supervisor:delete_child/2 for a terminated child. Running, Restarting,
    /// NotFound.
    void deleteChild(const QString &id);
    QList<ChildInfo> whichChildren() const; ///< supervisor:which_children/1, in start order
    Counts countChildren() const; ///< supervisor:count_children/1

Q_SIGNALS:
    void childStarted(const QString &id, immortal::Pid pid); ///< a child (re)started as `pid`
    /// A child died, for whatever reason, before any restart.
    void childExited(const QString &id, immortal::Pid pid, const immortal::Term &reason);
    /// A dead child was restarted as `newPid`.
    void childRestarted(const QString &id, immortal::Pid oldPid, immortal::Pid newPid);
    /// A child the supervisor stopped (terminateChild(), a shutdown, or a
    /// one_for_all or rest_for_one restart) is gone.
    void childTerminated(const QString &id, immortal::Pid pid);
    /// Restart intensity was exceeded: the supervisor stops with `reason`.
    void escalated(const immortal::Term &reason);

protected:
    /// Stops the children in reverse order, then exits with `reason`.
    void terminate(const Term &reason) override;
    /// Its parent's exit signal stops it as terminate() does (a root's
    /// parent is anyone outside a process); any other is only reported.
    void handleExitSignal(Pid from, const Term &reason) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
    Flags m_flags;
};

} // namespace immortal
