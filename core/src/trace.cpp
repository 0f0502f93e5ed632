#include <immortal/trace.h>

#include "postedcall.h"

#include <immortal/node.h>

#include <QCoreApplication>
#include <QThread>

namespace immortal {

Trace::Trace(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<TraceEvent>("immortal::TraceEvent");
}

Trace *Trace::instance()
{
    return Node::instance()->m_trace;
}

quint64 Trace::record(TraceEvent e)
{
    const bool here = QThread::currentThread() == thread();
    quint64 seq = 0;
    {
        QMutexLocker lock(&m_mutex);
        seq = ++m_seq;
        e.seq = seq;
        e.tNs = Node::nowNs(); // under the lock, so time never runs backwards along seq
        m_pending.push_back(std::move(e));
        if (!here) {
            if (!m_flushPosted) {
                m_flushPosted = true;
                PostedCall::post(parent(), [this] { flush(); }); // to the node, in this thread
            }
            return seq;
        }
    }
    flush();
    return seq;
}

quint64 Trace::lastSeq() const
{
    QMutexLocker lock(&m_mutex);
    return m_seq;
}

void Trace::flush()
{
    // A subscriber that records from inside event() only queues: the outer
    // loop emits it after the events before it.
    if (m_flushing)
        return;
    m_flushing = true;
    for (;;) {
        std::deque<TraceEvent> batch;
        {
            QMutexLocker lock(&m_mutex);
            batch.swap(m_pending);
            m_flushPosted = false;
        }
        if (batch.empty())
            break;
        while (!batch.empty()) {
            try {
                Q_EMIT event(batch.front());
            } catch (...) {
                // A subscriber's exception belongs to its caller (a process
                // handler ends that process); what was not emitted stays queued.
                batch.pop_front();
                QMutexLocker lock(&m_mutex);
                m_pending.insert(m_pending.begin(), std::make_move_iterator(batch.begin()),
                                 std::make_move_iterator(batch.end()));
                if (!m_pending.empty() && !m_flushPosted) {
                    m_flushPosted = true;
                    PostedCall::post(parent(), [this] { flush(); }); // to the node, in this thread
                }
                m_flushing = false;
                throw;
            }
            batch.pop_front();
        }
    }
    m_flushing = false;
}

} // namespace immortal
