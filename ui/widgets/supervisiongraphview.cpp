#include <immortal/widgets/supervisiongraphview.h>

#include "graphedge.h"
#include "graphlayout.h"
#include "graphnode.h"
#include "graphoverview.h"
#include "tablebadge.h"

#include <immortal/models/processtreemodel.h>
#include <immortal/models/statecolors.h>
#include <immortal/models/tablelistmodel.h>

#include <QDataStream>
#include <QEvent>
#include <QGraphicsScene>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QVariantAnimation>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <functional>

namespace immortal {

namespace {
constexpr qreal maxFitScale = 1.25; // a small tree is not blown up to fill the screen
constexpr qreal minScale = 0.1; // unless fitting the tree needs less
constexpr qreal readableScale = 0.65; // the first fit stops here: text stays readable
constexpr int animateUpTo = 300; // nodes; a bigger tree jumps to its new layout
constexpr qreal farHeir = 900; // scene units: a longer heir arrow becomes a hint
const QSize overviewSize(200, 140);
} // namespace

SupervisionGraphView::SupervisionGraphView(ProcessTreeModel *processes, TableListModel *tables,
                                           QWidget *parent)
    : QGraphicsView(parent)
    , m_processes(processes)
    , m_tables(tables)
    , m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    // Items move as a whole tree is laid out again; an index would be rebuilt each time.
    m_scene->setItemIndexMethod(QGraphicsScene::NoIndex);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontSavePainterState);
    setBackgroundBrush(palette().base());
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Supervision tree: click to select, double-click or +/− to collapse a "
                  "supervisor, right-click for actions, wheel to zoom, drag to pan"));

    m_overview = new GraphOverview(this, this);
    m_overview->setObjectName(QStringLiteral("graphOverview"));
    m_overview->resize(overviewSize);
    m_overview->hide();
    connect(m_overview, &GraphOverview::panRequested, this, [this](const QPointF &at) {
        m_autoFit = false;
        centerOn(at);
    });
    connect(m_scene, &QGraphicsScene::changed, m_overview, &GraphOverview::sceneChanged);

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

SupervisionGraphView::~SupervisionGraphView() = default;

QWidget *SupervisionGraphView::overview() const
{
    return m_overview;
}

void SupervisionGraphView::scheduleSync()
{
    if (!m_syncTimer.isActive())
        m_syncTimer.start();
}

void SupervisionGraphView::sync()
{
    m_syncTimer.stop();
    // Tables per owner: a node with tables needs room for its badges, and a
    // collapsed node counts the tables of what it hides.
    QHash<Pid, int> tablesOf;
    for (int r = 0; r < m_tables->rowCount(); ++r) {
        const Pid owner = m_tables->index(r, 0).data(TableListModel::OwnerPidRole).value<Pid>();
        if (owner != 0)
            ++tablesOf[owner];
    }

    // 1. Nodes: one per visible row of the process tree (not under a
    // collapsed supervisor, and inside the focused branch).
    QHash<quint64, quint64> shape;
    QList<GraphLayout::Box> layoutNodes;
    m_hiddenUnder.clear();
    struct Hidden
    {
        int processes = 0, restarts = 0, tables = 0;
    };
    std::function<void(const QModelIndex &, quint64, Hidden &)> count =
        [&](const QModelIndex &parent, quint64 under, Hidden &h) {
            for (int r = 0; r < m_processes->rowCount(parent); ++r) {
                const QModelIndex i = m_processes->index(r, 0, parent);
                const Pid pid = i.data(ProcessTreeModel::PidRole).value<Pid>();
                ++h.processes;
                h.restarts += i.data(ProcessTreeModel::RestartsRole).toInt();
                h.tables += tablesOf.value(pid);
                m_hiddenUnder.insert(pid, under);
                count(i, under, h);
            }
        };
    std::function<void(const QModelIndex &, quint64)> visit = [&](const QModelIndex &i,
                                                                  quint64 parentKey) {
        const quint64 key = i.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
        GraphNode *node = m_nodes.value(key);
        if (!node) {
            node = new GraphNode(key);
            m_scene->addItem(node);
            m_nodes.insert(key, node);
            connect(node, &GraphNode::clicked, this, &SupervisionGraphView::processClicked);
            connect(node, &GraphNode::toggleRequested, this,
                    &SupervisionGraphView::toggleCollapsed);
            connect(node, &GraphNode::contextMenuRequested, this,
                    &SupervisionGraphView::contextMenuRequested);
            node->setCurrent(key == m_currentProcess);
        }
        const Pid pid = i.data(ProcessTreeModel::PidRole).value<Pid>();
        const bool hasChildren = m_processes->rowCount(i) > 0;
        node->setExpandable(hasChildren);
        node->setContent(i.data().toString(), pid, i.data(ProcessTreeModel::KindRole).toString(),
                         i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>(),
                         i.data(ProcessTreeModel::RestartsRole).toInt());
        node->setMatched(m_matches.contains(key));
        const bool collapsed = hasChildren && m_collapsed.contains(key);
        if (collapsed) {
            Hidden h;
            count(i, key, h);
            node->setCollapsed(true, h.processes, h.restarts, h.tables);
        } else {
            node->setCollapsed(false);
        }
        shape.insert(key, parentKey);
        // Room for the table badges below the node, side by side.
        const int tables = tablesOf.value(pid);
        const QSizeF size = node->size();
        // Every node keeps room for one row of badges, so a table moving
        // between owners moves no node; in a grid, only owners do.
        const qreal badgeRoom = TableBadge::gap + TableBadge::height;
        layoutNodes.append({ key, parentKey,
                             QSizeF(std::max(size.width(), 12 + tables * (TableBadge::width + 4)),
                                    size.height() + badgeRoom),
                             tables > 0 ? 0 : badgeRoom });
        if (!collapsed) {
            for (int r = 0; r < m_processes->rowCount(i); ++r)
                visit(m_processes->index(r, 0, i), key);
        }
    };
    QModelIndex focus = m_focus ? m_processes->indexOfKey(m_focus) : QModelIndex();
    if (m_focus && !focus.isValid()) {
        m_focus = 0; // the branch is gone
        Q_EMIT focusChanged(0);
    }
    if (focus.isValid()) {
        visit(focus, 0);
    } else {
        for (int r = 0; r < m_processes->rowCount(); ++r)
            visit(m_processes->index(r, 0), 0);
    }

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

    // 3. Layout, only when the shape of the tree or a box's size changed.
    QByteArray signature;
    {
        QDataStream out(&signature, QIODevice::WriteOnly);
        for (const GraphLayout::Box &b : std::as_const(layoutNodes))
            out << b.key << b.parent << b.size << b.spare;
    }
    if (signature != m_layoutSignature) {
        m_layoutSignature = signature;
        const auto places = GraphLayout::layout(layoutNodes);
        const bool animate = m_placed && m_nodes.size() <= animateUpTo;
        m_bounds = QRectF();
        QHash<quint64, QPointF> targets; // where each node goes
        for (const GraphLayout::Box &n : std::as_const(layoutNodes)) {
            const GraphLayout::Place p = places.value(n.key);
            QRectF box(QPointF(), QSizeF(n.size.width(), p.height));
            box.moveCenter(p.centre);
            m_bounds |= box;
            GraphNode *node = m_nodes.value(n.key);
            if (!node)
                continue;
            // The node sits at the top of its box, its badges under it.
            const QPointF to = p.centre - QPointF(0, (p.height - node->size().height()) / 2);
            targets.insert(n.key, to);
            node->moveTo(to, animate);
            GraphEdge *e = m_treeEdges.value(n.key);
            if (!e)
                continue;
            const QPointF parent = targets.value(n.parent);
            const qreal spineDx = p.spineX - parent.x();
            switch (p.route) {
            case GraphLayout::Place::Route::Curve:
                e->setRoute(GraphEdge::Route::Curve);
                break;
            case GraphLayout::Place::Route::GridFirst:
                e->setRoute(GraphEdge::Route::GridFirst, spineDx, p.laneY - to.y());
                break;
            case GraphLayout::Place::Route::GridRow:
                e->setRoute(GraphEdge::Route::GridRow, spineDx, p.laneY - to.y(), p.fromY - to.y());
                break;
            case GraphLayout::Place::Route::GridCell:
                e->setRoute(GraphEdge::Route::GridCell, spineDx, p.laneY - to.y(),
                            p.columnX - to.x());
                break;
            case GraphLayout::Place::Route::Column:
                e->setRoute(GraphEdge::Route::Column, spineDx, p.laneY - parent.y(),
                            p.columnX - to.x());
                break;
            }
        }
        m_placed = true;
    }

    syncTables();

    // 4. The scene is sized by the final layout, not by animation frames.
    m_scene->setSceneRect(m_bounds.adjusted(-30, -30, 30, 30));
    if (m_autoFit)
        applyFit();
    else
        setZoom(zoom()); // the minimum may have moved
    placeOverview();
}

void SupervisionGraphView::syncTables()
{
    QHash<QGraphicsObject *, int> dockSlots;
    QSet<TableId> seen;
    auto nodeOfPid = [this](Pid pid) -> GraphNode * {
        if (pid == 0)
            return nullptr;
        const QModelIndex o = m_processes->indexOfPid(pid);
        return m_nodes.value(o.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
    };
    for (int r = 0; r < m_tables->rowCount(); ++r) {
        const QModelIndex i = m_tables->index(r, 0);
        const TableId id = i.data(TableListModel::TableIdRole).value<TableId>();
        const Pid owner = i.data(TableListModel::OwnerPidRole).value<Pid>();
        const Pid heir = i.data(TableListModel::HeirPidRole).value<Pid>();
        const bool orphaned = i.data(TableListModel::OrphanedRole).toBool();
        seen.insert(id);

        GraphNode *ownerNode = nodeOfPid(owner);
        // An owner folded into a collapsed supervisor, or outside the
        // focused branch: its table is counted there, not drawn.
        const bool hidden = owner != 0 && !ownerNode;
        TableBadge *badge = m_badges.value(id);
        const bool fresh = !badge;
        if (fresh) {
            badge = new TableBadge(id);
            m_scene->addItem(badge);
            m_badges.insert(id, badge);
            connect(badge, &TableBadge::clicked, this, &SupervisionGraphView::tableClicked);
            badge->setCurrent(id == m_currentTable);
        }
        badge->setVisible(!hidden);
        const QString name = m_tables->index(r, TableListModel::NameColumn).data().toString();
        const QString heirText = m_tables->index(r, TableListModel::HeirColumn).data().toString();
        const QString tip =
            tr("Table %1 (%2, %3)\nowner: %4\nheir: %5\nrows: %6\ntransfers: %7")
                .arg(name)
                .arg(id)
                .arg(m_tables->index(r, TableListModel::AccessColumn).data().toString(),
                     m_tables->index(r, TableListModel::OwnerColumn).data().toString(), heirText)
                .arg(i.data(TableListModel::SizeRole).toLongLong())
                .arg(m_tables->index(r, TableListModel::TransfersColumn).data().toInt());
        badge->setContent(name, i.data(TableListModel::SizeRole).toLongLong(),
                          orphaned || !ownerNode, tip);
        const int slot = ownerNode ? dockSlots[ownerNode]++ : 0;
        if (!hidden)
            badge->dock(ownerNode, slot, !fresh && m_nodes.size() <= animateUpTo);

        // The heir arrow, unless the owner is its own heir (a manager holding
        // the table). An heir folded away gets the arrow on the collapsed
        // node that hides it; an heir far away gets its name on the badge.
        GraphNode *heirNode = nullptr;
        if (heir != 0 && heir != owner && !hidden) {
            heirNode = nodeOfPid(heir);
            if (!heirNode && m_hiddenUnder.contains(heir))
                heirNode = m_nodes.value(m_hiddenUnder.value(heir));
        }
        QString hint;
        if (heirNode && ownerNode && QLineF(ownerNode->pos(), heirNode->pos()).length() > farHeir) {
            const QModelIndex h = m_processes->indexOfPid(heir);
            hint = h.isValid() ? h.data().toString() : heirText;
        } else if (heir != 0 && heir != owner && !heirNode && !hidden) {
            hint = heirText; // not drawn at all (outside the focused branch)
        }
        badge->setHeirHint(hint);
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
            arrow = nullptr;
        }
        if (arrow)
            arrow->setVisible(hint.isEmpty());
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
    if (key)
        bringIntoView(key);
}

void SupervisionGraphView::revealAncestors(quint64 key)
{
    const QModelIndex i = m_processes->indexOfKey(key);
    if (!i.isValid())
        return;
    bool changed = false;
    bool insideFocus = m_focus == 0;
    for (QModelIndex p = i; p.isValid(); p = p.parent()) {
        const quint64 k = p.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
        if (k == m_focus)
            insideFocus = true;
        if (p != i && m_collapsed.remove(k))
            changed = true;
    }
    if (!insideFocus) {
        m_focus = 0;
        Q_EMIT focusChanged(0);
        changed = true;
    }
    if (changed) {
        sync();
        Q_EMIT collapsedChanged();
    }
}

void SupervisionGraphView::bringIntoView(quint64 key)
{
    revealAncestors(key);
    if (m_syncTimer.isActive() || !m_nodes.contains(key))
        sync();
    GraphNode *node = m_nodes.value(key);
    if (!node)
        return;
    node->setCurrent(key == m_currentProcess);
    // Where the node will be once its move ends.
    const QRectF target = node->mapRectToScene(node->boundingRect());
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (visible.contains(target))
        return;
    if (m_autoFit && !m_fitReadable)
        return; // the whole tree is in view already
    m_autoFit = false;
    if (m_pan)
        m_pan->stop();
    auto *pan = new QVariantAnimation(this);
    pan->setStartValue(visible.center());
    pan->setEndValue(target.center());
    pan->setDuration(250);
    pan->setEasingCurve(QEasingCurve::OutCubic);
    connect(pan, &QVariantAnimation::valueChanged, this,
            [this](const QVariant &v) { centerOn(v.toPointF()); });
    m_pan = pan;
    pan->start(QAbstractAnimation::DeleteWhenStopped);
}

void SupervisionGraphView::setCurrentTable(TableId id)
{
    if (TableBadge *old = m_badges.value(m_currentTable))
        old->setCurrent(false);
    m_currentTable = id;
    if (id == 0)
        return;
    // Its owner into view first, unfolding what hides it (and its badge).
    const Pid owner = m_tables->indexOfTable(id).data(TableListModel::OwnerPidRole).value<Pid>();
    const quint64 ownerKey =
        m_processes->indexOfPid(owner).data(ProcessTreeModel::ItemKeyRole).value<quint64>();
    if (ownerKey)
        bringIntoView(ownerKey);
    if (TableBadge *badge = m_badges.value(id)) {
        badge->setCurrent(true);
        if (badge->isVisible() && !m_autoFit)
            ensureVisible(badge, 30, 30);
    }
}

void SupervisionGraphView::setCollapsed(quint64 key, bool collapsed)
{
    if (collapsed == m_collapsed.contains(key))
        return;
    if (collapsed)
        m_collapsed.insert(key);
    else
        m_collapsed.remove(key);
    sync();
    Q_EMIT collapsedChanged();
}

void SupervisionGraphView::toggleCollapsed(quint64 key)
{
    setCollapsed(key, !m_collapsed.contains(key));
}

void SupervisionGraphView::expandAll()
{
    if (m_collapsed.isEmpty())
        return;
    m_collapsed.clear();
    sync();
    Q_EMIT collapsedChanged();
}

void SupervisionGraphView::focusBranch(quint64 key)
{
    if (key == m_focus)
        return;
    m_focus = key;
    if (key)
        m_collapsed.remove(key);
    m_autoFit = true;
    m_fitReadable = true;
    sync();
    Q_EMIT focusChanged(key);
    if (m_currentProcess)
        bringIntoView(m_currentProcess);
}

void SupervisionGraphView::setMatches(const QSet<quint64> &keys)
{
    m_matches = keys;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it)
        it.value()->setMatched(keys.contains(it.key()));
}

void SupervisionGraphView::setLegendVisible(bool visible)
{
    if (visible == m_legendVisible)
        return;
    m_legendVisible = visible;
    viewport()->update();
}

qreal SupervisionGraphView::zoom() const
{
    return transform().m11();
}

qreal SupervisionGraphView::fitScale() const
{
    const QRectF rect = sceneRect();
    const QRectF view = viewport()->rect().adjusted(2, 2, -2, -2);
    if (rect.isEmpty() || view.isEmpty())
        return 1;
    return std::min(view.width() / rect.width(), view.height() / rect.height());
}

qreal SupervisionGraphView::minimumZoom() const
{
    return std::min(minScale, fitScale());
}

void SupervisionGraphView::setZoom(qreal scale)
{
    scale = std::clamp(scale, minimumZoom(), maximumZoom);
    if (qFuzzyCompare(scale, zoom()))
        return;
    setTransform(QTransform::fromScale(scale, scale));
    Q_EMIT zoomChanged(scale);
    m_overview->update();
    placeOverview();
}

void SupervisionGraphView::zoomBy(qreal factor)
{
    // Clamped, never refused: a step that would pass a bound stops at it.
    m_autoFit = false;
    setZoom(zoom() * factor);
}

void SupervisionGraphView::zoomIn()
{
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(AnchorViewCenter);
    zoomBy(1.25);
    setTransformationAnchor(anchor);
}

void SupervisionGraphView::zoomOut()
{
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(AnchorViewCenter);
    zoomBy(1 / 1.25);
    setTransformationAnchor(anchor);
}

void SupervisionGraphView::fitToWindow()
{
    m_autoFit = true;
    m_fitReadable = false; // asked for: the whole tree, however small
    applyFit();
}

void SupervisionGraphView::applyFit()
{
    const QRectF rect = sceneRect();
    if (rect.isEmpty())
        return;
    const qreal fit = std::min(fitScale(), maxFitScale);
    if (m_fitReadable && fit < readableScale) {
        // Too big to read when fitted: start readable, at the top of the tree.
        setZoom(readableScale);
        const QSizeF half = QSizeF(viewport()->size()) / (2 * readableScale);
        centerOn(rect.left() + half.width(), rect.top() + half.height());
        if (m_currentProcess)
            if (GraphNode *node = m_nodes.value(m_currentProcess))
                centerOn(node);
        return;
    }
    setZoom(fit);
    centerOn(rect.center());
}

void SupervisionGraphView::placeOverview()
{
    // Shown only when the tree does not fit.
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const bool needed = !sceneRect().isEmpty()
        && !visible.contains(sceneRect().adjusted(20, 20, -20, -20))
        && viewport()->width() > 2.5 * overviewSize.width()
        && viewport()->height() > 2 * overviewSize.height();
    const QRect port = viewport()->geometry();
    m_overview->move(port.right() - overviewSize.width() - 8, port.top() + 8);
    m_overview->setVisible(needed);
    if (needed)
        m_overview->update();
}

bool SupervisionGraphView::viewportEvent(QEvent *event)
{
    // A node's tooltip (its whole name, and more) is asked of the model when
    // shown: building 10,000 of them on every update took most of a sync.
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        QGraphicsItem *item = itemAt(help->pos());
        if (auto *node = item ? qobject_cast<GraphNode *>(item->toGraphicsObject()) : nullptr) {
            QToolTip::showText(
                help->globalPos(),
                m_processes->indexOfKey(node->key()).data(Qt::ToolTipRole).toString(), viewport());
            return true;
        }
    }
    return QGraphicsView::viewportEvent(event);
}

void SupervisionGraphView::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || event->modifiers() & (Qt::ShiftModifier | Qt::AltModifier)) {
        QGraphicsView::wheelEvent(event); // scrolls
        return;
    }
    zoomBy(std::pow(1.0015, delta));
    event->accept();
}

void SupervisionGraphView::keyPressEvent(QKeyEvent *event)
{
    const quint64 key = m_currentProcess;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Right:
        if (key && m_collapsed.contains(key)) {
            setCollapsed(key, false);
            event->accept();
            return;
        }
        break;
    case Qt::Key_Minus:
    case Qt::Key_Left:
        if (key && m_nodes.contains(key) && m_processes->rowCount(m_processes->indexOfKey(key)) > 0
            && !m_collapsed.contains(key)) {
            setCollapsed(key, true);
            event->accept();
            return;
        }
        break;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

void SupervisionGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_autoFit)
        applyFit();
    else
        setZoom(zoom());
    placeOverview();
}

void SupervisionGraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    if (m_legendVisible) {
        // The legend stays put: redraw its place, and where the scrolled
        // pixels dragged a copy of it.
        viewport()->update(m_legendRect);
        viewport()->update(m_legendRect.translated(dx, dy));
    }
    placeOverview();
}

void SupervisionGraphView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        setBackgroundBrush(palette().base());
    QGraphicsView::changeEvent(event);
}

void SupervisionGraphView::drawForeground(QPainter *painter, const QRectF &)
{
    if (!m_legendVisible)
        return;
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
    m_legendRect = box.toAlignedRect().adjusted(-2, -2, 2, 2);
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
