#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/registry.h>

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace immortal;

class TestRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void registerAndWhereis();
    void namesAreUnique();
    void oneNamePerProcess();
    void badArguments();
    void unregister();
    void dyingProcessIsUnregistered();
    void whenRegisteredNow();
    void whenRegisteredLater();
    void whenRegisteredFiresOnce();
    void registerFromAnotherThread();
};

static void expectError(Error::Code code, const std::function<void()> &fn)
{
    try {
        fn();
        QFAIL("expected an immortal::Error");
    } catch (const Error &e) {
        QCOMPARE(e.code(), code);
        QVERIFY(!e.message().isEmpty());
    }
}

void TestRegistry::registerAndWhereis()
{
    Process p;
    QSignalSpy spy(Registry::instance(), &Registry::registered);
    p.registerName(QStringLiteral("alpha"));
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("alpha")), p.pid());
    QCOMPARE(Registry::instance()->nameOf(p.pid()), QStringLiteral("alpha"));
    QCOMPARE(p.name(), QStringLiteral("alpha"));
    QCOMPARE(Registry::instance()->names().value(QStringLiteral("alpha")), p.pid());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("alpha"));
    QCOMPARE(spy.at(0).at(1).value<Pid>(), p.pid());
}

void TestRegistry::namesAreUnique()
{
    Process a, b;
    a.registerName(QStringLiteral("unique"));
    expectError(Error::Code::NameTaken, [&] { b.registerName(QStringLiteral("unique")); });
    // A failed call changes nothing.
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("unique")), a.pid());
    QVERIFY(b.name().isEmpty());
}

void TestRegistry::oneNamePerProcess()
{
    Process a;
    a.registerName(QStringLiteral("first"));
    expectError(Error::Code::BadArg, [&] { a.registerName(QStringLiteral("second")); });
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("second")), Pid(0));
    QCOMPARE(a.name(), QStringLiteral("first"));
}

void TestRegistry::badArguments()
{
    Process a;
    expectError(Error::Code::BadArg, [&] { a.registerName(QString()); });
    Pid dead;
    {
        Process gone;
        dead = gone.pid();
    }
    expectError(Error::Code::NoProc,
                [&] { Registry::instance()->registerName(QStringLiteral("ghost"), dead); });
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("ghost")), Pid(0));
}

void TestRegistry::unregister()
{
    Process a;
    a.registerName(QStringLiteral("temp"));
    QSignalSpy spy(Registry::instance(), &Registry::unregistered);
    QVERIFY(Registry::instance()->unregisterName(QStringLiteral("temp")));
    QVERIFY(!Registry::instance()->unregisterName(QStringLiteral("temp")));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("temp")), Pid(0));
    a.registerName(QStringLiteral("temp2")); // free to take a name again
    QCOMPARE(a.name(), QStringLiteral("temp2"));
}

void TestRegistry::dyingProcessIsUnregistered()
{
    auto *p = new Process;
    const Pid pid = p->pid();
    p->registerName(QStringLiteral("mortal"));
    QSignalSpy spy(Registry::instance(), &Registry::unregistered);
    p->exit(Term::atom(u"crash"));
    QVERIFY(spy.wait());
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("mortal"));
    QCOMPARE(spy.at(0).at(1).value<Pid>(), pid);
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("mortal")), Pid(0));
    // The name is free for the restarted process.
    Process again;
    again.registerName(QStringLiteral("mortal"));
    QCOMPARE(Registry::instance()->whereis(QStringLiteral("mortal")), again.pid());
}

void TestRegistry::whenRegisteredNow()
{
    Process p;
    p.registerName(QStringLiteral("present"));
    QObject context;
    QList<Pid> calls;
    QObject done;
    QSignalSpy doneSpy(&done, &QObject::objectNameChanged);
    Registry::instance()->whenRegistered(QStringLiteral("present"), &context, [&](Pid pid) {
        calls.append(pid);
        done.setObjectName(QStringLiteral("done"));
    });
    QVERIFY(calls.isEmpty()); // always delivered later, never inside the call
    QVERIFY(doneSpy.wait());
    QCOMPARE(calls, QList<Pid> { p.pid() });
}

void TestRegistry::whenRegisteredLater()
{
    QObject context;
    QList<Pid> calls;
    QObject done;
    QSignalSpy doneSpy(&done, &QObject::objectNameChanged);
    Registry::instance()->whenRegistered(QStringLiteral("latecomer"), &context, [&](Pid pid) {
        calls.append(pid);
        done.setObjectName(QStringLiteral("done"));
    });
    Process other;
    other.registerName(QStringLiteral("someone_else"));
    Process p;
    p.registerName(QStringLiteral("latecomer"));
    QVERIFY(doneSpy.wait());
    QCOMPARE(calls, QList<Pid> { p.pid() });
}

void TestRegistry::whenRegisteredFiresOnce()
{
    QObject context;
    int calls = 0;
    Registry::instance()->whenRegistered(QStringLiteral("twice"), &context, [&](Pid) { ++calls; });
    QSignalSpy spy(Registry::instance(), &Registry::registered);
    {
        Process a;
        a.registerName(QStringLiteral("twice"));
    }
    Process b;
    b.registerName(QStringLiteral("twice"));
    QTRY_COMPARE(calls, 1);
    // A second waiter proves the queue has drained past both registrations.
    bool drained = false;
    Registry::instance()->whenRegistered(QStringLiteral("twice"), &context,
                                         [&](Pid) { drained = true; });
    QTRY_VERIFY(drained);
    QCOMPARE(calls, 1);
}

void TestRegistry::registerFromAnotherThread()
{
    QThread thread;
    thread.start();
    auto *p = new Process;
    const Pid pid = p->pid();
    p->moveToThread(&thread);
    QSignalSpy spy(Registry::instance(), &Registry::registered);
    Node::instance()->post(pid,
                           [](Process *self) { self->registerName(QStringLiteral("remote")); });
    QTRY_COMPARE(Registry::instance()->whereis(QStringLiteral("remote")), pid);
    QSignalSpy gone(Registry::instance(), &Registry::unregistered);
    Node::instance()->exit(pid, ExitReason::kill());
    QTRY_COMPARE(Registry::instance()->whereis(QStringLiteral("remote")), Pid(0));
    thread.quit();
    thread.wait();
}

QTEST_MAIN(TestRegistry)
#include "tst_registry.moc"
