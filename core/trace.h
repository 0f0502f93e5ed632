#pragma once

#include "traceevent.h"

#include <QObject>

#include <atomic>

namespace immortal {

// The one event stream of everything that happens in the core.
// record() stamps an event with a sequence number and a steady-clock time
// and emits it. Emission happens in the recording thread; receivers in other
// threads get it queued, so connect with a context object.
class Trace : public QObject
{
    Q_OBJECT
public:
    static Trace *instance();

    quint64 record(TraceEvent e); // returns the sequence number
    quint64 lastSeq() const noexcept { return m_seq.load(std::memory_order_relaxed); }

Q_SIGNALS:
    void event(const immortal::TraceEvent &e);

private:
    Trace();
    std::atomic<quint64> m_seq { 0 };
};

} // namespace immortal
