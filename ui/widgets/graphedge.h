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
    // Routes a tree edge down a spine `spineDx` right of the parent's centre
    // and along a lane `laneDy` above the child's centre into its top
    // (GraphLayout's grid); relative, so the route follows moving nodes.
    // NaN: a curve.
    void setRoute(qreal spineDx, qreal laneDy);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath path() const;

    Relation m_relation;
    QPointer<QGraphicsObject> m_from;
    QPointer<QGraphicsObject> m_to;
    QPointF m_a, m_b;
    qreal m_spineDx = qQNaN();
    qreal m_laneDy = qQNaN();
    qreal m_spineX = 0, m_laneY = 0; // in the scene, as last adjusted
    QList<QMetaObject::Connection> m_connections;
};

} // namespace immortal
