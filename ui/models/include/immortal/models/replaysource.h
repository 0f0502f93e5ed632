#pragma once

#include <immortal/models/source.h>

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QTimer>

namespace immortal {

/// The Source of a recorded trace (JSON Lines, docs/trace-format.md): the
/// state at any position of it, folded from the events up to there — the
/// processes alive (with supervisor, child id, kind and name), the dead and
/// why they died, the tables with owner, heir, size and whether they are
/// orphaned. A trace records no rows, so rows() says NotRecorded; and a
/// recording cannot be changed, so it allows no action.
///
/// The position is the number of events applied (0: before the first).
/// Moving it forward emits `events()` with the events passed over; moving it
/// back rebuilds from the start: `reset()` with the empty state, then
/// `events()` with every event up to the new position, so views end up as if
/// they had watched the run. play() moves it along the events' own times
/// (`t_ns`), scaled by a speed, on a timer.
class ReplaySource : public Source
{
    Q_OBJECT
public:
    explicit ReplaySource(QObject *parent = nullptr); ///< an empty trace, at 0

    /// Reads the trace in `path`. On a bad or truncated trace throws
    /// Error(BadArg) naming the file, the line and what was expected, and
    /// changes nothing. Loaded, the position is 0 and `reset()` is emitted.
    void load(const QString &path);
    /// The same, from the bytes of a trace; `fileName` names it in errors.
    void loadData(const QByteArray &jsonLines, const QString &fileName = QString());
    QString fileName() const { return m_fileName; } ///< as given to load()

    int eventCount() const { return int(m_events.size()); } ///< events in the trace
    /// The events of the trace, in order.
    const QList<TraceEvent> &allEvents() const { return m_events; }
    int index() const { return m_index; } ///< events applied: the position
    /// The seq of the last event applied, 0 at the start.
    quint64 position() const { return m_index > 0 ? m_events.at(m_index - 1).seq : 0; }
    quint64 lastSeq() const; ///< the seq of the trace's last event, 0 if empty
    qint64 firstNs() const; ///< t_ns of the first event, 0 if empty
    /// Moves to just after the event `seq` (every event with seq <= `seq` applied).
    void seek(quint64 seq);
    void seekToIndex(int index); ///< applies the first `index` events (clamped)
    void seekToEnd() { seekToIndex(eventCount()); } ///< the state at the end

    /// Moves forward in the trace's own time times `speed` (> 0) until the end.
    void play(double speed = 1.0);
    void pause(); ///< stops playing where it is
    bool isPlaying() const { return m_timer.isActive(); } ///< play() is on
    double speed() const { return m_speed; } ///< as given to play()
    void setSpeed(double speed); ///< changes the speed, playing on if playing

    /// How many tables were lost, children restarted, up to the position.
    int tablesLost() const { return m_tablesLost; }
    int restarts() const { return m_restarts; } ///< child_restarted events so far

    QList<ProcessInfo> processes() const override;
    std::optional<ProcessInfo> processInfo(Pid pid) const override;
    QString nameOf(Pid pid) const override;
    QList<TableInfo> tables() const override;
    std::optional<TableInfo> tableInfo(TableId id) const override;
    Rows rows(TableId id) const override; ///< NotRecorded (or Gone)
    qint64 nowNs() const override; ///< t_ns of the last event applied
    Details details() const override; ///< none: a trace has no rows, memory or classes
    Actions actions() const override; ///< none

Q_SIGNALS:
    void positionChanged(int index); ///< after each move, once views have the events
    void playingChanged(bool playing); ///< play() started, or playing stopped

private:
    void clearState();
    void fold(const TraceEvent &e);
    void advanceTo(int index); // forward only, emits events()
    void tick();
    TableInfo resolved(const TableInfo &t) const;

    QString m_fileName;
    QList<TraceEvent> m_events;
    int m_index = 0;
    // The state at m_index.
    QHash<Pid, ProcessInfo> m_processes; // alive and dead
    QHash<QString, Pid> m_names;
    QMap<TableId, TableInfo> m_tables;
    int m_tablesLost = 0;
    int m_restarts = 0;
    // Playing.
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_playFromNs = 0;
    double m_speed = 1.0;
};

} // namespace immortal
