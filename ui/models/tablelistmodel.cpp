#include <immortal/models/tablelistmodel.h>

#include <immortal/models/livesource.h>
#include <immortal/node.h>
#include <immortal/tableoptions.h>

#include <QLocale>
#include <QSet>

#include <algorithm>

namespace immortal {

TableListModel::TableListModel(QObject *parent)
    : TableListModel(new LiveSource, parent)
{
    m_source->setParent(this);
}

TableListModel::TableListModel(Source *source, QObject *parent)
    : QAbstractTableModel(parent)
{
    setSource(source);
}

void TableListModel::setSource(Source *source)
{
    Q_ASSERT(source);
    disconnect(m_eventsConnection);
    disconnect(m_resetConnection);
    // What the source queued is in its snapshot already: other readers get it now.
    source->flush();
    m_source = source;
    m_eventsConnection = connect(source, &Source::events, this, &TableListModel::apply);
    m_resetConnection = connect(source, &Source::reset, this, &TableListModel::rebuild);
    rebuild();
}

void TableListModel::rebuild()
{
    beginResetModel();
    m_rows = m_source->tables();
    std::sort(m_rows.begin(), m_rows.end(),
              [](const TableInfo &a, const TableInfo &b) { return a.id < b.id; });
    m_lost = 0;
    endResetModel();
    Q_EMIT updated();
}

void TableListModel::flush()
{
    m_source->flush();
}

int TableListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TableListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TableListModel::processLabel(Pid pid) const
{
    if (pid == 0)
        return {};
    QString name = m_source->nameOf(pid);
    if (name.isEmpty()) {
        if (const auto info = m_source->processInfo(pid))
            name = info->childId.isEmpty() ? info->name : info->childId;
    }
    return name.isEmpty() ? Node::pidText(pid)
                          : QStringLiteral("%1 %2").arg(name, Node::pidText(pid));
}

QString TableListModel::formatBytes(size_t bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

QVariant TableListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TableInfo &t = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return QString::number(t.id);
        case NameColumn:
            return t.name.isEmpty() ? tr("(unnamed)") : t.name;
        case TypeColumn:
            return QString::fromLatin1(TableOptions::typeName(t.type));
        case AccessColumn:
            return QString::fromLatin1(TableOptions::accessName(t.access));
        case OwnerColumn:
            if (t.orphaned || t.owner == 0)
                return tr("(orphaned, waiting for %1)").arg(t.heir.name);
            return processLabel(t.owner);
        case HeirColumn:
            if (t.heir.isNone())
                return tr("none");
            if (!t.heir.name.isEmpty())
                return t.heirPid ? processLabel(t.heirPid)
                                 : tr("%1 (not running)").arg(t.heir.name);
            return processLabel(t.heir.pid);
        case RowsColumn:
            return QVariant::fromValue(qint64(t.size));
        case MemoryColumn:
            if (!m_source->details().testFlag(Source::Detail::TableMemory))
                return tr("—");
            return formatBytes(t.memory);
        case TransfersColumn:
            return t.transfers;
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case OwnerColumn:
            return t.orphaned ? tr("The owner died; the table waits for a process registered as "
                                   "%1 before it is lost.")
                                    .arg(t.heir.name)
                              : tr("Only the owner may write a protected table, or read and "
                                   "write a private one.");
        case HeirColumn:
            return !t.heir.name.isEmpty()
                ? tr("Heir by registered name: %1. When the owner dies the table goes to "
                     "whoever holds the name then.")
                      .arg(t.heir.name)
                : tr("When the owner dies the table goes to this process.");
        case MemoryColumn:
            if (!m_source->details().testFlag(Source::Detail::TableMemory))
                return tr("Not known: the source does not record memory (a trace has sizes "
                          "only).");
            return tr("%1 bytes").arg(t.memory);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == RowsColumn
            || index.column() == MemoryColumn || index.column() == TransfersColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case TableIdRole:
        return QVariant::fromValue(t.id);
    case OwnerPidRole:
        return QVariant::fromValue(t.owner);
    case HeirPidRole:
        return QVariant::fromValue(t.heirPid ? t.heirPid : t.heir.pid);
    case SizeRole:
        return QVariant::fromValue(qint64(t.size));
    case OrphanedRole:
        return t.orphaned;
    case AccessRole:
        return int(t.access);
    }
    return {};
}

QVariant TableListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn:
            return tr("Id");
        case NameColumn:
            return tr("Name");
        case TypeColumn:
            return tr("Type");
        case AccessColumn:
            return tr("Access");
        case OwnerColumn:
            return tr("Owner");
        case HeirColumn:
            return tr("Heir");
        case RowsColumn:
            return tr("Rows");
        case MemoryColumn:
            return tr("Memory");
        case TransfersColumn:
            return tr("Transfers");
        }
    } else if (role == Qt::ToolTipRole && section == TransfersColumn) {
        return tr("give_aways and heir transfers so far");
    }
    return {};
}

int TableListModel::rowOfTable(TableId id) const
{
    auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), id,
                               [](const TableInfo &t, TableId v) { return t.id < v; });
    return (it != m_rows.cend() && it->id == id) ? int(it - m_rows.cbegin()) : -1;
}

QModelIndex TableListModel::indexOfTable(TableId id, int column) const
{
    const int row = rowOfTable(id);
    return row < 0 ? QModelIndex() : index(row, column);
}

qint64 TableListModel::totalRows() const
{
    qint64 total = 0;
    for (const TableInfo &t : m_rows)
        total += t.size;
    return total;
}

void TableListModel::refresh(TableId id)
{
    const auto info = m_source->tableInfo(id);
    const int row = rowOfTable(id);
    if (!info) {
        if (row >= 0) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
        return;
    }
    if (row >= 0) {
        m_rows[row] = *info;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    auto it = std::lower_bound(m_rows.begin(), m_rows.end(), id,
                               [](const TableInfo &t, TableId v) { return t.id < v; });
    const int at = int(it - m_rows.begin());
    beginInsertRows({}, at, at);
    m_rows.insert(at, *info);
    endInsertRows();
}

void TableListModel::apply(const QList<TraceEvent> &events)
{
    using T = TraceEvent::Type;
    QSet<TableId> dirty;
    QSet<Pid> renamed;
    for (const TraceEvent &e : events) {
        if (e.table != 0)
            dirty.insert(e.table);
        if (e.type == T::TableLost)
            ++m_lost;
        if (e.type == T::NameRegistered || e.type == T::NameUnregistered)
            renamed.insert(e.pid);
    }
    // A table whose heir is named may change its resolved heir when the
    // name moves, without an event of its own.
    if (!renamed.isEmpty()) {
        for (const TableInfo &t : std::as_const(m_rows)) {
            if (renamed.contains(t.owner) || !t.heir.name.isEmpty() || renamed.contains(t.heirPid))
                dirty.insert(t.id);
        }
    }
    QList<TableId> ids(dirty.cbegin(), dirty.cend());
    std::sort(ids.begin(), ids.end());
    for (TableId id : std::as_const(ids))
        refresh(id);
    Q_EMIT updated();
}

} // namespace immortal
