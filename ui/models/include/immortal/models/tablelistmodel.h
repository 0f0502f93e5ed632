#pragma once

#include <immortal/tableinfo.h>
#include <immortal/traceevent.h>

#include <QAbstractTableModel>
#include <QList>

namespace immortal {

class TraceBatcher;

/// Every live table, like observer's Table Viewer, plus where it came from:
/// owner, heir and how often it changed hands. Rows are added, changed and
/// removed as the trace reports them; each batch re-reads only the tables it
/// mentions (Table::infoOf), so a busy table costs one query per batch.
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

    /// Starts with the tables alive now and follows the trace from then on.
    explicit TableListModel(QObject *parent = nullptr);

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
    int lostCount() const { return m_lost; } ///< tables lost since the model started

    /// `"TableConsumer <12>"`: a pid with its registered name, if it has one.
    static QString processLabel(Pid pid);
    static QString formatBytes(size_t bytes); ///< "1.5 KB", in the current locale
    void flush(); ///< applies the queued trace events now

Q_SIGNALS:
    void updated(); ///< after each applied batch of events

private:
    void apply(const QList<TraceEvent> &events);
    void refresh(TableId id);
    int rowOfTable(TableId id) const;

    QList<TableInfo> m_rows; // by id, so in creation order
    int m_lost = 0;
    TraceBatcher *m_batcher = nullptr;
};

} // namespace immortal
