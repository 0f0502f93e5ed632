#include "testsupport.h"

#include <immortal/rows.h>
#include <immortal/tuple.h>

#include <QTest>

#include <utility>

using namespace immortal;

// Tuple keeps up to two elements inline and longer rows in a heap block;
// Rows is what lookup(key) returns. Both are plain values: copies never
// share, moves leave the source empty, and payload terms (strings) survive
// every copy, move and reallocation.
class TstTuple : public QObject
{
    Q_OBJECT

    static Term text(int i) { return Term(QStringLiteral("text %1").arg(i)); }
    static Tuple wide(int n)
    {
        Tuple t;
        for (int i = 0; i < n; ++i)
            t.append(i % 2 ? Term(i) : text(i));
        return t;
    }

private slots:
    void pairsLiveInline()
    {
        const Tuple pair { 1, "one" };
        QCOMPARE(pair.size(), 2);
        QCOMPARE(pair.capacity(), 2);
        QCOMPARE(pair.at(0), Term(1));
        QCOMPARE(pair.at(1), Term("one"));
        QCOMPARE(pair.memory(), sizeof(Tuple) + Term("one").memory() - sizeof(Term));
        QVERIFY(Tuple().isEmpty());
        QCOMPARE(Tuple(3, Term::atom(u"x")),
                 (Tuple { Term::atom(u"x"), Term::atom(u"x"), Term::atom(u"x") }));
        QCOMPARE(Tuple(-1).size(), 0);
    }

    void copiesNeverShare()
    {
        for (int n : { 2, 9 }) {
            const Tuple original = wide(n);
            Tuple copy = original;
            QCOMPARE(copy, original);
            copy[0] = 999;
            copy.append(Term("more"));
            QCOMPARE(original, wide(n));
            QCOMPARE(copy.size(), n + 1);
            QCOMPARE(copy.at(0), Term(999));
            Tuple assigned { 7 };
            assigned = original;
            QCOMPARE(assigned, original);
            assigned = std::as_const(assigned); // self-assignment keeps it
            QCOMPARE(assigned, original);
        }
    }

    void movesEmptyTheSource()
    {
        for (int n : { 1, 2, 3, 12 }) {
            Tuple source = wide(n);
            const Tuple moved = std::move(source);
            QCOMPARE(moved, wide(n));
            QVERIFY(source.isEmpty()); // NOLINT(bugprone-use-after-move): the state is specified
            source.append(Term("reused"));
            QCOMPARE(source, (Tuple { "reused" }));
            Tuple target { 1, 2, 3, 4 }; // a heap block, released by the move-assignment
            target = Tuple(wide(n));
            QCOMPARE(target, wide(n));
        }
        // Payloads moved out of an inline tuple belong to the target alone.
        Tuple target;
        {
            Tuple source { text(1), text(2) };
            target = std::move(source);
        }
        QCOMPARE(target, (Tuple { text(1), text(2) }));
    }

    void growingKeepsTheElements()
    {
        Tuple t;
        for (int i = 0; i < 100; ++i) {
            t.append(text(i));
            QVERIFY(t.capacity() >= t.size());
        }
        for (int i = 0; i < 100; ++i)
            QCOMPARE(t.at(i), text(i));
        QVERIFY(t.memory() >= sizeof(Tuple) + 100 * sizeof(Term));
        t.resize(3);
        QCOMPARE(t, (Tuple { text(0), text(1), text(2) }));
        t.resize(5);
        QCOMPARE(t.at(4), Term()); // new elements are 'undefined'
        t.clear();
        QVERIFY(t.isEmpty());
        t << 1 << 2;
        QCOMPARE(t, (Tuple { 1, 2 }));
    }

    // Appending one of its own elements as the Tuple leaves its inline
    // storage or outgrows its block copies the element first: the old
    // storage is gone (or, inline, overwritten by the block's address) by
    // the time the new element is built. Before, this read the overwritten
    // bytes as a Term.
    void appendingAnOwnElementWhileGrowing()
    {
        Tuple t { text(1), text(2) };
        t.append(t.at(0));
        t.append(t.at(1));
        t.append(t.last());
        QCOMPARE(t, (Tuple { text(1), text(2), text(1), text(2), text(2) }));
        for (int i = 0; i < 20; ++i)
            t.append(t.at(i));
        QCOMPARE(t.size(), 25);
        QCOMPARE(t.at(24), t.at(19));
    }

    void listConversions()
    {
        const QList<Term> list { 1, "two", 3.0 };
        const Tuple t(list);
        QCOMPARE(t.toList(), list);
        QCOMPARE(Tuple(list.begin(), list.end()), t);
        QCOMPARE(Term::tuple(t).toTuple(), t);
        QCOMPARE(Term::tuple(t).elements().size(), size_t(3));
    }

    // QList moves Tuples and Terms bytewise (Q_RELOCATABLE_TYPE): a tuple
    // whose elements are inline must still read them after its list grew.
    void relocationInContainers()
    {
        QList<Tuple> rows;
        for (int i = 0; i < 200; ++i)
            rows.append(i % 3 ? Tuple { i, text(i) } : wide(i % 7 + 3));
        rows.insert(0, Tuple { -1, text(-1) });
        rows.removeAt(100);
        QCOMPARE(rows.first(), (Tuple { -1, text(-1) }));
        for (int i = 1; i < rows.size(); ++i) {
            const int n = i < 100 ? i - 1 : i; // index 100 held row 99
            const Tuple expected = n % 3 ? Tuple { n, text(n) } : wide(n % 7 + 3);
            QCOMPARE(rows.at(i), expected);
        }
    }

    void rowsAreAListOfTuples()
    {
        Rows rows;
        QVERIFY(rows.isEmpty());
        QCOMPARE(rows, QList<Tuple>());
        rows.append(Tuple { 1, "a" });
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first(), (Tuple { 1, "a" }));
        rows.append(wide(5));
        QCOMPARE(rows, (QList<Tuple> { Tuple { 1, "a" }, wide(5) }));
        QCOMPARE(rows.toList(), (QList<Tuple> { Tuple { 1, "a" }, wide(5) }));
        Rows copy = rows;
        copy[0][1] = "b";
        QCOMPARE(rows.at(0), (Tuple { 1, "a" }));
        QCOMPARE(copy.at(0), (Tuple { 1, "b" }));
        QVERIFY(!(copy == rows));
        qsizetype elements = 0;
        for (const Tuple &row : rows)
            elements += row.size();
        QCOMPARE(elements, 7);
        rows.clear();
        QCOMPARE(rows, Rows());
    }

    // Rows keeps one row inline and moves to a heap block past that, as a
    // bag's lookup needs. Appending one of its own rows while it grows
    // copies the row before the old storage goes (valgrind would see the
    // read after free: tst_tuple_memcheck runs this suite under it).
    void rowsGrowPastTheInlineRow()
    {
        Rows rows;
        QCOMPARE(rows.capacity(), 1);
        rows.append(wide(3));
        QCOMPARE(rows.capacity(), 1);
        rows.append(rows.at(0));
        rows.append(rows.at(1));
        QCOMPARE(rows, (QList<Tuple> { wide(3), wide(3), wide(3) }));
        const qsizetype capacity = rows.capacity();
        QVERIFY(capacity >= 3);
        rows.clear();
        QVERIFY(rows.isEmpty());
        QCOMPARE(rows.capacity(), capacity); // as QList::clear(), the memory stays
        for (int i = 0; i < 40; ++i)
            rows << Tuple { i, text(i) };
        for (int i = 0; i < 40; ++i)
            QCOMPARE(rows.at(i), (Tuple { i, text(i) }));
        rows.reserve(100);
        QVERIFY(rows.capacity() >= 100);
        QCOMPARE(rows.size(), 40);
        QCOMPARE(rows.last(), (Tuple { 39, text(39) }));
    }

    // One inline row or a heap block: copies never share, moves leave the
    // source empty and usable.
    void rowsCopyAndMove()
    {
        for (int n : { 1, 5 }) {
            Rows source;
            for (int i = 0; i < n; ++i)
                source.append(Tuple { i, text(i) });
            const Rows copy = source;
            Rows moved = std::move(source);
            QCOMPARE(moved, copy);
            QVERIFY(source.isEmpty()); // NOLINT(bugprone-use-after-move): the state is specified
            QCOMPARE(source.capacity(), 1);
            source.append(wide(4));
            QCOMPARE(source, (QList<Tuple> { wide(4) }));
            moved[0][1] = text(99);
            QCOMPARE(copy.at(0), (Tuple { 0, text(0) }));
            moved = copy;
            QCOMPARE(moved, copy);
            moved = std::as_const(moved); // self-assignment keeps it
            QCOMPARE(moved, copy);
            source = std::move(moved);
            QCOMPARE(source, copy);
        }
    }

    // QList moves Rows bytewise too (Q_RELOCATABLE_TYPE).
    void rowsRelocateInContainers()
    {
        QList<Rows> lists;
        for (int i = 0; i < 100; ++i)
            lists.append(i % 2 ? Rows { Tuple { i, text(i) } } : Rows { wide(3), Tuple { i } });
        lists.insert(0, Rows { Tuple { -1, text(-1) } });
        QCOMPARE(lists.first(), (QList<Tuple> { Tuple { -1, text(-1) } }));
        for (int i = 0; i < 100; ++i) {
            const Rows expected =
                i % 2 ? Rows { Tuple { i, text(i) } } : Rows { wide(3), Tuple { i } };
            QCOMPARE(lists.at(i + 1), expected);
        }
    }

    // Move-assigning rows that hold a heap block over rows that hold one
    // frees the target's block (QVarLengthArray's own operator leaked it in
    // Qt 6.4, when Rows was one).
    void moveAssigningRowsFreesTheOldRows()
    {
        Rows target { wide(3), wide(4), wide(5) };
        Rows source { Tuple { 1 }, Tuple { 2 }, Tuple { 3 } };
        target = std::move(source);
        QCOMPARE(target, (QList<Tuple> { Tuple { 1 }, Tuple { 2 }, Tuple { 3 } }));
        QVERIFY(source.isEmpty()); // NOLINT(bugprone-use-after-move): the state is specified
        target = Rows { Tuple { 4 } };
        QCOMPARE(target, (QList<Tuple> { Tuple { 4 } }));
    }
};

QTEST_GUILESS_MAIN(TstTuple)
#include "tst_tuple.moc"
