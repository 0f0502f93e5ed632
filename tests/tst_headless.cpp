// The ScenarioRunner in-process (the seed's example with a scripted kill, the
// GUI's actions, boot delays, pause) and the immortal-studio binary headless.

#include "scenario.h"
#include "scenariorunner.h"
#include "scenarioworker.h"

#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/node.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <memory>

using namespace immortal;

namespace {

const QString consumerName = QStringLiteral("TableConsumer");

QList<TraceEvent> eventsOf(const QSignalSpy &spy)
{
    QList<TraceEvent> out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).value<TraceEvent>());
    return out;
}

// The first event matching, or one with seq 0.
template<typename Pred>
TraceEvent findEvent(const QSignalSpy &spy, Pred pred)
{
    for (const TraceEvent &e : eventsOf(spy)) {
        if (pred(e))
            return e;
    }
    return {};
}

std::optional<TableInfo> consumerTable()
{
    try {
        return Table::named(consumerName).info();
    } catch (const Error &) {
        return std::nullopt;
    }
}

bool ownedBy(Pid pid)
{
    const auto info = consumerTable();
    return pid != 0 && info && info->owner == pid;
}

} // namespace

class TestHeadless : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void scriptedKillKeepsTheTable();
    void resolvesNamesAndChildIds();
    void throwInsideAHandlerCrashesTheWorker();
    void terminateAndRestartChild();
    void bootDelayLetsTheManagerHoldTheTable();
    void pauseStopsTheWorkload();
    void stopCleansUp();
    void destroyingTheRunnerKillsTheTree();
    void ownTablesAndKeyPositions();
    void otpBehavioursRunAsScripted();
    void failingRestartsEscalate();

    void binaryHeadlessRun();
    void binaryWritesTrace();
    void binaryBadArguments_data();
    void binaryBadArguments();
    void binaryWithoutDisplayRunsHeadless();
    void binaryScreenshot();
    void binaryRootExitCountsOrphanedTables();
    void binaryTraceWriteErrorIsAnError();
    void binarySignalEndsTheRunInOrder_data();
    void binarySignalEndsTheRunInOrder();
    void binaryLongScriptDoesNotHoldOffTheEnd();
    void binaryPathologicalChaosFilterIsRefused();

private:
    void startDefault(const QList<Scenario::Action> &script = {});
    QProcess *runStudio(const QStringList &args,
                        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    std::unique_ptr<ScenarioRunner> m_runner;
    std::unique_ptr<QProcess> m_studio;
    std::unique_ptr<QSignalSpy> m_actions; // the runner's scriptActionDone, from before start
};

void TestHeadless::initTestCase()
{
    qRegisterMetaType<TraceEvent>();
}

void TestHeadless::cleanup()
{
    if (m_runner && m_runner->isRunning()) {
        QSignalSpy stopped(m_runner.get(), &ScenarioRunner::stopped);
        m_runner->stop();
        QVERIFY(stopped.wait(10000));
    }
    m_actions.reset();
    m_runner.reset();
    // The next test starts from a clean node: no names, no tables of ours.
    QTRY_COMPARE(Registry::instance()->whereis(consumerName), Pid(0));
    QTRY_VERIFY(!consumerTable());
    m_studio.reset();
}

void TestHeadless::startDefault(const QList<Scenario::Action> &script)
{
    Scenario s = Scenario::defaultScenario();
    for (const Scenario::Action &a : script)
        s.addAction(a);
    m_runner = std::make_unique<ScenarioRunner>(s);
    QSignalSpy started(m_runner.get(), &ScenarioRunner::started);
    m_actions = std::make_unique<QSignalSpy>(m_runner.get(), &ScenarioRunner::scriptActionDone);
    m_runner->start();
    QCOMPARE(started.size(), 1);
    QVERIFY(m_runner->isRunning());
    // The manager hands the table to the consumer.
    QTRY_VERIFY(ownedBy(m_runner->resolve(consumerName)));
}

void TestHeadless::scriptedKillKeepsTheTable()
{
    QSignalSpy trace(Trace::instance(), &Trace::event);
    Scenario::Action kill;
    kill.target = consumerName;
    kill.atMs = 1000;
    kill.reason = ExitReason::kill();
    startDefault({ kill });
    QSignalSpy &done = *m_actions;

    const Pid first = m_runner->resolve(consumerName);
    const Pid manager = m_runner->resolve(QStringLiteral("TableManager"));
    const TableId table = consumerTable()->id;
    // A row of our own in the public table: it must survive the crash.
    Table::fromId(table).insert({ Term::atom(u"marker"), 42 });

    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
    QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("kill TableConsumer (kill)"));

    // Wait on the trace until the restarted consumer owns the table again.
    QTRY_VERIFY_WITH_TIMEOUT(findEvent(
                                 trace,
                                 [&](const TraceEvent &e) {
                                     return e.type == TraceEvent::Type::TableGivenAway
                                         && e.table == table && e.to != first && e.to != 0
                                         && e.from == manager;
                                 }).seq
                                 != 0,
                             10000);
    const Pid second = m_runner->resolve(consumerName);
    QVERIFY(second != 0 && second != first);
    QTRY_VERIFY(ownedBy(second));

    // The same table came back through the manager, rows intact.
    const TraceEvent back = findEvent(trace, [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::TableTransferred && e.table == table && e.from == first;
    });
    QCOMPARE(back.to, manager);
    QCOMPARE(consumerTable()->id, table);
    const Rows marker = Table::fromId(table).lookup(Term::atom(u"marker"));
    QCOMPARE(marker.size(), 1);
    QCOMPARE(marker.at(0).at(1), Term(42));
    QVERIFY(Table::fromId(table).member(Term::atom(u"counter")));
    QVERIFY(
        findEvent(trace, [](const TraceEvent &e) { return e.type == TraceEvent::Type::TableLost; })
            .seq
        == 0);

    const ScenarioRunner::Stats stats = m_runner->stats();
    QCOMPARE(stats.restarts, 1);
    QCOMPARE(stats.tablesLost, 0);
    QCOMPARE(stats.processes, 3);
    QVERIFY(stats.rows >= 2);
}

void TestHeadless::resolvesNamesAndChildIds()
{
    startDefault();
    const Pid consumer = m_runner->resolve(consumerName);
    QVERIFY(consumer != 0);
    QCOMPARE(m_runner->resolve(QStringLiteral("consumer")), consumer);
    QCOMPARE(m_runner->resolve(QStringLiteral("manager")),
             Registry::instance()->whereis(QStringLiteral("TableManager")));
    QCOMPARE(m_runner->resolve(QStringLiteral("YourApp.Supervisor")), m_runner->rootPid());
    QCOMPARE(m_runner->resolve(QStringLiteral("Nobody")), Pid(0));
    QCOMPARE(m_runner->treePids().size(), 3);
    QVERIFY(m_runner->treePids().contains(consumer));
    QVERIFY(!m_runner->kill(QStringLiteral("Nobody")));
}

void TestHeadless::throwInsideAHandlerCrashesTheWorker()
{
    startDefault();
    QSignalSpy trace(Trace::instance(), &Trace::event);
    const Pid first = m_runner->resolve(QStringLiteral("consumer"));
    QVERIFY(m_runner->exitBySelf(QStringLiteral("consumer"), Scenario::throwReason()));
    QTRY_VERIFY(findEvent(trace,
                          [&](const TraceEvent &e) {
                              return e.type == TraceEvent::Type::ProcessExited && e.pid == first;
                          })
                    .seq
                != 0);
    const TraceEvent exited = findEvent(trace, [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ProcessExited && e.pid == first;
    });
    QVERIFY2(exited.reason.format().contains(QStringLiteral("thrown from the GUI")),
             qPrintable(exited.reason.format()));
    QTRY_VERIFY(ownedBy(m_runner->resolve(consumerName))
                && m_runner->resolve(consumerName) != first);
}

void TestHeadless::terminateAndRestartChild()
{
    startDefault();
    QSignalSpy trace(Trace::instance(), &Trace::event);
    const Pid manager = m_runner->resolve(QStringLiteral("TableManager"));
    QVERIFY(!m_runner->restartChild(consumerName)); // running: OTP says no

    QVERIFY(m_runner->terminateChild(consumerName));
    QTRY_VERIFY(findEvent(trace,
                          [](const TraceEvent &e) {
                              return e.type == TraceEvent::Type::ChildTerminated
                                  && e.childId == QLatin1String("consumer");
                          })
                    .seq
                != 0);
    QCOMPARE(m_runner->resolve(QStringLiteral("consumer")), Pid(0));
    QTRY_VERIFY(ownedBy(manager)); // the manager holds it meanwhile

    QVERIFY(m_runner->restartChild(QStringLiteral("consumer")));
    QTRY_VERIFY(ownedBy(m_runner->resolve(consumerName)));
    QVERIFY(m_runner->resolve(consumerName) != manager);
}

void TestHeadless::bootDelayLetsTheManagerHoldTheTable()
{
    startDefault();
    QCOMPARE(m_runner->bootDelay(consumerName), 0);
    QVERIFY_THROWS_EXCEPTION(Error, m_runner->setBootDelay(consumerName, 5001));
    QVERIFY_THROWS_EXCEPTION(Error, m_runner->setBootDelay(QStringLiteral("manager"), 10));
    m_runner->setBootDelay(QStringLiteral("consumer"), 300);
    QCOMPARE(m_runner->bootDelay(consumerName), 300);
    QCOMPARE(m_runner->bootDelay(QStringLiteral("manager")), -1);

    QSignalSpy trace(Trace::instance(), &Trace::event);
    const Pid first = m_runner->resolve(consumerName);
    const Pid manager = m_runner->resolve(QStringLiteral("TableManager"));
    QVERIFY(m_runner->kill(consumerName));
    QTRY_VERIFY(ownedBy(m_runner->resolve(consumerName))
                && m_runner->resolve(consumerName) != first);
    const Pid second = m_runner->resolve(consumerName);

    // Order, not time: restarted, then (after its delay) registered, then
    // handed the table; the manager held it in between.
    const auto seqOf = [&](TraceEvent::Type type, auto pred) {
        return findEvent(trace, [&](const TraceEvent &e) { return e.type == type && pred(e); }).seq;
    };
    const quint64 transferred = seqOf(TraceEvent::Type::TableTransferred,
                                      [&](const TraceEvent &e) { return e.to == manager; });
    const quint64 restarted = seqOf(TraceEvent::Type::ChildRestarted,
                                    [&](const TraceEvent &e) { return e.pid == second; });
    const quint64 registered = seqOf(TraceEvent::Type::NameRegistered, [&](const TraceEvent &e) {
        return e.pid == second && e.name == consumerName;
    });
    const quint64 handed = seqOf(TraceEvent::Type::TableGivenAway,
                                 [&](const TraceEvent &e) { return e.to == second; });
    QVERIFY(transferred != 0 && restarted != 0 && registered != 0 && handed != 0);
    QVERIFY(transferred < restarted);
    QVERIFY(restarted < registered);
    QVERIFY(registered < handed);
}

void TestHeadless::pauseStopsTheWorkload()
{
    startDefault();
    const TableId table = consumerTable()->id;
    QTRY_VERIFY(Table::fromId(table).member(Term::atom(u"counter")));
    m_runner->setPaused(true);
    QVERIFY(m_runner->isPaused());
    const Term before = Table::fromId(table).lookupElement(Term::atom(u"counter"), 2);
    // Three ticks of the consumer's workload timer come and go, paused: the
    // counter stays where it was.
    auto *consumer = qobject_cast<ScenarioWorker *>(
        Node::instance()->process(m_runner->resolve(consumerName)).data());
    QVERIFY(consumer);
    auto *workTimer = consumer->findChild<QTimer *>();
    QVERIFY(workTimer && workTimer->isActive());
    QSignalSpy ticks(workTimer, &QTimer::timeout);
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() >= 3, 10000);
    QCOMPARE(Table::fromId(table).lookupElement(Term::atom(u"counter"), 2), before);

    m_runner->setPaused(false);
    QTRY_VERIFY(Table::fromId(table).lookupElement(Term::atom(u"counter"), 2).toInteger()
                > before.toInteger());
}

void TestHeadless::stopCleansUp()
{
    startDefault();
    const QList<Pid> tree = m_runner->treePids();
    QSignalSpy stopped(m_runner.get(), &ScenarioRunner::stopped);
    m_runner->stop();
    QVERIFY(stopped.wait(10000));
    QVERIFY(!m_runner->isRunning());
    for (Pid pid : tree)
        QVERIFY(!Node::instance()->isAlive(pid));
    QVERIFY(!consumerTable()); // deleted, not left to be lost later
    QCOMPARE(m_runner->resolve(consumerName), Pid(0));
}

void TestHeadless::destroyingTheRunnerKillsTheTree()
{
    startDefault();
    const QList<Pid> tree = m_runner->treePids();
    QCOMPARE(tree.size(), 3);
    m_runner.reset();
    for (Pid pid : tree)
        QTRY_VERIFY(!Node::instance()->isAlive(pid));
    QVERIFY(!consumerTable());
}

void TestHeadless::ownTablesAndKeyPositions()
{
    const QByteArray json = R"({
        "format": "immortal-scenario", "version": 1,
        "root": { "name": "KeySup", "intensity": 5, "children": [
            { "kind": "worker", "id": "own", "name": "OwnWorker",
              "workload": { "type": "append", "table": "own_rows", "every_ms": 10, "max_rows": 3 } },
            { "kind": "worker", "id": "counter", "name": "KeyCounter",
              "workload": { "type": "counter", "every_ms": 10 } },
            { "kind": "table_manager", "id": "keyman", "target": "counter",
              "table": { "keypos": 2, "access": "protected" } }
        ] } })";
    m_runner = std::make_unique<ScenarioRunner>(Scenario::fromJson(json, QStringLiteral("inline")));
    QSignalSpy trace(Trace::instance(), &Trace::event);
    m_runner->start();
    const auto tableOf = [](Pid owner) -> std::optional<TableInfo> {
        for (const TableInfo &t : Table::all()) {
            if (t.owner == owner && owner != 0)
                return t;
        }
        return std::nullopt;
    };
    // The append worker fills a table of its own up to max_rows, and stops.
    QTRY_VERIFY(tableOf(m_runner->resolve(QStringLiteral("own")))
                && tableOf(m_runner->resolve(QStringLiteral("own")))->size == 3);
    const TableInfo own = *tableOf(m_runner->resolve(QStringLiteral("own")));
    QCOMPARE(own.name, QStringLiteral("own_rows"));
    QCOMPARE(Table::fromId(own.id).lookup(2).at(0).at(1), Term("row 2"));

    // With keypos 2 the counter row is {N, counter}.
    QTRY_VERIFY(tableOf(m_runner->resolve(QStringLiteral("KeyCounter"))));
    const TableInfo counted = *tableOf(m_runner->resolve(QStringLiteral("KeyCounter")));
    QCOMPARE(counted.keyPos, 2);
    QCOMPARE(counted.heir.name, QStringLiteral("KeyCounter.manager")); // the default name
    QTRY_VERIFY(Table::fromId(counted.id).member(Term::atom(u"counter")));
    QVERIFY(Table::fromId(counted.id).lookup(Term::atom(u"counter")).at(0).at(0).toInteger() >= 1);

    // A worker's own table dies with it (no heir), and its successor starts afresh.
    QVERIFY(m_runner->kill(QStringLiteral("OwnWorker")));
    QTRY_VERIFY(findEvent(trace,
                          [&](const TraceEvent &e) {
                              return e.type == TraceEvent::Type::TableDeleted && e.table == own.id;
                          })
                    .seq
                != 0);
    QTRY_VERIFY(tableOf(m_runner->resolve(QStringLiteral("own")))
                && tableOf(m_runner->resolve(QStringLiteral("own")))->id != own.id);
}

// good-otp.json: simple_one_for_one driven by the script, a start that returns
// ignore, a worker that traps exits, and one that ignores shutdown.
void TestHeadless::otpBehavioursRunAsScripted()
{
    QSignalSpy trace(Trace::instance(), &Trace::event);
    m_runner = std::make_unique<ScenarioRunner>(
        Scenario::fromFile(QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/good-otp.json")));
    QSignalSpy actions(m_runner.get(), &ScenarioRunner::scriptActionDone);
    m_runner->start();
    QTRY_COMPARE_WITH_TIMEOUT(actions.size(), 7, 10000);
    const Pid deaf = [&] {
        return findEvent(trace,
                         [](const TraceEvent &e) {
                             return e.type == TraceEvent::Type::ChildStarted
                                 && e.childId == u"deaf";
                         })
            .pid;
    }();
    // The stubborn one goes only when its 50 ms shutdown timeout kills it.
    QTRY_VERIFY(findEvent(trace, [&](const TraceEvent &e) {
                    return e.type == TraceEvent::Type::ChildTerminated && e.pid == deaf;
                }).seq);
    QCOMPARE(findEvent(trace,
                       [&](const TraceEvent &e) {
                           return e.type == TraceEvent::Type::ChildTerminated && e.pid == deaf;
                       })
                 .reason,
             ExitReason::killed());

    int conns = 0, terminatedConns = 0, shy = 0;
    for (const TraceEvent &e : eventsOf(trace)) {
        if (e.type == TraceEvent::Type::ChildStarted && e.childId == u"conn")
            ++conns;
        if (e.type == TraceEvent::Type::ChildTerminated && e.childId == u"conn")
            ++terminatedConns;
        if (e.type == TraceEvent::Type::ChildStarted && e.childId == u"shy")
            ++shy;
    }
    QCOMPARE(conns, 2);
    QCOMPARE(terminatedConns, 1);
    QCOMPARE(shy, 0); // its start returned ignore
    // The kill from outside was trapped; the exit of its own ended it, and
    // {shutdown, bye} of a permanent child is restarted.
    const TraceEvent trapped = findEvent(trace, [](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ExitSignal && e.trapped;
    });
    QCOMPARE(trapped.reason.format(), QStringLiteral("{shutdown,bye}"));
    const TraceEvent exited = findEvent(trace, [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ProcessExited && e.pid == trapped.pid;
    });
    QVERIFY(exited.seq > trapped.seq);
    QCOMPARE(exited.reason.format(), QStringLiteral("{shutdown,bye}"));
    QVERIFY(findEvent(trace, [&](const TraceEvent &e) {
                return e.type == TraceEvent::Type::ChildRestarted && e.from == trapped.pid;
            }).seq);
    // delete_child, once it was gone, removed its spec.
    auto *root = qobject_cast<Supervisor *>(Node::instance()->process(m_runner->rootPid()).data());
    QVERIFY(root);
    QStringList ids;
    for (const Supervisor::ChildInfo &c : root->whichChildren())
        ids << c.id;
    QCOMPARE(ids, QStringList({ "pool", "shy", "flaky", "trapper" }));
}

// A start that fails on restart counts toward the intensity, retried until
// the supervisor gives up: the same path as any other restart.
void TestHeadless::failingRestartsEscalate()
{
    QSignalSpy trace(Trace::instance(), &Trace::event);
    m_runner = std::make_unique<ScenarioRunner>(
        Scenario::fromFile(QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/escalate-orphans.json")));
    QSignalSpy stopped(m_runner.get(), &ScenarioRunner::stopped);
    m_runner->start();
    QVERIFY(stopped.wait(10000)); // the root gave up
    int failures = 0;
    for (const TraceEvent &e : eventsOf(trace)) {
        if (e.type == TraceEvent::Type::ChildStartFailed) {
            ++failures;
            QCOMPARE(e.reason, Term::atom(u"start_refused"));
        }
    }
    QCOMPARE(failures, 2); // intensity 2: the third restart is not tried
    QVERIFY(findEvent(trace, [](const TraceEvent &e) {
                return e.type == TraceEvent::Type::SupervisorEscalated;
            }).seq);
    // stopped() comes after the whole tree is gone: its last event is the root's subtree_down.
    const TraceEvent last = eventsOf(trace).constLast();
    QCOMPARE(last.type, TraceEvent::Type::SubtreeDown);
    QCOMPARE(last.pid, m_runner->rootPid());
    QCOMPARE(m_runner->stats().tablesOrphaned, 1);
    // The orphan would be lost later; clean it up for the next test.
    for (const TableInfo &t : Table::all()) {
        if (t.name == u"EscConsumer")
            Table::fromId(t.id).deleteTable();
    }
}

QProcess *TestHeadless::runStudio(const QStringList &args, const QProcessEnvironment &env)
{
    m_studio = std::make_unique<QProcess>();
    m_studio->setProcessEnvironment(env);
    m_studio->start(QStringLiteral(IMMORTAL_STUDIO), args);
    if (!m_studio->waitForStarted(10000))
        return nullptr;
    if (!m_studio->waitForFinished(60000))
        return nullptr;
    return m_studio.get();
}

// The root exits before the duration: the run still records every death and
// table move, then says the table left without an owner is not safe (exit 3).
void TestHeadless::binaryRootExitCountsOrphanedTables()
{
    QProcess *p =
        runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=20000"),
                    QStringLiteral("--scenario"),
                    QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/escalate-orphans.json") });
    QVERIFY(p);
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    QCOMPARE(p->exitStatus(), QProcess::NormalExit);
    QCOMPARE(p->exitCode(), 3);
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() > 3);
    QVERIFY2(lines.at(lines.size() - 4).contains(QStringLiteral("subtree_down")), qPrintable(out));
    QVERIFY(lines.at(lines.size() - 3).endsWith(QStringLiteral("the root supervisor exited")));
    QVERIFY(lines.at(lines.size() - 2).startsWith(QStringLiteral("summary: ")));
    QVERIFY2(
        lines.at(lines.size() - 2).contains(QStringLiteral(" tables_lost=0 tables_orphaned=1 ")),
        qPrintable(lines.at(lines.size() - 2)));
    QVERIFY2(lines.constLast().contains(
                 QStringLiteral("tables not safe: 1 table left without an owner")),
             qPrintable(lines.constLast()));
    QVERIFY(out.contains(QStringLiteral(" table_orphaned ")));
}

// A trace that cannot be written ends the run with status 4 and says so:
// exit 0 would claim a record that does not exist.
void TestHeadless::binaryTraceWriteErrorIsAnError()
{
    if (!QFile::exists(QStringLiteral("/dev/full")))
        QSKIP("needs /dev/full");
    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=5000"),
                              QStringLiteral("--trace-out"), QStringLiteral("/dev/full") });
    QVERIFY(p);
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    const QString err = QString::fromUtf8(p->readAllStandardError());
    QCOMPARE(p->exitStatus(), QProcess::NormalExit);
    QCOMPARE(p->exitCode(), 4);
    QVERIFY2(err.contains(QStringLiteral("--trace-out /dev/full: the trace could not be written "
                                         "(No space left on device)")),
             qPrintable(err));
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 2);
    QVERIFY(lines.at(lines.size() - 2).endsWith(QStringLiteral("the trace could not be written")));
    QVERIFY(lines.constLast().startsWith(QStringLiteral("summary: ")));
}

void TestHeadless::binarySignalEndsTheRunInOrder_data()
{
    QTest::addColumn<int>("signum");
    QTest::addColumn<QString>("name");
    QTest::newRow("SIGTERM") << int(SIGTERM) << QStringLiteral("SIGTERM");
    QTest::newRow("SIGINT") << int(SIGINT) << QStringLiteral("SIGINT");
}

// SIGTERM or Ctrl+C ends the run as its duration would: the summary, the
// usual verdict, and a trace written out to the tree's last event.
void TestHeadless::binarySignalEndsTheRunInOrder()
{
    QFETCH(int, signum);
    QFETCH(QString, name);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("trace.jsonl"));
    m_studio = std::make_unique<QProcess>();
    QProcess *p = m_studio.get();
    p->start(QStringLiteral(IMMORTAL_STUDIO),
             { QStringLiteral("--headless"), QStringLiteral("--duration=600000"),
               QStringLiteral("--kill=TableConsumer@100"), QStringLiteral("--trace-out"), path });
    QVERIFY(p->waitForStarted(10000));
    // Signal once the kill has been handled and the table is back with the consumer.
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += p->readAllStandardOutput()).contains(" manager_handed_over ")
                                 && out.count(" manager_handed_over ") >= 2,
                             30000);
    QVERIFY(::kill(pid_t(p->processId()), signum) == 0);
    QVERIFY(p->waitForFinished(30000));
    out += p->readAllStandardOutput();
    QCOMPARE(p->exitStatus(), QProcess::NormalExit);
    QCOMPARE(p->exitCode(), 0);
    const QStringList lines = QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 2);
    QVERIFY2(lines.at(lines.size() - 2).endsWith(QStringLiteral("interrupted by ") + name),
             qPrintable(lines.at(lines.size() - 2)));
    QVERIFY(lines.constLast().startsWith(QStringLiteral("summary: processes=3 restarts=1 ")));

    // Every event printed is in the file, and the file goes on to the end of
    // the orderly stop: the root's subtree_down.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QStringList events;
    while (!file.atEnd()) {
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(file.readLine(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        events << o.value(QStringLiteral("event")).toString();
    }
    const qsizetype printed = std::count_if(lines.cbegin(), lines.cend(), [](const QString &l) {
        return !l.contains(QStringLiteral(" script: ")) && !l.startsWith(QStringLiteral("summary"))
            && !l.contains(QStringLiteral(" interrupted by "));
    });
    QVERIFY2(
        events.size() > printed,
        qPrintable(QStringLiteral("%1 in the file, %2 printed").arg(events.size()).arg(printed)));
    QCOMPARE(events.constLast(), QStringLiteral("subtree_down"));
}

// 100,000 actions due at once run in batches between which the run's own
// timers fire: a 1 ms run ends long before the script does.
void TestHeadless::binaryLongScriptDoesNotHoldOffTheEnd()
{
    QFile good(QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/good-otp.json"));
    QVERIFY(good.open(QIODevice::ReadOnly));
    QJsonObject scenario = QJsonDocument::fromJson(good.readAll()).object();
    QJsonArray script;
    constexpr int actions = 100000;
    for (int i = 0; i < actions; ++i)
        script.append(QJsonObject { { QStringLiteral("at_ms"), 0 },
                                    { QStringLiteral("start_child"), QStringLiteral("Pool") } });
    scenario.insert(QStringLiteral("script"), script);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("long.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(scenario).toJson(QJsonDocument::Compact));
    file.close();

    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=1"),
                              QStringLiteral("--scenario"), file.fileName() });
    QVERIFY(p);
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    QCOMPARE(p->exitCode(), 0);
    QVERIFY(out.contains(QStringLiteral("\nsummary: ")));
    const qsizetype ran = out.count(QStringLiteral(" script: start_child Pool"));
    QVERIFY2(ran < actions, qPrintable(QStringLiteral("all %1 actions ran first").arg(ran)));
}

// A chaos filter that backtracks without end on a name in the tree is
// refused when the scenario loads, with the name and what to change.
void TestHeadless::binaryPathologicalChaosFilterIsRefused()
{
    QFile good(QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/good-otp.json"));
    QVERIFY(good.open(QIODevice::ReadOnly));
    QJsonObject scenario = QJsonDocument::fromJson(good.readAll()).object();
    QJsonObject root = scenario.value(QStringLiteral("root")).toObject();
    QJsonArray children = root.value(QStringLiteral("children")).toArray();
    const QString name = QString(40, QLatin1Char('a')) + QLatin1Char('b');
    children.append(QJsonObject { { QStringLiteral("kind"), QStringLiteral("worker") },
                                  { QStringLiteral("id"), QStringLiteral("long") },
                                  { QStringLiteral("name"), name } });
    root.insert(QStringLiteral("children"), children);
    scenario.insert(QStringLiteral("root"), root);
    scenario.insert(QStringLiteral("chaos"),
                    QJsonObject { { QStringLiteral("targets"), QStringLiteral("^(a+)+$") } });
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("regex.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(scenario).toJson());
    file.close();

    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=100"),
                              QStringLiteral("--scenario"), file.fileName() });
    QVERIFY(p);
    const QString err = QString::fromUtf8(p->readAllStandardError());
    QCOMPARE(p->exitCode(), 2);
    QVERIFY2(err.contains(QStringLiteral("chaos.targets: expected an expression that decides "
                                         "quickly whether it matches \"")
                          + name),
             qPrintable(err));
}

void TestHeadless::binaryHeadlessRun()
{
    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration"),
                              QStringLiteral("1500"), QStringLiteral("--kill"),
                              QStringLiteral("TableConsumer@500") });
    QVERIFY(p);
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    QCOMPARE(p->exitStatus(), QProcess::NormalExit);
    QVERIFY2(p->exitCode() == 0, qPrintable(out + QString::fromUtf8(p->readAllStandardError())));
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    static const QRegularExpression summary(
        QStringLiteral("^summary: processes=3 restarts=1 tables=1 rows=\\d+ tables_lost=0 "
                       "tables_orphaned=0 ran_ms=\\d+$"));
    QVERIFY2(summary.match(lines.constLast()).hasMatch(), qPrintable(lines.constLast()));
    QVERIFY(out.contains(QStringLiteral("script: kill TableConsumer (kill)")));
    QVERIFY(out.contains(QStringLiteral(" child_restarted ")));
    QVERIFY(out.contains(QStringLiteral(" table_transferred ")));
}

void TestHeadless::binaryWritesTrace()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("trace.jsonl"));
    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=800"),
                              QStringLiteral("--kill=consumer@200:boom"),
                              QStringLiteral("--trace-out"), path });
    QVERIFY(p);
    QCOMPARE(p->exitCode(), 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QStringList events;
    QString exitReason;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        QVERIFY(o.contains(QStringLiteral("seq")));
        events << o.value(QStringLiteral("event")).toString();
        if (events.constLast() == QLatin1String("process_exited")
            && o.value(QStringLiteral("child_id")).toString() == QLatin1String("consumer")
            && exitReason.isEmpty()) // the first exit; the last is the final shutdown
            exitReason = o.value(QStringLiteral("reason")).toString();
    }
    QVERIFY(events.contains(QStringLiteral("child_restarted")));
    QCOMPARE(exitReason, QStringLiteral("boom"));
}

void TestHeadless::binaryBadArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("stderrHas");
    QTest::newRow("unknown option")
        << QStringList { QStringLiteral("--bogus") } << QStringLiteral("bogus");
    QTest::newRow("duration") << QStringList {
        QStringLiteral("--headless"), QStringLiteral("--duration"), QStringLiteral("soon")
    } << QStringLiteral("--duration");
    QTest::newRow("duration 0") << QStringList { QStringLiteral("--headless"),
                                                 QStringLiteral("--duration=0") }
                                << QStringLiteral("--duration \"0\": expected milliseconds, an "
                                                  "integer > 0");
    QTest::newRow("negative duration")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--duration=-5") }
        << QStringLiteral("--duration \"-5\"");
    QTest::newRow("empty scenario")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--scenario"), QString() }
        << QStringLiteral("--scenario \"\": expected the name of a scenario file");
    QTest::newRow("kill syntax") << QStringList {
        QStringLiteral("--headless"), QStringLiteral("--kill"), QStringLiteral("TableConsumer")
    } << QStringLiteral("NAME@MS");
    QTest::newRow("kill target") << QStringList {
        QStringLiteral("--headless"), QStringLiteral("--kill"), QStringLiteral("Nobody@10")
    } << QStringLiteral("Nobody");
    QTest::newRow("chaos") << QStringList { QStringLiteral("--headless"), QStringLiteral("--chaos"),
                                            QStringLiteral("-1") }
                           << QStringLiteral("--chaos");
    QTest::newRow("bad scenario") << QStringList {
        QStringLiteral("--headless"), QStringLiteral("--scenario"),
        QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/bad-strategy.json")
    } << QStringLiteral("bad-strategy.json: root.strategy: expected one of");
    QTest::newRow("duration overflow")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--duration=99999999999") }
        << QStringLiteral("--duration \"99999999999\"");
    QTest::newRow("duration missing value")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--duration") }
        << QStringLiteral("Missing value after '--duration'");
    QTest::newRow("kill at a negative time")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--kill=X@-5") }
        << QStringLiteral("expected NAME@MS");
    QTest::newRow("kill without a name")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--kill=@10") }
        << QStringLiteral("expected NAME@MS");
    QTest::newRow("kill time overflow")
        << QStringList { QStringLiteral("--headless"),
                         QStringLiteral("--kill=TableConsumer@99999999999") }
        << QStringLiteral("expected NAME@MS");
    QTest::newRow("kill reason not a term")
        << QStringList { QStringLiteral("--headless"),
                         QStringLiteral("--kill=TableConsumer@10:{bad") }
        << QStringLiteral("expected an exit reason in Erlang term text");
    QTest::newRow("negative seed")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--seed=-1") }
        << QStringLiteral("--seed \"-1\": expected an unsigned integer");
    QTest::newRow("seed not a number")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--seed=abc") }
        << QStringLiteral("expected an unsigned integer");
    QTest::newRow("chaos zero") << QStringList { QStringLiteral("--headless"),
                                                 QStringLiteral("--chaos=0") }
                                << QStringLiteral("above 0 and at most 1000");
    QTest::newRow("chaos too fast")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--chaos=1001") }
        << QStringLiteral("above 0 and at most 1000");
    QTest::newRow("chaos nan") << QStringList { QStringLiteral("--headless"),
                                                QStringLiteral("--chaos=nan") }
                               << QStringLiteral("above 0 and at most 1000");
    QTest::newRow("chaos inf") << QStringList { QStringLiteral("--headless"),
                                                QStringLiteral("--chaos=inf") }
                               << QStringLiteral("above 0 and at most 1000");
    QTest::newRow("trace-out a directory")
        << QStringList { QStringLiteral("--headless"), QStringLiteral("--trace-out=/") }
        << QStringLiteral("--trace-out /: cannot write the file");
    QTest::newRow("trace-out in a missing directory")
        << QStringList { QStringLiteral("--headless"),
                         QStringLiteral("--trace-out=/nonexistent/dir/t.jsonl") }
        << QStringLiteral("cannot write the file (No such file or directory)");
    QTest::newRow("missing scenario file")
        << QStringList { QStringLiteral("--headless"),
                         QStringLiteral("--scenario=/nonexistent.json") }
        << QStringLiteral("cannot read the scenario file");
    QTest::newRow("positional") << QStringList { QStringLiteral("--headless"),
                                                 QStringLiteral("extra") }
                                << QStringLiteral("extra");
}

void TestHeadless::binaryBadArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, stderrHas);
    QProcess *p = runStudio(args);
    QVERIFY(p);
    const QString err = QString::fromUtf8(p->readAllStandardError());
    QCOMPARE(p->exitCode(), 2);
    QVERIFY2(err.contains(stderrHas), qPrintable(err));
    QVERIFY(!QString::fromUtf8(p->readAllStandardOutput()).contains(QStringLiteral("summary:")));
}

void TestHeadless::binaryWithoutDisplayRunsHeadless()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    QProcess *p = runStudio({ QStringLiteral("--duration"), QStringLiteral("2500") }, env);
    QVERIFY(p);
    QCOMPARE(p->exitCode(), 0);
    QVERIFY(QString::fromUtf8(p->readAllStandardError()).contains(QStringLiteral("headless")));
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    // The demo shows the seed's point: the consumer crashes, the table survives.
    QVERIFY2(out.contains(QStringLiteral("script: kill TableConsumer (kill)")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("summary: processes=3 restarts=1 tables=1")));
}

void TestHeadless::binaryScreenshot()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("studio.png"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    QProcess *p = runStudio({ QStringLiteral("--screenshot"), path, QStringLiteral("--duration"),
                              QStringLiteral("800"), QStringLiteral("--kill"),
                              QStringLiteral("TableConsumer@300") },
                            env);
    QVERIFY(p);
    const QString err = QString::fromUtf8(p->readAllStandardError());
    if (err.contains(QStringLiteral("built without the window")))
        QSKIP("immortal-studio was built without ui/");
    QVERIFY2(p->exitCode() == 0, qPrintable(err));
    QFile png(path);
    QVERIFY(png.open(QIODevice::ReadOnly));
    QVERIFY(png.size() > 1000);
    QCOMPARE(png.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
}

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
