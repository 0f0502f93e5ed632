#pragma once

#include <QHash>
#include <QList>
#include <QPointF>
#include <QSizeF>

namespace immortal {

// Lays out a tree left to right, as observer draws supervision trees: each
// parent beside the block of its children, centred on it. A supervisor with
// many leaf children (workers, or collapsed supervisors) gets them wrapped
// into a grid, in order, instead of one endless column; its other children
// (subtrees) are stacked under the grid. Linear in the number of nodes:
// 10,000 processes take a few milliseconds (Graphviz's dot took 40 s and
// drew a column a million points tall).
class GraphLayout
{
public:
    struct Box // one process to place
    {
        quint64 key = 0;
        quint64 parent = 0; // 0 for roots
        QSizeF size; // in scene units (points)
    };
    struct Place // where it goes
    {
        QPointF centre; // scene coordinates, y growing downwards
        // For a node in its parent's grid: the x of the vertical spine its
        // edge runs down, and the lane above its row that the edge runs
        // along (edges never cross the grid's nodes). NaN otherwise.
        qreal spineX = qQNaN();
        qreal laneY = qQNaN();
        bool inGrid() const { return !qIsNaN(spineX); }
    };

    static constexpr int gridThreshold = 8; // more leaf children than this: a grid
    static constexpr qreal siblingSep = 14; // between siblings and grid rows
    static constexpr qreal rankSep = 60; // between a parent and its children
    static constexpr qreal laneHeight = 14; // above each grid row, for the edges

    // Boxes come parents before children, children in their order.
    static QHash<quint64, Place> layout(const QList<Box> &boxes);
};

} // namespace immortal
