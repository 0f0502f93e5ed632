#include "soakrun.h"

#include "soakconsumer.h"

#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/tablemanager.h>
#include <immortal/trace.h>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace immortal::soak {

namespace {

using Kind = SoakTree::Spec::Kind;

// Long enough for the slowest build (sanitizers, valgrind) on a loaded
// machine; a tree that takes longer to heal is a hang, not a slow step.
constexpr int settleTimeoutMs = 60000;

Supervisor *supervisorAt(Pid pid)
{
    return qobject_cast<Supervisor *>(Node::instance()->process(pid).data());
}

QString pidText(Pid pid)
{
    return Node::pidText(pid);
}

// A process as the node last knew it, for failure messages.
QString describe(Pid pid)
{
    static const char *const states[] = { "running", "exiting", "dead" };
    const auto info = Node::instance()->info(pid);
    if (!info)
        return pidText(pid) + QStringLiteral(" (forgotten)");
    return QStringLiteral("%1 (%2 %3, child %4 of %5, reason %6)")
        .arg(pidText(pid), QLatin1String(states[int(info->state)]), info->className, info->childId,
             pidText(info->supervisor), info->exitReason.format());
}

} // namespace

SoakRun::SoakRun(const Options &options, const SoakTree &tree)
    : m_options(options)
    , m_tree(tree)
    , m_random(options.seed ^ 0x5eedc0de)
{ }

void SoakRun::fail(const QString &what)
{
    m_failures << what;
}

void SoakRun::onEvent(const TraceEvent &e)
{
    using T = TraceEvent::Type;
    m_lastSeq = e.seq;
    switch (e.type) {
    case T::ProcessStarted:
        ++m_liveProcesses;
        break;
    case T::ExitSignal:
        // Received; one that ends the process is done once it has exited.
        if (e.from == 0 && (e.trapped || e.reason == ExitReason::normal()))
            m_struck.remove(e.pid);
        break;
    case T::ProcessExited:
        m_struck.remove(e.pid);
        --m_liveProcesses;
        ++m_deaths;
        m_died << e.pid;
        break;
    case T::ChildRestarted:
        ++m_restarts;
        break;
    case T::SupervisorEscalated:
        ++m_escalations;
        break;
    case T::SubtreeDown:
        if (e.pid == m_root)
            m_rootDown = true;
        break;
    case T::NameRegistered:
        ++m_names;
        break;
    case T::NameUnregistered:
        --m_names;
        break;
    case T::TableCreated:
        ++m_tables;
        m_owner.insert(e.table, e.pid);
        if (e.tableName == QLatin1String("scratch"))
            m_scratch[e.pid] << e.table;
        else if (m_managed.contains(e.tableName) && m_managed.value(e.tableName) != e.table)
            fail(QStringLiteral("a second table for %1 was created (#%2; the first is #%3): "
                                "the rows of the first are gone")
                     .arg(e.tableName)
                     .arg(e.table)
                     .arg(m_managed.value(e.tableName)));
        else
            m_managed.insert(e.tableName, e.table);
        break;
    case T::TableGivenAway:
        m_owner.insert(e.table, e.to);
        break;
    case T::TableTransferred: {
        ++m_transfers;
        m_owner.insert(e.table, e.to);
        const auto orphaned = m_orphanedAt.constFind(e.table);
        if (orphaned != m_orphanedAt.cend()) {
            const auto info = Table::infoOf(e.table);
            const qint64 graceNs = qint64(info ? info->heir.graceMs : 0) * 1000000;
            if (e.tNs - *orphaned > graceNs)
                fail(QStringLiteral("table %1 waited %2 ms for its heir, past its grace")
                         .arg(e.tableName)
                         .arg((e.tNs - *orphaned) / 1000000));
            m_orphanedAt.erase(orphaned);
        }
        break;
    }
    case T::TableOrphaned:
        m_owner.insert(e.table, 0);
        m_orphanedAt.insert(e.table, e.tNs);
        break;
    case T::TableDeleted:
    case T::TableLost:
        --m_tables;
        m_owner.remove(e.table);
        m_orphanedAt.remove(e.table);
        if (m_managed.value(e.tableName) == e.table)
            fail(QStringLiteral("managed table %1 was %2 (reason %3)")
                     .arg(e.tableName, QLatin1String(TraceEvent::typeName(e.type)),
                          e.reason.format()));
        break;
    default:
        break;
    }
}

// Runs the event loop until cond() holds: checked once after every burst of
// trace events and finished writes, never on a timer. The loop may run a
// few more queued events after the check, so cond() is checked again on
// return, with nothing running in between.
bool SoakRun::waitFor(const std::function<bool()> &cond, const char *what)
{
    QElapsedTimer waited;
    waited.start();
    while (!cond()) {
        const qint64 left = settleTimeoutMs - waited.elapsed();
        if (left <= 0 || !m_failures.isEmpty()) {
            fail(QStringLiteral("%1 did not happen within %2 s: %3")
                     .arg(QLatin1String(what))
                     .arg(settleTimeoutMs / 1000)
                     .arg(unsettled()));
            return false;
        }
        QEventLoop loop;
        bool queued = false;
        auto check = [&] {
            queued = false;
            if (cond())
                loop.quit();
        };
        // Coalesced: one check after the events already queued, not one per event.
        auto schedule = [&] {
            if (queued)
                return;
            queued = true;
            QMetaObject::invokeMethod(&loop, check, Qt::QueuedConnection);
        };
        QObject::connect(Trace::instance(), &Trace::event, &loop, schedule);
        QObject::connect(&m_jobs, &Jobs::changed, &loop, schedule, Qt::QueuedConnection);
        QTimer hang;
        hang.setSingleShot(true);
        QObject::connect(&hang, &QTimer::timeout, &loop, &QEventLoop::quit);
        hang.start(int(left));
        loop.exec();
    }
    return true;
}

void SoakRun::startRoot()
{
    m_rootDown = false;
    try {
        m_root = m_tree.startRoot()->pid();
    } catch (const Error &e) {
        fail(QStringLiteral("the root supervisor did not start: %1").arg(e.message()));
        for (const auto &ledger : m_tree.ledgers()) {
            if (const Pid holder = Registry::instance()->whereis(ledger->target()))
                fail(QStringLiteral("%1 is still held by %2")
                         .arg(ledger->target(), describe(holder)));
        }
    }
}

// Whole again: every child of every supervisor running, the pools full,
// every table with its consumer and its manager as heir, no write in
// flight, and every trace event seen.
bool SoakRun::settled()
{
    if (!Node::instance()->isAlive(m_root)) {
        // The root is the soak's to restart, once its whole tree is down.
        if (m_rootDown && m_failures.isEmpty()) {
            ++m_rootRestarts;
            startRoot();
        }
        return false;
    }
    // Counting the trace's live processes also waits for those dying outside
    // the tree (children of a start that failed halfway, say).
    return m_struck.isEmpty() && m_jobs.pending() == 0
        && walkSettled(m_tree.root(), m_root, nullptr) && m_liveProcesses == m_tree.processCount()
        && m_lastSeq == Trace::instance()->lastSeq();
}

// What keeps the tree from being whole, for the failure message.
QString SoakRun::unsettled()
{
    QStringList why;
    if (!Node::instance()->isAlive(m_root))
        why << QStringLiteral("the root %1 is dead%2")
                   .arg(pidText(m_root),
                        m_rootDown ? QString() : QStringLiteral(", its tree not yet down"));
    else
        walkSettled(m_tree.root(), m_root, &why);
    if (m_liveProcesses != m_tree.processCount()) {
        why << QStringLiteral("the trace counts %1 live processes, the tree has %2")
                   .arg(m_liveProcesses)
                   .arg(m_tree.processCount());
        for (const ProcessInfo &p : Node::instance()->processes()) {
            if (p.state != ProcessInfo::State::Running)
                why << describe(p.pid);
        }
    }
    if (!m_struck.isEmpty())
        why << QStringLiteral("%1 exit signals not yet received").arg(m_struck.size());
    if (m_jobs.pending() != 0)
        why << QStringLiteral("%1 writes in flight").arg(m_jobs.pending());
    if (m_lastSeq != Trace::instance()->lastSeq())
        why << QStringLiteral("trace events %1 to %2 not delivered")
                   .arg(m_lastSeq + 1)
                   .arg(Trace::instance()->lastSeq());
    return why.join(QStringLiteral("; "));
}

bool SoakRun::walkSettled(const SoakTree::Spec &spec, Pid pid, QStringList *why)
{
    Node *node = Node::instance();
    if (!node->isAlive(pid))
        return false;
    switch (spec.kind) {
    case Kind::Pool: {
        Supervisor *pool = supervisorAt(pid);
        if (!pool)
            return false;
        const auto children = pool->whichChildren();
        if (children.size() < SoakTree::poolSize) {
            if (why)
                why->append(QStringLiteral("pool %1 has %2 children")
                                .arg(pidText(pid))
                                .arg(children.size()));
            else
                topUp(pool);
            return false;
        }
        return true;
    }
    case Kind::Supervisor: {
        const Supervisor *sup = supervisorAt(pid);
        if (!sup)
            return false;
        const auto children = sup->whichChildren();
        if (children.size() != spec.children.size()) {
            if (why)
                why->append(QStringLiteral("%1 %2 has %3 children, not %4")
                                .arg(spec.id, pidText(pid))
                                .arg(children.size())
                                .arg(spec.children.size()));
            return false;
        }
        for (int i = 0; i < children.size(); ++i) {
            const Supervisor::ChildInfo &child = children.at(i);
            if (child.pid == 0 || child.restarting || child.id != spec.children.at(i).id
                || !walkSettled(spec.children.at(i), child.pid, why)) {
                if (why)
                    why->prepend(QStringLiteral("%1 %2: child %3 (%4) is %5")
                                     .arg(spec.id, pidText(pid), spec.children.at(i).id,
                                          pidText(child.pid),
                                          child.restarting ? QStringLiteral("restarting")
                                                           : QStringLiteral("not running")));
                return false;
            }
        }
        return true;
    }
    case Kind::Manager: {
        // Judged by the table alone: a manager that adopts a table its consumer
        // still holds changes its state() later without an event to wake us.
        const auto *manager = qobject_cast<TableManager *>(node->process(pid).data());
        if (!manager)
            return false;
        const auto info = Table::infoOf(manager->table());
        const Pid consumer = Registry::instance()->whereis(manager->targetName());
        const bool ok = info && consumer != 0 && node->isAlive(consumer) && info->owner == consumer
            && info->heirPid == pid;
        if (!ok && why)
            why->append(QStringLiteral("table #%1 of %2: owner %3, heir %4, consumer %5")
                            .arg(manager->table())
                            .arg(manager->targetName(), pidText(info ? info->owner : 0),
                                 pidText(info ? info->heirPid : 0), pidText(consumer)));
        return ok;
    }
    default:
        return true;
    }
}

// Starts a pool child as a caller of start_child would; a pool that is
// shutting down (its parent restarting it) refuses, and is topped up later.
void SoakRun::topUp(Supervisor *pool)
{
    try {
        pool->startChild();
    } catch (const Error &e) {
        if (e.code() != Error::Code::NoProc)
            fail(QStringLiteral("start_child on pool %1: %2")
                     .arg(pidText(pool->pid()), e.message()));
    }
}

// The live processes in tree order: the same list for the same settled tree.
void SoakRun::victims(const SoakTree::Spec &spec, Pid pid, QList<Victim> *out) const
{
    out->append({ pid, &spec });
    if (spec.kind != Kind::Supervisor && spec.kind != Kind::Pool)
        return;
    const Supervisor *sup = supervisorAt(pid);
    const auto children = sup->whichChildren();
    for (int i = 0; i < children.size(); ++i) {
        if (spec.kind == Kind::Pool)
            out->append({ children.at(i).pid, nullptr });
        else
            victims(spec.children.at(i), children.at(i).pid, out);
    }
}

void SoakRun::postWrites()
{
    for (const auto &ledger : m_tree.ledgers()) {
        if (m_random.bounded(2) == 0)
            continue;
        const quint32 draw = m_random.bounded(20);
        const auto what = draw < 9 ? SoakConsumer::Write::Count
            : draw < 15            ? SoakConsumer::Write::Append
                                   : SoakConsumer::Write::Delete;
        const qint64 payload = qint64(m_random.generate64() >> 2);
        const Pid consumer = Registry::instance()->whereis(ledger->target());
        Node::instance()->post(consumer, [token = m_jobs.token(), what, payload](Process *p) {
            static_cast<SoakConsumer *>(p)->write(what, payload);
        });
    }
}

void SoakRun::strike(Pid pid, Reason reason)
{
    Node *node = Node::instance();
    bool sent = false;
    switch (reason) {
    case Reason::Kill:
        sent = node->exit(pid, ExitReason::kill());
        break;
    case Reason::Shutdown:
        sent = node->exit(pid, ExitReason::shutdown());
        break;
    case Reason::ShutdownDetail:
        sent = node->exit(pid, ExitReason::shutdown(Term::atom(u"soak")));
        break;
    case Reason::Normal:
        sent = node->exit(pid, ExitReason::normal());
        break;
    case Reason::Custom:
        sent = node->exit(pid, Term::tuple({ Term::atom(u"soak_crash"), Term(m_step) }));
        break;
    case Reason::Thrown:
        sent = node->post(
            pid, [token = m_jobs.token()](Process *) { throw std::runtime_error("soak: thrown"); });
        break;
    }
    if (!sent)
        return;
    ++m_kills;
    // Settled waits until the signal is received: it may be in flight to another thread.
    if (reason != Reason::Thrown)
        m_struck.insert(pid);
}

void SoakRun::checkRows()
{
    for (const auto &ledger : m_tree.ledgers()) {
        const Ledger::Snapshot s = ledger->snapshot();
        for (const QString &f : s.failures)
            fail(f);
        const TableId id = m_managed.value(ledger->target());
        if (Table::whereis(ledger->target()) != id) {
            fail(QStringLiteral("%1 no longer names table #%2").arg(ledger->target()).arg(id));
            continue;
        }
        const Table t = Table::fromId(id);
        const bool hasCounter = ledger->counts() && s.counter > 0;
        const qsizetype expected = qsizetype(s.rows.size()) + (hasCounter ? 1 : 0);
        if (t.size() != expected)
            fail(QStringLiteral("%1 holds %2 rows, the consumers wrote and kept %3")
                     .arg(ledger->target())
                     .arg(t.size())
                     .arg(expected));
        if (hasCounter) {
            const Term value = t.lookupElement(Term::atom(u"count"), 2, Term(-1));
            if (value != Term(s.counter))
                fail(QStringLiteral("%1's counter is %2, the consumers counted to %3")
                         .arg(ledger->target(), value.format())
                         .arg(s.counter));
        }
        for (const auto &[key, payload] : s.rows) {
            const Rows found = t.lookup(Term(key));
            if (found.size() != 1 || found.at(0).at(1) != Term(payload)) {
                fail(QStringLiteral("%1 lost row %2 (found %3 rows for its key)")
                         .arg(ledger->target())
                         .arg(key)
                         .arg(found.size()));
                break;
            }
        }
    }
}

void SoakRun::checkTraceAgreesWithCore()
{
    const qsizetype processes = Node::instance()->processes().size();
    if (m_liveProcesses != processes)
        fail(QStringLiteral("the trace counts %1 live processes, the node %2")
                 .arg(m_liveProcesses)
                 .arg(processes));
    const qsizetype names = Registry::instance()->names().size();
    if (m_names != names)
        fail(QStringLiteral("the trace counts %1 names, the registry %2").arg(m_names).arg(names));
    const QList<TableInfo> tables = Table::all();
    if (m_tables != tables.size())
        fail(QStringLiteral("the trace counts %1 tables, the store %2")
                 .arg(m_tables)
                 .arg(tables.size()));
    for (const TableInfo &info : tables) {
        if (m_owner.value(info.id, Pid(-1)) != info.owner)
            fail(QStringLiteral("the trace says %1 owns table %2 (%3), the store says %4")
                     .arg(pidText(m_owner.value(info.id)), info.name)
                     .arg(info.id)
                     .arg(pidText(info.owner)));
        else if (!Node::instance()->isAlive(info.owner))
            fail(QStringLiteral("table %1 (%2) is owned by %3, which is not alive")
                     .arg(info.name)
                     .arg(info.id)
                     .arg(describe(info.owner)));
    }
}

void SoakRun::checkDeadUnreachable()
{
    Node *node = Node::instance();
    for (const Pid dead : std::as_const(m_died)) {
        const QString who = pidText(dead);
        if (node->isAlive(dead) || node->process(dead))
            fail(who + QStringLiteral(" died but is still reachable"));
        if (node->post(dead, [](Process *) {}))
            fail(who + QStringLiteral(" died but accepts posted work"));
        if (!Registry::instance()->nameOf(dead).isEmpty())
            fail(who + QStringLiteral(" died but still holds the name ")
                 + Registry::instance()->nameOf(dead));
        if (!Table::ownedBy(dead).isEmpty())
            fail(who + QStringLiteral(" died but still owns tables"));
        for (const TableId id : m_scratch.take(dead)) {
            if (Table::infoOf(id))
                fail(QStringLiteral("the scratch table #%1 of %2 outlived it").arg(id).arg(who));
            try {
                Table::fromId(id).size();
                fail(QStringLiteral("the scratch table #%1 of %2 is readable after its death")
                         .arg(id)
                         .arg(who));
            } catch (const Error &e) {
                if (e.code() != Error::Code::NoSuchTable)
                    fail(QStringLiteral("reading the dead scratch table #%1: %2, not no_such_table")
                             .arg(id)
                             .arg(e.message()));
            }
        }
    }
    m_died.clear();
}

void SoakRun::checkInvariants()
{
    checkRows();
    checkTraceAgreesWithCore();
    checkDeadUnreachable();
}

int SoakRun::run()
{
    QObject::connect(Trace::instance(), &Trace::event, &m_jobs,
                     [this](const TraceEvent &e) { onEvent(e); });
    QElapsedTimer clock;
    clock.start();
    startRoot();
    if (waitFor([this] { return settled(); }, "the first start"))
        checkInvariants();

    qint64 reported = 0;
    while (m_kills < m_options.kills && m_failures.isEmpty()) {
        ++m_step;
        QList<Victim> all;
        victims(m_tree.root(), m_root, &all);
        postWrites();
        // The root is struck rarely: its restart rebuilds the whole tree.
        const int strikes = 1 + m_random.bounded(3);
        for (int i = 0; i < strikes; ++i) {
            const bool root = m_random.bounded(400) == 0;
            const Victim &v =
                root ? all.first() : all.at(1 + m_random.bounded(quint32(all.size() - 1)));
            const quint32 r = m_random.bounded(20);
            const Reason reason = r < 6 ? Reason::Kill
                : r < 8                 ? Reason::Shutdown
                : r < 9                 ? Reason::ShutdownDetail
                : r < 10                ? Reason::Normal
                : r < 15                ? Reason::Custom
                                        : Reason::Thrown;
            strike(v.pid, reason);
        }
        if (!waitFor([this] { return settled(); }, "the tree's recovery"))
            break;
        checkInvariants();
        if (m_options.progress && m_kills - reported >= 10000) {
            reported = m_kills;
            std::printf("soak: %lld kills, %lld deaths, %lld restarts, %lld table transfers, "
                        "%lld escalations, %lld root restarts, %.1f s\n",
                        m_kills, m_deaths, m_restarts, m_transfers, m_escalations, m_rootRestarts,
                        clock.elapsed() / 1000.0);
            std::fflush(stdout);
        }
    }

    // Stop the tree the way an application stops, and check nothing is left.
    if (m_failures.isEmpty() && Node::instance()->shutdown(m_root))
        waitFor([this] { return m_rootDown && m_jobs.pending() == 0; }, "the final shutdown");

    if (!m_failures.isEmpty()) {
        std::fprintf(stderr, "soak: FAILED at step %lld after %lld kills (seed %llu):\n", m_step,
                     m_kills, static_cast<unsigned long long>(m_options.seed));
        for (const QString &f : std::as_const(m_failures).first(qMin(20, m_failures.size())))
            std::fprintf(stderr, "  %s\n", qPrintable(f));
        std::fprintf(stderr, "replay: immortal-soak --seed %llu --kills %lld\n",
                     static_cast<unsigned long long>(m_options.seed), m_kills);
        return 1;
    }
    std::printf("soak: passed: %lld kills in %lld steps, %lld deaths, %lld restarts, "
                "%lld table transfers, %lld escalations, %lld root restarts, %.1f s\n",
                m_kills, m_step, m_deaths, m_restarts, m_transfers, m_escalations, m_rootRestarts,
                clock.elapsed() / 1000.0);
    return 0;
}

} // namespace immortal::soak
