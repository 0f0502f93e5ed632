#pragma once

#include <immortal/traceevent.h>

#include <QAbstractTableModel>

#include <deque>

namespace immortal {

class Source;

/// A source's events as a table, newest last. Keeps the last `maxRows` events
/// (the oldest leave with beginRemoveRows); filter it with a
/// QSortFilterProxyModel. Times are shown relative to the first event seen.
/// A reset of the source empties it.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// The columns: sequence number, time, type, pid, subject, details.
    enum Column {
        SeqColumn,
        TimeColumn,
        TypeColumn,
        PidColumn,
        SubjectColumn,
        DetailsColumn,
        ColumnCount
    };
    /// The data roles beyond Qt's, for every column.
    enum Role {
        EventRole = Qt::UserRole + 1, ///< the immortal::TraceEvent
        TypeRole, ///< TraceEvent::Type as int
        PidsRole, ///< QList<Pid> every pid the event mentions (pid, from, to, supervisor)
    };

    /// Starts empty and shows the events this program's runtime records from
    /// now on (a LiveSource of its own); keeps at least 1.
    explicit EventLogModel(QObject *parent = nullptr, int maxRows = 10000);
    /// Starts empty and shows the events of `source` from now on.
    explicit EventLogModel(Source *source, QObject *parent = nullptr, int maxRows = 10000);

    Source *source() const { return m_source; } ///< what the model reads
    /// Reads `source` from now on (not owned), starting empty: a model reset.
    void setSource(Source *source);

    int rowCount(const QModelIndex &parent = {}) const override; ///< the events kept
    int columnCount(const QModelIndex &parent = {}) const override; ///< ColumnCount
    /// The text of each Column, the event's description as tooltip, and the Role data.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The column titles, with tooltips for the less obvious ones.
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; } ///< how many events are kept at most
    /// The event shown in that row, which must exist.
    TraceEvent eventAt(int row) const { return m_events.at(size_t(row)); }
    quint64 totalSeen() const { return m_totalSeen; } ///< every event seen, kept or not
    /// One line a person can read: `"TableConsumer <12> exited: kill"`.
    static QString describe(const TraceEvent &e);
    void flush(); ///< applies the source's queued events now

Q_SIGNALS:
    void updated(); ///< after each applied batch of events

private:
    void apply(const QList<TraceEvent> &events);
    void clear(); // a model reset, to no events

    std::deque<TraceEvent> m_events;
    int m_maxRows;
    qint64 m_originNs = 0;
    quint64 m_totalSeen = 0;
    Source *m_source = nullptr;
    QMetaObject::Connection m_eventsConnection, m_resetConnection;
};

} // namespace immortal
