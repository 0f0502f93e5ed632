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
// (subtrees) are stacked under the grid, in as many columns as keep the
// block about as wide as tall on a screen. Linear in the number of nodes:
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
        // Room at the bottom of the box that a node in a grid may go
        // without (badge room of a process that owns no table).
        qreal spare = 0;
    };
    struct Place // where it goes
    {
        // How the edge from the parent runs: a curve; into a grid, where
        // edges share a spine (x = spineX) and a lane above each row (y =
        // laneY) and each draws only its own piece, so each is small: the
        // first cell's runs from the parent down the spine and along its
        // lane; the first of each other row's, down the spine from the lane
        // above (y = fromY) and along its lane; any other cell's, along the
        // lane from the cell before it (x = columnX); each then drops into
        // its node's top. Or into a column of subtrees other than the first:
        // down the spine, along the header lane (y = laneY) above the
        // columns, down the column's own spine (x = columnX), into its left
        // side. Edges never cross nodes.
        enum class Route { Curve, GridFirst, GridRow, GridCell, Column };
        QPointF centre; // of the box, in scene coordinates, y growing downwards
        qreal height = 0; // of the box as placed (less its spare room in a grid)
        Route route = Route::Curve;
        qreal spineX = 0, laneY = 0, columnX = 0, fromY = 0;
    };

    static constexpr int gridThreshold = 8; // more leaf children than this: a grid
    static constexpr qreal siblingSep = 14; // between siblings and grid rows
    static constexpr qreal rankSep = 60; // between a parent and its children
    static constexpr qreal laneHeight = 14; // above each grid row, for the edges

    // Boxes come parents before children, children in their order.
    static QHash<quint64, Place> layout(const QList<Box> &boxes);
};

} // namespace immortal
