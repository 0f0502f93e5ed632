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
    // (GraphLayout's grid). Relative, so the route follows moving nodes.
    void setGridRoute(qreal spineDx, qreal laneDy);
    // Routes it down the spine, along a header lane `headerDy` from the
    // parent's centre, down the column's own spine `columnDx` left of the
    // child's centre and into its left side (GraphLayout's columns).
    void setColumnRoute(qreal spineDx, qreal headerDy, qreal columnDx);
    void setCurve(); // the plain curve from the parent's right to the child's left

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath path() const;

    Relation m_relation;
    QPointer<QGraphicsObject> m_from;
    QPointer<QGraphicsObject> m_to;
    QPointF m_a, m_b;
    enum class Route { Curve, Grid, Column };
    Route m_route = Route::Curve;
    qreal m_spineDx = 0, m_laneDy = 0, m_columnDx = 0; // relative, as set
    qreal m_spineX = 0, m_laneY = 0, m_columnX = 0; // in the scene, as last adjusted
    QList<QMetaObject::Connection> m_connections;
};

} // namespace immortal
