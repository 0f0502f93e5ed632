#include <immortal/widgets/ownershiptimelineview.h>

#include <immortal/models/ownershiptimeline.h>
#include <immortal/models/statecolors.h>
#include <immortal/node.h>

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <span>

namespace immortal {

namespace {

constexpr int kGutter = 150; // table names
constexpr int kAxis = 22; // time ticks
constexpr int kLane = 34; // one table
constexpr int kBar = 20; // the owner bar inside a lane
constexpr int kSizeLine = 6; // the row count under it
// The horizontal scroll bar counts in steps of the run, not pixels: a run of
// hours at 10 ns per pixel has more pixels than an int holds.
constexpr int kScrollSteps = 1000000;

using Span = OwnershipTimeline::Span;
using Lane = OwnershipTimeline::Lane;

QString kindText(Span::Kind kind)
{
    switch (kind) {
    case Span::Kind::Owned:
        return OwnershipTimelineView::tr("owned");
    case Span::Kind::HeldByHeir:
        return OwnershipTimelineView::tr("held by its heir");
    case Span::Kind::Orphaned:
        return OwnershipTimelineView::tr("orphaned, no owner");
    }
    return {};
}

ProcessTreeModel::State stateOf(Span::Kind kind)
{
    switch (kind) {
    case Span::Kind::Owned:
        return ProcessTreeModel::State::Running;
    case Span::Kind::HeldByHeir:
        return ProcessTreeModel::State::Waiting;
    case Span::Kind::Orphaned:
        return ProcessTreeModel::State::Restarting;
    }
    return ProcessTreeModel::State::Running;
}

// A tick step of 1, 2 or 5 times a power of ten, at least `minNs`.
qint64 niceStep(double minNs)
{
    qint64 step = 1;
    while (true) {
        for (const qint64 m : { 1, 2, 5 }) {
            if (double(step * m) >= minNs)
                return step * m;
        }
        step *= 10;
    }
}

} // namespace

OwnershipTimelineView::OwnershipTimelineView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    setAccessibleName(tr("Ownership timeline"));
}

void OwnershipTimelineView::setTimeline(OwnershipTimeline *timeline)
{
    if (m_timeline)
        disconnect(m_timeline, nullptr, this, nullptr);
    m_timeline = timeline;
    if (timeline)
        connect(timeline, &OwnershipTimeline::changed, this,
                &OwnershipTimelineView::timelineChanged);
    m_fitted = true;
    m_following = true;
    timelineChanged();
}

void OwnershipTimelineView::setNowNs(qint64 nowNs)
{
    m_nowNs = nowNs;
    timelineChanged();
}

qint64 OwnershipTimelineView::now() const
{
    const qint64 last = m_timeline ? m_timeline->lastNs() : 0;
    return qMax(m_nowNs, last);
}

qint64 OwnershipTimelineView::startNs() const
{
    return m_timeline ? m_timeline->firstNs() : 0;
}

int OwnershipTimelineView::plotWidth() const
{
    return qMax(1, viewport()->width() - kGutter);
}

double OwnershipTimelineView::maxNsPerPixel() const
{
    const double range = double(qMax<qint64>(now() - startNs(), 1));
    return qMax(double(minNsPerPixel()), range / plotWidth());
}

int OwnershipTimelineView::laneTop(int lane) const
{
    return kAxis + lane * kLane - verticalScrollBar()->value();
}

qint64 OwnershipTimelineView::timeAt(int x) const
{
    return startNs() + m_leftNs + qint64(std::llround((x - kGutter) * m_nsPerPixel));
}

int OwnershipTimelineView::xOf(qint64 tNs) const
{
    const double x = kGutter + double(tNs - startNs() - m_leftNs) / m_nsPerPixel;
    return int(std::clamp(x, -1e6, 1e6));
}

void OwnershipTimelineView::timelineChanged()
{
    if (m_fitted)
        m_nsPerPixel = maxNsPerPixel();
    const qint64 range = now() - startNs();
    if (m_following)
        m_leftNs = qMax<qint64>(0, range - qint64(plotWidth() * m_nsPerPixel));
    updateScrollBars();
    viewport()->update();
}

void OwnershipTimelineView::zoomBy(double factor, int anchorX)
{
    if (factor <= 0)
        return;
    if (anchorX < kGutter)
        anchorX = kGutter + plotWidth() / 2;
    const qint64 anchor = timeAt(anchorX);
    const double maxNs = maxNsPerPixel();
    m_nsPerPixel = std::clamp(m_nsPerPixel / factor, double(minNsPerPixel()), maxNs);
    m_fitted = m_nsPerPixel >= maxNs;
    const qint64 range = now() - startNs();
    const qint64 view = qint64(plotWidth() * m_nsPerPixel);
    m_leftNs = std::clamp<qint64>(anchor - startNs() - qint64((anchorX - kGutter) * m_nsPerPixel),
                                  0, qMax<qint64>(0, range - view));
    m_following = m_leftNs + view >= range;
    updateScrollBars();
    viewport()->update();
}

void OwnershipTimelineView::zoomToFit()
{
    m_fitted = true;
    m_following = true;
    timelineChanged();
}

void OwnershipTimelineView::showTime(qint64 tNs)
{
    m_markNs = tNs;
    const qint64 range = now() - startNs();
    const qint64 view = qint64(plotWidth() * m_nsPerPixel);
    m_leftNs = std::clamp<qint64>(tNs - startNs() - view / 2, 0, qMax<qint64>(0, range - view));
    m_following = m_leftNs + view >= range;
    updateScrollBars();
    viewport()->update();
}

void OwnershipTimelineView::showTable(TableId table)
{
    m_highlight = table;
    if (m_timeline) {
        if (const int lane = m_timeline->laneOf(table); lane >= 0) {
            const int top = kAxis + lane * kLane;
            QScrollBar *v = verticalScrollBar();
            const int visible = viewport()->height() - kAxis;
            if (top - kAxis < v->value() || top + kLane - kAxis > v->value() + visible)
                v->setValue(top - kAxis - visible / 2 + kLane / 2);
        }
    }
    viewport()->update();
}

QRect OwnershipTimelineView::spanRect(TableId table, int index) const
{
    if (!m_timeline)
        return {};
    const int lane = m_timeline->laneOf(table);
    if (lane < 0 || index < 0 || index >= m_timeline->lanes().at(lane).spans.size())
        return {};
    const Span &s = m_timeline->lanes().at(lane).spans.at(index);
    const int x0 = qMax(kGutter, xOf(s.startNs));
    const int x1 = qMin(viewport()->width(), xOf(s.isOpen() ? now() : s.endNs));
    if (x1 < x0)
        return {};
    return QRect(x0, laneTop(lane) + 3, qMax(1, x1 - x0), kBar);
}

QSize OwnershipTimelineView::sizeHint() const
{
    return { 640, kAxis + 4 * kLane + horizontalScrollBar()->sizeHint().height() };
}

void OwnershipTimelineView::updateScrollBars()
{
    m_updatingScrollBars = true;
    const int lanes = m_timeline ? int(m_timeline->lanes().size()) : 0;
    QScrollBar *v = verticalScrollBar();
    v->setRange(0, qMax(0, kAxis + lanes * kLane - viewport()->height()));
    v->setPageStep(qMax(1, viewport()->height() - kAxis));
    v->setSingleStep(kLane);

    const double range = double(qMax<qint64>(now() - startNs(), 1));
    const double view = std::min(range, plotWidth() * m_nsPerPixel);
    QScrollBar *h = horizontalScrollBar();
    const int page = int(std::ceil(view / range * kScrollSteps));
    h->setRange(0, qMax(0, kScrollSteps - page));
    h->setPageStep(qMax(1, page));
    h->setSingleStep(qMax(1, page / 10));
    h->setValue(int(std::llround(double(m_leftNs) / range * kScrollSteps)));
    m_updatingScrollBars = false;
}

void OwnershipTimelineView::scrollContentsBy(int dx, int)
{
    if (dx != 0 && !m_updatingScrollBars) {
        const double range = double(qMax<qint64>(now() - startNs(), 1));
        m_leftNs = qint64(double(horizontalScrollBar()->value()) / kScrollSteps * range);
        m_following = horizontalScrollBar()->value() >= horizontalScrollBar()->maximum();
    }
    viewport()->update();
}

void OwnershipTimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    timelineChanged();
}

void OwnershipTimelineView::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(1.25, delta.y() / 120.0), int(event->position().x()));
    } else if (delta.x() != 0 || (event->modifiers() & Qt::ShiftModifier)) {
        const int steps = (delta.x() != 0 ? delta.x() : delta.y()) / 120;
        horizontalScrollBar()->setValue(horizontalScrollBar()->value()
                                        - steps * horizontalScrollBar()->singleStep());
    } else {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    event->accept();
}

void OwnershipTimelineView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.5);
        break;
    case Qt::Key_Minus:
        zoomBy(1 / 1.5);
        break;
    case Qt::Key_0:
        zoomToFit();
        break;
    case Qt::Key_Left:
        horizontalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepSub);
        break;
    case Qt::Key_Right:
        horizontalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

OwnershipTimelineView::Hit OwnershipTimelineView::hitAt(const QPoint &pos) const
{
    Hit hit;
    if (!m_timeline || pos.y() < kAxis)
        return hit;
    const int lane = (pos.y() - kAxis + verticalScrollBar()->value()) / kLane;
    if (lane < 0 || lane >= m_timeline->lanes().size())
        return hit;
    hit.lane = lane;
    if (pos.x() < kGutter)
        return hit;
    hit.tNs = timeAt(pos.x());
    const QList<Span> &spans = m_timeline->lanes().at(lane).spans;
    // Within a pixel of a narrow span counts as on it.
    const qint64 slack = qint64(m_nsPerPixel);
    auto it = std::upper_bound(spans.cbegin(), spans.cend(), hit.tNs + slack,
                               [](qint64 t, const Span &s) { return t < s.startNs; });
    if (it != spans.cbegin()) {
        --it;
        if (it->isOpen() || hit.tNs - slack < it->endNs)
            hit.span = int(it - spans.cbegin());
    }
    return hit;
}

QString OwnershipTimelineView::toolTipAt(const QPoint &pos) const
{
    const Hit hit = hitAt(pos);
    if (hit.lane < 0)
        return {};
    const Lane &lane = m_timeline->lanes().at(hit.lane);
    if (hit.span < 0) {
        QString fate;
        if (lane.fate == Lane::Fate::Lost)
            fate = tr("<br>lost");
        else if (lane.fate == Lane::Fate::Deleted)
            fate = tr("<br>deleted");
        const int changes = int(lane.spans.size()) + lane.droppedSpans - 1;
        return tr("<b>%1</b> (table %2)<br>%3")
                   .arg(lane.name.toHtmlEscaped())
                   .arg(lane.table)
                   .arg(changes == 1 ? tr("1 change of owner")
                                     : tr("%1 changes of owner").arg(qMax(0, changes)))
            + fate;
    }
    const Span &s = lane.spans.at(hit.span);
    const qint64 t0 = s.startNs - startNs();
    QString text = s.owner
        ? tr("<b>%1</b> %2")
              .arg(s.ownerLabel.toHtmlEscaped(), Node::pidText(s.owner).toHtmlEscaped())
        : tr("<b>%1</b>").arg(s.ownerLabel.toHtmlEscaped());
    text += tr("<br>%1 for %2, from t = %3")
                .arg(kindText(s.kind), OwnershipTimeline::formatDuration(s.durationNs(now())),
                     OwnershipTimeline::formatDuration(t0));
    text += tr("<br>began: %1").arg(s.cause.toHtmlEscaped());
    if (!s.isOpen())
        text += tr("<br>ended: %1").arg(s.end.toHtmlEscaped());
    // The rows at the moment pointed at.
    auto it = std::upper_bound(
        lane.sizes.cbegin(), lane.sizes.cend(), hit.tNs,
        [](qint64 t, const OwnershipTimeline::SizeSample &x) { return t < x.tNs; });
    if (it != lane.sizes.cbegin())
        text += std::prev(it)->size == 1 ? tr("<br>1 row then")
                                         : tr("<br>%1 rows then").arg(std::prev(it)->size);
    return text;
}

bool OwnershipTimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void OwnershipTimelineView::mousePressEvent(QMouseEvent *event)
{
    const Hit hit = hitAt(event->position().toPoint());
    if (hit.lane < 0 || event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const Lane &lane = m_timeline->lanes().at(hit.lane);
    m_highlight = lane.table;
    Q_EMIT tableActivated(lane.table);
    if (event->position().x() >= kGutter) {
        m_markNs = hit.tNs;
        Q_EMIT momentActivated(hit.tNs);
        if (hit.span >= 0 && lane.spans.at(hit.span).owner != 0)
            Q_EMIT processActivated(lane.spans.at(hit.span).owner);
    }
    viewport()->update();
    event->accept();
}

void OwnershipTimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    event->accept(); // the press did the work
}

void OwnershipTimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), palette().base());
    if (!m_timeline || m_timeline->lanes().isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(viewport()->rect(), Qt::AlignCenter,
                   tr("No tables yet: each table gets a lane of who owned it, when."));
        return;
    }
    const int lanes = int(m_timeline->lanes().size());
    const int first = qMax(0, verticalScrollBar()->value() / kLane);
    const int last = qMin(lanes - 1, first + viewport()->height() / kLane + 1);
    for (int lane = first; lane <= last; ++lane)
        paintLane(p, lane);
    paintAxis(p);
    if (m_markNs >= 0) {
        const int x = xOf(m_markNs);
        if (x >= kGutter) {
            p.setPen(QPen(palette().color(QPalette::Highlight), 1));
            p.drawLine(x, kAxis, x, viewport()->height());
        }
    }
}

void OwnershipTimelineView::paintAxis(QPainter &p)
{
    const QRect axis(0, 0, viewport()->width(), kAxis);
    p.fillRect(axis, palette().window());
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(0, kAxis - 1, viewport()->width(), kAxis - 1);
    p.drawLine(kGutter - 1, 0, kGutter - 1, viewport()->height());
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(6, 0, kGutter - 12, kAxis), Qt::AlignVCenter | Qt::AlignLeft, tr("table"));
    const qint64 step = niceStep(90 * m_nsPerPixel);
    const qint64 from = timeAt(kGutter) - startNs();
    for (qint64 t = (from / step) * step; t <= from + qint64(plotWidth() * m_nsPerPixel);
         t += step) {
        const int x = xOf(startNs() + t);
        if (x < kGutter)
            continue;
        p.setPen(palette().color(QPalette::Mid));
        p.drawLine(x, kAxis - 5, x, kAxis - 1);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(x + 3, 0, 100, kAxis - 2), Qt::AlignVCenter | Qt::AlignLeft,
                   t == 0 ? QStringLiteral("0") : OwnershipTimeline::formatDuration(t));
    }
}

void OwnershipTimelineView::paintLane(QPainter &p, int index)
{
    const Lane &lane = m_timeline->lanes().at(index);
    const int top = laneTop(index);
    const QPalette &pal = palette();
    if (lane.table == m_highlight)
        p.fillRect(QRect(0, top, viewport()->width(), kLane), pal.color(QPalette::AlternateBase));
    p.setPen(pal.color(QPalette::Midlight));
    p.drawLine(0, top + kLane - 1, viewport()->width(), top + kLane - 1);

    // The table's name in the gutter, elided, with its fate.
    QString name = lane.name;
    if (lane.fate == Lane::Fate::Lost)
        name = tr("%1 (lost)").arg(name);
    else if (lane.fate == Lane::Fate::Deleted)
        name = tr("%1 (deleted)").arg(name);
    p.setPen(pal.color(lane.fate == Lane::Fate::Alive ? QPalette::WindowText
                                                      : QPalette::PlaceholderText));
    p.drawText(QRect(6, top, kGutter - 12, kLane), Qt::AlignVCenter | Qt::AlignLeft,
               p.fontMetrics().elidedText(name, Qt::ElideRight, kGutter - 12));

    p.save();
    p.setClipRect(QRect(kGutter, top, plotWidth(), kLane));
    const qint64 leftT = timeAt(kGutter), rightT = timeAt(viewport()->width());
    const QList<Span> &spans = lane.spans;
    // The first span that ends after the left edge.
    auto it = std::upper_bound(spans.cbegin(), spans.cend(), leftT,
                               [](qint64 t, const Span &s) { return t < s.startNs; });
    if (it != spans.cbegin())
        --it;
    int lastX = -1;
    const QColor crash = QColor(200, 40, 40);
    for (; it != spans.cend() && it->startNs <= rightT; ++it) {
        const int x0 = xOf(it->startNs);
        const int x1 = qMax(x0 + 1, xOf(it->isOpen() ? now() : it->endNs));
        if (x1 <= lastX)
            continue; // many spans in one pixel: the first drawn stands for them
        lastX = x1;
        const QRect bar(x0, top + 3, x1 - x0, kBar);
        const ProcessTreeModel::State state = stateOf(it->kind);
        p.setPen(StateColors::border(state, pal));
        p.setBrush(StateColors::fill(state, pal));
        p.drawRect(bar.adjusted(0, 0, -1, -1));
        if (it->kind == Span::Kind::Orphaned) {
            p.setBrush(QBrush(StateColors::border(state, pal), Qt::BDiagPattern));
            p.drawRect(bar.adjusted(0, 0, -1, -1));
        }
        if (it->kind != Span::Kind::Owned) {
            // The crash that moved the table: a mark where the span begins.
            QPainterPath mark;
            mark.moveTo(x0 - 4, top + 1);
            mark.lineTo(x0 + 4, top + 1);
            mark.lineTo(x0, top + 7);
            mark.closeSubpath();
            p.fillPath(mark, crash);
        }
        QString text = it->ownerLabel;
        if (it->kind != Span::Kind::Owned)
            text =
                tr("%1 · %2").arg(text, OwnershipTimeline::formatDuration(it->durationNs(now())));
        const QRect textRect =
            bar.adjusted(4, 0, -4, 0).intersected(QRect(kGutter + 2, top, plotWidth() - 4, kLane));
        if (textRect.width() > p.fontMetrics().horizontalAdvance(text)) {
            p.setPen(pal.color(QPalette::Text));
            p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, text);
        }
    }
    // The row count, scaled to the most the table ever had.
    if (!lane.sizes.isEmpty()) {
        const int base = top + 3 + kBar + kSizeLine + 1;
        const double scale = lane.maxSize > 0 ? double(kSizeLine) / double(lane.maxSize) : 0;
        QPainterPath line;
        bool started = false;
        int lastY = 0;
        // From the last sample at or before the left edge: the rest are off screen.
        auto from = std::upper_bound(
            lane.sizes.cbegin(), lane.sizes.cend(), leftT,
            [](qint64 t, const OwnershipTimeline::SizeSample &x) { return t < x.tNs; });
        if (from != lane.sizes.cbegin())
            --from;
        for (const OwnershipTimeline::SizeSample &s : std::span(from, lane.sizes.cend())) {
            const int x = xOf(s.tNs);
            const int y = base - int(std::lround(double(s.size) * scale));
            if (!started) {
                line.moveTo(x, y);
                started = true;
            } else {
                line.lineTo(x, lastY);
                line.lineTo(x, y);
            }
            lastY = y;
            if (s.tNs > rightT)
                break;
        }
        line.lineTo(lane.endNs >= 0 ? xOf(lane.endNs) : xOf(now()), lastY);
        p.setPen(QPen(pal.color(QPalette::Link), 1));
        p.setBrush(Qt::NoBrush);
        p.drawPath(line);
    }
    if (lane.endNs >= 0) {
        const int x = xOf(lane.endNs);
        p.setPen(QPen(lane.fate == Lane::Fate::Lost ? crash : pal.color(QPalette::Mid), 2));
        p.drawLine(x, top + 2, x, top + kLane - 3);
    }
    p.restore();
}

} // namespace immortal
