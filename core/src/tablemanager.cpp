#include <immortal/tablemanager.h>

#include <immortal/error.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/trace.h>

#include <QLoggingCategory>

namespace immortal {

Q_LOGGING_CATEGORY(lcTableManager, "immortal.tablemanager", QtInfoMsg)

namespace {

QString effectiveName(const QString &targetName, const QString &managerName)
{
    return managerName.isEmpty() ? targetName + QStringLiteral(".manager") : managerName;
}

qint64 sizeOf(TableId id)
{
    // info() is readable by anyone, unlike size() on a private table.
    const auto info = Table::infoOf(id);
    return info ? info->size : -1;
}

TraceEvent managerEvent(TraceEvent::Type type, Pid manager, TableId table)
{
    TraceEvent e;
    e.type = type;
    e.pid = manager;
    e.table = table;
    return e;
}

} // namespace

QObject *TableManager::checked(const QString &targetName, const QString &managerName,
                               QObject *parent)
{
    // Runs before the Process base exists, so a bad call leaves no process behind.
    if (targetName.isEmpty())
        throw Error(Error::Code::BadArg,
                    QStringLiteral("A table manager needs the registered name of the process "
                                   "it hands its table to."));
    const QString name = effectiveName(targetName, managerName);
    if (name == targetName)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("The table manager cannot use its target's name \"%1\" as "
                                   "its own.")
                        .arg(name));
    if (Registry::instance()->whereis(name) != 0)
        throw Error(Error::Code::NameTaken,
                    QStringLiteral("Another process is already registered as \"%1\"; is a "
                                   "manager for \"%2\" already running?")
                        .arg(name, targetName));
    return parent;
}

TableManager::TableManager(const QString &targetName, const TableOptions &options,
                           const QString &managerName, QObject *parent)
    : Process(Kind::TableManager, checked(targetName, managerName, parent))
    , m_targetName(targetName)
    , m_managerName(effectiveName(targetName, managerName))
    , m_options(options)
{
    // A live table whose heir is our name was managed by an earlier
    // incarnation of this manager: take it over instead of making a new,
    // empty one (the seed's weakness). Look before registering, because
    // registering is what brings an orphaned table to us.
    TableId found = 0;
    for (const TableInfo &info : Table::all()) {
        if (info.heir.name == m_managerName && (found == 0 || info.id < found))
            found = info.id;
    }

    registerName(m_managerName);

    if (found != 0) {
        m_table.store(found, std::memory_order_release);
        m_adopted = true;
        TraceEvent e = managerEvent(TraceEvent::Type::ManagerAdopted, pid(), found);
        e.size = sizeOf(found);
        Trace::instance()->record(e);
        qCDebug(lcTableManager) << m_managerName << "re-adopted table" << found;
    } else {
        TableOptions opts = m_options;
        const int grace = m_options.heir.graceMs > 0 ? m_options.heir.graceMs
                                                     : HeirSpec::byName(QString()).graceMs;
        opts.heir = HeirSpec::byName(m_managerName, m_options.heir.data, grace);
        // With named_table the table is reachable under the target's name, as in the seed.
        m_table.store(Table::create(m_targetName, opts, pid()).id(), std::memory_order_release);
        qCDebug(lcTableManager) << m_managerName << "created table" << table();
    }

    // The rest happens in the manager's own event loop, in its scope.
    QMetaObject::invokeMethod(
        this, [this] { begin(); }, Qt::QueuedConnection);
}

TableManager::~TableManager()
{
    // The wait listens to the registry, which hears of this manager's own
    // death while it is destroyed: end it before anything of the manager goes.
    m_waiting = false;
    QObject::disconnect(m_wait);
}

void TableManager::begin()
{
    m_started = true;
    if (m_adopted)
        emit tableAdopted(table());
    else
        emit tableCreated(table());
    settle();
}

// Acts on who holds the table now.
void TableManager::settle()
{
    const auto info = Table::infoOf(table());
    if (!info)
        throw Error(Error::Code::NoSuchTable,
                    QStringLiteral("The table managed for \"%1\" was deleted; the manager stops "
                                   "so that its supervisor can start it with a new table.")
                        .arg(m_targetName));
    if (info->owner == pid())
        startWaiting();
    else if (info->orphaned)
        setState(State::WaitingForTarget); // registering brings it to us: an ETS-TRANSFER follows
    else
        setState(State::HandedOver); // the target (or whoever it gave it to) holds it
}

void TableManager::startWaiting()
{
    if (m_waiting)
        return;
    m_waiting = true;
    const quint64 epoch = ++m_epoch;
    setState(State::WaitingForTarget);
    TraceEvent e = managerEvent(TraceEvent::Type::ManagerWaiting, pid(), table());
    e.target = m_targetName;
    Trace::instance()->record(e);
    emit waitingForTarget(m_targetName);
    waitForRegistration(epoch);
}

void TableManager::waitForRegistration(quint64 epoch)
{
    QObject::disconnect(m_wait);
    // whenRegistered may call back at once when the target already runs.
    m_wait =
        Registry::instance()->whenRegistered(m_targetName, this, guard([this, epoch](Pid target) {
                                                 if (epoch == m_epoch && m_waiting)
                                                     handOver(target);
                                             }));
}

// The target registered, but died before we could hand over: wait until its
// name is freed, then for the next registration (no retry loop on a corpse).
void TableManager::waitForNameToFree(Pid dead, quint64 epoch)
{
    QObject::disconnect(m_wait);
    m_wait = connect(Registry::instance(), &Registry::unregistered, this,
                     guard([this, dead, epoch](const QString &name, Pid pid) {
                         if (epoch == m_epoch && m_waiting && name == m_targetName && pid == dead)
                             waitForRegistration(epoch);
                     }));
    if (Registry::instance()->whereis(m_targetName) != dead)
        waitForRegistration(epoch);
}

void TableManager::handOver(Pid target)
{
    const TableId id = table();
    try {
        Table::fromId(id).giveAway(target, m_options.heir.data);
    } catch (const Error &e) {
        if (e.code() != Error::Code::BadArg && e.code() != Error::Code::NoProc)
            throw; // anything else is a bug worth a crash (and a restart)
        qCDebug(lcTableManager) << m_managerName << "target" << target
                                << "died before the hand-over:" << e.message();
        waitForNameToFree(target, m_epoch);
        return;
    }
    m_waiting = false;
    ++m_epoch;
    QObject::disconnect(m_wait);
    setState(State::HandedOver);
    TraceEvent e = managerEvent(TraceEvent::Type::ManagerHandedOver, pid(), id);
    e.to = target;
    e.size = sizeOf(id);
    Trace::instance()->record(e);
    emit handedOver(id, target);
}

void TableManager::handleEtsTransfer(TableId table, Pid from, const Term &data)
{
    Process::handleEtsTransfer(table, from, data);
    if (!m_started)
        return; // begin() acts on whoever owns the table by then
    const auto info = Table::infoOf(table);
    if (!info || info->owner != pid())
        return; // a late delivery of a transfer we already acted on
    if (table != this->table()) {
        if (Table::infoOf(this->table()))
            return; // not the table we manage; we keep managing ours
        m_table.store(table, std::memory_order_release);
    }
    TraceEvent e = managerEvent(TraceEvent::Type::ManagerReclaimed, pid(), table);
    e.from = from;
    e.size = info->size;
    Trace::instance()->record(e);
    setState(State::WaitingForTarget);
    emit reclaimed(table, from);
    startWaiting();
}

} // namespace immortal
