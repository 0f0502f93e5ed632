#include <immortal/models/replaysource.h>

#include <immortal/error.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <limits>

namespace immortal {

ReplaySource::ReplaySource(QObject *parent)
    : Source(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ReplaySource::tick);
}

// ---- Reading ------------------------------------------------------------

void ReplaySource::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw Error(Error::Code::BadArg,
                    tr("%1: cannot read the trace (%2); expected a JSON Lines file written by "
                       "--trace-out or File ▸ Export trace")
                        .arg(path, file.errorString()));
    }
    loadData(file.readAll(), path);
}

namespace {
[[noreturn]] void badLine(const QString &file, int line, const QString &what)
{
    throw Error(Error::Code::BadArg,
                ReplaySource::tr("%1, line %2: %3").arg(file).arg(line).arg(what));
}

bool isInteger(const QJsonValue &v)
{
    return v.isDouble() && v.toDouble() == double(v.toInteger());
}
} // namespace

void ReplaySource::loadData(const QByteArray &data, const QString &fileName)
{
    const QString file = fileName.isEmpty() ? tr("the trace") : fileName;
    QList<TraceEvent> events;
    quint64 lastSeq = 0;
    qint64 lastNs = std::numeric_limits<qint64>::min();
    int lineNo = 0;
    qsizetype pos = 0;
    while (pos < data.size()) {
        qsizetype end = data.indexOf('\n', pos);
        const bool complete = end >= 0;
        if (!complete)
            end = data.size();
        const QByteArray line = data.mid(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            if (!complete)
                badLine(file, lineNo,
                        tr("the line is cut off (the trace is truncated); expected a complete "
                           "JSON object"));
            badLine(file, lineNo,
                    error.error != QJsonParseError::NoError
                        ? tr("expected one JSON object per line (%1 at column %2)")
                              .arg(error.errorString())
                              .arg(error.offset + 1)
                        : tr("expected one JSON object per line, not an array or a value"));
        }
        const QJsonObject o = doc.object();
        const QJsonValue seq = o.value(QLatin1String("seq"));
        const QJsonValue tNs = o.value(QLatin1String("t_ns"));
        const QJsonValue type = o.value(QLatin1String("event"));
        if (!isInteger(seq) || seq.toInteger() < 1)
            badLine(file, lineNo, tr("expected \"seq\", an integer from 1"));
        if (!isInteger(tNs))
            badLine(file, lineNo, tr("expected \"t_ns\", an integer"));
        if (!type.isString())
            badLine(file, lineNo, tr("expected \"event\", the name of an event type"));
        if (quint64(seq.toInteger()) <= lastSeq)
            badLine(file, lineNo,
                    tr("seq %1 comes after seq %2; expected seq to increase line by line")
                        .arg(seq.toInteger())
                        .arg(lastSeq));
        if (tNs.toInteger() < lastNs)
            badLine(file, lineNo,
                    tr("t_ns %1 is earlier than the line before (%2); expected t_ns never to "
                       "decrease")
                        .arg(tNs.toInteger())
                        .arg(lastNs));
        lastSeq = quint64(seq.toInteger());
        lastNs = tNs.toInteger();
        TraceEvent::Type known;
        if (!TraceEvent::typeFromName(type.toString(), &known))
            continue; // a newer writer's event: skipped, as the format asks
        try {
            events.append(TraceEvent::fromJson(o));
        } catch (const Error &e) {
            badLine(file, lineNo, e.message());
        }
    }
    if (events.isEmpty())
        throw Error(Error::Code::BadArg,
                    tr("%1: no trace events; expected JSON Lines, one event per line "
                       "(docs/trace-format.md)")
                        .arg(file));

    // Read completely: only now does anything change.
    pause();
    m_fileName = fileName;
    m_events = std::move(events);
    clearState();
    m_index = 0;
    Q_EMIT reset();
    Q_EMIT positionChanged(0);
}

quint64 ReplaySource::lastSeq() const
{
    return m_events.isEmpty() ? 0 : m_events.constLast().seq;
}

qint64 ReplaySource::firstNs() const
{
    return m_events.isEmpty() ? 0 : m_events.constFirst().tNs;
}

// ---- Folding -------------------------------------------------------------

void ReplaySource::clearState()
{
    m_processes.clear();
    m_names.clear();
    m_tables.clear();
    m_tablesLost = 0;
    m_restarts = 0;
}

void ReplaySource::fold(const TraceEvent &e)
{
    using T = TraceEvent::Type;
    auto process = [this](Pid pid) -> ProcessInfo & {
        ProcessInfo &p = m_processes[pid];
        p.pid = pid;
        return p;
    };
    auto table = [this, &e]() -> TableInfo * {
        auto it = m_tables.find(e.table);
        if (it == m_tables.end())
            return nullptr;
        if (!e.tableName.isEmpty())
            it->name = e.tableName;
        if (e.size >= 0)
            it->size = qsizetype(e.size);
        return &*it;
    };
    switch (e.type) {
    case T::ProcessStarted: {
        ProcessInfo &p = process(e.pid);
        p.kind = e.kind;
        p.state = ProcessInfo::State::Running;
        p.startedNs = e.tNs;
        break;
    }
    case T::ProcessExited: {
        ProcessInfo &p = process(e.pid);
        if (!e.kind.isEmpty())
            p.kind = e.kind;
        if (!e.name.isEmpty())
            p.name = e.name;
        if (e.supervisor)
            p.supervisor = e.supervisor;
        if (!e.childId.isEmpty())
            p.childId = e.childId;
        p.state = ProcessInfo::State::Dead;
        p.exitReason = e.reason;
        p.exitedNs = e.tNs;
        break;
    }
    case T::ChildStarted:
    case T::ChildRestarted: {
        ProcessInfo &p = process(e.pid);
        p.supervisor = e.supervisor;
        p.childId = e.childId;
        if (!e.kind.isEmpty())
            p.kind = e.kind;
        if (e.type == T::ChildRestarted)
            ++m_restarts;
        break;
    }
    case T::NameRegistered:
        m_names.insert(e.name, e.pid);
        process(e.pid).name = e.name;
        break;
    case T::NameUnregistered:
        if (m_names.value(e.name) == e.pid)
            m_names.remove(e.name);
        // The dead keep the name they died with, as Node::info() does.
        if (auto it = m_processes.find(e.pid);
            it != m_processes.end() && it->state == ProcessInfo::State::Running)
            it->name.clear();
        break;
    case T::TableCreated: {
        TableInfo t;
        t.id = e.table;
        t.name = e.tableName;
        t.owner = e.pid;
        t.heir.pid = e.heir;
        t.heir.name = e.heirName;
        t.size = qsizetype(std::max<qint64>(0, e.size));
        // Traces before 0.2 leave type and access out: the defaults stay.
        for (auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet,
                           TableOptions::Type::Bag, TableOptions::Type::DuplicateBag }) {
            if (e.tableType == QLatin1String(TableOptions::typeName(type)))
                t.type = type;
        }
        for (auto access : { TableOptions::Access::Public, TableOptions::Access::Protected,
                             TableOptions::Access::Private }) {
            if (e.access == QLatin1String(TableOptions::accessName(access)))
                t.access = access;
        }
        m_tables.insert(t.id, t);
        break;
    }
    case T::TableGivenAway:
    case T::TableTransferred:
        if (TableInfo *t = table()) {
            t->owner = e.to;
            t->orphaned = false;
            ++t->transfers;
        }
        break;
    case T::TableOrphaned:
        if (TableInfo *t = table()) {
            t->owner = 0;
            t->orphaned = true;
        }
        break;
    case T::TableHeirChanged:
        if (TableInfo *t = table()) {
            t->heir.pid = e.heir;
            t->heir.name = e.heirName;
        }
        break;
    case T::TableWritten:
    case T::ManagerHandedOver:
    case T::ManagerReclaimed:
    case T::ManagerAdopted:
        table();
        break;
    case T::TableLost:
        ++m_tablesLost;
        m_tables.remove(e.table);
        break;
    case T::TableDeleted:
        m_tables.remove(e.table);
        break;
    case T::ExitSignal:
    case T::SubtreeDown:
    case T::ChildStartFailed:
    case T::ChildTerminated:
    case T::ChildNotRestarted:
    case T::SupervisorEscalated:
    case T::ManagerWaiting:
        break;
    }
}

// ---- Moving --------------------------------------------------------------

void ReplaySource::advanceTo(int index)
{
    if (index <= m_index)
        return;
    const QList<TraceEvent> passed = m_events.mid(m_index, index - m_index);
    for (const TraceEvent &e : passed)
        fold(e);
    m_index = index;
    Q_EMIT events(passed);
    Q_EMIT positionChanged(m_index);
}

void ReplaySource::seekToIndex(int index)
{
    index = std::clamp(index, 0, eventCount());
    if (isPlaying()) {
        m_playFromNs =
            m_index == index ? nowNs() : (index > 0 ? m_events.at(index - 1).tNs : firstNs());
        m_clock.restart();
    }
    if (index == m_index)
        return;
    if (index > m_index) {
        advanceTo(index);
        return;
    }
    // Back: from the start, so that views see the same history again.
    clearState();
    m_index = 0;
    Q_EMIT reset();
    if (index > 0)
        advanceTo(index);
    else
        Q_EMIT positionChanged(0);
}

void ReplaySource::seek(quint64 seq)
{
    const auto it = std::upper_bound(m_events.cbegin(), m_events.cend(), seq,
                                     [](quint64 s, const TraceEvent &e) { return s < e.seq; });
    seekToIndex(int(it - m_events.cbegin()));
}

void ReplaySource::play(double speed)
{
    if (m_events.isEmpty())
        return;
    m_speed = speed > 0 ? speed : 1.0;
    if (m_index >= eventCount())
        seekToIndex(0); // from the start again
    m_playFromNs = nowNs();
    m_clock.start();
    const bool was = isPlaying();
    m_timer.start(0);
    if (!was)
        Q_EMIT playingChanged(true);
}

void ReplaySource::pause()
{
    if (!isPlaying())
        return;
    m_timer.stop();
    Q_EMIT playingChanged(false);
}

void ReplaySource::setSpeed(double speed)
{
    if (!(speed > 0))
        return;
    if (isPlaying()) {
        m_playFromNs += qint64(double(m_clock.nsecsElapsed()) * m_speed);
        m_clock.restart();
        m_timer.start(0);
    }
    m_speed = speed;
}

void ReplaySource::tick()
{
    // Where the trace's clock is now, and every event up to it.
    const qint64 now = m_playFromNs + qint64(double(m_clock.nsecsElapsed()) * m_speed);
    const auto next = std::upper_bound(m_events.cbegin() + m_index, m_events.cend(), now,
                                       [](qint64 t, const TraceEvent &e) { return t < e.tNs; });
    advanceTo(int(next - m_events.cbegin()));
    if (m_index >= eventCount()) {
        m_timer.stop();
        Q_EMIT playingChanged(false);
        return;
    }
    // Sleep on the timer until the next event is due; at most ~60 batches a second.
    const double waitMs = double(m_events.at(m_index).tNs - now) / m_speed / 1e6;
    m_timer.start(int(std::clamp(waitMs + 1.0, 16.0, 60000.0)));
}

// ---- Queries -------------------------------------------------------------

QList<ProcessInfo> ReplaySource::processes() const
{
    QList<ProcessInfo> alive;
    for (const ProcessInfo &p : m_processes) {
        if (p.state == ProcessInfo::State::Running)
            alive.append(p);
    }
    std::sort(alive.begin(), alive.end(),
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    return alive;
}

std::optional<ProcessInfo> ReplaySource::processInfo(Pid pid) const
{
    const auto it = m_processes.constFind(pid);
    if (it == m_processes.cend())
        return std::nullopt;
    return *it;
}

QString ReplaySource::nameOf(Pid pid) const
{
    const auto it = m_processes.constFind(pid);
    if (it == m_processes.cend() || it->state != ProcessInfo::State::Running)
        return {};
    return m_names.value(it->name) == pid ? it->name : QString();
}

TableInfo ReplaySource::resolved(const TableInfo &t) const
{
    TableInfo r = t;
    if (!t.heir.name.isEmpty())
        r.heirPid = m_names.value(t.heir.name);
    else
        r.heirPid = isAlive(t.heir.pid) ? t.heir.pid : 0;
    return r;
}

QList<TableInfo> ReplaySource::tables() const
{
    QList<TableInfo> all;
    for (const TableInfo &t : m_tables)
        all.append(resolved(t));
    return all;
}

std::optional<TableInfo> ReplaySource::tableInfo(TableId id) const
{
    const auto it = m_tables.constFind(id);
    if (it == m_tables.cend())
        return std::nullopt;
    return resolved(*it);
}

Source::Rows ReplaySource::rows(TableId id) const
{
    Rows r;
    if (!m_tables.contains(id)) {
        r.status = Rows::Status::Gone;
        r.message = tr("The table is gone at this point of the trace.");
        return r;
    }
    r.status = Rows::Status::NotRecorded;
    r.message = tr("Rows are not recorded in a trace: only the table's size is known.");
    return r;
}

qint64 ReplaySource::nowNs() const
{
    return m_index > 0 ? m_events.at(m_index - 1).tNs : firstNs();
}

Source::Details ReplaySource::details() const
{
    return Detail::NoDetail;
}

Source::Actions ReplaySource::actions() const
{
    return Action::NoAction;
}

} // namespace immortal
