#pragma once

#include <QPixmap>
#include <QTimer>
#include <QWidget>

class QGraphicsView;

namespace immortal {

// The minimap in a corner of the graph: the whole scene, small, with the
// viewport's rectangle on it. A click or a drag there centres the view on
// that point. The scene is rendered into a pixmap at most a few times a
// second, so a 10,000-process tree costs nothing per frame.
class GraphOverview : public QWidget
{
    Q_OBJECT
public:
    explicit GraphOverview(QGraphicsView *view, QWidget *parent = nullptr);

    void sceneChanged(); // re-render soon
    QRectF sceneRectShown() const; // the part of the scene it draws
    QPointF toScene(const QPointF &widgetPos) const;

Q_SIGNALS:
    void panRequested(const QPointF &scenePos); // centre the view there

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();
    QRectF target() const; // where the pixmap goes, in widget coordinates

    QGraphicsView *m_view;
    QPixmap m_pixmap;
    QRectF m_rendered; // the scene rect the pixmap shows
    QTimer m_renderTimer;
};

} // namespace immortal
