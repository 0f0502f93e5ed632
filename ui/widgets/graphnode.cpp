#include "graphnode.h"

#include <immortal/models/statecolors.h>
#include <immortal/node.h>

#include <QApplication>
#include <QGraphicsScene>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPropertyAnimation>
#include <QStyleOptionGraphicsItem>
#include <QWidget>

#include <algorithm>

namespace immortal {

namespace {
constexpr qreal textMargin = 10;
constexpr qreal glyphRoom = 18; // a table manager's glyph
constexpr qreal toggleRoom = 18; // a supervisor's +/- toggle
constexpr qreal toggleRadius = 7;
// Below this many device pixels per scene unit the text would be under
// about 5 px high: boxes only.
constexpr qreal textLod = 0.42;
} // namespace

GraphNode::GraphNode(quint64 key, QGraphicsItem *parent)
    : QGraphicsObject(parent)
    , m_key(key)
{
    setFlag(ItemIsSelectable, false); // selection is the window's, not the scene's
    setAcceptHoverEvents(true);
    setCursor(Qt::PointingHandCursor);
    setZValue(1);
}

QFont GraphNode::titleFont()
{
    QFont font = QApplication::font();
    font.setBold(true);
    return font;
}

qreal GraphNode::widthFor(const QString &label, const QString &kind, bool expandable)
{
    const qreal text = QFontMetricsF(titleFont()).horizontalAdvance(label);
    const qreal extra = 2 * textMargin + (kind == QLatin1String("table_manager") ? glyphRoom : 0)
        + (expandable ? toggleRoom : 0);
    return std::clamp(std::ceil(text + extra), minWidth, maxWidth);
}

QString GraphNode::elideAtWord(const QString &text, const QFontMetricsF &metrics, qreal width)
{
    if (metrics.horizontalAdvance(text) <= width)
        return text;
    const QString ellipsis(QChar(0x2026));
    // Candidate cuts: after a separator, or before an upper-case letter
    // that follows a lower-case one ("Session|Manager").
    QString best;
    for (int i = 1; i < text.size(); ++i) {
        const QChar prev = text.at(i - 1), c = text.at(i);
        const bool cut = prev == u'.' || prev == u'_' || prev == u'-' || prev == u' '
            || prev == u'/' || prev == u':' || (prev.isLower() && c.isUpper());
        if (!cut)
            continue;
        const QString candidate = text.left(i).trimmed() + ellipsis;
        if (metrics.horizontalAdvance(candidate) > width)
            break;
        best = candidate;
    }
    // One long word: cut it where it must be.
    return best.isEmpty() ? metrics.elidedText(text, Qt::ElideRight, width) : best;
}

void GraphNode::setContent(const QString &label, Pid pid, const QString &kind,
                           ProcessTreeModel::State state, int restarts)
{
    if (label == m_label && pid == m_pid && kind == m_kind && state == m_state
        && restarts == m_restarts)
        return;
    const bool resize = label != m_label || kind != m_kind;
    m_label = label;
    m_pid = pid;
    m_kind = kind;
    m_state = state;
    m_restarts = restarts;
    if (resize) {
        prepareGeometryChange();
        m_width = widthFor(m_label, m_kind, m_expandable);
    }
    QGraphicsObject::update();
}

void GraphNode::setExpandable(bool expandable)
{
    if (expandable == m_expandable)
        return;
    prepareGeometryChange();
    m_expandable = expandable;
    m_width = widthFor(m_label, m_kind, m_expandable);
    QGraphicsObject::update();
}

void GraphNode::setCollapsed(bool collapsed, int processes, int restarts, int tables)
{
    if (collapsed == m_collapsed && processes == m_hiddenProcesses && restarts == m_hiddenRestarts
        && tables == m_hiddenTables)
        return;
    if (collapsed != m_collapsed)
        prepareGeometryChange();
    m_collapsed = collapsed;
    m_hiddenProcesses = processes;
    m_hiddenRestarts = restarts;
    m_hiddenTables = tables;
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

void GraphNode::setMatched(bool matched)
{
    if (m_matched == matched)
        return;
    m_matched = matched;
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

bool GraphNode::isMoving() const
{
    return m_move && m_move->state() == QAbstractAnimation::Running;
}

QRectF GraphNode::boundingRect() const
{
    // Room for the selection halo, and the pile behind a collapsed node.
    const QSizeF s = size();
    return QRectF(-s.width() / 2 - 5, -s.height() / 2 - 5, s.width() + 10 + (m_collapsed ? 6 : 0),
                  s.height() + 10 + (m_collapsed ? 6 : 0));
}

QPainterPath GraphNode::shape() const
{
    const QSizeF s = size();
    QPainterPath path;
    path.addRoundedRect(QRectF(QPointF(-s.width() / 2, -s.height() / 2), s), 8, 8);
    return path;
}

QRectF GraphNode::toggleRect() const
{
    const QSizeF s = size();
    return QRectF(s.width() / 2 - toggleRoom / 2 - 4 - toggleRadius, -toggleRadius,
                  2 * toggleRadius, 2 * toggleRadius);
}

void GraphNode::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    const QPalette palette = widget ? widget->palette() : QApplication::palette();
    const QSizeF s = size();
    const QRectF box(QPointF(-s.width() / 2, -s.height() / 2), s);
    const QColor fill = StateColors::fill(m_state, palette);
    const QColor border = StateColors::border(m_state, palette);
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());

    if (lod < textLod) {
        // Too small to read: a plain box, its state's colours, no text.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(m_current || m_matched ? QPen(palette.color(QPalette::Highlight), 0)
                                               : QPen(border, 0));
        painter->setBrush(m_current ? palette.color(QPalette::Highlight) : fill);
        if (m_collapsed)
            painter->drawRect(box.translated(5, 5));
        painter->drawRect(box);
        return;
    }

    painter->setRenderHint(QPainter::Antialiasing);
    if (m_collapsed) {
        // A pile: what is folded away lies behind.
        QPen pile(border, 1.2);
        painter->setPen(pile);
        painter->setBrush(fill.darker(108));
        painter->drawRoundedRect(box.translated(6, 6), 8, 8);
        painter->drawRoundedRect(box.translated(3, 3), 8, 8);
    }
    if (m_current || m_matched) {
        QColor halo = palette.color(QPalette::Highlight);
        if (!m_current)
            halo.setAlphaF(0.5);
        painter->setPen(QPen(halo, m_current ? 4 : 3));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(box.adjusted(-3, -3, 3, 3), 10, 10);
    }

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
    QFont font = titleFont();
    painter->setFont(font);
    painter->setPen(text);
    QRectF textBox = box.adjusted(textMargin, 0, -textMargin, 0);
    if (m_expandable)
        textBox.adjust(0, 0, -toggleRoom, 0);
    QRectF titleRect(textBox.left(), box.top() + 5, textBox.width(), height / 2 - 5);
    if (m_kind == QLatin1String("table_manager"))
        titleRect.adjust(glyphRoom, 0, 0, 0);
    painter->drawText(titleRect, Qt::AlignCenter,
                      elideAtWord(m_label, QFontMetricsF(font), titleRect.width()));

    font.setBold(false);
    font.setPointSizeF(font.pointSizeF() * 0.85);
    painter->setFont(font);
    QColor sub = text;
    sub.setAlphaF(0.75);
    painter->setPen(sub);
    const QFontMetricsF small(font);
    QString line =
        QStringLiteral("%1 · %2").arg(Node::pidText(m_pid), ProcessTreeModel::stateName(m_state));
    if (m_restarts > 0)
        line += QStringLiteral(" · ↻%1").arg(m_restarts);
    const QRectF subRect(textBox.left(), box.top() + height / 2, textBox.width(), height / 2 - 5);
    painter->drawText(subRect, Qt::AlignCenter,
                      small.elidedText(line, Qt::ElideRight, subRect.width()));
    if (m_collapsed) {
        QString counts =
            m_hiddenProcesses == 1 ? tr("1 process") : tr("%1 processes").arg(m_hiddenProcesses);
        if (m_hiddenRestarts > 0)
            counts += QStringLiteral(" · ↻%1").arg(m_hiddenRestarts);
        if (m_hiddenTables > 0)
            counts += QStringLiteral(" · ")
                + (m_hiddenTables == 1 ? tr("1 table") : tr("%1 tables").arg(m_hiddenTables));
        const QRectF countRect(textBox.left(), box.top() + height - 4, textBox.width(),
                               collapsedHeight - height);
        painter->setPen(text);
        painter->drawText(countRect, Qt::AlignCenter,
                          small.elidedText(counts, Qt::ElideRight, countRect.width()));
    }

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
    if (m_expandable) {
        const QRectF t = toggleRect();
        painter->setPen(QPen(border, 1.2));
        painter->setBrush(palette.color(QPalette::Base));
        painter->drawEllipse(t);
        painter->setPen(QPen(text, 1.6));
        const QPointF c = t.center();
        painter->drawLine(c - QPointF(3.5, 0), c + QPointF(3.5, 0));
        if (m_collapsed)
            painter->drawLine(c - QPointF(0, 3.5), c + QPointF(0, 3.5));
    }
}

void GraphNode::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_expandable
        && toggleRect().adjusted(-3, -3, 3, 3).contains(event->pos())) {
        Q_EMIT clicked(m_key);
        Q_EMIT toggleRequested(m_key);
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton || event->button() == Qt::RightButton) {
        Q_EMIT clicked(m_key);
        event->accept();
        return;
    }
    QGraphicsObject::mousePressEvent(event);
}

void GraphNode::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    // On the toggle, the press already toggled.
    if (event->button() == Qt::LeftButton && m_expandable
        && !toggleRect().adjusted(-3, -3, 3, 3).contains(event->pos())) {
        Q_EMIT toggleRequested(m_key);
        event->accept();
        return;
    }
    QGraphicsObject::mouseDoubleClickEvent(event);
}

void GraphNode::contextMenuEvent(QGraphicsSceneContextMenuEvent *event)
{
    Q_EMIT clicked(m_key);
    Q_EMIT contextMenuRequested(m_key, event->screenPos());
    event->accept();
}

} // namespace immortal
