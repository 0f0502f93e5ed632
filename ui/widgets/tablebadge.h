#pragma once

#include <immortal/types.h>

#include <QGraphicsObject>
#include <QPointer>

class QVariantAnimation;

namespace immortal {

// A table drawn as a badge docked under its owner's node, below its text
// (never over it). When
// the owner changes, the badge glides to the new owner (following it if
// that node is itself moving); an orphaned table keeps its place, dashed.
class TableBadge : public QGraphicsObject
{
    Q_OBJECT
public:
    static constexpr qreal width = 104;
    static constexpr qreal height = 32;
    static constexpr qreal gap = 4; // between the node and its badges

    explicit TableBadge(TableId id, QGraphicsItem *parent = nullptr);

    TableId tableId() const { return m_id; }
    QGraphicsObject *owner() const { return m_owner; }
    void setContent(const QString &name, qint64 rows, bool orphaned, const QString &toolTip);
    // The heir's name, shown on the badge when its arrow is not drawn (the
    // heir is far away); empty: none shown.
    void setHeirHint(const QString &heir);
    QString heirHint() const { return m_heirHint; }
    // Docks to `owner` in slot `slot` (0 = top). Animated when the owner
    // changes and `animate` is set; nullptr leaves the badge where it is.
    void dock(QGraphicsObject *owner, int slot, bool animate);
    void setCurrent(bool current);
    bool isMoving() const;
    void fadeOutAndDelete();

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

Q_SIGNALS:
    void clicked(immortal::TableId id);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;

private:
    QString rowsText() const; // "1 row", "12 rows"
    QPointF dockPos() const;
    void follow();

    TableId m_id;
    QString m_name;
    QString m_heirHint;
    qreal m_width = width;
    qint64 m_rows = 0;
    bool m_orphaned = false;
    bool m_current = false;
    QPointer<QGraphicsObject> m_owner;
    int m_slot = 0;
    QPointF m_glideFrom;
    QPointer<QVariantAnimation> m_glide;
    QList<QMetaObject::Connection> m_follow;
};

} // namespace immortal
