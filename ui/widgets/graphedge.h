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
    // How a tree edge runs (GraphLayout::Place::Route says more). The
    // numbers are relative, so the route follows moving nodes: `spineDx`
    // from the parent's centre; `laneDy` from the child's centre (from the
    // parent's for Column); `extra` is, from the child's centre, the y the
    // spine piece starts at (GridRow) or the x of the column's spine or of
    // the cell before (Column, GridCell).
    enum class Route { Curve, GridFirst, GridRow, GridCell, Column };
    void setRoute(Route route, qreal spineDx = 0, qreal laneDy = 0, qreal extra = 0);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath path() const;

    Relation m_relation;
    QPointer<QGraphicsObject> m_from;
    QPointer<QGraphicsObject> m_to;
    QPointF m_a, m_b;
    Route m_route = Route::Curve;
    qreal m_spineDx = 0, m_laneDy = 0, m_extra = 0; // relative, as set
    qreal m_spineX = 0, m_laneY = 0, m_extraAt = 0; // in the scene, as last adjusted
    QList<QMetaObject::Connection> m_connections;
};

} // namespace immortal
