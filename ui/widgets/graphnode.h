#pragma once

#include <immortal/models/processtreemodel.h>

#include <QGraphicsObject>
#include <QPointer>

class QFont;
class QFontMetricsF;
class QPropertyAnimation;

namespace immortal {

// A process in the graph: a rounded box coloured by state, with the name on
// top and "pid · state" below. Supervisors get a double border and, when they
// have children, a +/− toggle on their right side (also a double-click) that
// collapses their subtree; a collapsed node is drawn as a pile and counts what
// it hides. Table managers get a table glyph. The box is as wide as its name
// (up to maxWidth; a longer name is cut at a word boundary, the tooltip has
// it all). Below a readable zoom the text is skipped. Keyed by the tree
// model's stable row key.
class GraphNode : public QGraphicsObject
{
    Q_OBJECT
public:
    static constexpr qreal minWidth = 150;
    static constexpr qreal maxWidth = 320;
    static constexpr qreal height = 48;
    static constexpr qreal collapsedHeight = 64; // one more line: the counts

    explicit GraphNode(quint64 key, QGraphicsItem *parent = nullptr);

    quint64 key() const { return m_key; }
    Pid pid() const { return m_pid; }
    QString label() const { return m_label; }
    // (Its tooltip is the view's: asked of the model when shown.)
    void setContent(const QString &label, Pid pid, const QString &kind,
                    ProcessTreeModel::State state, int restarts);
    // A toggle when it has children; collapsed, it shows what it hides.
    void setExpandable(bool expandable);
    void setCollapsed(bool collapsed, int processes = 0, int restarts = 0, int tables = 0);
    bool isCollapsed() const { return m_collapsed; }
    int hiddenProcesses() const { return m_hiddenProcesses; }
    int hiddenRestarts() const { return m_hiddenRestarts; }
    int hiddenTables() const { return m_hiddenTables; }
    void setCurrent(bool current);
    bool isCurrent() const { return m_current; }
    void setMatched(bool matched); // a search match, ringed
    bool isMatched() const { return m_matched; }
    // Moves to `to`, animated unless it is the first placement.
    void moveTo(const QPointF &to, bool animate);
    bool isMoving() const;

    QSizeF size() const { return { m_width, m_collapsed ? collapsedHeight : height }; }
    // The size a node with this label would get.
    static qreal widthFor(const QString &label, const QString &kind, bool expandable);
    // `text` cut after the last word (at '.', '_', '-', ' ' or a
    // lower-to-upper case change) that fits in `width`, with an ellipsis.
    static QString elideAtWord(const QString &text, const QFontMetricsF &metrics, qreal width);
    static QFont titleFont();

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

Q_SIGNALS:
    void clicked(quint64 key);
    void toggleRequested(quint64 key); // collapse or expand, asked by a click
    void contextMenuRequested(quint64 key, const QPoint &screenPos);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;

private:
    QRectF toggleRect() const;

    quint64 m_key;
    Pid m_pid = 0;
    QString m_label;
    QString m_kind;
    ProcessTreeModel::State m_state = ProcessTreeModel::State::Running;
    int m_restarts = 0;
    qreal m_width = minWidth;
    bool m_current = false;
    bool m_matched = false;
    bool m_expandable = false;
    bool m_collapsed = false;
    int m_hiddenProcesses = 0;
    int m_hiddenRestarts = 0;
    int m_hiddenTables = 0;
    QPointer<QPropertyAnimation> m_move;
};

} // namespace immortal
