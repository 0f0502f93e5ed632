#pragma once

#include <immortal/traceevent.h>

#include <QMutex>
#include <QObject>

#include <deque>

namespace immortal {

/// The one event stream of everything that happens in the core.
///
/// record() may be called from any thread. It stamps the event with a
/// sequence number and a steady-clock time under one lock, and event() is
/// always emitted in the trace's own thread (the main thread), in sequence
/// order: at once when recorded there, through the event loop when recorded
/// elsewhere. So every subscriber sees one total order, the same as `seq`.
class Trace : public QObject
{
    Q_OBJECT
public:
    static Trace *instance(); ///< the one trace, created on first use, never destroyed

    /// Stamps e (seq, tNs) and queues it for event(); returns the sequence number.
    quint64 record(TraceEvent e);
    quint64 lastSeq() const; ///< the sequence number of the last event recorded

Q_SIGNALS:
    // A signal, not an override: it hides QObject::event(QEvent *) by name
    // only, which clang's -Woverloaded-virtual reports. The name is the API.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Woverloaded-virtual"
#endif
    /// Every recorded event, once, in sequence order, in the trace's thread.
    void event(const immortal::TraceEvent &e);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

private:
    friend class Node;
    explicit Trace(QObject *parent);
    void flush(); // emits what is pending, in order; trace thread only

    mutable QMutex m_mutex;
    quint64 m_seq = 0;
    std::deque<TraceEvent> m_pending;
    bool m_flushPosted = false;
    bool m_flushing = false;
};

} // namespace immortal
