#pragma once

#include <immortal/types.h>

#include <QGraphicsView>
#include <QHash>
#include <QPointer>
#include <QTimer>

namespace immortal {

class GraphEdge;
class GraphNode;
class ProcessTreeModel;
class TableBadge;
class TableListModel;

/// The supervision tree drawn as a graph (in the spirit of Qt's Elastic Nodes
/// example), with ownership on it: each table is a badge docked to its owner,
/// with a dashed arrow to its heir. A view of the two models, nothing more:
/// it redraws after their batches, lays the tree out with Graphviz when its
/// shape changes, and animates nodes and badges to their new places.
/// Processes are named by their ProcessTreeModel::ItemKeyRole key.
class SupervisionGraphView : public QGraphicsView
{
    Q_OBJECT
public:
    /// A view of these models, which must outlive it.
    SupervisionGraphView(ProcessTreeModel *processes, TableListModel *tables,
                         QWidget *parent = nullptr);

    quint64 currentProcess() const { return m_currentProcess; } ///< its key, 0 if none
    TableId currentTable() const { return m_currentTable; } ///< 0 if none
    /// The node drawn for a process, or nullptr (its item type is private).
    GraphNode *node(quint64 key) const { return m_nodes.value(key); }
    /// The badge drawn for a table, or nullptr (its item type is private).
    TableBadge *badge(TableId id) const { return m_badges.value(id); }
    int nodeCount() const { return int(m_nodes.size()); } ///< processes drawn

public Q_SLOTS:
    void setCurrentProcess(quint64 key); ///< 0 = none
    void setCurrentTable(immortal::TableId id); ///< 0 = none
    void zoomIn(); ///< by a step, and stop fitting to the window
    void zoomOut(); ///< by a step, and stop fitting to the window
    void fitToWindow(); ///< and keep fitting as the tree grows, until the next zoom
    void sync(); ///< brings the scene up to date with the models now

Q_SIGNALS:
    void processClicked(quint64 key); ///< a process node was clicked
    void tableClicked(immortal::TableId id); ///< a table badge was clicked
    /// A process node asked for a context menu at `globalPos`.
    void contextMenuRequested(quint64 key, const QPoint &globalPos);

protected:
    void wheelEvent(QWheelEvent *event) override; ///< zooms
    void resizeEvent(QResizeEvent *event) override; ///< fits again, if fitting
    void drawForeground(QPainter *painter, const QRectF &rect) override; ///< the legend
    void changeEvent(QEvent *event) override; ///< follows palette changes

private:
    void scheduleSync();
    void zoomBy(qreal factor);
    void applyFit();
    void syncTables();

    ProcessTreeModel *m_processes;
    TableListModel *m_tables;
    QGraphicsScene *m_scene;
    QHash<quint64, GraphNode *> m_nodes;
    QHash<quint64, GraphEdge *> m_treeEdges; // by child key
    QHash<TableId, TableBadge *> m_badges;
    QHash<TableId, GraphEdge *> m_heirEdges;
    QHash<quint64, quint64> m_shape; // child key -> parent key, as last laid out
    QRectF m_bounds; // of the last layout
    quint64 m_currentProcess = 0;
    TableId m_currentTable = 0;
    bool m_autoFit = true;
    bool m_placed = false; // first layout done (no animation for it)
    QTimer m_syncTimer;
};

} // namespace immortal
