#include "graphnode.h"

#include <immortal/models/statecolors.h>
#include <immortal/node.h>

#include <QApplication>
#include <QGraphicsScene>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPropertyAnimation>
#include <QWidget>

#include <algorithm>

namespace immortal {

GraphNode::GraphNode(quint64 key, QGraphicsItem *parent)
    : QGraphicsObject(parent)
    , m_key(key)
{
    setFlag(ItemIsSelectable, false); // selection is the window's, not the scene's
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
    setZValue(1);
}

void GraphNode::setContent(const QString &label, Pid pid, const QString &kind,
                           ProcessTreeModel::State state, int restarts, const QString &toolTip)
{
    if (label == m_label && pid == m_pid && kind == m_kind && state == m_state
        && restarts == m_restarts && toolTip == this->toolTip())
        return;
    m_label = label;
    m_pid = pid;
    m_kind = kind;
    m_state = state;
    m_restarts = restarts;
    setToolTip(toolTip);
    QGraphicsObject::update();
}

void GraphNode::setCurrent(bool current)
{
    if (m_current == current)
        return;
    m_current = current;
    setZValue(current ? 2 : 1);
    QGraphicsObject::update();
}

void GraphNode::moveTo(const QPointF &to, bool animate)
{
    if (m_move)
        m_move->stop();
    if (!animate || pos() == to) {
        setPos(to);
        return;
    }
    auto *move = new QPropertyAnimation(this, "pos", this);
    move->setDuration(350);
    move->setEasingCurve(QEasingCurve::InOutCubic);
    move->setEndValue(to);
    m_move = move;
    move->start(QAbstractAnimation::DeleteWhenStopped);
}

QRectF GraphNode::boundingRect() const
{
    // Room for the selection halo.
    return QRectF(-width / 2 - 5, -height / 2 - 5, width + 10, height + 10);
}

QPainterPath GraphNode::shape() const
{
    QPainterPath path;
    path.addRoundedRect(QRectF(-width / 2, -height / 2, width, height), 8, 8);
    return path;
}

void GraphNode::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *widget)
{
    const QPalette palette = widget ? widget->palette() : QApplication::palette();
    const QRectF box(-width / 2, -height / 2, width, height);
    painter->setRenderHint(QPainter::Antialiasing);

    if (m_current) {
        QColor halo = palette.color(QPalette::Highlight);
        painter->setPen(QPen(halo, 4));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(-3, -3, 3, 3), 10, 10);
    }

    const QColor fill = StateColors::fill(m_state, palette);
    const QColor border = StateColors::border(m_state, palette);
    QPen pen(border, 1.6);
    if (m_state == ProcessTreeModel::State::Restarting || m_state == ProcessTreeModel::State::Dead)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(fill);
    painter->drawRoundedRect(box, 8, 8);
    if (m_kind == QLatin1String("supervisor")) {
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(3, 3, -3, -3), 6, 6);
    }

    // Text in the palette's text colour: readable on light and dark fills
    // because the fills follow the palette's lightness too.
    const QColor text = palette.color(QPalette::Text);
    QFont font = painter->font();
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(text);
    QRectF titleRect = box.adjusted(8, 5, -8, -height / 2);
    if (m_kind == QLatin1String("table_manager"))
        titleRect.adjust(14, 0, 0, 0);
    // Long names shrink a little before they are elided.
    const qreal basePoints = font.pointSizeF();
    if (QFontMetricsF(font).horizontalAdvance(m_label) > titleRect.width()) {
        font.setPointSizeF(std::max(basePoints * 0.8,
                                    basePoints * titleRect.width()
                                        / QFontMetricsF(font).horizontalAdvance(m_label)));
        painter->setFont(font);
    }
    painter->drawText(titleRect, Qt::AlignCenter,
                      QFontMetricsF(font).elidedText(m_label, Qt::ElideMiddle, titleRect.width()));

    font.setBold(false);
    font.setPointSizeF(basePoints * 0.85);
    painter->setFont(font);
    QColor sub = text;
    sub.setAlphaF(0.75);
    painter->setPen(sub);
    QString line =
        QStringLiteral("%1 · %2").arg(Node::pidText(m_pid), ProcessTreeModel::stateName(m_state));
    if (m_restarts > 0)
        line += QStringLiteral(" · ↻%1").arg(m_restarts);
    const QRectF subRect = box.adjusted(6, height / 2, -6, -5);
    painter->drawText(subRect, Qt::AlignCenter,
                      QFontMetricsF(font).elidedText(line, Qt::ElideRight, subRect.width()));

    if (m_kind == QLatin1String("table_manager")) {
        // A small table glyph: a manager's whole job is a table.
        const QRectF glyph(box.left() + 8, box.top() + 7, 14, 11);
        painter->setPen(QPen(border, 1.2));
        painter->setBrush(StateColors::tableFill(palette));
        painter->drawRect(glyph);
        painter->drawLine(QPointF(glyph.left(), glyph.top() + 4),
                          QPointF(glyph.right(), glyph.top() + 4));
        painter->drawLine(QPointF(glyph.center().x(), glyph.top() + 4),
                          QPointF(glyph.center().x(), glyph.bottom()));
    }
}

void GraphNode::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton || event->button() == Qt::RightButton) {
        Q_EMIT clicked(m_key);
        event->accept();
        return;
    }
    QGraphicsObject::mousePressEvent(event);
}

void GraphNode::contextMenuEvent(QGraphicsSceneContextMenuEvent *event)
{
    Q_EMIT clicked(m_key);
    Q_EMIT contextMenuRequested(m_key, event->screenPos());
    event->accept();
}

} // namespace immortal
