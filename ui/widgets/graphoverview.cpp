#include "graphoverview.h"

#include <QGraphicsScene>
#include <QGraphicsView>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace immortal {

GraphOverview::GraphOverview(QGraphicsView *view, QWidget *parent)
    : QWidget(parent)
    , m_view(view)
{
    setToolTip(tr("Overview of the whole tree: click or drag to move the view"));
    setCursor(Qt::CrossCursor);
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(250);
    connect(&m_renderTimer, &QTimer::timeout, this, &GraphOverview::render);
}

void GraphOverview::sceneChanged()
{
    if (!m_renderTimer.isActive())
        m_renderTimer.start();
}

QRectF GraphOverview::sceneRectShown() const
{
    return m_view->sceneRect();
}

QRectF GraphOverview::target() const
{
    const QRectF scene = sceneRectShown();
    const QRectF area = QRectF(rect()).adjusted(4, 4, -4, -4);
    if (scene.isEmpty() || area.isEmpty())
        return {};
    QSizeF size = scene.size();
    size.scale(area.size(), Qt::KeepAspectRatio);
    QRectF t(QPointF(), size);
    t.moveCenter(area.center());
    return t;
}

QPointF GraphOverview::toScene(const QPointF &widgetPos) const
{
    const QRectF t = target();
    const QRectF scene = sceneRectShown();
    if (t.isEmpty())
        return scene.center();
    return scene.topLeft()
        + QPointF((widgetPos.x() - t.left()) * scene.width() / t.width(),
                  (widgetPos.y() - t.top()) * scene.height() / t.height());
}

void GraphOverview::render()
{
    const QRectF t = target();
    if (t.isEmpty() || !m_view->scene() || !isVisible())
        return;
    const qreal dpr = devicePixelRatioF();
    QPixmap pixmap((t.size() * dpr).toSize());
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    m_view->scene()->render(&painter, QRectF(QPointF(), t.size()), sceneRectShown(),
                            Qt::KeepAspectRatio);
    painter.end();
    m_pixmap = pixmap;
    m_rendered = sceneRectShown();
    update();
}

void GraphOverview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette pal = palette();
    painter.setPen(QPen(pal.color(QPalette::Mid), 1));
    painter.setBrush(pal.color(QPalette::Base)); // opaque: the graph must not show through
    painter.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
    const QRectF t = target();
    if (t.isEmpty())
        return;
    if (m_rendered != sceneRectShown())
        const_cast<GraphOverview *>(this)->sceneChanged();
    if (!m_pixmap.isNull())
        painter.drawPixmap(t.topLeft(), m_pixmap);
    // The viewport's rectangle.
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    const QRectF scene = sceneRectShown();
    const QRectF frame(t.left() + (visible.left() - scene.left()) * t.width() / scene.width(),
                       t.top() + (visible.top() - scene.top()) * t.height() / scene.height(),
                       visible.width() * t.width() / scene.width(),
                       visible.height() * t.height() / scene.height());
    QColor hl = pal.color(QPalette::Highlight);
    painter.setPen(QPen(hl, 1.5));
    hl.setAlphaF(0.15);
    painter.setBrush(hl);
    painter.drawRect(frame.intersected(t).adjusted(0.5, 0.5, -0.5, -0.5));
}

void GraphOverview::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        Q_EMIT panRequested(toScene(event->position()));
        event->accept();
    }
}

void GraphOverview::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        Q_EMIT panRequested(toScene(event->position()));
        event->accept();
    }
}

void GraphOverview::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    sceneChanged();
}

} // namespace immortal
