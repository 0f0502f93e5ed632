// ReplaySource: folding a recorded trace, seeking both ways, playing on a
// timer, refusing bad traces by line; the models over it; a replay of a live
// run reproducing the live models; and immortal-studio --replay.
#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/error.h>
#include <immortal/models/eventlogmodel.h>
#include <immortal/models/livesource.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/replaysource.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/models/tablerowsmodel.h>
#include <immortal/node.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QImage>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace immortal;

namespace {
using Tester = QAbstractItemModelTester;
constexpr auto QtTestMode = QAbstractItemModelTester::FailureReportingMode::QtTest;

// docs/trace-format.md's sample: a consumer and its manager under a
// supervisor; the consumer writes three rows, crashes and is restarted.
const QByteArray sample =
    R"({"event":"process_started","kind":"supervisor","pid":1,"seq":1,"t_ns":1000}
{"event":"process_started","kind":"worker","pid":2,"seq":2,"t_ns":97480}
{"event":"name_registered","name":"consumer","pid":2,"seq":3,"t_ns":119672}
{"child_id":"consumer","event":"child_started","kind":"worker","pid":2,"seq":4,"supervisor":1,"t_ns":134188}
{"event":"process_started","kind":"table_manager","pid":3,"seq":5,"t_ns":153825}
{"event":"name_registered","name":"consumer.manager","pid":3,"seq":6,"t_ns":182829}
{"event":"table_created","heir_name":"consumer.manager","pid":3,"seq":7,"size":0,"t_ns":202666,"table":1,"table_name":"consumer"}
{"child_id":"manager","event":"child_started","kind":"table_manager","pid":3,"seq":8,"supervisor":1,"t_ns":422847}
{"event":"manager_waiting","pid":3,"seq":9,"t_ns":466919,"table":1,"target":"consumer"}
{"event":"table_given_away","from":3,"seq":10,"size":0,"t_ns":494340,"table":1,"table_name":"consumer","to":2}
{"event":"manager_handed_over","pid":3,"seq":11,"size":0,"t_ns":510170,"table":1,"to":2}
{"event":"table_written","seq":12,"size":3,"t_ns":722366,"table":1,"table_name":"consumer"}
{"child_id":"consumer","event":"process_exited","kind":"worker","name":"consumer","pid":2,"reason":"crash","seq":13,"supervisor":1,"t_ns":745860}
{"event":"name_unregistered","name":"consumer","pid":2,"reason":"exited","seq":14,"t_ns":759645}
{"event":"table_transferred","from":2,"heir_name":"consumer.manager","reason":"crash","seq":15,"size":3,"t_ns":773792,"table":1,"table_name":"consumer","to":3}
{"event":"manager_reclaimed","from":2,"pid":3,"seq":16,"size":3,"t_ns":795722,"table":1}
{"event":"manager_waiting","pid":3,"seq":17,"t_ns":804098,"table":1,"target":"consumer"}
{"event":"process_started","kind":"worker","pid":4,"seq":18,"t_ns":816471}
{"event":"name_registered","name":"consumer","pid":4,"seq":19,"t_ns":825007}
{"child_id":"consumer","event":"child_restarted","from":2,"kind":"worker","pid":4,"seq":20,"supervisor":1,"t_ns":834735}
{"event":"table_given_away","from":3,"seq":21,"size":3,"t_ns":852067,"table":1,"table_name":"consumer","to":4}
{"event":"manager_handed_over","pid":3,"seq":22,"size":3,"t_ns":862898,"table":1,"to":4}
)";

QList<Pid> pidsOf(const QList<ProcessInfo> &infos)
{
    QList<Pid> pids;
    for (const ProcessInfo &p : infos)
        pids << p.pid;
    return pids;
}

// Every row of a process tree, depth first: "childId|name|pid|state|restarts@depth".
QStringList treeRows(const QAbstractItemModel &model, const QModelIndex &parent = {}, int depth = 0)
{
    QStringList rows;
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        rows << QStringLiteral("%1|%2|%3|%4|%5@%6")
                    .arg(i.data(ProcessTreeModel::ChildIdRole).toString(),
                         i.data(ProcessTreeModel::RegisteredNameRole).toString())
                    .arg(i.data(ProcessTreeModel::PidRole).value<Pid>())
                    .arg(ProcessTreeModel::stateName(
                        i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>()))
                    .arg(i.data(ProcessTreeModel::RestartsRole).toInt())
                    .arg(depth);
        rows << treeRows(model, i, depth + 1);
    }
    return rows;
}

// Every table of a table list: "id|name|type|access|owner|size|orphaned|transfers".
QStringList tableRows(const TableListModel &model)
{
    QStringList rows;
    for (int r = 0; r < model.rowCount(); ++r) {
        const TableInfo t = model.tableAt(r);
        rows << QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8")
                    .arg(t.id)
                    .arg(t.name)
                    .arg(QLatin1String(TableOptions::typeName(t.type)),
                         QLatin1String(TableOptions::accessName(t.access)))
                    .arg(t.owner)
                    .arg(t.size)
                    .arg(t.orphaned)
                    .arg(t.transfers);
    }
    return rows;
}

QByteArray toJsonLines(const QList<TraceEvent> &events)
{
    QByteArray out;
    for (const TraceEvent &e : events)
        out += QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact) + '\n';
    return out;
}
} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void foldsTheStateAtEverySeq();
    void forwardSeekEmitsTheNewEvents();
    void backwardSeekResetsAndReplaysFromTheStart();
    void badTracesNameTheLine_data();
    void badTracesNameTheLine();
    void badTraceChangesNothing();
    void unknownEventsAreSkipped();
    void playsToTheEndOnATimer();
    void replayAllowsNoAction();
    void modelsFollowTheReplay();
    void replayReproducesTheLiveModels();
    void binaryReplayHeadlessPrintsTheSummary();
    void binaryReplayBadFileExits2NamingTheLine();
    void binaryReplayWithScenarioIsAUsageError();
    void binaryReplayScreenshot();

private:
    QProcess *runStudio(const QStringList &args);
    std::unique_ptr<QProcess> m_studio;
};

void TestReplay::initTestCase()
{
    qRegisterMetaType<TraceEvent>();
    qRegisterMetaType<QList<TraceEvent>>();
}

void TestReplay::foldsTheStateAtEverySeq()
{
    ReplaySource replay;
    replay.loadData(sample, QStringLiteral("sample.jsonl"));
    QCOMPARE(replay.eventCount(), 22);
    QCOMPARE(replay.index(), 0);
    QVERIFY(replay.processes().isEmpty());
    QVERIFY(replay.tables().isEmpty());

    // The consumer owns the table and wrote three rows.
    replay.seek(12);
    QCOMPARE(replay.position(), quint64(12));
    QCOMPARE(pidsOf(replay.processes()), (QList<Pid> { 1, 2, 3 }));
    QCOMPARE(replay.nameOf(2), QStringLiteral("consumer"));
    QCOMPARE(replay.processInfo(2)->supervisor, Pid(1));
    QCOMPARE(replay.processInfo(2)->childId, QStringLiteral("consumer"));
    QCOMPARE(replay.processInfo(3)->kind, QStringLiteral("table_manager"));
    auto table = replay.tableInfo(1);
    QVERIFY(table);
    QCOMPARE(table->owner, Pid(2));
    QCOMPARE(table->size, 3);
    QCOMPARE(table->heir.name, QStringLiteral("consumer.manager"));
    QCOMPARE(table->heirPid, Pid(3));
    QCOMPARE(table->transfers, 1);
    QCOMPARE(replay.nowNs(), qint64(722366));

    // It crashed: dead, with its reason; the manager inherited the table.
    replay.seek(15);
    QVERIFY(!replay.isAlive(2));
    QCOMPARE(replay.processInfo(2)->state, ProcessInfo::State::Dead);
    QCOMPARE(replay.processInfo(2)->exitReason.format(), QStringLiteral("crash"));
    QCOMPARE(replay.nameOf(2), QString());
    QCOMPARE(replay.tableInfo(1)->owner, Pid(3));
    QCOMPARE(replay.tableInfo(1)->transfers, 2);

    // Restarted as pid 4, which has the table again.
    replay.seekToEnd();
    QCOMPARE(replay.position(), quint64(22));
    QCOMPARE(pidsOf(replay.processes()), (QList<Pid> { 1, 3, 4 }));
    QCOMPARE(replay.nameOf(4), QStringLiteral("consumer"));
    QCOMPARE(replay.restarts(), 1);
    QCOMPARE(replay.tableInfo(1)->owner, Pid(4));
    QCOMPARE(replay.tableInfo(1)->transfers, 3);
    QCOMPARE(replay.tablesLost(), 0);
    const Source::Rows rows = replay.rows(1);
    QCOMPARE(rows.status, Source::Rows::Status::NotRecorded);
    QVERIFY(rows.message.contains(QStringLiteral("not recorded")));
    QCOMPARE(replay.rows(99).status, Source::Rows::Status::Gone);
}

void TestReplay::forwardSeekEmitsTheNewEvents()
{
    ReplaySource replay;
    replay.loadData(sample);
    QSignalSpy events(&replay, &Source::events);
    QSignalSpy resets(&replay, &Source::reset);
    replay.seek(5);
    replay.seek(9);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(events.count(), 2);
    const auto second = events.at(1).at(0).value<QList<TraceEvent>>();
    QCOMPARE(second.size(), 4);
    QCOMPARE(second.first().seq, quint64(6));
    QCOMPARE(second.last().seq, quint64(9));
    replay.seek(9); // no move, no signal
    QCOMPARE(events.count(), 2);
}

void TestReplay::backwardSeekResetsAndReplaysFromTheStart()
{
    ReplaySource replay;
    replay.loadData(sample);
    replay.seekToEnd();
    QSignalSpy events(&replay, &Source::events);
    QSignalSpy resets(&replay, &Source::reset);
    // The reset comes with the empty state, then every event to the position.
    bool emptyAtReset = false;
    connect(&replay, &Source::reset, this,
            [&] { emptyAtReset = replay.processes().isEmpty() && replay.tables().isEmpty(); });
    replay.seek(13);
    QCOMPARE(resets.count(), 1);
    QVERIFY(emptyAtReset);
    QCOMPARE(events.count(), 1);
    const auto all = events.at(0).at(0).value<QList<TraceEvent>>();
    QCOMPARE(all.size(), 13);
    QCOMPARE(all.first().seq, quint64(1));
    QCOMPARE(replay.tableInfo(1)->owner, Pid(2)); // not yet inherited
    QVERIFY(!replay.isAlive(2));
    QVERIFY(!replay.processInfo(4));
    replay.seekToIndex(0);
    QCOMPARE(resets.count(), 2);
    QVERIFY(replay.processes().isEmpty());
    QCOMPARE(replay.position(), quint64(0));
}

void TestReplay::badTracesNameTheLine_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("says");
    const QList<QByteArray> lines = sample.split('\n');
    auto first = [&](int n) {
        return lines.mid(0, n).join('\n') + '\n';
    };
    QTest::newRow("truncated") << first(3) + lines.at(3).left(40)
                               << QStringLiteral("t.jsonl, line 4: the line is cut off");
    QTest::newRow("not json") << first(2) + "{\"event\": oops}\n" + first(3)
                              << QStringLiteral("t.jsonl, line 3: expected one JSON object");
    QTest::newRow("array") << first(1) + "[1,2]\n" << QStringLiteral("line 2: expected one JSON");
    QTest::newRow("no seq") << first(1)
            + "{\"event\":\"process_started\",\"kind\":\"worker\",\"pid\":2,\"t_ns\":5000}\n"
                            << QStringLiteral("line 2: expected \"seq\"");
    QTest::newRow("no t_ns") << QByteArray("{\"event\":\"process_started\",\"pid\":2,\"seq\":1}\n")
                             << QStringLiteral("line 1: expected \"t_ns\"");
    QTest::newRow("no event") << QByteArray("{\"pid\":2,\"seq\":1,\"t_ns\":3}\n")
                              << QStringLiteral("line 1: expected \"event\"");
    QTest::newRow("seq goes back") << first(3) + lines.at(1) + '\n'
                                   << QStringLiteral("line 4: seq 2 comes after seq 3");
    QTest::newRow("time goes back") << first(1)
            + "{\"event\":\"process_started\",\"kind\":\"worker\",\"pid\":2,\"seq\":2,"
              "\"t_ns\":10}\n" << QStringLiteral("line 2: t_ns 10 is earlier");
    QTest::newRow("empty") << QByteArray("\n\n") << QStringLiteral("t.jsonl: no trace events");
}

void TestReplay::badTracesNameTheLine()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, says);
    ReplaySource replay;
    try {
        replay.loadData(data, QStringLiteral("t.jsonl"));
        QFAIL("a bad trace was loaded");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::BadArg);
        QVERIFY2(e.message().contains(says), qPrintable(e.message()));
    }
    QCOMPARE(replay.eventCount(), 0);
}

void TestReplay::badTraceChangesNothing()
{
    ReplaySource replay;
    replay.loadData(sample, QStringLiteral("good.jsonl"));
    replay.seek(15);
    QSignalSpy resets(&replay, &Source::reset);
    QVERIFY_THROWS_EXCEPTION(Error, replay.loadData(sample.left(300), QStringLiteral("bad")));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(replay.fileName(), QStringLiteral("good.jsonl"));
    QCOMPARE(replay.eventCount(), 22);
    QCOMPARE(replay.position(), quint64(15));
    QCOMPARE(replay.tableInfo(1)->owner, Pid(3));
    // A file that is not there says so.
    QVERIFY_THROWS_EXCEPTION(Error, replay.load(QStringLiteral("/nonexistent/trace.jsonl")));
    QCOMPARE(replay.eventCount(), 22);
}

void TestReplay::unknownEventsAreSkipped()
{
    // The format lets later versions add events; a reader skips them.
    ReplaySource replay;
    replay.loadData(sample.left(sample.indexOf('\n') + 1)
                    + "{\"event\":\"from_the_future\",\"seq\":2,\"t_ns\":2000,\"x\":1}\n");
    QCOMPARE(replay.eventCount(), 1);
}

void TestReplay::playsToTheEndOnATimer()
{
    ReplaySource replay;
    replay.loadData(sample);
    replay.seek(3);
    QSignalSpy playing(&replay, &ReplaySource::playingChanged);
    QSignalSpy moved(&replay, &ReplaySource::positionChanged);
    // The sample spans 0.86 ms; at 0.01x that is 86 ms of playing.
    replay.play(0.01);
    QVERIFY(replay.isPlaying());
    QCOMPARE(playing.count(), 1);
    QVERIFY(playing.wait(10000));
    QCOMPARE(playing.last().at(0).toBool(), false);
    QCOMPARE(replay.index(), replay.eventCount());
    QVERIFY2(moved.count() >= 2, qPrintable(QString::number(moved.count())));
    // Playing at the end starts from the beginning; pause stops where it is.
    replay.play(0.0001);
    QVERIFY(replay.isPlaying());
    QCOMPARE(replay.index(), 0);
    replay.pause();
    QVERIFY(!replay.isPlaying());
    QVERIFY(replay.index() < replay.eventCount());
}

void TestReplay::replayAllowsNoAction()
{
    ReplaySource replay;
    replay.loadData(sample);
    replay.seekToEnd();
    QCOMPARE(replay.actions(), Source::Actions(Source::Action::NoAction));
    QCOMPARE(replay.exitProcess(4, Term::atom(u"kill")), Source::ActionError::NotAllowed);
    QCOMPARE(replay.restartChild(1, QStringLiteral("consumer")), Source::ActionError::NotAllowed);
    QCOMPARE(replay.terminateChild(1, QStringLiteral("consumer")), Source::ActionError::NotAllowed);
    QCOMPARE(replay.details(), Source::Details(Source::Detail::NoDetail));
    LiveSource live;
    QVERIFY(live.actions().testFlag(Source::Action::ExitProcess));
    QVERIFY(live.details().testFlag(Source::Detail::RowContents));
    QCOMPARE(live.exitProcess(999999, Term::atom(u"kill")), Source::ActionError::NoProcess);
}

void TestReplay::modelsFollowTheReplay()
{
    ReplaySource replay;
    replay.loadData(sample);
    ProcessTreeModel tree(&replay);
    TableListModel tables(&replay);
    TableRowsModel rows(&replay);
    EventLogModel log(&replay);
    Tester t1(&tree, QtTestMode);
    Tester t2(&tables, QtTestMode);
    Tester t3(&rows, QtTestMode);
    Tester t4(&log, QtTestMode);
    QCOMPARE(tree.rowCount(), 0);

    replay.seek(12);
    QCOMPARE(log.rowCount(), 12);
    const QModelIndex root = tree.index(0, 0);
    QCOMPARE(tree.rowCount(root), 2);
    QCOMPARE(tables.rowCount(), 1);
    QCOMPARE(tables.index(0, TableListModel::OwnerColumn).data().toString(),
             QStringLiteral("consumer <0.2.0>"));
    // A trace knows sizes, not memory: the column says so rather than "0 bytes".
    QCOMPARE(tables.index(0, TableListModel::RowsColumn).data().toLongLong(), 3);
    QCOMPARE(tables.index(0, TableListModel::MemoryColumn).data().toString(), QStringLiteral("—"));
    rows.setTable(1);
    QVERIFY(rows.rowsHidden());
    QCOMPARE(rows.rowCount(), 0);
    QVERIFY(rows.statusText().contains(QStringLiteral("not recorded")));

    // The crash: the row restarts, is restarted with a new pid, keeps its key.
    const QPersistentModelIndex consumer = tree.indexOfPid(2);
    const quint64 key = consumer.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
    replay.seek(14);
    QCOMPARE(consumer.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>(),
             ProcessTreeModel::State::Restarting);
    replay.seekToEnd();
    QCOMPARE(consumer.data(ProcessTreeModel::PidRole).value<Pid>(), Pid(4));
    QCOMPARE(consumer.data(ProcessTreeModel::RestartsRole).toInt(), 1);
    QCOMPARE(consumer.data(ProcessTreeModel::ItemKeyRole).value<quint64>(), key);
    QCOMPARE(tables.tableAt(0).owner, Pid(4));
    QCOMPARE(log.rowCount(), 22);
    const QStringList atEnd = treeRows(tree);

    // Back, and forward again: the same models.
    replay.seek(4);
    QCOMPARE(log.rowCount(), 4);
    QCOMPARE(tables.rowCount(), 0);
    QCOMPARE(tree.rowCount(tree.index(0, 0)), 1);
    replay.seekToEnd();
    QCOMPARE(treeRows(tree), atEnd);
    QCOMPARE(log.rowCount(), 22);
    QCOMPARE(tree.exitHistory(tree.indexOfPid(4)).size(), 1);
}

void TestReplay::replayReproducesTheLiveModels()
{
    // The live run, recorded in memory, and the window's models over it.
    QList<TraceEvent> recorded;
    QObject recorder;
    connect(Trace::instance(), &Trace::event, &recorder,
            [&](const TraceEvent &e) { recorded.append(e); });
    LiveSource live;
    ProcessTreeModel liveTree(&live);
    TableListModel liveTables(&live);
    liveTree.setMaxDeadRows(100000);
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.start();

    Pid consumer = 0;
    QTRY_VERIFY((consumer = Registry::instance()->whereis(QStringLiteral("TableConsumer"))) != 0);
    QTRY_VERIFY(!Table::ownedBy(consumer).isEmpty());
    const TableId table = Table::ownedBy(consumer).first();
    QVERIFY(runner.kill(QStringLiteral("TableConsumer")));
    // Restarted, and the table handed to the new consumer.
    Pid fresh = 0;
    QTRY_VERIFY((fresh = Registry::instance()->whereis(QStringLiteral("TableConsumer"))) != 0
                && fresh != consumer && Table::infoOf(table)
                && Table::infoOf(table)->owner == fresh);
    live.flush();
    QTRY_VERIFY(liveTables.rowCount() == 1 && liveTables.tableAt(0).owner == fresh);
    live.flush(); // every recorded event is in the live models now
    const QStringList liveTreeRows = treeRows(liveTree);
    const QStringList liveTableRows = tableRows(liveTables);
    const quint64 seq = recorded.constLast().seq;
    QVERIFY(liveTreeRows.size() >= 3);
    QVERIFY(liveTreeRows.join(QLatin1Char('\n')).contains(QStringLiteral("|1@1")));
    QVERIFY2(liveTableRows.join(QString()).contains(QStringLiteral("|set|public|")),
             qPrintable(liveTableRows.join(QLatin1Char('\n'))));

    // The trace, replayed to the same seq, shows the same.
    ReplaySource replay;
    replay.loadData(toJsonLines(recorded), QStringLiteral("recorded.jsonl"));
    ProcessTreeModel tree(&replay);
    TableListModel tables(&replay);
    tree.setMaxDeadRows(100000);
    Tester t1(&tree, QtTestMode);
    Tester t2(&tables, QtTestMode);
    replay.seek(seq);
    QCOMPARE(treeRows(tree), liveTreeRows);
    QCOMPARE(tableRows(tables), liveTableRows);
    // Scrubbed back and forth, still the same.
    replay.seek(recorded.first().seq);
    replay.seek(seq);
    QCOMPARE(treeRows(tree), liveTreeRows);
    QCOMPARE(tableRows(tables), liveTableRows);
    runner.stop();
    QTRY_VERIFY(!runner.isRunning());
}

QProcess *TestReplay::runStudio(const QStringList &args)
{
    m_studio = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    m_studio->setProcessEnvironment(env);
    m_studio->start(QStringLiteral(IMMORTAL_STUDIO), args);
    if (!m_studio->waitForStarted(10000) || !m_studio->waitForFinished(60000))
        return nullptr;
    return m_studio.get();
}

void TestReplay::binaryReplayHeadlessPrintsTheSummary()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sample.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(sample);
    file.close();
    QProcess *p = runStudio({ QStringLiteral("--replay"), path, QStringLiteral("--headless") });
    QVERIFY(p);
    const QString out = QString::fromUtf8(p->readAllStandardOutput());
    QVERIFY2(p->exitCode() == 0, qPrintable(p->readAllStandardError()));
    QVERIFY2(out.contains(QStringLiteral("summary: processes=3 restarts=1 tables=1 rows=3 "
                                         "tables_lost=0 tables_orphaned=0 ran_ms=0")),
             qPrintable(out));
    QVERIFY(
        out.contains(QStringLiteral("child_restarted pid=<0.4.0> kind=worker supervisor=<0.1.0> "
                                    "child_id=consumer")));
    // At a seq: the state there. Just after the crash, the consumer is gone.
    p = runStudio({ QStringLiteral("--replay"), path, QStringLiteral("--replay-at=13"),
                    QStringLiteral("--headless") });
    QVERIFY(p);
    const QString at = QString::fromUtf8(p->readAllStandardOutput());
    QVERIFY2(at.contains(QStringLiteral("summary: processes=2 restarts=0 tables=1 rows=3")),
             qPrintable(at));
    QVERIFY(!at.contains(QStringLiteral("child_restarted")));
}

void TestReplay::binaryReplayBadFileExits2NamingTheLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cut.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(sample.left(sample.indexOf("\"seq\":5"))); // cut inside line 5
    file.close();
    for (const QStringList &mode : { QStringList { QStringLiteral("--headless") },
                                     QStringList { QStringLiteral("--screenshot"),
                                                   dir.filePath(QStringLiteral("x.png")) } }) {
        QProcess *p = runStudio(QStringList { QStringLiteral("--replay"), path } + mode);
        QVERIFY(p);
        QCOMPARE(p->exitCode(), 2);
        const QString err = QString::fromUtf8(p->readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("cut.jsonl, line 5: the line is cut off")),
                 qPrintable(err));
    }
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.png"))));
}

void TestReplay::binaryReplayWithScenarioIsAUsageError()
{
    QProcess *p = runStudio({ QStringLiteral("--replay"), QStringLiteral("t.jsonl"),
                              QStringLiteral("--scenario"), QStringLiteral("s.json"),
                              QStringLiteral("--headless") });
    QVERIFY(p);
    QCOMPARE(p->exitCode(), 2);
    QVERIFY(QString::fromUtf8(p->readAllStandardError())
                .contains(QStringLiteral("--replay and --scenario cannot be combined")));
    p = runStudio({ QStringLiteral("--replay-at=3"), QStringLiteral("--headless") });
    QVERIFY(p);
    QCOMPARE(p->exitCode(), 2);
}

void TestReplay::binaryReplayScreenshot()
{
    // A trace the studio wrote itself, replayed into a window.
    QTemporaryDir dir;
    const QString trace = dir.filePath(QStringLiteral("run.jsonl"));
    QProcess *p = runStudio({ QStringLiteral("--headless"), QStringLiteral("--duration=800"),
                              QStringLiteral("--kill=TableConsumer@300"),
                              QStringLiteral("--trace-out"), trace });
    QVERIFY(p);
    QCOMPARE(p->exitCode(), 0);
    const QString png = dir.filePath(QStringLiteral("replay.png"));
    p = runStudio({ QStringLiteral("--replay"), trace, QStringLiteral("--screenshot"), png });
    QVERIFY(p);
    QVERIFY2(p->exitCode() == 0, qPrintable(p->readAllStandardError()));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    TestReplay test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_replay.moc"
