#include <immortal/detail/tabledata.h>

#include "matchpattern.h"
#include "postedcall.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/processscope.h>
#include <immortal/trace.h>

#include <mutex>
#include <vector>

namespace immortal {

namespace {

using Code = Error::Code;

// A Boost flat table's arrays: its slots, and 16 bytes of metadata for
// every group of 15.
template<typename FlatTable>
size_t flatTableBytes(const FlatTable &t)
{
    const size_t buckets = t.bucket_count();
    return buckets * sizeof(typename FlatTable::value_type) + (buckets + 14) / 15 * 16;
}

QString callerText(Pid caller)
{
    return caller ? QStringLiteral("pid %1").arg(caller)
                  : QStringLiteral("code outside any process");
}

} // namespace

TableData::TableData(TableId id, const QString &name, const TableOptions &options, Pid owner)
    : m_id(id)
    , m_name(name)
    , m_options(options)
    , m_keyIndex(options.keyPos - 1)
    , m_hashed(options.type != TableOptions::Type::OrderedSet)
    , m_owner(owner)
    , m_heir(options.heir)
{
    using Access = TableOptions::Access;
    if (options.type == TableOptions::Type::Set)
        m_fast = (options.access != Access::Private ? kFastRead : 0)
            | (options.access == Access::Public ? kFastWrite : 0);
}

QString TableData::describe() const
{
    const QString n = name();
    return n.isEmpty() ? QStringLiteral("table %1").arg(m_id)
                       : QStringLiteral("table %1 (%2)").arg(m_id).arg(n);
}

void TableData::setName(const QString &name)
{
    QMutexLocker lock(&m_nameMutex);
    m_name = name;
}

void TableData::setAccess(TableOptions::Access access)
{
    using Access = TableOptions::Access;
    BiasedLock::WriteLocker lock(m_lock);
    m_options.access = access;
    if (m_options.type == TableOptions::Type::Set && isAlive())
        m_fast = (access != Access::Private ? kFastRead : 0)
            | (access == Access::Public ? kFastWrite : 0);
}

void TableData::notAlive() const
{
    throw Error(Code::NoSuchTable,
                QStringLiteral("%1 no longer exists: it was deleted, or its owner died "
                               "without a live heir")
                    .arg(describe()));
}

void TableData::denied(const char *what) const
{
    const Pid caller = ProcessScope::current();
    const Pid owner = m_owner.load(std::memory_order_acquire);
    const QString ownerText = owner ? QStringLiteral("its owner (pid %1)").arg(owner)
                                    : QStringLiteral("its owner (none while it is orphaned)");
    throw Error(Code::AccessDenied,
                QStringLiteral("%1 is %2: only %3 may %4 it, not %5")
                    .arg(describe(), QLatin1String(TableOptions::accessName(m_options.access)),
                         ownerText, QLatin1String(what), callerText(caller)));
}

void TableData::checkOwnerReads() const
{
    const Pid caller = ProcessScope::current();
    if (caller == 0 || caller != m_owner.load(std::memory_order_acquire))
        denied("read");
}

void TableData::checkOwnerWrites() const
{
    const Pid caller = ProcessScope::current();
    if (caller == 0 || caller != m_owner.load(std::memory_order_acquire))
        denied("write to");
}

const Term &TableData::keyOf(const Tuple &row) const
{
    return keyOf(row.constData(), row.size());
}

void TableData::noKey(const Term *elems, qsizetype n) const
{
    throw Error(Code::BadArg,
                QStringLiteral("the row %1 has no element at the key position %2 of %3")
                    .arg(Term::tuple(Tuple(elems, elems + n)).format())
                    .arg(m_options.keyPos)
                    .arg(describe()));
}

void TableData::checkPos(int pos, const char *what) const
{
    if (pos < 1)
        throw Error(Code::BadArg,
                    QStringLiteral("%1: position %2 is invalid (positions start at 1)")
                        .arg(QLatin1String(what))
                        .arg(pos));
}

template<typename F>
void TableData::forEachLocked(F &&f) const
{
    switch (m_options.type) {
    case TableOptions::Type::Set:
        for (const auto &[key, row] : m_set)
            f(unpackRow(key, row));
        break;
    case TableOptions::Type::OrderedSet:
        for (const auto &[key, row] : m_ordered)
            f(row);
        break;
    default:
        for (const auto &[key, rows] : m_bag) {
            for (const Tuple &row : rows)
                f(row);
        }
        break;
    }
}

void TableData::addRowLocked(const Term &key, const Term &other)
{
    // Built with braces: clang before 16 cannot build an aggregate from parentheses.
    m_set.emplace(SetSlot { key, SetRow { other } });
    if (hasHeap(key, other)) [[unlikely]]
        m_heapBytes += slotHeap(key, other); // the slot's key shares key's payload
    setSize(qsizetype(m_set.size()));
}

void TableData::setRowSlowLocked(const Term &key, const Term &other)
{
    const auto it = m_set.find(key);
    if (it == m_set.end())
        return addRowLocked(key, other);
    // The slot's key changes to an equal one: its hash and place stay. Only
    // floats, and tuples and lists that may hold them, can be equal without
    // being the same value; other keys keep the one stored.
    const size_t before = slotHeap(it->key, it->row.other);
    const Term::Type type = key.type();
    if (type == Term::Type::Float || type == Term::Type::Tuple || type == Term::Type::List)
        const_cast<Term &>(it->key) = key;
    it->row.other = other;
    m_heapBytes += slotHeap(it->key, it->row.other) - before;
}

void TableData::replaceRowLocked(const SetSlot &slot, const Term &other)
{
    const size_t before = heapOf(slot.row.other);
    slot.row.other = other;
    m_heapBytes += heapOf(slot.row.other) - before;
}

void TableData::eraseLocked(SetSlots::iterator it)
{
    m_heapBytes -= slotHeap(it->key, it->row.other);
    m_set.erase(it);
}

TableData::OrderedMap::iterator TableData::eraseLocked(OrderedMap::iterator it)
{
    m_heapBytes -= entryHeap(it->first, it->second);
    return m_ordered.erase(it);
}

size_t TableData::entryHeap(const Term &key, const BagRows &rows) noexcept
{
    size_t total = heapOf(key) + vectorBytes(rows);
    for (const Tuple &row : rows)
        total += heapOf(row);
    return total;
}

bool TableData::containsLocked(const Term &key) const
{
    switch (m_options.type) {
    case TableOptions::Type::Set:
        return m_set.contains(key);
    case TableOptions::Type::OrderedSet:
        return m_ordered.contains(key);
    default:
        return m_bag.contains(key);
    }
}

TableData::SetRow TableData::packRow(const Tuple &row) const
{
    if (const Term *value = pairValue(row.constData(), row.size()))
        return { *value };
    return { Term::tuple(row) };
}

TableData::SetRow TableData::packRowSlow(const Term *elems, qsizetype n) const
{
    static_assert(sizeof(SetSlot) == 32 && alignof(SetSlot) == 32,
                  "a set slot is half a cache line and never straddles two");
    return { Term::tuple(Tuple(elems, elems + n)) };
}

Tuple TableData::unpackRow(const Term &key, const SetRow &r) const
{
    if (r.other.isTuple())
        return r.other.toTuple();
    Tuple row(2);
    row[m_keyIndex] = key;
    row[1 - m_keyIndex] = r.other;
    return row;
}

bool TableData::rowEquals(const Term &key, const SetRow &r, const Tuple &row) const
{
    if (r.other.isTuple())
        return r.other.toTuple() == row;
    return row.size() == 2 && row.at(m_keyIndex) == key && row.at(1 - m_keyIndex) == r.other;
}

void TableData::insertLocked(const Tuple &row)
{
    const Term &key = row.at(m_keyIndex);
    switch (m_options.type) {
    case TableOptions::Type::Set:
        storeRowLocked(key, row.constData(), row.size());
        break;
    case TableOptions::Type::OrderedSet: {
        // insert_or_assign, with the replaced row's bytes known.
        auto it = m_ordered.lower_bound(key);
        if (it != m_ordered.end() && !TermLess()(key, it->first)) {
            const size_t before = heapOf(it->second);
            it->second = row;
            m_heapBytes += heapOf(it->second) - before;
        } else {
            it = m_ordered.emplace_hint(it, key, row);
            m_heapBytes += entryHeap(it->first, it->second);
        }
        break;
    }
    case TableOptions::Type::Bag:
    case TableOptions::Type::DuplicateBag: {
        const auto [it, added] = m_bag.try_emplace(key);
        BagRows &rows = it->second;
        if (added) {
            m_heapBytes += heapOf(it->first);
        } else if (m_options.type == TableOptions::Type::Bag) {
            // A bag holds one copy of each distinct object.
            for (const Tuple &r : rows) {
                if (r == row)
                    return;
            }
        }
        const size_t vectorBefore = vectorBytes(rows);
        rows.push_back(row);
        m_heapBytes += vectorBytes(rows) - vectorBefore + heapOf(rows.back());
        ++m_bagRows;
        break;
    }
    }
}

qsizetype TableData::countLocked() const noexcept
{
    switch (m_options.type) {
    case TableOptions::Type::Set:
        return qsizetype(m_set.size());
    case TableOptions::Type::OrderedSet:
        return qsizetype(m_ordered.size());
    default:
        return m_bagRows;
    }
}

qsizetype TableData::removeMarkedLocked(const std::vector<char> &marks)
{
    // marks are in forEachLocked() order, which erasing behind us keeps.
    size_t i = 0;
    qsizetype removed = 0;
    switch (m_options.type) {
    case TableOptions::Type::Set:
        for (auto it = m_set.begin(); it != m_set.end();) {
            if (marks[i++]) {
                eraseLocked(it++);
                ++removed;
            } else {
                ++it;
            }
        }
        break;
    case TableOptions::Type::OrderedSet:
        for (auto it = m_ordered.begin(); it != m_ordered.end();) {
            if (marks[i++]) {
                it = eraseLocked(it);
                ++removed;
            } else {
                ++it;
            }
        }
        break;
    default:
        for (auto it = m_bag.begin(); it != m_bag.end();) {
            BagRows &rows = it->second;
            const size_t vectorBefore = vectorBytes(rows);
            BagRows kept;
            for (Tuple &row : rows) {
                if (marks[i++]) {
                    m_heapBytes -= heapOf(row);
                    ++removed;
                } else {
                    kept.push_back(std::move(row));
                }
            }
            if (kept.empty()) {
                m_heapBytes -= vectorBefore + heapOf(it->first);
                m_bag.erase(it++);
            } else {
                rows = std::move(kept);
                m_heapBytes += vectorBytes(rows) - vectorBefore;
                ++it;
            }
        }
        m_bagRows -= removed;
        break;
    }
    return removed;
}

void TableData::releaseIfEmptyLocked()
{
    if (countLocked() != 0)
        return;
    // clear() and erase() keep the array: swap in an empty one instead.
    if (m_set.bucket_count() > 0)
        SetSlots().swap(m_set);
    if (m_bag.bucket_count() > 0)
        BagMap().swap(m_bag);
}

void TableData::announceWrite()
{
    // Only the write that flips the flag queues an event, which the trace's
    // thread records with the size then.
    if (m_writePending.exchange(true, std::memory_order_acq_rel))
        return;
    std::weak_ptr<TableData> weak = weak_from_this();
    // To the node, in the trace's thread (the trace is the node's).
    PostedCall::post(Node::instance(), [weak] {
        const std::shared_ptr<TableData> d = weak.lock();
        if (!d)
            return;
        d->m_writePending.store(false, std::memory_order_release);
        if (!d->isAlive())
            return;
        TraceEvent e;
        e.type = TraceEvent::Type::TableWritten;
        e.table = d->m_id;
        e.tableName = d->name();
        e.size = d->rowCount();
        Trace::instance()->record(e);
    });
}

void TableData::markDeleted()
{
    BiasedLock::WriteLocker lock(m_lock);
    m_fast = 0;
    m_alive.store(false, std::memory_order_release);
    // Free the rows now: handles may outlive the table for a long time.
    SetSlots().swap(m_set);
    OrderedMap().swap(m_ordered);
    BagMap().swap(m_bag);
    m_bagRows = 0;
    m_heapBytes = 0;
    setSize(0);
}

// O(1): m_heapBytes holds what memoryByWalk() adds up row by row; the
// containers' arrays follow from their size and capacity.
size_t TableData::memory() const
{
    BiasedLock::ReadLocker lock(m_lock);
    size_t total = sizeof(TableData) + m_heapBytes;
    switch (m_options.type) {
    case TableOptions::Type::Set:
        return total + flatTableBytes(m_set);
    case TableOptions::Type::OrderedSet:
        // btree nodes are about 3/4 full on average.
        return total + m_ordered.size() * sizeof(OrderedMap::value_type) * 4 / 3;
    default: // bag vectors are in m_heapBytes
        return total + flatTableBytes(m_bag);
    }
}

// What memory() was before the rows' heap bytes were kept (m_heapBytes):
// the same formula, every row walked. memory() must always equal it.
size_t TableData::memoryByWalk() const
{
    BiasedLock::ReadLocker lock(m_lock);
    size_t total = sizeof(TableData);
    switch (m_options.type) {
    case TableOptions::Type::Set:
        total += flatTableBytes(m_set);
        // Rows live in the slots; only heap payloads add to them.
        for (const auto &[key, row] : m_set)
            total += key.memory() + row.other.memory() - 2 * sizeof(Term);
        return total;
    case TableOptions::Type::OrderedSet:
        // btree nodes are about 3/4 full on average.
        total += m_ordered.size() * sizeof(OrderedMap::value_type) * 4 / 3;
        for (const auto &[key, row] : m_ordered)
            total += key.memory() - sizeof(Term) + row.memory() - sizeof(Tuple);
        return total;
    default:
        total += flatTableBytes(m_bag);
        for (const auto &[key, rows] : m_bag) {
            total += key.memory() - sizeof(Term);
            if (rows.capacity() > 1) // beyond the first, rows are on the heap
                total += rows.capacity() * sizeof(Tuple);
            for (const Tuple &row : rows)
                total += row.memory() - sizeof(Tuple);
        }
        return total;
    }
}

// ---------------------------------------------------------------------------
// Writes

void TableData::insert(const Tuple *rows, qsizetype count)
{
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        for (qsizetype i = 0; i < count; ++i)
            keyOf(rows[i]); // all rows valid before the first goes in
        for (qsizetype i = 0; i < count; ++i)
            insertLocked(rows[i]);
        setSize(countLocked());
    }
    if (count)
        written();
}

void TableData::insertRowSlow(const Term *elems, qsizetype n)
{
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        const Term &key = keyOf(elems, n);
        if (m_options.type == TableOptions::Type::Set) {
            storeRowLocked(key, elems, n); // a new key updates the size
        } else {
            insertLocked(Tuple(elems, elems + n));
            setSize(countLocked());
        }
    }
    written();
}

bool TableData::insertNew(const Tuple *rows, qsizetype count)
{
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        // As in ets, every row is checked before any key is: a row without a
        // key is BadArg even when another row's key exists.
        for (qsizetype i = 0; i < count; ++i)
            keyOf(rows[i]);
        for (qsizetype i = 0; i < count; ++i) {
            if (containsLocked(keyOf(rows[i])))
                return false;
        }
        for (qsizetype i = 0; i < count; ++i)
            insertLocked(rows[i]);
        setSize(countLocked());
    }
    if (count)
        written();
    return true;
}

void TableData::erase(const Term &key)
{
    bool changed = false;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        switch (m_options.type) {
        case TableOptions::Type::Set:
            if (auto it = m_set.find(key); it != m_set.end()) {
                eraseLocked(it);
                changed = true;
            }
            break;
        case TableOptions::Type::OrderedSet:
            if (auto it = m_ordered.find(key); it != m_ordered.end()) {
                eraseLocked(it);
                changed = true;
            }
            break;
        default:
            if (auto it = m_bag.find(key); it != m_bag.end()) {
                m_bagRows -= qsizetype(it->second.size());
                m_heapBytes -= entryHeap(it->first, it->second);
                m_bag.erase(it);
                changed = true;
            }
            break;
        }
        releaseIfEmptyLocked();
        setSize(countLocked());
    }
    if (changed)
        written();
}

void TableData::eraseObject(const Tuple &row)
{
    bool changed = false;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        const Term &key = keyOf(row);
        switch (m_options.type) {
        case TableOptions::Type::Set:
            if (auto it = m_set.find(key); it != m_set.end() && rowEquals(it->key, it->row, row)) {
                eraseLocked(it);
                changed = true;
            }
            break;
        case TableOptions::Type::OrderedSet:
            if (auto it = m_ordered.find(key); it != m_ordered.end() && it->second == row) {
                eraseLocked(it);
                changed = true;
            }
            break;
        default:
            if (auto it = m_bag.find(key); it != m_bag.end()) {
                BagRows &rows = it->second;
                // The rows going, counted before std::remove leaves its tail unspecified.
                // They equal `row`, but their payloads' capacities may differ.
                const size_t vectorBefore = vectorBytes(rows);
                for (const Tuple &r : rows) {
                    if (r == row)
                        m_heapBytes -= heapOf(r);
                }
                const auto end = std::remove(rows.begin(), rows.end(), row);
                const auto removed = qsizetype(rows.end() - end);
                rows.erase(end, rows.end());
                m_heapBytes += vectorBytes(rows) - vectorBefore;
                m_bagRows -= removed;
                changed = removed > 0;
                if (rows.empty()) {
                    m_heapBytes -= vectorBytes(rows) + heapOf(it->first);
                    m_bag.erase(it);
                }
            }
            break;
        }
        releaseIfEmptyLocked();
        setSize(countLocked());
    }
    if (changed)
        written();
}

void TableData::deleteAllObjects()
{
    bool changed = false;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        changed = countLocked() > 0;
        m_set.clear();
        m_ordered.clear();
        m_bag.clear();
        m_bagRows = 0;
        m_heapBytes = 0;
        releaseIfEmptyLocked();
        setSize(0);
    }
    if (changed)
        written();
}

qsizetype TableData::matchDelete(const Tuple &pattern)
{
    detail::MatchPatternCompiler compiler;
    const detail::MatchPattern p = compiler.compileRow(pattern);
    detail::MatchBindings b(compiler.slotCount());
    return selectDelete([&](const Tuple &row) { return detail::matchRow(p, row, b); });
}

qsizetype TableData::selectDelete(const std::function<bool(const Tuple &)> &pred)
{
    qsizetype removed = 0;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        // Decide for every row first: a predicate that throws changes nothing.
        std::vector<char> marks;
        marks.reserve(size_t(countLocked()));
        forEachLocked([&](const Tuple &row) { marks.push_back(pred(row) ? 1 : 0); });
        removed = removeMarkedLocked(marks);
        releaseIfEmptyLocked();
        setSize(countLocked());
    }
    if (removed)
        written();
    return removed;
}

Rows TableData::take(const Term &key)
{
    Rows out;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        switch (m_options.type) {
        case TableOptions::Type::Set:
            if (auto it = m_set.find(key); it != m_set.end()) {
                out.append(unpackRow(it->key, it->row));
                eraseLocked(it);
            }
            break;
        case TableOptions::Type::OrderedSet:
            if (auto it = m_ordered.find(key); it != m_ordered.end()) {
                m_heapBytes -= entryHeap(it->first, it->second);
                out.append(std::move(it->second));
                m_ordered.erase(it);
            }
            break;
        default:
            if (auto it = m_bag.find(key); it != m_bag.end()) {
                m_heapBytes -= entryHeap(it->first, it->second);
                for (Tuple &row : it->second)
                    out.append(std::move(row));
                m_bagRows -= out.size();
                m_bag.erase(it);
            }
            break;
        }
        releaseIfEmptyLocked();
        setSize(countLocked());
    }
    if (!out.isEmpty())
        written();
    return out;
}

// Opens the row of a set or ordered_set for editing under the write lock, or
// returns nullptr. Set rows are packed: a set row is edited as an unpacked copy
// in `scratch` (setIt names its slot), which closeRowLocked() stores back.
// heapBefore is the row's share of m_heapBytes (its key's aside), which
// closeRowLocked() replaces with the edited row's.
Tuple *TableData::openRowLocked(const Term &key, Tuple &scratch, SetSlots::iterator &setIt,
                                size_t &heapBefore)
{
    if (m_options.type == TableOptions::Type::Set) {
        setIt = m_set.find(key);
        if (setIt == m_set.end())
            return nullptr;
        heapBefore = heapOf(setIt->row.other);
        scratch = unpackRow(setIt->key, setIt->row);
        return &scratch;
    }
    auto it = m_ordered.find(key);
    if (it == m_ordered.end())
        return nullptr;
    heapBefore = heapOf(it->second);
    return &it->second;
}

// `row` is what openRowLocked() returned, now edited.
void TableData::closeRowLocked(const Tuple &row, SetSlots::iterator setIt, size_t heapBefore)
{
    if (setIt != m_set.end()) {
        setIt->row = packRow(row);
        m_heapBytes += heapOf(setIt->row.other) - heapBefore;
    } else {
        m_heapBytes += heapOf(row) - heapBefore;
    }
}

QList<Term> TableData::updateCounter(const Term &key, const CounterUpdate *ops, qsizetype count,
                                     const Tuple *defaultRow, bool smallResults)
{
    if (m_hashed && m_options.type != TableOptions::Type::Set)
        throw Error(Code::BadArg,
                    QStringLiteral("update_counter works on set and ordered_set tables; %1 is a %2")
                        .arg(describe(), QLatin1String(TableOptions::typeName(m_options.type))));
    for (qsizetype i = 0; i < count; ++i) {
        const CounterUpdate &op = ops[i];
        checkPos(op.pos, "update_counter");
        if (op.pos == m_options.keyPos)
            throw Error(Code::BadArg,
                        QStringLiteral("update_counter: position %1 is the key of %2; a key "
                                       "cannot be updated")
                            .arg(op.pos)
                            .arg(describe()));
        for (const Term *t : { &op.incr, op.threshold ? &*op.threshold : nullptr,
                               op.threshold ? &op.setValue : nullptr }) {
            if (t && !t->isInteger())
                throw Error(Code::BadArg,
                            QStringLiteral("update_counter: the increment, threshold and set "
                                           "value must be integers, not %1")
                                .arg(t->format()));
        }
    }
    QList<Term> results;
    results.reserve(count);
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        SetSlots::iterator setIt = m_set.end();
        Tuple unpacked;
        size_t heapBefore = 0;
        Tuple *row = openRowLocked(key, unpacked, setIt, heapBefore);
        // Every update is made on a copy, then stored: one that fails changes nothing.
        Tuple edited;
        if (row) {
            edited = *row;
        } else {
            if (!defaultRow)
                throw Error(Code::BadArg,
                            QStringLiteral("update_counter: %1 has no row with the key %2")
                                .arg(describe(), key.format()));
            // As in ets: the default's key is replaced by the key asked for.
            edited = *defaultRow;
            keyOf(edited);
            edited[m_keyIndex] = key;
        }
        for (qsizetype i = 0; i < count; ++i) {
            const CounterUpdate &op = ops[i];
            if (edited.size() < op.pos || !edited.at(op.pos - 1).isInteger())
                throw Error(Code::BadArg,
                            QStringLiteral("update_counter: the row %1 has no integer at "
                                           "position %2")
                                .arg(Term::tuple(edited).format())
                                .arg(op.pos));
            Term value = Term::add(edited.at(op.pos - 1), op.incr);
            // {Pos, Incr, Threshold, SetValue}: past the threshold, in the
            // increment's direction, the counter is set to SetValue.
            if (op.threshold) {
                const bool up = Term::compare(op.incr, Term(0)) >= 0;
                const int c = Term::compare(value, *op.threshold);
                if (up ? c > 0 : c < 0)
                    value = op.setValue;
            }
            if (smallResults && value.isBigInteger())
                throw Error(Code::BadArg,
                            QStringLiteral("update_counter: %1 does not fit in 64 bits (the "
                                           "CounterUpdate forms return any integer)")
                                .arg(value.format()));
            edited[op.pos - 1] = value;
            results.append(value);
        }
        if (!row) {
            insertLocked(edited);
        } else if (setIt != m_set.end()) {
            closeRowLocked(edited, setIt, heapBefore);
        } else {
            *row = edited;
            closeRowLocked(*row, setIt, heapBefore);
        }
        setSize(countLocked());
    }
    written();
    return results;
}

bool TableData::updateElement(const Term &key, const QList<std::pair<int, Term>> &changes)
{
    if (m_hashed && m_options.type != TableOptions::Type::Set)
        throw Error(Code::BadArg,
                    QStringLiteral("update_element works on set and ordered_set tables; %1 is a %2")
                        .arg(describe(), QLatin1String(TableOptions::typeName(m_options.type))));
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        SetSlots::iterator setIt = m_set.end();
        Tuple unpacked;
        size_t heapBefore = 0;
        Tuple *row = openRowLocked(key, unpacked, setIt, heapBefore);
        // As in ets, a missing key is false before the positions are looked
        // at: even the key's position, or one below 1.
        if (!row)
            return false;
        for (const auto &[pos, value] : changes) {
            checkPos(pos, "update_element");
            if (pos == m_options.keyPos)
                throw Error(Code::BadArg,
                            QStringLiteral("update_element: position %1 is the key of %2; a key "
                                           "cannot be updated")
                                .arg(pos)
                                .arg(describe()));
            if (pos > row->size())
                throw Error(Code::BadArg,
                            QStringLiteral("update_element: the row %1 has no position %2")
                                .arg(Term::tuple(*row).format())
                                .arg(pos));
        }
        for (const auto &[pos, value] : changes)
            (*row)[pos - 1] = value;
        closeRowLocked(*row, setIt, heapBefore);
    }
    if (!changes.isEmpty())
        written();
    return true;
}

// ---------------------------------------------------------------------------
// Reads

void TableData::copyRowSlow(const Term &key, const SetRow &r, Rows &into) const
{
    into.clear();
    into.append(unpackRow(key, r));
}

qsizetype TableData::lookupSlow(const Term &key, Rows &into) const
{
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    switch (m_options.type) {
    case TableOptions::Type::Set:
        if (auto it = m_set.find(key); it != m_set.end()) {
            copyRow(it->key, it->row, into);
            return 1;
        }
        break;
    case TableOptions::Type::OrderedSet:
        if (auto it = m_ordered.find(key); it != m_ordered.end()) {
            into.clear();
            into.append(it->second);
            return 1;
        }
        break;
    default:
        if (auto it = m_bag.find(key); it != m_bag.end()) {
            into.clear();
            for (const Tuple &row : it->second)
                into.append(row);
            return into.size();
        }
        break;
    }
    into.clear();
    return 0;
}

Term TableData::lookupElement(const Term &key, int pos, const Term *defaultValue) const
{
    checkPos(pos, "lookup_element");
    Rows rows;
    if (lookup(key, rows) == 0 && defaultValue)
        return *defaultValue;
    if (rows.isEmpty())
        throw Error(Code::BadArg,
                    QStringLiteral("lookup_element: %1 has no row with the key %2")
                        .arg(describe(), key.format()));
    for (const Tuple &row : rows) {
        if (row.size() < pos)
            throw Error(Code::BadArg,
                        QStringLiteral("lookup_element: the row %1 has no position %2")
                            .arg(Term::tuple(row).format())
                            .arg(pos));
    }
    if (!m_hashed || m_options.type == TableOptions::Type::Set)
        return rows.first().at(pos - 1);
    QList<Term> values;
    values.reserve(rows.size());
    for (const Tuple &row : rows)
        values.append(row.at(pos - 1));
    return Term::list(values);
}

bool TableData::memberSlow(const Term &key) const
{
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    return containsLocked(key);
}

std::optional<Term> TableData::first() const
{
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    switch (m_options.type) {
    case TableOptions::Type::Set:
        if (m_set.empty())
            return std::nullopt;
        return m_set.begin()->key;
    case TableOptions::Type::OrderedSet:
        if (m_ordered.empty())
            return std::nullopt;
        return m_ordered.begin()->second.at(m_keyIndex);
    default:
        if (m_bag.empty())
            return std::nullopt;
        return bagKey(*m_bag.begin());
    }
}

std::optional<Term> TableData::next(const Term &key) const
{
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    if (m_options.type == TableOptions::Type::OrderedSet) {
        // ordered_set: the next key in term order, whether or not key is present.
        auto it = m_ordered.upper_bound(key);
        if (it == m_ordered.end())
            return std::nullopt;
        return it->second.at(m_keyIndex);
    }
    const auto missing = [&] {
        return Error(Code::BadArg,
                     QStringLiteral("next: the key %1 is not in %2 (a %3 table walks from keys "
                                    "it holds)")
                         .arg(key.format(), describe(),
                              QLatin1String(TableOptions::typeName(m_options.type))));
    };
    if (m_options.type == TableOptions::Type::Set) {
        auto it = m_set.find(key);
        if (it == m_set.end())
            throw missing();
        if (++it == m_set.end())
            return std::nullopt;
        return it->key;
    }
    auto it = m_bag.find(key);
    if (it == m_bag.end())
        throw missing();
    if (++it == m_bag.end())
        return std::nullopt;
    return bagKey(*it);
}

std::optional<Term> TableData::last() const
{
    if (m_options.type != TableOptions::Type::OrderedSet)
        return first(); // as in ets: last/1 is first/1 for unordered tables
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    if (m_ordered.empty())
        return std::nullopt;
    return m_ordered.rbegin()->second.at(m_keyIndex);
}

std::optional<Term> TableData::prev(const Term &key) const
{
    if (m_options.type != TableOptions::Type::OrderedSet)
        return next(key); // as in ets: prev/2 is next/2 for unordered tables
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    auto it = m_ordered.lower_bound(key);
    if (it == m_ordered.begin())
        return std::nullopt;
    --it;
    return it->second.at(m_keyIndex);
}

// The rows a pattern can match: with its key bound, only that key's rows (a
// lookup instead of a scan), otherwise every row.
void TableData::forEachCandidateLocked(const Term *key,
                                       const std::function<void(const Tuple &)> &visit) const
{
    if (key && m_options.type == TableOptions::Type::Set) {
        if (auto it = m_set.find(*key); it != m_set.end())
            visit(unpackRow(it->key, it->row));
    } else if (key && m_hashed) {
        if (auto it = m_bag.find(*key); it != m_bag.end()) {
            for (const Tuple &row : it->second)
                visit(row);
        }
    } else {
        forEachLocked(visit);
    }
}

QList<QList<Term>> TableData::match(const Tuple &pattern) const
{
    detail::MatchPatternCompiler compiler;
    const detail::MatchPattern p = compiler.compileRow(pattern);
    const std::vector<int> order = compiler.slotsByNumber();
    detail::MatchBindings b(compiler.slotCount());
    QList<QList<Term>> out;
    const auto visit = [&](const Tuple &row) {
        if (!detail::matchRow(p, row, b))
            return;
        QList<Term> values;
        values.reserve(qsizetype(order.size()));
        for (int slot : order)
            values.append(b.values[size_t(slot)]);
        out.append(values);
    };
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    forEachCandidateLocked(p.boundKey(m_keyIndex), visit);
    return out;
}

QList<Tuple> TableData::matchObject(const Tuple &pattern) const
{
    detail::MatchPatternCompiler compiler;
    const detail::MatchPattern p = compiler.compileRow(pattern);
    detail::MatchBindings b(compiler.slotCount());
    QList<Tuple> out;
    const auto visit = [&](const Tuple &row) {
        if (detail::matchRow(p, row, b))
            out.append(row);
    };
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    forEachCandidateLocked(p.boundKey(m_keyIndex), visit);
    return out;
}

// ---------------------------------------------------------------------------
// Match specifications

namespace {

bool isTrueAtom(const std::optional<Term> &t)
{
    static const Term tr = Term::atom(u"true");
    return t && *t == tr;
}

[[noreturn]] void badLimit(qsizetype limit)
{
    throw Error(Code::BadArg,
                QStringLiteral("select: the limit must be 1 or more, not %1").arg(limit));
}

} // namespace

template<typename F>
void TableData::forEachOrderedLocked(const Term *after, bool reverse, F &&f) const
{
    if (!reverse) {
        for (auto it = after ? m_ordered.upper_bound(*after) : m_ordered.begin();
             it != m_ordered.end(); ++it) {
            if (!f(it->second))
                return;
        }
        return;
    }
    auto it = after ? m_ordered.lower_bound(*after) : m_ordered.end();
    while (it != m_ordered.begin()) {
        --it;
        if (!f(it->second))
            return;
    }
}

QList<Term> TableData::select(const MatchSpec &spec, bool reverse) const
{
    QList<Term> out;
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    const auto visit = [&](const Tuple &row) {
        if (std::optional<Term> r = spec.run(row))
            out.append(std::move(*r));
        return true;
    };
    if (m_options.type == TableOptions::Type::OrderedSet)
        forEachOrderedLocked(nullptr, reverse, visit);
    else
        forEachCandidateLocked(spec.boundKey(m_keyIndex), visit);
    return out;
}

qsizetype TableData::selectCount(const MatchSpec &spec) const
{
    qsizetype count = 0;
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    forEachCandidateLocked(m_hashed ? spec.boundKey(m_keyIndex) : nullptr,
                           [&](const Tuple &row) { count += isTrueAtom(spec.run(row)); });
    return count;
}

std::optional<SelectChunk> TableData::selectOrderedChunk(const MatchSpec &spec, qsizetype limit,
                                                         bool reverse, const Term *after) const
{
    SelectChunk chunk;
    std::optional<Term> lastKey;
    forEachOrderedLocked(after, reverse, [&](const Tuple &row) {
        if (std::optional<Term> r = spec.run(row)) {
            chunk.matches.append(std::move(*r));
            lastKey = row.at(m_keyIndex);
        }
        return chunk.matches.size() < limit;
    });
    if (chunk.matches.isEmpty())
        return std::nullopt;
    // As ets: a full chunk goes on after lastKey, whether or not rows follow
    // now (one written before the next call is seen); a chunk that is not
    // full ends the select.
    if (chunk.matches.size() == limit) {
        SelectContinuation &c = chunk.continuation;
        c.m_table = std::const_pointer_cast<TableData>(shared_from_this());
        c.m_spec = spec;
        c.m_limit = limit;
        c.m_reverse = reverse;
        c.m_lastKey = lastKey;
    }
    return chunk;
}

std::optional<SelectChunk> TableData::select(const MatchSpec &spec, qsizetype limit,
                                             bool reverse) const
{
    if (limit < 1)
        badLimit(limit);
    if (m_options.type == TableOptions::Type::OrderedSet) {
        BiasedLock::ReadLocker lock(m_lock);
        checkAlive();
        checkRead();
        return selectOrderedChunk(spec, limit, reverse, nullptr);
    }
    QList<Term> all = select(spec, reverse);
    if (all.isEmpty())
        return std::nullopt;
    SelectChunk chunk;
    chunk.matches = all.first(std::min(limit, all.size()));
    if (all.size() >= limit) { // as ets: a full chunk has a continuation
        SelectContinuation &c = chunk.continuation;
        c.m_table = std::const_pointer_cast<TableData>(shared_from_this());
        c.m_spec = spec;
        c.m_limit = limit;
        c.m_reverse = reverse;
        c.m_rest = all.sliced(limit);
    }
    return chunk;
}

std::optional<SelectChunk> TableData::select(const SelectContinuation &from)
{
    if (from.isEnd())
        return std::nullopt;
    const TableData &d = *from.m_table;
    BiasedLock::ReadLocker lock(d.m_lock);
    d.checkAlive();
    d.checkRead();
    if (d.m_options.type == TableOptions::Type::OrderedSet)
        return d.selectOrderedChunk(from.m_spec, from.m_limit, from.m_reverse,
                                    from.m_lastKey ? &*from.m_lastKey : nullptr);
    if (from.m_rest.isEmpty())
        return std::nullopt;
    SelectChunk chunk;
    chunk.matches = from.m_rest.first(std::min(from.m_limit, from.m_rest.size()));
    if (from.m_rest.size() >= from.m_limit) {
        chunk.continuation = from;
        chunk.continuation.m_rest = from.m_rest.sliced(from.m_limit);
    }
    return chunk;
}

qsizetype TableData::selectDelete(const MatchSpec &spec)
{
    return selectDelete([&](const Tuple &row) { return isTrueAtom(spec.run(row)); });
}

qsizetype TableData::selectReplace(const MatchSpec &spec)
{
    // As OTP 25: "tables of type bag are not yet supported".
    if (m_options.type == TableOptions::Type::Bag)
        throw Error(Code::BadArg,
                    QStringLiteral("select_replace does not work on bag tables (as in ets); %1 "
                                   "is a bag")
                        .arg(describe()));
    // As ets, the specification itself must keep the key, whatever the rows.
    if (!spec.keepsKey(m_keyIndex))
        throw Error(Code::BadArg,
                    QStringLiteral("select_replace: %1 may change a row's key: every clause's "
                                   "body must be '$_' or build a tuple whose key is the head's "
                                   "key (the same variable or constant, or {element, %2, '$_'})")
                        .arg(spec.source().format())
                        .arg(m_keyIndex + 1));
    qsizetype replaced = 0;
    {
        BiasedLock::WriteLocker lock(m_lock);
        checkAlive();
        checkWrite();
        // Every row's replacement first: one that is not a row with the same
        // key is BadArg, and nothing changes.
        std::vector<std::optional<Tuple>> replacements;
        replacements.reserve(size_t(countLocked()));
        forEachLocked([&](const Tuple &row) {
            std::optional<Term> r = spec.run(row);
            if (!r) {
                replacements.emplace_back();
                return;
            }
            if (!r->isTuple() || r->size() <= m_keyIndex || r->at(m_keyIndex) != row.at(m_keyIndex))
                throw Error(Code::BadArg,
                            QStringLiteral("select_replace: %1 would replace %2, but a "
                                           "replacement must be a row with the same key (=:=)")
                                .arg(r->format(), Term::tuple(row).format()));
            replacements.emplace_back(r->toTuple());
            ++replaced;
        });
        if (m_options.type == TableOptions::Type::Set
            || m_options.type == TableOptions::Type::OrderedSet) {
            for (const std::optional<Tuple> &row : replacements) {
                if (row)
                    insertLocked(*row);
            }
        } else {
            size_t i = 0;
            for (auto &[key, rows] : m_bag) {
                m_heapBytes -= entryHeap(key, rows);
                BagRows kept;
                for (Tuple &row : rows) {
                    kept.push_back(replacements[i] ? *replacements[i] : std::move(row));
                    ++i;
                }
                m_bagRows += qsizetype(kept.size()) - qsizetype(rows.size());
                rows = std::move(kept);
                m_heapBytes += entryHeap(key, rows);
            }
        }
        setSize(countLocked());
    }
    if (replaced)
        written();
    return replaced;
}

QList<Tuple> TableData::toList() const
{
    BiasedLock::ReadLocker lock(m_lock);
    checkAlive();
    checkRead();
    QList<Tuple> out;
    out.reserve(countLocked());
    forEachLocked([&](const Tuple &row) { out.append(row); });
    return out;
}

qsizetype TableData::size() const
{
    checkAlive();
    return rowCount();
}

} // namespace immortal
