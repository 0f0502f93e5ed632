// The trace's public format: JSON Lines with seq, t_ns, event and the fields
// that apply; every event type documented in docs/trace-format.md, and every
// event surviving a trip through JSON.
#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/trace.h>
#include <immortal/traceevent.h>
#include <immortal/tracewriter.h>

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

using namespace immortal;

namespace {

using Type = TraceEvent::Type;
constexpr int typeCount = int(Type::ManagerAdopted) + 1;

QList<Type> allTypes()
{
    QList<Type> types;
    for (int i = 0; i < typeCount; ++i)
        types << Type(i);
    return types;
}

// Every field of the format, in the order docs/trace-format.md lists them.
const QStringList allFields { "seq",        "t_ns",       "event",    "pid",    "name",
                              "kind",       "supervisor", "child_id", "reason", "table",
                              "table_name", "table_type", "access",   "from",   "to",
                              "heir",       "heir_name",  "target",   "size" };

TraceEvent fullEvent(Type type)
{
    TraceEvent e;
    e.seq = 17;
    e.tNs = 123456789012345;
    e.type = type;
    e.pid = 4;
    e.name = QStringLiteral("cache.manager");
    e.kind = QStringLiteral("table_manager");
    e.supervisor = 2;
    e.childId = QStringLiteral("manager");
    e.reason = Term::tuple({ Term::atom(u"exception"), Term("out of cheese") });
    e.table = 9;
    e.tableName = QStringLiteral("cache");
    e.tableType = QStringLiteral("ordered_set");
    e.access = QStringLiteral("protected");
    e.from = 3;
    e.to = 5;
    e.heir = 6;
    e.heirName = QStringLiteral("cache.heir");
    e.target = QStringLiteral("cache");
    e.size = 0; // 0 rows is a value, not "absent"
    return e;
}

QString docsText()
{
    QFile f(QStringLiteral(IMMORTAL_SOURCE_DIR "/docs/trace-format.md"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QList<QJsonObject> parseLines(const QByteArray &bytes)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : bytes.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject())
            return {}; // the caller compares counts, so a bad line fails the test
        out << doc.object();
    }
    return out;
}

} // namespace

class TestTraceJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typeNamesAreUniqueAndRoundTrip();
    void everyTypeAndFieldIsDocumented();
    void docsSampleIsValid();
    void eventsRoundTripThroughJson_data();
    void eventsRoundTripThroughJson();
    void absentFieldsAreLeftOut();
    void fromJsonRejectsWhatIsNotAnEvent();
    void writerWritesOneObjectPerLine();
    void writerReportsAFailedWriteOnce();
    void seqAcrossThreads();
};

void TestTraceJson::typeNamesAreUniqueAndRoundTrip()
{
    QSet<QString> seen;
    const QRegularExpression snake(QStringLiteral("^[a-z]+(_[a-z]+)*$"));
    for (Type t : allTypes()) {
        const QString name = QString::fromLatin1(TraceEvent::typeName(t));
        QVERIFY2(snake.match(name).hasMatch(), qPrintable(name));
        QVERIFY2(name != QLatin1String("unknown"), qPrintable(QString::number(int(t))));
        QVERIFY2(!seen.contains(name), qPrintable(name));
        seen.insert(name);
        Type back = Type::ProcessStarted;
        QVERIFY(TraceEvent::typeFromName(name, &back));
        QCOMPARE(back, t);
    }
    Type dummy;
    QVERIFY(!TraceEvent::typeFromName(u"no_such_event", &dummy));
}

// The documentation is part of the format: an event or field that is not
// described there is not public, so the test fails until it is.
void TestTraceJson::everyTypeAndFieldIsDocumented()
{
    const QString docs = docsText();
    QVERIFY2(!docs.isEmpty(), "docs/trace-format.md is missing");

    // Each event has its own heading: ### `name`
    QSet<QString> documented;
    const QRegularExpression heading(QStringLiteral("^###\\s+`([a-z_]+)`"),
                                     QRegularExpression::MultilineOption);
    for (auto it = heading.globalMatch(docs); it.hasNext();)
        documented.insert(it.next().captured(1));
    QSet<QString> names;
    for (Type t : allTypes())
        names.insert(QString::fromLatin1(TraceEvent::typeName(t)));
    for (const QString &n : names)
        QVERIFY2(documented.contains(n), qPrintable(n + QStringLiteral(" is not documented")));
    for (const QString &d : documented)
        QVERIFY2(names.contains(d), qPrintable(d + QStringLiteral(" is documented but no event")));

    // Each field is a row of the field table: | `name` | ...
    QSet<QString> fields;
    const QRegularExpression row(QStringLiteral("^\\|\\s*`([a-z_]+)`\\s*\\|"),
                                 QRegularExpression::MultilineOption);
    for (auto it = row.globalMatch(docs); it.hasNext();)
        fields.insert(it.next().captured(1));
    for (const QString &f : allFields)
        QVERIFY2(fields.contains(f), qPrintable(f + QStringLiteral(" is not documented")));
    // And nothing the code writes is missing from that list.
    for (Type t : allTypes()) {
        for (const QString &key : fullEvent(t).toJson().keys())
            QVERIFY2(allFields.contains(key), qPrintable(key));
    }
}

// The sample in the docs is real output: every line is an event, in seq order.
void TestTraceJson::docsSampleIsValid()
{
    const QString docs = docsText();
    const qsizetype start = docs.indexOf(QLatin1String("```jsonl\n"));
    QVERIFY(start >= 0);
    const qsizetype end = docs.indexOf(QLatin1String("```"), start + 9);
    QVERIFY(end > start);
    const QByteArray sample = docs.mid(start + 9, end - start - 9).toUtf8();
    const QList<QJsonObject> lines = parseLines(sample);
    QCOMPARE(lines.size(), int(sample.count('\n')));
    QVERIFY(lines.size() >= 10);
    quint64 last = 0;
    for (const QJsonObject &o : lines) {
        const TraceEvent e = TraceEvent::fromJson(o);
        QVERIFY(e.seq > last);
        last = e.seq;
        QCOMPARE(e.toJson(), o);
    }
}

void TestTraceJson::eventsRoundTripThroughJson_data()
{
    QTest::addColumn<int>("type");
    for (Type t : allTypes())
        QTest::newRow(TraceEvent::typeName(t)) << int(t);
}

void TestTraceJson::eventsRoundTripThroughJson()
{
    QFETCH(int, type);
    const TraceEvent e = fullEvent(Type(type));
    const QJsonObject o = e.toJson();
    QCOMPARE(o.value(QLatin1String("event")).toString(),
             QString::fromLatin1(TraceEvent::typeName(e.type)));
    QCOMPARE(o.keys().size(), allFields.size());

    // Through text, as a reader of the file sees it.
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    QVERIFY(!line.contains('\n'));
    const TraceEvent back = TraceEvent::fromJson(QJsonDocument::fromJson(line).object());
    QCOMPARE(back.type, e.type);
    QCOMPARE(back.seq, e.seq);
    QCOMPARE(back.tNs, e.tNs);
    QCOMPARE(back.pid, e.pid);
    QCOMPARE(back.name, e.name);
    QCOMPARE(back.kind, e.kind);
    QCOMPARE(back.supervisor, e.supervisor);
    QCOMPARE(back.childId, e.childId);
    QCOMPARE(back.reason, e.reason);
    QCOMPARE(back.table, e.table);
    QCOMPARE(back.tableName, e.tableName);
    QCOMPARE(back.tableType, e.tableType);
    QCOMPARE(back.access, e.access);
    QCOMPARE(back.from, e.from);
    QCOMPARE(back.to, e.to);
    QCOMPARE(back.heir, e.heir);
    QCOMPARE(back.heirName, e.heirName);
    QCOMPARE(back.target, e.target);
    QCOMPARE(back.size, e.size);
}

void TestTraceJson::absentFieldsAreLeftOut()
{
    TraceEvent e;
    e.type = Type::ManagerWaiting;
    e.seq = 1;
    e.tNs = 5;
    const QJsonObject o = e.toJson();
    QStringList keys = o.keys();
    keys.sort();
    QCOMPARE(keys, QStringList({ "event", "seq", "t_ns" }));
    const TraceEvent back = TraceEvent::fromJson(o);
    QCOMPARE(back.pid, Pid(0));
    QCOMPARE(back.size, qint64(-1));
    QVERIFY(back.name.isEmpty());
}

void TestTraceJson::fromJsonRejectsWhatIsNotAnEvent()
{
    QJsonObject unknown { { "seq", 1 }, { "t_ns", 2 }, { "event", "process_teleported" } };
    try {
        TraceEvent::fromJson(unknown);
        QFAIL("an unknown event name was accepted");
    } catch (const Error &e) {
        QCOMPARE(e.code(), Error::Code::BadArg);
        QVERIFY(e.message().contains(QLatin1String("process_teleported")));
    }
    QVERIFY_THROWS_EXCEPTION(Error, TraceEvent::fromJson(QJsonObject { { "seq", 1 } }));
}

// A device that refuses writes (a full disk): failed() once, with the
// device's words, and nothing written after it.
void TestTraceJson::writerReportsAFailedWriteOnce()
{
    if (!QFile::exists(QStringLiteral("/dev/full")))
        QSKIP("needs /dev/full");
    QFile full(QStringLiteral("/dev/full"));
    QVERIFY(full.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
    TraceWriter writer(&full);
    QSignalSpy failed(&writer, &TraceWriter::failed);
    TraceEvent e;
    e.type = TraceEvent::Type::ProcessStarted;
    e.pid = 1;
    e.seq = 1;
    writer.write(e);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("No space left on device")),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(writer.hasFailed());
    QCOMPARE(writer.written(), qint64(0));
    writer.write(e);
    QVERIFY(!writer.flush());
    QCOMPARE(failed.count(), 1);

    // Buffered, the error shows at the flush, which the writer runs itself
    // once the event loop is back.
    QFile buffered(QStringLiteral("/dev/full"));
    QVERIFY(buffered.open(QIODevice::WriteOnly));
    TraceWriter later(&buffered);
    QSignalSpy laterFailed(&later, &TraceWriter::failed);
    later.write(e);
    QVERIFY(laterFailed.wait(10000));
    QVERIFY(!later.flush());
}

// Real activity written by a TraceWriter: one object per line, seq strictly
// increasing, and the fields each event promises.
void TestTraceJson::writerWritesOneObjectPerLine()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QList<TraceEvent> recorded;
    {
        TraceWriter writer(&buffer);
        QObject listening;
        connect(Trace::instance(), &Trace::event, &listening,
                [&](const TraceEvent &e) { recorded << e; });

        auto *owner = new Process;
        owner->registerName(QStringLiteral("tracejson.owner"));
        auto *heir = new Process;
        TableOptions opts;
        opts.namedTable = true;
        opts.heir = HeirSpec::byPid(heir->pid());
        TableId id = 0;
        {
            ProcessScope scope(owner->pid());
            Table t = Table::create(QStringLiteral("tracejson.table"), opts);
            t.insert({ 1, "one" });
            t.insert({ 2, "two" });
            id = t.id();
        }
        QSignalSpy gone(owner, &QObject::destroyed);
        Node::instance()->exit(owner->pid(), Term::atom(u"boom"));
        QVERIFY(gone.wait(10000));
        {
            QSignalSpy heirGot(heir, &Process::etsTransfer);
            QVERIFY(heirGot.count() == 1 || heirGot.wait(10000));
        }
        {
            ProcessScope scope(heir->pid());
            Table::fromId(id).deleteTable();
        }
        delete heir;
        QCOMPARE(writer.written(), qint64(recorded.size()));
    }

    const QList<QJsonObject> lines = parseLines(buffer.data());
    QCOMPARE(lines.size(), recorded.size());
    QVERIFY(lines.size() >= 8);
    qint64 lastSeq = 0;
    qint64 lastT = 0;
    QSet<QString> events;
    for (int i = 0; i < lines.size(); ++i) {
        const QJsonObject &o = lines.at(i);
        QVERIFY(o.value("seq").isDouble());
        QVERIFY(o.value("t_ns").isDouble());
        QVERIFY(o.value("event").isString());
        const qint64 seq = o.value("seq").toInteger();
        QVERIFY2(seq > lastSeq, qPrintable(QStringLiteral("line %1").arg(i)));
        lastSeq = seq;
        // One thread recorded everything, so the steady clock never goes back.
        QVERIFY(o.value("t_ns").toInteger() >= lastT);
        lastT = o.value("t_ns").toInteger();
        const QString ev = o.value("event").toString();
        events.insert(ev);
        for (const QString &key : o.keys())
            QVERIFY2(allFields.contains(key), qPrintable(key));
        // The fields docs/trace-format.md promises for these events.
        QStringList required;
        if (ev == QLatin1String("process_started"))
            required = { "pid", "kind" };
        else if (ev == QLatin1String("process_exited"))
            required = { "pid", "reason" };
        else if (ev == QLatin1String("name_registered") || ev == QLatin1String("name_unregistered"))
            required = { "pid", "name" };
        else if (ev == QLatin1String("table_created"))
            required = { "table", "table_name", "table_type", "access", "pid", "heir", "size" };
        else if (ev == QLatin1String("table_transferred"))
            required = { "table", "table_name", "from", "to", "size" };
        else if (ev == QLatin1String("table_deleted"))
            required = { "table", "table_name", "pid", "reason", "size" };
        for (const QString &key : required)
            QVERIFY2(o.contains(key), qPrintable(ev + QStringLiteral(" lacks ") + key));
        // The line is the event that was recorded.
        const TraceEvent back = TraceEvent::fromJson(o);
        QCOMPARE(back.seq, recorded.at(i).seq);
        QCOMPARE(back.type, recorded.at(i).type);
        QCOMPARE(back.pid, recorded.at(i).pid);
        QCOMPARE(back.table, recorded.at(i).table);
    }
    for (const char *ev : { "process_started", "name_registered", "table_created", "process_exited",
                            "name_unregistered", "table_transferred", "table_deleted" })
        QVERIFY2(events.contains(QLatin1String(ev)), ev);

    // The exit reason and the table's size at the transfer are in the file.
    bool sawExit = false;
    for (const QJsonObject &o : lines) {
        if (o.value("event").toString() == QLatin1String("process_exited")
            && o.value("reason").toString() == QLatin1String("boom"))
            sawExit = true;
        if (o.value("event").toString() == QLatin1String("table_transferred"))
            QCOMPARE(o.value("size").toInteger(), qint64(2));
    }
    QVERIFY(sawExit);
}

// Events recorded by several threads at once: every one reaches the file,
// in one total order — seq strictly increasing line by line, gap-free — and
// each thread's events keep their order (docs/trace-format.md, "Ordering").
void TestTraceJson::seqAcrossThreads()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    TraceWriter writer(&buffer);
    constexpr int threads = 4;
    constexpr int perThread = 500;
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([t] {
            for (int i = 0; i < perThread; ++i) {
                TraceEvent e;
                e.type = Type::TableWritten;
                e.table = TableId(1000 + t);
                e.size = i;
                Trace::instance()->record(e);
            }
        }));
    }
    for (auto &w : workers)
        w->start();
    for (int i = 0; i < perThread; ++i) {
        TraceEvent e;
        e.type = Type::TableWritten;
        e.table = 999;
        e.size = i;
        Trace::instance()->record(e);
    }
    for (auto &w : workers)
        QVERIFY(w->wait());
    QTRY_COMPARE_WITH_TIMEOUT(writer.written(), qint64((threads + 1) * perThread), 20000);

    const QList<QJsonObject> lines = parseLines(buffer.data());
    QCOMPARE(lines.size(), (threads + 1) * perThread);
    QSet<qint64> seqs;
    qint64 lo = std::numeric_limits<qint64>::max();
    qint64 hi = 0;
    QHash<qint64, qint64> lastSeqOf; // per recording thread (its table id)
    QHash<qint64, qint64> lastSizeOf;
    qint64 previous = 0;
    for (const QJsonObject &o : lines) {
        const qint64 seq = o.value("seq").toInteger();
        QVERIFY2(seq > previous,
                 qPrintable(QStringLiteral("seq %1 after %2").arg(seq).arg(previous)));
        previous = seq;
        QVERIFY2(!seqs.contains(seq), qPrintable(QStringLiteral("seq %1 twice").arg(seq)));
        seqs.insert(seq);
        lo = std::min(lo, seq);
        hi = std::max(hi, seq);
        const qint64 table = o.value("table").toInteger();
        const qint64 size = o.value("size").toInteger();
        if (lastSeqOf.contains(table)) {
            QVERIFY(seq > lastSeqOf.value(table));
            QCOMPARE(size, lastSizeOf.value(table) + 1);
        } else {
            QCOMPARE(size, qint64(0));
        }
        lastSeqOf.insert(table, seq);
        lastSizeOf.insert(table, size);
    }
    QCOMPARE(hi - lo + 1, qint64(lines.size())); // no gaps: nothing was lost
}

QTEST_GUILESS_MAIN(TestTraceJson)
#include "tst_tracejson.moc"
