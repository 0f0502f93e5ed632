#include "soaktree.h"

#include "soakconsumer.h"
#include "soakworker.h"

#include <immortal/tablemanager.h>

#include <QThread>

#include <climits>

namespace immortal::soak {

namespace {

// Restart intensities count over an hour, longer than any run: escalation
// then depends on how many children died, not on how fast, so a seed
// replays the same escalations.
constexpr int periodMs = 3600 * 1000;
constexpr int applications = 6;

using Kind = SoakTree::Spec::Kind;

SoakTree::Spec leaf(Kind kind, const QString &id)
{
    SoakTree::Spec s;
    s.kind = kind;
    s.id = id;
    return s;
}

int countOf(const SoakTree::Spec &s)
{
    switch (s.kind) {
    case Kind::Pool:
        return 1 + SoakTree::poolSize;
    case Kind::Supervisor: {
        int n = 1;
        for (const SoakTree::Spec &c : s.children)
            n += countOf(c);
        return n;
    }
    default:
        return 1;
    }
}

} // namespace

SoakTree::SoakTree(quint64 seed, const QList<QThread *> &threads)
    : m_random(seed)
    , m_threads(threads)
{
    m_root.kind = Kind::Supervisor;
    m_root.id = QStringLiteral("root");
    // The root never gives up; the soak kills it directly instead.
    m_root.flags = { Supervisor::Strategy::OneForOne, INT_MAX, periodMs };
    for (int i = 0; i < applications; ++i)
        m_root.children << application(i);
}

Supervisor::Flags SoakTree::randomFlags()
{
    static const Supervisor::Strategy strategies[] = { Supervisor::Strategy::OneForOne,
                                                       Supervisor::Strategy::OneForAll,
                                                       Supervisor::Strategy::RestForOne };
    return { strategies[m_random.bounded(3)], int(m_random.bounded(4, 40)), periodMs };
}

// An application: one or two managed tables, a nested tree of workers, a
// pool and some workers of its own, under a supervisor of a random strategy.
SoakTree::Spec SoakTree::application(int index)
{
    Spec app;
    app.kind = Kind::Supervisor;
    app.id = QStringLiteral("app%1").arg(index);
    app.flags = randomFlags();
    const int stores = 1 + m_random.bounded(2);
    for (int j = 0; j < stores; ++j) {
        const QString target = QStringLiteral("store%1.%2").arg(index).arg(j);
        const bool counts = m_random.bounded(4) != 0; // else a bag
        m_ledgers.push_back(std::make_unique<Ledger>(target, counts));
        const int store = int(m_ledgers.size()) - 1;
        Spec manager = leaf(Kind::Manager, QStringLiteral("manager%1").arg(j));
        manager.store = store;
        Spec consumer = leaf(Kind::Consumer, QStringLiteral("consumer%1").arg(j));
        consumer.store = store;
        consumer.threaded = !m_threads.isEmpty() && m_random.bounded(2) == 0;
        app.children << manager << consumer;
    }
    app.children << supervisor(QStringLiteral("sub"), 1);
    Spec pool = leaf(Kind::Pool, QStringLiteral("pool"));
    pool.flags = { Supervisor::Strategy::SimpleOneForOne, int(m_random.bounded(4, 40)), periodMs };
    app.children << pool;
    const int workers = 1 + m_random.bounded(3);
    for (int k = 0; k < workers; ++k) {
        Spec w = leaf(Kind::Worker, QStringLiteral("worker%1").arg(k));
        w.scratch = m_random.bounded(2) == 0;
        app.children << w;
    }
    return app;
}

SoakTree::Spec SoakTree::supervisor(const QString &id, int depth)
{
    Spec s;
    s.kind = Kind::Supervisor;
    s.id = id;
    s.flags = randomFlags();
    const int workers = 2 + m_random.bounded(4);
    for (int k = 0; k < workers; ++k) {
        Spec w = leaf(Kind::Worker, QStringLiteral("worker%1").arg(k));
        w.scratch = m_random.bounded(3) == 0;
        s.children << w;
    }
    if (depth < 3 && m_random.bounded(2) == 0)
        s.children.insert(m_random.bounded(s.children.size() + 1),
                          supervisor(QStringLiteral("sub%1").arg(depth), depth + 1));
    return s;
}

int SoakTree::processCount() const
{
    return countOf(m_root);
}

ChildSpec SoakTree::childSpec(const Spec &spec) const
{
    ChildSpec c;
    c.id = spec.id;
    switch (spec.kind) {
    case Kind::Supervisor:
    case Kind::Pool: {
        c.type = ChildSpec::Type::Supervisor;
        c.shutdown = ChildSpec::Infinity;
        QList<ChildSpec> children;
        if (spec.kind == Kind::Pool) {
            ChildSpec t;
            t.id = QStringLiteral("pooled");
            t.restart = ChildSpec::Restart::Temporary;
            t.start = [] {
                return new SoakWorker(false);
            };
            children << t;
        } else {
            for (const Spec &child : spec.children)
                children << childSpec(child);
        }
        const Supervisor::Flags flags = spec.flags;
        c.start = [flags, children] {
            auto *sup = new Supervisor(flags, children);
            sup->start();
            return sup;
        };
        break;
    }
    case Kind::Manager: {
        const QString target = m_ledgers[spec.store]->target();
        TableOptions opts;
        opts.namedTable = true;
        opts.type =
            m_ledgers[spec.store]->counts() ? TableOptions::Type::Set : TableOptions::Type::Bag;
        c.start = [target, opts] {
            return new TableManager(target, opts);
        };
        break;
    }
    case Kind::Consumer: {
        Ledger *ledger = m_ledgers[spec.store].get();
        QThread *thread = spec.threaded ? m_threads.at(spec.store % m_threads.size()) : nullptr;
        c.start = [ledger, thread] {
            auto *consumer = new SoakConsumer(ledger->target(), ledger);
            if (thread)
                consumer->moveToThread(thread);
            return consumer;
        };
        break;
    }
    case Kind::Worker: {
        const bool scratch = spec.scratch;
        c.start = [scratch] {
            return new SoakWorker(scratch);
        };
        break;
    }
    }
    return c;
}

Supervisor *SoakTree::startRoot() const
{
    QList<ChildSpec> children;
    for (const Spec &child : m_root.children)
        children << childSpec(child);
    auto *root = new Supervisor(m_root.flags, children);
    root->start();
    return root;
}

} // namespace immortal::soak
