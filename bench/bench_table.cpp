// Inserts and lookups of {Key, Value} integer rows in a 100k-row set table,
// against the naive peer (QHash of QVariantList behind a QReadWriteLock),
// in the same run. bench/run-vs-ets.sh runs the same workload in real OTP.
#include <immortal/process.h>
#include <immortal/table.h>

#include <QCoreApplication>
#include <QHash>
#include <QReadWriteLock>
#include <QVariantList>

#include <benchmark/benchmark.h>
#include <boost/unordered/unordered_flat_map.hpp>
#include <memory>

using namespace immortal;

namespace {

constexpr int RowCount = 100000;
// A stride coprime with RowCount walks every key in a cache-unfriendly order.
constexpr int Stride = 7919;

Process *owner()
{
    static Process *p = new Process;
    return p;
}

Table makeTable()
{
    TableOptions o;
    o.access = TableOptions::Access::Public; // as ETS benchmarks usually run
    return Table::create(QStringLiteral("bench"), o, owner()->pid());
}

// Times op(key) over the keys 0 .. state.range(0) - 1, walked by Stride.
template<typename Op>
void walkKeys(benchmark::State &state, Op op)
{
    const int rows = int(state.range(0));
    int k = 0;
    for (auto _ : state) {
        op(k);
        k = (k + Stride) % rows;
    }
    state.SetItemsProcessed(state.iterations());
}

// One benchmark over a table of state.range(0) keys: op(table, key), keys
// walked as walkKeys() does; `filled` puts every row in first.
template<typename Op>
void onTable(benchmark::State &state, bool filled, Op op)
{
    Table t = makeTable();
    if (filled) {
        for (int i = 0; i < int(state.range(0)); ++i)
            t.insert({ i, i });
    }
    walkKeys(state, [&](int k) { op(t, k); });
    ProcessScope scope(owner()->pid());
    t.deleteTable();
}

// ets:insert(T, {K, K}) as C++ spells it: the row's elements in braces.
void BM_TableInsert(benchmark::State &state)
{
    onTable(state, false, [](Table &t, int k) { t.insert({ k, k }); });
}
BENCHMARK(BM_TableInsert)->Arg(RowCount)->Arg(1000);

// The same rows built as a Tuple first, as ets:insert(T, Tuple) reads; a pair
// stays inside the Tuple, so this should cost little more than the braces.
void BM_TableInsertTuple(benchmark::State &state)
{
    onTable(state, false, [](Table &t, int k) { t.insert(Tuple { k, k }); });
}
BENCHMARK(BM_TableInsertTuple)->Arg(RowCount)->Arg(1000);

void BM_TableLookup(benchmark::State &state)
{
    onTable(state, true, [](Table &t, int k) { benchmark::DoNotOptimize(t.lookup(k)); });
}
BENCHMARK(BM_TableLookup)->Arg(RowCount)->Arg(1000);

// lookup(key, into) with the same Rows passed back each time, as a loop that
// keeps its result buffer would: the pair is refilled in place.
void BM_TableLookupInto(benchmark::State &state)
{
    Rows found;
    onTable(state, true,
            [&found](Table &t, int k) { benchmark::DoNotOptimize(t.lookup(k, found)); });
}
BENCHMARK(BM_TableLookupInto)->Arg(RowCount)->Arg(1000);

// member/2: the probe without copying a row out, to tell the two apart.
void BM_TableMember(benchmark::State &state)
{
    onTable(state, true, [](Table &t, int k) { benchmark::DoNotOptimize(t.member(k)); });
}
BENCHMARK(BM_TableMember)->Arg(RowCount)->Arg(1000);

// info/1 on a filled table: what the TableManager, the studio's status bar
// and the models call. It must not walk the rows, so the time is the same
// at 1000 and at 100 000 rows.
void BM_TableInfo(benchmark::State &state)
{
    onTable(state, true, [](Table &t, int) { benchmark::DoNotOptimize(t.info()); });
}
BENCHMARK(BM_TableInfo)->Arg(1000)->Arg(RowCount);

// ets:select/2 over a filled table, one scan per iteration: the rows whose
// value is below 1000, their keys. A match specification compiled once
// (MatchSpec), against the same filter as a C++ predicate. Items are rows
// scanned. In OTP: ets:select(T, [{{'$1','$2'},[{'<','$2',1000}],['$1']}]).
void BM_TableSelectMatchSpec(benchmark::State &state)
{
    Table t = makeTable();
    for (int i = 0; i < int(state.range(0)); ++i)
        t.insert({ i, i });
    const auto a = [](const char16_t *n) {
        return Term::atom(n);
    };
    const MatchSpec ms(Term::list({ Term::tuple(
        { Term::tuple({ a(u"$1"), a(u"$2") }),
          Term::list({ Term::tuple({ a(u"<"), a(u"$2"), 1000 }) }), Term::list({ a(u"$1") }) }) }));
    for (auto _ : state)
        benchmark::DoNotOptimize(t.select(ms));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TableSelectMatchSpec)->Arg(10000);

void BM_TableSelectPredicate(benchmark::State &state)
{
    Table t = makeTable();
    for (int i = 0; i < int(state.range(0)); ++i)
        t.insert({ i, i });
    for (auto _ : state)
        benchmark::DoNotOptimize(
            t.select([](const Tuple &row) { return row.at(1).toInteger() < 1000; }));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TableSelectPredicate)->Arg(10000);

// Two threads looking up in one public table: reads take the lock shared,
// so items_per_second should be about twice the one-thread figure on two
// idle cores (the loaded CI machine shows less).
Table sharedTable;

void BM_TableLookupThreads(benchmark::State &state)
{
    // The start barrier of the timed loop orders this before thread 1 reads.
    if (state.thread_index() == 0) {
        sharedTable = makeTable();
        for (int i = 0; i < RowCount; ++i)
            sharedTable.insert({ i, i });
    }
    int k = int(state.thread_index()) * (RowCount / 2);
    for (auto _ : state) {
        benchmark::DoNotOptimize(sharedTable.lookup(k));
        k = (k + Stride) % RowCount;
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        ProcessScope scope(owner()->pid());
        sharedTable.deleteTable();
        sharedTable = Table();
    }
}
BENCHMARK(BM_TableLookupThreads)->Threads(1)->Threads(2)->UseRealTime();

// The naive peer: what one would write first with Qt containers.
struct NaiveTable
{
    QReadWriteLock lock;
    QHash<int, QVariantList> rows;
};

void BM_NaiveInsert(benchmark::State &state)
{
    NaiveTable t;
    walkKeys(state, [&t](int k) {
        QWriteLocker lock(&t.lock);
        t.rows.insert(k, QVariantList { k, k });
    });
}
BENCHMARK(BM_NaiveInsert)->Arg(RowCount)->Arg(1000);

void BM_NaiveLookup(benchmark::State &state)
{
    const int rows = int(state.range(0));
    NaiveTable t;
    for (int i = 0; i < rows; ++i)
        t.rows.insert(i, QVariantList { i, i });
    walkKeys(state, [&t](int k) {
        QReadLocker lock(&t.lock);
        benchmark::DoNotOptimize(t.rows.value(k));
    });
}
BENCHMARK(BM_NaiveLookup)->Arg(RowCount)->Arg(1000);

// The floor: a bare boost::unordered_flat_map<qint64, qint64> (the set
// tables' container), no lock, no checks, no Term. It tells what one probe
// costs on this machine at this moment, which bounds any table built on a
// hash map (ETS included).
void BM_FloorInsert(benchmark::State &state)
{
    boost::unordered_flat_map<qint64, qint64> map;
    walkKeys(state, [&map](int k) { map.insert_or_assign(k, k); });
}
BENCHMARK(BM_FloorInsert)->Arg(RowCount)->Arg(1000);

void BM_FloorLookup(benchmark::State &state)
{
    const int rows = int(state.range(0));
    boost::unordered_flat_map<qint64, qint64> map;
    for (int i = 0; i < rows; ++i)
        map.emplace(i, i);
    walkKeys(state, [&map](int k) { benchmark::DoNotOptimize(map.find(k)->second); });
}
BENCHMARK(BM_FloorLookup)->Arg(RowCount)->Arg(1000);

NaiveTable sharedNaive;

void BM_NaiveLookupThreads(benchmark::State &state)
{
    if (state.thread_index() == 0) {
        sharedNaive.rows.clear();
        for (int i = 0; i < RowCount; ++i)
            sharedNaive.rows.insert(i, QVariantList { i, i });
    }
    int k = int(state.thread_index()) * (RowCount / 2);
    for (auto _ : state) {
        QReadLocker lock(&sharedNaive.lock);
        benchmark::DoNotOptimize(sharedNaive.rows.value(k));
        k = (k + Stride) % RowCount;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NaiveLookupThreads)->Threads(1)->Threads(2)->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
