#include "tablestore.h" // TableData behind a handle, for memoryByWalk()
#include "testsupport.h"

#include <immortal/error.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/table.h>

#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

using namespace immortal;

namespace {

Term a(const char16_t *name)
{
    return Term::atom(name);
}

TableOptions opts(TableOptions::Type type,
                  TableOptions::Access access = TableOptions::Access::Protected)
{
    TableOptions o;
    o.type = type;
    o.access = access;
    return o;
}

QList<Term> keysInOrder(const Table &t)
{
    QList<Term> keys;
    for (auto k = t.first(); k; k = t.next(*k))
        keys.append(*k);
    return keys;
}

} // namespace

class TstTable : public QObject
{
    Q_OBJECT

    std::unique_ptr<Process> m_owner;
    std::unique_ptr<Process> m_other;

    // A table owned by m_owner.
    Table make(const TableOptions &o, const QString &name = QStringLiteral("t"))
    {
        ProcessScope scope(m_owner->pid());
        return Table::create(name, o);
    }

private Q_SLOTS:
    void init()
    {
        m_owner = std::make_unique<Process>();
        m_other = std::make_unique<Process>();
    }

    void cleanup()
    {
        m_owner.reset();
        m_other.reset();
    }

    void setSemantics()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { a(u"k"), 1 });
        t.insert(Tuple { a(u"k"), 2 }); // replaces
        QCOMPARE(t.size(), 1);
        QCOMPARE(t.lookup(a(u"k")), (QList<Tuple> { Tuple { a(u"k"), 2 } }));
        QVERIFY(!t.insertNew(Tuple { a(u"k"), 3 }));
        QVERIFY(t.insertNew(Tuple { a(u"j"), 3 }));
        QVERIFY(t.member(a(u"j")));
        QVERIFY(!t.member(a(u"zz")));
        QVERIFY(t.lookup(a(u"zz")).isEmpty());
        // Keys use exact equality: 1 and 1.0 are two keys in a set.
        t.insert(Tuple { 1, a(u"int") });
        t.insert(Tuple { 1.0, a(u"float") });
        QCOMPARE(t.size(), 4);
        QCOMPARE(t.lookupElement(1, 2), a(u"int"));
        QCOMPARE(t.lookupElement(1.0, 2), a(u"float"));
        // delete_object only removes an identical row.
        t.eraseObject(Tuple { a(u"k"), 999 });
        QVERIFY(t.member(a(u"k")));
        t.eraseObject(Tuple { a(u"k"), 2 });
        QVERIFY(!t.member(a(u"k")));
        t.erase(a(u"j"));
        t.erase(a(u"absent")); // not an error
        QCOMPARE(t.size(), 2);
    }

    // A lookup result is the caller's own: one it keeps (or a row taken out
    // of one) never changes under it, and editing it never changes the table.
    void keptLookupResultsNeverChange()
    {
        for (auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet }) {
            Table t = make(opts(type), QStringLiteral("kept"));
            ProcessScope scope(m_owner->pid());
            for (int i = 0; i < 4; ++i)
                t.insert(Tuple { i, i * 10 });
            const Rows kept = t.lookup(1);
            Tuple row = t.lookup(2).first(); // the result is dropped, its row is kept
            for (int i = 0; i < 4; ++i)
                QCOMPARE(t.lookup(i), (QList<Tuple> { Tuple { i, i * 10 } }));
            QCOMPARE(kept, (QList<Tuple> { Tuple { 1, 10 } }));
            QCOMPARE(row, (Tuple { 2, 20 }));
            row[1] = 999;
            Rows edited = t.lookup(3);
            edited[0][1] = 999;
            QCOMPARE(t.lookup(2), (QList<Tuple> { Tuple { 2, 20 } }));
            QCOMPARE(t.lookup(3), (QList<Tuple> { Tuple { 3, 30 } }));
            // Rows that are not {Key, Value} pairs go through the same path.
            t.insert(Tuple { 7, a(u"x"), a(u"y") });
            const Rows triple = t.lookup(7);
            QCOMPARE(t.lookup(0), (QList<Tuple> { Tuple { 0, 0 } }));
            QCOMPARE(triple, (QList<Tuple> { Tuple { 7, a(u"x"), a(u"y") } }));
            // A pair of strings shares their payloads with the table, and the
            // result outlives the row it was read from.
            const Term key(QStringLiteral("key")), value(QStringLiteral("value"));
            t.insert({ key, value });
            const Rows strings = t.lookup(key);
            t.erase(key);
            QCOMPARE(strings, (QList<Tuple> { Tuple { key, value } }));
            QVERIFY(t.lookup(key).isEmpty());
            t.deleteTable();
        }
    }

    // t.insert({k, v}): a row given as its elements, for every table type.
    void insertBracedRows()
    {
        for (auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet,
                           TableOptions::Type::Bag, TableOptions::Type::DuplicateBag }) {
            Table t = make(opts(type), QStringLiteral("braced"));
            ProcessScope scope(m_owner->pid());
            t.insert({ 1, a(u"one") });
            t.insert({ 2, Term::tuple({ 3, 4 }) }); // a pair whose value is a tuple
            t.insert({ 5, a(u"x"), a(u"y") }); // not a pair
            QCOMPARE(t.lookup(1), (QList<Tuple> { Tuple { 1, a(u"one") } }));
            QCOMPARE(t.lookup(2), (QList<Tuple> { Tuple { 2, Term::tuple({ 3, 4 }) } }));
            QCOMPARE(t.lookup(5), (QList<Tuple> { Tuple { 5, a(u"x"), a(u"y") } }));
            t.insert({ 1, a(u"uno") });
            const bool hashedSet =
                type == TableOptions::Type::Set || type == TableOptions::Type::OrderedSet;
            QCOMPARE(t.lookup(1).size(), hashedSet ? 1 : 2);
            QCOMPARE(t.size(), hashedSet ? 3 : 4);
            // An empty row has no key: badarg, and nothing changes.
            QCOMPARE(errorOf([&] { t.insert(std::initializer_list<Term> {}); }),
                     QStringLiteral("badarg"));
            QCOMPARE(t.size(), hashedSet ? 3 : 4);
            t.deleteTable();
        }
        // The key position and the access rules apply as to any insert.
        TableOptions o = opts(TableOptions::Type::Set);
        o.keyPos = 2;
        Table t = make(o, QStringLiteral("braced2"));
        {
            ProcessScope scope(m_owner->pid());
            t.insert({ a(u"v"), 7 });
            QCOMPARE(t.lookup(7), (QList<Tuple> { Tuple { a(u"v"), 7 } }));
            QCOMPARE(errorOf([&] { t.insert({ a(u"short") }); }), QStringLiteral("badarg"));
        }
        ProcessScope other(m_other->pid());
        QCOMPARE(errorOf([&] { t.insert({ a(u"w"), 8 }); }), QStringLiteral("access_denied"));
        QCOMPARE(t.size(), 1);
    }

    // A set keeps a pair's value beside its key and any other row whole; an
    // insert over an existing key assigns the value in place. Overwriting
    // moves a key's row between every shape, in both key positions, on the
    // inline path (public) and the general one (protected), and no value
    // (shared strings included) outlives or loses its row.
    void overwritingSetRowsChangesTheirShape_data()
    {
        QTest::addColumn<int>("keyPos");
        QTest::addColumn<TableOptions::Access>("access");
        QTest::newRow("key first, public") << 1 << TableOptions::Access::Public;
        QTest::newRow("key second, public") << 2 << TableOptions::Access::Public;
        QTest::newRow("key first, protected") << 1 << TableOptions::Access::Protected;
        QTest::newRow("key second, protected") << 2 << TableOptions::Access::Protected;
    }
    void overwritingSetRowsChangesTheirShape()
    {
        QFETCH(int, keyPos);
        QFETCH(TableOptions::Access, access);
        TableOptions o = opts(TableOptions::Type::Set, access);
        o.keyPos = keyPos;
        Table t = make(o, QStringLiteral("shapes"));
        ProcessScope scope(m_owner->pid());
        const Term key(QStringLiteral("key"));
        // A row of `others` with the key at keyPos.
        const auto row = [&](std::initializer_list<Term> others) {
            Tuple out;
            auto other = others.begin();
            for (qsizetype i = 0; i <= qsizetype(others.size()); ++i)
                out << (i == keyPos - 1 ? key : *other++);
            return out;
        };
        const QList<Tuple> shapes {
            row({ 1 }),
            row({ QStringLiteral("a string value") }),
            row({ Term::tuple({ 3, QStringLiteral("inside") }) }), // kept whole
            row({ QStringLiteral("x"), QStringLiteral("y") }), // not a pair
            row({ 2.5 }),
            row({ QStringLiteral("back to a pair") }),
        };
        for (int round = 0; round < 2; ++round) {
            for (const Tuple &shape : shapes) {
                t.insert(shape);
                QCOMPARE(t.size(), 1);
                QCOMPARE(t.lookup(key), (QList<Tuple> { shape }));
                QVERIFY(t.member(key));
            }
        }
        // Braced rows take the same path; a one-element row is all key.
        if (keyPos == 1) {
            t.insert({ key });
            QCOMPARE(t.lookup(key), (QList<Tuple> { Tuple { key } }));
            t.insert({ key, QStringLiteral("last") });
            QCOMPARE(t.lookup(key), (QList<Tuple> { Tuple { key, QStringLiteral("last") } }));
        }
        t.deleteTable();
    }

    // lookup(key, into) replaces the rows' contents; passed back, the same
    // Rows is refilled in its own memory, and a copy the caller kept never
    // changes.
    void lookupIntoReusesTheList()
    {
        for (auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet }) {
            Table t = make(opts(type), QStringLiteral("into"));
            ProcessScope scope(m_owner->pid());
            for (int i = 0; i < 4; ++i)
                t.insert({ i, i * 10 });
            Rows found;
            QCOMPARE(t.lookup(1, found), 1);
            QCOMPARE(found, (QList<Tuple> { Tuple { 1, 10 } }));
            const Tuple *rowsBefore = found.constBegin();
            const Term *termsBefore = found.constFirst().constData();
            QCOMPARE(t.lookup(2, found), 1);
            QCOMPARE(found, (QList<Tuple> { Tuple { 2, 20 } }));
            QCOMPARE(found.constBegin(), rowsBefore);
            QCOMPARE(found.constFirst().constData(), termsBefore);
            const Rows kept = found;
            const Tuple keptRow = found.first();
            QCOMPARE(t.lookup(3, found), 1);
            QCOMPARE(found, (QList<Tuple> { Tuple { 3, 30 } }));
            QCOMPARE(kept, (QList<Tuple> { Tuple { 2, 20 } }));
            QCOMPARE(keptRow, (Tuple { 2, 20 }));
            QCOMPARE(t.lookup(99, found), 0);
            QVERIFY(found.isEmpty());
            QCOMPARE(t.lookup(0, found), 1);
            QCOMPARE(found, (QList<Tuple> { Tuple { 0, 0 } }));
            // Editing the list never reaches the table.
            found[0][1] = 999;
            QCOMPARE(t.lookup(0), (QList<Tuple> { Tuple { 0, 0 } }));
            t.deleteTable();
        }
        {
            // The key in second position: the pair is refilled the other way round.
            TableOptions o = opts(TableOptions::Type::Set);
            o.keyPos = 2;
            Table t = make(o, QStringLiteral("into2"));
            ProcessScope scope(m_owner->pid());
            t.insert({ a(u"one"), 1 });
            t.insert({ a(u"two"), 2 });
            Rows found;
            QCOMPARE(t.lookup(1, found), 1);
            const Term *termsBefore = found.constFirst().constData();
            QCOMPARE(t.lookup(2, found), 1);
            QCOMPARE(found.constFirst().constData(), termsBefore);
            QCOMPARE(found, (QList<Tuple> { Tuple { a(u"two"), 2 } }));
            t.deleteTable();
        }
        Table bag = make(opts(TableOptions::Type::DuplicateBag), QStringLiteral("intobag"));
        ProcessScope scope(m_owner->pid());
        bag.insert({ 1, a(u"x") });
        bag.insert({ 1, a(u"x") });
        Rows found { Tuple { a(u"stale") } };
        QCOMPARE(bag.lookup(1, found), 2);
        QCOMPARE(found, (QList<Tuple> { Tuple { 1, a(u"x") }, Tuple { 1, a(u"x") } }));
        bag.deleteTable();
        QCOMPARE(errorOf([&] { bag.lookup(1, found); }), QStringLiteral("no_such_table"));
        QCOMPARE(found.size(), 2); // a failed call changes nothing
        // Rows grown for a bag take a set's pair in the memory they have.
        Table set = make(opts(TableOptions::Type::Set), QStringLiteral("afterbag"));
        set.insert({ 1, a(u"one") });
        QCOMPARE(set.lookup(1, found), 1);
        QCOMPARE(found, (QList<Tuple> { Tuple { 1, a(u"one") } }));
        QCOMPARE(set.lookup(2, found), 0);
        QVERIFY(found.isEmpty());
        set.deleteTable();
    }

    // Rows written by the thread a table's lock is biased to are all seen by
    // a thread that comes later, and writes after that still land.
    void rowsWrittenUnderTheBiasReachAnotherThread()
    {
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access::Public));
        for (int i = 0; i < 1000; ++i)
            t.insert({ i, i });
        qsizetype seen = 0;
        std::thread reader([&] {
            for (int i = 0; i < 1000; ++i)
                seen += t.lookup(i).size();
            t.insert({ 1000, 1000 });
        });
        reader.join();
        QCOMPARE(seen, 1000);
        t.insert({ 1001, 1001 });
        QCOMPARE(t.size(), 1002);
        QVERIFY(t.member(1000));
    }

    void orderedSetSemantics()
    {
        Table t = make(opts(TableOptions::Type::OrderedSet));
        ProcessScope scope(m_owner->pid());
        t.insert(QList<Tuple> { { "str", 0 },
                                { a(u"atom"), 0 },
                                { 3, 0 },
                                { 1.5, 0 },
                                { Term::tuple({ 1 }), 0 },
                                { -2, 0 } });
        QCOMPARE(keysInOrder(t),
                 (QList<Term> { -2, 1.5, 3, a(u"atom"), Term::tuple({ 1 }), "str" }));
        // Walking backwards.
        QList<Term> back;
        for (auto k = t.last(); k; k = t.prev(*k))
            back.prepend(*k);
        QCOMPARE(back, keysInOrder(t));
        // next/prev from a key that is not there: the neighbours in term order.
        QCOMPARE(t.next(2).value(), Term(3));
        QCOMPARE(t.prev(2).value(), Term(1.5));
        QVERIFY(!t.next("zzz").has_value());
        QVERIFY(!t.prev(-100).has_value());
        // compare() keys: 3.0 is the key 3.
        t.insert(Tuple { 3.0, 1 });
        QCOMPARE(t.size(), 6);
        QCOMPARE(t.lookup(3), (QList<Tuple> { Tuple { 3.0, 1 } }));
        QVERIFY(t.member(3.0));
    }

    // Found by fuzz_ets: NaN compared equal to every float, so {nan, b}
    // replaced the row of 0.0 and the B-tree's order broke. NaN is one key
    // of its own now, after every other number.
    void orderedSetNanKey()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        Table t = make(opts(TableOptions::Type::OrderedSet));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 0.0, a(u"a") });
        t.insert(Tuple { nan, a(u"b") });
        t.insert(Tuple { 0, a(u"c") }); // the key 0.0 again (compare())
        t.insert(Tuple { 1, a(u"d") });
        QCOMPARE(t.size(), 3);
        QCOMPARE(keysInOrder(t), (QList<Term> { 0, 1, nan }));
        QCOMPARE(t.lookup(nan), (QList<Tuple> { Tuple { nan, a(u"b") } }));
        QCOMPARE(t.lookup(0.0), (QList<Tuple> { Tuple { 0, a(u"c") } }));
    }

    void bagDropsIdenticalObjects()
    {
        Table t = make(opts(TableOptions::Type::Bag));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { a(u"k"), 1 });
        t.insert(Tuple { a(u"k"), 2 });
        t.insert(Tuple { a(u"k"), 1 }); // identical: dropped
        t.insert(Tuple { a(u"k"), 1.0 }); // not identical (exact equality)
        QCOMPARE(t.size(), 3);
        QCOMPARE(t.lookup(a(u"k")),
                 (QList<Tuple> { { a(u"k"), 1 }, { a(u"k"), 2 }, { a(u"k"), 1.0 } }));
        QCOMPARE(t.lookupElement(a(u"k"), 2), Term::list({ 1, 2, 1.0 }));
        t.eraseObject(Tuple { a(u"k"), 2 });
        QCOMPARE(t.lookup(a(u"k")), (QList<Tuple> { { a(u"k"), 1 }, { a(u"k"), 1.0 } }));
        QVERIFY(!t.insertNew(Tuple { a(u"k"), 5 }));
        t.erase(a(u"k"));
        QCOMPARE(t.size(), 0);
    }

    void duplicateBagKeepsIdenticalObjects()
    {
        Table t = make(opts(TableOptions::Type::DuplicateBag));
        ProcessScope scope(m_owner->pid());
        t.insert(QList<Tuple> { { a(u"k"), 1 }, { a(u"k"), 1 }, { a(u"k"), 2 } });
        QCOMPARE(t.size(), 3);
        QCOMPARE(t.lookup(a(u"k")),
                 (QList<Tuple> { { a(u"k"), 1 }, { a(u"k"), 1 }, { a(u"k"), 2 } }));
        // delete_object removes every identical instance.
        t.eraseObject(Tuple { a(u"k"), 1 });
        QCOMPARE(t.lookup(a(u"k")), (QList<Tuple> { { a(u"k"), 2 } }));
        QCOMPARE(t.take(a(u"k")), (QList<Tuple> { { a(u"k"), 2 } }));
        QCOMPARE(t.size(), 0);
    }

    void hashedTraversal()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        QVERIFY(!t.first().has_value());
        for (int i = 0; i < 50; ++i)
            t.insert(Tuple { i, i * i });
        QList<Term> keys = keysInOrder(t);
        QCOMPARE(keys.size(), 50);
        std::sort(keys.begin(), keys.end());
        for (int i = 0; i < 50; ++i)
            QCOMPARE(keys[i], Term(i));
        QCOMPARE(t.last(), t.first()); // as in ets, for unordered tables
        QCOMPARE(errorOf([&] { t.next(1000); }), QStringLiteral("badarg"));
    }

    void keyPosition()
    {
        TableOptions o = opts(TableOptions::Type::Set);
        o.keyPos = 2;
        Table t = make(o);
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { "a", 1 });
        t.insert(Tuple { "b", 1 }); // same key at position 2: replaces
        QCOMPARE(t.lookup(1), (QList<Tuple> { Tuple { "b", 1 } }));
        // A short row anywhere in a batch: badarg, nothing inserted.
        QCOMPARE(errorOf([&] {
                     t.insert(QList<Tuple> { { "c", 2 }, { "short" } });
                 }),
                 QStringLiteral("badarg"));
        QVERIFY(!t.member(2));
        QCOMPARE(t.size(), 1);
        QCOMPARE(errorOf([&] { t.updateCounter(1, 2, 1); }), QStringLiteral("badarg"));
        // A default row with no key position: badarg, nothing inserted (OTP
        // 25 inserts it and later crashes; see known-divergences.md).
        QCOMPARE(errorOf([&] {
                     t.updateCounter(0, CounterUpdate { 1, 1 }, Tuple { 7 });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateCounter(0, 1, 1, Tuple { 7 }); }), QStringLiteral("badarg"));
        QCOMPARE(t.size(), 1);
    }

    // A set matched with its key bound (a lookup) and unbound (a scan).
    void matchOnSetByKeyAndByScan()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(QList<Tuple> { { 1, a(u"one"), 10 }, { 2, a(u"two"), 20 }, { 3, a(u"one"), 30 } });
        QCOMPARE(t.match(Tuple { 2, a(u"$1"), a(u"_") }), (QList<QList<Term>> { { a(u"two") } }));
        QVERIFY(t.match(Tuple { 4, a(u"$1"), a(u"_") }).isEmpty());
        QCOMPARE(t.matchObject(Tuple { 3, a(u"one"), a(u"_") }),
                 (QList<Tuple> { Tuple { 3, a(u"one"), 30 } }));
        QList<Tuple> ones = t.matchObject(Tuple { a(u"_"), a(u"one"), a(u"_") });
        std::sort(ones.begin(), ones.end(),
                  [](const Tuple &x, const Tuple &y) { return x[0] < y[0]; });
        QCOMPARE(ones, (QList<Tuple> { Tuple { 1, a(u"one"), 10 }, Tuple { 3, a(u"one"), 30 } }));
        // {Key, Value} pairs are stored packed; they match like any row.
        t.insert(Tuple { 5, 50 });
        QCOMPARE(t.match(Tuple { 5, a(u"$1") }), (QList<QList<Term>> { { 50 } }));
        QCOMPARE(t.match(Tuple { a(u"$1"), 50 }), (QList<QList<Term>> { { 5 } }));
    }

    void matchAndSelect()
    {
        Table t = make(opts(TableOptions::Type::Bag));
        ProcessScope scope(m_owner->pid());
        t.insert(QList<Tuple> { { a(u"user"), 1, "ann", 30 },
                                { a(u"user"), 2, "bob", 25 },
                                { a(u"group"), 1, "admins", 0 },
                                { a(u"user"), 3, "cid", 30 },
                                { a(u"pair"), 7, 7, 0 },
                                { a(u"pair"), 7, 8, 0 } });
        // Variables come back in $N order, whatever their position.
        QList<QList<Term>> m = t.match(Tuple { a(u"user"), a(u"$2"), a(u"$1"), 30 });
        std::sort(m.begin(), m.end(), [](const auto &x, const auto &y) { return x[0] < y[0]; });
        QCOMPARE(m, (QList<QList<Term>> { { "ann", 1 }, { "cid", 3 } }));
        // The same variable twice must bind equal values.
        QCOMPARE(t.match(Tuple { a(u"pair"), a(u"$1"), a(u"$1"), a(u"_") }),
                 (QList<QList<Term>> { { 7 } }));
        QCOMPARE(t.matchObject(Tuple { a(u"group"), a(u"_"), a(u"_"), a(u"_") }).size(), 1);
        QCOMPARE(t.matchObject(Tuple { a(u"_"), a(u"_"), a(u"_") }).size(), 0); // arity differs
        // Nested patterns.
        t.insert(Tuple { a(u"nested"), Term::tuple({ 1, Term::list({ 2, 3 }) }), 0, 0 });
        QCOMPARE(
            t.match(Tuple { a(u"nested"), Term::tuple({ a(u"_"), Term::list({ a(u"$1"), 3 }) }),
                            a(u"_"), a(u"_") }),
            (QList<QList<Term>> { { 2 } }));

        const QList<Tuple> thirty = t.select([](const Tuple &r) { return r.at(3) == Term(30); });
        QCOMPARE(thirty.size(), 2);
        const qint64 ages = t.fold(qint64(0), [](const Tuple &r, qint64 acc) {
            return r.at(0) == Term::atom(u"user") ? acc + r.at(3).toInteger() : acc;
        });
        QCOMPARE(ages, 85);
        int visited = 0;
        t.forEach([&](const Tuple &) { ++visited; });
        QCOMPARE(visited, 7);
        QCOMPARE(t.toList().size(), 7);

        QCOMPARE(t.matchDelete(Tuple { a(u"pair"), a(u"_"), a(u"_"), a(u"_") }), 2);
        QCOMPARE(t.size(), 5);
        QCOMPARE(t.selectDelete([](const Tuple &r) { return r.at(3) == Term(30); }), 2);
        QCOMPARE(t.size(), 3);
        // A predicate that throws part-way deletes nothing.
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, t.selectDelete([&](const Tuple &) -> bool {
            if (++calls == 2)
                throw std::runtime_error("boom");
            return true;
        }));
        QCOMPARE(t.size(), 3);
    }

    void updateCounter()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { a(u"hits"), 10, "label" });
        const Rows before = t.lookup(a(u"hits"));
        QCOMPARE(t.updateCounter(a(u"hits"), 2, 5), 15);
        QCOMPARE(t.updateCounter(a(u"hits"), 2, -20), -5);
        QCOMPARE(t.lookupElement(a(u"hits"), 2), Term(-5));
        // A row read earlier is a snapshot: writes copy on write.
        QCOMPARE(before.first().at(1), Term(10));
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"missing"), 2, 1); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"hits"), 3, 1); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"hits"), 4, 1); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"hits"), 1, 1); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"hits"), 0, 1); }), QStringLiteral("badarg"));
        t.insert(Tuple { a(u"max"), std::numeric_limits<qint64>::max() });
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"max"), 2, 1); }), QStringLiteral("badarg"));
        QCOMPARE(t.lookupElement(a(u"hits"), 2), Term(-5)); // failures changed nothing
        // With a default: inserted first, its key replaced by the one asked for.
        QCOMPARE(t.updateCounter(a(u"new"), 2, 3, Tuple { a(u"ignored"), 100 }), 103);
        QCOMPARE(t.lookup(a(u"new")), (QList<Tuple> { Tuple { a(u"new"), 103 } }));
        QVERIFY(!t.member(a(u"ignored")));
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"x"), 2, 1, Tuple { a(u"x"), "nan" });
                 }),
                 QStringLiteral("badarg"));
        QVERIFY(!t.member(a(u"x")));

        Table bag = make(opts(TableOptions::Type::Bag), QStringLiteral("bag"));
        bag.insert(Tuple { 1, 1 });
        QCOMPARE(errorOf([&] { bag.updateCounter(1, 2, 1); }), QStringLiteral("badarg"));

        Table ordered = make(opts(TableOptions::Type::OrderedSet), QStringLiteral("os"));
        ordered.insert(Tuple { 1, 0 });
        QCOMPARE(ordered.updateCounter(1.0, 2, 2), 2);
    }

    // Counters and elements on an ordered_set, and on a set's packed
    // {Key, Value} rows: the edit lands in the table, nowhere else.
    void updatesOnOrderedSetsAndPairs()
    {
        for (auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet }) {
            Table t = make(opts(type), QStringLiteral("updates"));
            ProcessScope scope(m_owner->pid());
            t.insert(QList<Tuple> { { a(u"pair"), 1 }, { a(u"wide"), 1, 2 } });
            const Rows before = t.lookup(a(u"pair"));
            QCOMPARE(t.updateCounter(a(u"pair"), 2, 41), 42);
            QCOMPARE(t.updateCounter(a(u"wide"), 3, 5), 7);
            QVERIFY(t.updateElement(a(u"pair"), 2, "text"));
            QVERIFY(!t.updateElement(a(u"absent"), 2, 0));
            QCOMPARE(t.lookup(a(u"pair")), (QList<Tuple> { Tuple { a(u"pair"), "text" } }));
            QCOMPARE(t.lookup(a(u"wide")), (QList<Tuple> { Tuple { a(u"wide"), 1, 7 } }));
            QCOMPARE(before, (QList<Tuple> { Tuple { a(u"pair"), 1 } })); // a kept copy
            QCOMPARE(t.size(), 2);
            t.deleteTable();
        }
    }

    void updateElement()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 1, "a", "b" });
        QVERIFY(t.updateElement(1, 2, "x"));
        QCOMPARE(t.lookup(1).first(), (Tuple { 1, "x", "b" }));
        QVERIFY(!t.updateElement(2, 2, "x"));
        QCOMPARE(errorOf([&] { t.updateElement(1, 1, 5); }), QStringLiteral("badarg"));
        // One bad position in a batch: badarg, and no change at all.
        QCOMPARE(errorOf([&] {
                     t.updateElement(1, { { 2, "y" }, { 9, "z" } });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(t.lookup(1).first(), (Tuple { 1, "x", "b" }));
        QVERIFY(t.updateElement(1, { { 2, "y" }, { 3, "z" } }));
        QCOMPARE(t.lookup(1).first(), (Tuple { 1, "y", "z" }));
    }

    void takeAndClear()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(QList<Tuple> { { 1, "a" }, { 2, "b" } });
        QCOMPARE(t.take(1), (QList<Tuple> { { 1, "a" } }));
        QVERIFY(t.take(1).isEmpty());
        QCOMPARE(t.size(), 1);
        t.clear();
        QCOMPARE(t.size(), 0);
        QCOMPARE(errorOf([&] { t.lookupElement(2, 2); }), QStringLiteral("badarg"));
        t.insert(Tuple { 3, "c" });
        QCOMPARE(errorOf([&] { t.lookupElement(3, 3); }), QStringLiteral("badarg"));
    }

    void access_data()
    {
        QTest::addColumn<int>("access");
        QTest::addColumn<QString>("caller"); // owner, other, outside
        QTest::addColumn<bool>("canRead");
        QTest::addColumn<bool>("canWrite");
        const int pub = int(TableOptions::Access::Public);
        const int prot = int(TableOptions::Access::Protected);
        const int priv = int(TableOptions::Access::Private);
        QTest::newRow("public/owner") << pub << "owner" << true << true;
        QTest::newRow("public/other") << pub << "other" << true << true;
        QTest::newRow("public/outside") << pub << "outside" << true << true;
        QTest::newRow("protected/owner") << prot << "owner" << true << true;
        QTest::newRow("protected/other") << prot << "other" << true << false;
        QTest::newRow("protected/outside") << prot << "outside" << true << false;
        QTest::newRow("private/owner") << priv << "owner" << true << true;
        QTest::newRow("private/other") << priv << "other" << false << false;
        QTest::newRow("private/outside") << priv << "outside" << false << false;
    }

    void access()
    {
        QFETCH(int, access);
        QFETCH(QString, caller);
        QFETCH(bool, canRead);
        QFETCH(bool, canWrite);
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access(access)));
        {
            ProcessScope scope(m_owner->pid());
            t.insert(Tuple { 1, "one" });
        }
        const Pid pid = caller == QLatin1String("owner")
            ? m_owner->pid()
            : (caller == QLatin1String("other") ? m_other->pid() : 0);
        ProcessScope scope(pid);
        const QString read = canRead ? QStringLiteral("ok") : QStringLiteral("access_denied");
        const QString write = canWrite ? QStringLiteral("ok") : QStringLiteral("access_denied");
        Rows found;
        QCOMPARE(errorOf([&] { t.lookup(1); }), read);
        QCOMPARE(errorOf([&] { t.lookup(1, found); }), read);
        QCOMPARE(found.size(), canRead ? 1 : 0);
        QCOMPARE(errorOf([&] { t.member(1); }), read);
        QCOMPARE(errorOf([&] { t.first(); }), read);
        QCOMPARE(errorOf([&] { t.toList(); }), read);
        QCOMPARE(errorOf([&] { t.match(Tuple { a(u"_"), a(u"_") }); }), read);
        QCOMPARE(errorOf([&] { t.insert(Tuple { 2, "two" }); }), write);
        QCOMPARE(errorOf([&] { t.insert({ 3, "three" }); }), write);
        QCOMPARE(errorOf([&] { t.updateElement(1, 2, "uno"); }), write);
        QCOMPARE(errorOf([&] { t.erase(5); }), write);
        QCOMPARE(errorOf([&] { t.deleteAllObjects(); }), write);
        // info() is for everyone, as ets:info/1.
        QCOMPARE(errorOf([&] { t.info(); }), QStringLiteral("ok"));
        if (!canWrite) {
            QCOMPARE(t.size(), 1);
            try {
                t.insert(Tuple { 2, "two" });
            } catch (const Error &e) {
                QVERIFY2(e.message().contains(
                             QLatin1String(TableOptions::accessName(TableOptions::Access(access)))),
                         qPrintable(e.message()));
            }
        }
    }

    void namedTables()
    {
        TableOptions o = opts(TableOptions::Type::Set, TableOptions::Access::Public);
        o.namedTable = true;
        Table t = make(o, QStringLiteral("cache"));
        QCOMPARE(Table::named(QStringLiteral("cache")), t);
        QCOMPARE(Table::fromId(t.id()), t);
        QCOMPARE(errorOf([&] { make(o, QStringLiteral("cache")); }), QStringLiteral("name_taken"));
        // Unnamed tables may share a name; they are not reachable by it.
        make(opts(TableOptions::Type::Set), QStringLiteral("cache"));
        make(opts(TableOptions::Type::Set), QStringLiteral("cache"));
        QCOMPARE(errorOf([&] { Table::named(QStringLiteral("nothing")); }),
                 QStringLiteral("no_such_table"));
        {
            ProcessScope scope(m_owner->pid());
            t.deleteTable();
        }
        QCOMPARE(errorOf([&] { Table::named(QStringLiteral("cache")); }),
                 QStringLiteral("no_such_table"));
        QCOMPARE(errorOf([&] { make(o, QStringLiteral("cache")); }), QStringLiteral("ok"));
    }

    void noSuchTableAfterDelete()
    {
        Table t = make(opts(TableOptions::Type::Set), QStringLiteral("gone"));
        Table copy = t;
        const TableId id = t.id();
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 1, 2 });
        // Only the owner deletes a protected table.
        {
            ProcessScope other(m_other->pid());
            QCOMPARE(errorOf([&] { t.deleteTable(); }), QStringLiteral("not_owner"));
        }
        t.deleteTable();
        QVERIFY(!copy.isAlive());
        const QString gone = QStringLiteral("no_such_table");
        QCOMPARE(errorOf([&] { copy.lookup(1); }), gone);
        QCOMPARE(errorOf([&] { copy.insert(Tuple { 1, 2 }); }), gone);
        QCOMPARE(errorOf([&] { copy.size(); }), gone);
        QCOMPARE(errorOf([&] { copy.info(); }), gone);
        QCOMPARE(errorOf([&] { copy.first(); }), gone);
        QCOMPARE(errorOf([&] { copy.updateCounter(1, 2, 1); }), gone);
        QCOMPARE(errorOf([&] { copy.giveAway(m_other->pid(), Term()); }), gone);
        QCOMPARE(errorOf([&] { copy.deleteTable(); }), gone);
        QCOMPARE(errorOf([&] { Table::fromId(id); }), gone);
        QVERIFY(!Table::infoOf(id).has_value());
        try {
            copy.lookup(1);
        } catch (const Error &e) {
            QVERIFY2(
                e.message().contains(QStringLiteral("table %1 (gone) no longer exists").arg(id)),
                qPrintable(e.message()));
        }
        QCOMPARE(errorOf([&] { Table().lookup(1); }), gone);
        QVERIFY(Table().isNull());
    }

    // The inline calls (insert({k, v}), lookup(key, into), member) on a set
    // that was deleted, whatever its access: no_such_table, nothing changed.
    void inlineCallsOnADeletedSet()
    {
        for (auto access : { TableOptions::Access::Public, TableOptions::Access::Protected,
                             TableOptions::Access::Private }) {
            Table t = make(opts(TableOptions::Type::Set, access), QStringLiteral("gone"));
            ProcessScope scope(m_owner->pid());
            t.insert({ 1, 2 });
            Rows found;
            QCOMPARE(t.lookup(1, found), 1);
            t.deleteTable();
            const QString gone = QStringLiteral("no_such_table");
            QCOMPARE(errorOf([&] { t.insert({ 1, 3 }); }), gone);
            QCOMPARE(errorOf([&] { t.lookup(1, found); }), gone);
            QCOMPARE(errorOf([&] { t.member(1); }), gone);
            QCOMPARE(found, (QList<Tuple> { Tuple { 1, 2 } }));
        }
    }

    void insertNewIsAllOrNothing()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 2, "two" });
        QVERIFY(!t.insertNew(QList<Tuple> { { 1, "one" }, { 2, "again" }, { 3, "three" } }));
        QCOMPARE(t.size(), 1);
        QCOMPARE(t.lookupElement(2, 2), Term("two"));
        QVERIFY(t.insertNew(QList<Tuple> { { 1, "one" }, { 3, "three" } }));
        QCOMPARE(t.size(), 3);
    }

    // ets:update_element/3 looks the key up first: a missing key is false
    // whatever the positions say, the key's own included (checked on OTP 25).
    void updateElementOnAMissingKeyIsFalse()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 1, "a" });
        QVERIFY(!t.updateElement(2, 1, "x"));
        QVERIFY(!t.updateElement(2, 0, "x"));
        QVERIFY(!t.updateElement(2, 99, "x"));
        QVERIFY(!t.updateElement(2, { { 2, "y" }, { 1, "z" } }));
        QCOMPARE(errorOf([&] { t.updateElement(1, 1, 1); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.updateElement(1, 0, 1); }), QStringLiteral("badarg"));
        Table ordered = make(opts(TableOptions::Type::OrderedSet), QStringLiteral("o"));
        QVERIFY(!ordered.updateElement(2, 1, "x"));
        // A bag is badarg whether or not the key is there.
        Table bag = make(opts(TableOptions::Type::Bag), QStringLiteral("b"));
        QCOMPARE(errorOf([&] { bag.updateElement(2, 2, "x"); }), QStringLiteral("badarg"));
    }

    // ets:insert_new/2 checks every row before any key: a row without a key
    // is badarg even when another row's key exists (checked on OTP 25).
    void insertNewChecksEveryRowFirst()
    {
        for (const auto type :
             { TableOptions::Type::Set, TableOptions::Type::OrderedSet, TableOptions::Type::Bag }) {
            TableOptions o = opts(type);
            o.keyPos = 2;
            Table t = make(o, QString::fromLatin1(TableOptions::typeName(type)));
            ProcessScope scope(m_owner->pid());
            t.insert(Tuple { "x", 1 });
            QCOMPARE(errorOf([&] {
                         t.insertNew(QList<Tuple> { { "y", 1 }, { "short" } });
                     }),
                     QStringLiteral("badarg"));
            QCOMPARE(errorOf([&] {
                         t.insertNew(QList<Tuple> { { "short" }, { "y", 1 } });
                     }),
                     QStringLiteral("badarg"));
            QCOMPARE(t.size(), 1);
        }
    }

    // Keys equal in a table's sense but not the same value: ets keeps the
    // newest row's key, and lookup returns the row it holds, not the key
    // passed in (checked on OTP 25, where 0.0 =:= -0.0).
    void equalKeysKeepTheNewestRowsKey()
    {
        const auto isNegativeZero = [](const Term &t) {
            return t.isFloat() && t.toDouble() == 0.0 && std::signbit(t.toDouble());
        };
        for (const auto access :
             { TableOptions::Access::Public, TableOptions::Access::Protected }) {
            Table t = make(opts(TableOptions::Type::Set, access));
            ProcessScope scope(m_owner->pid());
            t.insert({ 0.0, "a" });
            t.insert({ -0.0, "b" });
            QCOMPARE(t.size(), 1);
            QVERIFY(isNegativeZero(t.toList().first().at(0)));
            QVERIFY(isNegativeZero(t.lookup(0.0).first().at(0)));
            Rows into;
            QCOMPARE(t.lookup(0.0, into), 1);
            QVERIFY(isNegativeZero(into.first().at(0)));
            QVERIFY(isNegativeZero(*t.first()));
            // A tuple key holding the float, and a row kept whole.
            t.insert(Tuple { Term::tuple({ 0.0 }), 1, 2 });
            t.insert(Tuple { Term::tuple({ -0.0 }), 3, 4 });
            const Tuple row = t.lookup(Term::tuple({ 0.0 })).first();
            QVERIFY(isNegativeZero(row.at(0).at(0)));
            QCOMPARE(row.at(2), Term(4));
            QCOMPARE(t.take(Term::tuple({ 0.0 })).size(), 1);
            QCOMPARE(t.size(), 1);
        }
        // ordered_set: 1 and 1.0 are one key; the stored row comes back.
        Table o = make(opts(TableOptions::Type::OrderedSet), QStringLiteral("o"));
        ProcessScope scope(m_owner->pid());
        o.insert({ 1, "a" });
        QVERIFY(o.lookup(1.0).first().at(0).isInteger());
        o.insert({ 1.0, "b" });
        QCOMPARE(o.size(), 1);
        QVERIFY(o.lookup(1).first().at(0).isFloat());
        QVERIFY(o.first()->isFloat());
        QVERIFY(o.toList().first().at(0).isFloat());
        QVERIFY(o.take(1).first().at(0).isFloat());
    }

    // A constant in a pattern matches floats by their bits, as OTP 25's match
    // programs do: 0.0 does not match -0.0, as key or value, though they are
    // one key; a repeated variable binds both (found by the conformance test).
    void patternConstantsTellZerosApart()
    {
        for (const auto type :
             { TableOptions::Type::Set, TableOptions::Type::OrderedSet, TableOptions::Type::Bag }) {
            Table t = make(opts(type));
            ProcessScope scope(m_owner->pid());
            t.insert(QList<Tuple> {
                { a(u"a"), -0.0 }, { a(u"b"), 0.0 }, { -0.0, a(u"x") }, { a(u"c"), 0.0, -0.0 } });
            QCOMPARE(t.matchObject({ a(u"_"), 0.0 }), (QList<Tuple> { { a(u"b"), 0.0 } }));
            QCOMPARE(t.matchObject({ a(u"_"), Term::tuple({ 0.0 }) }), QList<Tuple> {});
            QCOMPARE(t.matchObject({ 0.0, a(u"_") }), QList<Tuple> {});
            QCOMPARE(t.matchObject({ -0.0, a(u"_") }).size(), 1);
            QCOMPARE(t.matchObject({ a(u"_"), a(u"$1"), a(u"$1") }).size(), 1);
            QCOMPARE(t.matchDelete({ 0.0, a(u"x") }), 0);
            QCOMPARE(t.size(), 4);
        }
    }

    // A bag's rows under one key may hold keys written apart (0.0, -0.0):
    // ets's walk reports the key of the key's last row (checked on OTP 25;
    // found by the conformance test).
    void bagWalkReportsTheLastRowsKey()
    {
        const auto isNegativeZero = [](const Term &t) {
            return t.isFloat() && t.toDouble() == 0.0 && std::signbit(t.toDouble());
        };
        for (const auto type : { TableOptions::Type::Bag, TableOptions::Type::DuplicateBag }) {
            Table b = make(opts(type));
            ProcessScope scope(m_owner->pid());
            b.insert({ 0.0, a(u"a") });
            b.insert({ -0.0, a(u"b") });
            QCOMPARE(b.size(), 2);
            QVERIFY(isNegativeZero(*b.first()));
            QVERIFY(isNegativeZero(*b.last()));
            b.insert({ 0.0, a(u"c") });
            QVERIFY(!isNegativeZero(*b.first()));
            b.eraseObject({ 0.0, a(u"c") });
            QVERIFY(isNegativeZero(*b.first()));
            b.eraseObject({ -0.0, a(u"b") });
            QVERIFY(!isNegativeZero(*b.first()));
            // next() reports the same key.
            b.insert({ -1, a(u"x") });
            b.insert({ -0.0, a(u"d") });
            QList<Term> keys;
            for (auto k = b.first(); k; k = b.next(*k))
                keys.append(*k);
            QCOMPARE(keys.size(), 2);
            QCOMPARE(std::count_if(keys.begin(), keys.end(), isNegativeZero), 1);
        }
    }

    // ets:update_counter/3,4 past 64 bits, with thresholds, and with a list
    // of updates (results checked on OTP 25).
    void updateCounterLikeEts()
    {
        Table t = make(opts(TableOptions::Type::Set));
        ProcessScope scope(m_owner->pid());
        const qint64 max = std::numeric_limits<qint64>::max();
        t.insert({ a(u"c"), max });
        // The qint64 form refuses a result it cannot return, changing nothing.
        QCOMPARE(errorOf([&] { t.updateCounter(a(u"c"), 2, 1); }), QStringLiteral("badarg"));
        QCOMPARE(t.updateCounter(a(u"c"), CounterUpdate { 2, 1 }),
                 Term::integer(u"9223372036854775808"));
        QVERIFY(t.lookupElement(a(u"c"), 2).isBigInteger());
        QCOMPARE(
            t.updateCounter(a(u"c"), CounterUpdate { 2, Term(std::numeric_limits<qint64>::min()) }),
            Term(0));
        QCOMPARE(t.lookupElement(a(u"c"), 2).type(), Term::Type::Integer);
        // Thresholds: above it going up, below it going down.
        t.insert(Tuple { a(u"d"), 5, 10 });
        QCOMPARE(t.updateCounter(a(u"d"), CounterUpdate { 2, 10, 12, 0 }), Term(0));
        QCOMPARE(t.updateCounter(a(u"d"), CounterUpdate { 2, -10, -3, 7 }), Term(7));
        QCOMPARE(t.updateCounter(a(u"d"), CounterUpdate { 2, 3, 10, 0 }), Term(10)); // not above
        QCOMPARE(t.updateCounter(a(u"d"), CounterUpdate { 2, 0, 9, 1 }), Term(1));
        t.insert(Tuple { a(u"d"), 7, 10 });
        // A list: in order, a position twice.
        QCOMPARE(t.updateCounter(a(u"d"), QList<CounterUpdate> { { 2, 1 }, { 3, 1 }, { 2, 1 } }),
                 (QList<Term> { 8, 11, 9 }));
        QCOMPARE(t.updateCounter(a(u"d"), QList<CounterUpdate> {}), QList<Term> {});
        // One bad update: badarg and no change.
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"d"), QList<CounterUpdate> { { 2, 1 }, { 9, 1 } });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"d"), QList<CounterUpdate> { { 1, 1 } });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"d"), CounterUpdate { 2, 1.0 });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"d"), CounterUpdate { 2, 1, 1.0, 0 });
                 }),
                 QStringLiteral("badarg"));
        QCOMPARE(t.lookup(a(u"d")).first(), (Tuple { a(u"d"), 9, 11 }));
        // Default rows, with a threshold.
        QCOMPARE(t.updateCounter(a(u"n"), CounterUpdate { 2, 5, 3, 0 }, Tuple { a(u"x"), 1 }),
                 Term(0));
        QCOMPARE(t.lookup(a(u"n")).first(), (Tuple { a(u"n"), 0 }));
        QCOMPARE(errorOf([&] {
                     t.updateCounter(a(u"m"), CounterUpdate { 3, 1 }, Tuple { a(u"x"), 1 });
                 }),
                 QStringLiteral("badarg"));
        QVERIFY(!t.member(a(u"m")));
        // ordered_set too, with a big counter in a longer row.
        Table o = make(opts(TableOptions::Type::OrderedSet), QStringLiteral("o"));
        o.insert(Tuple { 1, Term::integer(u"100000000000000000000"), "x" });
        QCOMPARE(o.updateCounter(1, QList<CounterUpdate> { { 2, -1 } }),
                 QList<Term> { Term::integer(u"99999999999999999999") });
        QCOMPARE(TableStore::instance()->find(o.id())->memory(),
                 TableStore::instance()->find(o.id())->memoryByWalk());
    }

    // ets:lookup_element/4 (OTP 26): the default for a missing key only.
    void lookupElementWithADefault()
    {
        Table t = make(opts(TableOptions::Type::Set));
        Table bag = make(opts(TableOptions::Type::Bag), QStringLiteral("b"));
        ProcessScope scope(m_owner->pid());
        t.insert(Tuple { 1, "a" });
        QCOMPARE(t.lookupElement(1, 2, a(u"dflt")), Term("a"));
        QCOMPARE(t.lookupElement(2, 2, a(u"dflt")), a(u"dflt"));
        QCOMPARE(t.lookupElement(2, 9, a(u"dflt")), a(u"dflt"));
        QCOMPARE(errorOf([&] { t.lookupElement(1, 9, a(u"dflt")); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([&] { t.lookupElement(2, 2); }), QStringLiteral("badarg"));
        bag.insert(QList<Tuple> { { 1, "x" }, { 1, "y" } });
        QCOMPARE(bag.lookupElement(1, 2, a(u"dflt")), Term::list({ "x", "y" }));
        QCOMPARE(bag.lookupElement(2, 2, a(u"dflt")), a(u"dflt"));
    }

    // ets:foldr/3: an ordered_set from its last key; foldl the other way.
    void foldrFromTheEnd()
    {
        Table t = make(opts(TableOptions::Type::OrderedSet));
        ProcessScope scope(m_owner->pid());
        for (int k = 1; k <= 4; ++k)
            t.insert({ k, k * 10 });
        const auto keys = [](const Tuple &row, QList<Term> acc) {
            acc.append(row.at(0));
            return acc;
        };
        QCOMPARE(t.foldr(QList<Term> {}, keys), (QList<Term> { 4, 3, 2, 1 }));
        QCOMPARE(t.fold(QList<Term> {}, keys), (QList<Term> { 1, 2, 3, 4 }));
        QCOMPARE(
            t.foldr(0, [](const Tuple &row, int sum) { return sum + int(row.at(1).toInteger()); }),
            100);
    }

    // ets:rename/2 and ets:whereis/1 (checked on OTP 25: a taken name, the
    // table's own included, is badarg; an unnamed table just changes name).
    void renameAndWhereis()
    {
        TableOptions named = opts(TableOptions::Type::Set);
        named.namedTable = true;
        Table one = make(named, QStringLiteral("one"));
        Table two = make(named, QStringLiteral("two"));
        Table plain = make(opts(TableOptions::Type::Set), QStringLiteral("plain"));
        QCOMPARE(Table::whereis(QStringLiteral("one")), std::optional<TableId>(one.id()));
        QCOMPARE(Table::whereis(QStringLiteral("plain")), std::nullopt);
        QCOMPARE(Table::whereis(QStringLiteral("none")), std::nullopt);
        {
            ProcessScope scope(m_owner->pid());
            QCOMPARE(errorOf([&] { one.rename(QStringLiteral("two")); }), QStringLiteral("badarg"));
            QCOMPARE(errorOf([&] { one.rename(QStringLiteral("one")); }), QStringLiteral("badarg"));
            one.rename(QStringLiteral("three"));
            plain.rename(QStringLiteral("two")); // unnamed: no registry, no clash
        }
        QCOMPARE(Table::whereis(QStringLiteral("one")), std::nullopt);
        QCOMPARE(Table::whereis(QStringLiteral("three")), std::optional<TableId>(one.id()));
        QCOMPARE(Table::named(QStringLiteral("three")).id(), one.id());
        QCOMPARE(errorOf([] { Table::named(QStringLiteral("one")); }),
                 QStringLiteral("no_such_table"));
        QCOMPARE(one.info().name, QStringLiteral("three"));
        QCOMPARE(plain.info().name, QStringLiteral("two"));
        QCOMPARE(Table::named(QStringLiteral("two")).id(), two.id());
        // The old name is free again; only the owner renames a protected table.
        Table again = make(named, QStringLiteral("one"));
        QCOMPARE(errorOf([&] { again.rename(QStringLiteral("four")); }),
                 QStringLiteral("not_owner"));
        // A deleted table's name is free.
        {
            ProcessScope scope(m_owner->pid());
            one.deleteTable();
        }
        QCOMPARE(Table::whereis(QStringLiteral("three")), std::nullopt);
    }

    // ets:setopts/2 with {protection, ...}, which OTP 25 accepts.
    void setProtection()
    {
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access::Protected));
        {
            ProcessScope scope(m_owner->pid());
            t.insert({ 1, 1 });
        }
        ProcessScope as(m_other->pid());
        QCOMPARE(errorOf([&] { t.insert({ 2, 2 }); }), QStringLiteral("access_denied"));
        QCOMPARE(errorOf([&] { t.setProtection(TableOptions::Access::Public); }),
                 QStringLiteral("not_owner"));
        {
            ProcessScope scope(m_owner->pid());
            t.setProtection(TableOptions::Access::Public);
        }
        QCOMPARE(t.info().access, TableOptions::Access::Public);
        t.insert({ 2, 2 }); // the inline path is on now
        QCOMPARE(t.lookup(2).size(), 1);
        {
            ProcessScope scope(m_owner->pid());
            t.setProtection(TableOptions::Access::Private);
        }
        QCOMPARE(errorOf([&] { t.lookup(1); }), QStringLiteral("access_denied"));
        QCOMPARE(errorOf([&] { t.member(1); }), QStringLiteral("access_denied"));
        QCOMPARE(errorOf([&] { t.insert({ 3, 3 }); }), QStringLiteral("access_denied"));
        QCOMPARE(t.info().size, 2);
    }

    // The tuning options: accepted, kept and reported as ets reports them.
    void performanceOptions()
    {
        TableOptions o = opts(TableOptions::Type::OrderedSet);
        QVERIFY(!o.effectiveDecentralizedCounters());
        o.readConcurrency = true;
        o.writeConcurrency = TableOptions::WriteConcurrency::Auto;
        o.compressed = true;
        Table t = make(o);
        const TableInfo i = t.info();
        QVERIFY(i.readConcurrency);
        QCOMPARE(i.writeConcurrency, TableOptions::WriteConcurrency::Auto);
        QVERIFY(i.compressed);
        QVERIFY(i.decentralizedCounters); // ets's default for an ordered_set with write_concurrency
        o.type = TableOptions::Type::Set;
        QVERIFY(!o.effectiveDecentralizedCounters());
        o.decentralizedCounters = true;
        QVERIFY(make(o, QStringLiteral("s")).info().decentralizedCounters);
        const TableOptions w =
            TableOptions::fromStrings({ "read_concurrency", "write_concurrency=auto", "compressed",
                                        "decentralized_counters=false" });
        QVERIFY(w.readConcurrency && w.compressed);
        QCOMPARE(w.writeConcurrency, TableOptions::WriteConcurrency::Auto);
        QCOMPARE(w.decentralizedCounters, std::optional<bool>(false));
        QCOMPARE(TableOptions::fromStrings(w.toStrings()).toStrings(), w.toStrings());
        QCOMPARE(TableOptions::fromStrings({ "write_concurrency" }).writeConcurrency,
                 TableOptions::WriteConcurrency::True);
        QCOMPARE(errorOf([] { TableOptions::fromStrings({ "compressed=maybe" }); }),
                 QStringLiteral("badarg"));
    }

    // Big integers are keys like any other: found by value, ordered by value.
    void bigIntegerKeys()
    {
        const Term big = Term::integer(u"123456789012345678901234567890");
        for (const auto type :
             { TableOptions::Type::Set, TableOptions::Type::OrderedSet, TableOptions::Type::Bag }) {
            Table t = make(opts(type, TableOptions::Access::Public),
                           QString::fromLatin1(TableOptions::typeName(type)));
            t.insert({ big, 1 });
            t.insert({ Term::add(big, Term(1)), 2 });
            t.insert({ 5, 3 });
            QCOMPARE(t.lookup(Term::integer(u"123456789012345678901234567890")).size(), 1);
            QVERIFY(t.member(Term::add(big, Term(1))));
            QVERIFY(!t.member(Term::subtract(big, Term(1))));
            QCOMPARE(t.lookup(big).first().at(1), Term(1));
            t.erase(big);
            QCOMPARE(t.size(), 2);
            QCOMPARE(TableStore::instance()->find(t.id())->memory(),
                     TableStore::instance()->find(t.id())->memoryByWalk());
        }
        Table o = make(opts(TableOptions::Type::OrderedSet), QStringLiteral("order"));
        ProcessScope scope(m_owner->pid());
        o.insert(QList<Tuple> { { big, 1 }, { Term::negate(big), 2 }, { 1.5, 3 } });
        QCOMPARE(keysInOrder(o), (QList<Term> { Term::negate(big), 1.5, big }));
    }

    void createRules()
    {
        QCOMPARE(errorOf([&] { Table::create("x", TableOptions()); }), QStringLiteral("badarg"));
        TableOptions bad;
        bad.keyPos = 0;
        QCOMPARE(errorOf([&] { make(bad); }), QStringLiteral("badarg"));
        Pid dead = 0;
        {
            Process p;
            dead = p.pid();
        }
        QCOMPARE(errorOf([&] { Table::create("x", TableOptions(), dead); }),
                 QStringLiteral("noproc"));
    }

    void infoAndQueries()
    {
        TableOptions o = opts(TableOptions::Type::OrderedSet, TableOptions::Access::Public);
        o.namedTable = true;
        o.keyPos = 2;
        o.heir = HeirSpec::byPid(m_other->pid(), "data");
        Table t = make(o, QStringLiteral("infotab"));
        const TableInfo empty = t.info();
        {
            ProcessScope scope(m_owner->pid());
            for (int i = 0; i < 100; ++i)
                t.insert(Tuple { "row", i, QString(50, u'x') });
        }
        const TableInfo i = t.info();
        QCOMPARE(i.id, t.id());
        QCOMPARE(i.name, QStringLiteral("infotab"));
        QVERIFY(i.namedTable);
        QCOMPARE(i.type, TableOptions::Type::OrderedSet);
        QCOMPARE(i.access, TableOptions::Access::Public);
        QCOMPARE(i.owner, m_owner->pid());
        QCOMPARE(i.heir.pid, m_other->pid());
        QCOMPARE(i.heirPid, m_other->pid());
        QCOMPARE(i.heir.data, Term("data"));
        QCOMPARE(i.size, 100);
        QCOMPARE(i.keyPos, 2);
        QCOMPARE(i.transfers, 0);
        QVERIFY(!i.orphaned);
        QVERIFY(i.memory > empty.memory + 100 * 100);

        QVERIFY(Table::ownedBy(m_owner->pid()).contains(t.id()));
        QVERIFY(!Table::ownedBy(m_other->pid()).contains(t.id()));
        QCOMPARE(Table::infoOf(t.id())->size, 100);
        bool listed = false;
        for (const TableInfo &x : Table::all())
            listed = listed || x.id == t.id();
        QVERIFY(listed);
    }

    // info().memory is kept as the rows change (O(1), no walk): after every
    // step of a long mixed sequence of every write, over every table type,
    // it equals what walking every row adds up (TableData::memoryByWalk()).
    // Keys and values are integers, floats, atoms, strings, binaries, lists
    // and nested tuples, rows are pairs, triples and lone keys, and values
    // overwrite values of another shape. Equal strings with different
    // capacities (so different memory) catch a path that counts the key it
    // was given rather than the one the table keeps; failing writes count too.
    void memoryKeptEqualsWalk_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("keyPos");
        QTest::addColumn<TableOptions::Access>("access");
        using Type = TableOptions::Type;
        const auto add = [](const char *name, Type type, int keyPos, TableOptions::Access access) {
            QTest::newRow(name) << int(type) << keyPos << access;
        };
        add("set, public (inline path)", Type::Set, 1, TableOptions::Access::Public);
        add("set, key second, public", Type::Set, 2, TableOptions::Access::Public);
        add("set, protected (general path)", Type::Set, 1, TableOptions::Access::Protected);
        add("ordered_set", Type::OrderedSet, 1, TableOptions::Access::Public);
        add("ordered_set, key second", Type::OrderedSet, 2, TableOptions::Access::Protected);
        add("bag", Type::Bag, 1, TableOptions::Access::Public);
        add("bag, key second", Type::Bag, 2, TableOptions::Access::Protected);
        add("duplicate_bag", Type::DuplicateBag, 1, TableOptions::Access::Public);
        add("duplicate_bag, key second", Type::DuplicateBag, 2, TableOptions::Access::Protected);
    }
    void memoryKeptEqualsWalk()
    {
        QFETCH(int, type);
        QFETCH(int, keyPos);
        QFETCH(TableOptions::Access, access);
        TableOptions o = opts(TableOptions::Type(type), access);
        o.keyPos = keyPos;
        Table t = make(o, QStringLiteral("memory"));
        const std::shared_ptr<TableData> d = TableStore::instance()->find(t.id());
        QVERIFY(d);
        ProcessScope scope(m_owner->pid());

        QString roomy = QStringLiteral("k");
        roomy.reserve(200); // equal to "k", but more bytes
        QByteArray roomyBytes("\x01\x02", 2);
        roomyBytes.reserve(300);
        const QList<Term> keys {
            0,
            1,
            2,
            1.0,
            a(u"a"),
            a(u"b"),
            QStringLiteral("k"),
            Term(roomy),
            QStringLiteral("a longer key, on the heap"),
            QByteArray("\x01\x02", 2),
            Term(roomyBytes),
            QByteArray(40, 'b'),
            Term::tuple({ 1, Term::tuple({ QStringLiteral("x"), Term::list({ 1, "y" }) }) }),
            Term::list({ 1, QStringLiteral("z") }),
        };
        QString roomyValue = QStringLiteral("value");
        roomyValue.reserve(100);
        const QList<Term> values {
            7,
            -3,
            2.5,
            a(u"ok"),
            QStringLiteral("value"),
            Term(roomyValue),
            QByteArray(64, 'v'),
            Term::tuple({ "t", Term::list({ 1, 2 }) }),
            Term::list({ "l", Term::tuple({ 2 }), QByteArray(3, 'c') }),
            Term::tuple({ Term::tuple({ Term::tuple({ "deep", 1.5 }) }) }),
        };

        quint64 state = 0x9e3779b97f4a7c15ULL;
        const auto pick = [&state](qsizetype n) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            return qsizetype((state >> 33) % quint64(n));
        };
        const auto anyKey = [&] {
            return keys.at(pick(keys.size()));
        };
        const auto anyValue = [&] {
            return values.at(pick(values.size()));
        };
        const int valuePos = keyPos == 1 ? 2 : 1; // the value of a pair
        // A row with the key at keyPos: a pair mostly, else a triple or the key alone.
        const auto anyRow = [&] {
            const Term key = anyKey();
            const qsizetype shape = pick(6);
            if (shape == 0 && keyPos == 1)
                return Tuple { key };
            Tuple row;
            for (qsizetype i = 0; i < (shape == 1 ? 3 : 2); ++i)
                row << (i == keyPos - 1 ? key : anyValue());
            return row;
        };
        const auto anyRows = [&] {
            QList<Tuple> rows;
            for (qsizetype n = 1 + pick(3); n > 0; --n)
                rows.append(anyRow());
            return rows;
        };
        const auto wild = a(u"_");

        QMap<QString, int> ran;
        for (int step = 0; step < 4000; ++step) {
            QString op;
            try {
                switch (pick(20)) {
                case 0:
                case 1:
                case 2:
                    op = QStringLiteral("insert");
                    t.insert(anyRow());
                    break;
                case 3: {
                    op = QStringLiteral("insert braces");
                    const Term key = anyKey();
                    const Term value = anyValue();
                    if (keyPos == 1)
                        t.insert({ key, value });
                    else
                        t.insert({ value, key });
                    break;
                }
                case 4:
                    op = QStringLiteral("insert list");
                    t.insert(anyRows());
                    break;
                case 5:
                    op = QStringLiteral("insertNew");
                    t.insertNew(anyRow());
                    break;
                case 6:
                    op = QStringLiteral("insertNew list");
                    t.insertNew(anyRows());
                    break;
                case 7:
                    op = QStringLiteral("erase");
                    t.erase(anyKey());
                    break;
                case 8: {
                    op = QStringLiteral("eraseObject (a row there)");
                    const QList<Tuple> rows = t.toList();
                    if (!rows.isEmpty())
                        t.eraseObject(rows.at(pick(rows.size())));
                    break;
                }
                case 9:
                    op = QStringLiteral("eraseObject");
                    t.eraseObject(anyRow());
                    break;
                case 10: {
                    op = QStringLiteral("matchDelete");
                    Tuple pattern { wild, wild };
                    pattern[pick(2)] = pick(2) ? anyKey() : anyValue();
                    t.matchDelete(pattern);
                    break;
                }
                case 11:
                    op = QStringLiteral("take");
                    t.take(anyKey());
                    break;
                case 12:
                    op = QStringLiteral("updateCounter");
                    t.updateCounter(anyKey(), valuePos, pick(5) - 2);
                    break;
                case 13: {
                    op = QStringLiteral("updateCounter with a default row");
                    Tuple defaultRow { 0, 0 };
                    if (pick(2))
                        defaultRow << anyValue();
                    t.updateCounter(anyKey(), valuePos, 1, defaultRow);
                    break;
                }
                case 14: {
                    op = QStringLiteral("updateElement");
                    t.updateElement(anyKey(), pick(3) ? valuePos : 3, anyValue());
                    break;
                }
                case 15: {
                    op = QStringLiteral("updateElement list");
                    QList<std::pair<int, Term>> changes { { valuePos, anyValue() } };
                    if (pick(2))
                        changes.append({ 3, anyValue() });
                    t.updateElement(anyKey(), changes);
                    break;
                }
                case 16: {
                    op = QStringLiteral("selectDelete");
                    const Term value = anyValue();
                    t.selectDelete([&](const Tuple &row) {
                        return row.size() == 3
                            || (row.size() >= valuePos && row.at(valuePos - 1) == value);
                    });
                    break;
                }
                case 17:
                    if (pick(10) == 0) { // now and then: most steps need rows to work on
                        op = QStringLiteral("deleteAllObjects");
                        t.deleteAllObjects();
                        break;
                    }
                    [[fallthrough]];
                default:
                    op = QStringLiteral("insert (overwrite)");
                    if (!t.toList().isEmpty())
                        t.insert(anyRow());
                    break;
                }
            } catch (const Error &) {
                op += QStringLiteral(" (failed)"); // bad positions, counters on a bag...
            }
            ++ran[op];
            const size_t walked = d->memoryByWalk();
            QVERIFY2(t.info().memory == walked,
                     qPrintable(QStringLiteral("step %1, after %2: info().memory %3, walked %4")
                                    .arg(step)
                                    .arg(op)
                                    .arg(t.info().memory)
                                    .arg(walked)));
        }
        // Every write ran, and each on a table with rows in it.
        for (const char *name :
             { "insert", "insert braces", "insert list", "insertNew", "insertNew list", "erase",
               "eraseObject (a row there)", "eraseObject", "matchDelete", "take", "selectDelete" })
            QVERIFY2(ran.value(QLatin1String(name)) > 100, name);
        QVERIFY(ran.value(QStringLiteral("deleteAllObjects")) > 5);
        const bool counters =
            o.type == TableOptions::Type::Set || o.type == TableOptions::Type::OrderedSet;
        for (const char *name : { "updateCounter", "updateCounter with a default row",
                                  "updateElement", "updateElement list" })
            QVERIFY2(ran.value(QLatin1String(name)) > (counters ? 10 : -1), name);
        QVERIFY(t.size() > 0);
        t.deleteTable();
        QCOMPARE(d->memory(), d->memoryByWalk());
    }

    // OTP's memory/t_delete_all_objects (ets_SUITE): once every row is
    // deleted, however, info().memory is the empty table's again, for
    // every table type; on OTP 25 delete_all_objects, select_delete and
    // match_delete give it all back too. Rows carry heap payloads (strings,
    // binaries, nested tuples) and bags several rows per key, and the
    // kept count must still equal the walk.
    void memoryReturnsToEmptyAfterDeletes_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<TableOptions::Access>("access");
        QTest::addColumn<QString>("how");
        using Type = TableOptions::Type;
        const QList<std::tuple<const char *, Type, TableOptions::Access>> types {
            { "set (inline path)", Type::Set, TableOptions::Access::Public },
            { "set", Type::Set, TableOptions::Access::Protected },
            { "ordered_set", Type::OrderedSet, TableOptions::Access::Protected },
            { "bag", Type::Bag, TableOptions::Access::Protected },
            { "duplicate_bag", Type::DuplicateBag, TableOptions::Access::Protected },
        };
        for (const auto &[name, type, access] : types) {
            for (const char *how : { "erase", "eraseObject", "take", "deleteAllObjects",
                                     "selectDelete", "selectDelete spec", "matchDelete" }) {
                QTest::addRow("%s, %s", name, how)
                    << int(type) << access << QString::fromLatin1(how);
            }
        }
    }
    void memoryReturnsToEmptyAfterDeletes()
    {
        QFETCH(int, type);
        QFETCH(TableOptions::Access, access);
        QFETCH(QString, how);
        Table t = make(opts(TableOptions::Type(type), access), QStringLiteral("memory"));
        const std::shared_ptr<TableData> d = TableStore::instance()->find(t.id());
        const size_t empty = t.info().memory;
        QCOMPARE(empty, d->memoryByWalk());
        ProcessScope scope(m_owner->pid());
        const bool bag = TableOptions::Type(type) == TableOptions::Type::Bag
            || TableOptions::Type(type) == TableOptions::Type::DuplicateBag;
        constexpr int keys = 5000;
        const auto rowsOf = [&](int k) {
            QList<Tuple> rows;
            rows.append(Tuple { k, QStringLiteral("value %1, long enough for the heap").arg(k) });
            if (bag) {
                rows.append(Tuple { k, QByteArray(40, char('a' + k % 26)) });
                rows.append(Tuple { k, Term::tuple({ k, Term::list({ "nested", k }) }) });
            }
            return rows;
        };
        for (int k = 0; k < keys; ++k)
            t.insert(rowsOf(k));
        // A few keys with heap payloads of their own.
        t.insert(Tuple { QStringLiteral("a string key"), 1 });
        t.insert(Tuple { Term::tuple({ "tuple", "key" }), 2 });
        QVERIFY(t.info().memory > empty + keys * 20);

        const Term wild = a(u"_");
        if (how == QLatin1String("erase")) {
            for (int k = 0; k < keys; ++k)
                t.erase(k);
            t.erase(QStringLiteral("a string key"));
            t.erase(Term::tuple({ "tuple", "key" }));
        } else if (how == QLatin1String("eraseObject")) {
            for (const Tuple &row : t.toList())
                t.eraseObject(row);
        } else if (how == QLatin1String("take")) {
            for (int k = 0; k < keys; ++k)
                QCOMPARE(t.take(k).size(), bag ? 3 : 1);
            t.take(QStringLiteral("a string key"));
            t.take(Term::tuple({ "tuple", "key" }));
        } else if (how == QLatin1String("deleteAllObjects")) {
            t.deleteAllObjects();
        } else if (how == QLatin1String("selectDelete")) {
            QCOMPARE(t.selectDelete([](const Tuple &) { return true; }), keys * (bag ? 3 : 1) + 2);
        } else if (how == QLatin1String("selectDelete spec")) {
            const Term spec =
                Term::list({ Term::tuple({ wild, Term::list({}), Term::list({ a(u"true") }) }) });
            QCOMPARE(t.selectDelete(MatchSpec(spec)), keys * (bag ? 3 : 1) + 2);
        } else {
            t.matchDelete(Tuple { wild, wild });
        }
        QCOMPARE(t.size(), 0);
        QCOMPARE(t.info().memory, empty);
        QCOMPARE(d->memoryByWalk(), empty);

        // Refilled and emptied again: the same.
        for (int k = 0; k < 100; ++k)
            t.insert(rowsOf(k));
        t.deleteAllObjects();
        QCOMPARE(t.info().memory, empty);
    }

    void optionsFromStrings()
    {
        const TableOptions o = TableOptions::fromStrings(
            { "bag", "public", "named_table", "keypos=3", "heir=keeper" });
        QCOMPARE(o.type, TableOptions::Type::Bag);
        QCOMPARE(o.access, TableOptions::Access::Public);
        QVERIFY(o.namedTable);
        QCOMPARE(o.keyPos, 3);
        QCOMPARE(o.heir.name, QStringLiteral("keeper"));
        QCOMPARE(TableOptions::fromStrings(o.toStrings()).toStrings(), o.toStrings());
        QCOMPARE(errorOf([] { TableOptions::fromStrings({ "sett" }); }), QStringLiteral("badarg"));
        QCOMPARE(errorOf([] { TableOptions::fromStrings({ "keypos=0" }); }),
                 QStringLiteral("badarg"));
    }

    // OTP's smp_select_delete: threads insert_new random keys and now and
    // then select_delete a residue class, each counting per class what it
    // added and removed. Every insert_new that said true and every row a
    // select_delete counted must agree with the table in the end.
    void concurrentInsertNewAndSelectDelete()
    {
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access::Public));
        static constexpr int threads = 3, mod = 17, ops = 20000, keyRange = 10000;
        std::vector<std::array<qint64, mod>> diffs(threads);
        std::vector<std::thread> workers;
        for (int w = 0; w < threads; ++w) {
            workers.emplace_back([&, w] {
                diffs[w].fill(0);
                quint64 state = 0x9e3779b97f4a7c15ULL * quint64(w + 1);
                const auto pick = [&state](int n) {
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    return int((state >> 33) % quint64(n));
                };
                for (int i = 0; i < ops; ++i) {
                    if (pick(20) == 0) {
                        const int eq = pick(mod);
                        diffs[w][eq] -= t.selectDelete(
                            [eq](const Tuple &row) { return row.at(0).toInteger() % mod == eq; });
                    } else {
                        const int key = pick(keyRange);
                        if (t.insertNew(Tuple { key, key }))
                            ++diffs[w][key % mod];
                    }
                }
            });
        }
        for (auto &th : workers)
            th.join();
        qint64 total = 0;
        for (int eq = 0; eq < mod; ++eq) {
            qint64 expected = 0;
            for (int w = 0; w < threads; ++w)
                expected += diffs[w][eq];
            QVERIFY(expected >= 0);
            total += expected;
            // Counted by a match specification: [{{'$1','_'}, [{'=:=', {rem,'$1',17}, Eq}],
            // [true]}].
            const Term spec = Term::list({ Term::tuple(
                { Term::tuple({ a(u"$1"), a(u"_") }),
                  Term::list({ Term::tuple(
                      { a(u"=:="), Term::tuple({ a(u"rem"), a(u"$1"), mod }), eq }) }),
                  Term::list({ a(u"true") }) }) });
            QCOMPARE(qint64(t.selectCount(MatchSpec(spec))), expected);
        }
        QCOMPARE(qint64(t.size()), total);
        QVERIFY(total > 0);
        QCOMPARE(qint64(t.selectDelete([](const Tuple &) { return true; })), total);
        QCOMPARE(t.size(), 0);
    }

    // OTP's smp_ordered_iteration: while writers on other threads insert and
    // delete volatile keys between the stable ones of an ordered_set, every
    // way of walking it (first/next, last/prev, select, select_reverse,
    // select in chunks, select_count) finds every stable key, each once.
    void orderedIterationUnderConcurrentWrites()
    {
        Table t = make(opts(TableOptions::Type::OrderedSet, TableOptions::Access::Public));
        const Term stable = a(u"stable"), volatileTag = a(u"volatile");
        const auto key = [](int k, const Term &tag) {
            return Term::tuple({ k / 10, k % 10, tag });
        };
        constexpr int keyRange = 1000, stableKeys = 250;
        for (int k = 0; k < keyRange; k += keyRange / stableKeys)
            t.insert(Tuple { key(k, stable), 0 });
        std::atomic<bool> stop { false };
        std::vector<std::thread> writers;
        for (int w = 0; w < 2; ++w) {
            writers.emplace_back([&, w] {
                quint64 state = 0x2545f4914f6cdd1dULL * quint64(w + 1);
                const auto pick = [&state](int n) {
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    return int((state >> 33) % quint64(n));
                };
                while (!stop.load(std::memory_order_relaxed)) {
                    const int k = pick(keyRange);
                    switch (pick(8)) {
                    case 0:
                    case 1:
                    case 2:
                        t.insert(Tuple { key(k, volatileTag), k });
                        break;
                    case 3:
                    case 4:
                        t.erase(key(k, volatileTag));
                        break;
                    case 5:
                        t.eraseObject(Tuple { key(k, volatileTag), k });
                        break;
                    default: {
                        const int group = k / 10;
                        t.selectDelete([&](const Tuple &row) {
                            const auto e = row.at(0).elements();
                            return e[0] == Term(group) && e[2] == volatileTag;
                        });
                        break;
                    }
                    }
                }
            });
        }
        const Term head = Term::tuple({ Term::tuple({ a(u"_"), a(u"_"), stable }), a(u"_") });
        const Term spec =
            Term::list({ Term::tuple({ head, Term::list({}), Term::list({ a(u"$_") }) }) });
        const Term countSpec =
            Term::list({ Term::tuple({ head, Term::list({}), Term::list({ a(u"true") }) }) });
        const auto isStable = [&](const Term &k) {
            return k.elements()[2] == stable;
        };
        for (int round = 0; round < 200; ++round) {
            int forward = 0, backward = 0;
            for (auto k = t.first(); k; k = t.next(*k))
                forward += isStable(*k);
            for (auto k = t.last(); k; k = t.prev(*k))
                backward += isStable(*k);
            QCOMPARE(forward, stableKeys);
            QCOMPARE(backward, stableKeys);
            QCOMPARE(t.select(MatchSpec(spec)).size(), stableKeys);
            QCOMPARE(t.selectReverse(MatchSpec(spec)).size(), stableKeys);
            QCOMPARE(t.selectCount(MatchSpec(countSpec)), stableKeys);
            qsizetype chunked = 0;
            for (auto c = t.select(MatchSpec(spec), 1 + round % 37); c;
                 c = Table::select(c->continuation))
                chunked += c->matches.size();
            QCOMPARE(chunked, stableKeys);
        }
        stop = true;
        for (auto &th : writers)
            th.join();
        QVERIFY(t.size() > stableKeys); // the writers did write
    }

    // OTP's firstnext_concurrent and firstnext_lookup_concurrent: walks of a
    // hashed table with first/next while other threads insert and delete
    // enough rows to grow and shrink its slot array. A walk promises no order
    // across writes, but every key it returns is one the table held, every
    // stable key it returns can be looked up, and next() from a key the
    // writers just deleted is a typed badarg, never a crash or a wrong row.
    // Once the writers stop, a walk visits every key exactly once.
    void hashedWalksUnderConcurrentWrites_data()
    {
        QTest::addColumn<TableOptions::Type>("type");
        QTest::newRow("set") << TableOptions::Type::Set;
        QTest::newRow("bag") << TableOptions::Type::Bag;
        QTest::newRow("duplicate_bag") << TableOptions::Type::DuplicateBag;
    }

    void hashedWalksUnderConcurrentWrites()
    {
        QFETCH(TableOptions::Type, type);
        Table t = make(opts(type, TableOptions::Access::Public));
        constexpr int stableKeys = 200, volatileRange = 4000;
        for (int k = 0; k < stableKeys; ++k)
            t.insert(Tuple { Term::tuple({ a(u"stable"), k }), k });
        std::atomic<bool> stop { false };
        std::vector<std::thread> writers;
        for (int w = 0; w < 2; ++w) {
            writers.emplace_back([&, w] {
                quint64 state = 0x9e3779b97f4a7c15ULL * quint64(w + 1);
                const auto pick = [&state](int n) {
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    return int((state >> 33) % quint64(n));
                };
                while (!stop.load(std::memory_order_relaxed)) {
                    // Bursts of inserts then of deletes, so the slot array
                    // grows and shrinks under the walkers.
                    const int base = pick(volatileRange);
                    for (int i = 0; i < 64; ++i)
                        t.insert(Tuple { Term::tuple({ a(u"volatile"), base + i }), i });
                    for (int i = 0; i < 64; ++i)
                        t.erase(Term::tuple({ a(u"volatile"), base + i }));
                }
            });
        }
        const auto isStable = [](const Term &k) {
            return k.elements()[0] == a(u"stable");
        };
        int walks = 0, interrupted = 0;
        for (int round = 0; round < 300; ++round) {
            ++walks;
            try {
                for (auto k = t.first(); k; k = t.next(*k)) {
                    QCOMPARE(k->type(), Term::Type::Tuple);
                    const auto e = k->elements();
                    QCOMPARE(e.size(), qsizetype(2));
                    if (isStable(*k)) {
                        const int n = int(e[1].toInteger());
                        QVERIFY(n >= 0 && n < stableKeys);
                        const QList<Tuple> rows = t.lookup(*k).toList();
                        QCOMPARE(rows.size(), qsizetype(1));
                        QCOMPARE(rows.first().at(1), Term(n));
                    } else {
                        QCOMPARE(e[0], a(u"volatile"));
                        const qint64 n = e[1].toInteger();
                        QVERIFY(n >= 0 && n < volatileRange + 64);
                    }
                }
            } catch (const Error &err) {
                // next() from a key deleted since first()/next() returned it.
                QCOMPARE(err.code(), Error::Code::BadArg);
                ++interrupted;
            }
        }
        stop = true;
        for (auto &th : writers)
            th.join();
        QCOMPARE(t.size(), qsizetype(stableKeys)); // every volatile row was deleted again
        QSet<int> seen;
        for (auto k = t.first(); k; k = t.next(*k)) {
            QVERIFY(isStable(*k));
            const int n = int(k->elements()[1].toInteger());
            QVERIFY2(!seen.contains(n), "a quiet walk visits each key once");
            seen.insert(n);
        }
        QCOMPARE(seen.size(), stableKeys);
        QVERIFY(walks > interrupted); // some walks went all the way through
    }

    // OTP's smp_select_replace: threads bump random counters with
    // select_replace (inserting the counter with insert_new when
    // select_replace found none), counting their successful bumps; in the
    // end the counters add up to exactly that.
    void concurrentSelectReplaceCounters()
    {
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access::Public));
        static constexpr int threads = 3, ops = 5000, counters = 20;
        std::vector<qint64> bumps(threads, 0);
        std::vector<std::thread> workers;
        for (int w = 0; w < threads; ++w) {
            workers.emplace_back([&, w] {
                quint64 state = 0xbf58476d1ce4e5b9ULL * quint64(w + 1);
                for (int i = 0; i < ops; ++i) {
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    const int id = int((state >> 33) % counters);
                    // [{{'$1','$2'}, [{'=:=','$1',Id}], [{{'$1',{'+','$2',1}}}]}]
                    const Term spec = Term::list({ Term::tuple(
                        { Term::tuple({ a(u"$1"), a(u"$2") }),
                          Term::list({ Term::tuple({ a(u"=:="), a(u"$1"), id }) }),
                          Term::list({ Term::tuple({ Term::tuple(
                              { a(u"$1"), Term::tuple({ a(u"+"), a(u"$2"), 1 }) }) }) }) }) });
                    if (t.selectReplace(MatchSpec(spec)) == 1)
                        ++bumps[w];
                    else
                        t.insertNew(Tuple { id, 0 });
                }
            });
        }
        for (auto &th : workers)
            th.join();
        const qint64 expected = std::accumulate(bumps.cbegin(), bumps.cend(), qint64(0));
        const qint64 total = t.fold(
            qint64(0), [](const Tuple &row, qint64 acc) { return acc + row.at(1).toInteger(); });
        QCOMPARE(total, expected);
        QVERIFY(expected > threads * ops / 2);
        QCOMPARE(t.size(), counters);
    }

    // OTP's test_table_size_concurrency and test_table_memory_concurrency:
    // while a thread inserts 100,000 rows, readers on other threads never
    // see info().size or info().memory go back.
    void sizeAndMemoryNeverGoBackWhileInserting()
    {
        for (const auto type : { TableOptions::Type::Set, TableOptions::Type::OrderedSet }) {
            Table t = make(opts(type, TableOptions::Access::Public),
                           QString::fromLatin1(TableOptions::typeName(type)));
            constexpr int rows = 100000;
            std::atomic<bool> done { false };
            std::atomic<bool> wentBack { false };
            std::thread inserter([&] {
                for (int k = 0; k < rows; ++k)
                    t.insert({ k, k });
                done = true;
            });
            std::vector<std::thread> readers;
            for (int r = 0; r < 2; ++r) {
                readers.emplace_back([&] {
                    qsizetype lastSize = 0;
                    size_t lastMemory = 0;
                    for (bool last = false; !last;) {
                        last = done; // one more look after the inserter is done
                        const TableInfo i = t.info();
                        if (i.size < lastSize || i.memory < lastMemory)
                            wentBack = true;
                        lastSize = i.size;
                        lastMemory = i.memory;
                    }
                });
            }
            inserter.join();
            for (auto &th : readers)
                th.join();
            QVERIFY(!wentBack);
            QCOMPARE(t.size(), rows);
        }
    }

    // OTP's meta_newdel_named and meta_newdel_unnamed: threads create and
    // delete tables, named ones under their own names and one name they
    // all want: a name is never held twice, nothing is left behind.
    void concurrentCreateAndDeleteOfNamedTables()
    {
        static constexpr int threads = 3, rounds = 2000;
        std::vector<std::unique_ptr<Process>> owners;
        for (int w = 0; w < threads; ++w)
            owners.push_back(std::make_unique<Process>());
        std::atomic<int> holders { 0 };
        std::atomic<bool> twice { false };
        std::vector<int> taken(threads, 0), won(threads, 0);
        std::vector<QString> errors(threads);
        std::vector<std::thread> workers;
        for (int w = 0; w < threads; ++w) {
            workers.emplace_back([&, w] {
                ProcessScope scope(owners[w]->pid());
                TableOptions named = opts(TableOptions::Type::Set);
                named.namedTable = true;
                try {
                    for (int i = 0; i < rounds; ++i) {
                        Table own = Table::create(QStringLiteral("meta.%1").arg(w), named);
                        Table unnamed =
                            Table::create(QStringLiteral("meta"), opts(TableOptions::Type::Bag));
                        try {
                            Table shared = Table::create(QStringLiteral("meta.shared"), named);
                            if (++holders > 1)
                                twice = true;
                            ++won[w];
                            --holders;
                            shared.deleteTable();
                        } catch (const Error &e) {
                            if (e.code() != Error::Code::NameTaken)
                                throw;
                            ++taken[w];
                        }
                        unnamed.deleteTable();
                        own.deleteTable();
                    }
                } catch (const Error &e) {
                    errors[w] = e.message();
                }
            });
        }
        for (auto &th : workers)
            th.join();
        for (int w = 0; w < threads; ++w) {
            QVERIFY2(errors[w].isEmpty(), qPrintable(errors[w]));
            QCOMPARE(won[w] + taken[w], rounds);
        }
        QVERIFY(!twice);
        for (const TableInfo &i : Table::all())
            QVERIFY2(!i.name.startsWith(QLatin1String("meta")), qPrintable(i.name));
        QCOMPARE(Table::whereis(QStringLiteral("meta.shared")), std::nullopt);
    }

    void concurrentReadersAndWriters()
    {
        // Writers on std::threads and QThreads, readers alongside, on one
        // public table: every write lands, every read sees whole rows.
        Table t = make(opts(TableOptions::Type::Set, TableOptions::Access::Public));
        {
            ProcessScope scope(m_owner->pid());
            t.insert(Tuple { a(u"counter"), 0 });
        }
        constexpr int writers = 3;
        constexpr int perWriter = 3000;
        std::atomic<bool> torn { false };
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) {
            threads.emplace_back([&, w] {
                for (int i = 0; i < perWriter; ++i) {
                    t.insert(Tuple { w * perWriter + i, w, i });
                    t.updateCounter(a(u"counter"), 2, 1);
                }
            });
        }
        std::unique_ptr<QThread> qthread(QThread::create([&] {
            for (int i = 0; i < perWriter; ++i)
                t.insert(Tuple { writers * perWriter + i, writers, i });
        }));
        qthread->start();
        for (int r = 0; r < 2; ++r) {
            threads.emplace_back([&] {
                // A fixed amount of reading, overlapping the writers.
                for (int round = 0; round < 100; ++round) {
                    for (int k = 0; k < 200; ++k) {
                        for (const Tuple &row : t.lookup(k)) {
                            if (row.size() != 3
                                || row.at(0)
                                    != Term(row.at(1).toInteger() * perWriter
                                            + row.at(2).toInteger()))
                                torn = true;
                        }
                    }
                }
            });
        }
        for (auto &th : threads)
            th.join();
        QVERIFY(qthread->wait());
        QVERIFY(!torn);
        QCOMPARE(t.size(), (writers + 1) * perWriter + 1);
        QCOMPARE(t.lookupElement(a(u"counter"), 2), Term(writers * perWriter));
    }
};

QTEST_GUILESS_MAIN(TstTable)
#include "tst_table.moc"
