// Fuzzes the ETS operation interface (immortal/table.h): the bytes are a
// small program of table operations, run on a fresh Node with a few
// processes as owners, heirs and callers. Terms of every type are built
// from the bytes. Error (badarg, access denied, ...) is an expected result
// of an operation; any other exception, a crash, a sanitizer report or a
// broken invariant is a bug. After every operation each live table is
// checked: its size, its rows walked three ways, its memory count, its
// owner.

#include "fuzzing.h"

#include "tablestore.h" // TableData behind a handle, for memoryByWalk()

#include <immortal/counterupdate.h>
#include <immortal/error.h>
#include <immortal/matchspec.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/table.h>

#include <QPointer>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

using namespace immortal;
using immortal::fuzz::Input;

namespace {

using Type = TableOptions::Type;
using Access = TableOptions::Access;

constexpr int kProcesses = 3;
constexpr int kTables = 4;
constexpr int kMaxOps = 400; // keeps one input well under a millisecond or so

// Atoms come from fixed lists: atoms are never freed, so atoms made from
// the bytes would grow the atom table for the whole run.
Term atomAt(int i)
{
    static const std::array<Term, 17> atoms = [] {
        const char16_t *names[] = { u"undefined", u"ok",   u"a",     u"b",  u"c",  u"_",
                                    u"$1",        u"$2",   u"$3",    u"$_", u"$$", u"true",
                                    u"false",     u"EXIT", u"const", u"$0", u"nan" };
        std::array<Term, 17> out;
        for (size_t k = 0; k < out.size(); ++k)
            out[k] = Term::atom(names[k]);
        return out;
    }();
    return atoms[size_t(i) % atoms.size()];
}

// Match specification functions, with their arities (matchspec.h), and a
// few that are not (foo/0, max/2 which OTP 25 lacks).
struct Function
{
    const char16_t *name;
    int arity;
};
constexpr Function kFunctions[] = {
    { u"is_atom", 1 },   { u"is_float", 1 }, { u"is_integer", 1 }, { u"is_list", 1 },
    { u"is_number", 1 }, { u"is_tuple", 1 }, { u"is_binary", 1 },  { u"is_record", 3 },
    { u"is_pid", 1 },    { u"and", 2 },      { u"or", 2 },         { u"xor", 2 },
    { u"not", 1 },       { u"andalso", 2 },  { u"orelse", 2 },     { u"<", 2 },
    { u"=<", 2 },        { u">", 2 },        { u">=", 2 },         { u"==", 2 },
    { u"/=", 2 },        { u"=:=", 2 },      { u"=/=", 2 },        { u"+", 2 },
    { u"-", 2 },         { u"*", 2 },        { u"/", 2 },          { u"div", 2 },
    { u"rem", 2 },       { u"band", 2 },     { u"bor", 2 },        { u"bxor", 2 },
    { u"bnot", 1 },      { u"bsl", 2 },      { u"bsr", 2 },        { u"-", 1 },
    { u"+", 1 },         { u"abs", 1 },      { u"element", 2 },    { u"hd", 1 },
    { u"tl", 1 },        { u"length", 1 },   { u"size", 1 },       { u"byte_size", 1 },
    { u"float", 1 },     { u"round", 1 },    { u"trunc", 1 },      { u"self", 0 },
    { u"foo", 0 },       { u"max", 2 },
};

Term functionAtom(int i)
{
    static const QList<Term> atoms = [] {
        QList<Term> out;
        for (const Function &f : kFunctions)
            out.append(Term::atom(f.name));
        return out;
    }();
    return atoms.at(i);
}

const QString kNames[] = { QStringLiteral("p0"), QStringLiteral("p1"), QStringLiteral("p2"),
                           QStringLiteral("ghost") };
const QString kTableNames[] = { QStringLiteral("t0"), QStringLiteral("t1"), QStringLiteral("t2") };

int sign(int c)
{
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Whether format() writes text that parse() reads back as the same term:
// floats that are not finite have no Erlang text.
bool hasTextForm(const Term &t)
{
    if (t.isFloat())
        return std::isfinite(t.toDouble());
    for (const Term &e : t.elements()) {
        if (!hasTextForm(e))
            return false;
    }
    return true;
}

class Program
{
public:
    Program(const std::uint8_t *data, std::size_t size)
        : m_in(data, size)
    {
        for (int k = 0; k < kProcesses; ++k)
            m_procs[k] = newProcess();
    }
    ~Program()
    {
        m_continuation.reset();
        for (Table &t : m_tables)
            t = Table();
        for (QPointer<Process> &p : m_procs)
            delete p.data();
        runPostedEvents();
        // m_node goes last: the Node's destructor ends what is left.
    }

    void run()
    {
        for (int op = 0; op < kMaxOps && !m_in.atEnd(); ++op) {
            step();
            checkTables();
        }
    }

private:
    Input m_in;
    Node m_node; // fresh per input: no process, name or table carries over
    std::array<QPointer<Process>, kProcesses> m_procs;
    std::array<Table, kTables> m_tables;
    std::optional<SelectContinuation> m_continuation;
    Pid m_deadPid = 0;
    Rows m_rows; // lookup(key, into) reuses it, as a caller's loop does

    Process *newProcess()
    {
        auto *p = new Process;
        p->setTrapExit(m_in.flag());
        return p;
    }

    // Runs the posted events: ETS-TRANSFERs, exit signals, 0 ms grace
    // timers, deleteLater(). Timers with a delay never fire (no clocks).
    static void runPostedEvents()
    {
        for (int round = 0; round < 3; ++round) {
            QCoreApplication::sendPostedEvents();
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        }
    }
    // The same, then a new process in the place of each one that died.
    void settle()
    {
        runPostedEvents();
        for (QPointer<Process> &p : m_procs) {
            if (!p)
                p = newProcess();
        }
    }

    Pid pidOf(int k) const { return m_procs[k] ? m_procs[k]->pid() : 0; }
    // Who calls: one of the processes, code outside any process, or (half
    // the time, as most calls that change a table are the owner's) the
    // owner of one of the tables.
    Pid caller()
    {
        const int k = m_in.below(2 * (kProcesses + 1));
        if (k < kProcesses)
            return pidOf(k);
        if (k == kProcesses)
            return 0;
        return ownerOf(m_tables[size_t(k - kProcesses - 1) % kTables]);
    }
    // A pid argument: live, none, dead, or never alive.
    Pid pidArg()
    {
        switch (m_in.below(6)) {
        case 0:
        case 1:
        case 2:
            return pidOf(m_in.below(kProcesses));
        case 3:
            return 0;
        case 4:
            return m_deadPid;
        default:
            // Far above any pid a run reaches (pids are never reused, so
            // the counter is shared by every input): never alive.
            return (Pid(1) << 62) + m_in.raw<quint32>();
        }
    }

    // --- terms --------------------------------------------------------

    Term integer()
    {
        constexpr qint64 max = std::numeric_limits<qint64>::max();
        constexpr qint64 min = std::numeric_limits<qint64>::min();
        static const qint64 edges[] = {
            0,       1,         -1,           2,         max,       min,       max - 1,
            min + 1, 1LL << 53, -(1LL << 53), 1LL << 31, INT32_MIN, 1LL << 24, -(1LL << 24),
            255
        };
        switch (m_in.below(4)) {
        case 0:
            return qint64(qint8(m_in.byte()));
        case 1:
            return edges[m_in.below(int(std::size(edges)))];
        case 2:
            return m_in.raw<qint64>();
        default: {
            // Beyond 64 bits: sign and decimal digits.
            QString digits = m_in.flag() ? QStringLiteral("-") : QString();
            digits += QLatin1Char('1' + m_in.below(9));
            const int n = 18 + m_in.below(24);
            for (int i = 0; i < n; ++i)
                digits += QLatin1Char('0' + m_in.below(10));
            return Term::integer(digits);
        }
        }
    }

    Term floating()
    {
        constexpr double inf = std::numeric_limits<double>::infinity();
        static const double edges[] = { 0.0,
                                        -0.0,
                                        1.0,
                                        -1.0,
                                        0.5,
                                        2.0,
                                        1e308,
                                        -1e308,
                                        5e-324,
                                        9223372036854775808.0,
                                        -9223372036854775808.0,
                                        9007199254740993.0,
                                        std::numeric_limits<double>::quiet_NaN(),
                                        inf,
                                        -inf };
        if (m_in.flag())
            return edges[m_in.below(int(std::size(edges)))];
        return m_in.raw<double>();
    }

    Term string()
    {
        if (m_in.flag())
            return QString::fromUtf8(m_in.bytes(4));
        // Raw UTF-16, lone surrogates included: strings order by code point.
        QString s;
        for (int i = m_in.below(3); i > 0; --i)
            s += QChar(char16_t(m_in.raw<quint16>()));
        return s;
    }

    Term term(int depth)
    {
        switch (m_in.below(depth > 0 ? 10 : 8)) {
        case 0:
        case 1:
            return integer();
        case 2:
            return floating();
        case 3:
        case 4:
            return atomAt(m_in.byte());
        case 5:
            return string();
        case 6:
            return Term(m_in.bytes(4));
        case 7:
            return key();
        case 8: {
            Tuple t;
            for (int i = m_in.below(5); i > 0; --i)
                t.append(term(depth - 1));
            return Term::tuple(t);
        }
        default: {
            QList<Term> l;
            for (int i = m_in.below(5); i > 0; --i)
                l.append(term(depth - 1));
            return Term::list(l);
        }
        }
    }

    // Keys come mostly from a few values, so that rows meet: equal keys,
    // 1 and 1.0, 0.0 and -0.0, an atom and a string of the same text.
    Term key()
    {
        static const std::array<Term, 15> keys = {
            Term(0),
            Term(1),
            Term(2),
            Term(1.0),
            Term(0.0),
            Term(-0.0),
            Term::atom(u"a"),
            Term::atom(u"b"),
            Term(QStringLiteral("a")),
            Term(QByteArray("a")),
            Term::tuple({ 1 }),
            Term::list({ 1 }),
            Term::integer(u"18446744073709551616"),
            Term(std::numeric_limits<double>::quiet_NaN()),
            Term::tuple({ Term::atom(u"a"), 1 }),
        };
        const int pick = m_in.byte();
        if (pick < 200)
            return keys[size_t(pick) % keys.size()];
        return term(1);
    }

    Tuple row(int keyPos)
    {
        const int size = m_in.below(5);
        Tuple row;
        for (int i = 1; i <= size; ++i)
            row.append(i == keyPos ? key() : term(2));
        return row;
    }

    QList<Tuple> rows(int keyPos)
    {
        QList<Tuple> out;
        for (int i = m_in.below(4); i > 0; --i)
            out.append(row(keyPos));
        return out;
    }

    int position()
    {
        static const int positions[] = { 1, 2, 3, 4, 0, -1, 1000, std::numeric_limits<int>::max() };
        return m_in.below(4) ? 1 + m_in.below(4) : positions[m_in.below(int(std::size(positions)))];
    }

    Term pattern(int depth)
    {
        switch (m_in.below(depth > 0 ? 7 : 5)) {
        case 0:
        case 1:
            return atomAt(5); // '_'
        case 2:
            return atomAt(6 + m_in.below(3)); // '$1'..'$3'
        case 3:
            return key();
        case 4:
            return term(1);
        case 5: {
            Tuple t;
            for (int i = m_in.below(4); i > 0; --i)
                t.append(pattern(depth - 1));
            return Term::tuple(t);
        }
        default: {
            QList<Term> l;
            for (int i = m_in.below(3); i > 0; --i)
                l.append(pattern(depth - 1));
            return Term::list(l);
        }
        }
    }

    Tuple tuplePattern()
    {
        Tuple t;
        for (int i = m_in.below(5); i > 0; --i)
            t.append(pattern(2));
        return t;
    }

    // A match specification's head: mostly variables, which its guards and
    // body can then use.
    Term head()
    {
        switch (m_in.below(6)) {
        case 0:
            return atomAt(5); // '_'
        case 1:
            return variable();
        default: {
            Tuple t;
            for (int i = m_in.below(5); i > 0; --i)
                t.append(m_in.flag() ? atomAt(6 + m_in.below(3)) : pattern(1));
            return Term::tuple(t);
        }
        }
    }

    Term variable()
    {
        static const int variables[] = { 6, 7, 8, 9, 10, 15 }; // '$1' '$2' '$3' '$_' '$$' '$0'
        return atomAt(variables[m_in.below(int(std::size(variables)))]);
    }

    Term expression(int depth)
    {
        switch (m_in.below(depth > 0 ? 9 : 4)) {
        case 0:
            return variable();
        case 1:
            return term(1); // a constant, or a tuple read as a call
        case 2:
            return Term::tuple({ atomAt(14), term(2) }); // {const, T}
        case 3:
            return atomAt(11 + m_in.below(2)); // true, false
        case 4:
        case 5:
        case 6: {
            const int f = m_in.below(int(std::size(kFunctions)));
            int arity = kFunctions[f].arity;
            if (m_in.below(16) == 0)
                arity = m_in.below(4); // often the wrong one
            Tuple call { functionAtom(f) };
            for (int i = 0; i < arity; ++i)
                call.append(expression(depth - 1));
            return Term::tuple(call);
        }
        case 7: // {{E1, E2}}: a tuple built from expressions
            return Term::tuple({ Term::tuple({ expression(depth - 1), expression(depth - 1) }) });
        default: {
            QList<Term> l;
            for (int i = m_in.below(3); i > 0; --i)
                l.append(expression(depth - 1));
            return Term::list(l);
        }
        }
    }

    Term matchSpecTerm()
    {
        if (m_in.below(16) == 0)
            return term(3); // hardly ever a specification
        QList<Term> clauses;
        for (int c = m_in.below(3); c >= 0; --c) {
            const Term h = head();
            QList<Term> guards;
            for (int i = m_in.below(3); i > 0; --i)
                guards.append(expression(2));
            QList<Term> body;
            // Not empty, but for one time in sixteen (badarg).
            for (int i = m_in.below(16) == 15 ? 0 : 1 + m_in.below(2); i > 0; --i)
                body.append(expression(2));
            clauses.append(Term::tuple({ h, Term::list(guards), Term::list(body) }));
        }
        return Term::list(clauses);
    }

    HeirSpec heir()
    {
        static const int graces[] = { 0, 5000, -1 };
        switch (m_in.below(3)) {
        case 0:
            return HeirSpec::none();
        case 1:
            return HeirSpec::byPid(pidArg(), term(1));
        default:
            return HeirSpec::byName(kNames[m_in.below(4)], term(1),
                                    graces[m_in.below(int(std::size(graces)))]);
        }
    }

    // --- operations ---------------------------------------------------

    Table &table() { return m_tables[size_t(m_in.below(kTables))]; }
    // The key position of a live table; 1 for the rest (their calls fail).
    static int keyPosOf(const Table &t)
    {
        const std::optional<TableInfo> info = Table::infoOf(t.id());
        return info ? info->keyPos : 1;
    }
    static Pid ownerOf(const Table &t)
    {
        const std::optional<TableInfo> info = Table::infoOf(t.id());
        return info ? info->owner : 0;
    }
    static Type typeOf(const Table &t)
    {
        const std::optional<TableInfo> info = Table::infoOf(t.id());
        return info ? info->type : Type::Set;
    }

    void step()
    {
        const int op = m_in.byte();
        const Pid who = caller();
        ProcessScope scope(who);
        try {
            operation(op % 32, who);
        } catch (const Error &) {
            // An expected result: the call was refused and changed nothing.
        }
    }

    void operation(int op, Pid who)
    {
        switch (op) {
        case 0:
            create();
            break;
        case 1:
        case 2: {
            Table &t = table();
            const Tuple r = row(keyPosOf(t));
            t.insert(r);
            checkStored(t, r);
            break;
        }
        case 3: {
            Table &t = table();
            const QList<Tuple> rs = rows(keyPosOf(t));
            t.insert(rs);
            for (const Tuple &r : rs)
                FUZZ_CHECK(t.member(r.at(keyPosOf(t) - 1)));
            break;
        }
        case 4: {
            Table &t = table();
            const Tuple r = row(keyPosOf(t));
            const qsizetype before = t.size();
            if (t.insertNew(r)) {
                FUZZ_CHECK(t.size() == before + 1);
                checkStored(t, r);
            } else {
                FUZZ_CHECK(t.size() == before);
                FUZZ_CHECK(t.member(r.at(keyPosOf(t) - 1)));
            }
            break;
        }
        case 5: {
            Table &t = table();
            const QList<Tuple> rs = rows(keyPosOf(t));
            const qsizetype before = t.size();
            if (!t.insertNew(rs))
                FUZZ_CHECK(t.size() == before);
            break;
        }
        case 6: {
            Table &t = table();
            const Term k = key();
            const Rows found = t.lookup(k);
            FUZZ_CHECK(t.lookup(k, m_rows) == found.size());
            FUZZ_CHECK(m_rows == found.toList());
            FUZZ_CHECK(t.member(k) == !found.isEmpty());
            const Type type = typeOf(t);
            if (type == Type::Set || type == Type::OrderedSet)
                FUZZ_CHECK(found.size() <= 1);
            break;
        }
        case 7: {
            Table &t = table();
            const Term k = key();
            t.erase(k);
            FUZZ_CHECK(!t.member(k));
            break;
        }
        case 8: {
            Table &t = table();
            const Tuple r = row(keyPosOf(t));
            t.eraseObject(r);
            if (r.size() >= keyPosOf(t))
                FUZZ_CHECK(!t.lookup(r.at(keyPosOf(t) - 1)).toList().contains(r));
            break;
        }
        case 9: {
            Table &t = table();
            t.deleteAllObjects();
            FUZZ_CHECK(t.size() == 0);
            break;
        }
        case 10: {
            Table &t = table();
            const Tuple p = tuplePattern();
            const qsizetype before = t.size();
            const qsizetype n = t.matchDelete(p);
            FUZZ_CHECK(n >= 0 && t.size() == before - n);
            FUZZ_CHECK(t.match(p).isEmpty());
            break;
        }
        case 11: {
            Table &t = table();
            const Term k = key();
            const Rows taken = t.take(k);
            FUZZ_CHECK(!t.member(k));
            if (typeOf(t) == Type::Set || typeOf(t) == Type::OrderedSet)
                FUZZ_CHECK(taken.size() <= 1);
            break;
        }
        case 12:
        case 13:
            updateCounter(table());
            break;
        case 14: {
            Table &t = table();
            const Term k = key();
            if (m_in.flag()) {
                t.updateElement(k, position(), term(2));
            } else {
                QList<std::pair<int, Term>> changes;
                for (int i = m_in.below(3); i > 0; --i)
                    changes.append({ position(), term(2) });
                t.updateElement(k, changes);
            }
            break;
        }
        case 15: {
            Table &t = table();
            if (m_in.flag())
                t.lookupElement(key(), position());
            else
                t.lookupElement(key(), position(), term(1));
            break;
        }
        case 16: {
            Table &t = table();
            const Tuple p = tuplePattern();
            FUZZ_CHECK(t.match(p).size() == t.matchObject(p).size());
            break;
        }
        case 17:
        case 18:
        case 19:
            select(table());
            break;
        case 20: {
            Table &t = table();
            const int mod = 1 + m_in.below(3);
            const bool fails = m_in.below(4) == 0;
            const qsizetype before = t.size();
            auto pred = [mod, fails](const Tuple &r) {
                if (fails && r.size() == 2)
                    throw Error(Error::Code::BadArg, QStringLiteral("a failing predicate"));
                return r.size() % mod == 0;
            };
            if (m_in.flag()) {
                const qsizetype expected = t.select(pred).size();
                FUZZ_CHECK(t.selectDelete(pred) == expected);
            } else {
                try {
                    const qsizetype n = t.selectDelete(pred);
                    FUZZ_CHECK(t.size() == before - n);
                } catch (const Error &) {
                    FUZZ_CHECK(t.size() == before); // atomic: nothing deleted
                    throw;
                }
            }
            break;
        }
        case 21: {
            Table &t = table();
            const qsizetype n = t.size();
            FUZZ_CHECK(t.fold(qsizetype(0), [](const Tuple &, qsizetype acc) { return acc + 1; })
                       == n);
            QList<Tuple> backwards;
            t.foldr(0, [&backwards](const Tuple &r, int acc) {
                backwards.prepend(r);
                return acc;
            });
            FUZZ_CHECK(backwards == t.toList());
            break;
        }
        case 22: {
            Table &t = table();
            const ProcessScope owner(m_in.flag() ? ownerOf(t) : who);
            t.giveAway(pidArg(), term(1));
            break;
        }
        case 23: {
            Table &t = table();
            const ProcessScope owner(m_in.flag() ? ownerOf(t) : who);
            t.setHeir(heir());
            break;
        }
        case 24: {
            Table &t = table();
            const TableId id = t.id();
            t.deleteTable();
            FUZZ_CHECK(!t.isAlive() && !Table::infoOf(id));
            break;
        }
        case 25:
            table().setProtection(Access(m_in.below(3)));
            break;
        case 26: {
            Table &t = table();
            const QString name = kTableNames[m_in.below(3)];
            t.rename(name);
            FUZZ_CHECK(t.info().name == name);
            break;
        }
        case 27: {
            // A process dies: killed outright, or exiting by itself (or
            // not, if it traps exits) through an exit signal.
            const int k = m_in.below(kProcesses);
            if (!m_procs[k])
                break;
            m_deadPid = m_procs[k]->pid();
            if (m_in.flag()) {
                delete m_procs[k].data();
            } else {
                const Term reason = m_in.flag() ? ExitReason::kill() : term(1);
                Node::instance()->exit(m_deadPid, reason);
            }
            settle();
            break;
        }
        case 28: {
            const int k = m_in.below(kProcesses);
            const QString name = kNames[m_in.below(4)];
            if (m_in.flag()) {
                if (m_procs[k])
                    m_procs[k]->registerName(name);
            } else {
                Registry::instance()->unregisterName(name);
            }
            settle();
            break;
        }
        case 29:
            settle();
            break;
        case 30:
            queries(who);
            break;
        default:
            checkTerms();
            break;
        }
    }

    void create()
    {
        TableOptions o;
        o.type = Type(m_in.below(4));
        o.access = Access(m_in.below(3));
        o.namedTable = m_in.flag();
        o.keyPos = m_in.below(8) ? 1 + m_in.below(3) : position();
        o.heir = heir();
        o.readConcurrency = m_in.flag();
        o.writeConcurrency = TableOptions::WriteConcurrency(m_in.below(3));
        o.compressed = m_in.flag();
        if (m_in.flag())
            o.decentralizedCounters = m_in.flag();
        const QString name = kTableNames[m_in.below(3)];
        Table &slot = table();
        const Table t = m_in.flag() ? Table::create(name, o) : Table::create(name, o, pidArg());
        slot = t;
        const TableInfo info = t.info();
        FUZZ_CHECK(info.size == 0 && info.type == o.type && info.keyPos == o.keyPos);
        if (o.namedTable)
            FUZZ_CHECK(Table::whereis(name) == t.id());
    }

    // After a successful insert of r: the table holds it.
    void checkStored(const Table &t, const Tuple &r)
    {
        const Rows found = t.lookup(r.at(keyPosOf(t) - 1));
        const Type type = typeOf(t);
        if (type == Type::Set || type == Type::OrderedSet)
            FUZZ_CHECK(found.size() == 1 && found.at(0) == r);
        else
            FUZZ_CHECK(found.toList().contains(r));
    }

    void updateCounter(Table &t)
    {
        const Term k = key();
        const int pos = position();
        auto update = [this, pos] {
            if (m_in.flag())
                return CounterUpdate(pos, integer());
            return CounterUpdate(pos, integer(), integer(), integer());
        };
        switch (m_in.below(6)) {
        case 0:
            t.updateCounter(k, pos, m_in.raw<qint64>());
            break;
        case 1:
            t.updateCounter(k, pos, qint64(qint8(m_in.byte())), row(keyPosOf(t)));
            break;
        case 2: {
            const Term v = t.updateCounter(k, update());
            FUZZ_CHECK(v.isInteger());
            break;
        }
        case 3:
            t.updateCounter(k, update(), row(keyPosOf(t)));
            break;
        default: {
            QList<CounterUpdate> ops;
            for (int i = m_in.below(3); i >= 0; --i)
                ops.append(update());
            const QList<Term> values =
                m_in.flag() ? t.updateCounter(k, ops) : t.updateCounter(k, ops, row(keyPosOf(t)));
            FUZZ_CHECK(values.size() == ops.size());
            break;
        }
        }
    }

    void select(Table &t)
    {
        const MatchSpec spec(matchSpecTerm());
        const Term isTrue = atomAt(11);
        switch (m_in.below(9)) {
        case 0: {
            const QList<Term> all = t.select(spec);
            FUZZ_CHECK(t.selectCount(spec) == all.count(isTrue));
            FUZZ_CHECK(t.selectReverse(spec).size() == all.size());
            break;
        }
        case 1:
        case 2: {
            // The chunks of a select with a limit add up to the whole.
            const qsizetype all = t.select(spec).size();
            const bool reverse = m_in.flag();
            const qsizetype limit = 1 + m_in.below(4);
            qsizetype seen = 0;
            std::optional<SelectChunk> chunk =
                reverse ? t.selectReverse(spec, limit) : t.select(spec, limit);
            for (int n = 0; chunk; ++n) {
                FUZZ_CHECK(n <= all + 1);
                FUZZ_CHECK(chunk->matches.size() <= limit);
                seen += chunk->matches.size();
                m_continuation = chunk->continuation;
                chunk = reverse ? Table::selectReverse(chunk->continuation)
                                : Table::select(chunk->continuation);
            }
            FUZZ_CHECK(seen == all);
            break;
        }
        case 3:
            // A continuation kept from before, whatever happened since.
            if (m_continuation) {
                if (m_in.flag())
                    Table::select(*m_continuation);
                else
                    Table::selectReverse(*m_continuation);
            }
            break;
        case 4: {
            const qsizetype before = t.size();
            const qsizetype count = t.selectCount(spec);
            FUZZ_CHECK(t.selectDelete(spec) == count);
            FUZZ_CHECK(t.size() == before - count);
            break;
        }
        case 5: {
            const qsizetype before = t.size();
            const qsizetype n = t.selectReplace(spec);
            FUZZ_CHECK(n >= 0 && t.size() == before);
            break;
        }
        case 6:
            t.select(spec, qsizetype(m_in.below(3)) - 1); // 0 and -1: badarg
            break;
        default: {
            const Tuple r = row(1 + m_in.below(3));
            const std::optional<Term> result = spec.run(r);
            if (spec.clauseCount() == 0)
                FUZZ_CHECK(!result);
            break;
        }
        }
    }

    void queries(Pid who)
    {
        const QString name = kTableNames[m_in.below(3)];
        const std::optional<TableId> id = Table::whereis(name);
        if (id)
            FUZZ_CHECK(Table::named(name).id() == *id);
        const QList<TableInfo> all = Table::all();
        for (const TableInfo &info : all) {
            FUZZ_CHECK(Table::fromId(info.id).id() == info.id);
            if (info.owner)
                FUZZ_CHECK(Table::ownedBy(info.owner).contains(info.id));
        }
        for (TableId owned : Table::ownedBy(who))
            FUZZ_CHECK(Table::infoOf(owned)->owner == who);
        Table::fromId(TableId(m_in.byte()));
    }

    // Term order is a total order, consistent with == and hash(), and
    // format() writes what parse() reads back.
    void checkTerms()
    {
        const Term a = term(3), b = term(3), c = term(2);
        const int ab = Term::compare(a, b);
        FUZZ_CHECK(sign(ab) == -sign(Term::compare(b, a)));
        FUZZ_CHECK(Term::compare(a, a) == 0 && a == a);
        if (a == b)
            FUZZ_CHECK(ab == 0 && a.hash() == b.hash() && a.hash(7) == b.hash(7));
        const int bc = Term::compare(b, c);
        const int ac = Term::compare(a, c);
        if ((ab <= 0 && bc <= 0 && ac > 0) || (ab >= 0 && bc >= 0 && ac < 0)) {
            std::fprintf(stderr, "term order not transitive: a=%s b=%s c=%s (%d %d %d)\n",
                         qPrintable(a.format()), qPrintable(b.format()), qPrintable(c.format()), ab,
                         bc, ac);
            std::abort();
        }
        if (hasTextForm(a)) {
            const Term back = Term::parse(a.format());
            FUZZ_CHECK(back == a);
        }
        FUZZ_CHECK(a.memory() >= sizeof(Term));
    }

    // --- invariants ---------------------------------------------------

    void checkTables()
    {
        for (const Table &t : m_tables) {
            if (t.isNull())
                continue;
            const std::optional<TableInfo> info = Table::infoOf(t.id());
            FUZZ_CHECK(t.isAlive() == info.has_value());
            if (info)
                checkTable(t, *info);
        }
    }

    void checkTable(const Table &t, const TableInfo &info)
    {
        // Exactly one live owner, or none while orphaned (a name heir's grace).
        if (info.orphaned) {
            FUZZ_CHECK(info.owner == 0 && !info.heir.name.isEmpty());
        } else {
            FUZZ_CHECK(Node::instance()->isAlive(info.owner));
            FUZZ_CHECK(Table::ownedBy(info.owner).contains(info.id));
        }
        // The memory count kept by every write is what walking the rows
        // adds up; a count that went below zero would be enormous.
        const std::shared_ptr<TableData> d = TableStore::instance()->find(info.id);
        FUZZ_CHECK(d);
        FUZZ_CHECK(info.memory == d->memoryByWalk());
        FUZZ_CHECK(info.memory < (size_t(1) << 40));
        FUZZ_CHECK(info.size >= 0);

        if (info.access == Access::Private && info.owner == 0)
            return; // nobody may read it now
        ProcessScope scope(info.owner);
        const QList<Tuple> rows = t.toList();
        FUZZ_CHECK(rows.size() == info.size && t.size() == info.size);
        const bool unique = info.type == Type::Set || info.type == Type::OrderedSet;
        for (const Tuple &r : rows) {
            FUZZ_CHECK(r.size() >= info.keyPos);
            const Rows found = t.lookup(r.at(info.keyPos - 1));
            if (unique)
                FUZZ_CHECK(found.size() == 1 && found.at(0) == r);
            else
                FUZZ_CHECK(found.toList().contains(r));
        }

        // first/next visits every key once; an ordered_set in term order,
        // and last/prev the same keys backwards.
        QList<Term> keys;
        for (std::optional<Term> k = t.first(); k; k = t.next(*k)) {
            FUZZ_CHECK(keys.size() < info.size);
            keys.append(*k);
        }
        if (unique)
            FUZZ_CHECK(keys.size() == info.size);
        else
            FUZZ_CHECK(keys.size() <= info.size && (keys.isEmpty() == (info.size == 0)));
        if (info.type == Type::OrderedSet) {
            for (qsizetype i = 1; i < keys.size(); ++i)
                FUZZ_CHECK(Term::compare(keys.at(i - 1), keys.at(i)) < 0);
            QList<Term> backwards;
            for (std::optional<Term> k = t.last(); k; k = t.prev(*k)) {
                FUZZ_CHECK(backwards.size() < info.size);
                backwards.prepend(*k);
            }
            FUZZ_CHECK(backwards == keys);
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::application();
    Program(data, size).run();
    return 0;
}
