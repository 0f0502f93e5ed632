#include <immortal/tracewriter.h>

#include <immortal/trace.h>

#include <QFileDevice>
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
    if (!m_device || !m_device->isWritable() || hasFailed())
        return;
    QByteArray line = QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact);
    line.append('\n');
    if (m_device->write(line) != line.size()) {
        fail(m_device->errorString());
        return;
    }
    ++m_written;
    if (!m_flushQueued && qobject_cast<QFileDevice *>(m_device.data())) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_flushQueued = false;
                flush();
            },
            Qt::QueuedConnection);
    }
}

bool TraceWriter::flush()
{
    if (auto *file = qobject_cast<QFileDevice *>(m_device.data()); file && !hasFailed()) {
        if (!file->flush())
            fail(file->errorString());
    }
    return !hasFailed();
}

void TraceWriter::fail(const QString &why)
{
    if (hasFailed())
        return;
    m_error = why.isEmpty() ? QStringLiteral("write error") : why;
    Q_EMIT failed(m_error);
}

} // namespace immortal
