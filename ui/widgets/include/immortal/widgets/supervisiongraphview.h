#pragma once

#include <immortal/types.h>

#include <QGraphicsView>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QVariantAnimation;

namespace immortal {

class GraphEdge;
class GraphNode;
class GraphOverview;
class ProcessTreeModel;
class TableBadge;
class TableListModel;

/// The supervision tree drawn as a graph (in the spirit of Qt's Elastic Nodes
/// example), with ownership on it: each table is a badge docked to its owner,
/// with a dashed arrow to its heir. A view of the two models, nothing more:
/// it redraws after their batches, lays the tree out (a compact tree layout,
/// wide fan-outs wrapped into grids) when its shape changes, and animates
/// nodes and badges to their new places while the tree is small.
///
/// Made for 3 to 10,000 processes: any supervisor's subtree can be collapsed
/// (its node then counts what it hides), the view can be narrowed to one
/// branch, selecting a process brings it into view (expanding what hides it),
/// zoom is clamped (never refused) between fitting the whole tree and 5x,
/// text is skipped below a readable size, and an overview in the corner
/// shows where the viewport is in a tree larger than the window.
/// Processes are named by their ProcessTreeModel::ItemKeyRole key.
class SupervisionGraphView : public QGraphicsView
{
    Q_OBJECT
public:
    /// A view of these models, which must outlive it.
    SupervisionGraphView(ProcessTreeModel *processes, TableListModel *tables,
                         QWidget *parent = nullptr);
    ~SupervisionGraphView() override;

    quint64 currentProcess() const { return m_currentProcess; } ///< its key, 0 if none
    TableId currentTable() const { return m_currentTable; } ///< 0 if none
    /// The node drawn for a process, or nullptr (its item type is private);
    /// a process under a collapsed supervisor or outside the focused branch
    /// has none.
    GraphNode *node(quint64 key) const { return m_nodes.value(key); }
    /// The badge drawn for a table, or nullptr (its item type is private).
    TableBadge *badge(TableId id) const { return m_badges.value(id); }
    int nodeCount() const { return int(m_nodes.size()); } ///< processes drawn
    /// Whether that supervisor's subtree is collapsed into its node.
    bool isCollapsed(quint64 key) const { return m_collapsed.contains(key); }
    quint64 focusedBranch() const { return m_focus; } ///< its root's key, 0: the whole tree
    qreal zoom() const; ///< the current scale (1: one scene unit per pixel)
    qreal minimumZoom() const; ///< the smallest: fits the whole tree (or 0.1 if more)
    static constexpr qreal maximumZoom = 5.0; ///< the largest
    bool isLegendVisible() const { return m_legendVisible; } ///< see setLegendVisible()
    QWidget *overview() const; ///< the minimap in the corner

public Q_SLOTS:
    void setCurrentProcess(quint64 key); ///< 0 = none; brings it into view
    void setCurrentTable(immortal::TableId id); ///< 0 = none
    void zoomIn(); ///< by a step, and stop fitting to the window
    void zoomOut(); ///< by a step, and stop fitting to the window
    void fitToWindow(); ///< and keep fitting as the tree grows, until the next zoom
    void sync(); ///< brings the scene up to date with the models now
    void setCollapsed(quint64 key, bool collapsed); ///< a supervisor's subtree
    void toggleCollapsed(quint64 key); ///< collapses it if expanded, and back
    void expandAll(); ///< every collapsed subtree
    /// Shows only this process's subtree (0: the whole tree again), fitted.
    void focusBranch(quint64 key);
    /// Rings these processes (search matches); empty: none.
    void setMatches(const QSet<quint64> &keys);
    /// Centres the view on the process (expanding what hides it), animated.
    void bringIntoView(quint64 key);
    void setLegendVisible(bool visible); ///< the legend in the corner

Q_SIGNALS:
    void processClicked(quint64 key); ///< a process node was clicked
    void tableClicked(immortal::TableId id); ///< a table badge was clicked
    /// A process node asked for a context menu at `globalPos`.
    void contextMenuRequested(quint64 key, const QPoint &globalPos);
    void zoomChanged(qreal zoom); ///< the scale changed (zoom(), fit, a wheel)
    void collapsedChanged(); ///< a subtree was collapsed or expanded
    void focusChanged(quint64 key); ///< focusBranch()

protected:
    bool viewportEvent(QEvent *event) override; ///< node tooltips, from the model
    void wheelEvent(QWheelEvent *event) override; ///< zooms
    void keyPressEvent(QKeyEvent *event) override; ///< +/- collapse and expand, arrows pan
    void resizeEvent(QResizeEvent *event) override; ///< fits again, if fitting
    void scrollContentsBy(int dx, int dy) override; ///< keeps the overview's frame current
    void drawForeground(QPainter *painter, const QRectF &rect) override; ///< the legend
    void changeEvent(QEvent *event) override; ///< follows palette changes

private:
    void scheduleSync();
    void zoomBy(qreal factor);
    void setZoom(qreal scale);
    qreal fitScale() const;
    void applyFit();
    void syncTables();
    void revealAncestors(quint64 key);
    void placeOverview();

    ProcessTreeModel *m_processes;
    TableListModel *m_tables;
    QGraphicsScene *m_scene;
    QHash<quint64, GraphNode *> m_nodes;
    QHash<quint64, GraphEdge *> m_treeEdges; // by child key
    QHash<TableId, TableBadge *> m_badges;
    QHash<TableId, GraphEdge *> m_heirEdges;
    QHash<Pid, quint64> m_hiddenUnder; // pid -> the collapsed node that hides it
    QSet<quint64> m_collapsed;
    QSet<quint64> m_matches;
    quint64 m_focus = 0;
    QByteArray m_layoutSignature; // of the last layout
    QRectF m_bounds; // of the last layout
    quint64 m_currentProcess = 0;
    TableId m_currentTable = 0;
    bool m_autoFit = true;
    bool m_fitReadable = true; // the first fit stops at a readable size
    bool m_placed = false; // first layout done (no animation for it)
    bool m_legendVisible = true;
    QRect m_legendRect; // in the viewport, as last drawn
    QTimer m_syncTimer;
    GraphOverview *m_overview = nullptr;
    QPointer<QVariantAnimation> m_pan;
};

} // namespace immortal
