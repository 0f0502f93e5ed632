#include <immortal/models/tablerowsmodel.h>

#include <immortal/models/livesource.h>

#include <algorithm>

namespace immortal {

TableRowsModel::TableRowsModel(QObject *parent)
    : TableRowsModel(new LiveSource, parent)
{
    m_source->setParent(this);
}

TableRowsModel::TableRowsModel(Source *source, QObject *parent)
    : QAbstractTableModel(parent)
{
    setSource(source);
}

void TableRowsModel::setSource(Source *source)
{
    Q_ASSERT(source);
    disconnect(m_eventsConnection);
    disconnect(m_resetConnection);
    source->flush();
    m_source = source;
    m_eventsConnection = connect(source, &Source::events, this, &TableRowsModel::apply);
    // The same table, as the source now has it (or not).
    m_resetConnection = connect(source, &Source::reset, this, [this] { setTable(m_table); });
    setTable(0);
}

void TableRowsModel::flush()
{
    m_source->flush();
}

void TableRowsModel::setStatus(bool hidden, const QString &text)
{
    m_hidden = hidden;
    if (m_status == text)
        return;
    m_status = text;
    Q_EMIT statusChanged(text);
}

int TableRowsModel::compareRows(const Tuple &a, const Tuple &b) const
{
    const int k = m_keyPos - 1;
    const Term &ka = k < a.size() ? a.at(k) : Term();
    const Term &kb = k < b.size() ? b.at(k) : Term();
    if (const int c = Term::compare(ka, kb); c != 0 || m_keyIsIdentity)
        return c;
    // Bags: rows with equal keys are told apart by their whole content.
    return Term::compare(Term::tuple(a), Term::tuple(b));
}

QList<Tuple> TableRowsModel::read()
{
    if (m_table == 0) {
        setStatus(false, QString());
        return {};
    }
    const auto info = m_source->tableInfo(m_table);
    if (info) {
        m_keyPos = info->keyPos;
        m_keyIsIdentity =
            info->type == TableOptions::Type::Set || info->type == TableOptions::Type::OrderedSet;
    }
    Source::Rows result = m_source->rows(m_table);
    if (result.status != Source::Rows::Status::Shown) {
        // Private, gone or not recorded: show nothing rather than stale rows.
        setStatus(true, result.message);
        return {};
    }
    QList<Tuple> rows = std::move(result.rows);
    std::sort(rows.begin(), rows.end(),
              [this](const Tuple &a, const Tuple &b) { return compareRows(a, b) < 0; });
    if (rows.size() > m_maxRows) {
        setStatus(false, tr("Showing the first %1 of %2 rows.").arg(m_maxRows).arg(rows.size()));
        rows.resize(m_maxRows);
    } else {
        setStatus(false, rows.size() == 1 ? tr("1 row") : tr("%1 rows").arg(rows.size()));
    }
    return rows;
}

void TableRowsModel::setTable(TableId id)
{
    beginResetModel();
    m_table = id;
    m_rows.clear();
    m_columns = 0;
    m_rows = read();
    for (const Tuple &row : std::as_const(m_rows))
        m_columns = std::max(m_columns, int(row.size()));
    endResetModel();
}

void TableRowsModel::reload()
{
    QList<Tuple> fresh = read();

    int width = m_columns;
    for (const Tuple &row : std::as_const(fresh))
        width = std::max(width, int(row.size()));
    if (width > m_columns) {
        beginInsertColumns({}, m_columns, width - 1);
        m_columns = width;
        endInsertColumns();
    }

    // Merge two sorted lists: equal identities are updates, the rest are
    // removals from the old list and insertions from the new one.
    qsizetype i = 0, j = 0;
    while (i < m_rows.size() || j < fresh.size()) {
        const int c = i >= m_rows.size() ? 1
            : j >= fresh.size()          ? -1
                                         : compareRows(m_rows.at(i), fresh.at(j));
        if (c == 0) {
            if (m_rows.at(i) != fresh.at(j)) {
                m_rows[i] = fresh.at(j);
                Q_EMIT dataChanged(index(int(i), 0), index(int(i), std::max(0, m_columns - 1)));
            }
            ++i, ++j;
        } else if (c < 0) {
            // A run of old rows that are gone.
            qsizetype end = i + 1;
            while (end < m_rows.size()
                   && (j >= fresh.size() || compareRows(m_rows.at(end), fresh.at(j)) < 0))
                ++end;
            beginRemoveRows({}, int(i), int(end - 1));
            m_rows.remove(i, end - i);
            endRemoveRows();
        } else {
            // A run of new rows.
            qsizetype end = j + 1;
            while (end < fresh.size()
                   && (i >= m_rows.size() || compareRows(fresh.at(end), m_rows.at(i)) < 0))
                ++end;
            beginInsertRows({}, int(i), int(i + (end - j) - 1));
            for (qsizetype k = j; k < end; ++k)
                m_rows.insert(i + (k - j), fresh.at(k));
            endInsertRows();
            i += end - j;
            j = end;
        }
    }
}

void TableRowsModel::apply(const QList<TraceEvent> &events)
{
    if (m_table == 0)
        return;
    // Any event about our table can change what we may see (owner, access)
    // or the rows themselves.
    const bool touched = std::any_of(events.cbegin(), events.cend(),
                                     [this](const TraceEvent &e) { return e.table == m_table; });
    if (touched)
        reload();
}

int TableRowsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TableRowsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columns;
}

QVariant TableRowsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Tuple &row = m_rows.at(index.row());
    if (index.column() >= row.size())
        return {};
    const Term &term = row.at(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return term.format();
    case Qt::TextAlignmentRole:
        if (term.isNumber())
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case TermRole:
        return QVariant::fromValue(term);
    }
    return {};
}

QVariant TableRowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    return section + 1 == m_keyPos ? tr("%1 (key)").arg(section + 1) : QString::number(section + 1);
}

} // namespace immortal
