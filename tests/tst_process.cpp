#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <stdexcept>

using namespace immortal;

namespace {

// A process whose shutdown needs an explicit go-ahead, like a worker that
// flushes before it exits.
class SlowStopper : public Process
{
public:
    SlowStopper() { setTrapExit(true); }
    Term pendingReason;

protected:
    void terminate(const Term &reason) override { pendingReason = reason; }
};

} // namespace

class TestProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pidsAreUniqueAndIncreasing();
    void exitEndsWithReason();
    void exitIsIdempotentFirstReasonWins();
    void deleteCountsAsKill();
    void slotsNeverHearOfTheirOwnDeath();
    void exceptionInHandlerEndsProcess();
    void exceptionInGuardedSlotEndsProcess();
    void deadProcessHandlesNothing();
    void postRunsInProcessScope();
    void postToDeadPidFails();
    void shutdownCallsTerminate();
    void shutdownEndsAProcessThatDoesNotTrap();
    void exitSignalsFollowErlangRules();
    void trappedSignalsArriveAsMessages();
    void monitorsHearOfDeathOnce();
    void processOnWorkerThread();
    void aDyingSubtreeHoldsUpItsDeadParent();
    void infoRemembersTheDead();
    void scopesNest();
    void aFreshNodeLeavesNothingBehind();
};

void TestProcess::pidsAreUniqueAndIncreasing()
{
    Process a, b;
    QVERIFY(a.pid() != 0);
    QVERIFY(b.pid() > a.pid());
    const Pid old = b.pid();
    {
        Process c;
        QVERIFY(c.pid() > old);
    }
    Process d;
    QVERIFY(d.pid() > old + 1); // the dead one's pid is never reused
}

void TestProcess::exitEndsWithReason()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    QSignalSpy exiting(p, &Process::exiting);
    QSignalSpy destroyed(p, &QObject::destroyed);
    p->exit(ExitReason::normal());
    QCOMPARE(exiting.count(), 1);
    QCOMPARE(exiting.at(0).at(0).value<Term>().format(), QStringLiteral("normal"));
    QVERIFY(!Node::instance()->isAlive(pid)); // exiting already counts as dead to others
    QVERIFY(destroyed.wait());
    const auto info = Node::instance()->info(pid);
    QVERIFY(info);
    QCOMPARE(info->state, ProcessInfo::State::Dead);
    QCOMPARE(info->exitReason.format(), QStringLiteral("normal"));
}

void TestProcess::exitIsIdempotentFirstReasonWins()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    QSignalSpy exiting(p, &Process::exiting);
    QSignalSpy destroyed(p, &QObject::destroyed);
    p->exit(Term::atom(u"custom_reason"));
    p->exit(ExitReason::normal());
    QVERIFY(destroyed.wait());
    QCOMPARE(exiting.count(), 1);
    QCOMPARE(Node::instance()->info(pid)->exitReason.format(), QStringLiteral("custom_reason"));
}

void TestProcess::deleteCountsAsKill()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    QSignalSpy exiting(p, &Process::exiting);
    delete p;
    QCOMPARE(exiting.count(), 1);
    QCOMPARE(exiting.at(0).at(0).value<Term>(), ExitReason::killed());
    QCOMPARE(Node::instance()->info(pid)->exitReason, ExitReason::killed());
    QVERIFY(!Node::instance()->process(pid));
}

// The core reports a death from inside ~QObject, with the registry's and the
// trace's signals. A process's own slots connected to them must not run
// then, on an object that is no longer what its class made it; other
// listeners still hear of it.
void TestProcess::slotsNeverHearOfTheirOwnDeath()
{
    for (const bool byExit : { false, true }) {
        auto *p = new Process;
        const Pid pid = p->pid();
        p->registerName(QStringLiteral("hears.own.death.%1").arg(byExit));
        int heard = 0;
        connect(Registry::instance(), &Registry::unregistered, p, [&heard] { ++heard; });
        connect(Trace::instance(), &Trace::event, p, [&heard, pid](const TraceEvent &e) {
            if (e.pid == pid)
                ++heard;
        });
        QSignalSpy unregistered(Registry::instance(), &Registry::unregistered);
        QSignalSpy destroyed(p, &QObject::destroyed);
        if (byExit) {
            p->exit(ExitReason::normal());
            QVERIFY(destroyed.wait());
        } else {
            delete p;
        }
        QCOMPARE(unregistered.count(), 1);
        QCOMPARE(heard, 0);
    }
}

void TestProcess::exceptionInHandlerEndsProcess()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    QSignalSpy destroyed(p, &QObject::destroyed);
    QVERIFY(Node::instance()->post(pid, [](Process *) { throw std::runtime_error("boom"); }));
    QVERIFY(destroyed.wait());
    QCOMPARE(Node::instance()->info(pid)->exitReason.format(),
             QStringLiteral("{exception,\"boom\"}"));
}

void TestProcess::exceptionInGuardedSlotEndsProcess()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    QObject emitter;
    QSignalSpy destroyed(p, &QObject::destroyed);
    connect(&emitter, &QObject::objectNameChanged, p,
            p->guard([](const QString &n) { throw Error(Error::Code::BadArg, n); }));
    emitter.setObjectName(QStringLiteral("bad name"));
    QVERIFY(destroyed.wait());
    QCOMPARE(Node::instance()->info(pid)->exitReason.format(),
             QStringLiteral("{badarg,\"bad name\"}"));
}

void TestProcess::deadProcessHandlesNothing()
{
    auto *p = new Process;
    QSignalSpy destroyed(p, &QObject::destroyed);
    bool ran = false;
    QMetaObject::invokeMethod(
        p, [&] { ran = true; }, Qt::QueuedConnection);
    p->exit(ExitReason::normal());
    QVERIFY(destroyed.wait());
    QVERIFY(!ran);
}

void TestProcess::postRunsInProcessScope()
{
    Process p;
    QCOMPARE(Process::currentPid(), Pid(0));
    Pid seen = 0;
    QObject done;
    QSignalSpy spy(&done, &QObject::objectNameChanged);
    QVERIFY(Node::instance()->post(p.pid(), [&](Process *self) {
        seen = Process::currentPid();
        QCOMPARE(self, &p);
        done.setObjectName(QStringLiteral("done"));
    }));
    QVERIFY(spy.wait());
    QCOMPARE(seen, p.pid());
    QCOMPARE(Process::currentPid(), Pid(0));
}

void TestProcess::postToDeadPidFails()
{
    Pid pid;
    {
        Process p;
        pid = p.pid();
    }
    QVERIFY(!Node::instance()->post(pid, [](Process *) { QFAIL("ran on a dead process"); }));
    QVERIFY(!Node::instance()->exit(pid, ExitReason::kill()));
}

void TestProcess::shutdownCallsTerminate()
{
    auto *p = new SlowStopper;
    QSignalSpy destroyed(p, &QObject::destroyed);
    p->shutdown();
    QCOMPARE(p->pendingReason.format(), QStringLiteral("shutdown"));
    QVERIFY(Node::instance()->isAlive(p->pid())); // still cleaning up
    // exit/2 with kill is unconditional.
    QVERIFY(Node::instance()->exit(p->pid(), ExitReason::kill()));
    QVERIFY(destroyed.wait());
}

void TestProcess::shutdownEndsAProcessThatDoesNotTrap()
{
    auto *p = new Process;
    QSignalSpy exiting(p, &Process::exiting);
    p->shutdown(ExitReason::shutdown(Term::atom(u"done")));
    QCOMPARE(exiting.count(), 1);
    QCOMPARE(exiting.at(0).at(0).value<Term>().format(), QStringLiteral("{shutdown,done}"));
}

// erlang:exit/2 as OTP defines it, for a process that does not trap exits.
void TestProcess::exitSignalsFollowErlangRules()
{
    QList<TraceEvent> seen;
    const auto c = connect(Trace::instance(), &Trace::event, this, [&](const TraceEvent &e) {
        if (e.type == TraceEvent::Type::ExitSignal)
            seen.append(e);
    });
    auto *sender = new Process;
    auto *p = new Process;
    const Pid pid = p->pid();
    QSignalSpy destroyed(p, &QObject::destroyed);

    // `normal` from another process is ignored...
    {
        ProcessScope scope(sender->pid());
        QVERIFY(Node::instance()->exit(pid, ExitReason::normal()));
    }
    QTRY_COMPARE(seen.size(), 1);
    QCOMPARE(seen.at(0).from, sender->pid());
    QCOMPARE(seen.at(0).reason, ExitReason::normal());
    QVERIFY(!seen.at(0).trapped);
    QVERIFY(Node::instance()->isAlive(pid));

    // ...any other reason ends it with that reason, sent from outside too.
    QVERIFY(Node::instance()->exit(pid, Term::atom(u"crash")));
    QVERIFY(destroyed.wait());
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen.at(1).from, Pid(0));
    QCOMPARE(Node::instance()->info(pid)->exitReason, Term::atom(u"crash"));

    // A process may send `normal` to itself and end.
    auto *self = new Process;
    const Pid selfPid = self->pid();
    QSignalSpy selfGone(self, &QObject::destroyed);
    {
        ProcessScope scope(selfPid);
        Node::instance()->exit(selfPid, ExitReason::normal());
    }
    QVERIFY(selfGone.wait());
    QCOMPARE(Node::instance()->info(selfPid)->exitReason, ExitReason::normal());
    disconnect(c);
    delete sender;
}

void TestProcess::trappedSignalsArriveAsMessages()
{
    auto *p = new Process;
    p->setTrapExit(true);
    const Pid pid = p->pid();
    QSignalSpy messages(p, &Process::exitSignal);
    QSignalSpy destroyed(p, &QObject::destroyed);
    auto *sender = new Process;
    {
        ProcessScope scope(sender->pid());
        QVERIFY(Node::instance()->exit(pid, Term::atom(u"crash")));
        QVERIFY(Node::instance()->exit(pid, ExitReason::normal()));
    }
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(0).at(0).value<Pid>(), sender->pid());
    QCOMPARE(messages.at(0).at(1).value<Term>(), Term::atom(u"crash"));
    QCOMPARE(messages.at(1).at(1).value<Term>(), ExitReason::normal());
    QVERIFY(Node::instance()->isAlive(pid));
    // kill cannot be trapped, and ends it as killed.
    QVERIFY(Node::instance()->exit(pid, ExitReason::kill()));
    QVERIFY(destroyed.wait());
    QCOMPARE(messages.count(), 2);
    QCOMPARE(Node::instance()->info(pid)->exitReason, ExitReason::killed());
    delete sender;
}

void TestProcess::monitorsHearOfDeathOnce()
{
    auto *watcher = new Process;
    auto *target = new Process;
    const Pid targetPid = target->pid();
    QList<std::tuple<Pid, Term, Pid>> downs; // target, reason, the scope it ran in
    auto record = [&](Pid pid, const Term &reason) {
        downs.append({ pid, reason, Process::currentPid() });
    };
    Node *node = Node::instance();
    node->monitor(watcher->pid(), targetPid, record);
    const Node::MonitorRef cancelled = node->monitor(watcher->pid(), targetPid, record);
    node->demonitor(cancelled);
    QVERIFY(node->post(targetPid, [](Process *p) { p->exit(Term::atom(u"done")); }));
    QTRY_COMPARE(downs.size(), 1);
    QCOMPARE(std::get<0>(downs.at(0)), targetPid);
    QCOMPARE(std::get<1>(downs.at(0)), Term::atom(u"done"));
    QCOMPARE(std::get<2>(downs.at(0)), watcher->pid()); // a handler of the watcher

    // A dead target is down at once, as noproc.
    node->monitor(watcher->pid(), targetPid, record);
    QTRY_COMPARE(downs.size(), 2);
    QCOMPARE(std::get<1>(downs.at(1)), Term::atom(u"noproc"));

    // A dead watcher hears nothing.
    auto *other = new Process;
    QSignalSpy otherGone(other, &QObject::destroyed);
    node->monitor(watcher->pid(), other->pid(), record);
    delete watcher;
    delete other;
    QCoreApplication::processEvents();
    QCOMPARE(downs.size(), 2);
}

void TestProcess::processOnWorkerThread()
{
    QThread thread;
    thread.start();
    auto *p = new Process;
    const Pid pid = p->pid();
    p->moveToThread(&thread);

    // Atomics: this thread sees them without a lock, as ThreadSanitizer checks.
    std::atomic<QThread *> ranOn { nullptr };
    std::atomic<Pid> scope { 0 };
    Node::instance()->post(pid, [&](Process *) {
        scope = Process::currentPid();
        ranOn = QThread::currentThread();
    });
    QTRY_COMPARE(ranOn.load(), &thread);
    QCOMPARE(scope.load(), pid);

    QVERIFY(Node::instance()->exit(pid, Term::atom(u"worker_gone")));
    // Dies in its own thread; no QSignalSpy across threads (not safe in Qt 6.4).
    QTRY_COMPARE(Node::instance()->info(pid)->state, ProcessInfo::State::Dead);
    QCOMPARE(Node::instance()->info(pid)->exitReason.format(), QStringLiteral("worker_gone"));
    thread.quit();
    thread.wait();
}

// A supervisor dies while the subtree of one of its children is still going
// down (a grandchild on a busy thread): it is down only once that grandchild
// is dead too, or a restart meets the grandchild's name still registered.
// Found by the chaos soak, where the root died in that window.
void TestProcess::aDyingSubtreeHoldsUpItsDeadParent()
{
    Node *node = Node::instance();
    QThread thread;
    thread.start();
    auto *root = new Process;
    auto *child = new Process;
    auto *grandchild = new Process;
    const Pid rootPid = root->pid(), childPid = child->pid(), grandPid = grandchild->pid();
    grandchild->registerName(QStringLiteral("proc.grandchild"));
    grandchild->moveToThread(&thread);
    node->setSupervisor(childPid, rootPid, QStringLiteral("child"));
    node->setSupervisor(grandPid, childPid, QStringLiteral("grandchild"));
    auto *watcher = new Process;
    QList<Pid> downs;
    node->monitor(watcher->pid(), rootPid, [&](Pid pid, const Term &) { downs << pid; });

    // Hold the grandchild's thread, so its linked exit waits there.
    QSemaphore busy, release;
    QVERIFY(node->post(grandPid, [&](Process *) {
        busy.release();
        release.acquire();
    }));
    busy.acquire();
    QSignalSpy childGone(child, &QObject::destroyed);
    QVERIFY(node->exit(childPid, ExitReason::kill()));
    QVERIFY(childGone.count() == 1 || childGone.wait());
    QSignalSpy rootGone(root, &QObject::destroyed);
    QVERIFY(node->exit(rootPid, ExitReason::kill()));
    QVERIFY(rootGone.count() == 1 || rootGone.wait());
    QCoreApplication::processEvents(); // a posted monitor would run now
    QCOMPARE(downs, QList<Pid>());
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("proc.grandchild")), grandPid);

    release.release();
    QTRY_COMPARE(downs, QList<Pid>({ rootPid }));
    QVERIFY(!node->isAlive(grandPid));
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("proc.grandchild")), Pid(0));
    delete watcher;
    thread.quit();
    thread.wait();
}

void TestProcess::infoRemembersTheDead()
{
    Pid pid;
    {
        Process p;
        pid = p.pid();
        QCOMPARE(Node::instance()->info(pid)->state, ProcessInfo::State::Running);
        QCOMPARE(Node::instance()->info(pid)->kind, QStringLiteral("worker"));
        const auto living = Node::instance()->processes();
        QVERIFY(std::any_of(living.cbegin(), living.cend(),
                            [pid](const ProcessInfo &i) { return i.pid == pid; }));
    }
    const auto processes = Node::instance()->processes();
    QVERIFY(std::none_of(processes.cbegin(), processes.cend(),
                         [pid](const ProcessInfo &i) { return i.pid == pid; }));
    QCOMPARE(Node::instance()->info(pid)->state, ProcessInfo::State::Dead);
}

void TestProcess::scopesNest()
{
    QCOMPARE(ProcessScope::current(), Pid(0));
    {
        ProcessScope a(7);
        QCOMPARE(Process::currentPid(), Pid(7));
        {
            ProcessScope b(9);
            QCOMPARE(Process::currentPid(), Pid(9));
        }
        QCOMPARE(Process::currentPid(), Pid(7));
    }
    QCOMPARE(Process::currentPid(), Pid(0));
}

QTEST_MAIN(TestProcess)
void TestProcess::aFreshNodeLeavesNothingBehind()
{
    Node *const outer = Node::instance();
    const quint64 outerSeq = Trace::instance()->lastSeq();
    QPointer<Process> leftover;
    Pid pid = 0;
    TableId table = 0;
    {
        Node runtime;
        QCOMPARE(Node::instance(), &runtime);
        QVERIFY(Node::instance()->processes().isEmpty());
        QCOMPARE(Trace::instance()->lastSeq(), quint64(0));

        leftover = new Process;
        pid = leftover->pid();
        leftover->registerName(QStringLiteral("left.behind"));
        TableOptions options;
        options.namedTable = true;
        {
            ProcessScope as(pid);
            table = Table::create(QStringLiteral("left.behind"), options).id();
        }
        QCOMPARE(Registry::instance()->whereis(QStringLiteral("left.behind")), pid);
        QVERIFY(Table::fromId(table).isAlive());
        QVERIFY(Trace::instance()->lastSeq() > 0);
        // Not stopped here: the node's teardown ends it.
    }
    QVERIFY(leftover.isNull());
    QCOMPARE(Node::instance(), outer);
    QCOMPARE(Trace::instance()->lastSeq(), outerSeq); // the fresh node traced into its own
    QVERIFY(!Node::instance()->isAlive(pid));
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("left.behind")), Pid(0));
    try {
        Table::named(QStringLiteral("left.behind"));
        QFAIL("the fresh node's table outlived it");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::NoSuchTable);
    }
}

#include "tst_process.moc"
