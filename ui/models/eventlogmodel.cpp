#include <immortal/models/eventlogmodel.h>

#include <immortal/models/livesource.h>
#include <immortal/node.h>

#include <QColor>

#include <algorithm>

namespace immortal {

EventLogModel::EventLogModel(QObject *parent, int maxRows)
    : EventLogModel(new LiveSource, parent, maxRows)
{
    m_source->setParent(this);
}

EventLogModel::EventLogModel(Source *source, QObject *parent, int maxRows)
    : QAbstractTableModel(parent)
    , m_maxRows(std::max(1, maxRows))
{
    setSource(source);
}

void EventLogModel::setSource(Source *source)
{
    Q_ASSERT(source);
    disconnect(m_eventsConnection);
    disconnect(m_resetConnection);
    source->flush();
    m_source = source;
    m_eventsConnection = connect(source, &Source::events, this, &EventLogModel::apply);
    m_resetConnection = connect(source, &Source::reset, this, &EventLogModel::clear);
    clear();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_events.clear();
    m_totalSeen = 0;
    m_originNs = 0;
    endResetModel();
    Q_EMIT updated();
}

void EventLogModel::flush()
{
    m_source->flush();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {
QString pidText(Pid pid)
{
    return pid ? Node::pidText(pid) : QString();
}

// A table's heir as the event names it: by registered name, by pid, or none.
QString heirText(const TraceEvent &e)
{
    if (!e.heirName.isEmpty())
        return e.heirName;
    return e.heir ? pidText(e.heir) : EventLogModel::tr("none");
}

QString subjectOf(const TraceEvent &e)
{
    if (!e.tableName.isEmpty() || e.table)
        return e.tableName.isEmpty() ? QStringLiteral("table #%1").arg(e.table)
                                     : QStringLiteral("%1 #%2").arg(e.tableName).arg(e.table);
    if (!e.childId.isEmpty())
        return e.name.isEmpty() || e.name == e.childId
            ? e.childId
            : QStringLiteral("%1 (%2)").arg(e.name, e.childId);
    return e.name;
}

bool isBad(TraceEvent::Type t)
{
    using T = TraceEvent::Type;
    return t == T::TableLost || t == T::SupervisorEscalated || t == T::ChildStartFailed;
}
} // namespace

QString EventLogModel::describe(const TraceEvent &e)
{
    using T = TraceEvent::Type;
    const QString size = e.size < 0 ? QString()
        : e.size == 1               ? tr("1 row")
                                    : tr("%1 rows").arg(e.size);
    switch (e.type) {
    case T::ProcessStarted:
        return tr("%1 started").arg(e.kind);
    case T::ProcessExited:
        return tr("exited: %1").arg(e.reason.format());
    case T::SubtreeDown:
        return tr("subtree down: every process under it is gone");
    case T::ExitSignal: {
        const QString sender = e.from ? pidText(e.from) : tr("outside");
        return e.trapped ? tr("trapped exit signal %1 from %2").arg(e.reason.format(), sender)
                         : tr("exit signal %1 from %2").arg(e.reason.format(), sender);
    }
    case T::ChildStarted:
        return tr("started by supervisor %1").arg(pidText(e.supervisor));
    case T::ChildRestarted:
        return tr("restarted by supervisor %1 (was %2)")
            .arg(pidText(e.supervisor), pidText(e.from));
    case T::ChildStartFailed:
        return tr("failed to start: %1").arg(e.reason.format());
    case T::ChildTerminated:
        return tr("terminated: %1").arg(e.reason.format());
    case T::ChildNotRestarted:
        return tr("not restarted: %1").arg(e.reason.format());
    case T::SupervisorEscalated:
        return tr("gave up (too many restarts): %1").arg(e.reason.format());
    case T::NameRegistered:
        return tr("registered as %1").arg(e.name);
    case T::NameUnregistered:
        return tr("name %1 released").arg(e.name);
    case T::TableCreated:
        return tr("created, heir %1").arg(heirText(e));
    case T::TableGivenAway:
        return tr("given away %1 → %2, %3").arg(pidText(e.from), pidText(e.to), size);
    case T::TableTransferred:
        return tr("inherited %1 → %2 (heir), %3").arg(pidText(e.from), pidText(e.to), size);
    case T::TableOrphaned:
        return tr("orphaned by %1, waiting for %2, %3").arg(pidText(e.from), e.heirName, size);
    case T::TableHeirChanged:
        return tr("heir set to %1").arg(heirText(e));
    case T::TableWritten:
        return tr("written, now %1").arg(size);
    case T::TableDeleted:
        return tr("deleted (%1), %2").arg(e.reason.format(), size);
    case T::TableLost:
        return tr("LOST with its owner %1 (%2), %3").arg(pidText(e.from), e.reason.format(), size);
    case T::ManagerWaiting:
        return tr("manager %1 waiting for %2").arg(pidText(e.pid), e.target);
    case T::ManagerHandedOver:
        return tr("manager %1 handed it to %2, %3").arg(pidText(e.pid), pidText(e.to), size);
    case T::ManagerReclaimed:
        return tr("manager %1 took it back from %2, %3").arg(pidText(e.pid), pidText(e.from), size);
    case T::ManagerAdopted:
        return tr("restarted manager %1 re-adopted it, %2").arg(pidText(e.pid), size);
    }
    return {};
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TraceEvent &e = m_events.at(size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeqColumn:
            return QString::number(e.seq);
        case TimeColumn:
            return QString::number(double(e.tNs - m_originNs) / 1e6, 'f', 1);
        case TypeColumn:
            return QString::fromLatin1(TraceEvent::typeName(e.type));
        case PidColumn:
            return pidText(e.pid);
        case SubjectColumn:
            return subjectOf(e);
        case DetailsColumn:
            return describe(e);
        }
        return {};
    case Qt::ToolTipRole:
        return describe(e);
    case Qt::ForegroundRole:
        if (isBad(e.type))
            return QColor(Qt::red);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() <= TimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case EventRole:
        return QVariant::fromValue(e);
    case TypeRole:
        return int(e.type);
    case PidsRole: {
        QList<Pid> pids;
        for (Pid p : { e.pid, e.from, e.to, e.heir, e.supervisor })
            if (p && !pids.contains(p))
                pids.append(p);
        return QVariant::fromValue(pids);
    }
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        if (section == SeqColumn)
            return tr("The event's sequence number in the trace");
        if (section == TimeColumn)
            return tr("Milliseconds since the first event this log saw");
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeqColumn:
        return tr("#");
    case TimeColumn:
        return tr("ms");
    case TypeColumn:
        return tr("Event");
    case PidColumn:
        return tr("Pid");
    case SubjectColumn:
        return tr("Process / table");
    case DetailsColumn:
        return tr("Details");
    }
    return {};
}

void EventLogModel::apply(const QList<TraceEvent> &events)
{
    if (events.isEmpty())
        return;
    if (m_totalSeen == 0)
        m_originNs = events.first().tNs;
    m_totalSeen += quint64(events.size());

    // Only the newest maxRows of this batch can stay.
    const qsizetype keepFromBatch = std::min<qsizetype>(events.size(), m_maxRows);
    const qsizetype firstKept = events.size() - keepFromBatch;
    const qsizetype overflow = qsizetype(m_events.size()) + keepFromBatch - m_maxRows;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        m_events.erase(m_events.begin(), m_events.begin() + overflow);
        endRemoveRows();
    }
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(keepFromBatch) - 1);
    m_events.insert(m_events.end(), events.cbegin() + firstKept, events.cend());
    endInsertRows();
    Q_EMIT updated();
}

} // namespace immortal
