#pragma once

#include <QGraphicsObject>
#include <QPointer>

namespace immortal {

// A line between two graph items that follows them as they move:
// Tree edges run from a supervisor's right side to a child's left side (or,
// for a child in its parent's grid, down a spine and along the lane above the
// child's row into its top); Heir edges are dashed arrows from a table badge
// to the process that would inherit it. Below a readable zoom they are drawn
// as plain lines.
class GraphEdge : public QGraphicsObject
{
    Q_OBJECT
public:
    enum class Relation { Supervises, Inherits }; // a tree line, or an heir arrow

    GraphEdge(Relation relation, QGraphicsObject *from, QGraphicsObject *to,
              QGraphicsItem *parent = nullptr);

    Relation relation() const { return m_relation; }
    QGraphicsObject *from() const { return m_from; }
    QGraphicsObject *to() const { return m_to; }
    void setEnds(QGraphicsObject *from, QGraphicsObject *to);
    void adjust(); // recompute after an end moved
    // Routes a tree edge down the spine at x = spineX and along the lane at
    // y = laneY into the child's top (GraphLayout's grid); NaN: a curve.
    void setRoute(qreal spineX, qreal laneY);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath path() const;

    Relation m_relation;
    QPointer<QGraphicsObject> m_from;
    QPointer<QGraphicsObject> m_to;
    QPointF m_a, m_b;
    qreal m_spineX = qQNaN();
    qreal m_laneY = qQNaN();
    QList<QMetaObject::Connection> m_connections;
};

} // namespace immortal
