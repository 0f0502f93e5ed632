#pragma once

#include "jobs.h"
#include "soaktree.h"

#include <immortal/node.h>
#include <immortal/traceevent.h>

#include <QHash>
#include <QList>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QStringList>

#include <functional>

namespace immortal::soak {

// Drives the soak: each step posts writes to some consumers, strikes one to
// three processes with random reasons while those writes may still be in
// flight, waits (on the trace, never on a clock) until the tree is whole
// again, and checks every invariant. The victims and reasons come from the
// seed and the settled tree alone, so a seed replays the same strikes.
class SoakRun
{
public:
    struct Options
    {
        quint64 seed = 0;
        qint64 kills = 100000; // exit signals sent to live processes
        bool progress = true;
    };

    SoakRun(const Options &options, const SoakTree &tree);
    // Runs to the end or the first broken invariant; 0 when all held.
    int run();

private:
    enum class Reason { Kill, Shutdown, ShutdownDetail, Normal, Custom, Thrown };
    struct Victim
    {
        Pid pid;
        const SoakTree::Spec *spec; // null for a pool's children
    };

    void onEvent(const TraceEvent &e);
    bool waitFor(const std::function<bool()> &cond, const char *what);
    bool settled();
    bool walkSettled(const SoakTree::Spec &spec, Pid pid, QStringList *why);
    QString unsettled();
    void topUp(Supervisor *pool);
    void victims(const SoakTree::Spec &spec, Pid pid, QList<Victim> *out) const;
    void postWrites();
    void strike(Pid pid, Reason reason);
    void checkInvariants();
    void checkRows();
    void checkTraceAgreesWithCore();
    void checkDeadUnreachable();
    void fail(const QString &what);
    void startRoot();

    Options m_options;
    const SoakTree &m_tree;
    QRandomGenerator m_random;
    Jobs m_jobs;
    Pid m_root = 0;
    bool m_rootDown = false;
    qint64 m_step = 0;
    qint64 m_kills = 0;
    QStringList m_failures;

    // What the trace says, kept from its events alone.
    quint64 m_lastSeq = 0;
    qint64 m_liveProcesses = 0;
    qint64 m_names = 0;
    qint64 m_tables = 0;
    QHash<TableId, Pid> m_owner;
    QHash<TableId, qint64> m_orphanedAt; // tNs
    QHash<Pid, QList<TableId>> m_scratch; // a worker's private tables
    QList<Pid> m_died; // this step
    QSet<Pid> m_struck; // sent an exit signal it has not yet received
    QHash<QString, TableId> m_managed; // by target: the one table, for ever
    qint64 m_deaths = 0, m_restarts = 0, m_transfers = 0, m_escalations = 0, m_rootRestarts = 0;
};

} // namespace immortal::soak
