#include "tablebadge.h"

#include "graphnode.h"

#include <immortal/models/statecolors.h>

#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPropertyAnimation>
#include <QStyleOptionGraphicsItem>
#include <QVariantAnimation>
#include <QWidget>

#include <algorithm>

namespace immortal {

TableBadge::TableBadge(TableId id, QGraphicsItem *parent)
    : QGraphicsObject(parent)
    , m_id(id)
{
    setZValue(4);
    setCursor(Qt::PointingHandCursor);
}

void TableBadge::setContent(const QString &name, qint64 rows, bool orphaned, const QString &toolTip)
{
    if (name == m_name && rows == m_rows && orphaned == m_orphaned && toolTip == this->toolTip())
        return;
    m_name = name;
    m_rows = rows;
    m_orphaned = orphaned;
    setToolTip(toolTip);
    update();
}

void TableBadge::setHeirHint(const QString &heir)
{
    if (heir == m_heirHint)
        return;
    prepareGeometryChange();
    m_heirHint = heir;
    m_width = width;
    if (!heir.isEmpty()) {
        QFont font = QApplication::font();
        font.setPointSizeF(font.pointSizeF() * 0.8);
        const qreal text =
            QFontMetricsF(font).horizontalAdvance(rowsText() + QStringLiteral(" ⇢ ") + heir);
        m_width = std::clamp(text + 12, width, GraphNode::minWidth - 12);
    }
    update();
    follow();
}

void TableBadge::setCurrent(bool current)
{
    if (current == m_current)
        return;
    m_current = current;
    update();
}

bool TableBadge::isMoving() const
{
    return m_glide && m_glide->state() == QAbstractAnimation::Running;
}

QPointF TableBadge::dockPos() const
{
    if (!m_owner)
        return pos();
    // Under the node, left-aligned; a second table goes beside the first.
    QSizeF ownerSize(GraphNode::minWidth, GraphNode::height);
    if (auto *node = qobject_cast<GraphNode *>(m_owner.data()))
        ownerSize = node->size();
    const qreal x = -ownerSize.width() / 2 + m_width / 2 + 6 + m_slot * (width + 4);
    const qreal y = ownerSize.height() / 2 + gap + height / 2;
    return m_owner->pos() + QPointF(x, y);
}

void TableBadge::follow()
{
    if (!isMoving())
        setPos(dockPos());
}

void TableBadge::dock(QGraphicsObject *owner, int slot, bool animate)
{
    const bool ownerChanged = owner != m_owner;
    m_slot = slot;
    if (!owner) {
        // Orphaned: stay put until someone takes it.
        for (const auto &c : std::as_const(m_follow))
            disconnect(c);
        m_follow.clear();
        m_owner = nullptr;
        return;
    }
    if (ownerChanged) {
        for (const auto &c : std::as_const(m_follow))
            disconnect(c);
        m_follow.clear();
        m_owner = owner;
        m_follow << connect(owner, &QGraphicsObject::xChanged, this, &TableBadge::follow)
                 << connect(owner, &QGraphicsObject::yChanged, this, &TableBadge::follow);
    }
    if (!(ownerChanged && animate)) {
        follow();
        return;
    }
    // Glide from where it is to wherever the new owner is at each frame.
    if (m_glide)
        m_glide->stop();
    m_glideFrom = pos();
    auto *glide = new QVariantAnimation(this);
    glide->setStartValue(0.0);
    glide->setEndValue(1.0);
    glide->setDuration(700);
    glide->setEasingCurve(QEasingCurve::InOutCubic);
    connect(glide, &QVariantAnimation::valueChanged, this, [this](const QVariant &v) {
        const qreal t = v.toReal();
        setPos(m_glideFrom + (dockPos() - m_glideFrom) * t);
    });
    connect(glide, &QVariantAnimation::finished, this, [this] { setPos(dockPos()); });
    m_glide = glide;
    glide->start(QAbstractAnimation::DeleteWhenStopped);
}

void TableBadge::fadeOutAndDelete()
{
    setEnabled(false);
    auto *fade = new QPropertyAnimation(this, "opacity", this);
    fade->setDuration(600);
    fade->setEndValue(0.0);
    connect(fade, &QPropertyAnimation::finished, this, &QObject::deleteLater);
    fade->start(QAbstractAnimation::DeleteWhenStopped);
}

QRectF TableBadge::boundingRect() const
{
    return QRectF(-m_width / 2 - 3, -height / 2 - 3, m_width + 6, height + 6);
}

void TableBadge::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    const QPalette palette = widget ? widget->palette() : QApplication::palette();
    const QRectF box(-m_width / 2, -height / 2, m_width, height);
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.42) {
        // Too small to read: a plain box.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(QPen(StateColors::tableBorder(palette), 0));
        painter->setBrush(m_current ? palette.color(QPalette::Highlight)
                                    : StateColors::tableFill(palette));
        painter->drawRect(box);
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    if (m_current) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 3));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(-2, -2, 2, 2), 6, 6);
    }
    QPen pen(StateColors::tableBorder(palette), 1.4);
    if (m_orphaned)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(m_orphaned ? palette.color(QPalette::Base) : StateColors::tableFill(palette));
    painter->drawRoundedRect(box, 5, 5);

    // Two lines: the name, then the row count, so neither gets elided away.
    QFont font = painter->font();
    font.setPointSizeF(font.pointSizeF() * 0.8);
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::Text));
    const QRectF nameRect = box.adjusted(5, 1, -5, -height / 2 + 1);
    painter->drawText(nameRect, Qt::AlignHCenter | Qt::AlignBottom,
                      QFontMetricsF(font).elidedText(m_name, Qt::ElideMiddle, nameRect.width()));
    font.setBold(false);
    painter->setFont(font);
    QString rows = m_orphaned ? tr("%1, orphaned").arg(rowsText()) : rowsText();
    const QRectF rowsRect = box.adjusted(5, height / 2 - 1, -5, -1);
    if (!m_heirHint.isEmpty()) {
        rows += QStringLiteral(" ⇢ ") + m_heirHint;
        painter->setPen(palette.color(QPalette::Link));
    }
    painter->drawText(rowsRect, Qt::AlignHCenter | Qt::AlignTop,
                      QFontMetricsF(font).elidedText(rows, Qt::ElideRight, rowsRect.width()));
}

void TableBadge::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    Q_EMIT clicked(m_id);
    event->accept();
}

QString TableBadge::rowsText() const
{
    return m_rows == 1 ? tr("1 row") : tr("%1 rows").arg(m_rows);
}

} // namespace immortal
