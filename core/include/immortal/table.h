#pragma once

#include <immortal/detail/tabledata.h>
#include <immortal/matchspec.h>
#include <immortal/rows.h>
#include <immortal/tableinfo.h>
#include <immortal/tableoptions.h>
#include <immortal/term.h>
#include <immortal/tuple.h>
#include <immortal/types.h>

#include <QList>
#include <QString>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>

namespace immortal {

/// A handle to an ETS-style table: cheap to copy, safe to keep after the
/// table is gone (every use then throws Error(NoSuchTable)).
///
/// The caller of every operation is Process::currentPid() (see ProcessScope):
/// - public    — any caller reads and writes
/// - protected — any caller reads (code outside any process too); the owner writes
/// - private   — only the owner reads or writes
///
/// Failed calls throw immortal::Error and change nothing; a caller the
/// access mode forbids gets AccessDenied. Multi-row writes
/// are atomic. Public tables may be used from many threads at once; reads
/// take a shared lock and do not serialise behind each other. The lock is
/// biased to the first thread that uses the table (see BiasedLock), which
/// then takes it without atomic read-modify-writes.
///
/// Ownership follows ets: the owner may giveAway() and setHeir(); when the
/// owner dies the table passes to its heir (an ETS-TRANSFER delivered to the
/// heir's Process::handleEtsTransfer and etsTransfer signal) or is deleted.
///
/// insert(), lookup() and member() are inline down to the hash probe
/// (TableData's set path): at 100k rows every call waits on a cache miss, and
/// the processor overlaps the misses of consecutive calls only when few
/// instructions separate them. GCC will not inline that deep on its own
/// (Boost's probe calls the key equality through TermEq), so the reads, the
/// equality and Rows' pair builders are always_inline.
class Table
{
public:
    Table() = default; ///< a null handle

    /// ets:new/2. The owner is the calling process; BadArg outside any process.
    /// With namedTable the table is also reachable by name (NameTaken if used).
    /// BadArg also for a key position below 1, a namedTable without a name or
    /// a negative heir grace period.
    static Table create(const QString &name, const TableOptions &options);
    /// The same, owned by `owner`; NoProc if it is not alive.
    static Table create(const QString &name, const TableOptions &options, Pid owner);
    /// Handles by id or by name (named tables); NoSuchTable if none is alive.
    static Table fromId(TableId id);
    static Table named(const QString &name); ///< the same, by name (named tables only)
    /// ets:whereis/1: the id of the named table called `name`, or
    /// std::nullopt (ets's undefined) if no live named table has it.
    static std::optional<TableId> whereis(const QString &name);
    /// \name Observers
    /// Query functions for observers (the GUI): snapshots of the live tables.
    /// Anyone may call them, whatever the access mode; they do not throw.
    ///@{

    static QList<TableInfo> all(); ///< every live table, by id
    static std::optional<TableInfo> infoOf(TableId id); ///< std::nullopt if none is alive
    static QList<TableId> ownedBy(Pid pid); ///< the tables `pid` owns now
    ///@}

    bool isNull() const noexcept { return !m_d; } ///< true for a default-constructed handle
    bool isAlive() const noexcept; ///< false once the table is gone, or for a null handle
    TableId id() const noexcept; ///< 0 for a null handle
    /// ets:info/1 (readable by anyone). O(1) whatever the row count: the
    /// table keeps its memory figure as rows are written and walks none here.
    TableInfo info() const;

    /// \name Writes
    /// The owner's, or any caller's for a public table. A row without an
    /// element at the key position is BadArg.
    ///@{

    /// ets:insert/2: a set or ordered_set replaces the row with that key, a bag
    /// adds it unless an equal row is there, a duplicate_bag adds it.
    void insert(const Tuple &row) { data().insertRow(row.constData(), row.size()); }
    /// t.insert({key, value}): the same, without building a Tuple.
    void insert(std::initializer_list<Term> row)
    {
        data().insertRow(row.begin(), qsizetype(row.size()));
    }
    void insert(const QList<Tuple> &rows); ///< all or nothing
    bool insertNew(const Tuple &row); ///< ets:insert_new/2: false if the key exists
    bool insertNew(const QList<Tuple> &rows); ///< false (and nothing inserted) if any key exists
    void erase(const Term &key); ///< ets:delete/2
    void eraseObject(const Tuple &row); ///< ets:delete_object/2
    void deleteAllObjects(); ///< ets:delete_all_objects/1
    void clear() { deleteAllObjects(); } ///< deleteAllObjects()
    qsizetype matchDelete(const Tuple &pattern); ///< ets:match_delete/2
    Rows take(const Term &key); ///< ets:take/2
    /// ets:update_counter/3 with {Pos, Incr}: adds incr to the integer at pos
    /// and returns the new value. BadArg for a bag, the key position, a
    /// missing key, no integer at pos, or (this qint64 form only) a result
    /// beyond 64 bits: the CounterUpdate forms return any integer, as ets does.
    qint64 updateCounter(const Term &key, int pos, qint64 incr);
    /// ets:update_counter/4: the same, inserting defaultRow first (with its
    /// key replaced by `key`) when the key is missing.
    qint64 updateCounter(const Term &key, int pos, qint64 incr, const Tuple &defaultRow);
    /// ets:update_counter/3 with {Pos, Incr} or {Pos, Incr, Threshold,
    /// SetValue}: the new value, an integer of any size.
    Term updateCounter(const Term &key, const CounterUpdate &op);
    /// ets:update_counter/4 with one update and a default row.
    Term updateCounter(const Term &key, const CounterUpdate &op, const Tuple &defaultRow);
    /// ets:update_counter/3 with a list of updates, made in order (a position
    /// may appear twice): the list of new values. All of them or none.
    QList<Term> updateCounter(const Term &key, const QList<CounterUpdate> &ops);
    /// ets:update_counter/4 with a list of updates and a default row.
    QList<Term> updateCounter(const Term &key, const QList<CounterUpdate> &ops,
                              const Tuple &defaultRow);
    /// ets:update_element/3: false if the key is missing; BadArg for the key position.
    /// BadArg also for a bag, or a position beyond the row.
    bool updateElement(const Term &key, int pos, const Term &value);
    /// ets:update_element/3 with a list: all the changes or none.
    bool updateElement(const Term &key, const QList<std::pair<int, Term>> &changes);
    ///@}

    /// \name Reads
    /// Any caller's, or only the owner's for a private table.
    ///@{

    /// ets:lookup/2. A {Key, Value} row comes back without an allocation or
    /// an atomic reference count (see Rows and Tuple).
    [[gnu::always_inline]] Rows lookup(const Term &key) const { return data().lookup(key); }
    /// The same rows, written into `into` (replacing what it held); returns
    /// how many. A loop that passes the same Rows back refills its pair in place.
    [[gnu::always_inline]] qsizetype lookup(const Term &key, Rows &into) const
    {
        return data().lookup(key, into);
    }
    /// ets:lookup_element/3: BadArg if no such key; for bags a list of values.
    /// BadArg also if a row has no element at pos.
    Term lookupElement(const Term &key, int pos) const;
    /// ets:lookup_element/4 (OTP 26): the same, but `defaultValue` when no
    /// row has the key. A row without an element at pos is still BadArg.
    Term lookupElement(const Term &key, int pos, const Term &defaultValue) const;
    /// ets:member/2: whether a row has this key.
    [[gnu::always_inline]] bool member(const Term &key) const { return data().member(key); }
    /// ets:first/1: the first key. Traversal; std::nullopt is '$end_of_table'.
    /// ordered_set walks in term order, other types in an unspecified but
    /// stable order between writes.
    std::optional<Term> first() const;
    /// ets:next/2. An ordered_set walks on from any key; other types only
    /// from a key they hold (BadArg otherwise).
    std::optional<Term> next(const Term &key) const;
    std::optional<Term> last() const; ///< ets:last/1; first() for unordered types
    std::optional<Term> prev(const Term &key) const; ///< ets:prev/2; next() for unordered types
    /// ets:match/2: for each matching row, its variables' bindings ($1 first).
    /// Patterns are tuples whose elements are values, the wildcard atom '_'
    /// or variables '$1', '$2', ... (the same variable must match equal values).
    QList<QList<Term>> match(const Tuple &pattern) const;
    QList<Tuple> matchObject(const Tuple &pattern) const; ///< ets:match_object/2
    /// The rows pred accepts (ets:select/2 with a function).
    /// select(), forEach() and fold() run on a snapshot, outside the lock: the
    /// callback may use the table. selectDelete() decides under the write lock
    /// (atomic; a throwing predicate deletes nothing), so its predicate must
    /// not touch the same table.
    QList<Tuple> select(const std::function<bool(const Tuple &)> &pred) const;
    /// Deletes the rows pred accepts and returns how many (a write; see select()).
    qsizetype selectDelete(const std::function<bool(const Tuple &)> &pred);
    /// ets:select/2: for every row the match specification accepts, the
    /// result of its body (see MatchSpec), in traversal order. A Term
    /// converts: an invalid specification is BadArg.
    QList<Term> select(const MatchSpec &spec) const;
    /// ets:select/3: at most `limit` results (limit >= 1, else BadArg), and a
    /// continuation for the rest; std::nullopt ('$end_of_table') if nothing matches.
    std::optional<SelectChunk> select(const MatchSpec &spec, qsizetype limit) const;
    /// ets:select/1: the next chunk; std::nullopt ('$end_of_table') when
    /// there is none. NoSuchTable if the table is gone.
    static std::optional<SelectChunk> select(const SelectContinuation &continuation);
    /// ets:select_reverse/2: select() walking an ordered_set backwards (the
    /// same as select() for other types).
    QList<Term> selectReverse(const MatchSpec &spec) const;
    /// ets:select_reverse/3: select(spec, limit), backwards on an ordered_set.
    std::optional<SelectChunk> selectReverse(const MatchSpec &spec, qsizetype limit) const;
    /// ets:select_reverse/1: the next chunk (the continuation knows its direction).
    static std::optional<SelectChunk> selectReverse(const SelectContinuation &continuation);
    /// ets:select_count/2: how many rows the specification's body maps to true.
    qsizetype selectCount(const MatchSpec &spec) const;
    /// ets:select_delete/2: deletes the rows whose body gives true; returns
    /// how many. A write, atomic.
    qsizetype selectDelete(const MatchSpec &spec);
    /// ets:select_replace/2: replaces each matched row with its body's
    /// result; returns how many. Every result must be a row with the same
    /// key (=:=), else BadArg and nothing changes. A write, atomic. BadArg
    /// for a bag, which OTP 25 does not support either (a duplicate_bag works).
    qsizetype selectReplace(const MatchSpec &spec);
    /// ets:foldl/3 (in traversal order).
    template<typename Acc, typename F>
    Acc fold(Acc acc, F f) const
    {
        forEach([&](const Tuple &row) { acc = f(row, std::move(acc)); });
        return acc;
    }
    /// ets:foldr/3: fold() from the other end (an ordered_set from its last
    /// key; other types in the reverse of their traversal order).
    template<typename Acc, typename F>
    Acc foldr(Acc acc, F f) const
    {
        const QList<Tuple> rows = toList();
        for (auto it = rows.crbegin(); it != rows.crend(); ++it)
            acc = f(*it, std::move(acc));
        return acc;
    }
    /// Calls fn for every row, in traversal order (on a snapshot; see select()).
    void forEach(const std::function<void(const Tuple &)> &fn) const;
    QList<Tuple> toList() const; ///< ets:tab2list/1
    qsizetype size() const; ///< the number of rows
    ///@}

    /// \name Ownership
    /// Ownership (owner only; NotOwner otherwise).
    ///@{

    /// ets:give_away/3: `to` must be alive and not the owner (BadArg otherwise).
    void giveAway(Pid to, const Term &gift);
    /// ets:setopts(T, {heir, ...}); BadArg for a negative grace period.
    void setHeir(const HeirSpec &heir);
    /// ets:delete/1: the owner, or anyone for a public table.
    void deleteTable();
    /// ets:setopts(T, {protection, Access}): OTP 25 accepts it though its
    /// documentation names only heir. Owner only.
    void setProtection(TableOptions::Access access);
    /// ets:rename/2: the owner, or anyone for a public table (NotOwner
    /// otherwise). A named table's new name must be free, its own included
    /// (BadArg otherwise); an unnamed table only changes what info() shows.
    void rename(const QString &name);
    ///@}

    /// Whether both handles name the same table.
    bool operator==(const Table &o) const noexcept { return m_d == o.m_d; }

private:
    friend class TableStore;
    TableData &data() const // throws NoSuchTable for a null handle
    {
        if (!m_d) [[unlikely]]
            nullHandle();
        return *m_d;
    }
    [[noreturn]] static void nullHandle();
    explicit Table(std::shared_ptr<TableData> d)
        : m_d(std::move(d))
    { }
    std::shared_ptr<TableData> m_d;
};

} // namespace immortal
