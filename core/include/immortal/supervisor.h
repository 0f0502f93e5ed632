#pragma once

#include <immortal/childspec.h>
#include <immortal/process.h>

#include <QList>
#include <QString>

#include <memory>

namespace immortal {

// An OTP supervisor. Children start in order and stop in reverse order.
// Past `intensity` restarts within `periodMs` the supervisor stops all its
// children and exits with reason "shutdown", so its own supervisor decides.
// A child's death is seen through QObject::destroyed; restarts run later
// from the supervisor's event loop, never inside a destructor.
//
// Call the API from the supervisor's own thread. shutdown() (Node::shutdown)
// stops the children in reverse order, each after the previous is gone, then
// exits; deleting the supervisor (or exit "kill") kills its children at once.
// docs/supervisors.md maps all of it to OTP.
class Supervisor : public Process
{
    Q_OBJECT
public:
    enum class Strategy { OneForOne, OneForAll, RestForOne, SimpleOneForOne };
    Q_ENUM(Strategy)

    struct Flags
    {
        Strategy strategy = Strategy::OneForOne;
        int intensity = 1; // OTP defaults: 1 restart in 5 s
        int periodMs = 5000;
    };

    struct ChildInfo // which_children/1
    {
        QString id; // for simple_one_for_one: the template id
        Pid pid = 0; // 0 when not running
        ChildSpec::Type type = ChildSpec::Type::Worker;
        bool restarting = false;
    };
    struct Counts // count_children/1
    {
        int specs = 0;
        int active = 0;
        int supervisors = 0;
        int workers = 0;
    };

    // For simple_one_for_one, `children` holds exactly one template spec.
    Supervisor(const Flags &flags, const QList<ChildSpec> &children, QObject *parent = nullptr);
    ~Supervisor() override;

    // Starts the children in order. If one fails, stops those started, exits
    // with the failure as reason and throws Error(StartFailed).
    void start();

    Flags flags() const { return m_flags; }
    static const char *strategyName(Strategy s); // "one_for_one", ...

    // supervisor:start_child/2. AlreadyPresent if the id exists (not running),
    // Running if it exists and runs, StartFailed if its start fails.
    Pid startChild(const ChildSpec &spec);
    // simple_one_for_one: a new child from the template.
    Pid startChild();
    // supervisor:terminate_child/2 (by id, or by pid for simple_one_for_one).
    // Stops the child per its shutdown; childTerminated() tells when it is gone.
    void terminateChild(const QString &id);
    void terminateChild(Pid pid);
    Pid restartChild(const QString &id); // Running, Restarting, NotFound
    void deleteChild(const QString &id); // Running, Restarting, NotFound
    QList<ChildInfo> whichChildren() const;
    Counts countChildren() const;

Q_SIGNALS:
    void childStarted(const QString &id, immortal::Pid pid);
    void childExited(const QString &id, immortal::Pid pid, const QString &reason);
    void childRestarted(const QString &id, immortal::Pid oldPid, immortal::Pid newPid);
    void childTerminated(const QString &id, immortal::Pid pid);
    void escalated(const QString &reason);

protected:
    void terminate(const QString &reason) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
    Flags m_flags;
};

} // namespace immortal
