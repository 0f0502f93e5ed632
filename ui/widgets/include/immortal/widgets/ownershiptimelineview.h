#pragma once

#include <immortal/models/ownershiptimeline.h>
#include <immortal/types.h>

#include <QAbstractScrollArea>
#include <QPointer>

namespace immortal {

/// The ownership timeline drawn: one swimlane per table, time running to the
/// right. Each owner is a bar with its name; the heir holding the table
/// during a hand-off and an orphaned table waiting for its heir are bars of
/// their own colours with their length ("312 µs"); a red mark is the crash
/// that moved the table, with its reason in the tooltip; a thin line is the
/// row count. Ctrl+wheel or +/- zooms around the mouse (always: it clamps at
/// the limits rather than refusing), the wheel and the scroll bars pan, and
/// while the right edge is in view it follows new events.
class OwnershipTimelineView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    /// A view of nothing; see setTimeline().
    explicit OwnershipTimelineView(QWidget *parent = nullptr);

    /// Draws this timeline (not owned) and follows its changes.
    void setTimeline(OwnershipTimeline *timeline);
    OwnershipTimeline *timeline() const { return m_timeline; } ///< may be null

    /// The time at the right end of open spans (the source's "now"); 0 uses
    /// the timeline's last event.
    void setNowNs(qint64 nowNs);

    double nsPerPixel() const { return m_nsPerPixel; } ///< the zoom
    /// Zooms by `factor` (> 1 zooms in) around viewport x `anchorX` (-1: the
    /// middle), clamped between 10 ns per pixel and the whole run in view.
    void zoomBy(double factor, int anchorX = -1);
    void zoomToFit(); ///< the whole run in view, following new events
    /// Scrolls so that `tNs` is in the middle, and marks it.
    void showTime(qint64 tNs);
    /// Scrolls so that the lane of `table` is in view and highlights it.
    void showTable(TableId table);

    qint64 timeAt(int x) const; ///< the time at a viewport x
    int xOf(qint64 tNs) const; ///< the viewport x of a time
    /// Span `index` of the lane of `table` in viewport coordinates (empty if
    /// unknown); tests click it.
    QRect spanRect(TableId table, int index) const;

    QSize sizeHint() const override; ///< room for a few lanes

Q_SIGNALS:
    /// A span was clicked: the process that owned the table then (0 for an
    /// orphaned span), the table, and the moment clicked.
    void processActivated(immortal::Pid pid);
    void tableActivated(immortal::TableId table); ///< a lane or its label was clicked
    void momentActivated(qint64 tNs); ///< the time under a click

protected:
    void paintEvent(QPaintEvent *event) override; ///< the axis, the lanes, the mark
    void resizeEvent(QResizeEvent *event) override; ///< keeps a fitted view fitted
    void scrollContentsBy(int dx, int dy) override; ///< pans with the scroll bars
    void wheelEvent(QWheelEvent *event) override; ///< Ctrl: zoom; Shift or sideways: pan
    void keyPressEvent(QKeyEvent *event) override; ///< +, -, 0 (fit), Left, Right
    void mousePressEvent(QMouseEvent *event) override; ///< activates what is clicked
    void mouseReleaseEvent(QMouseEvent *event) override; ///< accepted: the press acted
    bool viewportEvent(QEvent *event) override; ///< tooltips of spans and lanes

private:
    struct Hit
    {
        int lane = -1;
        int span = -1;
        qint64 tNs = 0;
    };
    Hit hitAt(const QPoint &pos) const;
    QString toolTipAt(const QPoint &pos) const;
    qint64 now() const;
    qint64 startNs() const;
    qint64 minNsPerPixel() const { return 10; }
    double maxNsPerPixel() const;
    int laneTop(int lane) const;
    int plotWidth() const;
    void updateScrollBars();
    void timelineChanged();
    void paintAxis(QPainter &p);
    void paintLane(QPainter &p, int lane);

    QPointer<OwnershipTimeline> m_timeline;
    qint64 m_nowNs = 0;
    qint64 m_leftNs = 0; // the time at the plot's left edge, relative to startNs()
    double m_nsPerPixel = 1e6;
    bool m_fitted = false; // zoomed to fit: stays fitted as the run grows
    bool m_following = true; // the right edge is "now"
    qint64 m_markNs = -1;
    TableId m_highlight = 0;
    bool m_updatingScrollBars = false;
};

} // namespace immortal
