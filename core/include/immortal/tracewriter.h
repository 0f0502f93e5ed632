#pragma once

#include <immortal/traceevent.h>

#include <QObject>
#include <QPointer>

class QIODevice;

namespace immortal {

// Writes the trace stream as JSON Lines (one compact object per line) to a
// device, from the moment it is constructed until it is destroyed.
class TraceWriter : public QObject
{
    Q_OBJECT
public:
    explicit TraceWriter(QIODevice *device, QObject *parent = nullptr);

    void write(const TraceEvent &e);
    qint64 written() const { return m_written; }

private:
    QPointer<QIODevice> m_device;
    qint64 m_written = 0;
};

} // namespace immortal
