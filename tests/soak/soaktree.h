#pragma once

#include "ledger.h"

#include <immortal/supervisor.h>
#include <immortal/tableoptions.h>

#include <QList>
#include <QRandomGenerator>
#include <QString>

#include <memory>
#include <vector>

class QThread;

namespace immortal::soak {

// The supervision tree the soak runs, drawn from a seed: nested supervisors
// of every strategy, table managers with their consumers (some on worker
// threads), plain workers (some owning a scratch table) and pools of
// temporary workers. The same seed gives the same tree.
class SoakTree
{
public:
    struct Spec
    {
        enum class Kind { Supervisor, Pool, Manager, Consumer, Worker };
        Kind kind = Kind::Worker;
        QString id;
        Supervisor::Flags flags; // supervisors
        QList<Spec> children; // supervisors
        int store = -1; // managers and consumers: index into ledgers()
        bool scratch = false; // workers
        bool threaded = false; // consumers
    };

    static constexpr int poolSize = 3;

    SoakTree(quint64 seed, const QList<QThread *> &threads);

    const Spec &root() const { return m_root; }
    // One per managed table, named after the consumer it is for.
    const std::vector<std::unique_ptr<Ledger>> &ledgers() const { return m_ledgers; }
    static QString managerName(const QString &target)
    {
        return target + QStringLiteral(".manager");
    }
    // The processes a settled tree runs, pools full.
    int processCount() const;
    // The root supervisor, started; the caller owns it.
    Supervisor *startRoot() const;

private:
    Spec application(int index);
    Spec supervisor(const QString &id, int depth);
    ChildSpec childSpec(const Spec &spec) const;
    Supervisor::Flags randomFlags();

    QRandomGenerator m_random;
    QList<QThread *> m_threads;
    std::vector<std::unique_ptr<Ledger>> m_ledgers;
    Spec m_root;
};

} // namespace immortal::soak
