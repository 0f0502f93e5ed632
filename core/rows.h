#pragma once

#include "tuple.h"

#include <QList>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>

namespace immortal {

// The rows with one key, as lookup(key) and take(key) return them: a list
// (ets:lookup/2 returns one) that holds a single row, all a set or an
// ordered_set ever returns, without allocating. With Tuple keeping a pair
// inline, a lookup that finds a {Key, Value} row allocates nothing and
// touches no atomic reference count.
//
// Hand-written like Tuple, and for the same reason: a lookup(key) builds
// one and drops it on every call, and QVarLengthArray's generic emplace and
// destroy loops made that cost half as much as the probe (64 instructions,
// bench/count-instructions.sh). Here building a pair is a few stores and
// dropping it two type checks. Bags with more rows use one heap block.
//
// The interface is QList's, for the parts a result needs; toList() makes
// a QList<Tuple>.
class Rows
{
public:
    using value_type = Tuple;
    using size_type = qsizetype;
    using difference_type = qsizetype;
    using reference = Tuple &;
    using const_reference = const Tuple &;
    using iterator = Tuple *;
    using const_iterator = const Tuple *;

    Rows() noexcept { }
    Rows(std::initializer_list<Tuple> rows) { appendRange(rows.begin(), qsizetype(rows.size())); }
    template<std::input_iterator It>
    Rows(It first, It last)
    {
        for (; first != last; ++first)
            append(*first);
    }
    Rows(const Rows &other) { appendRange(other.data(), other.m_size); }
    Rows(Rows &&other) noexcept { takeFrom(other); }
    Rows &operator=(const Rows &other)
    {
        if (this != &other) {
            clear();
            appendRange(other.data(), other.m_size);
        }
        return *this;
    }
    Rows &operator=(Rows &&other) noexcept
    {
        if (this != &other) {
            release();
            takeFrom(other);
        }
        return *this;
    }
    ~Rows() { release(); }

    qsizetype size() const noexcept { return m_size; }
    qsizetype count() const noexcept { return m_size; }
    qsizetype length() const noexcept { return m_size; }
    bool isEmpty() const noexcept { return m_size == 0; }
    qsizetype capacity() const noexcept { return m_capacity ? m_capacity : 1; }

    const Tuple &at(qsizetype i) const noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "Rows::at", "index out of range");
        return data()[i];
    }
    const Tuple &operator[](qsizetype i) const noexcept { return at(i); }
    Tuple &operator[](qsizetype i) noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "Rows::operator[]", "index out of range");
        return data()[i];
    }
    const Tuple &first() const noexcept { return at(0); }
    const Tuple &constFirst() const noexcept { return at(0); }
    const Tuple &last() const noexcept { return at(m_size - 1); }
    const Tuple &constLast() const noexcept { return at(m_size - 1); }

    const Tuple *constData() const noexcept { return data(); }
    const Tuple *data() const noexcept
    {
        return m_capacity ? m_heap : std::launder(reinterpret_cast<const Tuple *>(m_inline));
    }
    Tuple *data() noexcept
    {
        return m_capacity ? m_heap : std::launder(reinterpret_cast<Tuple *>(m_inline));
    }
    const_iterator begin() const noexcept { return data(); }
    const_iterator end() const noexcept { return data() + m_size; }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    const_iterator constBegin() const noexcept { return begin(); }
    const_iterator constEnd() const noexcept { return end(); }
    iterator begin() noexcept { return data(); }
    iterator end() noexcept { return data() + m_size; }

    void append(const Tuple &row)
    {
        if (m_size == capacity()) [[unlikely]]
            return append(Tuple(row)); // row may be one of ours, and grow() moves them
        new (data() + m_size) Tuple(row);
        ++m_size;
    }
    void append(Tuple &&row)
    {
        if (m_size == capacity()) [[unlikely]]
            grow(m_size + 1);
        new (data() + m_size) Tuple(std::move(row));
        ++m_size;
    }
    Rows &operator<<(const Tuple &row)
    {
        append(row);
        return *this;
    }
    void reserve(qsizetype n)
    {
        if (n > capacity())
            grow(n);
    }
    // Drops the rows and keeps the memory, as QList does.
    void clear() noexcept
    {
        std::destroy_n(data(), m_size);
        m_size = 0;
    }

    QList<Tuple> toList() const { return QList<Tuple>(begin(), end()); }

    friend bool operator==(const Rows &a, const Rows &b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator==(const Rows &a, const QList<Tuple> &b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    friend class TableData; // setPair(), initPair()

    // Makes these rows the one row {a, b}. A Rows that already holds one
    // pair (a lookup loop passing the same Rows back) has its two elements
    // assigned; an empty one (a fresh lookup(key) result) has the pair
    // built in place. Built, not moved in: a Tuple moved in would be read
    // back right after its fields were stored, which store forwarding
    // cannot serve (that cost a lookup 10 ns).
    void setPair(const Term &a, const Term &b)
    {
        if (m_size == 1) {
            Tuple &row = data()[0];
            if (row.size() == 2) [[likely]] {
                Term *terms = row.data();
                terms[0] = a;
                terms[1] = b;
                return;
            }
        }
        clear();
        new (data()) Tuple(Tuple::PairTag {}, a, b);
        m_size = 1;
    }
    // setPair() for an empty Rows that has never grown, as lookup(key) makes.
    void initPair(const Term &a, const Term &b) noexcept
    {
        Q_ASSERT(m_size == 0 && m_capacity == 0);
        new (m_inline) Tuple(Tuple::PairTag {}, a, b);
        m_size = 1;
    }
    void appendRange(const Tuple *rows, qsizetype n)
    {
        reserve(m_size + n);
        std::uninitialized_copy_n(rows, n, data() + m_size);
        m_size += n;
    }
    // Takes other's rows and leaves it empty.
    void takeFrom(Rows &other) noexcept
    {
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        if (m_capacity) {
            m_heap = other.m_heap;
        } else if (m_size) {
            Tuple &row = other.data()[0];
            new (m_inline) Tuple(std::move(row));
            row.~Tuple();
        }
        other.m_size = 0;
        other.m_capacity = 0;
    }
    void release() noexcept
    {
        if (m_capacity) [[unlikely]]
            return releaseHeap();
        if (m_size)
            data()[0].~Tuple();
    }
    void releaseHeap() noexcept;
    void grow(qsizetype atLeast); // to a heap block of at least that many

    qsizetype m_size = 0;
    qsizetype m_capacity = 0; // 0: the row (if any) is inline
    union {
        alignas(Tuple) std::byte m_inline[sizeof(Tuple)];
        Tuple *m_heap;
    };
};

} // namespace immortal

// No pointer into itself (data() is computed), so containers may move it bytewise.
Q_DECLARE_TYPEINFO(immortal::Rows, Q_RELOCATABLE_TYPE);
