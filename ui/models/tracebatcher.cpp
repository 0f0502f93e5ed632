#include <immortal/models/tracebatcher.h>

#include <immortal/trace.h>

namespace immortal {

TraceBatcher::TraceBatcher(QObject *parent, int intervalMs)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &TraceBatcher::flush);
    connect(Trace::instance(), &Trace::event, this, &TraceBatcher::enqueue);
}

void TraceBatcher::enqueue(const TraceEvent &e)
{
    m_pending.append(e);
    // The first event of a burst arms the timer; the rest ride along.
    if (!m_timer.isActive())
        m_timer.start();
}

void TraceBatcher::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return;
    const QList<TraceEvent> events = std::exchange(m_pending, {});
    Q_EMIT batch(events);
}

} // namespace immortal
