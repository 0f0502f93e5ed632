#pragma once

#include <immortal/counterupdate.h>
#include <immortal/detail/biasedlock.h>
#include <immortal/matchspec.h>
#include <immortal/rows.h>
#include <immortal/tableoptions.h>
#include <immortal/term.h>
#include <immortal/tuple.h>
#include <immortal/types.h>

#include <QList>
#include <QMutex>
#include <QString>

#include <absl/container/btree_map.h>
#include <absl/container/inlined_vector.h>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <utility>
#include <vector>

namespace immortal {

// Internal: one table's rows, its lock and its access rules. Table is the
// public handle; TableStore owns the ownership state (owner, heir, orphan)
// and changes it under its own mutex.
//
// Every operation takes the table's lock (shared for reads, exclusive for
// writes), then checks that the table is alive and that the caller
// (ProcessScope::current()) may do it, then validates all its arguments,
// and only then changes anything.
class TableData : public std::enable_shared_from_this<TableData>
{
public:
    TableData(TableId id, const QString &name, const TableOptions &options, Pid owner);
    TableData(const TableData &) = delete;
    TableData &operator=(const TableData &) = delete;

    TableId id() const noexcept { return m_id; }
    // A copy: rename() may change it at any time (under m_nameMutex).
    QString name() const
    {
        QMutexLocker lock(&m_nameMutex);
        return m_name;
    }
    const TableOptions &options() const noexcept { return m_options; }
    // "table 12 (cache)", for messages.
    QString describe() const;

    bool isAlive() const noexcept { return m_alive.load(std::memory_order_acquire); }
    qsizetype rowCount() const noexcept { return m_size.load(std::memory_order_relaxed); }
    // Bytes used by rows and index (takes the shared lock; no access check).
    // O(1): every write keeps m_heapBytes, the rows' heap bytes, up to date
    // under the write lock, and the containers' own arrays are computed from
    // their size and capacity. Equal to memoryByWalk() at all times.
    size_t memory() const;
    // The same number by walking every row, O(rows): what memory() was
    // before it kept count. For tests, which check that the two agree.
    size_t memoryByWalk() const;

    // Writes.
    // Rows as a pointer range, so one row needs no list around it.
    void insert(const Tuple *rows, qsizetype count);
    // One row given as its elements: a set stores a pair without building a row.
    //
    // insertRow(), lookup(key, into) and member() are inline, down to the hash
    // probe, for a live set that any caller may use (m_fast says so in one
    // load): at 100k rows each call waits on a cache miss, and the processor
    // overlaps the misses of consecutive calls only when few instructions
    // separate them. Every other case takes the general path (*Slow), which
    // checks in the order above and throws what it finds.
    [[gnu::flatten]] void insertRow(const Term *elems, qsizetype n)
    {
        if (!insertIntoSet(elems, n)) [[unlikely]]
            return insertRowSlow(elems, n);
        written();
    }
    bool insertNew(const Tuple *rows, qsizetype count);
    void erase(const Term &key);
    void eraseObject(const Tuple &row);
    void deleteAllObjects();
    qsizetype matchDelete(const Tuple &pattern);
    Rows take(const Term &key);
    // The updates' results; smallResults: BadArg (nothing changed) when one
    // is beyond 64 bits, for the qint64 forms.
    QList<Term> updateCounter(const Term &key, const CounterUpdate *ops, qsizetype count,
                              const Tuple *defaultRow, bool smallResults);
    bool updateElement(const Term &key, const QList<std::pair<int, Term>> &changes);
    qsizetype selectDelete(const std::function<bool(const Tuple &)> &pred);
    qsizetype selectDelete(const MatchSpec &spec);
    qsizetype selectReplace(const MatchSpec &spec);

    // Reads.
    // lookup() and member() are inlined into their callers, not only down
    // to the probe: a call's prologue and epilogue were 20 instructions of
    // about 150. lookup(key) tells lookupInto() at compile time that its
    // Rows is new, so the pair is built without looking at what was there
    // (the Rows' address escapes into the slow path, so the compiler cannot
    // see that for itself). The row gets the stored key, as in ets: an
    // equal key need not be the same value (0.0 and -0.0).
    [[gnu::flatten, gnu::always_inline]] Rows lookup(const Term &key) const
    {
        Rows rows;
        lookupInto<Fresh::Yes>(key, rows);
        return rows;
    }
    [[gnu::flatten, gnu::always_inline]] qsizetype lookup(const Term &key, Rows &into) const
    {
        return lookupInto<Fresh::No>(key, into);
    }
    // ets:lookup_element/3, or /4 with a default for a missing key.
    Term lookupElement(const Term &key, int pos, const Term *defaultValue) const;
    [[gnu::flatten, gnu::always_inline]] bool member(const Term &key) const
    {
        {
            BiasedLock::ReadLocker lock(m_lock);
            if (m_fast & kFastRead) [[likely]]
                return m_set.contains(key);
        }
        return memberSlow(key);
    }
    std::optional<Term> first() const;
    std::optional<Term> next(const Term &key) const;
    std::optional<Term> last() const;
    std::optional<Term> prev(const Term &key) const;
    QList<QList<Term>> match(const Tuple &pattern) const;
    QList<Tuple> matchObject(const Tuple &pattern) const;
    QList<Tuple> toList() const;
    qsizetype size() const;
    // ets:select/2 and select_reverse/2 (reverse matters for ordered_set only).
    QList<Term> select(const MatchSpec &spec, bool reverse) const;
    // ets:select/3 and select_reverse/3; std::nullopt is '$end_of_table'.
    std::optional<SelectChunk> select(const MatchSpec &spec, qsizetype limit, bool reverse) const;
    // ets:select/1.
    static std::optional<SelectChunk> select(const SelectContinuation &from);
    qsizetype selectCount(const MatchSpec &spec) const;
    void checkAlive() const // NoSuchTable
    {
        if (!isAlive()) [[unlikely]]
            notAlive();
    }

private:
    friend class TableStore;

    struct TermLess
    {
        bool operator()(const Term &a, const Term &b) const noexcept
        {
            return Term::compare(a, b) < 0;
        }
    };
    using BagRows = absl::InlinedVector<Tuple, 1>;
    // A set row as stored beside its key. A two-element row, the common
    // {Key, Value}, keeps its other element inline: a lookup then reads one
    // 32-byte slot and no row block (one cache miss fewer). Any other row
    // (or a pair whose other element is a tuple) keeps the whole row as a
    // tuple term, so copying it out is a reference bump; other.isTuple()
    // tells the two apart without a flag, keeping the slot at 32 bytes.
    struct SetRow
    {
        Term other;
    };
    // A set's slot: the key, and its row packed beside it. Aligned to 32 so
    // a slot never straddles two cache lines and a lookup that misses the
    // cache reads key and row with one miss. A map's pair<const Term, SetRow>
    // is only 8-aligned: whenever the slot array landed 16 bytes off a line,
    // half the slots straddled two, and a lookup that missed read both.
    struct alignas(32) SetSlot
    {
        // emplace(key, row) needs a constructor: clang before 16 has no
        // parenthesised aggregate initialisation (P0960).
        SetSlot(const Term &k, SetRow r) noexcept
            : key(k)
            , row(std::move(r))
        { }
        Term key;
        mutable SetRow row; // not part of the set's key: hashing and equality read `key` only
    };
    // Hash and equality of keys, for the bags' map and for the set's slots,
    // which are found by their key alone (heterogeneous lookup).
    struct TermHash
    {
        using is_transparent = void;
        using is_avalanching = void; // Term::hash() is mixed already: Boost mixes no more
        size_t operator()(const Term &t) const noexcept { return t.hash(); }
        size_t operator()(const SetSlot &s) const noexcept { return s.key.hash(); }
    };
    struct TermEq
    {
        using is_transparent = void;
        static const Term &keyOf(const Term &t) noexcept { return t; }
        static const Term &keyOf(const SetSlot &s) noexcept { return s.key; }
        template<typename A, typename B>
        [[gnu::always_inline]] bool operator()(const A &a, const B &b) const noexcept
        {
            return keyOf(a) == keyOf(b);
        }
    };
    using SetSlots = boost::unordered_flat_set<SetSlot, TermHash, TermEq>;
    using OrderedMap = absl::btree_map<Term, Tuple, TermLess>;
    using BagMap = boost::unordered_flat_map<Term, BagRows, TermHash, TermEq>;

    // Called by TableStore (under the store mutex) when the table is deleted.
    void markDeleted();
    // Called by TableStore (under the store mutex): ets:rename/2, ets:setopts/2's protection.
    void setName(const QString &name);
    void setAccess(TableOptions::Access access);

    // Inline: every operation asks, and public tables answer at once.
    void checkRead() const
    {
        if (m_options.access == TableOptions::Access::Private) [[unlikely]]
            checkOwnerReads();
    }
    void checkWrite() const
    {
        if (m_options.access != TableOptions::Access::Public) [[unlikely]]
            checkOwnerWrites();
    }
    void checkOwnerReads() const;
    void checkOwnerWrites() const;
    [[noreturn]] void notAlive() const;
    [[noreturn]] void denied(const char *what) const;
    const Term &keyOf(const Tuple &row) const; // BadArg if too short
    const Term &keyOf(const Term *elems, qsizetype n) const
    {
        if (n <= m_keyIndex) [[unlikely]]
            noKey(elems, n);
        return elems[m_keyIndex];
    }
    [[noreturn]] void noKey(const Term *elems, qsizetype n) const;
    void checkPos(int pos, const char *what) const;
    void insertLocked(const Tuple &row);
    Tuple *openRowLocked(const Term &key, Tuple &scratch, SetSlots::iterator &setIt,
                         size_t &heapBefore);
    void closeRowLocked(const Tuple &row, SetSlots::iterator setIt, size_t heapBefore);
    // Memory accounting (see memory()). A term's heap bytes are what
    // Term::memory() adds beyond the Term: only strings, binaries, tuples,
    // lists and big integers have a payload, the types from String on (as
    // Term's copies test);
    // a payload is immutable, so a term's heap bytes never change.
    static bool hasHeap(const Term &a, const Term &b) noexcept
    {
        return a.type() >= Term::Type::String || b.type() >= Term::Type::String;
    }
    static size_t heapOf(const Term &t) noexcept { return t.memory() - sizeof(Term); }
    static size_t heapOf(const Tuple &row) noexcept { return row.memory() - sizeof(Tuple); }
    // A bag key's vector: beyond the first, its rows are on the heap.
    static size_t vectorBytes(const BagRows &rows) noexcept
    {
        return rows.capacity() > 1 ? rows.capacity() * sizeof(Tuple) : 0;
    }
    // A set row's heap bytes, and an ordered_set row's.
    static size_t slotHeap(const Term &key, const Term &other) noexcept
    {
        return heapOf(key) + heapOf(other);
    }
    static size_t entryHeap(const Term &key, const Tuple &row) noexcept
    {
        return heapOf(key) + heapOf(row);
    }
    // A bag key's entry: its key, its vector and all its rows.
    static size_t entryHeap(const Term &key, const BagRows &rows) noexcept;
    // The key a walk reports for a bag's key: its last row's, as ets does
    // when the rows hold keys that are equal but written apart (0.0, -0.0).
    Term bagKey(const BagMap::value_type &entry) const
    {
        return entry.second.back().at(m_keyIndex);
    }
    // The value of a set row kept as a pair (two elements, the other not a
    // tuple), or nullptr for a row kept whole (see SetRow).
    const Term *pairValue(const Term *elems, qsizetype n) const
    {
        return n == 2 && !elems[1 - m_keyIndex].isTuple() ? elems + (1 - m_keyIndex) : nullptr;
    }
    SetRow packRow(const Tuple &row) const;
    SetRow packRowSlow(const Term *elems, qsizetype n) const; // a row kept whole
    Tuple unpackRow(const Term &key, const SetRow &r) const;
    // A set row into `into`; a pair without allocating (see Rows::setPair).
    // Fresh::Yes: `into` was just made and is empty.
    enum class Fresh { No, Yes };
    void copyRow(const Term &key, const SetRow &r, Rows &into, Fresh fresh = Fresh::No) const
    {
        if (r.other.isTuple()) [[unlikely]]
            return copyRowSlow(key, r, into);
        // Constant offsets for the usual key position 1.
        const bool keyFirst = m_keyIndex == 0;
        if (fresh == Fresh::Yes) {
            if (keyFirst) [[likely]]
                into.initPair(key, r.other);
            else
                into.initPair(r.other, key);
        } else if (keyFirst) [[likely]] {
            into.setPair(key, r.other);
        } else {
            into.setPair(r.other, key);
        }
    }
    template<Fresh fresh>
    [[gnu::always_inline]] qsizetype lookupInto(const Term &key, Rows &into) const
    {
        {
            BiasedLock::ReadLocker lock(m_lock);
            if (m_fast & kFastRead) [[likely]] {
                const auto it = m_set.find(key);
                if (it == m_set.end()) {
                    if constexpr (fresh == Fresh::No)
                        into.clear();
                    return 0;
                }
                // The stored key, not the caller's: equal keys may differ
                // (0.0 and -0.0), and ets returns the row it holds.
                copyRow(it->key, it->row, into, fresh);
                return 1;
            }
        }
        return lookupSlow(key, into);
    }
    void copyRowSlow(const Term &key, const SetRow &r, Rows &into) const;
    // insertRow's inline half: false (and nothing done) when the general path must run.
    bool insertIntoSet(const Term *elems, qsizetype n)
    {
        BiasedLock::WriteLocker lock(m_lock);
        if (!(m_fast & kFastWrite)) [[unlikely]]
            return false;
        storeRowLocked(keyOf(elems, n), elems, n);
        return true;
    }
    // A set row given as its elements. A pair, the usual row, has its value
    // assigned straight into the slot: no SetRow is built, moved and
    // destroyed on the way.
    [[gnu::always_inline]] void storeRowLocked(const Term &key, const Term *elems, qsizetype n)
    {
        if (const Term *value = pairValue(elems, n)) [[likely]]
            setRowLocked(key, *value);
        else
            setRowLocked(key, packRowSlow(elems, n).other);
    }
    // insert_or_assign for the set's slots: the key's row becomes `other`
    // (a SetRow's). Overwriting is inline; a new key (a slot built, perhaps
    // a rehash) is a call, probing again lines the first probe brought in.
    //
    // Overwriting tests what Term's assignment tests (does either side hold
    // a payload?) and takes the call that keeps m_heapBytes only when one
    // does: integer, float and atom rows pass, and the compiler drops the
    // assignment's own test. Two compares, not Term's std::max: that became
    // a cmov and register moves, 6 instructions more per insert (callgrind).
    //
    // Only integer keys stay inline. Other keys can be equal without being
    // identical (0.0 and -0.0, which OTP 25 calls =:=, or tuples holding
    // them), and ets keeps the key of the newest row: setRowSlowLocked()
    // stores it. The test costs nothing: hashing tests the same type, and
    // the compiler folds the two.
    [[gnu::always_inline]] void setRowLocked(const Term &key, const Term &other)
    {
        if (key.type() != Term::Type::Integer) [[unlikely]]
            return setRowSlowLocked(key, other);
        if (const auto it = m_set.find(key); it != m_set.end()) [[likely]] {
            if (hasHeap(it->row.other, other)) [[unlikely]]
                return replaceRowLocked(*it, other);
            it->row.other = other;
        } else {
            addRowLocked(key, other);
        }
    }
    // setRowLocked() for a key that is not an integer: the slot takes the
    // key as given too (see setRowLocked()).
    [[gnu::noinline]] void setRowSlowLocked(const Term &key, const Term &other);
    // A new key's slot; the table's size and m_heapBytes follow.
    [[gnu::noinline]] void addRowLocked(const Term &key, const Term &other);
    // An existing slot's row, when the old or the new one has heap bytes.
    [[gnu::noinline]] void replaceRowLocked(const SetSlot &slot, const Term &other);
    // A key leaves with its row; its bytes leave m_heapBytes.
    void eraseLocked(SetSlots::iterator it);
    OrderedMap::iterator eraseLocked(OrderedMap::iterator it);
    void insertRowSlow(const Term *elems, qsizetype n);
    qsizetype lookupSlow(const Term &key, Rows &into) const;
    bool memberSlow(const Term &key) const;
    bool rowEquals(const Term &key, const SetRow &r, const Tuple &row) const;
    bool containsLocked(const Term &key) const;
    template<typename F>
    void forEachLocked(F &&f) const;
    // An ordered_set's rows from after `after` (all if null) in term order,
    // or backwards; f returns false to stop.
    template<typename F>
    void forEachOrderedLocked(const Term *after, bool reverse, F &&f) const;
    // A chunk of an ordered_set select, going on after `after`.
    std::optional<SelectChunk> selectOrderedChunk(const MatchSpec &spec, qsizetype limit,
                                                  bool reverse, const Term *after) const;
    void forEachCandidateLocked(const Term *key,
                                const std::function<void(const Tuple &)> &visit) const;
    qsizetype countLocked() const noexcept;
    // Removes the rows marked (in forEachLocked order); returns how many.
    qsizetype removeMarkedLocked(const std::vector<char> &marks);
    // Every row gone: frees a hash table's slot array, which erasing keeps
    // at its largest, so info().memory is the empty table's again (as ets).
    void releaseIfEmptyLocked();
    void setSize(qsizetype n) noexcept { m_size.store(n, std::memory_order_relaxed); }
    // After a write that changed rows: one coalesced TableWritten event. The
    // hot path is one relaxed load; only the write that flips the flag queues.
    void written()
    {
        if (!m_writePending.load(std::memory_order_relaxed)) [[unlikely]]
            announceWrite();
    }
    void announceWrite();

    const TableId m_id;
    mutable QMutex m_nameMutex;
    QString m_name; // m_nameMutex; TableStore renames under its own mutex too
    // The heir inside is unused: TableStore keeps it. Only access changes
    // (setProtection), under TableStore's mutex and the write lock.
    TableOptions m_options;
    const int m_keyIndex; // keyPos - 1
    const bool m_hashed; // set, bag or duplicate_bag

    // Ownership: written by TableStore under its mutex; read here lock-free.
    std::atomic<Pid> m_owner;
    HeirSpec m_heir; // TableStore's mutex
    Pid m_lastOwner = 0; // TableStore's mutex
    int m_transfers = 0; // TableStore's mutex
    bool m_orphaned = false; // TableStore's mutex
    quint64 m_orphanGeneration = 0; // TableStore's mutex

    mutable BiasedLock m_lock;
    // Which inline paths apply: a live set that any caller may read
    // (kFastRead) or write (kFastWrite). Cleared, under the lock, on deletion.
    enum : quint8 { kFastRead = 1, kFastWrite = 2 };
    quint8 m_fast = 0; // under m_lock, as the rows
    std::atomic<bool> m_alive { true };
    std::atomic<qsizetype> m_size { 0 };
    std::atomic<bool> m_writePending { false };
    SetSlots m_set;
    OrderedMap m_ordered;
    BagMap m_bag;
    qsizetype m_bagRows = 0; // rows in m_bag (under m_lock)
    // The rows' heap bytes (under m_lock), as memoryByWalk() adds them: for
    // each row what its terms' payloads and a long row's element block take,
    // each key's payload once, and a bag key's vector beyond its first row.
    // Every write that adds, replaces or removes a row changes it by that
    // row's share; memory() adds the containers' arrays.
    size_t m_heapBytes = 0;
};

} // namespace immortal
