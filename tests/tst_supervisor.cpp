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

#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

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
    void terminateChildOfADeadSimpleChildIsOk();

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

QTEST_GUILESS_MAIN(TestSupervisor)
#include "tst_supervisor.moc"
