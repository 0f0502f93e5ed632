#pragma once

#include <immortal/models/processtreemodel.h>

#include <QGraphicsObject>
#include <QPointer>

class QPropertyAnimation;

namespace immortal {

// A process in the graph: a rounded box coloured by state, with the name on
// top and "pid · kind" below. Supervisors get a double border, table
// managers a table glyph. Keyed by the tree model's stable row key.
class GraphNode : public QGraphicsObject
{
    Q_OBJECT
public:
    static constexpr qreal width = 172;
    static constexpr qreal height = 48;

    explicit GraphNode(quint64 key, QGraphicsItem *parent = nullptr);

    quint64 key() const { return m_key; }
    Pid pid() const { return m_pid; }
    void setContent(const QString &label, Pid pid, const QString &kind,
                    ProcessTreeModel::State state, int restarts, const QString &toolTip);
    void setCurrent(bool current);
    bool isCurrent() const { return m_current; }
    // Moves to `to`, animated unless it is the first placement.
    void moveTo(const QPointF &to, bool animate);

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

Q_SIGNALS:
    void clicked(quint64 key);
    void contextMenuRequested(quint64 key, const QPoint &screenPos);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override;

private:
    quint64 m_key;
    Pid m_pid = 0;
    QString m_label;
    QString m_kind;
    ProcessTreeModel::State m_state = ProcessTreeModel::State::Running;
    int m_restarts = 0;
    bool m_current = false;
    QPointer<QPropertyAnimation> m_move;
};

} // namespace immortal
