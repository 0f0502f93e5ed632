// The studio's models under QAbstractItemModelTester while a real tree
// runs, crashes, restarts and moves its tables.
#include "chaosmonkey.h"
#include "modelsupport.h"
#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/models/eventlogmodel.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/models/tablerowsmodel.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <memory>

using namespace immortal;
using immortal::testing::countRows;
using immortal::testing::findByName;

namespace {
using Tester = QAbstractItemModelTester;
constexpr auto QtTestMode = QAbstractItemModelTester::FailureReportingMode::QtTest;

Pid pidAt(const QModelIndex &i)
{
    return i.data(ProcessTreeModel::PidRole).value<Pid>();
}

ProcessTreeModel::State stateAt(const QModelIndex &i);

// The tree shows every live process, running, under its supervisor.
bool showsEveryLiveProcess(ProcessTreeModel &tree)
{
    tree.flush();
    const auto live = Node::instance()->processes();
    for (const ProcessInfo &info : live) {
        const QModelIndex i = tree.indexOfPid(info.pid);
        if (!i.isValid() || stateAt(i) == ProcessTreeModel::State::Dead)
            return false;
        if (info.supervisor != 0 && pidAt(i.parent()) != info.supervisor)
            return false;
    }
    return !live.isEmpty();
}

ProcessTreeModel::State stateAt(const QModelIndex &i)
{
    return i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>();
}

int tableRow(const TableListModel &model, const QString &name)
{
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.tableAt(r).name == name)
            return r;
    return -1;
}
} // namespace

class TestModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();
    void processTreeFollowsRestarts();
    void processTreeShowsTerminatedAsDead();
    void processTreeLearnsFromTheTraceThatAChildStaysDown();
    void tableListFollowsOwnership();
    void tableRowsAreLive();
    void privateTableShowsNoRows();
    void eventLogCapsAndFilters();
    void burstsAreCoalesced();
    void modelsSurviveChurn();
    void modelsUnderChaosForThousandsOfEvents();
};

void TestModels::cleanup()
{
    // Every test leaves the node empty, so names and tables do not leak.
    // A table orphaned by the tree's end waits out its heir's grace period;
    // public ones we may delete now, the others we wait for.
    QTRY_VERIFY(Node::instance()->processes().isEmpty());
    for (const TableInfo &t : Table::all()) {
        if (t.access == TableOptions::Access::Public)
            Table::fromId(t.id).deleteTable();
    }
    QTRY_VERIFY_WITH_TIMEOUT(Table::all().isEmpty(), 15000);
}

void TestModels::processTreeFollowsRestarts()
{
    ProcessTreeModel model;
    Tester tester(&model, QtTestMode);
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.start();

    QTRY_VERIFY(findByName(model, QStringLiteral("TableConsumer")).isValid());
    QPersistentModelIndex consumer = findByName(model, QStringLiteral("TableConsumer"));
    const QModelIndex root = consumer.parent();
    QVERIFY(root.isValid());
    QCOMPARE(pidAt(root), runner.rootPid());
    QCOMPARE(root.data(ProcessTreeModel::KindRole).toString(), QStringLiteral("supervisor"));
    QTRY_VERIFY(findByName(model, QStringLiteral("TableManager")).isValid());
    QCOMPARE(findByName(model, QStringLiteral("TableManager")).parent(), root);
    QCOMPARE(consumer.data(ProcessTreeModel::ChildIdRole).toString(), QStringLiteral("consumer"));

    const Pid first = pidAt(consumer);
    QCOMPARE(first, runner.resolve(QStringLiteral("TableConsumer")));
    const quint64 key = consumer.data(ProcessTreeModel::ItemKeyRole).value<quint64>();

    // With a boot delay the restarted consumer is alive but not registered
    // for a while: the row keeps its name and shows it waiting.
    runner.setBootDelay(QStringLiteral("consumer"), 1000);
    QVERIFY(runner.kill(QStringLiteral("TableConsumer"), ExitReason::kill()));
    QTRY_VERIFY(pidAt(consumer) != first && pidAt(consumer) != 0);
    QTRY_COMPARE(stateAt(consumer), ProcessTreeModel::State::Waiting);
    QCOMPARE(consumer.data().toString(), QStringLiteral("TableConsumer"));
    // Same row, new pid, one restart, running again once registered.
    QTRY_COMPARE(stateAt(consumer), ProcessTreeModel::State::Running);
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("TableConsumer")), pidAt(consumer));
    QCOMPARE(consumer.data(ProcessTreeModel::ItemKeyRole).value<quint64>(), key);
    QCOMPARE(consumer.data(ProcessTreeModel::RestartsRole).toInt(), 1);
    QCOMPARE(model.indexOfPid(pidAt(consumer)), QModelIndex(consumer));
    QCOMPARE(model.rowCount(root), 2);
    const auto history = model.exitHistory(consumer);
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().pid, first);
    QCOMPARE(history.first().reason, QStringLiteral("killed"));
}

void TestModels::processTreeShowsTerminatedAsDead()
{
    ProcessTreeModel model;
    Tester tester(&model, QtTestMode);
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.start();
    QTRY_VERIFY(findByName(model, QStringLiteral("TableConsumer")).isValid());
    QPersistentModelIndex consumer = findByName(model, QStringLiteral("TableConsumer"));

    QVERIFY(runner.terminateChild(QStringLiteral("consumer")));
    QTRY_COMPARE(stateAt(consumer), ProcessTreeModel::State::Dead);
    QCOMPARE(consumer.data(ProcessTreeModel::RestartsRole).toInt(), 0);

    // restart_child brings the same row back to life.
    QVERIFY(runner.restartChild(QStringLiteral("consumer")));
    QTRY_COMPARE(stateAt(consumer), ProcessTreeModel::State::Running);
    QTRY_COMPARE(pidAt(consumer), runner.resolve(QStringLiteral("consumer")));
}

void TestModels::processTreeLearnsFromTheTraceThatAChildStaysDown()
{
    // A temporary child that dies on its own is never restarted; the model
    // learns that from child_not_restarted, not by asking the supervisor.
    ProcessTreeModel model;
    Tester tester(&model, QtTestMode);
    ChildSpec once { QStringLiteral("once"), [] {
                        return new Process;
                    } };
    once.restart = ChildSpec::Restart::Temporary;
    std::unique_ptr<Supervisor> sup(
        new Supervisor({ Supervisor::Strategy::OneForOne, 5, 5000 },
                       { once, ChildSpec { QStringLiteral("keeper"), [] {
                                              return new Process;
                                          } } }));
    sup->start();
    const Pid pid = sup->whichChildren().at(0).pid;
    QTRY_VERIFY(model.indexOfPid(pid).isValid());
    const QPersistentModelIndex row = model.indexOfPid(pid);
    QTRY_COMPARE(stateAt(row), ProcessTreeModel::State::Running);

    QVERIFY(Node::instance()->exit(pid, Term::atom(u"boom")));
    QTRY_COMPARE(stateAt(row), ProcessTreeModel::State::Dead);
    QCOMPARE(row.data(ProcessTreeModel::LastReasonRole).toString(), QStringLiteral("boom"));
}

void TestModels::tableListFollowsOwnership()
{
    TableListModel model;
    Tester tester(&model, QtTestMode);
    ScenarioRunner runner(Scenario::defaultScenario());
    // Long enough to see the manager holding the table.
    runner.setBootDelay(QStringLiteral("consumer"), 1500);
    runner.start();

    QTRY_VERIFY(tableRow(model, QStringLiteral("TableConsumer")) >= 0);
    const int row = tableRow(model, QStringLiteral("TableConsumer"));
    const QModelIndex owner = model.index(row, TableListModel::OwnerColumn);
    Pid consumer = 0;
    QTRY_VERIFY((consumer = Registry::instance()->whereis(QStringLiteral("TableConsumer"))) != 0);
    QTRY_COMPARE(owner.data(TableListModel::OwnerPidRole).value<Pid>(), consumer);
    QVERIFY(owner.data().toString().contains(QStringLiteral("TableConsumer")));
    QTRY_VERIFY(model.index(row, TableListModel::RowsColumn).data().toLongLong() >= 1);
    const int transfers = model.index(row, TableListModel::TransfersColumn).data().toInt();
    QCOMPARE(model.index(row, TableListModel::TypeColumn).data().toString(), QStringLiteral("set"));
    QCOMPARE(model.index(row, TableListModel::AccessColumn).data().toString(),
             QStringLiteral("public"));

    const Pid manager = runner.resolve(QStringLiteral("TableManager"));
    QVERIFY(manager != 0);
    QVERIFY(runner.kill(QStringLiteral("TableConsumer")));
    QTRY_COMPARE(owner.data(TableListModel::OwnerPidRole).value<Pid>(), manager);
    QVERIFY(owner.data().toString().contains(QStringLiteral("TableManager")));
    QTRY_VERIFY(owner.data(TableListModel::OwnerPidRole).value<Pid>() != manager);
    const Pid fresh = owner.data(TableListModel::OwnerPidRole).value<Pid>();
    QVERIFY(fresh != consumer);
    QCOMPARE(fresh, Registry::instance()->whereis(QStringLiteral("TableConsumer")));
    QVERIFY(model.index(row, TableListModel::TransfersColumn).data().toInt() >= transfers + 2);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.lostCount(), 0);
}

void TestModels::tableRowsAreLive()
{
    TableRowsModel model;
    Tester tester(&model, QtTestMode);
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.start();

    TableId id = 0;
    QTRY_VERIFY(Registry::instance()->whereis(QStringLiteral("TableConsumer")) != 0);
    QTRY_VERIFY(!Table::ownedBy(runner.resolve(QStringLiteral("TableConsumer"))).isEmpty());
    id = Table::ownedBy(runner.resolve(QStringLiteral("TableConsumer"))).first();
    model.setTable(id);
    QCOMPARE(model.table(), id);
    QVERIFY(!model.rowsHidden());
    // The consumer counts: the one row's value climbs while we watch.
    QTRY_COMPARE(model.rowCount(), 1);
    QTRY_VERIFY(model.columnCount() >= 2);
    const qint64 before =
        model.index(0, 1).data(TableRowsModel::TermRole).value<Term>().toInteger();
    QTRY_VERIFY(model.index(0, 1).data(TableRowsModel::TermRole).value<Term>().toInteger()
                > before);

    // Rows written from outside: public table, inserted and removed live.
    Table table = Table::fromId(id);
    table.insert(Tuple { Term::atom(u"zeta"), Term(1) });
    table.insert(Tuple { Term::atom(u"alpha"), Term(2) });
    QTRY_COMPARE(model.rowCount(), 3);
    table.erase(Term::atom(u"zeta"));
    QTRY_COMPARE(model.rowCount(), 2);
    model.setTable(0);
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::privateTableShowsNoRows()
{
    TableRowsModel model;
    Tester tester(&model, QtTestMode);
    auto owner = std::make_unique<Process>();
    TableId priv = 0, pub = 0;
    {
        ProcessScope scope(owner->pid());
        TableOptions options;
        options.access = TableOptions::Access::Private;
        Table t = Table::create(QStringLiteral("secret"), options);
        t.insert(Tuple { Term(1), Term("hidden") });
        priv = t.id();
        options.access = TableOptions::Access::Protected;
        options.type = TableOptions::Type::Bag;
        Table b = Table::create(QStringLiteral("bag"), options);
        b.insert(Tuple { Term(1), Term("a") });
        b.insert(Tuple { Term(1), Term("b") });
        pub = b.id();
    }
    model.setTable(priv);
    QVERIFY(model.rowsHidden());
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.statusText().isEmpty());

    // A bag shows every row of a key; a new one arrives live.
    model.setTable(pub);
    QVERIFY(!model.rowsHidden());
    QCOMPARE(model.rowCount(), 2);
    {
        ProcessScope scope(owner->pid());
        Table::fromId(pub).insert(Tuple { Term(0), Term("first") });
    }
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("\"first\""));

    // The owner dies: no heir, the table goes, and so do its rows.
    owner.reset();
    QTRY_COMPARE(model.rowCount(), 0);
    QVERIFY(model.rowsHidden());
}

void TestModels::eventLogCapsAndFilters()
{
    EventLogModel model(nullptr, 50);
    Tester tester(&model, QtTestMode);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterKeyColumn(-1);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    Tester proxyTester(&proxy, QtTestMode);

    Process p;
    for (int i = 0; i < 150; ++i) {
        p.registerName(QStringLiteral("churn%1").arg(i));
        Registry::instance()->unregisterName(QStringLiteral("churn%1").arg(i));
    }
    const quint64 last = Trace::instance()->lastSeq();
    QTRY_COMPARE(model.totalSeen() >= 300, true);
    QTRY_COMPARE(model.eventAt(model.rowCount() - 1).seq, last);
    QCOMPARE(model.rowCount(), 50);
    // Oldest dropped, newest kept, in order.
    for (int r = 1; r < model.rowCount(); ++r)
        QVERIFY(model.eventAt(r).seq > model.eventAt(r - 1).seq);
    QCOMPARE(model.index(49, EventLogModel::TypeColumn).data().toString(),
             QStringLiteral("name_unregistered"));

    proxy.setFilterFixedString(QStringLiteral("churn149"));
    QCOMPARE(proxy.rowCount(), 2); // registered and released
    proxy.setFilterFixedString(QStringLiteral("NAME_REGISTERED"));
    QCOMPARE(proxy.rowCount(), 25);
}

void TestModels::burstsAreCoalesced()
{
    // Thousands of events in one go cost the views one insertion, not thousands.
    EventLogModel log;
    TableListModel tables;
    QSignalSpy inserted(&log, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&tables, &QAbstractItemModel::dataChanged);
    auto owner = std::make_unique<Process>();
    {
        ProcessScope scope(owner->pid());
        TableOptions options;
        options.access = TableOptions::Access::Public;
        Table t = Table::create(QStringLiteral("burst"), options);
        QTRY_COMPARE(tables.rowCount(), 1);
        changed.clear();
        for (int i = 0; i < 3000; ++i) {
            owner->registerName(QStringLiteral("burst%1").arg(i));
            Registry::instance()->unregisterName(QStringLiteral("burst%1").arg(i));
            t.insert(Tuple { Term(i), Term(i * 2) });
        }
    }
    const quint64 last = Trace::instance()->lastSeq();
    // (the table's coalesced write event may come a little later)
    QTRY_VERIFY(log.eventAt(log.rowCount() - 1).seq >= last);
    QVERIFY2(inserted.count() <= 3, qPrintable(QString::number(inserted.count())));
    QTRY_COMPARE(tables.index(0, TableListModel::RowsColumn).data().toLongLong(), 3000);
    QVERIFY2(changed.count() <= 3, qPrintable(QString::number(changed.count())));
}

void TestModels::modelsSurviveChurn()
{
    ProcessTreeModel tree;
    TableListModel tables;
    TableRowsModel rows;
    EventLogModel log(nullptr, 500);
    tree.setMaxDeadRows(100000); // keep every row, so every restart stays counted
    Tester t1(&tree, QtTestMode);
    Tester t2(&tables, QtTestMode);
    Tester t3(&rows, QtTestMode);
    Tester t4(&log, QtTestMode);

    ScenarioRunner runner(Scenario::fromFile(Scenario::demoPath()));
    runner.start();
    QTRY_VERIFY(tables.rowCount() >= 2);
    rows.setTable(tables.tableAt(0).id);

    // Many crashes quickly: workers and managers killed at random.
    ChaosMonkey *chaos = runner.chaos();
    chaos->setSeed(42);
    chaos->setRate(25);
    chaos->setEnabled(true);
    // Until enough kills, or until the root gave up (escalation is churn too).
    QTRY_VERIFY_WITH_TIMEOUT(chaos->kills() >= 60 || !runner.isRunning(), 30000);
    chaos->setEnabled(false);
    QVERIFY(chaos->kills() >= 10);
    QTRY_VERIFY(log.totalSeen() > 500);
    QCOMPARE(log.rowCount(), 500);

    // Once things settle, the tree shows every live process of the tree
    // under its supervisor.
    QTRY_VERIFY_WITH_TIMEOUT(showsEveryLiveProcess(tree), 10000);
    QVERIFY(countRows(tree) >= Node::instance()->processes().size());
    // Every restart is counted on the row of the child that restarted.
    const std::function<int(const QModelIndex &)> restarts = [&](const QModelIndex &parent) {
        int n = parent.isValid() ? parent.data(ProcessTreeModel::RestartsRole).toInt() : 0;
        for (int r = 0; r < tree.rowCount(parent); ++r)
            n += restarts(tree.index(r, 0, parent));
        return n;
    };
    QTRY_COMPARE(restarts({}), runner.stats().restarts);
    QVERIFY(runner.stats().restarts > 0);

    // The tables panel agrees with the core.
    QTRY_VERIFY([&] {
        tables.flush();
        const auto all = Table::all();
        if (all.size() != tables.rowCount())
            return false;
        for (const TableInfo &t : all) {
            const QModelIndex i = tables.indexOfTable(t.id, TableListModel::OwnerColumn);
            if (!i.isValid() || i.data(TableListModel::OwnerPidRole).value<Pid>() != t.owner)
                return false;
        }
        return true;
    }());
}

// Every model, and the window's filter over the event log, under the model
// tester while the chaos monkey strikes supervisors and managers as well as
// workers, hundreds of times a second, for thousands of trace events. The
// demo tree, with a root that never gives up so the churn goes on.
void TestModels::modelsUnderChaosForThousandsOfEvents()
{
    QFile demo(Scenario::demoPath());
    QVERIFY(demo.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(demo.readAll()).object();
    QJsonObject root = json.value(QStringLiteral("root")).toObject();
    root.insert(QStringLiteral("intensity"), 1000);
    root.insert(QStringLiteral("period_ms"), 1000);
    json.insert(QStringLiteral("root"), root);

    ProcessTreeModel tree;
    TableListModel tables;
    TableRowsModel rows;
    EventLogModel log(nullptr, 2000);
    QSortFilterProxyModel filtered; // as the window filters the log
    filtered.setSourceModel(&log);
    filtered.setFilterKeyColumn(-1);
    filtered.setFilterCaseSensitivity(Qt::CaseInsensitive);
    filtered.setFilterFixedString(QStringLiteral("table"));
    Tester t1(&tree, QtTestMode);
    Tester t2(&tables, QtTestMode);
    Tester t3(&rows, QtTestMode);
    Tester t4(&log, QtTestMode);
    Tester t5(&filtered, QtTestMode);

    ScenarioRunner runner(
        Scenario::fromJson(QJsonDocument(json).toJson(), QStringLiteral("demo-forever.json")));
    runner.start();
    QTRY_VERIFY(tables.rowCount() >= 3);
    rows.setTable(tables.tableAt(0).id);
    const qint64 seenBefore = log.totalSeen();

    ChaosMonkey *chaos = runner.chaos();
    chaos->setSeed(7);
    chaos->setRate(400);
    // Everything but the root, supervisors included: whole subtrees go.
    chaos->setTargetFilter(QRegularExpression(QStringLiteral("^(?!Demo\\.Supervisor$)")));
    chaos->setEnabled(true);
    int switches = 0;
    // The inspector follows another table now and then, as a user clicking would.
    QObject clicker;
    connect(&tables, &TableListModel::updated, &clicker, [&] {
        if (tables.rowCount() > 0 && ++switches % 7 == 0)
            rows.setTable(tables.tableAt(switches % tables.rowCount()).id);
    });
    QTRY_VERIFY_WITH_TIMEOUT(log.totalSeen() - seenBefore >= 5000, 60000);
    chaos->setEnabled(false);
    QVERIFY(runner.isRunning());
    QVERIFY2(chaos->kills() >= 100, qPrintable(QString::number(chaos->kills())));
    QVERIFY(switches > 0);
    QCOMPARE(log.rowCount(), 2000);
    QVERIFY(filtered.rowCount() > 0 && filtered.rowCount() < log.rowCount());

    // Settled, the tree shows each live process under its supervisor.
    QTRY_VERIFY_WITH_TIMEOUT(showsEveryLiveProcess(tree), 10000);
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    TestModels test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_models.moc"
