#include <immortal/models/eventfiltermodel.h>

#include <immortal/models/eventlogmodel.h>

namespace immortal {

using Type = TraceEvent::Type;

EventFilterModel::EventFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_categories(Category::Ownership | Category::Lifecycle | Category::Supervision)
{
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void EventFilterModel::setCategories(Categories categories)
{
    if (categories == m_categories)
        return;
    m_categories = categories;
    invalidateRowsFilter();
}

void EventFilterModel::setCategory(Category category, bool on)
{
    setCategories(on ? (m_categories | category) : (m_categories & ~Categories(category)));
}

EventFilterModel::Category EventFilterModel::categoryOf(TraceEvent::Type type)
{
    switch (type) {
    case Type::ProcessStarted:
    case Type::ProcessExited:
    case Type::ExitSignal:
    case Type::NameRegistered:
    case Type::NameUnregistered:
        return Category::Lifecycle;
    case Type::SubtreeDown:
    case Type::ChildStarted:
    case Type::ChildRestarted:
    case Type::ChildStartFailed:
    case Type::ChildTerminated:
    case Type::ChildNotRestarted:
    case Type::SupervisorEscalated:
        return Category::Supervision;
    case Type::TableWritten:
        return Category::Writes;
    case Type::TableCreated:
    case Type::TableGivenAway:
    case Type::TableTransferred:
    case Type::TableOrphaned:
    case Type::TableHeirChanged:
    case Type::TableDeleted:
    case Type::TableLost:
    case Type::ManagerWaiting:
    case Type::ManagerHandedOver:
    case Type::ManagerReclaimed:
    case Type::ManagerAdopted:
        return Category::Ownership;
    }
    return Category::Lifecycle;
}

QString EventFilterModel::categoryName(Category category)
{
    switch (category) {
    case Category::Ownership:
        return tr("Ownership");
    case Category::Lifecycle:
        return tr("Lifecycle");
    case Category::Supervision:
        return tr("Supervision");
    case Category::Writes:
        return tr("Writes");
    }
    return {};
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const QVariant type = i.data(EventLogModel::TypeRole);
    if (type.isValid() && !m_categories.testFlag(categoryOf(Type(type.toInt()))))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace immortal
