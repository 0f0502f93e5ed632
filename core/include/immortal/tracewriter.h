#pragma once

#include <immortal/traceevent.h>

#include <QObject>
#include <QPointer>

class QIODevice;

namespace immortal {

/// Writes the trace stream as JSON Lines (one compact object per line) to a
/// device, from the moment it is constructed until it is destroyed.
class TraceWriter : public QObject
{
    Q_OBJECT
public:
    /// Writes every trace event to `device`, open for writing; if the device
    /// is destroyed first, writing stops.
    explicit TraceWriter(QIODevice *device, QObject *parent = nullptr);

    /// Writes one event as one line; nothing if the device is gone or not writable.
    void write(const TraceEvent &e);
    qint64 written() const { return m_written; } ///< lines written so far

private:
    QPointer<QIODevice> m_device;
    qint64 m_written = 0;
};

} // namespace immortal
