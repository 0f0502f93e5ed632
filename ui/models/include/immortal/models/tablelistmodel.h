#pragma once

#include <immortal/tableinfo.h>
#include <immortal/traceevent.h>

#include <QAbstractTableModel>
#include <QList>

namespace immortal {

class Source;

/// Every live table, like observer's Table Viewer, plus where it came from:
/// owner, heir and how often it changed hands. Rows are added, changed and
/// removed as the source's events report them; each batch re-reads only the
/// tables it mentions (Source::tableInfo), so a busy table costs one query
/// per batch.
class TableListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// The columns: id, name, type, access, owner, heir, rows, memory, transfers.
    enum Column {
        IdColumn,
        NameColumn,
        TypeColumn,
        AccessColumn,
        OwnerColumn,
        HeirColumn,
        RowsColumn,
        MemoryColumn,
        TransfersColumn,
        ColumnCount
    };
    /// The data roles beyond Qt's, for every column.
    enum Role {
        TableIdRole = Qt::UserRole + 1, ///< TableId
        OwnerPidRole, ///< Pid, 0 while orphaned
        HeirPidRole, ///< Pid, 0 if none (resolved now)
        SizeRole, ///< rows, qint64
        OrphanedRole, ///< bool
        AccessRole, ///< TableOptions::Access as int
    };

    /// Starts with the tables alive now in this program's runtime (a
    /// LiveSource of its own) and follows the trace from then on.
    explicit TableListModel(QObject *parent = nullptr);
    /// Starts with the tables alive in `source` and follows its events.
    explicit TableListModel(Source *source, QObject *parent = nullptr);

    Source *source() const { return m_source; } ///< what the model reads
    /// Reads `source` from now on (not owned): a model reset, from its tables.
    void setSource(Source *source);

    int rowCount(const QModelIndex &parent = {}) const override; ///< one row per live table
    int columnCount(const QModelIndex &parent = {}) const override; ///< ColumnCount
    /// The text of each Column, tooltips for owner and heir, and the Role data.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The column titles.
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QModelIndex indexOfTable(TableId id, int column = 0) const; ///< invalid if not listed
    /// The table shown in that row, which must exist.
    TableInfo tableAt(int row) const { return m_rows.at(row); }
    QList<TableInfo> tables() const { return m_rows; } ///< the rows, by id
    qint64 totalRows() const; ///< the rows of every listed table
    /// Tables lost since the model started (or its source was reset).
    int lostCount() const { return m_lost; }

    /// `"TableConsumer <12>"`: a pid with its registered name (or the name or
    /// child id it died with), as the source knows it.
    QString processLabel(Pid pid) const;
    static QString formatBytes(size_t bytes); ///< "1.5 KB", in the current locale
    void flush(); ///< applies the source's queued events now

Q_SIGNALS:
    void updated(); ///< after each applied batch of events

private:
    void apply(const QList<TraceEvent> &events);
    void refresh(TableId id);
    void rebuild(); // from the source's snapshot, as a model reset
    int rowOfTable(TableId id) const;

    QList<TableInfo> m_rows; // by id, so in creation order
    int m_lost = 0;
    Source *m_source = nullptr;
    QMetaObject::Connection m_eventsConnection, m_resetConnection;
};

} // namespace immortal
