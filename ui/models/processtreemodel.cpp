#include <immortal/models/processtreemodel.h>

#include <immortal/models/livesource.h>
#include <immortal/models/statecolors.h>

#include <QGuiApplication>

#include <algorithm>
#include <functional>

namespace immortal {

struct ProcessTreeModel::Item
{
    Item *parent = nullptr;
    std::vector<std::unique_ptr<Item>> children;
    quint64 key = 0;
    Pid pid = 0;
    QString childId;
    QString name;
    QString kind;
    QString className;
    State state = State::Running;
    int restarts = 0;
    QString lastReason;
    qint64 startedNs = 0;
    quint64 deathSerial = 0; // which death put it in m_deadOrder
    bool booting = false; // restarted, its name not registered again yet
    QList<ExitRecord> exits;
};

namespace {
constexpr int maxExitRecords = 50;
}

ProcessTreeModel::ProcessTreeModel(QObject *parent)
    : ProcessTreeModel(new LiveSource, parent)
{
    m_source->setParent(this);
}

ProcessTreeModel::ProcessTreeModel(Source *source, QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Item>())
{
    setSource(source);
}

ProcessTreeModel::~ProcessTreeModel() = default;

void ProcessTreeModel::setSource(Source *source)
{
    Q_ASSERT(source);
    disconnect(m_eventsConnection);
    disconnect(m_resetConnection);
    // What the source queued is in its snapshot already: other readers get it now.
    source->flush();
    m_source = source;
    m_eventsConnection = connect(source, &Source::events, this, &ProcessTreeModel::apply);
    m_resetConnection = connect(source, &Source::reset, this, &ProcessTreeModel::rebuild);
    rebuild();
}

void ProcessTreeModel::rebuild()
{
    beginResetModel();
    m_resetting = true;
    m_root = std::make_unique<Item>();
    m_byPid.clear();
    m_byKey.clear();
    m_changed.clear();
    m_deadOrder.clear();
    // Start from what is alive now; the events keep us current from here.
    // By pid, so a supervisor is placed before the children it started.
    for (const ProcessInfo &info : m_source->processes()) {
        Item *item = place(info.pid, info.supervisor, info.childId);
        item->name = info.name;
        item->kind = info.kind;
        item->className = info.className;
        item->startedNs = info.startedNs;
    }
    m_changed.clear();
    m_resetting = false;
    endResetModel();
    Q_EMIT updated();
}

void ProcessTreeModel::flush()
{
    m_source->flush();
}

// ---- QAbstractItemModel ------------------------------------------------

ProcessTreeModel::Item *ProcessTreeModel::itemFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Item *>(index.internalPointer()) : m_root.get();
}

int ProcessTreeModel::rowOf(const Item *item) const
{
    if (!item->parent)
        return -1;
    const auto &siblings = item->parent->children;
    auto it = std::find_if(siblings.begin(), siblings.end(),
                           [item](const std::unique_ptr<Item> &c) { return c.get() == item; });
    return it == siblings.end() ? -1 : int(it - siblings.begin());
}

QModelIndex ProcessTreeModel::indexOf(const Item *item, int column) const
{
    if (!item || item == m_root.get())
        return {};
    return createIndex(rowOf(item), column, const_cast<Item *>(item));
}

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    Item *p = itemFor(parent);
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOf(itemFor(child)->parent);
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(itemFor(parent)->children.size());
}

int ProcessTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::ItemFlags ProcessTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QString ProcessTreeModel::stateName(State state)
{
    switch (state) {
    case State::Running:
        return tr("running");
    case State::Waiting:
        return tr("waiting");
    case State::Restarting:
        return tr("restarting");
    case State::Dead:
        return tr("dead");
    }
    return {};
}

QString ProcessTreeModel::kindLabel(const QString &kind)
{
    QString label = kind;
    return label.replace(QLatin1Char('_'), QLatin1Char(' '));
}

QVariant ProcessTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Item *item = itemFor(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            if (!item->name.isEmpty())
                return item->name;
            if (!item->childId.isEmpty())
                return item->childId;
            return item->className.isEmpty() ? kindLabel(item->kind) : item->className;
        case PidColumn:
            return QString::number(item->pid);
        case KindColumn:
            return kindLabel(item->kind);
        case StateColumn:
            return stateName(item->state);
        case RestartsColumn:
            return item->restarts;
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == NameColumn)
            return StateColors::icon(item->state);
        return {};
    case Qt::ToolTipRole: {
        QString tip =
            tr("%1 %2, pid %3").arg(kindLabel(item->kind), stateName(item->state)).arg(item->pid);
        if (!item->childId.isEmpty())
            tip += QLatin1Char('\n') + tr("child id: %1").arg(item->childId);
        if (!item->name.isEmpty())
            tip += QLatin1Char('\n') + tr("registered as: %1").arg(item->name);
        if (item->restarts > 0)
            tip += QLatin1Char('\n') + tr("restarts: %1").arg(item->restarts);
        if (!item->lastReason.isEmpty())
            tip += QLatin1Char('\n') + tr("last exit: %1").arg(item->lastReason);
        return tip;
    }
    case Qt::TextAlignmentRole:
        if (index.column() == PidColumn || index.column() == RestartsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case PidRole:
        return QVariant::fromValue(item->pid);
    case StateRole:
        return QVariant::fromValue(item->state);
    case KindRole:
        return item->kind;
    case ChildIdRole:
        return item->childId;
    case RegisteredNameRole:
        return item->name;
    case RestartsRole:
        return item->restarts;
    case ItemKeyRole:
        return QVariant::fromValue(item->key);
    case LastReasonRole:
        return item->lastReason;
    case StartedNsRole:
        return QVariant::fromValue(item->startedNs);
    case ClassNameRole:
        return item->className;
    }
    return {};
}

QVariant ProcessTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Name / child id");
        case PidColumn:
            return tr("Pid");
        case KindColumn:
            return tr("Kind");
        case StateColumn:
            return tr("State");
        case RestartsColumn:
            return tr("Restarts");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case NameColumn:
            return tr("The registered name, or the child id under its supervisor");
        case StateColumn:
            return tr("running, waiting (a manager holding its table), restarting, or dead");
        case RestartsColumn:
            return tr("How many times its supervisor restarted this child");
        }
    }
    return {};
}

QModelIndex ProcessTreeModel::indexOfPid(Pid pid, int column) const
{
    return indexOf(m_byPid.value(pid), column);
}

QModelIndex ProcessTreeModel::indexOfKey(quint64 key, int column) const
{
    return indexOf(m_byKey.value(key), column);
}

QList<ProcessTreeModel::ExitRecord> ProcessTreeModel::exitHistory(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    return itemFor(index)->exits;
}

// ---- Building the tree -------------------------------------------------

ProcessTreeModel::Item *ProcessTreeModel::findChildSlot(Item *parent, const QString &childId) const
{
    if (childId.isEmpty())
        return nullptr;
    // A slot is free when its last pid is no longer running there; for
    // simple_one_for_one several running children share the template id.
    for (const auto &child : parent->children) {
        if (child->childId == childId && child->state != State::Running
            && child->state != State::Waiting)
            return child.get();
    }
    return nullptr;
}

void ProcessTreeModel::adopt(Item *item, Pid pid)
{
    if (item->pid == pid)
        return;
    if (item->pid != 0 && m_byPid.value(item->pid) == item)
        m_byPid.remove(item->pid);
    item->pid = pid;
    m_byPid.insert(pid, item);
    m_changed.insert(item);
}

ProcessTreeModel::Item *ProcessTreeModel::ensureKnown(Pid pid, int depth)
{
    if (Item *item = m_byPid.value(pid))
        return item;
    const auto info = m_source->processInfo(pid);
    if (!info || depth > 64)
        return nullptr;
    // Place the supervisor first (it may have started in the same batch).
    Item *item = place(pid, info->supervisor, info->childId);
    item->kind = info->kind;
    item->className = info->className;
    if (!info->name.isEmpty())
        item->name = info->name;
    item->startedNs = info->startedNs;
    return item;
}

ProcessTreeModel::Item *ProcessTreeModel::place(Pid pid, Pid supervisor, const QString &childId)
{
    Item *parent = m_root.get();
    if (supervisor != 0 && supervisor != pid) {
        if (Item *s = ensureKnown(supervisor, 1))
            parent = s;
    }
    Item *item = m_byPid.value(pid);
    if (item && item->parent == parent) {
        if (!childId.isEmpty() && item->childId != childId) {
            item->childId = childId;
            m_changed.insert(item);
        }
        return item;
    }

    Item *slot = findChildSlot(parent, childId);
    if (item) {
        // Known, but under the wrong parent (placed before its supervisor
        // recorded it). Merge it into a free slot, or move it.
        if (slot && item->children.empty()) {
            slot->name = item->name;
            slot->kind = item->kind;
            slot->className = item->className;
            slot->startedNs = item->startedNs;
            slot->state = item->state;
            removeItem(item);
            adopt(slot, pid);
            return slot;
        }
        const QModelIndex from = indexOf(item->parent);
        const QModelIndex to = indexOf(parent);
        const int row = rowOf(item);
        const int dest = int(parent->children.size());
        if (!m_resetting)
            beginMoveRows(from, row, row, to, dest);
        auto &siblings = item->parent->children;
        std::unique_ptr<Item> owned = std::move(siblings[size_t(row)]);
        siblings.erase(siblings.begin() + row);
        owned->parent = parent;
        parent->children.push_back(std::move(owned));
        if (!m_resetting)
            endMoveRows();
        item->childId = childId;
        m_changed.insert(item);
        return item;
    }

    if (slot) {
        // A restart: the row keeps its name, and waits for the new process
        // to register it (a worker's boot delay) before it counts as running.
        adopt(slot, pid);
        const auto info = m_source->processInfo(pid);
        slot->booting = !slot->name.isEmpty() && (!info || info->name.isEmpty());
        setState(slot, slot->booting ? State::Waiting : State::Running);
        return slot;
    }

    auto fresh = std::make_unique<Item>();
    fresh->parent = parent;
    fresh->key = m_nextKey++;
    fresh->pid = pid;
    fresh->childId = childId;
    Item *raw = fresh.get();
    const int row = int(parent->children.size());
    if (!m_resetting)
        beginInsertRows(indexOf(parent), row, row);
    parent->children.push_back(std::move(fresh));
    m_byPid.insert(pid, raw);
    m_byKey.insert(raw->key, raw);
    if (!m_resetting)
        endInsertRows();
    return raw;
}

void ProcessTreeModel::setState(Item *item, State state)
{
    if (item->state == state)
        return;
    item->state = state;
    m_changed.insert(item);
    if (state == State::Dead) {
        item->deathSerial = ++m_deathSerial;
        m_deadOrder.emplace_back(item->key, item->deathSerial);
    }
}

void ProcessTreeModel::recordExit(Item *item, const TraceEvent &e)
{
    item->lastReason = e.reason.format();
    item->exits.append({ e.tNs, e.pid, e.reason.format() });
    if (item->exits.size() > maxExitRecords)
        item->exits.removeFirst();
    m_changed.insert(item);
}

void ProcessTreeModel::forget(Item *item)
{
    for (auto &child : item->children)
        forget(child.get());
    if (m_byPid.value(item->pid) == item)
        m_byPid.remove(item->pid);
    m_byKey.remove(item->key);
    m_changed.remove(item);
}

void ProcessTreeModel::removeItem(Item *item)
{
    Item *parent = item->parent;
    const int row = rowOf(item);
    if (!m_resetting)
        beginRemoveRows(indexOf(parent), row, row);
    forget(item);
    parent->children.erase(parent->children.begin() + row);
    if (!m_resetting)
        endRemoveRows();
}

void ProcessTreeModel::apply(const QList<TraceEvent> &events)
{
    using T = TraceEvent::Type;
    for (const TraceEvent &e : events) {
        switch (e.type) {
        case T::ProcessStarted: {
            if (Item *item = ensureKnown(e.pid)) {
                item->kind = e.kind.isEmpty() ? item->kind : e.kind;
                item->startedNs = e.tNs;
                if (item->pid == e.pid)
                    setState(item, item->booting ? State::Waiting : State::Running);
                m_changed.insert(item);
            }
            break;
        }
        case T::ChildStarted:
        case T::ChildRestarted: {
            Item *item = place(e.pid, e.supervisor, e.childId);
            if (!e.kind.isEmpty())
                item->kind = e.kind;
            if (const auto info = m_source->processInfo(e.pid)) {
                item->className = info->className;
                if (info->state == ProcessInfo::State::Running)
                    setState(item, item->booting ? State::Waiting : State::Running);
            }
            if (e.type == T::ChildRestarted)
                ++item->restarts;
            m_changed.insert(item);
            break;
        }
        case T::ChildStartFailed:
            if (Item *sup = m_byPid.value(e.supervisor)) {
                if (Item *slot = findChildSlot(sup, e.childId)) {
                    slot->lastReason = e.reason.format();
                    setState(slot, State::Restarting);
                }
            }
            break;
        case T::ChildTerminated:
        case T::ChildNotRestarted:
            if (Item *item = m_byPid.value(e.pid); item && item->pid == e.pid)
                setState(item, State::Dead);
            break;
        case T::ProcessExited: {
            Item *item = m_byPid.value(e.pid);
            if (!item)
                break;
            recordExit(item, e);
            if (item->pid != e.pid)
                break; // the slot already runs a newer pid
            if (!e.name.isEmpty())
                item->name = e.name;
            if (e.supervisor != 0 && m_source->isAlive(e.supervisor)) {
                // Its supervisor restarts it unless the trace says otherwise
                // (child_not_restarted, child_terminated, or the supervisor's exit).
                setState(item, State::Restarting);
            } else {
                setState(item, State::Dead);
            }
            // A dead supervisor restarts nothing more.
            for (auto &child : item->children) {
                if (child->state == State::Restarting)
                    setState(child.get(), State::Dead);
            }
            break;
        }
        case T::NameRegistered:
            if (Item *item = ensureKnown(e.pid); item && item->pid == e.pid) {
                item->name = e.name;
                if (item->booting) {
                    item->booting = false;
                    setState(item, State::Running);
                }
                m_changed.insert(item);
            }
            break;
        case T::NameUnregistered:
            // A dead process keeps showing its last name; an explicit
            // unregister of a live one clears it.
            if (Item *item = m_byPid.value(e.pid); item && item->pid == e.pid
                && item->state == State::Running && m_source->isAlive(e.pid)) {
                item->name.clear();
                m_changed.insert(item);
            }
            break;
        case T::ManagerWaiting:
        case T::ManagerReclaimed:
            if (Item *item = m_byPid.value(e.pid);
                item && item->pid == e.pid && item->state == State::Running)
                setState(item, State::Waiting);
            break;
        case T::ManagerHandedOver:
        case T::ManagerAdopted:
            if (Item *item = m_byPid.value(e.pid);
                item && item->pid == e.pid && item->state == State::Waiting)
                setState(item, State::Running);
            break;
        default:
            break;
        }
    }
    pruneDead();

    // One dataChanged per touched row, whole width.
    for (Item *item : std::as_const(m_changed)) {
        const int row = rowOf(item);
        if (row < 0)
            continue;
        Q_EMIT dataChanged(createIndex(row, 0, item), createIndex(row, ColumnCount - 1, item));
    }
    m_changed.clear();
    Q_EMIT updated();
}

void ProcessTreeModel::removeDead()
{
    // Leaves first: a dead supervisor goes once its dead children are gone.
    for (;;) {
        QList<Item *> leaves;
        std::function<void(Item *)> collect = [&](Item *item) {
            for (auto &child : item->children) {
                if (child->children.empty() && child->state == State::Dead)
                    leaves.append(child.get());
                else
                    collect(child.get());
            }
        };
        collect(m_root.get());
        if (leaves.isEmpty())
            break;
        for (Item *item : std::as_const(leaves))
            removeItem(item);
    }
    Q_EMIT updated();
}

void ProcessTreeModel::pruneDead()
{
    // Dead leaf rows leave oldest first once there are too many of them.
    qsizetype dead = 0;
    for (auto it = m_deadOrder.begin(); it != m_deadOrder.end();) {
        Item *item = m_byKey.value(it->first);
        if (!item || item->state != State::Dead || item->deathSerial != it->second)
            it = m_deadOrder.erase(it);
        else
            ++it, ++dead;
    }
    while (dead > m_maxDead && !m_deadOrder.empty()) {
        const auto [key, serial] = m_deadOrder.front();
        m_deadOrder.pop_front();
        --dead;
        Item *item = m_byKey.value(key);
        if (item && item->children.empty())
            removeItem(item);
    }
}

} // namespace immortal
