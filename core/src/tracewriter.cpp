#include <immortal/tracewriter.h>

#include <immortal/trace.h>

#include <QIODevice>
#include <QJsonDocument>

namespace immortal {

TraceWriter::TraceWriter(QIODevice *device, QObject *parent)
    : QObject(parent)
    , m_device(device)
{
    // Queued from other threads, direct in ours: lines are written in the
    // writer's thread, in the order the events arrive there.
    connect(Trace::instance(), &Trace::event, this, &TraceWriter::write);
}

void TraceWriter::write(const TraceEvent &e)
{
    if (!m_device || !m_device->isWritable())
        return;
    QByteArray line = QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact);
    line.append('\n');
    if (m_device->write(line) == line.size())
        ++m_written;
}

} // namespace immortal
