#pragma once

#include <immortal/types.h>

#include <QSortFilterProxyModel>

namespace immortal {

class ProcessTreeModel;

// The process tree as the Processes panel shows it: sortable by any column
// (numbers as numbers; no sort keeps the start order) and searchable. A
// search matches a process by name or child id (a part of it, any case) or
// by pid ("<0.42.0>", "0.42.0" or "42"); the tree keeps the matches and the
// supervisors above them.
class ProcessFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ProcessFilterModel(ProcessTreeModel *source, QObject *parent = nullptr);

    void setSearch(const QString &text); // empty: everything
    QString search() const { return m_search; }
    bool matches(const QModelIndex &sourceIndex) const; // of the source model
    // The ItemKeyRole keys of every match, in the source tree's order.
    QList<quint64> matchingKeys() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    ProcessTreeModel *m_source;
    QString m_search;
    Pid m_searchPid = 0; // the search read as a pid, if it is one
};

} // namespace immortal
