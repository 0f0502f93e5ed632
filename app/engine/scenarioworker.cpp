#include "scenarioworker.h"

#include <immortal/error.h>
#include <immortal/table.h>

namespace immortal {

namespace {

// The counter row is {counter, N}; with another key position the key moves
// there and the count takes the first free position.
int valuePos(int keyPos)
{
    return keyPos == 1 ? 2 : 1;
}

Tuple makeRow(int keyPos, const Term &key, const Term &value)
{
    Tuple row(qMax(2, keyPos), Term::atom(u"undefined"));
    row[keyPos - 1] = key;
    row[valuePos(keyPos) - 1] = value;
    return row;
}

} // namespace

ScenarioWorker::ScenarioWorker(const Config &config, QObject *parent)
    : Process(Kind::Worker, parent)
    , m_config(config)
    , m_workTimer(this)
{
    setTrapExit(m_config.trapExit);
    m_workTimer.setInterval(qMax(1, m_config.workload.everyMs));
    connect(&m_workTimer, &QTimer::timeout, this, guard([this] { tick(); }));
    if (m_config.bootDelayMs <= 0) {
        // Booting at once is OTP's start_link: a name that cannot be
        // registered fails the start, and the supervisor sees it.
        ProcessScope scope(pid());
        boot();
    } else {
        QTimer::singleShot(m_config.bootDelayMs, this, guard([this] { boot(); }));
    }
}

ScenarioWorker::~ScenarioWorker() = default;

void ScenarioWorker::terminate(const Term &reason)
{
    if (!m_config.ignoreShutdown)
        exit(reason);
}

void ScenarioWorker::boot()
{
    if (!m_config.name.isEmpty())
        registerName(m_config.name);
    const Scenario::Workload &w = m_config.workload;
    if (w.type != Scenario::Workload::Type::None && !w.managed) {
        // A table of its own: it dies with this worker, as in plain ETS.
        TableOptions options;
        options.type = TableOptions::Type::Set;
        options.access = TableOptions::Access::Protected;
        const Table table = Table::create(w.table, options, pid());
        m_tables.append(table.id());
    }
    m_booted = true;
    if (w.type != Scenario::Workload::Type::None)
        m_workTimer.start();
    Q_EMIT booted();
}

bool ScenarioWorker::wants(TableId table) const
{
    const Scenario::Workload &w = m_config.workload;
    if (w.type == Scenario::Workload::Type::None || !w.managed)
        return false;
    if (w.table == QLatin1String("managed"))
        return true;
    const auto info = Table::infoOf(table);
    return info && (info->name.isEmpty() || info->name == w.table);
}

void ScenarioWorker::handleEtsTransfer(TableId table, Pid from, const Term &data)
{
    Process::handleEtsTransfer(table, from, data);
    if (wants(table) && !m_tables.contains(table))
        m_tables.append(table);
}

void ScenarioWorker::tick()
{
    if (m_config.paused && m_config.paused->load())
        return;
    ++m_ticks;
    const QList<TableId> tables = m_tables;
    for (TableId id : tables)
        write(id);
}

void ScenarioWorker::write(TableId id)
{
    const auto info = Table::infoOf(id);
    if (!info || info->owner != pid()) {
        // Deleted or given away since: it is no longer ours to write.
        m_tables.removeAll(id);
        return;
    }
    Table table = Table::fromId(id);
    const int keyPos = info->keyPos;
    const Scenario::Workload &w = m_config.workload;
    if (w.type == Scenario::Workload::Type::Counter) {
        const Term key = Term::atom(u"counter");
        const qint64 value =
            table.updateCounter(key, valuePos(keyPos), 1, makeRow(keyPos, key, qint64(0)));
        Q_EMIT wrote(id, value);
    } else if (w.type == Scenario::Workload::Type::Append) {
        const qint64 n = table.size() + 1;
        if (n > w.maxRows)
            return;
        table.insertNew(makeRow(keyPos, n, QStringLiteral("row %1").arg(n)));
        Q_EMIT wrote(id, n);
    }
}

} // namespace immortal
