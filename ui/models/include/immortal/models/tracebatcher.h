#pragma once

#include <immortal/traceevent.h>

#include <QList>
#include <QObject>
#include <QTimer>

namespace immortal {

/// Collects the trace stream and hands it on in batches, at most one batch
/// per `intervalMs`: a burst of a thousand events costs the views one update,
/// not a thousand. Lives in the GUI thread; events from other threads arrive
/// queued.
class TraceBatcher : public QObject
{
    Q_OBJECT
public:
    /// Collects the events recorded from now on.
    explicit TraceBatcher(QObject *parent = nullptr, int intervalMs = 40);

    int interval() const { return m_timer.interval(); } ///< ms from an event to its batch
    void setInterval(int ms) { m_timer.setInterval(ms); } ///< see interval()
    /// Delivers what is queued now, without waiting for the timer.
    void flush();

Q_SIGNALS:
    /// The events since the last batch, in sequence order; never empty.
    void batch(const QList<immortal::TraceEvent> &events);

private:
    void enqueue(const TraceEvent &e);

    QList<TraceEvent> m_pending;
    QTimer m_timer;
};

} // namespace immortal
