#pragma once

#include <immortal/traceevent.h>

#include <QAbstractTableModel>

#include <deque>

namespace immortal {

class TraceBatcher;

// The trace stream as a table, newest last. Keeps the last `maxRows` events
// (the oldest leave with beginRemoveRows); filter it with a
// QSortFilterProxyModel. Times are shown relative to the first event seen.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        SeqColumn,
        TimeColumn,
        TypeColumn,
        PidColumn,
        SubjectColumn,
        DetailsColumn,
        ColumnCount
    };
    enum Role {
        EventRole = Qt::UserRole + 1, // the immortal::TraceEvent
        TypeRole, // TraceEvent::Type as int
        PidsRole, // QList<Pid> every pid the event mentions (pid, from, to, supervisor)
    };

    explicit EventLogModel(QObject *parent = nullptr, int maxRows = 10000);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    TraceEvent eventAt(int row) const { return m_events.at(size_t(row)); }
    quint64 totalSeen() const { return m_totalSeen; }
    // One line a person can read: "TableConsumer <12> exited: kill".
    static QString describe(const TraceEvent &e);
    void flush(); // applies the queued trace events now

Q_SIGNALS:
    void updated();

private:
    void apply(const QList<TraceEvent> &events);

    std::deque<TraceEvent> m_events;
    int m_maxRows;
    qint64 m_originNs = 0;
    quint64 m_totalSeen = 0;
    TraceBatcher *m_batcher = nullptr;
};

} // namespace immortal
