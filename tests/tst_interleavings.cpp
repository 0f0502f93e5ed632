// "Kill the consumer, the manager, and their supervisor's other children in
// any order, one crash at a time with a restart between: the table and every
// row survive." Plus the harder cases: the consumer dying while the manager
// restarts (the orphan grace period), the whole tree restarted by its parent,
// a consumer on a worker thread, and the one case where a table does die
// (owner and heir gone past the grace), which must be an explicit table_lost.
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

#include <QPointer>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <stdexcept>

using namespace immortal;
using namespace immortal::testing;

namespace {

enum class How { Kill, Abnormal, Exception };
enum class Victim { Consumer, Manager, Worker };

const char *howName(How h)
{
    switch (h) {
    case How::Kill:
        return "kill";
    case How::Abnormal:
        return "abnormal";
    case How::Exception:
        return "exception";
    }
    return "?";
}

QString childId(Victim v)
{
    switch (v) {
    case Victim::Consumer:
        return QStringLiteral("consumer");
    case Victim::Manager:
        return QStringLiteral("manager");
    case Victim::Worker:
        return QStringLiteral("worker");
    }
    return {};
}

void crash(Pid pid, How how)
{
    switch (how) {
    case How::Kill:
        QVERIFY(Node::instance()->exit(pid, ExitReason::kill()));
        break;
    case How::Abnormal:
        QVERIFY(Node::instance()->exit(pid, Term::atom(u"disk_on_fire")));
        break;
    case How::Exception:
        QVERIFY(Node::instance()->post(
            pid, [](Process *) { throw std::runtime_error("thrown inside a handler"); }));
        break;
    }
}

Pid childPid(const Supervisor *sup, const QString &id)
{
    for (const auto &c : sup->whichChildren())
        if (c.id == id)
            return c.restarting ? 0 : c.pid;
    return 0;
}

// A consumer, its manager and a bystander under one supervisor, with a
// protected named table and rows written by the consumer.
struct Tree
{
    QString target;
    QString managerName;
    TableId table = 0;
    QList<Tuple> rows;
    QThread *consumerThread = nullptr; // where consumers live; null = this thread

    QList<ChildSpec> children() const
    {
        const QString t = target;
        QThread *thread = consumerThread;
        TableOptions opts;
        opts.namedTable = true;
        return {
            ChildSpec { QStringLiteral("consumer"),
                        [t, thread]() -> Process * {
                            auto *c = new Consumer(t);
                            if (thread)
                                c->moveToThread(thread);
                            return c;
                        } },
            ChildSpec { QStringLiteral("manager"),
                        [t, opts] {
                            return new TableManager(t, opts);
                        } },
            ChildSpec { QStringLiteral("worker"),
                        [] {
                            return new Process;
                        } },
        };
    }

    TableManager *manager() const
    {
        return qobject_cast<TableManager *>(
            Node::instance()->process(Registry::instance()->whereis(managerName)).data());
    }

    // The consumer owns the table, the manager is its heir and has handed
    // over, and every child of `sup` runs.
    bool settled(const Supervisor *sup) const
    {
        if (!sup)
            return false;
        const Pid c = Registry::instance()->whereis(target);
        const TableManager *m = manager();
        if (c == 0 || !Node::instance()->isAlive(c) || !m || m->isExiting()
            || m->state() != TableManager::State::HandedOver)
            return false;
        const auto info = Table::infoOf(m->table());
        if (!info || info->owner != c || info->heirPid != m->pid())
            return false;
        const auto kids = sup->whichChildren();
        return std::all_of(kids.begin(), kids.end(), [](const Supervisor::ChildInfo &k) {
            return k.pid != 0 && !k.restarting && Node::instance()->isAlive(k.pid);
        });
    }

    // Writes a row as the consumer, in the consumer's own thread.
    bool write(const Tuple &row)
    {
        const Pid c = Registry::instance()->whereis(target);
        const TableId id = table;
        std::atomic<bool> done { false };
        if (!Node::instance()->post(c, [id, row, &done](Process *) {
                Table::fromId(id).insert(row);
                done = true;
                emit Probe::instance()->changed();
            }))
            return false;
        if (!waitUntil([&] { return done.load(); }))
            return false;
        rows << row;
        return true;
    }

    // Every row written so far is there, in the same table.
    void verifyRows() const
    {
        QCOMPARE(Table::named(target).id(), table);
        QCOMPARE(manager()->table(), table);
        const Table t = Table::fromId(table);
        QCOMPARE(t.size(), rows.size());
        for (const Tuple &row : rows) {
            const auto found = t.lookup(row.at(0));
            QCOMPARE(found.size(), 1);
            QCOMPARE(found.at(0), row);
        }
    }
};

QString uniqueName(const char *stem)
{
    static int n = 0;
    return QStringLiteral("il.%1.%2").arg(QLatin1String(stem)).arg(++n);
}

// Deletes the table (as its owner, so nothing is left orphaned) and stops sup.
void tearDown(TableId table, Supervisor *sup)
{
    const auto info = Table::infoOf(table);
    if (info && info->owner != 0) {
        const Pid owner = info->owner;
        std::atomic<bool> done { false };
        Node::instance()->post(owner, [table, &done](Process *) {
            Table::fromId(table).deleteTable();
            done = true;
            emit Probe::instance()->changed();
        });
        QVERIFY(waitUntil([&] { return done.load(); }));
    }
    if (sup) {
        QSignalSpy gone(sup, &QObject::destroyed);
        Node::instance()->shutdown(sup->pid());
        QVERIFY(gone.wait(20000));
    }
}

Supervisor *startTree(Tree &tree, Supervisor::Strategy strategy)
{
    Supervisor::Flags flags;
    flags.strategy = strategy;
    flags.intensity = 1000; // the crashes are the test, not an escalation
    flags.periodMs = 5000;
    auto *sup = new Supervisor(flags, tree.children());
    sup->start();
    return sup;
}

// Traces every TableLost, so a silent loss cannot hide behind a passing check.
struct LossWatch
{
    QObject context;
    QList<TableId> lost;
    LossWatch()
    {
        QObject::connect(Trace::instance(), &Trace::event, &context, [this](const TraceEvent &e) {
            if (e.type == TraceEvent::Type::TableLost)
                lost << e.table;
        });
    }
};

} // namespace

Q_DECLARE_METATYPE(QList<Victim>)
Q_DECLARE_METATYPE(How)

class TestInterleavings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crashOrders_data();
    void crashOrders();
    void consumerDiesWhileManagerRestarts();
    void consumerDiesWhileManagerRestartsUnderSupervisor();
    void wholeTreeRestartedByItsParent_data();
    void wholeTreeRestartedByItsParent();
    void tableLostIsExplicit();
    void consumerOnWorkerThread();
};

void TestInterleavings::crashOrders_data()
{
    QTest::addColumn<Supervisor::Strategy>("strategy");
    QTest::addColumn<How>("how");
    QTest::addColumn<QList<Victim>>("order");

    const Victim C = Victim::Consumer, M = Victim::Manager, W = Victim::Worker;
    QList<QList<Victim>> orders;
    QList<Victim> perm { C, M, W };
    std::sort(perm.begin(), perm.end());
    do {
        orders << perm; // every order of one crash each
    } while (std::next_permutation(perm.begin(), perm.end()));
    orders << QList<Victim> { C, M, C, M } << QList<Victim> { M, C, M, C }
           << QList<Victim> { C, C, M, M } << QList<Victim> { M, M, W, C, C }
           << QList<Victim> { W, C, W, M, C };

    const QList<std::pair<Supervisor::Strategy, const char *>> strategies {
        { Supervisor::Strategy::OneForOne, "one_for_one" },
        { Supervisor::Strategy::RestForOne, "rest_for_one" },
        { Supervisor::Strategy::OneForAll, "one_for_all" },
    };
    for (const auto &[strategy, sname] : strategies) {
        for (How how : { How::Kill, How::Abnormal, How::Exception }) {
            for (const auto &order : orders) {
                QString label =
                    QStringLiteral("%1/%2/").arg(QLatin1String(sname), QLatin1String(howName(how)));
                for (Victim v : order)
                    label += childId(v).at(0);
                QTest::newRow(qPrintable(label)) << strategy << how << order;
            }
        }
    }
}

void TestInterleavings::crashOrders()
{
    QFETCH(Supervisor::Strategy, strategy);
    QFETCH(How, how);
    QFETCH(QList<Victim>, order);

    LossWatch losses;
    Tree tree;
    tree.target = uniqueName("order");
    tree.managerName = tree.target + QStringLiteral(".manager");
    QPointer<Supervisor> sup = startTree(tree, strategy);
    QVERIFY(waitUntil([&] { return tree.settled(sup); }));
    tree.table = tree.manager()->table();
    for (int i = 0; i < 5; ++i)
        QVERIFY(tree.write({ i, QStringLiteral("row %1").arg(i) }));

    int step = 0;
    for (Victim v : order) {
        ++step;
        const QString id = childId(v);
        const Pid victim = childPid(sup, id);
        QVERIFY2(victim != 0, qPrintable(id));
        crash(victim, how);
        QVERIFY2(waitUntil([&] {
                     return !Node::instance()->isAlive(victim) && tree.settled(sup)
                         && childPid(sup, id) != victim;
                 }),
                 qPrintable(QStringLiteral("no recovery after crash %1 (%2)").arg(step).arg(id)));
        tree.verifyRows();
        if (QTest::currentTestFailed())
            return;
        // A row from each new incarnation must survive the later crashes too.
        QVERIFY(tree.write({ 100 + step, QStringLiteral("after crash %1").arg(step) }));
    }
    tree.verifyRows();
    QVERIFY(losses.lost.isEmpty());
    tearDown(tree.table, sup);
}

// Deterministic, without a supervisor: the manager is dead and not yet back
// when the consumer dies. The table is orphaned (not lost), and the new
// manager re-adopts it and gives it to the new consumer.
void TestInterleavings::consumerDiesWhileManagerRestarts()
{
    LossWatch losses;
    const QString target = uniqueName("grace");
    TableOptions opts;
    opts.namedTable = true;
    auto *consumer = new Consumer(target);
    auto *manager = new TableManager(target, opts);
    const TableId id = manager->table();
    QVERIFY(waitUntil([&] { return consumer->table() == id; }));
    {
        ProcessScope scope(consumer->pid());
        Table::fromId(id).insert({ Term::atom(u"k"), 1 });
    }

    QList<TraceEvent> events;
    QObject listening;
    connect(Trace::instance(), &Trace::event, &listening, [&](const TraceEvent &e) {
        if (e.table == id)
            events << e;
    });

    const Pid oldManager = manager->pid();
    const Pid oldConsumer = consumer->pid();
    Node::instance()->exit(oldManager, ExitReason::kill());
    QVERIFY(waitUntil([&] { return !Node::instance()->isAlive(oldManager); }));
    Node::instance()->exit(oldConsumer, ExitReason::kill());
    QVERIFY(waitUntil([&] {
        const auto info = Table::infoOf(id);
        return info && info->orphaned;
    }));
    QCOMPARE(Table::infoOf(id)->owner, Pid(0));
    QVERIFY(std::any_of(events.begin(), events.end(), [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::TableOrphaned && e.from == oldConsumer;
    }));

    // The "restart": same names, new processes, in the seed's order.
    auto *consumer2 = new Consumer(target);
    auto *manager2 = new TableManager(target, opts);
    QVERIFY(manager2->adopted());
    QCOMPARE(manager2->table(), id);
    QVERIFY(waitUntil([&] {
        return consumer2->table() == id && Table::infoOf(id)->owner == consumer2->pid()
            && manager2->state() == TableManager::State::HandedOver;
    }));
    QCOMPARE(Table::fromId(id).lookup(Term::atom(u"k")).size(), 1);
    QCOMPARE(Table::infoOf(id)->heirPid, manager2->pid());
    QVERIFY(std::any_of(events.begin(), events.end(), [&](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ManagerAdopted && e.pid == manager2->pid();
    }));
    QVERIFY(losses.lost.isEmpty());

    tearDown(id, nullptr);
    for (Process *p : { static_cast<Process *>(manager2), static_cast<Process *>(consumer2) }) {
        QSignalSpy gone(p, &QObject::destroyed);
        Node::instance()->exit(p->pid(), ExitReason::shutdown());
        QVERIFY(gone.wait(20000));
    }
}

// The same under a real supervisor: both crash in one go, before the
// supervisor has run its restarts.
void TestInterleavings::consumerDiesWhileManagerRestartsUnderSupervisor()
{
    LossWatch losses;
    Tree tree;
    tree.target = uniqueName("both");
    tree.managerName = tree.target + QStringLiteral(".manager");
    QPointer<Supervisor> sup = startTree(tree, Supervisor::Strategy::OneForOne);
    QVERIFY(waitUntil([&] { return tree.settled(sup); }));
    tree.table = tree.manager()->table();
    QVERIFY(tree.write({ 1, "one" }));

    for (int round = 0; round < 3; ++round) {
        const Pid m = childPid(sup, QStringLiteral("manager"));
        const Pid c = childPid(sup, QStringLiteral("consumer"));
        Node::instance()->exit(m, ExitReason::kill());
        Node::instance()->exit(c, ExitReason::kill());
        QVERIFY(waitUntil([&] {
            return !Node::instance()->isAlive(m) && !Node::instance()->isAlive(c)
                && tree.settled(sup) && childPid(sup, QStringLiteral("manager")) != m
                && childPid(sup, QStringLiteral("consumer")) != c;
        }));
        tree.verifyRows();
        QVERIFY(tree.write({ 10 + round, "more" }));
    }
    QVERIFY(losses.lost.isEmpty());
    tearDown(tree.table, sup);
}

// The consumer's supervisor itself is killed (or crashes) and is restarted
// by a parent that allows one restart: every process of the tree is new, the
// table and rows are not.
void TestInterleavings::wholeTreeRestartedByItsParent_data()
{
    QTest::addColumn<QString>("reason");
    QTest::newRow("killed from outside") << QStringLiteral("kill");
    QTest::newRow("crashed by itself") << QStringLiteral("shutdown_hard");
}

void TestInterleavings::wholeTreeRestartedByItsParent()
{
    QFETCH(QString, reason);
    LossWatch losses;
    Tree tree;
    tree.target = uniqueName("tree");
    tree.managerName = tree.target + QStringLiteral(".manager");
    // Strict intensities: the death below may cost exactly one restart of
    // `inner` and none of its children; one more and the tree escalates.
    Supervisor::Flags innerFlags;
    innerFlags.intensity = 0;
    Supervisor::Flags outerFlags;
    outerFlags.intensity = 1;
    const QList<ChildSpec> kids = tree.children();
    ChildSpec inner { QStringLiteral("inner"), [innerFlags, kids]() -> Process * {
                         auto *s = new Supervisor(innerFlags, kids);
                         s->start();
                         return s;
                     } };
    inner.type = ChildSpec::Type::Supervisor;
    inner.shutdown = ChildSpec::Infinity;
    QPointer<Supervisor> outer = new Supervisor(outerFlags, { inner });
    outer->start();

    auto innerSup = [&]() -> Supervisor * {
        return qobject_cast<Supervisor *>(
            Node::instance()->process(childPid(outer, QStringLiteral("inner"))).data());
    };
    QVERIFY(waitUntil([&] { return tree.settled(innerSup()); }));
    tree.table = tree.manager()->table();
    QVERIFY(tree.write({ 1, "one" }));
    QVERIFY(tree.write({ 2, "two" }));

    {
        const Pid old = childPid(outer, QStringLiteral("inner"));
        const Pid oldConsumer = Registry::instance()->whereis(tree.target);
        const Pid oldManager = Registry::instance()->whereis(tree.managerName);
        // Killed from outside, then crashing by itself.
        if (reason == QLatin1String("kill"))
            QVERIFY(Node::instance()->exit(old, ExitReason::kill()));
        else
            QVERIFY(
                Node::instance()->post(old, [reason](Process *p) { p->exit(Term::atom(reason)); }));
        QVERIFY2(waitUntil([&] {
                     const Pid now = childPid(outer, QStringLiteral("inner"));
                     return now != 0 && now != old && !Node::instance()->isAlive(oldConsumer)
                         && !Node::instance()->isAlive(oldManager) && tree.settled(innerSup());
                 }),
                 qPrintable(reason));
        tree.verifyRows();
        QVERIFY(tree.write({ reason, "after" }));
    }
    QVERIFY(losses.lost.isEmpty());
    tearDown(tree.table, outer);
}

// Owner and heir both gone, and nobody takes the heir's name within the
// grace period: the table dies, and says so with table_lost.
void TestInterleavings::tableLostIsExplicit()
{
    const QString target = uniqueName("lost");
    TableOptions opts;
    opts.heir.graceMs = 50;
    auto *consumer = new Consumer(target);
    auto *manager = new TableManager(target, opts);
    const TableId id = manager->table();
    QCOMPARE(Table::infoOf(id)->heir.graceMs, 50);
    QVERIFY(waitUntil([&] { return consumer->table() == id; }));
    {
        ProcessScope scope(consumer->pid());
        Table::fromId(id).insert({ 1, "doomed" });
    }

    QList<TraceEvent> events;
    QObject listening;
    connect(Trace::instance(), &Trace::event, &listening, [&](const TraceEvent &e) {
        if (e.table == id)
            events << e;
    });
    const Pid c = consumer->pid();
    const Pid m = manager->pid();
    Node::instance()->exit(m, ExitReason::kill());
    QVERIFY(waitUntil([&] { return !Node::instance()->isAlive(m); }));
    Node::instance()->exit(c, ExitReason::kill());

    QVERIFY(waitUntil([&] {
        return std::any_of(events.begin(), events.end(), [](const TraceEvent &e) {
            return e.type == TraceEvent::Type::TableLost;
        });
    }));
    QVERIFY(!Table::infoOf(id));
    QVERIFY_THROWS_EXCEPTION(Error, Table::fromId(id));
    const auto lost = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
        return e.type == TraceEvent::Type::TableLost;
    });
    QCOMPARE(lost->from, c);
    QVERIFY(lost->reason != Term());
    QCOMPARE(lost->size, qint64(1));
    const auto orphaned = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
        return e.type == TraceEvent::Type::TableOrphaned;
    });
    QVERIFY(orphaned != events.end());
    QVERIFY(orphaned->seq < lost->seq);
}

// The consumer lives on a worker thread; the manager and supervisor on this one.
void TestInterleavings::consumerOnWorkerThread()
{
    QThread worker;
    worker.setObjectName(QStringLiteral("consumer thread"));
    worker.start();
    LossWatch losses;
    Tree tree;
    tree.target = uniqueName("thread");
    tree.managerName = tree.target + QStringLiteral(".manager");
    tree.consumerThread = &worker;
    QPointer<Supervisor> sup = startTree(tree, Supervisor::Strategy::OneForOne);
    QVERIFY(waitUntil([&] { return tree.settled(sup); }));
    tree.table = tree.manager()->table();
    QVERIFY(tree.write({ 1, "one" }));

    for (Victim v : { Victim::Consumer, Victim::Manager, Victim::Consumer, Victim::Consumer }) {
        const QString id = childId(v);
        const Pid victim = childPid(sup, id);
        crash(victim, v == Victim::Consumer ? How::Exception : How::Kill);
        QVERIFY(waitUntil([&] {
            return !Node::instance()->isAlive(victim) && tree.settled(sup)
                && childPid(sup, id) != victim;
        }));
        tree.verifyRows();
        QVERIFY(tree.write({ int(tree.rows.size()) + 1, "more" }));
    }
    // The consumer that holds the table got it on the worker thread.
    std::atomic<QThread *> seen { nullptr };
    std::atomic<TableId> held { 0 };
    QVERIFY(Node::instance()->post(Registry::instance()->whereis(tree.target), [&](Process *p) {
        auto *c = static_cast<Consumer *>(p);
        seen = c->transferThread();
        held = c->table();
        emit Probe::instance()->changed();
    }));
    QVERIFY(waitUntil([&] { return seen.load() != nullptr; }));
    QCOMPARE(seen.load(), &worker);
    QCOMPARE(held.load(), tree.table);
    QVERIFY(losses.lost.isEmpty());

    const Pid last = Registry::instance()->whereis(tree.target);
    tearDown(tree.table, sup);
    QVERIFY(waitUntil([&] { return !Node::instance()->isAlive(last); }));
    worker.quit();
    worker.wait();
}

QTEST_GUILESS_MAIN(TestInterleavings)
#include "tst_interleavings.moc"
