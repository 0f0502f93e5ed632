#pragma once

// Test support for the studio's suites: walking an item model.

#include <QAbstractItemModel>
#include <QModelIndex>
#include <QString>

namespace immortal::testing {

// A row whose first column reads `name`, anywhere under `parent`.
inline QModelIndex findByName(const QAbstractItemModel &model, const QString &name,
                              const QModelIndex &parent = {})
{
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        if (i.data().toString() == name)
            return i;
        if (QModelIndex found = findByName(model, name, i); found.isValid())
            return found;
    }
    return {};
}

// Every row under `parent`, at any depth.
inline int countRows(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    int n = model.rowCount(parent);
    for (int r = 0; r < model.rowCount(parent); ++r)
        n += countRows(model, model.index(r, 0, parent));
    return n;
}

} // namespace immortal::testing
