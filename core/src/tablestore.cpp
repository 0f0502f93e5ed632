#include "tablestore.h"

#include "postedcall.h"

#include <immortal/detail/tabledata.h>
#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/trace.h>

#include <QCoreApplication>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace immortal {

namespace {

using Code = Error::Code;

TraceEvent tableEvent(TraceEvent::Type type, const TableData &d)
{
    TraceEvent e;
    e.type = type;
    e.table = d.id();
    e.tableName = d.name();
    e.size = d.rowCount();
    return e;
}

[[noreturn]] void notOwner(const TableData &d, Pid owner, Pid caller, const char *what)
{
    throw Error(Code::NotOwner,
                QStringLiteral("only the owner of %1 (pid %2) may %3, not %4")
                    .arg(d.describe())
                    .arg(owner)
                    .arg(QLatin1String(what))
                    .arg(caller ? QStringLiteral("pid %1").arg(caller)
                                : QStringLiteral("code outside any process")));
}

} // namespace

TableStore::TableStore(Registry *registry, QObject *parent)
    : QObject(parent)
{
    // Registrations bring orphaned tables back: handled in the registering
    // thread, at once, so no registration can slip between check and wait.
    connect(registry, &Registry::registered, this, &TableStore::nameRegistered,
            Qt::DirectConnection);
}

TableStore *TableStore::instance()
{
    return Node::instance()->m_tables;
}

bool TableStore::aliveLocked(Pid pid) const
{
    // The Node forgets a dead pid before its ownerDied() takes this mutex, so
    // under it "alive" also means "its tables have not been reaped yet".
    return pid != 0 && Node::instance()->isAlive(pid);
}

void TableStore::apply(Effects &fx)
{
    for (TraceEvent &e : fx.events)
        Trace::instance()->record(std::move(e));
    for (const Transfer &t : fx.transfers) {
        // If the heir died in between, its own ownerDied() handles the table.
        Node::instance()->post(t.to, [table = t.table, from = t.from, data = t.data](Process *p) {
            p->deliverEtsTransfer(table, from, data);
        });
    }
    for (const Grace &g : fx.timers)
        startGraceTimer(g);
}

void TableStore::startGraceTimer(const Grace &g)
{
    // The timer lives in the store's thread (the main thread): the dying
    // process's thread may be about to end.
    const auto start = [this, g] {
        QTimer::singleShot(g.ms, this, [this, g] { graceExpired(g.table, g.generation); });
    };
    if (QThread::currentThread() == thread())
        start();
    else
        PostedCall::post(parent(), start); // the store's node, in the store's thread
}

std::shared_ptr<TableData> TableStore::create(const QString &name, const TableOptions &options,
                                              Pid owner)
{
    if (options.keyPos < 1)
        throw Error(
            Code::BadArg,
            QStringLiteral("the key position must be 1 or more, not %1").arg(options.keyPos));
    if (options.namedTable && name.isEmpty())
        throw Error(Code::BadArg, QStringLiteral("a named_table needs a name"));
    if (options.heir.graceMs < 0)
        throw Error(Code::BadArg, QStringLiteral("the heir's grace period cannot be negative"));
    if (!Node::instance()->isAlive(owner))
        throw Error(Code::NoProc,
                    QStringLiteral("cannot create table '%1': its owner, process %2, is not alive")
                        .arg(name)
                        .arg(owner));
    Effects fx;
    std::shared_ptr<TableData> d;
    {
        QMutexLocker lock(&m_mutex);
        if (options.namedTable && m_names.contains(name))
            throw Error(Code::NameTaken,
                        QStringLiteral("a table named '%1' already exists (table %2)")
                            .arg(name)
                            .arg(m_names.value(name)));
        if (!aliveLocked(owner)) // it died since the check above
            throw Error(Code::NoProc,
                        QStringLiteral("cannot create table '%1': process %2 has died")
                            .arg(name)
                            .arg(owner));
        d = std::make_shared<TableData>(m_nextId++, name, options, owner);
        m_tables.insert(d->id(), d);
        if (options.namedTable)
            m_names.insert(name, d->id());
        m_byOwner[owner].insert(d->id());
        TraceEvent e = tableEvent(TraceEvent::Type::TableCreated, *d);
        e.pid = owner;
        e.tableType = QString::fromLatin1(TableOptions::typeName(options.type));
        e.access = QString::fromLatin1(TableOptions::accessName(options.access));
        e.heir = options.heir.pid;
        e.heirName = options.heir.name;
        fx.events.append(e);
    }
    apply(fx);
    return d;
}

std::shared_ptr<TableData> TableStore::find(TableId id) const
{
    QMutexLocker lock(&m_mutex);
    return m_tables.value(id);
}

std::shared_ptr<TableData> TableStore::findByName(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_names.constFind(name);
    return it == m_names.cend() ? nullptr : m_tables.value(it.value());
}

TableInfo TableStore::infoLocked(const TableData &d) const
{
    TableInfo i;
    i.id = d.id();
    i.name = d.name();
    i.namedTable = d.options().namedTable;
    i.type = d.options().type;
    i.access = d.options().access;
    i.keyPos = d.options().keyPos;
    i.readConcurrency = d.options().readConcurrency;
    i.writeConcurrency = d.options().writeConcurrency;
    i.compressed = d.options().compressed;
    i.decentralizedCounters = d.options().effectiveDecentralizedCounters();
    i.owner = d.m_owner.load(std::memory_order_acquire);
    i.heir = d.m_heir;
    i.transfers = d.m_transfers;
    i.orphaned = d.m_orphaned;
    i.size = d.rowCount();
    return i;
}

TableInfo TableStore::info(const TableData &d) const
{
    TableInfo i;
    {
        QMutexLocker lock(&m_mutex);
        d.checkAlive();
        i = infoLocked(d);
    }
    // Outside the mutex: the registry and the row lock are not ours to nest.
    // Nothing here walks the rows: memory() is kept by the writes (O(1)).
    i.heirPid = i.heir.pid
        ? i.heir.pid
        : (i.heir.name.isEmpty() ? 0 : Registry::instance()->whereis(i.heir.name));
    i.memory = d.memory();
    return i;
}

QList<TableInfo> TableStore::all() const
{
    QList<std::shared_ptr<TableData>> tables;
    {
        QMutexLocker lock(&m_mutex);
        tables = m_tables.values();
    }
    std::sort(tables.begin(), tables.end(),
              [](const auto &a, const auto &b) { return a->id() < b->id(); });
    QList<TableInfo> out;
    out.reserve(tables.size());
    for (const auto &d : tables) {
        try {
            out.append(info(*d));
        } catch (const Error &) {
            // deleted since the snapshot: not live any more
        }
    }
    return out;
}

std::optional<TableInfo> TableStore::infoOf(TableId id) const
{
    const std::shared_ptr<TableData> d = find(id);
    if (!d)
        return std::nullopt;
    try {
        return info(*d);
    } catch (const Error &) {
        return std::nullopt;
    }
}

QList<TableId> TableStore::ownedBy(Pid pid) const
{
    QMutexLocker lock(&m_mutex);
    QList<TableId> ids = m_byOwner.value(pid).values();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void TableStore::transferLocked(TableData &d, Pid to, Pid from, const Term &data, Effects &fx)
{
    const Pid old = d.m_owner.load(std::memory_order_relaxed);
    if (old) {
        auto it = m_byOwner.find(old);
        if (it != m_byOwner.end()) {
            it->remove(d.id());
            if (it->isEmpty())
                m_byOwner.erase(it);
        }
    }
    d.m_owner.store(to, std::memory_order_release);
    m_byOwner[to].insert(d.id());
    ++d.m_transfers;
    d.m_orphaned = false;
    d.m_lastOwner = from;
    fx.transfers.append({ to, d.id(), from, data });
}

void TableStore::removeLocked(TableData &d)
{
    m_tables.remove(d.id());
    if (d.options().namedTable)
        m_names.remove(d.name());
    if (const Pid owner = d.m_owner.load(std::memory_order_relaxed)) {
        auto it = m_byOwner.find(owner);
        if (it != m_byOwner.end()) {
            it->remove(d.id());
            if (it->isEmpty())
                m_byOwner.erase(it);
        }
    }
    if (d.m_orphaned)
        m_orphans.remove(d.m_heir.name, d.id());
    d.m_orphaned = false;
    d.markDeleted();
}

void TableStore::ownerDied(Pid pid, const Term &reason)
{
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        QList<TableId> ids = m_byOwner.take(pid).values();
        std::sort(ids.begin(), ids.end());
        for (TableId id : ids) {
            const std::shared_ptr<TableData> d = m_tables.value(id);
            if (!d)
                continue;
            const HeirSpec heir = d->m_heir;
            // The table is no longer indexed under the dead owner.
            d->m_owner.store(0, std::memory_order_release);
            const Pid heirPid = heir.pid
                ? heir.pid
                : (heir.name.isEmpty() ? 0 : Registry::instance()->whereis(heir.name));
            if (heirPid && heirPid != pid && aliveLocked(heirPid)) {
                transferLocked(*d, heirPid, pid, heir.data, fx);
                TraceEvent e = tableEvent(TraceEvent::Type::TableTransferred, *d);
                e.from = pid;
                e.to = heirPid;
                e.heirName = heir.name;
                e.reason = reason;
                fx.events.append(e);
            } else if (!heir.name.isEmpty() && heir.graceMs > 0) {
                // Wait for the name to come back (a supervisor restarting the heir).
                d->m_orphaned = true;
                d->m_lastOwner = pid;
                const quint64 generation = ++d->m_orphanGeneration;
                m_orphans.insert(heir.name, id);
                TraceEvent e = tableEvent(TraceEvent::Type::TableOrphaned, *d);
                e.from = pid;
                e.heirName = heir.name;
                e.reason = reason;
                fx.events.append(e);
                fx.timers.append({ id, generation, heir.graceMs });
            } else {
                // An heir that is the dying owner itself (as after an
                // inheritance) is no heir: the table simply dies with it.
                const bool noHeir = heir.isNone() || (heir.pid != 0 && heir.pid == pid);
                TraceEvent e = tableEvent(
                    noHeir ? TraceEvent::Type::TableDeleted : TraceEvent::Type::TableLost, *d);
                if (noHeir) {
                    e.pid = pid;
                    e.reason = Term::atom(u"owner_exited");
                } else {
                    e.from = pid;
                    e.heirName = heir.name;
                    e.heir = heir.pid;
                    e.reason = Term::atom(heir.pid ? u"heir_not_alive" : u"heir_not_registered");
                }
                fx.events.append(e);
                removeLocked(*d);
            }
        }
    }
    apply(fx);
}

void TableStore::nameRegistered(const QString &name, Pid pid)
{
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        if (m_orphans.isEmpty() || !m_orphans.contains(name))
            return;
        if (!aliveLocked(pid))
            return;
        QList<TableId> ids = m_orphans.values(name);
        std::sort(ids.begin(), ids.end());
        m_orphans.remove(name);
        for (TableId id : ids) {
            const std::shared_ptr<TableData> d = m_tables.value(id);
            if (!d || !d->m_orphaned)
                continue;
            const Pid from = d->m_lastOwner;
            transferLocked(*d, pid, from, d->m_heir.data, fx);
            TraceEvent e = tableEvent(TraceEvent::Type::TableTransferred, *d);
            e.from = from;
            e.to = pid;
            e.heirName = name;
            e.reason = Term::atom(u"heir_registered");
            fx.events.append(e);
        }
    }
    apply(fx);
}

void TableStore::graceExpired(TableId id, quint64 generation)
{
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        const std::shared_ptr<TableData> d = m_tables.value(id);
        if (!d || !d->m_orphaned || d->m_orphanGeneration != generation)
            return; // adopted, or deleted, since the timer started
        TraceEvent e = tableEvent(TraceEvent::Type::TableLost, *d);
        e.from = d->m_lastOwner;
        e.heirName = d->m_heir.name;
        e.reason = Term::tuple({ Term::atom(u"grace_expired"), d->m_heir.graceMs });
        fx.events.append(e);
        removeLocked(*d);
    }
    apply(fx);
}

void TableStore::giveAway(const std::shared_ptr<TableData> &d, Pid to, const Term &gift)
{
    const Pid caller = ProcessScope::current();
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        d->checkAlive();
        const Pid owner = d->m_owner.load(std::memory_order_relaxed);
        if (caller == 0 || caller != owner)
            notOwner(*d, owner, caller, "give it away");
        if (to == owner)
            throw Error(Code::BadArg,
                        QStringLiteral("process %1 already owns %2; give it to another process")
                            .arg(to)
                            .arg(d->describe()));
        if (!aliveLocked(to))
            throw Error(Code::BadArg, QStringLiteral("process %1 is not alive").arg(to));
        transferLocked(*d, to, owner, gift, fx);
        TraceEvent e = tableEvent(TraceEvent::Type::TableGivenAway, *d);
        e.from = owner;
        e.to = to;
        fx.events.append(e);
    }
    apply(fx);
}

void TableStore::setHeir(const std::shared_ptr<TableData> &d, const HeirSpec &heir)
{
    const Pid caller = ProcessScope::current();
    if (heir.graceMs < 0)
        throw Error(Code::BadArg, QStringLiteral("the heir's grace period cannot be negative"));
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        d->checkAlive();
        const Pid owner = d->m_owner.load(std::memory_order_relaxed);
        if (caller == 0 || caller != owner)
            notOwner(*d, owner, caller, "set its heir");
        d->m_heir = heir;
        TraceEvent e = tableEvent(TraceEvent::Type::TableHeirChanged, *d);
        e.pid = owner;
        e.heir = heir.pid;
        e.heirName = heir.name;
        fx.events.append(e);
    }
    apply(fx);
}

// As ets: the owner may, and for a public table anyone may.
void TableStore::checkOwnerOrPublicLocked(const TableData &d, Pid caller, const char *what) const
{
    d.checkAlive();
    const Pid owner = d.m_owner.load(std::memory_order_relaxed);
    if (d.options().access != TableOptions::Access::Public && (caller == 0 || caller != owner))
        notOwner(d, owner, caller, what);
}

void TableStore::rename(const std::shared_ptr<TableData> &d, const QString &name)
{
    const Pid caller = ProcessScope::current();
    QMutexLocker lock(&m_mutex);
    checkOwnerOrPublicLocked(*d, caller, "rename it");
    if (d->options().namedTable) {
        if (name.isEmpty())
            throw Error(Code::BadArg, QStringLiteral("a named_table needs a name"));
        // As in ets, the table's own name is taken too.
        if (m_names.contains(name))
            throw Error(Code::BadArg,
                        QStringLiteral("cannot rename %1: a table named '%2' exists (table %3)")
                            .arg(d->describe(), name)
                            .arg(m_names.value(name)));
        m_names.remove(d->name());
        m_names.insert(name, d->id());
    }
    d->setName(name);
}

void TableStore::setProtection(const std::shared_ptr<TableData> &d, TableOptions::Access access)
{
    const Pid caller = ProcessScope::current();
    QMutexLocker lock(&m_mutex);
    d->checkAlive();
    const Pid owner = d->m_owner.load(std::memory_order_relaxed);
    if (caller == 0 || caller != owner)
        notOwner(*d, owner, caller, "change its protection");
    d->setAccess(access);
}

void TableStore::deleteTable(const std::shared_ptr<TableData> &d)
{
    const Pid caller = ProcessScope::current();
    Effects fx;
    {
        QMutexLocker lock(&m_mutex);
        checkOwnerOrPublicLocked(*d, caller, "delete it");
        TraceEvent e = tableEvent(TraceEvent::Type::TableDeleted, *d);
        e.pid = caller;
        e.reason = Term::atom(u"deleted");
        fx.events.append(e);
        removeLocked(*d);
    }
    apply(fx);
}

} // namespace immortal
