#include <immortal/widgets/supervisiongraphview.h>

#include "graphedge.h"
#include "graphlayout.h"
#include "graphnode.h"
#include "tablebadge.h"

#include <immortal/models/processtreemodel.h>
#include <immortal/models/statecolors.h>
#include <immortal/models/tablelistmodel.h>

#include <QEvent>
#include <QGraphicsScene>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <functional>

namespace immortal {

namespace {
constexpr qreal maxFitScale = 1.25; // a small tree is not blown up to fill the screen
constexpr qreal minScale = 0.1;
constexpr qreal maxScale = 5.0;
} // namespace

SupervisionGraphView::SupervisionGraphView(ProcessTreeModel *processes, TableListModel *tables,
                                           QWidget *parent)
    : QGraphicsView(parent)
    , m_processes(processes)
    , m_tables(tables)
    , m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::BoundingRectViewportUpdate);
    setBackgroundBrush(palette().base());
    setToolTip(tr("Supervision tree: click to select, right-click for actions, wheel to zoom, "
                  "drag to pan"));

    // Both models announce the end of each batch; one redraw covers both.
    m_syncTimer.setSingleShot(true);
    m_syncTimer.setInterval(0);
    connect(&m_syncTimer, &QTimer::timeout, this, &SupervisionGraphView::sync);
    connect(m_processes, &ProcessTreeModel::updated, this, &SupervisionGraphView::scheduleSync);
    connect(m_tables, &TableListModel::updated, this, &SupervisionGraphView::scheduleSync);
    connect(m_processes, &QAbstractItemModel::rowsRemoved, this,
            &SupervisionGraphView::scheduleSync);
    scheduleSync();
}

void SupervisionGraphView::scheduleSync()
{
    if (!m_syncTimer.isActive())
        m_syncTimer.start();
}

void SupervisionGraphView::sync()
{
    m_syncTimer.stop();
    // 1. Nodes: one per row of the process tree.
    QHash<quint64, quint64> shape;
    QList<GraphLayout::Box> layoutNodes;
    std::function<void(const QModelIndex &, quint64)> walk = [&](const QModelIndex &parent,
                                                                 quint64 parentKey) {
        for (int r = 0; r < m_processes->rowCount(parent); ++r) {
            const QModelIndex i = m_processes->index(r, 0, parent);
            const quint64 key = i.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
            GraphNode *node = m_nodes.value(key);
            if (!node) {
                node = new GraphNode(key);
                m_scene->addItem(node);
                m_nodes.insert(key, node);
                connect(node, &GraphNode::clicked, this, &SupervisionGraphView::processClicked);
                connect(node, &GraphNode::contextMenuRequested, this,
                        &SupervisionGraphView::contextMenuRequested);
                node->setCurrent(key == m_currentProcess);
            }
            node->setContent(i.data().toString(), i.data(ProcessTreeModel::PidRole).value<Pid>(),
                             i.data(ProcessTreeModel::KindRole).toString(),
                             i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>(),
                             i.data(ProcessTreeModel::RestartsRole).toInt(),
                             i.data(Qt::ToolTipRole).toString());
            shape.insert(key, parentKey);
            // Each node's layout box has room for its table badges below.
            layoutNodes.append(
                { key, parentKey,
                  QSizeF(GraphNode::width,
                         GraphNode::height + TableBadge::gap + TableBadge::height) });
            walk(i, key);
        }
    };
    walk({}, 0);

    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (shape.contains(it.key())) {
            ++it;
            continue;
        }
        if (GraphEdge *e = m_treeEdges.take(it.key()))
            delete e;
        delete it.value();
        it = m_nodes.erase(it);
    }

    // 2. Tree edges, supervisor -> child.
    for (auto it = shape.cbegin(); it != shape.cend(); ++it) {
        GraphNode *child = m_nodes.value(it.key());
        GraphNode *parent = m_nodes.value(it.value());
        GraphEdge *edge = m_treeEdges.value(it.key());
        if (!parent) {
            delete m_treeEdges.take(it.key());
            continue;
        }
        if (!edge) {
            edge = new GraphEdge(GraphEdge::Relation::Supervises, parent, child);
            m_scene->addItem(edge);
            m_treeEdges.insert(it.key(), edge);
        } else if (edge->from() != parent || edge->to() != child) {
            edge->setEnds(parent, child);
        }
    }
    for (auto it = m_treeEdges.begin(); it != m_treeEdges.end();) {
        if (!shape.contains(it.key()) || !m_nodes.contains(shape.value(it.key()))) {
            delete it.value();
            it = m_treeEdges.erase(it);
        } else {
            ++it;
        }
    }

    // 3. Layout, only when the shape of the tree changed.
    if (shape != m_shape) {
        m_shape = shape;
        const auto centres = GraphLayout::layout(layoutNodes);
        // The node sits at the top of its box, its badges under it.
        const QPointF shift(0, -(TableBadge::gap + TableBadge::height) / 2);
        m_bounds = QRectF();
        for (const GraphLayout::Box &n : std::as_const(layoutNodes)) {
            QRectF box(QPointF(), n.size);
            box.moveCenter(centres.value(n.key));
            m_bounds |= box;
        }
        for (auto it = centres.cbegin(); it != centres.cend(); ++it) {
            if (GraphNode *node = m_nodes.value(it.key()))
                node->moveTo(it.value() + shift, m_placed);
        }
        m_placed = true;
    }

    syncTables();

    // 4. The scene is sized by the final layout, not by animation frames.
    m_scene->setSceneRect(m_bounds.adjusted(-30, -30, 30, 30));
    if (m_autoFit)
        applyFit();
}

void SupervisionGraphView::syncTables()
{
    QHash<QGraphicsObject *, int> dockSlots;
    QSet<TableId> seen;
    for (int r = 0; r < m_tables->rowCount(); ++r) {
        const QModelIndex i = m_tables->index(r, 0);
        const TableId id = i.data(TableListModel::TableIdRole).value<TableId>();
        const Pid owner = i.data(TableListModel::OwnerPidRole).value<Pid>();
        const Pid heir = i.data(TableListModel::HeirPidRole).value<Pid>();
        const bool orphaned = i.data(TableListModel::OrphanedRole).toBool();
        seen.insert(id);

        GraphNode *ownerNode = nullptr;
        if (owner != 0) {
            const QModelIndex o = m_processes->indexOfPid(owner);
            ownerNode = m_nodes.value(o.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
        }
        TableBadge *badge = m_badges.value(id);
        const bool fresh = !badge;
        if (fresh) {
            badge = new TableBadge(id);
            m_scene->addItem(badge);
            m_badges.insert(id, badge);
            connect(badge, &TableBadge::clicked, this, &SupervisionGraphView::tableClicked);
            badge->setCurrent(id == m_currentTable);
        }
        const QString name = m_tables->index(r, TableListModel::NameColumn).data().toString();
        const QString tip =
            tr("Table %1 (%2, %3)\nowner: %4\nheir: %5\nrows: %6\ntransfers: %7")
                .arg(name)
                .arg(id)
                .arg(m_tables->index(r, TableListModel::AccessColumn).data().toString(),
                     m_tables->index(r, TableListModel::OwnerColumn).data().toString(),
                     m_tables->index(r, TableListModel::HeirColumn).data().toString())
                .arg(i.data(TableListModel::SizeRole).toLongLong())
                .arg(m_tables->index(r, TableListModel::TransfersColumn).data().toInt());
        badge->setContent(name, i.data(TableListModel::SizeRole).toLongLong(),
                          orphaned || !ownerNode, tip);
        const int slot = ownerNode ? dockSlots[ownerNode]++ : 0;
        badge->dock(ownerNode, slot, !fresh);

        // The heir arrow, unless the owner is its own heir (a manager holding the table).
        GraphNode *heirNode = nullptr;
        if (heir != 0 && heir != owner) {
            const QModelIndex h = m_processes->indexOfPid(heir);
            heirNode = m_nodes.value(h.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
        }
        GraphEdge *arrow = m_heirEdges.value(id);
        if (heirNode && !arrow) {
            arrow = new GraphEdge(GraphEdge::Relation::Inherits, badge, heirNode);
            arrow->setToolTip(tr("heir of %1").arg(name));
            m_scene->addItem(arrow);
            m_heirEdges.insert(id, arrow);
        } else if (heirNode && arrow->to() != heirNode) {
            arrow->setEnds(badge, heirNode);
        } else if (!heirNode && arrow) {
            delete m_heirEdges.take(id);
        }
    }
    for (auto it = m_badges.begin(); it != m_badges.end();) {
        if (seen.contains(it.key())) {
            ++it;
            continue;
        }
        delete m_heirEdges.take(it.key());
        it.value()->fadeOutAndDelete();
        it = m_badges.erase(it);
    }
}

void SupervisionGraphView::setCurrentProcess(quint64 key)
{
    if (GraphNode *old = m_nodes.value(m_currentProcess))
        old->setCurrent(false);
    m_currentProcess = key;
    if (GraphNode *node = m_nodes.value(key)) {
        node->setCurrent(true);
        if (!m_autoFit)
            ensureVisible(node, 30, 30);
    }
}

void SupervisionGraphView::setCurrentTable(TableId id)
{
    if (TableBadge *old = m_badges.value(m_currentTable))
        old->setCurrent(false);
    m_currentTable = id;
    if (TableBadge *badge = m_badges.value(id))
        badge->setCurrent(true);
}

void SupervisionGraphView::zoomBy(qreal factor)
{
    const qreal scale = transform().m11() * factor;
    if (scale < minScale || scale > maxScale)
        return;
    m_autoFit = false;
    this->scale(factor, factor);
}

void SupervisionGraphView::zoomIn()
{
    zoomBy(1.2);
}

void SupervisionGraphView::zoomOut()
{
    zoomBy(1 / 1.2);
}

void SupervisionGraphView::fitToWindow()
{
    m_autoFit = true;
    applyFit();
}

void SupervisionGraphView::applyFit()
{
    const QRectF rect = sceneRect();
    if (rect.isEmpty())
        return;
    fitInView(rect, Qt::KeepAspectRatio);
    if (transform().m11() > maxFitScale) {
        setTransform(QTransform::fromScale(maxFitScale, maxFitScale));
        centerOn(rect.center());
    }
}

void SupervisionGraphView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.0015, delta));
    event->accept();
}

void SupervisionGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_autoFit)
        applyFit();
}

void SupervisionGraphView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        setBackgroundBrush(palette().base());
    QGraphicsView::changeEvent(event);
}

void SupervisionGraphView::drawForeground(QPainter *painter, const QRectF &)
{
    // A legend in the corner, in viewport coordinates so zoom leaves it be.
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    painter->setFont(font);
    const QFontMetrics fm(font);
    struct Entry
    {
        QColor fill, border;
        QString text;
        bool dashed;
    };
    const QList<Entry> entries = {
        { StateColors::fill(ProcessTreeModel::State::Running, pal),
          StateColors::border(ProcessTreeModel::State::Running, pal), tr("running"), false },
        { StateColors::fill(ProcessTreeModel::State::Waiting, pal),
          StateColors::border(ProcessTreeModel::State::Waiting, pal), tr("restarting / waiting"),
          false },
        { StateColors::fill(ProcessTreeModel::State::Dead, pal),
          StateColors::border(ProcessTreeModel::State::Dead, pal), tr("dead"), true },
        { StateColors::tableFill(pal), StateColors::tableBorder(pal),
          tr("table, docked to its owner"), false },
        { QColor(), pal.color(QPalette::Link), tr("heir of the table"), true },
    };
    const int line = fm.height() + 4;
    int textWidth = 0;
    for (const Entry &e : entries)
        textWidth = std::max(textWidth, fm.horizontalAdvance(e.text));
    QRectF box(8, viewport()->height() - 8 - entries.size() * line - 8, textWidth + 40,
               entries.size() * line + 8);
    QColor bg = pal.color(QPalette::Window);
    bg.setAlphaF(0.85);
    painter->setPen(QPen(pal.color(QPalette::Mid), 1));
    painter->setBrush(bg);
    painter->drawRoundedRect(box, 6, 6);
    qreal y = box.top() + 4;
    for (const Entry &e : entries) {
        QPen pen(e.border, 1.4);
        if (e.dashed)
            pen.setStyle(Qt::DashLine);
        painter->setPen(pen);
        if (e.fill.isValid()) {
            painter->setBrush(e.fill);
            painter->drawRoundedRect(QRectF(box.left() + 8, y + 3, 18, line - 8), 3, 3);
        } else {
            // The heir arrow: a dashed line with a head.
            const qreal my = y + line / 2.0;
            painter->drawLine(QPointF(box.left() + 8, my), QPointF(box.left() + 24, my));
            painter->setPen(Qt::NoPen);
            painter->setBrush(e.border);
            painter->drawPolygon(
                QPolygonF({ QPointF(box.left() + 27, my), QPointF(box.left() + 21, my - 4),
                            QPointF(box.left() + 21, my + 4) }));
        }
        painter->setPen(pal.color(QPalette::WindowText));
        painter->drawText(QRectF(box.left() + 32, y, textWidth + 4, line), Qt::AlignVCenter,
                          e.text);
        y += line;
    }
    painter->restore();
}

} // namespace immortal
