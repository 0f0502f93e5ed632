#pragma once

#include <immortal/tableinfo.h>
#include <immortal/tableoptions.h>
#include <immortal/term.h>
#include <immortal/traceevent.h>
#include <immortal/types.h>

#include <QHash>
#include <QList>
#include <QMultiHash>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace immortal {

class Registry;
class TableData;

// Internal: every live table, by id and by name, and the ownership rules
// that run when a process dies or a name is registered. Table handles and
// query functions go through it. Thread-safe.
//
// Locking: the store's mutex guards the directory and every table's
// ownership state (owner, heir, orphan, transfers). It may take a table's
// row lock inside it, never the other way round. Trace events and
// ETS-TRANSFER deliveries happen after it is released, so receivers may
// call back into the store.
class TableStore : public QObject
{
    Q_OBJECT
public:
    static TableStore *instance();

    // Called by the Node once per dead process, after its name is gone:
    // passes each table it owned to its heir, orphans it (name heir with a
    // grace period), or deletes it.
    void ownerDied(Pid pid, const Term &reason);

    std::shared_ptr<TableData> create(const QString &name, const TableOptions &options, Pid owner);
    std::shared_ptr<TableData> find(TableId id) const; // null if none
    std::shared_ptr<TableData> findByName(const QString &name) const; // named tables only

    QList<TableInfo> all() const;
    std::optional<TableInfo> infoOf(TableId id) const;
    TableInfo info(const TableData &d) const; // NoSuchTable if deleted
    QList<TableId> ownedBy(Pid pid) const;

    void giveAway(const std::shared_ptr<TableData> &d, Pid to, const Term &gift);
    void setHeir(const std::shared_ptr<TableData> &d, const HeirSpec &heir);
    void deleteTable(const std::shared_ptr<TableData> &d);
    // ets:rename/2: a named table's new name must be free (BadArg).
    void rename(const std::shared_ptr<TableData> &d, const QString &name);
    // ets:setopts/2 with {protection, Access}: the owner only.
    void setProtection(const std::shared_ptr<TableData> &d, TableOptions::Access access);

private:
    friend class Node;
    TableStore(Registry *registry, QObject *parent);
    // NotOwner unless the caller owns d or d is public; NoSuchTable if deleted.
    void checkOwnerOrPublicLocked(const TableData &d, Pid caller, const char *what) const;

    // What to do once the mutex is released.
    struct Transfer
    {
        Pid to = 0;
        TableId table = 0;
        Pid from = 0;
        Term data;
    };
    struct Grace
    {
        TableId table = 0;
        quint64 generation = 0;
        int ms = 0;
    };
    struct Effects
    {
        QList<TraceEvent> events;
        QList<Transfer> transfers;
        QList<Grace> timers;
    };
    void apply(Effects &fx);

    // All *Locked functions run under m_mutex.
    bool aliveLocked(Pid pid) const; // alive (its tables not reaped yet)
    void transferLocked(TableData &d, Pid to, Pid from, const Term &data, Effects &fx);
    void removeLocked(TableData &d);
    TableInfo infoLocked(const TableData &d) const;
    void nameRegistered(const QString &name, Pid pid);
    void graceExpired(TableId id, quint64 generation);
    void startGraceTimer(const Grace &g);

    mutable QMutex m_mutex;
    TableId m_nextId = 1;
    QHash<TableId, std::shared_ptr<TableData>> m_tables;
    QHash<QString, TableId> m_names; // named tables
    QHash<Pid, QSet<TableId>> m_byOwner;
    QMultiHash<QString, TableId> m_orphans; // by the heir name they wait for
};

} // namespace immortal
