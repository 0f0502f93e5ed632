#include "graphedge.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <QWidget>
#include <QtMath>

#include <algorithm>
#include <cmath>

namespace immortal {

GraphEdge::GraphEdge(Relation relation, QGraphicsObject *from, QGraphicsObject *to,
                     QGraphicsItem *parent)
    : QGraphicsObject(parent)
    , m_relation(relation)
{
    setAcceptedMouseButtons(Qt::NoButton);
    setZValue(relation == Relation::Supervises ? 0 : 3);
    setEnds(from, to);
}

void GraphEdge::setEnds(QGraphicsObject *from, QGraphicsObject *to)
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_from = from;
    m_to = to;
    for (QGraphicsObject *end : { from, to }) {
        if (!end)
            continue;
        m_connections << connect(end, &QGraphicsObject::xChanged, this, &GraphEdge::adjust)
                      << connect(end, &QGraphicsObject::yChanged, this, &GraphEdge::adjust);
    }
    adjust();
}

void GraphEdge::adjust()
{
    prepareGeometryChange();
    if (!m_from || !m_to) {
        m_a = m_b = QPointF();
        return;
    }
    const QRectF a = m_from->mapRectToScene(m_from->boundingRect());
    const QRectF b = m_to->mapRectToScene(m_to->boundingRect());
    // Inset by the margin the items reserve in their bounding rects.
    if (m_relation == Relation::Supervises && m_route != Route::Curve) {
        const QPointF parent = m_from->scenePos(), child = m_to->scenePos();
        m_a = QPointF(a.right() - 5, a.center().y());
        m_spineX = parent.x() + m_spineDx;
        if (m_route == Route::Column) {
            m_b = QPointF(b.left() + 5, b.center().y());
            m_laneY = parent.y() + m_laneDy;
            m_extraAt = child.x() + m_extra;
        } else {
            m_b = QPointF(b.center().x(), b.top() + 5);
            m_laneY = child.y() + m_laneDy;
            m_extraAt = (m_route == Route::GridRow ? child.y() : child.x()) + m_extra;
        }
    } else if (m_relation == Relation::Supervises) {
        m_a = QPointF(a.right() - 5, a.center().y());
        m_b = QPointF(b.left() + 5, b.center().y());
    } else {
        // From the badge's right end to the heir's right side: the arc runs
        // outside the column of nodes instead of across their text.
        m_a = QPointF(a.right() - 3, a.center().y());
        m_b = QPointF(b.right() - 5, b.center().y());
    }
}

void GraphEdge::setRoute(Route route, qreal spineDx, qreal laneDy, qreal extra)
{
    if (route == m_route && spineDx == m_spineDx && laneDy == m_laneDy && extra == m_extra)
        return;
    m_route = route;
    m_spineDx = spineDx;
    m_laneDy = laneDy;
    m_extra = extra;
    adjust();
}

QPainterPath GraphEdge::path() const
{
    QPainterPath p(m_a);
    if (m_relation == Relation::Supervises && m_route == Route::GridFirst) {
        // Out to the spine, down (or up) to the lane, along it, into the top.
        p.lineTo(m_spineX, m_a.y());
        p.lineTo(m_spineX, m_laneY);
        p.lineTo(m_b.x(), m_laneY);
        p.lineTo(m_b);
    } else if (m_relation == Relation::Supervises && m_route == Route::GridRow) {
        // The spine's piece from the lane above, then as the first.
        p = QPainterPath(QPointF(m_spineX, m_extraAt));
        p.lineTo(m_spineX, m_laneY);
        p.lineTo(m_b.x(), m_laneY);
        p.lineTo(m_b);
    } else if (m_relation == Relation::Supervises && m_route == Route::GridCell) {
        // The lane's piece from the cell before, into the top.
        p = QPainterPath(QPointF(m_extraAt, m_laneY));
        p.lineTo(m_b.x(), m_laneY);
        p.lineTo(m_b);
    } else if (m_relation == Relation::Supervises && m_route == Route::Column) {
        // Out to the spine, up to the header lane above the columns, along
        // it to the column's spine, down it, into the left side.
        p.lineTo(m_spineX, m_a.y());
        p.lineTo(m_spineX, m_laneY);
        p.lineTo(m_extraAt, m_laneY);
        p.lineTo(m_extraAt, m_b.y());
        p.lineTo(m_b);
    } else if (m_relation == Relation::Supervises) {
        const qreal midX = (m_a.x() + m_b.x()) / 2;
        p.cubicTo(QPointF(midX, m_a.y()), QPointF(midX, m_b.y()), m_b);
    } else {
        const qreal out = std::max(m_a.x(), m_b.x()) + 28 + std::abs(m_a.y() - m_b.y()) * 0.15;
        p.cubicTo(QPointF(out, m_a.y()), QPointF(out, m_b.y()), m_b);
    }
    return p;
}

QRectF GraphEdge::boundingRect() const
{
    if (m_a == m_b)
        return {};
    return path().boundingRect().adjusted(-10, -10, 10, 10);
}

void GraphEdge::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    if (!m_from || !m_to || m_a == m_b)
        return;
    const QPalette palette = widget ? widget->palette() : QApplication::palette();
    const bool detailed = option->levelOfDetailFromTransform(painter->worldTransform()) >= 0.3;
    painter->setRenderHint(QPainter::Antialiasing, detailed);
    const QPainterPath p = path();
    if (m_relation == Relation::Supervises) {
        // Opaque (mixed with the background), so the shared spines and lanes
        // of a grid do not darken where they overlap.
        const QColor text = palette.color(QPalette::Text);
        const QColor base = palette.color(QPalette::Base);
        const QColor c = QColor::fromRgbF(text.redF() * 0.45 + base.redF() * 0.55,
                                          text.greenF() * 0.45 + base.greenF() * 0.55,
                                          text.blueF() * 0.45 + base.blueF() * 0.55);
        painter->setPen(QPen(c, detailed ? 1.4 : 0));
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(p);
        return;
    }
    QColor c = palette.color(QPalette::Link);
    painter->setPen(QPen(c, 1.4, Qt::DashLine));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(p);
    // Arrow head along the path's final direction.
    const qreal angle = qDegreesToRadians(-p.angleAtPercent(1.0));
    const QPointF tip = m_b;
    const QPointF left = tip - QPointF(std::cos(angle - 0.45) * 9, std::sin(angle - 0.45) * 9);
    const QPointF right = tip - QPointF(std::cos(angle + 0.45) * 9, std::sin(angle + 0.45) * 9);
    painter->setPen(QPen(c, 1.2));
    painter->setBrush(c);
    painter->drawPolygon(QPolygonF({ tip, left, right }));
}

} // namespace immortal
