// The ownership timeline: the fold of table events into owner spans, and
// the view that draws it, over synthetic events and over a real hand-off.
#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/exitreason.h>
#include <immortal/models/ownershiptimeline.h>
#include <immortal/models/tracebatcher.h>
#include <immortal/node.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/tableinfo.h>
#include <immortal/trace.h>
#include <immortal/widgets/ownershiptimelineview.h>

#include <QApplication>
#include <QSignalSpy>
#include <QtTest>

using namespace immortal;

namespace {

using Type = TraceEvent::Type;
using Span = OwnershipTimeline::Span;
using Lane = OwnershipTimeline::Lane;

// Builds events the way the core records them: numbered, 1 µs apart.
class Events
{
public:
    TraceEvent &add(Type type)
    {
        TraceEvent e;
        e.type = type;
        e.seq = ++m_seq;
        e.tNs = m_seq * 1000;
        m_events.append(e);
        return m_events.last();
    }
    TraceEvent &table(Type type, TableId id, qint64 size)
    {
        TraceEvent &e = add(type);
        e.table = id;
        e.tableName = QStringLiteral("sessions");
        e.size = size;
        return e;
    }
    void named(Pid pid, const QString &name)
    {
        TraceEvent &e = add(Type::NameRegistered);
        e.pid = pid;
        e.name = name;
    }
    void died(Pid pid, const char16_t *reason)
    {
        TraceEvent &e = add(Type::ProcessExited);
        e.pid = pid;
        e.reason = Term::atom(reason);
    }
    const QList<TraceEvent> &all() const { return m_events; }

private:
    QList<TraceEvent> m_events;
    quint64 m_seq = 0;
};

// The seed's sequence: the manager (10) creates the table and gives it to
// the consumer (11); the consumer is killed, the manager inherits it, and
// gives it to the restarted consumer (12).
Events handOff()
{
    Events ev;
    ev.named(10, QStringLiteral("TableManager"));
    ev.table(Type::TableCreated, 7, 0).pid = 10;
    ev.named(11, QStringLiteral("TableConsumer"));
    TraceEvent &give = ev.table(Type::TableGivenAway, 7, 0);
    give.from = 10;
    give.to = 11;
    ev.table(Type::TableWritten, 7, 3);
    ev.died(11, u"killed");
    TraceEvent &inherit = ev.table(Type::TableTransferred, 7, 3);
    inherit.from = 11;
    inherit.to = 10;
    inherit.reason = Term::atom(u"killed");
    ev.named(12, QStringLiteral("TableConsumer"));
    TraceEvent &back = ev.table(Type::TableGivenAway, 7, 3);
    back.from = 10;
    back.to = 12;
    ev.table(Type::TableWritten, 7, 5);
    return ev;
}

} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();
    void foldsAHandOff();
    void orphanedThenLost();
    void orphanedThenInheritedByName();
    void memoryIsBounded();
    void clearForgetsEverything();
    void tablesThatExistAlready();
    void formatsDurations();
    void zoomAlwaysWorks();
    void liveHandOffAfterAKill();
};

void TestTimeline::cleanup()
{
    QTRY_VERIFY(Node::instance()->processes().isEmpty());
}

void TestTimeline::foldsAHandOff()
{
    OwnershipTimeline timeline;
    QSignalSpy changed(&timeline, &OwnershipTimeline::changed);
    const Events ev = handOff();
    timeline.apply(ev.all());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(timeline.lanes().size(), 1);
    const Lane &lane = timeline.lanes().first();
    QCOMPARE(lane.table, TableId(7));
    QCOMPARE(lane.name, QStringLiteral("sessions"));
    QCOMPARE(lane.fate, Lane::Fate::Alive);
    QCOMPARE(lane.spans.size(), 4);

    const Span &created = lane.spans.at(0);
    QCOMPARE(created.kind, Span::Kind::Owned);
    QCOMPARE(created.owner, Pid(10));
    QCOMPARE(created.ownerLabel, QStringLiteral("TableManager"));
    QCOMPARE(created.cause, QStringLiteral("created"));
    QCOMPARE(created.end, QStringLiteral("given away to TableConsumer"));

    const Span &first = lane.spans.at(1);
    QCOMPARE(first.owner, Pid(11));
    QCOMPARE(first.ownerLabel, QStringLiteral("TableConsumer"));
    QCOMPARE(first.cause, QStringLiteral("given away by TableManager"));
    QCOMPARE(first.end, QStringLiteral("killed"));

    // The hand-off: the heir held it from the crash to the give-away back.
    const Span &gap = lane.spans.at(2);
    QCOMPARE(gap.kind, Span::Kind::HeldByHeir);
    QCOMPARE(gap.owner, Pid(10));
    QCOMPARE(gap.cause, QStringLiteral("killed"));
    QCOMPARE(gap.startNs, first.endNs); // never without an owner
    QCOMPARE(gap.durationNs(0), qint64(2000)); // the name, then the give-away: 2 µs

    const Span &second = lane.spans.at(3);
    QCOMPARE(second.owner, Pid(12));
    QVERIFY(second.isOpen());
    QCOMPARE(second.durationNs(timeline.lastNs()), timeline.lastNs() - second.startNs);

    QCOMPARE(timeline.spanAt(7, gap.startNs), &gap);
    QCOMPARE(timeline.spanAt(7, gap.endNs - 1), &gap);
    QCOMPARE(timeline.spanAt(7, gap.endNs), &second);
    QCOMPARE(timeline.spanAt(7, created.startNs - 1), nullptr);
    QCOMPARE(timeline.spanAt(8, gap.startNs), nullptr);
    // Row counts along the way, the largest scaling the line.
    QCOMPARE(lane.sizes.size(), 6);
    QCOMPARE(lane.sizes.last().size, qint64(5));
    QCOMPARE(lane.maxSize, qint64(5));
}

void TestTimeline::orphanedThenLost()
{
    Events ev;
    ev.table(Type::TableCreated, 3, 2).pid = 20;
    ev.died(20, u"boom");
    TraceEvent &orphan = ev.table(Type::TableOrphaned, 3, 2);
    orphan.from = 20;
    orphan.heirName = QStringLiteral("Keeper");
    orphan.reason = Term::atom(u"boom");
    TraceEvent &lost = ev.table(Type::TableLost, 3, 2);
    lost.from = 20;
    lost.heirName = QStringLiteral("Keeper");
    lost.reason = Term::parse(u"{grace_expired,5000}");
    OwnershipTimeline timeline;
    timeline.apply(ev.all());
    const Lane &lane = timeline.lanes().first();
    QCOMPARE(lane.fate, Lane::Fate::Lost);
    QCOMPARE(lane.endNs, lost.tNs);
    QCOMPARE(lane.spans.size(), 2);
    const Span &waiting = lane.spans.at(1);
    QCOMPARE(waiting.kind, Span::Kind::Orphaned);
    QCOMPARE(waiting.owner, Pid(0));
    QCOMPARE(waiting.ownerLabel, QStringLiteral("waiting for Keeper"));
    QCOMPARE(waiting.cause, QStringLiteral("boom"));
    QCOMPARE(waiting.end, QStringLiteral("lost ({grace_expired,5000})"));
    QVERIFY(!waiting.isOpen());
    QCOMPARE(timeline.spanAt(3, lost.tNs), nullptr); // gone
}

void TestTimeline::orphanedThenInheritedByName()
{
    Events ev;
    ev.table(Type::TableCreated, 3, 1).pid = 20;
    ev.died(20, u"boom");
    TraceEvent &orphan = ev.table(Type::TableOrphaned, 3, 1);
    orphan.from = 20;
    orphan.heirName = QStringLiteral("Keeper");
    orphan.reason = Term::atom(u"boom");
    ev.named(21, QStringLiteral("Keeper"));
    TraceEvent &inherit = ev.table(Type::TableTransferred, 3, 1);
    inherit.from = 20;
    inherit.to = 21;
    inherit.reason = Term::atom(u"heir_registered");
    OwnershipTimeline timeline;
    timeline.apply(ev.all());
    const Lane &lane = timeline.lanes().first();
    QCOMPARE(lane.spans.size(), 3);
    QCOMPARE(lane.spans.at(1).end, QStringLiteral("the heir registered its name"));
    QCOMPARE(lane.spans.at(2).kind, Span::Kind::HeldByHeir);
    QCOMPARE(lane.spans.at(2).ownerLabel, QStringLiteral("Keeper"));
    QCOMPARE(lane.spans.at(1).durationNs(0), qint64(2000));
}

void TestTimeline::memoryIsBounded()
{
    OwnershipTimeline timeline;
    timeline.setMaxSpansPerLane(10);
    timeline.setMaxEndedLanes(2);
    Events ev;
    ev.table(Type::TableCreated, 1, 0).pid = 30;
    for (int i = 0; i < 100; ++i) {
        TraceEvent &give = ev.table(Type::TableGivenAway, 1, i);
        give.from = 30 + i;
        give.to = 31 + i;
    }
    for (TableId t = 2; t <= 6; ++t) {
        ev.table(Type::TableCreated, t, 0).pid = 30;
        ev.table(Type::TableDeleted, t, 0).reason = Term::atom(u"deleted");
    }
    timeline.apply(ev.all());
    // The live table and the two most recently ended ones.
    QCOMPARE(timeline.lanes().size(), 3);
    const Lane &live = timeline.lanes().at(0);
    QCOMPARE(live.table, TableId(1));
    QCOMPARE(live.spans.size(), 10);
    QCOMPARE(live.droppedSpans, 91);
    QCOMPARE(live.spans.last().owner, Pid(130));
    QCOMPARE(timeline.lanes().at(1).table, TableId(5));
    QCOMPARE(timeline.lanes().at(2).table, TableId(6));
    QCOMPARE(timeline.laneOf(6), 2);
    QCOMPARE(timeline.laneOf(2), -1);
}

void TestTimeline::clearForgetsEverything()
{
    OwnershipTimeline timeline;
    timeline.apply(handOff().all());
    QSignalSpy changed(&timeline, &OwnershipTimeline::changed);
    timeline.clear();
    QCOMPARE(changed.count(), 1);
    QVERIFY(timeline.lanes().isEmpty());
    QCOMPARE(timeline.laneOf(7), -1);
    QCOMPARE(timeline.firstNs(), qint64(0));
}

// A timeline that begins while a program runs starts with its tables: an
// owned one under its owner's name, an orphaned one waiting for its heir; the
// next events go on from there.
void TestTimeline::tablesThatExistAlready()
{
    OwnershipTimeline timeline;
    TableInfo owned;
    owned.id = 4;
    owned.name = QStringLiteral("sessions");
    owned.owner = 40;
    owned.size = 12;
    TableInfo orphan;
    orphan.id = 5;
    orphan.name = QStringLiteral("cache");
    orphan.orphaned = true;
    orphan.heir.name = QStringLiteral("Keeper");
    timeline.addExisting(owned, QStringLiteral("Consumer"), 1000);
    timeline.addExisting(orphan, QString(), 1000);
    timeline.addExisting(owned, QStringLiteral("Consumer"), 2000); // known: no second lane
    QCOMPARE(timeline.lanes().size(), 2);
    const Span &s = timeline.lanes().at(0).spans.at(0);
    QCOMPARE(s.kind, Span::Kind::Owned);
    QCOMPARE(s.ownerLabel, QStringLiteral("Consumer"));
    QCOMPARE(s.cause, QStringLiteral("owned when the timeline began"));
    QCOMPARE(timeline.lanes().at(0).sizes.first().size, qint64(12));
    QCOMPARE(timeline.lanes().at(1).spans.at(0).kind, Span::Kind::Orphaned);
    QCOMPARE(timeline.lanes().at(1).spans.at(0).ownerLabel, QStringLiteral("waiting for Keeper"));

    Events ev;
    for (int i = 0; i < 3; ++i)
        ev.add(Type::ProcessStarted); // move the clock past 1000
    TraceEvent &give = ev.table(Type::TableGivenAway, 4, 12);
    give.from = 40;
    give.to = 41;
    timeline.apply(ev.all());
    QCOMPARE(timeline.lanes().at(0).spans.size(), 2);
    QCOMPARE(timeline.lanes().at(0).spans.at(1).cause, QStringLiteral("given away by Consumer"));
}

void TestTimeline::formatsDurations()
{
    QCOMPARE(OwnershipTimeline::formatDuration(840), QStringLiteral("840 ns"));
    QCOMPARE(OwnershipTimeline::formatDuration(3250), QStringLiteral("3.3 µs"));
    QCOMPARE(OwnershipTimeline::formatDuration(312000), QStringLiteral("312 µs"));
    QCOMPARE(OwnershipTimeline::formatDuration(4200000), QStringLiteral("4.2 ms"));
    QCOMPARE(OwnershipTimeline::formatDuration(3500000000LL), QStringLiteral("3.5 s"));
    QCOMPARE(OwnershipTimeline::formatDuration(125000000000LL), QStringLiteral("2 min 5 s"));
}

void TestTimeline::zoomAlwaysWorks()
{
    OwnershipTimeline timeline;
    timeline.apply(handOff().all());
    OwnershipTimelineView view;
    view.resize(800, 200);
    view.setTimeline(&timeline);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const double fitted = view.nsPerPixel();
    QVERIFY(fitted > 0);
    // Fitted is as far out as it goes: zooming out clamps, it does not refuse
    // a later zoom in.
    view.zoomBy(0.5);
    QCOMPARE(view.nsPerPixel(), fitted);
    view.zoomBy(2);
    QVERIFY(view.nsPerPixel() < fitted);
    // Far in, then clamped at 10 ns per pixel; out again works.
    for (int i = 0; i < 40; ++i)
        view.zoomBy(4);
    QCOMPARE(view.nsPerPixel(), 10.0);
    view.zoomBy(0.5);
    QCOMPARE(view.nsPerPixel(), std::min(20.0, fitted)); // the run is short: fit is near
    QTest::keyClick(view.viewport(), Qt::Key_0);
    QCOMPARE(view.nsPerPixel(), fitted);
}

// The seed's tree for real: the consumer is killed, the manager holds the
// table until the restarted consumer registers, and gives it back. The
// timeline shows the consumer's span, the manager's hand-off span caused by
// the kill, and the new consumer's span; clicking the hand-off selects the
// manager.
void TestTimeline::liveHandOffAfterAKill()
{
    OwnershipTimeline timeline;
    TraceBatcher batcher;
    connect(&batcher, &TraceBatcher::batch, &timeline, &OwnershipTimeline::apply);
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.setBootDelay(QStringLiteral("consumer"), 300); // a hand-off long enough to see
    runner.start();
    Pid consumer = 0;
    QTRY_VERIFY((consumer = Registry::instance()->whereis(QStringLiteral("TableConsumer"))) != 0);
    QTRY_VERIFY(!Table::ownedBy(consumer).isEmpty());
    const TableId table = Table::ownedBy(consumer).first();
    const Pid manager = runner.resolve(QStringLiteral("TableManager"));
    QVERIFY(runner.kill(QStringLiteral("TableConsumer")));
    Pid fresh = 0;
    QTRY_VERIFY((fresh = Registry::instance()->whereis(QStringLiteral("TableConsumer"))) != 0
                && fresh != consumer && Table::infoOf(table)->owner == fresh);
    batcher.flush();

    const int laneIndex = timeline.laneOf(table);
    QVERIFY(laneIndex >= 0);
    const QList<Span> &spans = timeline.lanes().at(laneIndex).spans;
    QVERIFY(spans.size() >= 3);
    const qsizetype last = spans.size() - 1;
    QCOMPARE(spans.at(last).owner, fresh);
    QVERIFY(spans.at(last).isOpen());
    QCOMPARE(spans.at(last - 1).kind, Span::Kind::HeldByHeir);
    QCOMPARE(spans.at(last - 1).owner, manager);
    QCOMPARE(spans.at(last - 1).cause, QStringLiteral("killed"));
    QCOMPARE(spans.at(last - 2).owner, consumer);
    QCOMPARE(spans.at(last - 2).endNs, spans.at(last - 1).startNs);
    // The restart waited out the boot delay: the gap is at least that long.
    QVERIFY(spans.at(last - 1).durationNs(0) >= 300 * 1000000LL);

    OwnershipTimelineView view;
    view.resize(900, 240);
    view.setTimeline(&timeline);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy activated(&view, &OwnershipTimelineView::processActivated);
    QSignalSpy moment(&view, &OwnershipTimelineView::momentActivated);
    const QRect gap = view.spanRect(table, int(last - 1));
    QVERIFY(gap.width() > 4);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, gap.center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().value<Pid>(), manager);
    QCOMPARE(moment.count(), 1);
    const qint64 t = moment.first().first().toLongLong();
    QVERIFY(t >= spans.at(last - 1).startNs && t < spans.at(last - 1).endNs);
    // The drawing is not blank where the gap is.
    const QImage shot = view.viewport()->grab().toImage();
    QVERIFY(shot.pixelColor(gap.center()) != view.palette().color(QPalette::Base));
}

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
