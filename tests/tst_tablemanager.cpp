// The seed's tests (Immortal.ETSTableManager) in C++ form, and the manager's
// own promises: it waits on registry signals, re-adopts after a restart and
// reports each step with a signal.
#include "managertesting.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/tablemanager.h>
#include <immortal/trace.h>

#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QSemaphore>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <functional>

using namespace immortal;
using namespace immortal::testing;

namespace {

QString uniqueName(const char *stem)
{
    static int n = 0;
    return QStringLiteral("tm.%1.%2").arg(QLatin1String(stem)).arg(++n);
}

void writeAs(Pid pid, TableId table, const Tuple &row)
{
    ProcessScope scope(pid);
    Table::fromId(table).insert(row);
}

// Ends a test's processes and its table without leaving an orphan behind.
void dropTable(TableId id)
{
    const auto info = Table::infoOf(id);
    if (info && info->owner != 0) {
        ProcessScope scope(info->owner);
        Table::fromId(id).deleteTable();
    }
}

void stop(Pid pid)
{
    if (!Node::instance()->isAlive(pid))
        return;
    QPointer<Process> p = Node::instance()->process(pid);
    QVERIFY(p);
    QSignalSpy gone(p.data(), &QObject::destroyed);
    Node::instance()->exit(pid, ExitReason::shutdown());
    QVERIFY(gone.wait(10000));
}

} // namespace

class TestTableManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void optionsAreHonoured();
    void consumerHoldsTheManagersTable();
    void rowSurvivesConsumerRestart();
    void waitsForTargetThenHandsOver();
    void signalsFireInOrder();
    void restartedManagerReadoptsTheTable();
    void targetDiesBeforeHandOver();
    void deletedWhileWaitingForANameToFree();
    void badArguments();
};

// Seed: "the table's options are honoured and the table's owner is the
// consumer and its heir the manager"; named_table takes the target's name.
void TestTableManager::optionsAreHonoured()
{
    const QString target = uniqueName("opts");
    TableOptions opts;
    opts.type = TableOptions::Type::Bag;
    opts.access = TableOptions::Access::Public;
    opts.namedTable = true;
    opts.keyPos = 2;

    auto *consumer = new Consumer(target);
    auto *manager = new TableManager(target, opts);
    QSignalSpy handed(manager, &TableManager::handedOver);
    QVERIFY(handed.wait(10000));

    const auto info = Table::infoOf(manager->table());
    QVERIFY(info);
    QCOMPARE(info->type, TableOptions::Type::Bag);
    QCOMPARE(info->access, TableOptions::Access::Public);
    QVERIFY(info->namedTable);
    QCOMPARE(info->keyPos, 2);
    QCOMPARE(info->name, target);
    QCOMPARE(Table::named(target).id(), manager->table());
    QCOMPARE(info->owner, consumer->pid());
    QCOMPARE(info->heir.name, manager->managerName());
    QCOMPARE(manager->managerName(), target + QStringLiteral(".manager"));
    QCOMPARE(info->heirPid, manager->pid());
    QCOMPARE(Registry::instance()->whereis(manager->managerName()), manager->pid());
    QCOMPARE(manager->state(), TableManager::State::HandedOver);

    const TableId id = manager->table();
    dropTable(id);
    stop(manager->pid());
    stop(consumer->pid());
}

// Seed: "the consumer holds the same table the manager reports".
void TestTableManager::consumerHoldsTheManagersTable()
{
    const QString target = uniqueName("same");
    auto *consumer = new Consumer(target);
    QSignalSpy transfer(consumer, &Process::etsTransfer);
    auto *manager = new TableManager(target, TableOptions());
    QVERIFY(waitUntil([&] { return consumer->table() != 0; }));
    QCOMPARE(consumer->table(), manager->table());
    QCOMPARE(consumer->from(), manager->pid());
    QCOMPARE(consumer->transfers(), 1);
    QCOMPARE(transfer.count(), 1);
    QCOMPARE(transfer.at(0).at(0).value<TableId>(), manager->table());
    QCOMPARE(transfer.at(0).at(1).value<Pid>(), manager->pid());

    dropTable(manager->table());
    stop(manager->pid());
    stop(consumer->pid());
}

// Seed: "a row written before a consumer restart is still there after it",
// with the seed's layout: consumer child, then manager child, one_for_one.
void TestTableManager::rowSurvivesConsumerRestart()
{
    const QString target = uniqueName("restart");
    TableOptions opts;
    opts.namedTable = true;
    Supervisor::Flags flags;
    flags.intensity = 10;
    auto *sup = new Supervisor(flags,
                               { ChildSpec { QStringLiteral("consumer"),
                                             [=] {
                                                 return new Consumer(target);
                                             } },
                                 ChildSpec { QStringLiteral("manager"), [=] {
                                                return new TableManager(target, opts);
                                            } } });
    sup->start();

    auto settled = [&] {
        const Pid c = Registry::instance()->whereis(target);
        const auto info = Table::infoOf(Table::named(target).id());
        return c != 0 && info && info->owner == c;
    };
    QVERIFY(waitUntil(settled));
    const TableId id = Table::named(target).id();
    const Pid first = Registry::instance()->whereis(target);
    writeAs(first, id, { Term::atom(u"answer"), 42 });

    Node::instance()->exit(first, ExitReason::kill());
    QVERIFY(waitUntil([&] {
        return settled() && Registry::instance()->whereis(target) != first
            && !Node::instance()->isAlive(first);
    }));
    const Pid second = Registry::instance()->whereis(target);
    QVERIFY(second != first);
    QCOMPARE(Table::named(target).id(), id);
    const auto rows = Table::fromId(id).lookup(Term::atom(u"answer"));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).at(1), Term(42));
    auto *consumer = qobject_cast<Consumer *>(Node::instance()->process(second).data());
    QVERIFY(consumer);
    // The ETS-TRANSFER reaches the new consumer's handler, with the same table.
    QVERIFY(waitUntil([&] { return consumer->table() != 0; }));
    QCOMPARE(consumer->table(), id);

    dropTable(id);
    stop(sup->pid());
}

// The manager waits on the registry (no polling) while the target is not
// there, stays responsive, and hands over when the target registers.
void TestTableManager::waitsForTargetThenHandsOver()
{
    const QString target = uniqueName("wait");
    auto *manager = new TableManager(target, TableOptions());
    QSignalSpy waiting(manager, &TableManager::waitingForTarget);
    QSignalSpy handed(manager, &TableManager::handedOver);
    QVERIFY(waiting.wait(10000));
    QCOMPARE(waiting.at(0).at(0).toString(), target);
    QCOMPARE(manager->state(), TableManager::State::WaitingForTarget);
    QCOMPARE(Table::infoOf(manager->table())->owner, manager->pid());
    QCOMPARE(handed.count(), 0);

    // Responsive while waiting: a handler posted to it runs.
    bool ran = false;
    QVERIFY(Node::instance()->post(manager->pid(), [&](Process *p) {
        ran = Process::currentPid() == p->pid();
        emit Probe::instance()->changed();
    }));
    QVERIFY(waitUntil([&] { return ran; }));
    QCOMPARE(handed.count(), 0);

    auto *consumer = new Consumer(target);
    QVERIFY(handed.count() == 1 || handed.wait(10000));
    QCOMPARE(handed.at(0).at(0).value<TableId>(), manager->table());
    QCOMPARE(handed.at(0).at(1).value<Pid>(), consumer->pid());
    QCOMPARE(Table::infoOf(manager->table())->owner, consumer->pid());
    QCOMPARE(manager->state(), TableManager::State::HandedOver);
    QCOMPARE(waiting.count(), 1);

    dropTable(manager->table());
    stop(manager->pid());
    stop(consumer->pid());
}

void TestTableManager::signalsFireInOrder()
{
    const QString target = uniqueName("order");
    auto *manager = new TableManager(target, TableOptions());
    QStringList seen;
    QStringList traced;
    QObject listening; // ends the connections with this test, even when it fails
    connect(manager, &TableManager::tableCreated, &listening, [&] { seen << "created"; });
    connect(manager, &TableManager::tableAdopted, &listening, [&] { seen << "adopted"; });
    connect(manager, &TableManager::waitingForTarget, &listening, [&] { seen << "waiting"; });
    connect(manager, &TableManager::handedOver, &listening, [&] { seen << "handedOver"; });
    connect(manager, &TableManager::reclaimed, &listening, [&] { seen << "reclaimed"; });

    // Trace events of the manager, in order.
    const Pid mpid = manager->pid();
    connect(Trace::instance(), &Trace::event, &listening, [&](const TraceEvent &e) {
        if (e.pid == mpid && e.type >= TraceEvent::Type::ManagerWaiting)
            traced << QString::fromLatin1(TraceEvent::typeName(e.type));
    });

    QVERIFY(waitUntil([&] { return seen.size() >= 2; }));
    auto *first = new Consumer(target);
    const Pid firstPid = first->pid();
    QVERIFY(waitUntil([&] { return seen.size() >= 3; }));
    Node::instance()->exit(firstPid, Term::atom(u"crash"));
    QVERIFY(waitUntil([&] { return seen.size() >= 5; }));
    QCOMPARE(manager->state(), TableManager::State::WaitingForTarget);
    QCOMPARE(Table::infoOf(manager->table())->owner, mpid);

    auto *second = new Consumer(target);
    QVERIFY(waitUntil([&] { return seen.size() >= 6; }));
    QCOMPARE(
        seen,
        QStringList({ "created", "waiting", "handedOver", "reclaimed", "waiting", "handedOver" }));
    QCOMPARE(traced,
             QStringList({ "manager_waiting", "manager_handed_over", "manager_reclaimed",
                           "manager_waiting", "manager_handed_over" }));
    QCOMPARE(Table::infoOf(manager->table())->owner, second->pid());

    dropTable(manager->table());
    stop(mpid);
    stop(second->pid());
}

// Beyond the seed: the seed's restarted manager makes a new, empty table;
// ours takes over the one it managed, and the rows survive the next
// consumer crash too.
void TestTableManager::restartedManagerReadoptsTheTable()
{
    const QString target = uniqueName("adopt");
    Supervisor::Flags flags;
    flags.intensity = 10;
    auto *sup = new Supervisor(flags,
                               { ChildSpec { QStringLiteral("consumer"),
                                             [=] {
                                                 return new Consumer(target);
                                             } },
                                 ChildSpec { QStringLiteral("manager"), [=] {
                                                return new TableManager(target, TableOptions());
                                            } } });
    sup->start();
    const QString mname = target + QStringLiteral(".manager");

    auto managerOf = [&] {
        return qobject_cast<TableManager *>(
            Node::instance()->process(Registry::instance()->whereis(mname)).data());
    };
    auto settled = [&] {
        const Pid c = Registry::instance()->whereis(target);
        TableManager *m = managerOf();
        if (!c || !m || m->state() != TableManager::State::HandedOver)
            return false;
        const auto info = Table::infoOf(m->table());
        return info && info->owner == c && info->heirPid == m->pid();
    };
    QVERIFY(waitUntil(settled));
    const TableId id = managerOf()->table();
    const Pid oldManager = managerOf()->pid();
    QVERIFY(!managerOf()->adopted());
    writeAs(Registry::instance()->whereis(target), id, { 1, "one" });
    const int tablesBefore = Table::all().size();

    Node::instance()->exit(oldManager, ExitReason::kill());
    QVERIFY(waitUntil([&] { return settled() && managerOf()->pid() != oldManager; }));
    TableManager *m = managerOf();
    QVERIFY(m->adopted());
    QCOMPARE(m->table(), id);
    QCOMPARE(Table::all().size(), tablesBefore); // no new table

    // The old table's heir is the new manager, so a consumer crash now keeps it.
    const Pid consumer = Registry::instance()->whereis(target);
    Node::instance()->exit(consumer, ExitReason::kill());
    QVERIFY(
        waitUntil([&] { return settled() && Registry::instance()->whereis(target) != consumer; }));
    QCOMPARE(managerOf()->table(), id);
    QCOMPARE(Table::fromId(id).lookup(1).size(), 1);

    dropTable(id);
    stop(sup->pid());
}

// The target registered, then died before the manager's queued callback
// could hand over: the manager must wait for the next incarnation, not loop
// on the dead one.
void TestTableManager::targetDiesBeforeHandOver()
{
    const QString target = uniqueName("race");
    auto *doomed = new Consumer(target);
    QSignalSpy doomedGone(doomed, &QObject::destroyed);
    doomed->exit(Term::atom(u"crash")); // exiting, but still registered until destroyed
    auto *manager = new TableManager(target, TableOptions());
    QSignalSpy handed(manager, &TableManager::handedOver);
    QVERIFY(doomedGone.count() == 1 || doomedGone.wait(10000));
    QVERIFY(waitUntil([&] { return Registry::instance()->whereis(target) == 0; }));
    QVERIFY(Node::instance()->isAlive(manager->pid()));
    QCOMPARE(handed.count(), 0);
    QCOMPARE(Table::infoOf(manager->table())->owner, manager->pid());

    auto *next = new Consumer(target);
    QVERIFY(handed.count() == 1 || handed.wait(10000));
    QCOMPARE(handed.at(0).at(1).value<Pid>(), next->pid());
    QCOMPARE(Table::infoOf(manager->table())->owner, next->pid());

    dropTable(manager->table());
    stop(manager->pid());
    stop(next->pid());
}

// Deleting a manager unregisters its name from inside its destruction
// (~QObject emits destroyed, the core drops the name and the registry emits
// unregistered). A manager whose target died before the hand-over listens to
// that signal, waiting for the target's name to be freed: its slot must not
// run on the half-destroyed manager. Only UBSan sees the call ("member call
// on address ... which does not point to an object of type Process"):
// scripts/check-sanitizers runs this test under it.
void TestTableManager::deletedWhileWaitingForANameToFree()
{
    const QString target = uniqueName("held");
    // The target exits on a thread held in its handler: it is dead to the
    // manager, but its deletion, and so its name, waits for the thread.
    QThread thread;
    thread.start();
    auto *doomed = new Consumer(target);
    const Pid doomedPid = doomed->pid();
    doomed->moveToThread(&thread);
    QSemaphore exited;
    QSemaphore release;
    Node::instance()->post(doomedPid, [&](Process *p) {
        p->exit(Term::atom(u"crash"));
        exited.release();
        release.acquire();
    });
    exited.acquire();
    QVERIFY(!Node::instance()->isAlive(doomedPid));
    QCOMPARE(Registry::instance()->whereis(target), doomedPid);

    auto *manager = new TableManager(target, TableOptions());
    const TableId table = manager->table();
    // begin(), then the hand-over it queues (one call each: Qt leaves events
    // posted meanwhile for the next). Giving the table to the dead target
    // fails, and the manager waits for the name to be freed; its debug
    // message proves it got there.
    QLoggingCategory::setFilterRules(QStringLiteral("immortal.tablemanager.debug=true"));
    QTest::ignoreMessage(QtDebugMsg,
                         QRegularExpression(QStringLiteral("died before the hand-over")));
    QCoreApplication::sendPostedEvents(manager);
    QCoreApplication::sendPostedEvents(manager);
    QLoggingCategory::setFilterRules(QString());
    QCOMPARE(manager->state(), TableManager::State::WaitingForTarget);
    QCOMPARE(Table::infoOf(table)->owner, manager->pid());

    delete manager;
    QVERIFY(Table::infoOf(table)->orphaned); // waiting for the manager's name, its heir

    release.release();
    QVERIFY(waitUntil([&] { return Registry::instance()->whereis(target) == 0; }));
    thread.quit();
    QVERIFY(thread.wait(10000));

    // The next incarnation of the manager re-adopts the table.
    auto *next = new TableManager(target, TableOptions());
    QVERIFY(next->adopted());
    QCOMPARE(next->table(), table);
    dropTable(table);
    stop(next->pid());
}

void TestTableManager::badArguments()
{
    const int tables = Table::all().size();
    try {
        TableManager m { QString(), TableOptions() };
        QFAIL("an empty target name was accepted");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::BadArg);
    }
    try {
        TableManager m(QStringLiteral("x"), TableOptions(), QStringLiteral("x"));
        QFAIL("the target's own name was accepted as the manager's");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::BadArg);
    }

    const QString target = uniqueName("taken");
    auto *holder = new Consumer(target + QStringLiteral(".manager"));
    try {
        TableManager m(target, TableOptions());
        QFAIL("a taken manager name was accepted");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::NameTaken);
    }
    QCOMPARE(Table::all().size(), tables); // a failed call changes nothing
    stop(holder->pid());
}

QTEST_GUILESS_MAIN(TestTableManager)
#include "tst_tablemanager.moc"
