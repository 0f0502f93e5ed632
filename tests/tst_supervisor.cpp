#include <immortal/childspec.h>
#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/trace.h>
#include <immortal/traceevent.h>

#include "testclock.h"

#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <functional>
#include <stdexcept>

using namespace immortal;

namespace {

// What the test workers did, in order: "start a", "terminate a", "stop a".
// Workers may live on another thread, hence the mutex.
class Log
{
public:
    void add(const QString &line)
    {
        QMutexLocker lock(&m_mutex);
        m_lines.append(line);
    }
    QStringList lines() const
    {
        QMutexLocker lock(&m_mutex);
        return m_lines;
    }
    void clear()
    {
        QMutexLocker lock(&m_mutex);
        m_lines.clear();
    }

private:
    mutable QMutex m_mutex;
    QStringList m_lines;
};

Log g_log;

// A worker that logs its life. How it answers a shutdown request is chosen
// per test: exit at once, ignore it, or wait for the test to let it go.
class Worker : public Process
{
    Q_OBJECT
public:
    enum class OnShutdown { Exit, Ignore, Wait };

    explicit Worker(const QString &label, OnShutdown mode = OnShutdown::Exit)
        : m_label(label)
        , m_mode(mode)
    {
        // A gen_server: it traps exits, so its supervisor's shutdown reaches
        // terminate(), and stops on any other exit signal.
        setTrapExit(true);
        g_log.add(QStringLiteral("start ") + label);
    }
    ~Worker() override { g_log.add(QStringLiteral("stop ") + m_label); }

Q_SIGNALS:
    void terminateRequested(const immortal::Term &reason);

protected:
    void handleExitSignal(Pid, const Term &reason) override { exit(reason); }
    void terminate(const Term &reason) override
    {
        g_log.add(QStringLiteral("terminate ") + m_label);
        switch (m_mode) {
        case OnShutdown::Exit:
            Process::terminate(reason);
            break;
        case OnShutdown::Ignore:
            break;
        case OnShutdown::Wait:
            Q_EMIT terminateRequested(reason);
            break;
        }
    }

private:
    QString m_label;
    OnShutdown m_mode;
};

ChildSpec workerSpec(const QString &id, ChildSpec::Restart restart = ChildSpec::Restart::Permanent,
                     Worker::OnShutdown mode = Worker::OnShutdown::Exit, int shutdown = 5000)
{
    ChildSpec spec;
    spec.id = id;
    spec.restart = restart;
    spec.shutdown = shutdown;
    spec.start = [id, mode]() -> Process * {
        return new Worker(id, mode);
    };
    return spec;
}

Supervisor::Flags flags(Supervisor::Strategy strategy, int intensity = 10, int periodMs = 600000)
{
    Supervisor::Flags f;
    f.strategy = strategy;
    f.intensity = intensity;
    f.periodMs = periodMs;
    return f;
}

Pid pidOf(const Supervisor *sup, const QString &id)
{
    for (const Supervisor::ChildInfo &c : sup->whichChildren()) {
        if (c.id == id)
            return c.pid;
    }
    return 0;
}

QStringList ids(const Supervisor *sup)
{
    QStringList out;
    for (const Supervisor::ChildInfo &c : sup->whichChildren())
        out.append(c.id);
    return out;
}

QString reasonOf(Pid pid)
{
    const auto info = Node::instance()->info(pid);
    return info ? info->exitReason.format() : QString();
}

// Runs fn and returns the Error code it throws; fails the test if it does not.
template<typename F>
Error::Code errorOf(F fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return e.code();
    }
    qFatal("expected an immortal::Error");
}

// The clock the supervisors read in multipleRestartsSlideTheWindow(): it
// moves only when the test moves it.
std::atomic<qint64> g_fakeNowNs { 0 };
qint64 fakeNow() noexcept
{
    return g_fakeNowNs.load();
}

QStringList without(const QStringList &lines, const QString &prefix)
{
    QStringList out;
    for (const QString &l : lines) {
        if (!l.startsWith(prefix))
            out.append(l);
    }
    return out;
}

} // namespace

class TestSupervisor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void startsInOrder();
    void oneForOneRestartsOnlyTheChild();
    void oneForAllRestartsEveryone();
    void restForOneRestartsTheRest();
    void simpleOneForOne();
    void restartTypes_data();
    void restartTypes();
    void escalationThroughTwoLevels();
    void shutdownStopsInReverseOrderOneAtATime();
    void shutdownTimeoutKillsAStubbornChild();
    void brutalKillSkipsTerminate();
    void deletingTheSupervisorKillsItsChildren();
    void deadSupervisorTakesItsSubtreeFirst_data();
    void deadSupervisorTakesItsSubtreeFirst();
    void parentShutsDownATrappingSupervisor();
    void dynamicChildrenAndTheirErrors();
    void restartingChildErrors();
    void ignoreLeavesTheChildDown();
    void failedStartAtBootFailsTheSupervisor();
    void failedStartFreesTheNameAtOnce();
    void failedRestartCountsTowardIntensity();
    void childOnWorkerThreadIsRestarted();
    void shutdownDuringARestartWinsOverIt();
    void crashDuringAStopSequenceIsHandledAfterIt();
    void invalidArguments();

    // From OTP's supervisor_SUITE (tests/otp-checklist.md).
    void oneForAllOtherChildFailsRestart_data();
    void oneForAllOtherChildFailsRestart();
    void restForOneOtherChildFailsRestart_data();
    void restForOneOtherChildFailsRestart();
    void restartThatKeepsFailingEscalates_data();
    void restartThatKeepsFailingEscalates();
    void temporaryBystanderIsNotRestarted_data();
    void temporaryBystanderIsNotRestarted();
    void tree();
    void treeRestartsTheRightSubtrees();
    void hangingRestartLoopCanBeStopped_data();
    void hangingRestartLoopCanBeStopped();
    void countChildrenOfManyTemporaryChildren();
    void terminateChildOfADeadSimpleChildIsOk();
    void simpleChildrenStopPerTheirShutdown_data();
    void simpleChildrenStopPerTheirShutdown();
    void multipleRestartsSlideTheWindow();
    void childExitingOnItsOwnDuringShutdown_data();
    void childExitingOnItsOwnDuringShutdown();

private:
    Supervisor *make(const Supervisor::Flags &f, const QList<ChildSpec> &specs);
    void stop(Supervisor *sup);

    QList<QPointer<Supervisor>> m_sups;
    QList<TraceEvent> m_events;
    QMetaObject::Connection m_trace;
};

Supervisor *TestSupervisor::make(const Supervisor::Flags &f, const QList<ChildSpec> &specs)
{
    auto *sup = new Supervisor(f, specs);
    m_sups.append(sup);
    sup->start();
    return sup;
}

// An orderly stop that returns once the supervisor and its children are gone.
void TestSupervisor::stop(Supervisor *sup)
{
    QSignalSpy destroyed(sup, &QObject::destroyed);
    QVERIFY(Node::instance()->shutdown(sup->pid()));
    QVERIFY(destroyed.wait());
}

void TestSupervisor::init()
{
    g_log.clear();
    m_events.clear();
    m_trace = connect(Trace::instance(), &Trace::event, this,
                      [this](const TraceEvent &e) { m_events.append(e); });
}

void TestSupervisor::cleanup()
{
    for (const QPointer<Supervisor> &sup : std::as_const(m_sups)) {
        if (sup && !sup->isExiting())
            stop(sup);
    }
    m_sups.clear();
    disconnect(m_trace);
}

void TestSupervisor::startsInOrder()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne),
                           { workerSpec("a"), workerSpec("b"), workerSpec("c") });
    QCOMPARE(g_log.lines(), QStringList({ "start a", "start b", "start c" }));
    QCOMPARE(ids(sup), QStringList({ "a", "b", "c" }));
    for (const Supervisor::ChildInfo &c : sup->whichChildren()) {
        QVERIFY(Node::instance()->isAlive(c.pid));
        const auto info = Node::instance()->info(c.pid);
        QCOMPARE(info->supervisor, sup->pid());
        QCOMPARE(info->childId, c.id);
    }
    int started = 0;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildStarted) {
            QCOMPARE(e.supervisor, sup->pid());
            QCOMPARE(e.kind, QStringLiteral("worker"));
            QCOMPARE(e.pid, pidOf(sup, e.childId));
            ++started;
        }
    }
    QCOMPARE(started, 3);
    const Supervisor::Counts n = sup->countChildren();
    QCOMPARE(n.specs, 3);
    QCOMPARE(n.active, 3);
    QCOMPARE(n.workers, 3);
    QCOMPARE(n.supervisors, 0);
}

void TestSupervisor::oneForOneRestartsOnlyTheChild()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne),
                           { workerSpec("a"), workerSpec("b"), workerSpec("c") });
    const Pid a = pidOf(sup, "a"), b = pidOf(sup, "b"), c = pidOf(sup, "c");
    g_log.clear();
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy exited(sup, &Supervisor::childExited);
    Node::instance()->exit(b, Term::atom(u"boom"));
    QVERIFY(restarted.wait());
    QCOMPARE(exited.count(), 1);
    QCOMPARE(exited.at(0).at(2).value<Term>(), Term::atom(u"boom"));
    QCOMPARE(g_log.lines(), QStringList({ "stop b", "start b" }));
    const Pid b2 = pidOf(sup, "b");
    QCOMPARE(restarted.at(0).at(0).toString(), QStringLiteral("b"));
    QCOMPARE(restarted.at(0).at(1).value<Pid>(), b);
    QCOMPARE(restarted.at(0).at(2).value<Pid>(), b2);
    QVERIFY(b2 != b && Node::instance()->isAlive(b2));
    QCOMPARE(pidOf(sup, "a"), a);
    QCOMPARE(pidOf(sup, "c"), c);
    QCOMPARE(ids(sup), QStringList({ "a", "b", "c" })); // the order is kept

    bool traced = false;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildRestarted) {
            QCOMPARE(e.pid, b2);
            QCOMPARE(e.from, b);
            QCOMPARE(e.childId, QStringLiteral("b"));
            QCOMPARE(e.supervisor, sup->pid());
            traced = true;
        }
    }
    QVERIFY(traced);
}

void TestSupervisor::oneForAllRestartsEveryone()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForAll),
                           { workerSpec("a"), workerSpec("b"), workerSpec("c") });
    const Pid a = pidOf(sup, "a"), b = pidOf(sup, "b"), c = pidOf(sup, "c");
    g_log.clear();
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    Node::instance()->exit(b, Term::atom(u"boom"));
    QTRY_COMPARE(restarted.count(), 3);
    // The others stop last-started first, then all start again in order.
    QCOMPARE(g_log.lines(),
             QStringList({ "stop b", "terminate c", "stop c", "terminate a", "stop a", "start a",
                           "start b", "start c" }));
    QCOMPARE(terminated.count(), 2);
    QCOMPARE(reasonOf(a), QStringLiteral("shutdown"));
    QCOMPARE(reasonOf(c), QStringLiteral("shutdown"));
    QVERIFY(pidOf(sup, "a") != a && pidOf(sup, "b") != b && pidOf(sup, "c") != c);
    for (const Supervisor::ChildInfo &ci : sup->whichChildren())
        QVERIFY(Node::instance()->isAlive(ci.pid));
}

void TestSupervisor::restForOneRestartsTheRest()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::RestForOne),
                           { workerSpec("a"), workerSpec("b"), workerSpec("c"), workerSpec("d") });
    const Pid a = pidOf(sup, "a"), b = pidOf(sup, "b"), c = pidOf(sup, "c"), d = pidOf(sup, "d");
    g_log.clear();
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    Node::instance()->exit(b, Term::atom(u"boom"));
    QTRY_COMPARE(restarted.count(), 3);
    QCOMPARE(g_log.lines(),
             QStringList({ "stop b", "terminate d", "stop d", "terminate c", "stop c", "start b",
                           "start c", "start d" }));
    QCOMPARE(pidOf(sup, "a"), a); // before the crashed one: untouched
    QVERIFY(pidOf(sup, "b") != b && pidOf(sup, "c") != c && pidOf(sup, "d") != d);

    // The last one crashing restarts only itself.
    g_log.clear();
    restarted.clear();
    Node::instance()->exit(pidOf(sup, "d"), Term::atom(u"boom"));
    QVERIFY(restarted.wait());
    QCOMPARE(g_log.lines(), QStringList({ "stop d", "start d" }));
}

void TestSupervisor::simpleOneForOne()
{
    int n = 0;
    ChildSpec tmpl;
    tmpl.id = "conn";
    tmpl.start = [&n]() -> Process * {
        return new Worker(QStringLiteral("t%1").arg(++n));
    };
    Supervisor *sup = make(flags(Supervisor::Strategy::SimpleOneForOne), { tmpl });
    QCOMPARE(sup->whichChildren().size(), 0); // a simple supervisor starts nothing by itself
    QCOMPARE(sup->countChildren().specs, 1);

    const Pid p1 = sup->startChild();
    const Pid p2 = sup->startChild();
    const Pid p3 = sup->startChild();
    QVERIFY(p1 && p2 && p3);
    QCOMPARE(ids(sup), QStringList({ "conn", "conn", "conn" }));
    Supervisor::Counts counts = sup->countChildren();
    QCOMPARE(counts.specs, 1);
    QCOMPARE(counts.active, 3);
    QCOMPARE(counts.workers, 3);

    // A crash restarts only that child.
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    Node::instance()->exit(p2, Term::atom(u"boom"));
    QVERIFY(restarted.wait());
    QCOMPARE(restarted.at(0).at(1).value<Pid>(), p2);
    const Pid p2b = restarted.at(0).at(2).value<Pid>();
    QList<Pid> pids;
    for (const Supervisor::ChildInfo &c : sup->whichChildren())
        pids.append(c.pid);
    QCOMPARE(pids, QList<Pid>({ p1, p3, p2b })); // in start order

    // Terminated by pid: gone from the list.
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    sup->terminateChild(p1);
    QVERIFY(terminated.wait());
    QCOMPARE(terminated.at(0).at(1).value<Pid>(), p1);
    QCOMPARE(sup->countChildren().active, 2);
    QCOMPARE(sup->whichChildren().size(), 2);

    // The API that needs ids is not for simple supervisors.
    QCOMPARE(errorOf([&] { sup->terminateChild(QStringLiteral("conn")); }), Error::Code::BadArg);
    QCOMPARE(errorOf([&] { sup->restartChild(QStringLiteral("conn")); }), Error::Code::BadArg);
    QCOMPARE(errorOf([&] { sup->deleteChild(QStringLiteral("conn")); }), Error::Code::BadArg);
    QCOMPARE(errorOf([&] { sup->startChild(workerSpec("x")); }), Error::Code::BadArg);

    // Dynamic children stop in reverse start order.
    g_log.clear();
    stop(sup);
    QCOMPARE(without(g_log.lines(), "terminate"), QStringList({ "stop t4", "stop t3" }));
}

void TestSupervisor::restartTypes_data()
{
    QTest::addColumn<int>("restart"); // a ChildSpec::Restart
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("restarted");
    QTest::addColumn<bool>("kept"); // still listed by which_children
    QTest::addColumn<QString>("why"); // child_not_restarted's reason, empty if restarted

    enum R {
        Permanent = int(ChildSpec::Restart::Permanent),
        Transient = int(ChildSpec::Restart::Transient),
        Temporary = int(ChildSpec::Restart::Temporary),
    };
    QTest::newRow("permanent normal") << int(Permanent) << "normal" << true << true << "";
    QTest::newRow("permanent shutdown") << int(Permanent) << "shutdown" << true << true << "";
    QTest::newRow("permanent boom") << int(Permanent) << "boom" << true << true << "";
    QTest::newRow("permanent kill") << int(Permanent) << "kill" << true << true << "";
    QTest::newRow("transient normal") << int(Transient) << "normal" << false << true << "transient";
    QTest::newRow("transient shutdown")
        << int(Transient) << "shutdown" << false << true << "transient";
    QTest::newRow("transient {shutdown, x}")
        << int(Transient) << "{shutdown,moved}" << false << true << "transient";
    // Only normal, shutdown and {shutdown, _} are orderly: not a name that
    // merely begins with "shutdown", nor a bigger tuple.
    QTest::newRow("transient shutdown_now")
        << int(Transient) << "shutdown_now" << true << true << "";
    QTest::newRow("transient {shutdown, x, y}")
        << int(Transient) << "{shutdown,x,y}" << true << true << "";
    QTest::newRow("transient \"shutdown\"")
        << int(Transient) << "\"shutdown\"" << true << true << "";
    QTest::newRow("transient boom") << int(Transient) << "boom" << true << true << "";
    QTest::newRow("transient kill") << int(Transient) << "kill" << true << true << "";
    QTest::newRow("temporary normal")
        << int(Temporary) << "normal" << false << false << "temporary";
    QTest::newRow("temporary boom") << int(Temporary) << "boom" << false << false << "temporary";
}

void TestSupervisor::restartTypes()
{
    QFETCH(int, restart);
    QFETCH(QString, reason);
    QFETCH(bool, restarted);
    QFETCH(bool, kept);
    QFETCH(QString, why);

    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne),
                           { workerSpec("w", ChildSpec::Restart(restart)) });
    const Pid w = pidOf(sup, "w");
    QSignalSpy exited(sup, &Supervisor::childExited);
    Node::instance()->exit(w, Term::parse(reason));
    QVERIFY(exited.wait());
    // An exit signal `kill` ends a process as `killed`.
    QCOMPARE(exited.at(0).at(2).value<Term>().format(),
             reason == QLatin1String("kill") ? QStringLiteral("killed") : reason);
    // The decision is taken in the same handler that saw the death.
    QCOMPARE(sup->whichChildren().size(), kept ? 1 : 0);
    const Pid now = pidOf(sup, "w");
    QCOMPARE(now != 0, restarted);
    if (restarted)
        QVERIFY(Node::instance()->isAlive(now));
    QCOMPARE(sup->countChildren().active, restarted ? 1 : 0);
    // An observer learns the decision from the trace alone.
    QStringList notRestarted;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildNotRestarted && e.pid == w) {
            QCOMPARE(e.supervisor, sup->pid());
            QCOMPARE(e.childId, QStringLiteral("w"));
            notRestarted << e.reason.format();
        }
    }
    QCOMPARE(notRestarted, why.isEmpty() ? QStringList() : QStringList { why });
}

void TestSupervisor::escalationThroughTwoLevels()
{
    auto innerStart = []() -> Process * {
        auto *inner =
            new Supervisor(flags(Supervisor::Strategy::OneForOne, 1), { workerSpec("w") });
        inner->start();
        return inner;
    };
    ChildSpec innerSpec;
    innerSpec.id = "inner";
    innerSpec.type = ChildSpec::Type::Supervisor;
    innerSpec.shutdown = ChildSpec::Infinity;
    innerSpec.start = innerStart;
    Supervisor *outer = make(flags(Supervisor::Strategy::OneForOne, 1), { innerSpec });
    QPointer<Supervisor> outerPtr = outer;
    const Pid outerPid = outer->pid();
    QCOMPARE(outer->countChildren().supervisors, 1);
    QSignalSpy outerRestarted(outer, &Supervisor::childRestarted);
    QSignalSpy outerEscalated(outer, &Supervisor::escalated);
    QSignalSpy outerDestroyed(outer, &QObject::destroyed);

    // Crashes the inner supervisor's worker twice: one restart is allowed,
    // the second crash is past the intensity, so the inner one escalates.
    auto crashInnerTwice = [&](Pid innerPid) {
        QPointer<Process> p = Node::instance()->process(innerPid);
        auto *inner = qobject_cast<Supervisor *>(p.data());
        QVERIFY(inner);
        QCOMPARE(inner->kind(), Process::Kind::Supervisor);
        QSignalSpy restarted(inner, &Supervisor::childRestarted);
        QSignalSpy escalated(inner, &Supervisor::escalated);
        QSignalSpy destroyed(inner, &QObject::destroyed);
        Node::instance()->exit(pidOf(inner, "w"), Term::atom(u"boom"));
        QVERIFY(restarted.wait());
        const Pid w2 = pidOf(inner, "w");
        Node::instance()->exit(w2, Term::atom(u"boom again"));
        QVERIFY(destroyed.wait());
        QCOMPARE(escalated.count(), 1);
        QCOMPARE(restarted.count(), 1);
        QCOMPARE(reasonOf(innerPid), QStringLiteral("shutdown"));
    };

    const Pid inner1 = pidOf(outer, "inner");
    crashInnerTwice(inner1);
    QTRY_COMPARE(outerRestarted.count(), 1); // the outer one restarts the inner one
    QCOMPARE(outerRestarted.at(0).at(1).value<Pid>(), inner1);
    const Pid inner2 = pidOf(outer, "inner");
    QVERIFY(inner2 && inner2 != inner1);
    QVERIFY(Node::instance()->isAlive(inner2));
    QVERIFY(Node::instance()->isAlive(
        pidOf(qobject_cast<Supervisor *>(Node::instance()->process(inner2).data()), "w")));

    bool innerEscalationTraced = false;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::SupervisorEscalated && e.pid == inner1)
            innerEscalationTraced = true;
    }
    QVERIFY(innerEscalationTraced);

    // The second escalation is the outer one's second restart: past its own intensity.
    crashInnerTwice(inner2);
    QTRY_VERIFY(!outerPtr);
    QCOMPARE(outerDestroyed.count(), 1);
    QCOMPARE(outerEscalated.count(), 1);
    QCOMPARE(outerRestarted.count(), 1);
    QVERIFY(!outerPtr);
    QCOMPARE(reasonOf(outerPid), QStringLiteral("shutdown"));
}

void TestSupervisor::shutdownStopsInReverseOrderOneAtATime()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne),
                           { workerSpec("a"), workerSpec("b"),
                             workerSpec("c", ChildSpec::Restart::Permanent,
                                        Worker::OnShutdown::Wait, ChildSpec::Infinity) });
    const Pid supPid = sup->pid();
    QPointer<Process> c = Node::instance()->process(pidOf(sup, "c"));
    QSignalSpy askedC(qobject_cast<Worker *>(c.data()), &Worker::terminateRequested);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    Node::instance()->shutdown(supPid);
    QVERIFY(askedC.wait());
    // c takes its time (infinity): b is not asked until c is gone.
    QCOMPARE(g_log.lines(), QStringList({ "terminate c" }));
    QVERIFY(c);
    c->exit(ExitReason::shutdown());
    QVERIFY(destroyed.wait());
    QCOMPARE(
        g_log.lines(),
        QStringList({ "terminate c", "stop c", "terminate b", "stop b", "terminate a", "stop a" }));
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));

    // The ChildTerminated events follow the same order, before the supervisor exits.
    QStringList order;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildTerminated && e.supervisor == supPid)
            order.append(e.childId);
        if (e.type == TraceEvent::Type::ProcessExited && e.pid == supPid)
            order.append("supervisor");
    }
    QCOMPARE(order, QStringList({ "c", "b", "a", "supervisor" }));
}

void TestSupervisor::shutdownTimeoutKillsAStubbornChild()
{
    Supervisor *sup = make(
        flags(Supervisor::Strategy::OneForOne),
        { workerSpec("polite", ChildSpec::Restart::Permanent, Worker::OnShutdown::Exit, 20),
          workerSpec("stubborn", ChildSpec::Restart::Permanent, Worker::OnShutdown::Ignore, 20) });
    const Pid stubborn = pidOf(sup, "stubborn");
    const Pid polite = pidOf(sup, "polite");
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    QSignalSpy exited(sup, &Supervisor::childExited);

    sup->terminateChild(QStringLiteral("stubborn"));
    QVERIFY(terminated.wait());
    QCOMPARE(exited.at(0).at(2).value<Term>(), ExitReason::killed()); // the timeout fired
    QVERIFY(g_log.lines().contains("terminate stubborn")); // but it was asked first
    QCOMPARE(pidOf(sup, "stubborn"), Pid(0)); // terminated children stay down...
    QCOMPARE(sup->whichChildren().size(), 2); // ...and keep their spec
    QCOMPARE(reasonOf(stubborn), QStringLiteral("killed"));

    sup->terminateChild(QStringLiteral("polite"));
    QVERIFY(terminated.wait());
    QCOMPARE(reasonOf(polite), QStringLiteral("shutdown"));
    QCOMPARE(sup->countChildren().active, 0);
}

void TestSupervisor::brutalKillSkipsTerminate()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne),
                           { workerSpec("b", ChildSpec::Restart::Permanent,
                                        Worker::OnShutdown::Ignore, ChildSpec::BrutalKill) });
    const Pid b = pidOf(sup, "b");
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    sup->terminateChild(QStringLiteral("b"));
    QVERIFY(terminated.wait());
    QCOMPARE(reasonOf(b), QStringLiteral("killed"));
    QVERIFY(!g_log.lines().contains("terminate b"));
    QVERIFY(g_log.lines().contains("stop b"));
    bool traced = false;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildTerminated && e.pid == b) {
            QCOMPARE(e.reason, ExitReason::killed());
            QCOMPARE(e.childId, QStringLiteral("b"));
            traced = true;
        }
    }
    QVERIFY(traced);
}

void TestSupervisor::deletingTheSupervisorKillsItsChildren()
{
    auto *sup = new Supervisor(flags(Supervisor::Strategy::OneForOne),
                               { workerSpec("a"), workerSpec("b") });
    sup->start();
    const Pid a = pidOf(sup, "a"), b = pidOf(sup, "b");
    QSignalSpy aGone(Node::instance()->process(a).data(), &QObject::destroyed);
    QSignalSpy bGone(Node::instance()->process(b).data(), &QObject::destroyed);
    delete sup;
    QTRY_COMPARE(aGone.count() + bGone.count(), 2);
    QCOMPARE(reasonOf(a), QStringLiteral("killed"));
    QCOMPARE(reasonOf(b), QStringLiteral("killed"));
    for (const TraceEvent &e : std::as_const(m_events))
        QVERIFY(e.type != TraceEvent::Type::ChildRestarted);
}

namespace {
// A worker registered under `name`, as most real children are.
ChildSpec namedSpec(const QString &id, const QString &name)
{
    ChildSpec spec = workerSpec(id);
    spec.start = [id, name]() -> Process * {
        auto *w = new Worker(id);
        w->registerName(name);
        return w;
    };
    return spec;
}

ChildSpec supervisorSpec(const QString &id, const QString &name, const QList<ChildSpec> &children)
{
    ChildSpec spec;
    spec.id = id;
    spec.type = ChildSpec::Type::Supervisor;
    spec.shutdown = ChildSpec::Infinity;
    spec.start = [id, name, children]() -> Process * {
        auto *sup = new Supervisor(flags(Supervisor::Strategy::OneForOne, 1), children);
        sup->registerName(name);
        sup->start();
        g_log.add(QStringLiteral("start ") + id);
        return sup;
    };
    return spec;
}
} // namespace

// A supervisor's death, by any reason, takes its whole subtree down and frees
// its names before its parent acts: the restart finds the names free and
// costs exactly one restart, even under a parent that allows only one.
void TestSupervisor::deadSupervisorTakesItsSubtreeFirst_data()
{
    QTest::addColumn<bool>("nested");
    QTest::addColumn<bool>("killed"); // exit/2 kill from outside, or a crash of its own
    QTest::newRow("workers, killed") << false << true;
    QTest::newRow("workers, crashed") << false << false;
    QTest::newRow("nested supervisor, killed") << true << true;
    QTest::newRow("nested supervisor, crashed") << true << false;
}

void TestSupervisor::deadSupervisorTakesItsSubtreeFirst()
{
    QFETCH(bool, nested);
    QFETCH(bool, killed);
    QList<ChildSpec> kids = { namedSpec("a", "subtree.a") };
    if (nested)
        kids.append(supervisorSpec("inner", "subtree.inner", { namedSpec("b", "subtree.b") }));
    else
        kids.append(namedSpec("b", "subtree.b"));
    Supervisor *top = make(flags(Supervisor::Strategy::OneForOne, 1),
                           { supervisorSpec("mid", "subtree.mid", kids) });
    const Pid mid = pidOf(top, "mid");
    const Pid a = Registry::instance()->whereis("subtree.a");
    const Pid b = Registry::instance()->whereis("subtree.b");
    QVERIFY(a && b);
    QSignalSpy restarted(top, &Supervisor::childRestarted);
    m_events.clear();

    if (killed)
        QVERIFY(Node::instance()->exit(mid, ExitReason::kill()));
    else
        QVERIFY(Node::instance()->post(mid, [](Process *p) { p->exit(Term::atom(u"crash")); }));
    QVERIFY(restarted.wait());
    QCoreApplication::processEvents();

    QCOMPARE(restarted.count(), 1);
    QVERIFY(!top->isExiting());
    for (const Pid old : { mid, a, b })
        QVERIFY(!Node::instance()->isAlive(old));
    // Every process of the new subtree runs under its name again.
    for (const char *name : { "subtree.mid", "subtree.a", "subtree.b" }) {
        const Pid now = Registry::instance()->whereis(QString::fromLatin1(name));
        QVERIFY2(now && now != mid && now != a && now != b, name);
    }
    // Cause before effect: every old death, then subtree_down, then the restart.
    qsizetype lastDeath = -1, down = -1, restart = -1;
    for (qsizetype i = 0; i < m_events.size(); ++i) {
        const TraceEvent &e = m_events.at(i);
        if (e.type == TraceEvent::Type::ProcessExited && (e.pid == a || e.pid == b))
            lastDeath = i;
        if (e.type == TraceEvent::Type::SubtreeDown && e.pid == mid)
            down = i;
        if (e.type == TraceEvent::Type::ChildRestarted && e.childId == QLatin1String("mid"))
            restart = i;
        QVERIFY(e.type != TraceEvent::Type::ChildStartFailed);
        QVERIFY(e.type != TraceEvent::Type::SupervisorEscalated);
    }
    QVERIFY(lastDeath >= 0 && lastDeath < down && down < restart);
    // The children die of their supervisor's reason.
    const QString reason = killed ? QStringLiteral("killed") : QStringLiteral("crash");
    QCOMPARE(reasonOf(a), reason);
    QCOMPARE(reasonOf(b), reason);
}

// A supervisor traps exits: its parent's stop request (and an exit signal from
// the parent) runs its orderly shutdown; a signal from elsewhere is only reported.
void TestSupervisor::parentShutsDownATrappingSupervisor()
{
    Supervisor *top = make(flags(Supervisor::Strategy::OneForOne),
                           { supervisorSpec("mid", "trap.mid", { workerSpec("a") }) });
    const Pid mid = pidOf(top, "mid");
    auto *stranger = new Process;
    {
        ProcessScope scope(stranger->pid());
        QVERIFY(Node::instance()->exit(mid, ExitReason::shutdown()));
    }
    QTRY_VERIFY(std::any_of(m_events.cbegin(), m_events.cend(), [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ExitSignal && e.pid == mid && e.trapped;
    }));
    QVERIFY(Node::instance()->isAlive(mid));
    delete stranger;

    QSignalSpy terminated(top, &Supervisor::childTerminated);
    top->terminateChild("mid");
    QVERIFY(terminated.wait());
    QCOMPARE(reasonOf(mid), QStringLiteral("shutdown"));
    QVERIFY(g_log.lines().contains("terminate a")); // it stopped its child in order first
}

void TestSupervisor::dynamicChildrenAndTheirErrors()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne), { workerSpec("a") });
    QSignalSpy started(sup, &Supervisor::childStarted);
    QSignalSpy terminated(sup, &Supervisor::childTerminated);

    const Pid x = sup->startChild(workerSpec("x"));
    QVERIFY(Node::instance()->isAlive(x));
    QCOMPARE(started.count(), 1);
    QCOMPARE(ids(sup), QStringList({ "a", "x" }));
    QCOMPARE(errorOf([&] { sup->startChild(workerSpec("x")); }), Error::Code::Running);
    QCOMPARE(errorOf([&] { sup->restartChild("x"); }), Error::Code::Running);
    QCOMPARE(errorOf([&] { sup->deleteChild("x"); }), Error::Code::Running);
    QCOMPARE(errorOf([&] { sup->startChild(); }), Error::Code::BadArg); // not simple

    sup->terminateChild(QStringLiteral("x"));
    QVERIFY(terminated.wait());
    QCOMPARE(pidOf(sup, "x"), Pid(0));
    QCOMPARE(sup->countChildren().specs, 2);
    QCOMPARE(sup->countChildren().active, 1);
    QCOMPARE(errorOf([&] { sup->startChild(workerSpec("x")); }), Error::Code::AlreadyPresent);

    const Pid x2 = sup->restartChild(QStringLiteral("x"));
    QVERIFY(x2 && x2 != x && Node::instance()->isAlive(x2));
    QCOMPARE(pidOf(sup, "x"), x2);

    sup->terminateChild(QStringLiteral("x"));
    QVERIFY(terminated.wait());
    sup->deleteChild(QStringLiteral("x"));
    QCOMPARE(ids(sup), QStringList({ "a" }));
    QCOMPARE(errorOf([&] { sup->deleteChild("x"); }), Error::Code::NotFound);
    QCOMPARE(errorOf([&] { sup->restartChild("x"); }), Error::Code::NotFound);
    QCOMPARE(errorOf([&] { sup->terminateChild(QStringLiteral("x")); }), Error::Code::NotFound);
    QCOMPARE(errorOf([&] { sup->terminateChild(Pid(x2)); }), Error::Code::NotFound);

    // A start that throws: StartFailed, and nothing is added.
    ChildSpec bad = workerSpec("bad");
    bad.start = []() -> Process * {
        throw std::runtime_error("no database");
    };
    QCOMPARE(errorOf([&] { sup->startChild(bad); }), Error::Code::StartFailed);
    QCOMPARE(ids(sup), QStringList({ "a" }));

    // A temporary child's spec goes away once it is terminated.
    const Pid t = sup->startChild(workerSpec("t", ChildSpec::Restart::Temporary));
    QVERIFY(t);
    sup->terminateChild(t); // by pid works for any strategy
    QVERIFY(terminated.wait());
    QCOMPARE(ids(sup), QStringList({ "a" }));
    QCOMPARE(errorOf([&] { sup->startChild(ChildSpec()); }), Error::Code::BadArg);
}

void TestSupervisor::restartingChildErrors()
{
    // "w" starts once, then its start fails once: the crash leaves it
    // restarting until the queued retry succeeds.
    int starts = 0;
    ChildSpec w;
    w.id = "w";
    w.start = [&starts]() -> Process * {
        if (++starts == 2)
            throw std::runtime_error("port busy");
        return new Worker("w");
    };
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne, 5), { w });
    const Pid w1 = pidOf(sup, "w");

    // Probe the API at the moment the restart fails, from inside the supervisor's handler.
    QList<Error::Code> codes;
    bool restartingSeen = false;
    const auto probe = connect(Trace::instance(), &Trace::event, this, [&](const TraceEvent &e) {
        if (e.type != TraceEvent::Type::ChildStartFailed || e.supervisor != sup->pid())
            return;
        QCOMPARE(e.reason.format(), QStringLiteral("{exception,\"port busy\"}"));
        restartingSeen = sup->whichChildren().value(0).restarting;
        codes.append(errorOf([&] { sup->restartChild("w"); }));
        codes.append(errorOf([&] { sup->deleteChild("w"); }));
    });
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    Node::instance()->exit(w1, Term::atom(u"boom"));
    QVERIFY(restarted.wait());
    QVERIFY(restartingSeen);
    QCOMPARE(codes, QList<Error::Code>({ Error::Code::Restarting, Error::Code::Restarting }));
    QCOMPARE(starts, 3);
    QCOMPARE(restarted.at(0).at(1).value<Pid>(), w1); // from the last life it had
    QVERIFY(!sup->whichChildren().value(0).restarting);
    disconnect(probe);
}

void TestSupervisor::ignoreLeavesTheChildDown()
{
    ChildSpec ignored;
    ignored.id = "ignored";
    ignored.start = []() -> Process * {
        return nullptr;
    };
    ChildSpec ignoredTemp = ignored;
    ignoredTemp.id = "ignored_temp";
    ignoredTemp.restart = ChildSpec::Restart::Temporary;
    Supervisor *sup =
        make(flags(Supervisor::Strategy::OneForOne), { workerSpec("a"), ignored, ignoredTemp });
    QCOMPARE(ids(sup), QStringList({ "a", "ignored" }));
    QCOMPARE(pidOf(sup, "ignored"), Pid(0));
    QCOMPARE(sup->startChild(ignoredTemp), Pid(0));
    QCOMPARE(ids(sup), QStringList({ "a", "ignored" }));
    QCOMPARE(sup->restartChild("ignored"), Pid(0));
}

void TestSupervisor::failedStartAtBootFailsTheSupervisor()
{
    ChildSpec b;
    b.id = "b";
    b.start = []() -> Process * {
        throw std::runtime_error("no config");
    };
    auto *sup = new Supervisor(flags(Supervisor::Strategy::OneForOne),
                               { workerSpec("a"), b, workerSpec("c") });
    const Pid supPid = sup->pid();
    QSignalSpy destroyed(sup, &QObject::destroyed);
    try {
        sup->start();
        QFAIL("start() should have thrown");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::StartFailed);
        QVERIFY(e.message().contains("no config"));
        // OTP's start_link result: {error, {shutdown, {failed_to_start_child, b, Reason}}}.
        QCOMPARE(e.reason().format(),
                 QStringLiteral("{shutdown,{failed_to_start_child,b,{exception,\"no config\"}}}"));
    }
    QVERIFY(destroyed.wait()); // it stops what it started, then exits by itself
    QCOMPARE(g_log.lines(), QStringList({ "start a", "terminate a", "stop a" }));
    QCOMPARE(reasonOf(supPid),
             QStringLiteral("{shutdown,{failed_to_start_child,b,{exception,\"no config\"}}}"));
    bool traced = false;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildStartFailed && e.supervisor == supPid) {
            QCOMPARE(e.childId, QStringLiteral("b"));
            QCOMPARE(e.reason.format(), QStringLiteral("{exception,\"no config\"}"));
            traced = true;
        }
    }
    QVERIFY(traced);
}

// OTP 25's gen_server unregisters a failed init's name before start_link
// returns, so a parent retrying the start at once finds the name free.
void TestSupervisor::failedStartFreesTheNameAtOnce()
{
    ChildSpec b;
    b.id = "b";
    b.start = []() -> Process * {
        throw Error(Error::Code::StartFailed, QStringLiteral("no"), Term::atom(u"oops"));
    };
    auto *sup = new Supervisor(flags(Supervisor::Strategy::OneForOne), { workerSpec("a"), b });
    sup->registerName(QStringLiteral("failing_sup"));
    QSignalSpy destroyed(sup, &QObject::destroyed);
    QCOMPARE(errorOf([&] { sup->start(); }), Error::Code::StartFailed);
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("failing_sup")), Pid(0));
    auto *again = new Supervisor(flags(Supervisor::Strategy::OneForOne), { workerSpec("c") });
    again->registerName(QStringLiteral("failing_sup"));
    again->start();
    QVERIFY(destroyed.wait());
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("failing_sup")), again->pid());
    stop(again);
}

void TestSupervisor::failedRestartCountsTowardIntensity()
{
    int starts = 0;
    ChildSpec w;
    w.id = "w";
    w.start = [&starts]() -> Process * {
        if (++starts > 1)
            throw std::runtime_error("disk full");
        return new Worker("w");
    };
    // Intensity 2: the crash's restart and one retry fail, the next retry
    // is the third restart in the period.
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne, 2), { workerSpec("a"), w });
    const Pid supPid = sup->pid();
    QSignalSpy escalated(sup, &Supervisor::escalated);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    Node::instance()->exit(pidOf(sup, "w"), Term::atom(u"boom"));
    QVERIFY(destroyed.wait());
    QCOMPARE(escalated.count(), 1);
    QCOMPARE(starts, 3);
    int failures = 0;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildStartFailed && e.supervisor == supPid)
            ++failures;
        if (e.type == TraceEvent::Type::SupervisorEscalated && e.pid == supPid)
            QCOMPARE(e.childId, QStringLiteral("w"));
    }
    QCOMPARE(failures, 2);
    QCOMPARE(g_log.lines(), QStringList({ "stop w", "terminate a", "stop a" }));
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
}

void TestSupervisor::childOnWorkerThreadIsRestarted()
{
    QThread thread;
    thread.start();
    ChildSpec spec = workerSpec("remote");
    spec.start = [&thread]() -> Process * {
        auto *w = new Worker("remote");
        w->moveToThread(&thread);
        return w;
    };
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne), { spec, workerSpec("local") });
    const Pid r1 = pidOf(sup, "remote");
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    Node::instance()->exit(r1, Term::atom(u"boom"));
    QVERIFY(restarted.wait());
    const Pid r2 = pidOf(sup, "remote");
    QVERIFY(r2 != r1);
    QVERIFY(Node::instance()->isAlive(r2));
    QCOMPARE(reasonOf(r1), QStringLiteral("boom"));

    // The orderly shutdown crosses the thread too.
    g_log.clear();
    stop(sup);
    QCOMPARE(g_log.lines(),
             QStringList({ "terminate local", "stop local", "terminate remote", "stop remote" }));
    QVERIFY(!Node::instance()->isAlive(r2));
    thread.quit();
    thread.wait();
}

// Lets a Worker in Wait mode, asked to stop, finish its exit.
void release(Pid pid)
{
    QPointer<Process> p = Node::instance()->process(pid);
    QVERIFY(p);
    p->exit(ExitReason::shutdown());
}

void TestSupervisor::shutdownDuringARestartWinsOverIt()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForAll),
                           { workerSpec("a"), workerSpec("b"),
                             workerSpec("c", ChildSpec::Restart::Permanent,
                                        Worker::OnShutdown::Wait, ChildSpec::Infinity) });
    const Pid c = pidOf(sup, "c");
    QSignalSpy askedC(qobject_cast<Worker *>(Node::instance()->process(c).data()),
                      &Worker::terminateRequested);
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    Node::instance()->exit(pidOf(sup, "a"), Term::atom(u"boom"));
    QVERIFY(askedC.wait()); // the one_for_all restart is stopping c
    Node::instance()->shutdown(sup->pid());
    // Let the shutdown request arrive while c still holds the sequence up.
    QTRY_VERIFY(g_log.lines().contains("terminate c"));
    release(c);
    QVERIFY(destroyed.wait());
    QCOMPARE(restarted.count(), 0); // nothing restarts once a shutdown is asked
    QCOMPARE(g_log.lines(),
             QStringList({ "stop a", "terminate c", "stop c", "terminate b", "stop b" }));
}

void TestSupervisor::crashDuringAStopSequenceIsHandledAfterIt()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::RestForOne),
                           { workerSpec("a"), workerSpec("b"),
                             workerSpec("c", ChildSpec::Restart::Permanent,
                                        Worker::OnShutdown::Wait, ChildSpec::Infinity) });
    const Pid a = pidOf(sup, "a");
    const Pid c = pidOf(sup, "c");
    QSignalSpy askedC(qobject_cast<Worker *>(Node::instance()->process(c).data()),
                      &Worker::terminateRequested);
    QSignalSpy exited(sup, &Supervisor::childExited);
    g_log.clear();
    Node::instance()->exit(pidOf(sup, "b"), Term::atom(u"boom"));
    QVERIFY(askedC.wait()); // rest_for_one: c is being stopped
    // a crashes now: its restart must wait for the running sequence.
    Node::instance()->exit(a, Term::atom(u"boom too"));
    QTRY_COMPARE(exited.count(), 2);
    QCOMPARE(pidOf(sup, "a"), Pid(0));
    QCOMPARE(pidOf(sup, "c"), c);

    // Releasing c finishes the first restart (b, c), then a's crash is
    // handled: rest_for_one stops the new c and b, and starts a, b, c.
    const int before = g_log.lines().size();
    release(c);
    QTRY_VERIFY(g_log.lines().size() > before && g_log.lines().last() == "terminate c");
    release(pidOf(sup, "c"));
    QTRY_COMPARE(pidOf(sup, "c") != 0 && pidOf(sup, "a") != 0, true);
    QCOMPARE(g_log.lines(),
             QStringList({ "stop b", "terminate c", "stop a", "stop c", "start b", "start c",
                           "terminate c", "stop c", "terminate b", "stop b", "start a", "start b",
                           "start c" }));
    for (const Supervisor::ChildInfo &ci : sup->whichChildren())
        QVERIFY(Node::instance()->isAlive(ci.pid));
    // The new c waits to be released again at cleanup.
    const Pid c3 = pidOf(sup, "c");
    connect(qobject_cast<Worker *>(Node::instance()->process(c3).data()),
            &Worker::terminateRequested, this, [c3] { release(c3); });
}

void TestSupervisor::invalidArguments()
{
    QCOMPARE(errorOf([] { Supervisor s(flags(Supervisor::Strategy::SimpleOneForOne), {}); }),
             Error::Code::BadArg);
    QCOMPARE(errorOf([] {
                 Supervisor s(flags(Supervisor::Strategy::OneForOne),
                              { workerSpec("a"), workerSpec("a") });
             }),
             Error::Code::BadArg);
    QCOMPARE(errorOf([] { Supervisor s(flags(Supervisor::Strategy::OneForOne, -1), {}); }),
             Error::Code::BadArg);
    QCOMPARE(QLatin1String(Supervisor::strategyName(Supervisor::Strategy::RestForOne)),
             QLatin1String("rest_for_one"));
    QCOMPARE(QLatin1String(ChildSpec::restartName(ChildSpec::Restart::Transient)),
             QLatin1String("transient"));
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne), {});
    QCOMPARE(errorOf([&] { sup->start(); }), Error::Code::BadArg); // already started
}

namespace {

// A start function that fails when its script says: on the calls listed in
// `failing` (1-based), or on every call from `failFrom` on. A failure is
// logged as "fail <id>" and is OTP's {error, scripted}.
struct Script
{
    int calls = 0;
    QSet<int> failing;
    int failFrom = 0;
};

ChildSpec scriptedSpec(const QString &id, const std::shared_ptr<Script> &script,
                       ChildSpec::Restart restart = ChildSpec::Restart::Permanent)
{
    ChildSpec spec = workerSpec(id, restart);
    spec.start = [id, script]() -> Process * {
        const int n = ++script->calls;
        if (script->failing.contains(n) || (script->failFrom > 0 && n >= script->failFrom)) {
            g_log.add(QStringLiteral("fail ") + id);
            throw Error(Error::Code::StartFailed, QStringLiteral("scripted failure"),
                        Term::atom(u"scripted"));
        }
        return new Worker(id);
    };
    return spec;
}

// A supervisor child registered under `name`, with its own flags.
ChildSpec namedSupervisorSpec(const QString &id, const QString &name, const Supervisor::Flags &f,
                              const QList<ChildSpec> &children)
{
    ChildSpec spec;
    spec.id = id;
    spec.type = ChildSpec::Type::Supervisor;
    spec.shutdown = ChildSpec::Infinity;
    spec.start = [name, f, children]() -> Process * {
        auto *sup = new Supervisor(f, children);
        sup->registerName(name);
        sup->start();
        return sup;
    };
    return spec;
}

Supervisor *supervisorNamed(const QString &name)
{
    const Pid pid = Registry::instance()->whereis(name);
    return qobject_cast<Supervisor *>(Node::instance()->process(pid).data());
}

// Every registered name that starts with `prefix`, and its pid now.
QHash<QString, Pid> namesWith(const QString &prefix)
{
    QHash<QString, Pid> out;
    const QHash<QString, Pid> all = Registry::instance()->names();
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (it.key().startsWith(prefix))
            out.insert(it.key(), it.value());
    }
    return out;
}

// The names whose pid differs between two snapshots (or that one lacks).
QStringList changed(const QHash<QString, Pid> &before, const QHash<QString, Pid> &after)
{
    QStringList out;
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (after.value(it.key()) != it.value())
            out.append(it.key());
    }
    out.sort();
    return out;
}

int countEvents(const QList<TraceEvent> &events, TraceEvent::Type type, Pid supervisor)
{
    return int(std::count_if(events.cbegin(), events.cend(), [&](const TraceEvent &e) {
        return e.type == type && (e.supervisor == supervisor || e.pid == supervisor);
    }));
}

} // namespace

// OTP's one_for_all_other_child_fails_restart (checked on OTP 25 too): a's
// crash restarts the group, a starts again but b's start fails. The retry
// (try_again_restart) restarts the whole group once more, so the a it had
// just started is stopped with `shutdown` first, and counts as a restart:
// with intensity 1 it is one too many and the supervisor gives up.
void TestSupervisor::oneForAllOtherChildFailsRestart_data()
{
    QTest::addColumn<int>("intensity");
    QTest::newRow("intensity 3: the retry brings both back") << 3;
    QTest::newRow("intensity 1: the retry escalates") << 1;
}

void TestSupervisor::oneForAllOtherChildFailsRestart()
{
    QFETCH(int, intensity);
    auto b = std::make_shared<Script>();
    b->failing = { 2 }; // the boot start works, the first restart fails
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForAll, intensity),
                           { workerSpec("a"), scriptedSpec("b", b) });
    const Pid supPid = sup->pid();
    const Pid a1 = pidOf(sup, "a"), b1 = pidOf(sup, "b");
    QSignalSpy started(sup, &Supervisor::childStarted);
    QSignalSpy escalated(sup, &Supervisor::escalated);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    Node::instance()->exit(a1, Term::atom(u"boom"));
    if (intensity == 1) {
        QVERIFY(destroyed.wait());
        QCOMPARE(g_log.lines(),
                 QStringList({ "stop a", "terminate b", "stop b", "start a", "fail b",
                               "terminate a", "stop a" }));
        QCOMPARE(escalated.count(), 1);
        QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
        QCOMPARE(reasonOf(started.at(0).at(1).value<Pid>()), QStringLiteral("shutdown"));
        QCOMPARE(b->calls, 2);
        return;
    }
    QTRY_COMPARE(started.count(), 3); // a, then a and b again
    QCOMPARE(g_log.lines(),
             QStringList({ "stop a", "terminate b", "stop b", "start a", "fail b", "terminate a",
                           "stop a", "start a", "start b" }));
    const Pid a2 = started.at(0).at(1).value<Pid>();
    QCOMPARE(reasonOf(a2), QStringLiteral("shutdown")); // OTP's restarting_child_not_terminated
    QCOMPARE(reasonOf(b1), QStringLiteral("shutdown"));
    const Pid a3 = pidOf(sup, "a"), b3 = pidOf(sup, "b");
    QCOMPARE(started.at(1).at(1).value<Pid>(), a3);
    QCOMPARE(started.at(2).at(1).value<Pid>(), b3);
    QVERIFY(Node::instance()->isAlive(a3) && Node::instance()->isAlive(b3));
    QVERIFY(a3 != a2 && a3 != a1 && b3 != b1);
    QCOMPARE(b->calls, 3);
    QCOMPARE(escalated.count(), 0);
    QVERIFY(!sup->isExiting());
    QCOMPARE(countEvents(m_events, TraceEvent::Type::ChildStartFailed, supPid), 1);
    QCOMPARE(sup->countChildren().active, 2);
}

// OTP's rest_for_one_other_child_fails_restart (checked on OTP 25 too): the
// retry after b's failed start restarts b and those after it, never a again
// (OTP's restarting_started_child). x, before a, is never touched.
void TestSupervisor::restForOneOtherChildFailsRestart_data()
{
    QTest::addColumn<int>("intensity");
    QTest::newRow("intensity 3: the retry brings b back") << 3;
    QTest::newRow("intensity 1: the retry escalates") << 1;
}

void TestSupervisor::restForOneOtherChildFailsRestart()
{
    QFETCH(int, intensity);
    auto b = std::make_shared<Script>();
    b->failing = { 2 };
    Supervisor *sup = make(flags(Supervisor::Strategy::RestForOne, intensity),
                           { workerSpec("x"), workerSpec("a"), scriptedSpec("b", b) });
    const Pid supPid = sup->pid();
    const Pid x = pidOf(sup, "x"), a1 = pidOf(sup, "a"), b1 = pidOf(sup, "b");
    QSignalSpy started(sup, &Supervisor::childStarted);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    Node::instance()->exit(a1, Term::atom(u"boom"));
    if (intensity == 1) {
        QVERIFY(destroyed.wait());
        QCOMPARE(g_log.lines(),
                 QStringList({ "stop a", "terminate b", "stop b", "start a", "fail b",
                               "terminate a", "stop a", "terminate x", "stop x" }));
        QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
        return;
    }
    QTRY_COMPARE(started.count(), 2); // a, then b
    QCOMPARE(g_log.lines(),
             QStringList({ "stop a", "terminate b", "stop b", "start a", "fail b", "start b" }));
    const Pid a2 = started.at(0).at(1).value<Pid>();
    QCOMPARE(pidOf(sup, "a"), a2); // started once, kept
    QCOMPARE(pidOf(sup, "x"), x);
    QCOMPARE(reasonOf(b1), QStringLiteral("shutdown"));
    QVERIFY(Node::instance()->isAlive(pidOf(sup, "b")));
    QCOMPARE(b->calls, 3);
    QVERIFY(!sup->isExiting());
    QCOMPARE(sup->countChildren().active, 3);
}

// OTP's *_escalation cases: a restart that fails every time is retried,
// each retry counting, until the intensity gives out; then every child
// stops and the supervisor exits with `shutdown`.
void TestSupervisor::restartThatKeepsFailingEscalates_data()
{
    QTest::addColumn<Supervisor::Strategy>("strategy");
    QTest::newRow("one_for_one") << Supervisor::Strategy::OneForOne;
    QTest::newRow("one_for_all") << Supervisor::Strategy::OneForAll;
    QTest::newRow("rest_for_one") << Supervisor::Strategy::RestForOne;
    QTest::newRow("simple_one_for_one") << Supervisor::Strategy::SimpleOneForOne;
}

void TestSupervisor::restartThatKeepsFailingEscalates()
{
    QFETCH(Supervisor::Strategy, strategy);
    constexpr int intensity = 4;
    auto failing = std::make_shared<Script>();
    Supervisor *sup = nullptr;
    Pid victim = 0, bystander = 0;
    if (strategy == Supervisor::Strategy::SimpleOneForOne) {
        sup = make(flags(strategy, intensity), { scriptedSpec("t", failing) });
        victim = sup->startChild();
        bystander = sup->startChild();
        failing->failFrom = 3; // both started; every restart fails
    } else {
        failing->failFrom = 2;
        sup = make(flags(strategy, intensity), { scriptedSpec("a", failing), workerSpec("b") });
        victim = pidOf(sup, "a");
        bystander = pidOf(sup, "b");
    }
    const Pid supPid = sup->pid();
    QSignalSpy escalated(sup, &Supervisor::escalated);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    Node::instance()->exit(victim, Term::atom(u"boom"));
    QVERIFY(destroyed.wait());
    QCOMPARE(escalated.count(), 1);
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
    QVERIFY(!Node::instance()->isAlive(bystander));
    // The crash's restart and three retries fail; the fifth restart is one too many.
    QCOMPARE(countEvents(m_events, TraceEvent::Type::ChildStartFailed, supPid), intensity);
}

// OTP's temporary_bystander: a temporary child stopped by its sibling's
// one_for_all or rest_for_one restart is not restarted (nothing keeps its
// start), and the supervisor does not count it against its intensity.
void TestSupervisor::temporaryBystanderIsNotRestarted_data()
{
    QTest::addColumn<Supervisor::Strategy>("strategy");
    QTest::newRow("one_for_all") << Supervisor::Strategy::OneForAll;
    QTest::newRow("rest_for_one") << Supervisor::Strategy::RestForOne;
}

void TestSupervisor::temporaryBystanderIsNotRestarted()
{
    QFETCH(Supervisor::Strategy, strategy);
    Supervisor *sup =
        make(flags(strategy, 1),
             { workerSpec("perm"), workerSpec("temp", ChildSpec::Restart::Temporary) });
    const Pid perm = pidOf(sup, "perm"), temp = pidOf(sup, "temp");
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    QVERIFY(Node::instance()->post(perm, [](Process *p) { p->exit(ExitReason::normal()); }));
    QVERIFY(restarted.wait());
    QCOMPARE(terminated.count(), 1);
    QCOMPARE(terminated.at(0).at(1).value<Pid>(), temp);
    QCOMPARE(reasonOf(temp), QStringLiteral("shutdown"));
    QCoreApplication::processEvents();
    QCOMPARE(restarted.count(), 1);
    QCOMPARE(ids(sup), QStringList({ "perm" }));
    QVERIFY(!sup->isExiting());
    QCOMPARE(sup->countChildren().specs, 1);
    QCOMPARE(sup->countChildren().active, 1);
}

// OTP's tree/1: a one_for_all top over two one_for_one supervisors, the
// second with dynamic children only. A crash below is handled where it
// happens; a subtree that escalates is restarted together with its
// sibling, and comes back with its static children only.
void TestSupervisor::tree()
{
    auto child3 = std::make_shared<Script>();
    child3->failFrom = 2; // child3's restarts fail
    const Supervisor::Flags sub = flags(Supervisor::Strategy::OneForOne, 4);
    Supervisor *top = make(flags(Supervisor::Strategy::OneForAll, 4),
                           { namedSupervisorSpec("supchild1", "tree.sup1", sub,
                                                 { workerSpec("child1"), workerSpec("child2") }),
                             namedSupervisorSpec("supchild2", "tree.sup2", sub, {}) });
    const auto counts = [](const Supervisor *s) {
        const Supervisor::Counts n = s->countChildren();
        return QList<int>({ n.specs, n.active, n.supervisors, n.workers });
    };
    QCOMPARE(counts(top), QList<int>({ 2, 2, 2, 0 }));
    Supervisor *sup1 = supervisorNamed("tree.sup1");
    Supervisor *sup2 = supervisorNamed("tree.sup2");
    QVERIFY(sup1 && sup2);
    QCOMPARE(counts(sup1), QList<int>({ 2, 2, 0, 2 }));
    QCOMPARE(counts(sup2), QList<int>({ 0, 0, 0, 0 }));
    const Pid s1 = sup1->pid(), s2 = sup2->pid();
    const Pid c1 = pidOf(sup1, "child1"), c2 = pidOf(sup1, "child2");

    const Pid c3 = sup2->startChild(scriptedSpec("child3", child3));
    const Pid c4 = sup2->startChild(workerSpec("child4"));
    QVERIFY(c3 && c4);
    QCOMPARE(counts(sup2), QList<int>({ 2, 2, 0, 2 }));

    // Only the process that dies is restarted.
    QSignalSpy restarted2(sup2, &Supervisor::childRestarted);
    Node::instance()->exit(c4, Term::atom(u"boom"));
    QVERIFY(restarted2.wait());
    const Pid c4b = pidOf(sup2, "child4");
    QVERIFY(c4b != c4 && Node::instance()->isAlive(c4b));
    QCOMPARE(pidOf(sup2, "child3"), c3);
    QCOMPARE(pidOf(sup1, "child1"), c1);
    QCOMPARE(pidOf(sup1, "child2"), c2);
    QCOMPARE(pidOf(top, "supchild1"), s1);
    QCOMPARE(pidOf(top, "supchild2"), s2);
    QCOMPARE(counts(sup1), QList<int>({ 2, 2, 0, 2 }));
    QCOMPARE(counts(sup2), QList<int>({ 2, 2, 0, 2 }));

    // child3 cannot come back: supchild2 escalates, and the one_for_all top
    // restarts both subtrees, without the dynamic children.
    QSignalSpy topRestarted(top, &Supervisor::childRestarted);
    Node::instance()->exit(c3, Term::atom(u"boom"));
    QTRY_COMPARE(topRestarted.count(), 2);
    QCOMPARE(reasonOf(s2), QStringLiteral("shutdown")); // escalated
    QCOMPARE(reasonOf(s1), QStringLiteral("shutdown")); // stopped by the top
    for (const Pid old : { c1, c2, c3, c4b })
        QVERIFY(!Node::instance()->isAlive(old));
    QCOMPARE(child3->calls, 4); // its start, then three failed restarts; the fourth escalated
    sup1 = supervisorNamed("tree.sup1");
    sup2 = supervisorNamed("tree.sup2");
    QVERIFY(sup1 && sup2 && sup1->pid() != s1 && sup2->pid() != s2);
    QCOMPARE(pidOf(top, "supchild1"), sup1->pid());
    QCOMPARE(pidOf(top, "supchild2"), sup2->pid());
    QCOMPARE(counts(top), QList<int>({ 2, 2, 2, 0 }));
    QCOMPARE(ids(sup1), QStringList({ "child1", "child2" }));
    QCOMPARE(counts(sup1), QList<int>({ 2, 2, 0, 2 }));
    QVERIFY(sup2->whichChildren().isEmpty());
    QCOMPARE(counts(sup2), QList<int>({ 0, 0, 0, 0 }));
    QVERIFY(!top->isExiting());
}

// Killing supervisors at every level of a tree restarts exactly the
// subtree the strategies name, each level counting its own restarts, until
// the top's intensity gives out and the whole tree goes.
//
//   top (rest_for_one, 2) -> [mid1 (one_for_all, 1) -> [w1, w2],
//                             mid2 (one_for_one, 1) -> [low (one_for_one, 1) -> [w3], w5],
//                             w4]
void TestSupervisor::treeRestartsTheRightSubtrees()
{
    const auto named = [](const char *id) {
        return namedSpec(QString::fromLatin1(id), QStringLiteral("t.") + QLatin1String(id));
    };
    Supervisor *top =
        make(flags(Supervisor::Strategy::RestForOne, 2),
             { namedSupervisorSpec("mid1", "t.mid1", flags(Supervisor::Strategy::OneForAll, 1),
                                   { named("w1"), named("w2") }),
               namedSupervisorSpec(
                   "mid2", "t.mid2", flags(Supervisor::Strategy::OneForOne, 1),
                   { namedSupervisorSpec("low", "t.low", flags(Supervisor::Strategy::OneForOne, 1),
                                         { named("w3") }),
                     named("w5") }),
               named("w4") });
    const Pid topPid = top->pid();
    QHash<QString, Pid> before = namesWith("t.");
    QCOMPARE(before.size(), 8);
    const auto kill = [](const char *name) {
        QVERIFY(Node::instance()->exit(Registry::instance()->whereis(QLatin1String(name)),
                                       ExitReason::kill()));
    };

    // A nested supervisor killed: its parent restarts it, with its subtree.
    {
        QSignalSpy restarted(supervisorNamed("t.mid2"), &Supervisor::childRestarted);
        kill("t.low");
        QVERIFY(restarted.wait());
        const QHash<QString, Pid> after = namesWith("t.");
        QCOMPARE(changed(before, after), QStringList({ "t.low", "t.w3" }));
        before = after;
    }
    // A worker under one_for_all: its sibling restarts with it.
    {
        QSignalSpy restarted(supervisorNamed("t.mid1"), &Supervisor::childRestarted);
        kill("t.w1");
        QTRY_COMPARE(restarted.count(), 2);
        const QHash<QString, Pid> after = namesWith("t.");
        QCOMPARE(changed(before, after), QStringList({ "t.w1", "t.w2" }));
        before = after;
    }
    QSignalSpy topRestarted(top, &Supervisor::childRestarted);
    // The first of the top's children: rest_for_one restarts everything.
    kill("t.mid1");
    QTRY_COMPARE(topRestarted.count(), 3);
    {
        const QHash<QString, Pid> after = namesWith("t.");
        QCOMPARE(changed(before, after).size(), 8); // all but the top
        before = after;
    }
    // The second: mid1's subtree stays.
    kill("t.mid2");
    QTRY_COMPARE(topRestarted.count(), 5);
    {
        const QHash<QString, Pid> after = namesWith("t.");
        QCOMPARE(changed(before, after),
                 QStringList({ "t.low", "t.mid2", "t.w3", "t.w4", "t.w5" }));
        before = after;
    }
    // The top's third restart is past its intensity: the whole tree goes.
    QSignalSpy escalated(top, &Supervisor::escalated);
    QSignalSpy destroyed(top, &QObject::destroyed);
    kill("t.w4");
    QVERIFY(destroyed.wait());
    QCOMPARE(escalated.count(), 1);
    QCOMPARE(topRestarted.count(), 5);
    QCOMPARE(reasonOf(topPid), QStringLiteral("shutdown"));
    QVERIFY(namesWith("t.").isEmpty());
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        QVERIFY2(!Node::instance()->isAlive(it.value()), qPrintable(it.key()));
}

// OTP's hanging_restart_loop (and its _rest_for_one and _simple forms): a
// child whose restart keeps failing is "restarting" for as long as the
// intensity allows; meanwhile it is listed and counted as such, cannot be
// restarted or deleted, but can be terminated (by id, or for
// simple_one_for_one by its last pid), which ends the loop and leaves the
// children after it down; a shutdown during the loop ends the supervisor.
void TestSupervisor::hangingRestartLoopCanBeStopped_data()
{
    QTest::addColumn<Supervisor::Strategy>("strategy");
    QTest::newRow("one_for_one") << Supervisor::Strategy::OneForOne;
    QTest::newRow("rest_for_one") << Supervisor::Strategy::RestForOne;
    QTest::newRow("simple_one_for_one") << Supervisor::Strategy::SimpleOneForOne;
}

void TestSupervisor::hangingRestartLoopCanBeStopped()
{
    QFETCH(Supervisor::Strategy, strategy);
    const bool simple = strategy == Supervisor::Strategy::SimpleOneForOne;
    auto script = std::make_shared<Script>();
    Supervisor *sup = simple
        ? make(flags(strategy, 1000), { scriptedSpec("w", script) })
        : make(flags(strategy, 1000),
               { workerSpec("a"), scriptedSpec("w", script), workerSpec("c") });
    const Pid supPid = sup->pid();
    const Pid w1 = simple ? sup->startChild() : pidOf(sup, "w");
    const Pid a = simple ? 0 : pidOf(sup, "a");
    const auto entry = [&](const QString &id) {
        for (const Supervisor::ChildInfo &c : sup->whichChildren()) {
            if (c.id == id)
                return c;
        }
        return Supervisor::ChildInfo();
    };

    // At the third failure, from the supervisor's event loop (queued, so
    // before the next retry, which is queued after it).
    struct Seen
    {
        QList<Supervisor::ChildInfo> children;
        Supervisor::Counts counts;
        QList<Error::Code> codes;
    } seen;
    int failures = 0;
    std::function<void()> atThirdFailure;
    const auto probe = connect(Trace::instance(), &Trace::event, this, [&](const TraceEvent &e) {
        if (e.type == TraceEvent::Type::ChildStartFailed && e.supervisor == supPid
            && ++failures == 3)
            QMetaObject::invokeMethod(sup, atThirdFailure, Qt::QueuedConnection);
    });

    script->failFrom = script->calls + 1;
    atThirdFailure = [&] {
        seen.children = sup->whichChildren();
        seen.counts = sup->countChildren();
        seen.codes.append(errorOf([&] { sup->restartChild("w"); }));
        seen.codes.append(errorOf([&] { sup->deleteChild("w"); }));
        if (simple) {
            sup->terminateChild(w1); // its last pid ends the loop
        } else {
            seen.codes.append(errorOf([&] { sup->startChild(scriptedSpec("w", script)); }));
            sup->terminateChild(QStringLiteral("w")); // ends the loop
        }
    };
    Node::instance()->exit(w1, Term::atom(u"boom"));
    QTRY_VERIFY(!seen.codes.isEmpty());
    if (simple) {
        QCOMPARE(seen.children.size(), 1);
        QVERIFY(seen.children.first().restarting);
        QCOMPARE(seen.children.first().pid, Pid(0));
        QCOMPARE(seen.counts.specs, 1);
        QCOMPARE(seen.counts.active, 0);
        QCOMPARE(seen.counts.workers, 1);
        QCOMPARE(seen.codes, QList<Error::Code>({ Error::Code::BadArg, Error::Code::BadArg }));
    } else {
        // OTP: [{c,undefined},{w,restarting},{a,Pid}], counts [3,1,0,3].
        QCOMPARE(seen.children.size(), 3);
        QCOMPARE(seen.children.at(0).pid, a);
        QVERIFY(seen.children.at(1).restarting);
        const bool restForOne = strategy == Supervisor::Strategy::RestForOne;
        QCOMPARE(seen.children.at(2).pid != 0, !restForOne); // rest_for_one stopped c
        QVERIFY(!seen.children.at(2).restarting);
        QCOMPARE(seen.counts.specs, 3);
        QCOMPARE(seen.counts.active, restForOne ? 1 : 2);
        QCOMPARE(seen.counts.workers, 3);
        QCOMPARE(seen.codes,
                 QList<Error::Code>({ Error::Code::Restarting, Error::Code::Restarting,
                                      Error::Code::AlreadyPresent }));
    }
    // Terminated: down and staying down, no retry left queued.
    const int callsThen = script->calls;
    QCoreApplication::processEvents();
    QCOMPARE(script->calls, callsThen);
    QCOMPARE(failures, 3);
    Pid w2 = 0;
    if (simple) {
        QVERIFY(sup->whichChildren().isEmpty()); // forgotten, as OTP's [] = which_children
        QCOMPARE(sup->countChildren().active, 0);
        script->failFrom = 0;
        w2 = sup->startChild();
    } else {
        QVERIFY(!entry("w").restarting);
        QCOMPARE(entry("w").pid, Pid(0));
        // restart_child while the start still fails: the error, still down.
        QCOMPARE(errorOf([&] { sup->restartChild("w"); }), Error::Code::StartFailed);
        QCOMPARE(entry("w").pid, Pid(0));
        QVERIFY(!entry("w").restarting);
        // Once it can start, restart_child brings it back, and only it.
        script->failFrom = 0;
        w2 = sup->restartChild(QStringLiteral("w"));
        QCOMPARE(pidOf(sup, "a"), a);
        if (strategy == Supervisor::Strategy::RestForOne)
            QCOMPARE(pidOf(sup, "c"), Pid(0));
    }
    QVERIFY(w2 && Node::instance()->isAlive(w2));

    // Loop again, and shut the supervisor down in the middle of it.
    script->failFrom = script->calls + 1;
    failures = 0;
    QSignalSpy destroyed(sup, &QObject::destroyed);
    // The stop request handled right there, before the queued retry: the
    // retry finds the supervisor shutting down and starts nothing.
    atThirdFailure = [&] {
        sup->shutdown(ExitReason::shutdown());
    };
    Node::instance()->exit(w2, Term::atom(u"boom"));
    QVERIFY(destroyed.wait());
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
    QCOMPARE(failures, 3);
    disconnect(probe);
}

// OTP's count_children: many temporary simple_one_for_one children are
// counted and listed, and once killed they are gone from both.
void TestSupervisor::countChildrenOfManyTemporaryChildren()
{
    ChildSpec tmpl = workerSpec("child", ChildSpec::Restart::Temporary);
    Supervisor *sup = make(flags(Supervisor::Strategy::SimpleOneForOne), { tmpl });
    QList<Pid> pids;
    for (int i = 0; i < 1000; ++i)
        pids.append(sup->startChild());
    QCOMPARE(sup->whichChildren().size(), 1000);
    Supervisor::Counts n = sup->countChildren();
    QCOMPARE(QList<int>({ n.specs, n.active, n.supervisors, n.workers }),
             QList<int>({ 1, 1000, 0, 1000 }));
    for (int i = 0; i < 1000; ++i)
        pids.append(sup->startChild());
    n = sup->countChildren();
    QCOMPARE(QList<int>({ n.specs, n.active, n.supervisors, n.workers }),
             QList<int>({ 1, 2000, 0, 2000 }));
    QCOMPARE(sup->whichChildren().size(), 2000);
    QSignalSpy exited(sup, &Supervisor::childExited);
    for (const Pid pid : std::as_const(pids))
        QVERIFY(Node::instance()->exit(pid, ExitReason::kill()));
    QTRY_COMPARE(exited.count(), 2000);
    n = sup->countChildren();
    QCOMPARE(QList<int>({ n.specs, n.active, n.supervisors, n.workers }),
             QList<int>({ 1, 0, 0, 0 }));
    QVERIFY(sup->whichChildren().isEmpty());
}

// OTP's child_adm_simple (checked on OTP 25): terminating a
// simple_one_for_one child that is already dead is ok, as terminating a
// stopped child by id is; a live process that is not a child is not_found.
void TestSupervisor::terminateChildOfADeadSimpleChildIsOk()
{
    Supervisor *sup = make(flags(Supervisor::Strategy::SimpleOneForOne), { workerSpec("t") });
    const Pid p1 = sup->startChild();
    const Pid p2 = sup->startChild();
    QSignalSpy terminated(sup, &Supervisor::childTerminated);
    sup->terminateChild(p1);
    QVERIFY(terminated.wait());
    bool threw = false;
    try {
        sup->terminateChild(p1);
    } catch (const Error &) {
        threw = true;
    }
    QVERIFY(!threw);
    QCOMPARE(sup->whichChildren().size(), 1);
    QCOMPARE(pidOf(sup, "t"), p2);
    auto *stranger = new Process;
    QCOMPARE(errorOf([&] { sup->terminateChild(stranger->pid()); }), Error::Code::NotFound);
    QVERIFY(Node::instance()->isAlive(stranger->pid()));
    delete stranger;
    QCoreApplication::processEvents();
    QCOMPARE(terminated.count(), 1);
}

// OTP's sup_stop_timeout_dynamic, sup_stop_brutal_kill_dynamic and
// simple_one_for_one_shutdown: a simple_one_for_one supervisor's shutdown
// stops its dynamic children per the template's shutdown: with a timeout,
// each is asked, and one that does not stop is killed when it expires;
// with brutal_kill, each is killed without being asked.
void TestSupervisor::simpleChildrenStopPerTheirShutdown_data()
{
    QTest::addColumn<int>("shutdown");
    QTest::newRow("timeout") << 20;
    QTest::newRow("brutal_kill") << ChildSpec::BrutalKill;
}

void TestSupervisor::simpleChildrenStopPerTheirShutdown()
{
    QFETCH(int, shutdown);
    int n = 0;
    ChildSpec tmpl =
        workerSpec("t", ChildSpec::Restart::Permanent, Worker::OnShutdown::Exit, shutdown);
    tmpl.start = [&n]() -> Process * {
        ++n;
        // The second one ignores the request to stop.
        return new Worker(QStringLiteral("t%1").arg(n),
                          n == 2 ? Worker::OnShutdown::Ignore : Worker::OnShutdown::Exit);
    };
    Supervisor *sup = make(flags(Supervisor::Strategy::SimpleOneForOne), { tmpl });
    const Pid p1 = sup->startChild(), p2 = sup->startChild(), p3 = sup->startChild();
    const Pid supPid = sup->pid();
    g_log.clear();
    stop(sup);
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
    if (shutdown == ChildSpec::BrutalKill) {
        QCOMPARE(g_log.lines(), QStringList({ "stop t3", "stop t2", "stop t1" }));
        for (const Pid p : { p1, p2, p3 })
            QCOMPARE(reasonOf(p), QStringLiteral("killed"));
        return;
    }
    QCOMPARE(g_log.lines(),
             QStringList({ "terminate t3", "stop t3", "terminate t2", "stop t2", "terminate t1",
                           "stop t1" }));
    QCOMPARE(reasonOf(p3), QStringLiteral("shutdown"));
    QCOMPARE(reasonOf(p2), QStringLiteral("killed")); // the timeout expired
    QCOMPARE(reasonOf(p1), QStringLiteral("shutdown"));
}

// OTP's multiple_restarts: the restart intensity counts the restarts of the
// last period only. With intensity 3 and a 1 s period, three restarts at
// once are fine; a period later three more are fine again, because the first
// three left the window; a fourth within the period is one too many. A
// restart exactly one period after another still counts (OTP keeps
// `Now - Then =< Period`). The clock moves only when the test moves it.
void TestSupervisor::multipleRestartsSlideTheWindow()
{
    constexpr qint64 periodNs = 1000 * 1000000LL;
    g_fakeNowNs = 1;
    detail::setTestClock(&fakeNow);
    const auto restoreClock = qScopeGuard([] { detail::setTestClock(nullptr); });
    Supervisor *sup = make(flags(Supervisor::Strategy::OneForOne, 3, 1000), { workerSpec("a") });
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy escalated(sup, &Supervisor::escalated);
    const auto crash = [&] {
        const int before = restarted.count();
        Node::instance()->exit(pidOf(sup, "a"), Term::atom(u"boom"));
        QTRY_COMPARE(restarted.count(), before + 1);
    };
    for (int i = 0; i < 3; ++i)
        crash(); // restarts at t = 1, 1, 1
    g_fakeNowNs = 1 + periodNs + 1; // the first three are now older than the period
    for (int i = 0; i < 3; ++i)
        crash();
    QCOMPARE(escalated.count(), 0);
    QVERIFY(!sup->isExiting());

    // Exactly one period after the last three: they still count, so this
    // restart is the fourth in the window.
    g_fakeNowNs = 1 + 2 * periodNs + 1;
    const Pid supPid = sup->pid();
    QSignalSpy destroyed(sup, &QObject::destroyed);
    Node::instance()->exit(pidOf(sup, "a"), Term::atom(u"boom"));
    QVERIFY(destroyed.wait());
    QCOMPARE(escalated.count(), 1);
    QCOMPARE(restarted.count(), 6);
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
}

// OTP's sup_stop_race and sup_stop_non_shutdown_exit_dynamic: while its
// supervisor shuts it down, a child exits on its own with another reason.
// The supervisor takes that death as the end of the stop (it does not
// restart the child, does not wait out the shutdown timeout and does not
// kill a dead pid), traces it as not restarted with reason `shutdown`, and
// still stops the other children in order.
void TestSupervisor::childExitingOnItsOwnDuringShutdown_data()
{
    QTest::addColumn<Supervisor::Strategy>("strategy");
    QTest::newRow("one_for_one") << Supervisor::Strategy::OneForOne;
    QTest::newRow("simple_one_for_one") << Supervisor::Strategy::SimpleOneForOne;
}

void TestSupervisor::childExitingOnItsOwnDuringShutdown()
{
    QFETCH(Supervisor::Strategy, strategy);
    Supervisor *sup = nullptr;
    Pid first = 0, racer = 0;
    if (strategy == Supervisor::Strategy::SimpleOneForOne) {
        sup = make(flags(strategy),
                   { workerSpec("w", ChildSpec::Restart::Permanent, Worker::OnShutdown::Wait,
                                ChildSpec::Infinity) });
        first = sup->startChild();
        racer = sup->startChild();
    } else {
        sup = make(flags(strategy),
                   { workerSpec("first"),
                     workerSpec("racer", ChildSpec::Restart::Permanent, Worker::OnShutdown::Wait,
                                ChildSpec::Infinity) });
        first = pidOf(sup, "first");
        racer = pidOf(sup, "racer");
    }
    const Pid supPid = sup->pid();
    auto *racerWorker = qobject_cast<Worker *>(Node::instance()->process(racer).data());
    QVERIFY(racerWorker);
    QSignalSpy asked(racerWorker, &Worker::terminateRequested);
    QSignalSpy restarted(sup, &Supervisor::childRestarted);
    QSignalSpy destroyed(sup, &QObject::destroyed);
    g_log.clear();
    QVERIFY(Node::instance()->shutdown(supPid));
    if (strategy == Supervisor::Strategy::SimpleOneForOne) {
        // A simple_one_for_one supervisor asks all its children at once.
        QVERIFY(asked.count() == 1 || asked.wait());
    } else {
        QVERIFY(asked.wait()); // racer, the last started, is asked first
    }
    // Instead of stopping as asked, the child crashes with its own reason.
    QVERIFY(Node::instance()->post(racer, [](Process *p) { p->exit(Term::atom(u"own_reason")); }));
    if (strategy == Supervisor::Strategy::SimpleOneForOne) {
        QTRY_VERIFY(!Node::instance()->isAlive(racer));
        QVERIFY(Node::instance()->isAlive(first)); // still asked, still waited for
        release(first);
    }
    QVERIFY(destroyed.wait());
    QCOMPARE(restarted.count(), 0);
    QCOMPARE(reasonOf(racer), QStringLiteral("own_reason"));
    QCOMPARE(reasonOf(first), QStringLiteral("shutdown"));
    QCOMPARE(reasonOf(supPid), QStringLiteral("shutdown"));
    QVERIFY(!Node::instance()->isAlive(first));
    int restartedEvents = 0;
    for (const TraceEvent &e : std::as_const(m_events)) {
        if (e.type == TraceEvent::Type::ChildRestarted && e.supervisor == supPid)
            ++restartedEvents;
    }
    QCOMPARE(restartedEvents, 0);
    if (strategy == Supervisor::Strategy::OneForOne) {
        // Stopped in reverse start order: the racer's death ended its stop,
        // and only then was `first` asked.
        QCOMPARE(g_log.lines(),
                 QStringList({ "terminate racer", "stop racer", "terminate first", "stop first" }));
    }
}

QTEST_GUILESS_MAIN(TestSupervisor)
#include "tst_supervisor.moc"
