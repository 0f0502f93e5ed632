#pragma once

#include <immortal/tableinfo.h>
#include <immortal/traceevent.h>
#include <immortal/types.h>

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace immortal {

/// Who owned each table over time, folded from the trace: for every table a
/// lane of spans (owned, held by its heir, orphaned) and its row count along
/// the way. It answers "did my table ever go without an owner, and for how
/// long?": a hand-off is the heir's span between two owners, an orphan is a
/// span with no owner at all. Fed by trace events in sequence order (apply()),
/// so it works the same over a live runtime and over a recorded trace.
class OwnershipTimeline : public QObject
{
    Q_OBJECT
public:
    /// One stretch of a table's life under one owner (or none).
    struct Span
    {
        /// Owned: by the process it was created by or given to. HeldByHeir:
        /// the owner died and the heir took it (a TableManager holding the
        /// table while its consumer restarts). Orphaned: the owner died and
        /// no process held the heir's name yet.
        enum class Kind { Owned, HeldByHeir, Orphaned };

        Kind kind = Kind::Owned; ///< see Kind
        Pid owner = 0; ///< 0 while orphaned
        QString ownerLabel; ///< registered name, child id or pid text
        qint64 startNs = 0; ///< steady clock, as in the trace
        qint64 endNs = -1; ///< -1 while the span lasts
        quint64 startSeq = 0; ///< the event that began it
        quint64 endSeq = 0; ///< the event that ended it, 0 while it lasts
        /// How it began: "created", "given away by X", or the previous
        /// owner's exit reason (the crash that moved the table).
        QString cause;
        /// How it ended: "given away to X", the owner's exit reason,
        /// "deleted", or why the table was lost; empty while it lasts.
        QString end;

        bool isOpen() const { return endNs < 0; } ///< still the current span
        /// Its length up to `nowNs` (for an open span) in ns.
        qint64 durationNs(qint64 nowNs) const { return (isOpen() ? nowNs : endNs) - startNs; }
    };

    /// The table's row count after an event.
    struct SizeSample
    {
        qint64 tNs = 0; ///< when
        qint64 size = 0; ///< rows
    };

    /// One table's history.
    struct Lane
    {
        /// Alive, or how the table ended.
        enum class Fate { Alive, Deleted, Lost };

        TableId table = 0; ///< the table
        QString name; ///< its name
        Fate fate = Fate::Alive; ///< see Fate
        qint64 createdNs = 0; ///< when it was created (or first seen)
        qint64 endNs = -1; ///< when it was deleted or lost, -1 while alive
        qint64 maxSize = 0; ///< the most rows it ever had (scales the size line)
        QList<Span> spans; ///< oldest first; the last is open while alive
        QList<SizeSample> sizes; ///< oldest first
        int droppedSpans = 0; ///< old spans let go to bound the memory
    };

    /// An empty timeline; feed it with apply().
    explicit OwnershipTimeline(QObject *parent = nullptr);

    /// Folds these events, in sequence order, into the lanes; emits changed().
    void apply(const QList<immortal::TraceEvent> &events);
    /// Forgets everything (a new source, or a replay going back); emits changed().
    void clear();
    /// Starts a lane for a table that exists already, owned by `ownerLabel`
    /// (or orphaned) since `tNs`: a timeline that begins while a program runs
    /// shows its tables before their next event. Emits changed().
    void addExisting(const TableInfo &table, const QString &ownerLabel, qint64 tNs);

    const QList<Lane> &lanes() const { return m_lanes; } ///< in order of creation
    int laneOf(TableId table) const { return m_laneOf.value(table, -1); } ///< -1 if unknown
    /// The span of `table` at `tNs`, or nullptr (before it existed or after it ended).
    const Span *spanAt(TableId table, qint64 tNs) const;
    qint64 firstNs() const { return m_firstNs; } ///< the first event's time, 0 if none
    qint64 lastNs() const { return m_lastNs; } ///< the last event's time, 0 if none

    /// How many spans a lane keeps (the oldest go first); the default keeps
    /// hours of a consumer crashing every second.
    void setMaxSpansPerLane(int n) { m_maxSpans = qMax(2, n); }
    /// How many lanes of ended tables stay (the oldest go first).
    void setMaxEndedLanes(int n) { m_maxEnded = qMax(0, n); }

    /// A readable span length: "840 ns", "312 µs", "4.2 ms", "3.5 s".
    static QString formatDuration(qint64 ns);

Q_SIGNALS:
    /// After apply() or clear(), once the lanes are consistent.
    void changed();

private:
    void fold(const TraceEvent &e);
    Lane *laneFor(const TraceEvent &e);
    void open(Lane &lane, Span::Kind kind, Pid owner, const TraceEvent &e, const QString &cause);
    void close(Lane &lane, const TraceEvent &e, const QString &end);
    void sample(Lane &lane, const TraceEvent &e);
    void endLane(Lane &lane, Lane::Fate fate, const TraceEvent &e, const QString &end);
    QString labelOf(Pid pid) const;
    void trim();

    QList<Lane> m_lanes;
    QHash<TableId, int> m_laneOf;
    QHash<Pid, QString> m_names; // registered names of live processes
    QHash<Pid, QString> m_childIds; // child ids of live processes
    qint64 m_firstNs = 0;
    qint64 m_lastNs = 0;
    int m_maxSpans = 20000;
    int m_maxEnded = 200;
    int m_ended = 0;
};

} // namespace immortal
