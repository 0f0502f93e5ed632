// The C++ half of the ETS differential test (see README.md).
//
// For each table type and seed, runs ets_conformance.erl, which generates the
// operations, runs them on real ets and prints `{Op,Result}.` per line; then
// runs each Op on an Immortal Table and compares the results. The first
// divergence ends the run with the seed, the op index, the op, both results
// and the command that reproduces it.

#include "conformance.h"

#include <immortal/counterupdate.h>
#include <immortal/error.h>
#include <immortal/matchspec.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/table.h>
#include <immortal/tableoptions.h>
#include <immortal/term.h>
#include <immortal/tuple.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <functional>
#include <memory>
#include <optional>

using namespace immortal;
using namespace conformance;

namespace {

Term atom(const char16_t *name)
{
    return Term::atom(name);
}

Term boolean(bool b)
{
    return atom(b ? u"true" : u"false");
}

Term rowsTerm(const QList<Tuple> &rows)
{
    QList<Term> out;
    out.reserve(rows.size());
    for (const Tuple &r : rows)
        out.append(Term::tuple(r));
    return Term::list(out);
}

Term rowsTerm(const Rows &rows)
{
    return rowsTerm(rows.toList());
}

Term keyOrEnd(const std::optional<Term> &k)
{
    return k ? *k : atom(u"$end_of_table");
}

int toPos(const Term &t)
{
    const qint64 p = t.toInteger();
    if (p < 1 || p > 1000)
        throw Error(Error::Code::BadArg, QStringLiteral("position %1").arg(p));
    return int(p);
}

Term walk(const Table &t, bool forward)
{
    QList<Term> keys;
    std::optional<Term> k = forward ? t.first() : t.last();
    while (k) {
        keys.append(*k);
        if (keys.size() > 10'000'000)
            throw Error(Error::Code::BadArg, QStringLiteral("the walk does not end"));
        k = forward ? t.next(*k) : t.prev(*k);
    }
    return Term::list(keys);
}

// {Pos, Incr} or {Pos, Incr, Threshold, SetValue}.
CounterUpdate counterUpdate(const Term &t)
{
    if (!t.isTuple() || (t.size() != 2 && t.size() != 4))
        throw Error(Error::Code::BadArg, QStringLiteral("not a counter update"));
    if (t.size() == 2)
        return CounterUpdate(toPos(t.at(0)), t.at(1));
    return CounterUpdate(toPos(t.at(0)), t.at(1), t.at(2), t.at(3));
}

// ets:update_counter/3,4 with one update or a list of them.
Term updateCounter(Table &t, const Term &key, const Term &ops, const Tuple *defaultRow)
{
    if (ops.isList()) {
        QList<CounterUpdate> list;
        for (const Term &o : ops.elements())
            list.append(counterUpdate(o));
        return Term::list(defaultRow ? t.updateCounter(key, list, *defaultRow)
                                     : t.updateCounter(key, list));
    }
    const CounterUpdate u = counterUpdate(ops);
    return defaultRow ? t.updateCounter(key, u, *defaultRow) : t.updateCounter(key, u);
}

// The chunks of a select with a limit, as ets_conformance.erl's chunks/2
// gives them: {[{Matches, cont | '$end_of_table'}, ...], '$end_of_table'}. `between` runs after the
// first chunk.
Term selectChunks(std::optional<SelectChunk> chunk, bool reverse, bool markLast,
                  const std::function<void()> &between = {})
{
    QList<Term> chunks;
    bool first = true;
    while (chunk) {
        if (first && between)
            between();
        first = false;
        chunks.append(
            Term::tuple({ Term::list(chunk->matches),
                          atom(chunk->continuation.isEnd() ? u"$end_of_table" : u"cont") }));
        if (chunks.size() > 10'000'000)
            throw Error(Error::Code::BadArg, QStringLiteral("the select does not end"));
        chunk = reverse ? Table::selectReverse(chunk->continuation)
                        : Table::select(chunk->continuation);
    }
    // select_last_chunk_end (known-divergences.md): the last chunk's
    // continuation is not compared.
    if (markLast && !chunks.isEmpty())
        chunks.last() = Term::tuple({ chunks.last().at(0), atom(u"last") });
    return Term::tuple({ Term::list(chunks), atom(u"$end_of_table") });
}

Term foldRows(const Table &t, bool right)
{
    auto f = [](const Tuple &row, QList<Term> acc) {
        acc.prepend(Term::tuple(row));
        return acc;
    };
    return Term::list(right ? t.foldr(QList<Term>(), f) : t.fold(QList<Term>(), f));
}

// One op on the Immortal table, its result as ets would return it.
Term apply(Table &t, const Term &op, bool markLast)
{
    if (op.isAtom()) {
        const QString name = op.atomName();
        if (name == u"walk_forward")
            return walk(t, true);
        if (name == u"walk_backward")
            return walk(t, false);
        if (name == u"tab2list")
            return rowsTerm(t.toList());
        if (name == u"foldl")
            return foldRows(t, false);
        if (name == u"foldr")
            return foldRows(t, true);
        if (name == u"info_size")
            return Term(qint64(t.info().size));
        if (name == u"delete_all_objects") {
            t.deleteAllObjects();
            return boolean(true);
        }
        throw std::runtime_error("unknown op " + name.toStdString());
    }
    const QString name = op.at(0).atomName();
    const qsizetype n = op.size();
    if (name == u"insert" || name == u"insert_new") {
        const Term &arg = op.at(1);
        const bool isNew = name == u"insert_new";
        if (arg.isTuple()) {
            if (isNew)
                return boolean(t.insertNew(arg.toTuple()));
            t.insert(arg.toTuple());
            return boolean(true);
        }
        QList<Tuple> rows;
        for (const Term &r : arg.elements())
            rows.append(r.toTuple());
        if (isNew)
            return boolean(t.insertNew(rows));
        t.insert(rows);
        return boolean(true);
    }
    if (name == u"lookup")
        return rowsTerm(t.lookup(op.at(1)));
    if (name == u"member")
        return boolean(t.member(op.at(1)));
    if (name == u"delete") {
        t.erase(op.at(1));
        return boolean(true);
    }
    if (name == u"delete_object") {
        t.eraseObject(op.at(1).toTuple());
        return boolean(true);
    }
    if (name == u"take")
        return rowsTerm(t.take(op.at(1)));
    if (name == u"update_counter") {
        // The CounterUpdate form: the qint64 one refuses results beyond
        // 64 bits, which ets returns.
        const CounterUpdate u(toPos(op.at(2)), op.at(3));
        if (n == 5)
            return t.updateCounter(op.at(1), u, op.at(4).toTuple());
        return t.updateCounter(op.at(1), u);
    }
    if (name == u"update_counter_threshold") {
        if (n == 4) {
            const Tuple d = op.at(3).toTuple();
            return updateCounter(t, op.at(1), op.at(2), &d);
        }
        return updateCounter(t, op.at(1), op.at(2), nullptr);
    }
    if (name == u"select")
        return Term::list(t.select(MatchSpec(op.at(1))));
    if (name == u"select_reverse")
        return Term::list(t.selectReverse(MatchSpec(op.at(1))));
    if (name == u"select_count")
        return Term(qint64(t.selectCount(MatchSpec(op.at(1)))));
    if (name == u"select_delete")
        return Term(qint64(t.selectDelete(MatchSpec(op.at(1)))));
    if (name == u"select_replace")
        return Term(qint64(t.selectReplace(MatchSpec(op.at(1)))));
    if (name == u"select_limit_write") {
        const bool reverse = op.at(1).atomName() == u"select_reverse";
        const MatchSpec spec(op.at(2));
        const qint64 limit = op.at(3).toInteger();
        const bool insert = op.at(4).atomName() == u"insert";
        const Tuple row = op.at(5).toTuple();
        return selectChunks(reverse ? t.selectReverse(spec, limit) : t.select(spec, limit), reverse,
                            markLast, [&] {
                                const int keyPos = t.info().keyPos;
                                if (insert)
                                    t.insert(row);
                                else if (row.size() < keyPos)
                                    throw Error(Error::Code::BadArg, QStringLiteral("no key"));
                                else
                                    t.erase(row.at(keyPos - 1));
                            });
    }
    if (name == u"select_limit" || name == u"select_reverse_limit") {
        const bool reverse = name == u"select_reverse_limit";
        const MatchSpec spec(op.at(1));
        const qint64 limit = op.at(2).toInteger();
        return selectChunks(reverse ? t.selectReverse(spec, limit) : t.select(spec, limit), reverse,
                            markLast);
    }
    if (name == u"update_element") {
        if (n == 3) {
            QList<std::pair<int, Term>> changes;
            for (const Term &c : op.at(2).elements())
                changes.append({ toPos(c.at(0)), c.at(1) });
            return boolean(t.updateElement(op.at(1), changes));
        }
        return boolean(t.updateElement(op.at(1), toPos(op.at(2)), op.at(3)));
    }
    if (name == u"lookup_element")
        return t.lookupElement(op.at(1), toPos(op.at(2)));
    if (name == u"match_object") {
        // ets takes any term as the pattern; a Tuple is the pattern of
        // Table::matchObject, the bare '_' is written as the match
        // specification [{'_', [], ['$_']}] (see docs/ets-differences.md).
        if (!op.at(1).isTuple())
            return Term::list(t.select(Term::list(
                { Term::tuple({ op.at(1), Term::list({}), Term::list({ atom(u"$_") }) }) })));
        return rowsTerm(t.matchObject(op.at(1).toTuple()));
    }
    if (name == u"match") {
        // ets:match(T, '_') gives [] per row, the bindings of no variable.
        if (!op.at(1).isTuple())
            return Term::list(t.select(Term::list(
                { Term::tuple({ op.at(1), Term::list({}), Term::list({ atom(u"$$") }) }) })));
        QList<Term> out;
        for (const QList<Term> &bindings : t.match(op.at(1).toTuple()))
            out.append(Term::list(bindings));
        return Term::list(out);
    }
    if (name == u"match_delete") {
        if (!op.at(1).isTuple())
            t.selectDelete(MatchSpec(Term::list(
                { Term::tuple({ op.at(1), Term::list({}), Term::list({ atom(u"true") }) }) })));
        else
            t.matchDelete(op.at(1).toTuple());
        return boolean(true);
    }
    if (name == u"next")
        return keyOrEnd(t.next(op.at(1)));
    if (name == u"prev")
        return keyOrEnd(t.prev(op.at(1)));
    throw std::runtime_error("unknown op " + name.toStdString());
}

// Results whose order ets leaves unspecified are compared as sorted lists.
bool orderIsUnspecified(const Term &op, TableOptions::Type type)
{
    if (type == TableOptions::Type::OrderedSet)
        return false;
    const QString name = op.isAtom() ? op.atomName() : op.at(0).atomName();
    return name == u"walk_forward" || name == u"walk_backward" || name == u"tab2list"
        || name == u"match_object" || name == u"match" || name == u"select"
        || name == u"select_reverse" || name == u"foldl" || name == u"foldr"
        || name == u"select_limit" || name == u"select_reverse_limit";
}

// A result in an order-free form: a sorted list; for the chunks of a select
// with a limit, {the sorted concatenation, [{Size, cont | '$end_of_table'}],
// '$end_of_table'} (ets fills every chunk but the last, whatever the type).
Term unordered(const Term &result)
{
    if (!result.isTuple() || result.size() != 2 || !result.at(0).isList())
        return sorted(result);
    QList<Term> all;
    QList<Term> sizes;
    for (const Term &chunk : result.at(0).elements()) {
        if (!chunk.isTuple() || chunk.size() != 2 || !chunk.at(0).isList())
            return result;
        const auto e = chunk.at(0).elements();
        all.append(QList<Term>(e.begin(), e.end()));
        sizes.append(Term::tuple({ Term(qint64(e.size())), chunk.at(1) }));
    }
    return Term::tuple({ sorted(Term::list(all)), Term::list(sizes), result.at(1) });
}

struct Run
{
    QString escript;
    QString script;
    QStringList exclusions;
    bool verbose = false;
};

// Runs ets_conformance.erl for these types and seeds in one Erlang VM and
// returns each run's lines, in the order types x seeds.
QList<QList<QByteArray>> erlangRuns(const Run &run, const QStringList &types,
                                    const QList<int> &seeds, int ops)
{
    QStringList seedStrings;
    for (int s : seeds)
        seedStrings.append(QString::number(s));
    const QStringList args { types.join(u','), seedStrings.join(u','), QString::number(ops),
                             run.exclusions.isEmpty() ? QStringLiteral("-")
                                                      : run.exclusions.join(u',') };
    const QByteArray erlOut = runEscript(run.escript, run.script, args);
    const bool marked = types.size() * seeds.size() > 1;
    QList<QList<QByteArray>> runs;
    if (!marked)
        runs.append(QList<QByteArray>());
    for (const QByteArray &rawLine : erlOut.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        if (marked && line.startsWith("{run,")) {
            runs.append(QList<QByteArray>());
            continue;
        }
        if (runs.isEmpty()) {
            err(QStringLiteral("unexpected output from Erlang: %1").arg(QString::fromUtf8(line)));
            std::exit(2);
        }
        runs.last().append(line);
    }
    if (runs.size() != types.size() * seeds.size()) {
        err(QStringLiteral("expected %1 runs from Erlang, read %2")
                .arg(types.size() * seeds.size())
                .arg(runs.size()));
        std::exit(2);
    }
    return runs;
}

// One type, one seed, its lines from Erlang: 0 if Immortal agrees with ets
// on every op.
int runOne(const Run &run, const QString &typeName, int seed, int ops,
           const QList<QByteArray> &lines)
{
    // "set", or "set@2" for {keypos, 2}.
    TableOptions options;
    options.type = TableOptions::Type::Set;
    const QString baseType = typeName.section(u'@', 0, 0);
    for (auto ty : { TableOptions::Type::Set, TableOptions::Type::OrderedSet,
                     TableOptions::Type::Bag, TableOptions::Type::DuplicateBag }) {
        if (baseType == QLatin1String(TableOptions::typeName(ty)))
            options.type = ty;
    }
    if (typeName.contains(u'@'))
        options.keyPos = typeName.section(u'@', 1, 1).toInt();
    options.access = TableOptions::Access::Public;
    auto owner = std::make_unique<Process>();
    ProcessScope scope(owner->pid());
    Table table = Table::create(QStringLiteral("conf"), options);

    int index = 0;
    for (const QByteArray &rawLine : lines) {
        QByteArray line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        if (line.endsWith('.'))
            line.chop(1);
        Term pair;
        try {
            pair = Term::parse(QString::fromUtf8(line));
        } catch (const Error &e) {
            out(QStringLiteral("DIVERGENCE: type %1, seed %2, op #%3 (0-based): Immortal cannot "
                               "hold OTP's line\n  %4\n  (%5)")
                    .arg(typeName)
                    .arg(seed)
                    .arg(index)
                    .arg(QString::fromUtf8(line), e.message()));
            return 1;
        }
        const Term &op = pair.at(0);
        Term expected = pair.at(1);
        Term actual;
        QString why;
        try {
            actual = apply(table, op, run.exclusions.contains(u"select_last_chunk_end"));
        } catch (const Error &e) {
            actual = atom(u"badarg");
            why = e.message();
        } catch (const std::exception &e) {
            // An op kind known-divergences.md no longer excludes, for a
            // feature apply() does not map yet.
            out(QStringLiteral("op #%1 %2: %3: map it to the Table API in etsdriver.cpp apply()")
                    .arg(index)
                    .arg(op.format(), QString::fromUtf8(e.what())));
            return 1;
        }
        if (orderIsUnspecified(op, options.type)) {
            expected = unordered(expected);
            actual = unordered(actual);
        }
        if (run.verbose)
            out(QStringLiteral("%1 %2 -> %3").arg(index).arg(op.format(), actual.format()));
        if (!identical(expected, actual)) {
            out(QStringLiteral("DIVERGENCE: type %1, seed %2, op #%3 (0-based)\n"
                               "  op:       %4\n  OTP 25:   %5\n  Immortal: %6%7\n"
                               "  reproduce: etsdriver --type %1 --seed %2 --ops %8%9")
                    .arg(typeName)
                    .arg(seed)
                    .arg(index)
                    .arg(op.format(), expected.format(), actual.format(),
                         why.isEmpty() ? QString() : QStringLiteral(" (") + why + u')')
                    .arg(index + 1)
                    .arg(run.exclusions.isEmpty() ? QStringLiteral(" --all-features") : QString()));
            return 1;
        }
        ++index;
    }
    if (index != ops) {
        err(QStringLiteral("expected %1 ops from Erlang, read %2").arg(ops).arg(index));
        return 2;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser cli;
    cli.setApplicationDescription(
        QStringLiteral("Runs random ets operation sequences on real OTP and on Immortal and "
                       "reports the first divergence."));
    cli.addHelpOption();
    const QCommandLineOption longOpt(
        QStringLiteral("long"), QStringLiteral("Millions of ops: 20 seeds x 100000 ops per type."));
    const QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Run only this seed."),
                                     QStringLiteral("n"));
    const QCommandLineOption seedsOpt(QStringLiteral("seeds"),
                                      QStringLiteral("Run seeds 1..n (default 3)."),
                                      QStringLiteral("n"));
    const QCommandLineOption opsOpt(QStringLiteral("ops"),
                                    QStringLiteral("Ops per seed and type (default 5000)."),
                                    QStringLiteral("n"));
    const QCommandLineOption typeOpt(
        QStringLiteral("type"),
        QStringLiteral("Only this table type (set, ordered_set, bag, "
                       "duplicate_bag; with @2 for {keypos, 2}, e.g. set@2)."),
        QStringLiteral("type"));
    const QCommandLineOption allOpt(QStringLiteral("all-features"),
                                    QStringLiteral("Ignore known-divergences.md: generate every op "
                                                   "and value, to see whether a fix has landed."));
    const QCommandLineOption exclOpt(
        QStringLiteral("exclude"),
        QStringLiteral("Exclude these ids (comma-separated) instead of "
                       "those known-divergences.md lists."),
        QStringLiteral("ids"));
    const QCommandLineOption verboseOpt(QStringLiteral("verbose"),
                                        QStringLiteral("Print every op and Immortal's result."));
    const QCommandLineOption dirOpt(QStringLiteral("dir"),
                                    QStringLiteral("Where ets_conformance.erl and "
                                                   "known-divergences.md are."),
                                    QStringLiteral("dir"),
                                    QStringLiteral(IMMORTAL_CONFORMANCE_DIR));
    cli.addOptions(
        { longOpt, seedOpt, seedsOpt, opsOpt, typeOpt, allOpt, exclOpt, verboseOpt, dirOpt });
    cli.process(app);

    Run run;
    run.escript = findEscript();
    if (run.escript.isEmpty())
        return kSkip;
    const QString dir = cli.value(dirOpt);
    run.script = dir + QStringLiteral("/ets_conformance.erl");
    run.verbose = cli.isSet(verboseOpt);
    if (cli.isSet(exclOpt))
        run.exclusions = cli.value(exclOpt).split(u',', Qt::SkipEmptyParts);
    else if (!cli.isSet(allOpt))
        run.exclusions =
            knownDivergences(dir + QStringLiteral("/known-divergences.md"), QStringLiteral("ets"));

    const bool isLong = cli.isSet(longOpt);
    int ops = isLong ? 100000 : 5000;
    int seeds = isLong ? 20 : 3;
    if (cli.isSet(opsOpt))
        ops = cli.value(opsOpt).toInt();
    if (cli.isSet(seedsOpt))
        seeds = cli.value(seedsOpt).toInt();
    QList<int> seedList;
    if (cli.isSet(seedOpt))
        seedList.append(cli.value(seedOpt).toInt());
    else
        for (int s = 1; s <= seeds; ++s)
            seedList.append(s);
    QStringList types { QStringLiteral("set"),   QStringLiteral("ordered_set"),
                        QStringLiteral("bag"),   QStringLiteral("duplicate_bag"),
                        QStringLiteral("set@2"), QStringLiteral("ordered_set@2"),
                        QStringLiteral("bag@2") };
    if (cli.isSet(typeOpt))
        types = { cli.value(typeOpt) };

    out(QStringLiteral("excluded (known divergences): %1")
            .arg(run.exclusions.isEmpty() ? QStringLiteral("none") : run.exclusions.join(u", ")));
    QElapsedTimer timer;
    timer.start();
    qint64 total = 0;
    // One Erlang VM for everything when the output fits in memory easily
    // (starting the VM is most of a short run's time), else one per type
    // and seed.
    const bool oneVm = qint64(types.size()) * seedList.size() * ops <= 500'000;
    QList<QList<QByteArray>> batch;
    if (oneVm)
        batch = erlangRuns(run, types, seedList, ops);
    qsizetype runIndex = 0;
    for (const QString &type : types) {
        for (int seed : seedList) {
            const QList<QByteArray> lines =
                oneVm ? batch.at(runIndex++) : erlangRuns(run, { type }, { seed }, ops).first();
            if (const int rc = runOne(run, type, seed, ops, lines))
                return rc;
            total += ops;
        }
        out(QStringLiteral("%1: %2 seeds x %3 ops agree with OTP")
                .arg(type)
                .arg(seedList.size())
                .arg(ops));
    }
    out(QStringLiteral("OK: %1 ops in %2 ms").arg(total).arg(timer.elapsed()));
    return 0;
}
