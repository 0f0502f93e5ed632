#include "graphlayout.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace immortal {

namespace {
constexpr qreal gridColSep = 16;
constexpr qreal gridAspect = 1.6; // a grid a little wider than tall, like a screen
constexpr qreal columnsAspect = 2.5; // columns of subtrees: wider, or the tree grows tall
constexpr qreal tallBlock = 700; // children taller than this: the parent sits at their top

struct Item
{
    const GraphLayout::Box *box = nullptr;
    std::vector<int> leaves; // gridded children (indexes into the item list)
    std::vector<int> subtrees; // stacked children
    QSizeF extent; // the whole subtree's
    QSizeF cell; // the grid's cell
    int columns = 0;
    QSizeF grid, stack; // the two parts of the children's block
    std::vector<int> columnOf; // per subtree: its column
    std::vector<qreal> columnX; // per column: its left, from the block's left
};
} // namespace

QHash<quint64, GraphLayout::Place> GraphLayout::layout(const QList<Box> &boxes)
{
    QHash<quint64, Place> out;
    if (boxes.isEmpty())
        return out;
    out.reserve(boxes.size());
    std::vector<Item> items(boxes.size());
    QHash<quint64, int> indexOf;
    indexOf.reserve(boxes.size());
    for (int i = 0; i < boxes.size(); ++i) {
        items[i].box = &boxes.at(i);
        indexOf.insert(boxes.at(i).key, i);
    }
    std::vector<std::vector<int>> children(boxes.size());
    std::vector<int> roots;
    for (int i = 0; i < boxes.size(); ++i) {
        const auto p = indexOf.constFind(boxes.at(i).parent);
        if (p == indexOf.cend() || *p == i)
            roots.push_back(i);
        else
            children[*p].push_back(i);
    }

    // 1. Measure, children before parents. Parents come before their
    // children in `boxes`, so walking it backwards is a post-order.
    for (int i = int(items.size()) - 1; i >= 0; --i) {
        Item &it = items[i];
        const QSizeF own = it.box->size;
        const auto &kids = children[i];
        if (kids.empty()) {
            it.extent = own;
            continue;
        }
        std::vector<int> leaves;
        for (int k : kids) {
            if (children[k].empty())
                leaves.push_back(k);
            else
                it.subtrees.push_back(k);
        }
        if (int(leaves.size()) > gridThreshold) {
            it.leaves = std::move(leaves);
            for (int k : it.leaves)
                it.cell = it.cell.expandedTo(items[k].extent - QSizeF(0, items[k].box->spare));
            const qreal cw = it.cell.width() + gridColSep;
            const qreal ch = it.cell.height() + laneHeight;
            const qreal n = qreal(it.leaves.size());
            it.columns = std::clamp(int(std::lround(std::sqrt(n * ch / cw * gridAspect))), 1,
                                    int(it.leaves.size()));
            const int rows = int((it.leaves.size() + it.columns - 1) / it.columns);
            it.grid = QSizeF(it.columns * cw - gridColSep, rows * ch);
        } else {
            // Few leaves: they stack with the subtrees, in order.
            it.subtrees = kids;
        }
        qreal w = 0, h = 0;
        for (int k : it.subtrees) {
            w = std::max(w, items[k].extent.width());
            h += items[k].extent.height() + siblingSep;
        }
        it.stack = QSizeF(w, it.subtrees.empty() ? 0 : h - siblingSep);
        // A tall stack of subtrees goes into columns, filled in order.
        const int n = int(it.subtrees.size());
        int columns = 1;
        if (n >= 3 && it.stack.height() > 2 * it.stack.width())
            columns = std::clamp(
                int(std::lround(std::sqrt(columnsAspect * it.stack.height() / it.stack.width()))),
                1, n);
        it.columnOf.assign(n, 0);
        if (columns > 1) {
            const qreal target = it.stack.height() / columns;
            std::vector<qreal> widths(1, 0.0), heights(1, 0.0);
            for (int s = 0; s < n; ++s) {
                const QSizeF e = items[it.subtrees[s]].extent;
                if (heights.back() > 0 && heights.back() + e.height() / 2 > target
                    && int(widths.size()) < columns) {
                    widths.push_back(0);
                    heights.push_back(0);
                }
                it.columnOf[s] = int(widths.size()) - 1;
                widths.back() = std::max(widths.back(), e.width());
                heights.back() += (heights.back() > 0 ? siblingSep : 0) + e.height();
            }
            qreal x = 0;
            for (qreal cw : widths) {
                it.columnX.push_back(x);
                x += cw + rankSep;
            }
            // A header lane above the columns carries the edges to them.
            it.stack = QSizeF(x - rankSep,
                              laneHeight + *std::max_element(heights.cbegin(), heights.cend()));
        } else {
            it.columnX.assign(1, 0.0);
        }
        const qreal blockW = std::max(it.grid.width(), it.stack.width());
        const qreal blockH = it.grid.height() + it.stack.height()
            + (it.grid.isEmpty() || it.stack.isEmpty() ? 0 : siblingSep);
        it.extent = QSizeF(own.width() + rankSep + blockW, std::max(own.height(), blockH));
    }

    // 2. Place, parents before children: each subtree in its extent's box
    // whose top-left corner is given.
    std::vector<std::pair<int, QPointF>> todo;
    qreal y = 0;
    for (int r : roots) {
        todo.emplace_back(r, QPointF(0, y));
        y += items[r].extent.height() + siblingSep * 3;
    }
    while (!todo.empty()) {
        const auto [i, topLeft] = todo.back();
        todo.pop_back();
        const Item &it = items[i];
        const QSizeF own = it.box->size;
        const qreal blockH = it.grid.height() + it.stack.height()
            + (it.grid.isEmpty() || it.stack.isEmpty() ? 0 : siblingSep);
        // Centred on its children's block; beside a tall block, at its top,
        // where the reader starts (and the first screen of a big tree shows).
        const bool tall = blockH > tallBlock;
        const qreal midY = topLeft.y() + (tall ? own.height() / 2 : it.extent.height() / 2);
        Place &self = out[it.box->key];
        self.centre = QPointF(topLeft.x() + own.width() / 2, midY);
        self.height = own.height();
        if (children[i].empty())
            continue;
        const qreal cx = topLeft.x() + own.width() + rankSep;
        qreal cy = tall ? topLeft.y() : midY - blockH / 2;
        if (!it.leaves.empty()) {
            const qreal cw = it.cell.width() + gridColSep;
            const qreal ch = it.cell.height() + laneHeight;
            qreal before = 0; // the centre x of the cell before
            for (size_t n = 0; n < it.leaves.size(); ++n) {
                const int row = int(n) / it.columns, col = int(n) % it.columns;
                const Box *leaf = items[it.leaves[n]].box;
                const QSizeF s = leaf->size - QSizeF(0, leaf->spare);
                Place &p = out[leaf->key];
                p.height = s.height();
                // Left-aligned in its cell, so the column reads as a list.
                p.centre = QPointF(cx + col * cw + s.width() / 2,
                                   cy + row * ch + laneHeight + s.height() / 2);
                p.spineX = cx - rankSep / 2;
                p.laneY = cy + row * ch + laneHeight / 2;
                p.route = n == 0 ? Place::Route::GridFirst
                                 : (col == 0 ? Place::Route::GridRow : Place::Route::GridCell);
                p.fromY = p.laneY - ch;
                p.columnX = before;
                before = p.centre.x();
            }
            cy += it.grid.height() + siblingSep;
        }
        const bool columns = it.columnX.size() > 1;
        const qreal headerY = cy + laneHeight / 2;
        std::vector<qreal> columnY(it.columnX.size(), columns ? cy + laneHeight : cy);
        for (size_t n = 0; n < it.subtrees.size(); ++n) {
            const int k = it.subtrees[n];
            const int c = it.columnOf[n];
            const qreal x = cx + it.columnX[c];
            todo.emplace_back(k, QPointF(x, columnY[c]));
            if (c > 0) {
                Place &p = out[items[k].box->key];
                p.route = Place::Route::Column;
                p.spineX = cx - rankSep / 2;
                p.laneY = headerY;
                p.columnX = x - rankSep / 2;
            }
            columnY[c] += items[k].extent.height() + siblingSep;
        }
    }
    return out;
}

} // namespace immortal
