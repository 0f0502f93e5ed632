#include "testsupport.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>

#include <memory>
#include <stdexcept>

using namespace immortal;

namespace {

// Records the trace events of one table, in the order they were recorded.
class TableTrace : public QObject
{
public:
    explicit TableTrace(TableId table)
        : m_table(table)
    {
        connect(Trace::instance(), &Trace::event, this, [this](const TraceEvent &e) {
            if (e.table == m_table)
                events.append(e);
        });
    }
    int count(TraceEvent::Type type) const
    {
        return int(std::count_if(events.cbegin(), events.cend(),
                                 [type](const TraceEvent &e) { return e.type == type; }));
    }
    TraceEvent lastOf(TraceEvent::Type type) const
    {
        for (auto it = events.crbegin(); it != events.crend(); ++it) {
            if (it->type == type)
                return *it;
        }
        return {};
    }
    QList<TraceEvent> events;

private:
    TableId m_table;
};

// A process that remembers which thread its ETS-TRANSFERs arrived in.
class Heir : public Process
{
public:
    QThread *transferThread = nullptr;
    Pid transferScope = 0;

protected:
    void handleEtsTransfer(TableId, Pid, const Term &) override
    {
        transferThread = QThread::currentThread();
        transferScope = Process::currentPid();
    }
};

TableOptions protectedSet(const HeirSpec &heir = {})
{
    TableOptions o;
    o.heir = heir;
    return o;
}

} // namespace

class TstOwnership : public QObject
{
    Q_OBJECT

    QList<QPointer<Process>> m_processes;

    template<typename P = Process>
    P *spawn()
    {
        auto *p = new P;
        m_processes.append(p);
        return p;
    }

    static Table createAs(Pid owner, const QString &name, const TableOptions &o)
    {
        ProcessScope scope(owner);
        return Table::create(name, o);
    }

private Q_SLOTS:
    void cleanup()
    {
        for (const QPointer<Process> &p : std::as_const(m_processes))
            delete p.data();
        m_processes.clear();
    }

    void giveAwayErrorsChangeNothing()
    {
        Process *owner = spawn();
        Process *other = spawn();
        Pid dead = 0;
        {
            Process p;
            dead = p.pid();
        }
        Table t = createAs(owner->pid(), "t", protectedSet());
        {
            ProcessScope scope(other->pid());
            QCOMPARE(errorOf([&] { t.giveAway(other->pid(), Term()); }),
                     QStringLiteral("not_owner"));
        }
        QCOMPARE(errorOf([&] { t.giveAway(other->pid(), Term()); }), QStringLiteral("not_owner"));
        ProcessScope scope(owner->pid());
        QCOMPARE(errorOf([&] { t.giveAway(dead, Term()); }), QStringLiteral("badarg"));
        try {
            t.giveAway(dead, Term());
        } catch (const Error &e) {
            QCOMPARE(e.message(), QStringLiteral("process %1 is not alive").arg(dead));
        }
        QCOMPARE(errorOf([&] { t.giveAway(owner->pid(), Term()); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.giveAway(0, Term()); }), QStringLiteral("badarg"));
        QCOMPARE(t.info().owner, owner->pid());
        QCOMPARE(t.info().transfers, 0);
    }

    void giveAwayDeliversEtsTransfer()
    {
        Process *owner = spawn();
        Process *receiver = spawn();
        Table t = createAs(owner->pid(), "gift", protectedSet());
        TableTrace trace(t.id());
        QSignalSpy spy(receiver, &Process::etsTransfer);
        {
            ProcessScope scope(owner->pid());
            t.insert(Tuple { 1, "kept" });
            t.giveAway(receiver->pid(), Term::atom(u"here_you_go"));
        }
        // Ownership moves at once; the notification comes asynchronously.
        QCOMPARE(t.info().owner, receiver->pid());
        QCOMPARE(t.info().transfers, 1);
        QVERIFY(Table::ownedBy(receiver->pid()).contains(t.id()));
        QVERIFY(!Table::ownedBy(owner->pid()).contains(t.id()));
        QVERIFY(spy.isEmpty());
        QVERIFY(spy.wait());
        QCOMPARE(spy.at(0).at(0).value<TableId>(), t.id());
        QCOMPARE(spy.at(0).at(1).value<Pid>(), owner->pid());
        QCOMPARE(spy.at(0).at(2).value<Term>(), Term::atom(u"here_you_go"));
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableGivenAway), 1);
        const TraceEvent e = trace.lastOf(TraceEvent::Type::TableGivenAway);
        QCOMPARE(e.from, owner->pid());
        QCOMPARE(e.to, receiver->pid());
        QCOMPARE(e.size, 1);
        // The new owner writes; the old one is now just another process.
        {
            ProcessScope scope(receiver->pid());
            t.insert(Tuple { 2, "new" });
        }
        ProcessScope scope(owner->pid());
        QCOMPARE(errorOf([&] { t.insert(Tuple { 3, "x" }); }), QStringLiteral("access_denied"));
        QCOMPARE(t.size(), 2);
    }

    void heirTakesOver_data()
    {
        QTest::addColumn<QString>("death");
        QTest::addColumn<QString>("reason");
        QTest::newRow("deleted directly") << "delete"
                                          << "killed";
        QTest::newRow("exit()") << "exit"
                                << "boom";
        QTest::newRow("exception in a handler") << "exception"
                                                << "{exception,\"handler failed\"}";
    }

    void heirTakesOver()
    {
        QFETCH(QString, death);
        QFETCH(QString, reason);
        Process *owner = spawn();
        Process *heir = spawn();
        const Pid ownerPid = owner->pid();
        Table t = createAs(ownerPid, "inherited", protectedSet(HeirSpec::byPid(heir->pid(), "hd")));
        {
            ProcessScope scope(ownerPid);
            t.insert(Tuple { "row", 42 });
        }
        TableTrace trace(t.id());
        QSignalSpy spy(heir, &Process::etsTransfer);
        if (death == QLatin1String("delete")) {
            delete owner;
        } else if (death == QLatin1String("exit")) {
            ProcessScope scope(ownerPid);
            owner->exit(Term::parse(reason));
        } else {
            QVERIFY(Node::instance()->post(
                ownerPid, [](Process *) { throw std::runtime_error("handler failed"); }));
        }
        QVERIFY(spy.wait());
        QCOMPARE(spy.at(0).at(0).value<TableId>(), t.id());
        QCOMPARE(spy.at(0).at(1).value<Pid>(), ownerPid);
        QCOMPARE(spy.at(0).at(2).value<Term>(), Term("hd"));
        QVERIFY(t.isAlive());
        QCOMPARE(t.info().owner, heir->pid());
        QCOMPARE(t.lookupElement("row", 2), Term(42));
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableTransferred), 1);
        const TraceEvent e = trace.lastOf(TraceEvent::Type::TableTransferred);
        QCOMPARE(e.from, ownerPid);
        QCOMPARE(e.to, heir->pid());
        QCOMPARE(e.reason.format(), reason);
        QCOMPARE(e.size, 1);
        // And when the heir dies with no heir of its own, the table goes.
        delete heir;
        QVERIFY(!t.isAlive());
        QCOMPARE(errorOf([&] { t.lookup("row"); }), QStringLiteral("no_such_table"));
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableDeleted), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableDeleted).reason, Term::atom(u"owner_exited"));
    }

    void heirOnAnotherThreadGetsTransferInItsThread()
    {
        QThread ownerThread;
        QThread heirThread;
        ownerThread.start();
        heirThread.start();
        auto *owner = new Process;
        auto *heir = new Heir;
        const Pid ownerPid = owner->pid();
        const Pid heirPid = heir->pid();
        owner->moveToThread(&ownerThread);
        heir->moveToThread(&heirThread);
        // Cross-thread signals reach this thread queued, through a context object.
        QObject here;
        int heirGone = 0;
        int ownerGone = 0;
        int transfers = 0;
        connect(heir, &QObject::destroyed, &here, [&] { ++heirGone; });
        connect(owner, &QObject::destroyed, &here, [&] { ++ownerGone; });
        connect(heir, &Process::etsTransfer, &here, [&] { ++transfers; });
        // Set in the heir's thread after `transfers` was queued above: waited for on its own.
        std::atomic<QThread *> deliveredIn { nullptr };
        connect(
            heir, &Process::etsTransfer, heir, [&] { deliveredIn = QThread::currentThread(); },
            Qt::DirectConnection);

        Table t = Table::create("threaded", protectedSet(HeirSpec::byPid(heirPid)), ownerPid);
        QVERIFY(Node::instance()->exit(ownerPid, ExitReason::kill()));
        QTRY_COMPARE(transfers, 1);
        QTRY_COMPARE(deliveredIn.load(), &heirThread);
        QCOMPARE(heir->transferThread, &heirThread);
        QCOMPARE(heir->transferScope, heirPid);
        QCOMPARE(t.info().owner, heirPid);
        QTRY_COMPARE(ownerGone, 1);

        QVERIFY(Node::instance()->exit(heirPid, ExitReason::shutdown()));
        QTRY_COMPARE(heirGone, 1);
        QVERIFY(!t.isAlive());
        ownerThread.quit();
        heirThread.quit();
        QVERIFY(ownerThread.wait());
        QVERIFY(heirThread.wait());
    }

    void deadHeirMeansTableLost()
    {
        Process *owner = spawn();
        Pid deadHeir = 0;
        {
            Process p;
            deadHeir = p.pid();
        }
        Table t = createAs(owner->pid(), "doomed", protectedSet(HeirSpec::byPid(deadHeir)));
        TableTrace trace(t.id());
        delete owner;
        QVERIFY(!t.isAlive());
        QCOMPARE(errorOf([&] { t.size(); }), QStringLiteral("no_such_table"));
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableLost), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableLost).heir, deadHeir);
    }

    void noHeirMeansTableDeleted()
    {
        Process *owner = spawn();
        const Pid ownerPid = owner->pid();
        Table t = createAs(ownerPid, "plain", protectedSet());
        TableTrace trace(t.id());
        QVERIFY(Table::ownedBy(ownerPid).contains(t.id()));
        delete owner;
        QVERIFY(!t.isAlive());
        QVERIFY(Table::ownedBy(ownerPid).isEmpty());
        QVERIFY(!Table::infoOf(t.id()).has_value());
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableDeleted), 1);
        const TraceEvent e = trace.lastOf(TraceEvent::Type::TableDeleted);
        QCOMPARE(e.pid, ownerPid);
        QCOMPARE(e.reason, Term::atom(u"owner_exited"));
    }

    void heirByLiveName()
    {
        Process *owner = spawn();
        Process *keeper = spawn();
        keeper->registerName(QStringLiteral("keeper.live"));
        Table t = createAs(owner->pid(), "named-heir",
                           protectedSet(HeirSpec::byName("keeper.live", Term(7))));
        QCOMPARE(t.info().heirPid, keeper->pid());
        QSignalSpy spy(keeper, &Process::etsTransfer);
        delete owner;
        QVERIFY(spy.wait());
        QCOMPARE(spy.at(0).at(2).value<Term>(), Term(7));
        QCOMPARE(t.info().owner, keeper->pid());
        QVERIFY(!t.info().orphaned);
    }

    void orphanAdoptedWhenNameIsRegistered()
    {
        Process *owner = spawn();
        const Pid ownerPid = owner->pid();
        Table t = createAs(ownerPid, "orphan",
                           protectedSet(HeirSpec::byName("keeper.later", "hd", 60000)));
        {
            ProcessScope scope(ownerPid);
            t.insert(Tuple { 1, "survives" });
        }
        TableTrace trace(t.id());
        delete owner;
        // Orphaned: alive, ownerless, readable, waiting for the name.
        QVERIFY(t.isAlive());
        const TableInfo orphan = t.info();
        QVERIFY(orphan.orphaned);
        QCOMPARE(orphan.owner, Pid(0));
        QCOMPARE(t.lookupElement(1, 2), Term("survives"));
        QCOMPARE(errorOf([&] { t.insert(Tuple { 2, "x" }); }), QStringLiteral("access_denied"));
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableOrphaned), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableOrphaned).heirName,
                 QStringLiteral("keeper.later"));
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableOrphaned).from, ownerPid);

        Process *keeper = spawn();
        QSignalSpy spy(keeper, &Process::etsTransfer);
        keeper->registerName(QStringLiteral("keeper.later"));
        QCOMPARE(t.info().owner, keeper->pid()); // at once, in the registering thread
        QVERIFY(spy.wait());
        QCOMPARE(spy.at(0).at(1).value<Pid>(), ownerPid); // from: the dead owner
        QCOMPARE(spy.at(0).at(2).value<Term>(), Term("hd"));
        QVERIFY(!t.info().orphaned);
        QCOMPARE(t.info().transfers, 1);
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableTransferred), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableTransferred).to, keeper->pid());
    }

    void ownerRestartedUnderItsOwnNameAdoptsItsTable()
    {
        // The immortal pattern: the heir is the owner's own name, so the
        // restarted owner gets its table back.
        Process *first = spawn();
        first->registerName(QStringLiteral("svc"));
        Table t = createAs(first->pid(), "svc-state",
                           protectedSet(HeirSpec::byName("svc", Term(), 60000)));
        {
            ProcessScope scope(first->pid());
            t.insert(Tuple { a("count"), 5 });
        }
        delete first;
        QVERIFY(t.info().orphaned);
        Process *second = spawn();
        QSignalSpy spy(second, &Process::etsTransfer);
        second->registerName(QStringLiteral("svc"));
        QVERIFY(spy.wait());
        ProcessScope scope(second->pid());
        QCOMPARE(t.updateCounter(a("count"), 2, 1), 6);
    }

    void orphanLostWhenGraceExpires()
    {
        Process *owner = spawn();
        Table t = createAs(owner->pid(), "brief",
                           protectedSet(HeirSpec::byName("nobody.registers.this", Term(), 30)));
        TableTrace trace(t.id());
        delete owner;
        QVERIFY(t.info().orphaned);
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableLost), 1);
        QVERIFY(!t.isAlive());
        QCOMPARE(errorOf([&] { t.lookup(1); }), QStringLiteral("no_such_table"));
        const TraceEvent lost = trace.lastOf(TraceEvent::Type::TableLost);
        QCOMPARE(lost.heirName, QStringLiteral("nobody.registers.this"));
        QCOMPARE(lost.reason.format(), QStringLiteral("{grace_expired,30}"));
        // A late registration finds nothing to adopt.
        Process *late = spawn();
        QSignalSpy spy(late, &Process::etsTransfer);
        late->registerName(QStringLiteral("nobody.registers.this"));
        QCoreApplication::processEvents();
        QCOMPARE(spy.count(), 0);
    }

    void nameHeirWithoutGraceIsLostAtOnce()
    {
        Process *owner = spawn();
        Table t = createAs(owner->pid(), "nograce",
                           protectedSet(HeirSpec::byName("absent.name", Term(), 0)));
        delete owner;
        QVERIFY(!t.isAlive());
    }

    void setHeirRules()
    {
        Process *owner = spawn();
        Process *heir = spawn();
        Table t = createAs(owner->pid(), "sethere", protectedSet());
        TableTrace trace(t.id());
        {
            ProcessScope scope(heir->pid());
            QCOMPARE(errorOf([&] { t.setHeir(HeirSpec::byPid(heir->pid())); }),
                     QStringLiteral("not_owner"));
        }
        QCOMPARE(t.info().heir.pid, Pid(0));
        {
            ProcessScope scope(owner->pid());
            t.setHeir(HeirSpec::byPid(heir->pid(), "late"));
        }
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableHeirChanged), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableHeirChanged).heir, heir->pid());
        QSignalSpy spy(heir, &Process::etsTransfer);
        delete owner;
        QVERIFY(spy.wait());
        QCOMPARE(spy.at(0).at(2).value<Term>(), Term("late"));
        // Back to no heir: the table dies with its next owner.
        {
            ProcessScope scope(heir->pid());
            t.setHeir(HeirSpec::none());
        }
        delete heir;
        QVERIFY(!t.isAlive());
    }

    void heirIsOwnerItselfMeansDeleted()
    {
        Process *owner = spawn();
        Table t = createAs(owner->pid(), "self-heir", protectedSet());
        {
            ProcessScope scope(owner->pid());
            t.setHeir(HeirSpec::byPid(owner->pid()));
        }
        delete owner;
        QVERIFY(!t.isAlive());
    }

    void tableWrittenIsCoalesced()
    {
        Process *owner = spawn();
        Table t = createAs(owner->pid(), "busy", protectedSet());
        TableTrace trace(t.id());
        {
            ProcessScope scope(owner->pid());
            for (int i = 0; i < 1000; ++i)
                t.insert(Tuple { i, i });
        }
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableWritten), 1);
        // Everything queued during the burst has been delivered by now.
        QCoreApplication::processEvents();
        QCOMPARE(trace.count(TraceEvent::Type::TableWritten), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableWritten).size, 1000);
        // A write after the event was recorded starts a new burst.
        {
            ProcessScope scope(owner->pid());
            t.erase(0);
            t.erase(1);
            t.erase(424242); // no change: no event of its own
        }
        QTRY_COMPARE(trace.count(TraceEvent::Type::TableWritten), 2);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableWritten).size, 998);
        // Reads never produce an event.
        t.lookup(5);
        t.toList();
        QCoreApplication::processEvents();
        QCOMPARE(trace.count(TraceEvent::Type::TableWritten), 2);
    }

    void tableCreatedAndDeletedTraced()
    {
        Process *owner = spawn();
        Process *heir = spawn();
        QSignalSpy traced(Trace::instance(), &Trace::event);
        Table t = createAs(owner->pid(), "traced", protectedSet(HeirSpec::byPid(heir->pid())));
        bool created = false;
        for (const QList<QVariant> &args : std::as_const(traced)) {
            const auto e = args.at(0).value<TraceEvent>();
            if (e.type == TraceEvent::Type::TableCreated && e.table == t.id()) {
                created = true;
                QCOMPARE(e.pid, owner->pid());
                QCOMPARE(e.heir, heir->pid());
                QCOMPARE(e.tableName, QStringLiteral("traced"));
            }
        }
        QVERIFY(created);
        TableTrace trace(t.id());
        {
            ProcessScope scope(owner->pid());
            t.deleteTable();
        }
        QCOMPARE(trace.count(TraceEvent::Type::TableDeleted), 1);
        QCOMPARE(trace.lastOf(TraceEvent::Type::TableDeleted).reason, Term::atom(u"deleted"));
    }

private:
    static Term a(const char *name) { return Term::atom(QString::fromUtf8(name)); }
};

QTEST_GUILESS_MAIN(TstOwnership)
#include "tst_ownership.moc"
