#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/registry.h>
#include <immortal/trace.h>
#include <immortal/tracewriter.h>

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace immortal;

class TestTrace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lifecycleIsTracedInOrder();
    void writerWritesJsonLines();
};

void TestTrace::lifecycleIsTracedInOrder()
{
    QList<TraceEvent> events;
    QObject sink;
    connect(Trace::instance(), &Trace::event, &sink,
            [&](const TraceEvent &e) { events.append(e); });
    auto *p = new Process;
    const Pid pid = p->pid();
    p->registerName(QStringLiteral("traced"));
    QSignalSpy destroyed(p, &QObject::destroyed);
    p->exit(Term::atom(u"custom"));
    QVERIFY(destroyed.wait());

    QList<TraceEvent> mine;
    for (const TraceEvent &e : events) {
        if (e.pid == pid)
            mine.append(e);
    }
    QCOMPARE(mine.size(), 4);
    QCOMPARE(mine[0].type, TraceEvent::Type::ProcessStarted);
    QCOMPARE(mine[0].kind, QStringLiteral("worker"));
    QCOMPARE(mine[1].type, TraceEvent::Type::NameRegistered);
    QCOMPARE(mine[1].name, QStringLiteral("traced"));
    QCOMPARE(mine[2].type, TraceEvent::Type::ProcessExited);
    QCOMPARE(mine[2].reason, Term::atom(u"custom"));
    QCOMPARE(mine[2].name, QStringLiteral("traced")); // still known when it exits
    QCOMPARE(mine[3].type, TraceEvent::Type::NameUnregistered);
    for (int i = 1; i < mine.size(); ++i) {
        QVERIFY(mine[i].seq > mine[i - 1].seq);
        QVERIFY(mine[i].tNs >= mine[i - 1].tNs);
    }
}

void TestTrace::writerWritesJsonLines()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    Process p;
    {
        TraceWriter writer(&buffer);
        p.registerName(QStringLiteral("written"));
        Process q;
        QCOMPARE(writer.written(), 2); // registered, started
    } // q exits while the writer lives: registered, started, exited
    const QList<QByteArray> all = buffer.data().split('\n');
    QCOMPARE(all.size(), 4); // three lines and the empty remainder
    const QList<QByteArray> lines = all;
    QVERIFY(lines.last().isEmpty()); // every line ends with a newline
    const QJsonObject registered = QJsonDocument::fromJson(lines[0]).object();
    QCOMPARE(registered.value(QLatin1String("event")).toString(),
             QStringLiteral("name_registered"));
    QCOMPARE(registered.value(QLatin1String("name")).toString(), QStringLiteral("written"));
    QVERIFY(registered.value(QLatin1String("seq")).toInteger() > 0);
    QVERIFY(registered.contains(QLatin1String("t_ns")));
    QVERIFY(!registered.contains(QLatin1String("table"))); // fields that do not apply are left out
    const TraceEvent back = TraceEvent::fromJson(registered);
    QCOMPARE(back.type, TraceEvent::Type::NameRegistered);
    QCOMPARE(back.name, QStringLiteral("written"));
}

QTEST_MAIN(TestTrace)
#include "tst_trace.moc"
