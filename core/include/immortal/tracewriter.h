#pragma once

#include <immortal/traceevent.h>

#include <QObject>
#include <QPointer>

class QIODevice;

namespace immortal {

/// Writes the trace stream as JSON Lines (one compact object per line) to a
/// device, from the moment it is constructed until it is destroyed.
///
/// A file device is flushed after every burst of events (once the event loop
/// is back), so the file is never far behind the run; flush() writes out the
/// rest at once. The first write error stops the writer: failed() tells why,
/// and nothing more is written, so a trace is either whole up to now or
/// known to be incomplete.
class TraceWriter : public QObject
{
    Q_OBJECT
public:
    /// Writes every trace event to `device`, open for writing; if the device
    /// is destroyed first, writing stops.
    explicit TraceWriter(QIODevice *device, QObject *parent = nullptr);

    /// Writes one event as one line; nothing if the device is gone or not
    /// writable, or after an error.
    void write(const TraceEvent &e);
    /// Writes out what a file device still buffers. False once any write has
    /// failed (now or before).
    bool flush();
    qint64 written() const { return m_written; } ///< lines written so far
    bool hasFailed() const
    {
        return !m_error.isEmpty();
    } ///< a write failed: the trace is incomplete
    QString errorString() const { return m_error; } ///< why the first failed write failed

Q_SIGNALS:
    /// A write failed (a full disk, a closed pipe): the trace is incomplete
    /// from here on. Emitted once.
    void failed(const QString &errorString);

private:
    void fail(const QString &why);

    QPointer<QIODevice> m_device;
    qint64 m_written = 0;
    bool m_flushQueued = false;
    QString m_error;
};

} // namespace immortal
