#pragma once

#include <immortal/traceevent.h>

#include <QSortFilterProxyModel>

namespace immortal {

/// The event log filtered by what a reader is after: each event type belongs
/// to one Category, and only the categories switched on are shown, further
/// narrowed by the text filter of QSortFilterProxyModel (over every column).
/// Writes are off by default: coalesced as they are, a busy table writes
/// several times a second and would push the ownership events out of view.
class EventFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    /// The presets of the event log.
    enum class Category {
        Ownership =
            0x1, ///< tables created, given away, inherited, orphaned, deleted, lost; managers
        Lifecycle = 0x2, ///< processes started and exited, exit signals, names
        Supervision = 0x4, ///< children started, restarted, terminated, not restarted; escalations
        Writes = 0x8, ///< table_written
    };
    Q_DECLARE_FLAGS(Categories, Category)
    Q_FLAG(Categories)

    /// Every category but Writes; set the source with setSourceModel().
    explicit EventFilterModel(QObject *parent = nullptr);

    Categories categories() const { return m_categories; } ///< those shown
    void setCategories(Categories categories); ///< shows only these
    void setCategory(Category category, bool on); ///< switches one on or off
    /// The category an event type belongs to.
    static Category categoryOf(TraceEvent::Type type);
    /// The category's name for a button: "Ownership", ...
    static QString categoryName(Category category);

protected:
    /// The row's category is on and the text filter matches.
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Categories m_categories;
};

} // namespace immortal

Q_DECLARE_OPERATORS_FOR_FLAGS(immortal::EventFilterModel::Categories)
