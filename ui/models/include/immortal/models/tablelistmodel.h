#pragma once

#include <immortal/tableinfo.h>
#include <immortal/traceevent.h>

#include <QAbstractTableModel>
#include <QList>

namespace immortal {

class TraceBatcher;

// Every live table, like observer's Table Viewer, plus where it came from:
// owner, heir and how often it changed hands. Rows are added, changed and
// removed as the trace reports them; each batch re-reads only the tables it
// mentions (Table::infoOf), so a busy table costs one query per batch.
class TableListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
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
    enum Role {
        TableIdRole = Qt::UserRole + 1, // TableId
        OwnerPidRole, // Pid, 0 while orphaned
        HeirPidRole, // Pid, 0 if none (resolved now)
        SizeRole, // rows, qint64
        OrphanedRole, // bool
        AccessRole, // TableOptions::Access as int
    };

    explicit TableListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QModelIndex indexOfTable(TableId id, int column = 0) const;
    TableInfo tableAt(int row) const { return m_rows.at(row); }
    QList<TableInfo> tables() const { return m_rows; }
    qint64 totalRows() const;
    int lostCount() const { return m_lost; } // tables lost since the model started

    // "TableConsumer <12>": a pid with its registered name, if it has one.
    static QString processLabel(Pid pid);
    static QString formatBytes(size_t bytes);
    void flush(); // applies the queued trace events now

Q_SIGNALS:
    void updated();

private:
    void apply(const QList<TraceEvent> &events);
    void refresh(TableId id);
    int rowOfTable(TableId id) const;

    QList<TableInfo> m_rows; // by id, so in creation order
    int m_lost = 0;
    TraceBatcher *m_batcher = nullptr;
};

} // namespace immortal
