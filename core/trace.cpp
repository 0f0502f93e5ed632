#include "trace.h"

#include "node.h"

#include <QCoreApplication>

namespace immortal {

Trace::Trace()
{
    qRegisterMetaType<TraceEvent>("immortal::TraceEvent");
}

Trace *Trace::instance()
{
    // Never destroyed: deaths during static destruction are still traced.
    static Trace *trace = [] {
        auto *t = new Trace;
        if (auto *app = QCoreApplication::instance())
            t->moveToThread(app->thread());
        return t;
    }();
    return trace;
}

quint64 Trace::record(TraceEvent e)
{
    e.seq = m_seq.fetch_add(1, std::memory_order_relaxed) + 1;
    e.tNs = Node::nowNs();
    Q_EMIT event(e);
    return e.seq;
}

} // namespace immortal
