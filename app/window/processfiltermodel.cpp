#include "processfiltermodel.h"

#include <immortal/models/processtreemodel.h>

#include <QRegularExpression>

#include <functional>

namespace immortal {

ProcessFilterModel::ProcessFilterModel(ProcessTreeModel *source, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_source(source)
{
    setSourceModel(source);
    setRecursiveFilteringEnabled(true); // a match keeps its supervisors
    setDynamicSortFilter(true);
    setSortRole(Qt::DisplayRole);
}

void ProcessFilterModel::setSearch(const QString &text)
{
    const QString search = text.trimmed();
    if (search == m_search)
        return;
    m_search = search;
    // "<0.42.0>", "0.42.0", "<0.42.0" and "42" all name pid 42.
    static const QRegularExpression pidForm(QStringLiteral("^<?(?:0\\.)?(\\d+)(?:\\.0)?>?$"));
    const QRegularExpressionMatch m = pidForm.match(search);
    m_searchPid = m.hasMatch() ? m.captured(1).toULongLong() : 0;
    invalidateFilter();
}

bool ProcessFilterModel::matches(const QModelIndex &sourceIndex) const
{
    if (m_search.isEmpty())
        return true;
    const QModelIndex i = sourceIndex.siblingAtColumn(0);
    if (m_searchPid != 0 && i.data(ProcessTreeModel::PidRole).value<Pid>() == m_searchPid)
        return true;
    for (const QVariant &v : { i.data(), i.data(ProcessTreeModel::ChildIdRole),
                               i.data(ProcessTreeModel::RegisteredNameRole) }) {
        if (v.toString().contains(m_search, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

QList<quint64> ProcessFilterModel::matchingKeys() const
{
    QList<quint64> keys;
    if (m_search.isEmpty())
        return keys;
    std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
        for (int r = 0; r < m_source->rowCount(parent); ++r) {
            const QModelIndex i = m_source->index(r, 0, parent);
            if (matches(i))
                keys.append(i.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
            walk(i);
        }
    };
    walk({});
    return keys;
}

bool ProcessFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    return matches(m_source->index(sourceRow, 0, sourceParent));
}

bool ProcessFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    switch (left.column()) {
    case ProcessTreeModel::PidColumn:
        return left.data(ProcessTreeModel::PidRole).value<Pid>()
            < right.data(ProcessTreeModel::PidRole).value<Pid>();
    case ProcessTreeModel::RestartsColumn:
        return left.data(ProcessTreeModel::RestartsRole).toInt()
            < right.data(ProcessTreeModel::RestartsRole).toInt();
    default:
        return QString::localeAwareCompare(left.data().toString(), right.data().toString()) < 0;
    }
}

} // namespace immortal
