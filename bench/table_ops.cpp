// A fixed number of each hot table operation, one noinline function per
// operation, for callgrind: instruction counts are repeatable where the
// machine's timings are not. bench/count-instructions.sh runs it and prints
// instructions per call (the caller's loop included).
#include <immortal/process.h>
#include <immortal/table.h>

#include <QCoreApplication>

using namespace immortal;

namespace {

constexpr int RowCount = 1000;
constexpr int Calls = 100000;
constexpr int Stride = 7919;

int nextKey(int k)
{
    return (k + Stride) % RowCount;
}

[[gnu::noinline]] void opsInsert(Table &t)
{
    for (int i = 0, k = 0; i < Calls; ++i, k = nextKey(k))
        t.insert({ k, k });
}

[[gnu::noinline]] void opsInsertTuple(Table &t)
{
    for (int i = 0, k = 0; i < Calls; ++i, k = nextKey(k))
        t.insert(Tuple { k, k });
}

[[gnu::noinline]] qsizetype opsLookup(const Table &t)
{
    qsizetype found = 0;
    for (int i = 0, k = 0; i < Calls; ++i, k = nextKey(k))
        found += t.lookup(k).size();
    return found;
}

[[gnu::noinline]] qsizetype opsLookupInto(const Table &t)
{
    Rows rows;
    qsizetype found = 0;
    for (int i = 0, k = 0; i < Calls; ++i, k = nextKey(k))
        found += t.lookup(k, rows);
    return found;
}

[[gnu::noinline]] qsizetype opsMember(const Table &t)
{
    qsizetype found = 0;
    for (int i = 0, k = 0; i < Calls; ++i, k = nextKey(k))
        found += t.member(k);
    return found;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Process owner;
    TableOptions o;
    o.access = TableOptions::Access::Public;
    Table t = Table::create(QStringLiteral("ops"), o, owner.pid());
    for (int k = 0; k < RowCount; ++k)
        t.insert({ k, k });
    opsInsert(t);
    opsInsertTuple(t);
    // Every key is present: a wrong count means the loops measured something else.
    const bool ok = opsLookup(t) == Calls && opsLookupInto(t) == Calls && opsMember(t) == Calls;
    return ok ? 0 : 1;
}
