#pragma once

#include <QHash>
#include <QList>
#include <QPointF>
#include <QSizeF>

namespace immortal {

// Lays out a tree left to right (as observer draws supervision trees) with
// Graphviz's `dot` (libgvc): children in the order given, each parent
// centred beside its children. Falls back to a plain tidy tree
// layout of its own if the dot plugin cannot be loaded.
class GraphLayout
{
public:
    struct Box // one process to place
    {
        quint64 key = 0;
        quint64 parent = 0; // 0 for roots
        QSizeF size; // in scene units (points)
    };

    // Centres of the nodes in scene coordinates, y growing downwards.
    static QHash<quint64, QPointF> layout(const QList<Box> &boxes);
    static bool usedGraphviz(); // whether the last layout came from dot

private:
    static bool layoutWithDot(const QList<Box> &boxes, QHash<quint64, QPointF> *out);
    static QHash<quint64, QPointF> layoutTidy(const QList<Box> &boxes);
};

} // namespace immortal
