#include <immortal/models/ownershiptimeline.h>

#include <immortal/node.h>

namespace immortal {

using Type = TraceEvent::Type;

OwnershipTimeline::OwnershipTimeline(QObject *parent)
    : QObject(parent)
{ }

void OwnershipTimeline::apply(const QList<TraceEvent> &events)
{
    if (events.isEmpty())
        return;
    for (const TraceEvent &e : events)
        fold(e);
    trim();
    Q_EMIT changed();
}

void OwnershipTimeline::clear()
{
    m_lanes.clear();
    m_laneOf.clear();
    m_names.clear();
    m_childIds.clear();
    m_firstNs = m_lastNs = 0;
    m_ended = 0;
    Q_EMIT changed();
}

void OwnershipTimeline::addExisting(const TableInfo &table, const QString &ownerLabel, qint64 tNs)
{
    if (laneOf(table.id) >= 0)
        return;
    if (m_firstNs == 0)
        m_firstNs = tNs;
    m_lastNs = qMax(m_lastNs, tNs);
    TraceEvent e; // what a trace would have said, had it been followed
    e.tNs = tNs;
    e.table = table.id;
    e.tableName = table.name;
    e.size = table.size;
    Lane *lane = laneFor(e);
    if (table.orphaned) {
        open(*lane, Span::Kind::Orphaned, 0, e, tr("orphaned when the timeline began"));
        lane->spans.last().ownerLabel = tr("waiting for %1").arg(table.heir.name);
    } else {
        open(*lane, Span::Kind::Owned, table.owner, e, tr("owned when the timeline began"));
        lane->spans.last().ownerLabel = ownerLabel;
        if (table.owner && ownerLabel != Node::pidText(table.owner))
            m_names.insert(table.owner, ownerLabel); // for what it does next
    }
    sample(*lane, e);
    Q_EMIT changed();
}

const OwnershipTimeline::Span *OwnershipTimeline::spanAt(TableId table, qint64 tNs) const
{
    const int i = laneOf(table);
    if (i < 0)
        return nullptr;
    const QList<Span> &spans = m_lanes.at(i).spans;
    // The last span that began at or before tNs, if it had not ended by then.
    auto it = std::upper_bound(spans.cbegin(), spans.cend(), tNs,
                               [](qint64 t, const Span &s) { return t < s.startNs; });
    if (it == spans.cbegin())
        return nullptr;
    --it;
    return (it->isOpen() || tNs < it->endNs) ? &*it : nullptr;
}

QString OwnershipTimeline::formatDuration(qint64 ns)
{
    if (ns < 1000)
        return tr("%1 ns").arg(ns);
    if (ns < 1000000)
        return tr("%1 µs").arg(double(ns) / 1e3, 0, 'f', ns < 10000 ? 1 : 0);
    if (ns < 1000000000)
        return tr("%1 ms").arg(double(ns) / 1e6, 0, 'f', ns < 10000000 ? 1 : 0);
    if (ns < 60 * 1000000000LL)
        return tr("%1 s").arg(double(ns) / 1e9, 0, 'f', 1);
    const qint64 s = ns / 1000000000;
    return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
}

void OwnershipTimeline::fold(const TraceEvent &e)
{
    if (m_firstNs == 0)
        m_firstNs = e.tNs;
    m_lastNs = qMax(m_lastNs, e.tNs);
    switch (e.type) {
    case Type::NameRegistered:
        m_names.insert(e.pid, e.name);
        // A consumer usually registers before it is given the table, but
        // a span opened earlier learns the name too.
        for (Lane &lane : m_lanes) {
            if (!lane.spans.isEmpty() && lane.spans.last().isOpen()
                && lane.spans.last().owner == e.pid)
                lane.spans.last().ownerLabel = e.name;
        }
        return;
    case Type::ChildStarted:
    case Type::ChildRestarted:
        if (!e.childId.isEmpty())
            m_childIds.insert(e.pid, e.childId);
        return;
    case Type::ProcessExited:
        // Spans keep their labels; only live processes are looked up, so the
        // maps stay as small as the tree.
        m_names.remove(e.pid);
        m_childIds.remove(e.pid);
        return;
    default:
        break;
    }
    if (e.table == 0)
        return;
    Lane *lane = nullptr;
    switch (e.type) {
    case Type::TableCreated:
        lane = laneFor(e);
        open(*lane, Span::Kind::Owned, e.pid, e, tr("created"));
        break;
    case Type::TableGivenAway:
        lane = laneFor(e);
        close(*lane, e, tr("given away to %1").arg(labelOf(e.to)));
        open(*lane, Span::Kind::Owned, e.to, e, tr("given away by %1").arg(labelOf(e.from)));
        break;
    case Type::TableTransferred: {
        lane = laneFor(e);
        const QString why = e.reason.format();
        const bool byName = e.reason == Term::atom(u"heir_registered");
        close(*lane, e, byName ? tr("the heir registered its name") : why);
        open(*lane, Span::Kind::HeldByHeir, e.to, e, why);
        break;
    }
    case Type::TableOrphaned: {
        lane = laneFor(e);
        const QString why = e.reason.format();
        close(*lane, e, why);
        open(*lane, Span::Kind::Orphaned, 0, e, why);
        lane->spans.last().ownerLabel = tr("waiting for %1").arg(e.heirName);
        break;
    }
    case Type::TableDeleted:
        lane = laneFor(e);
        endLane(*lane, Lane::Fate::Deleted, e, tr("deleted (%1)").arg(e.reason.format()));
        break;
    case Type::TableLost:
        lane = laneFor(e);
        endLane(*lane, Lane::Fate::Lost, e, tr("lost (%1)").arg(e.reason.format()));
        break;
    case Type::TableWritten:
    case Type::TableHeirChanged:
        lane = laneFor(e);
        break;
    default:
        return; // manager events repeat what the table events said
    }
    sample(*lane, e);
}

OwnershipTimeline::Lane *OwnershipTimeline::laneFor(const TraceEvent &e)
{
    if (const int i = laneOf(e.table); i >= 0) {
        Lane &lane = m_lanes[i];
        if (!e.tableName.isEmpty())
            lane.name = e.tableName; // renamed
        return &lane;
    }
    Lane lane;
    lane.table = e.table;
    lane.name = e.tableName;
    lane.createdNs = e.tNs; // for a trace that began after the table did: first seen
    m_laneOf.insert(e.table, int(m_lanes.size()));
    m_lanes.append(lane);
    return &m_lanes.last();
}

void OwnershipTimeline::open(Lane &lane, Span::Kind kind, Pid owner, const TraceEvent &e,
                             const QString &cause)
{
    Span s;
    s.kind = kind;
    s.owner = owner;
    s.ownerLabel = owner ? labelOf(owner) : QString();
    s.startNs = e.tNs;
    s.startSeq = e.seq;
    s.cause = cause;
    lane.spans.append(s);
    if (lane.spans.size() > m_maxSpans) {
        const qsizetype drop = lane.spans.size() - m_maxSpans;
        lane.spans.remove(0, drop);
        lane.droppedSpans += int(drop);
    }
}

void OwnershipTimeline::close(Lane &lane, const TraceEvent &e, const QString &end)
{
    if (lane.spans.isEmpty() || !lane.spans.last().isOpen())
        return;
    Span &s = lane.spans.last();
    s.endNs = e.tNs;
    s.endSeq = e.seq;
    s.end = end;
}

void OwnershipTimeline::sample(Lane &lane, const TraceEvent &e)
{
    if (e.size < 0)
        return;
    lane.maxSize = qMax(lane.maxSize, e.size);
    if (!lane.sizes.isEmpty() && lane.sizes.last().tNs == e.tNs)
        lane.sizes.last().size = e.size;
    else
        lane.sizes.append({ e.tNs, e.size });
    if (lane.sizes.size() > 2 * m_maxSpans)
        lane.sizes.remove(0, lane.sizes.size() - 2 * m_maxSpans);
}

void OwnershipTimeline::endLane(Lane &lane, Lane::Fate fate, const TraceEvent &e,
                                const QString &end)
{
    close(lane, e, end);
    if (lane.fate == Lane::Fate::Alive)
        ++m_ended;
    lane.fate = fate;
    lane.endNs = e.tNs;
}

QString OwnershipTimeline::labelOf(Pid pid) const
{
    if (const auto it = m_names.constFind(pid); it != m_names.cend())
        return *it;
    if (const auto it = m_childIds.constFind(pid); it != m_childIds.cend())
        return *it;
    return Node::pidText(pid);
}

// Lets the oldest ended tables go once there are more than m_maxEnded.
void OwnershipTimeline::trim()
{
    if (m_ended <= m_maxEnded)
        return;
    qsizetype excess = m_ended - m_maxEnded;
    m_lanes.removeIf([&excess](const Lane &lane) {
        if (excess == 0 || lane.fate == Lane::Fate::Alive)
            return false;
        --excess;
        return true;
    });
    m_ended = m_maxEnded;
    m_laneOf.clear();
    for (int i = 0; i < m_lanes.size(); ++i)
        m_laneOf.insert(m_lanes.at(i).table, i);
}

} // namespace immortal
