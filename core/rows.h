#pragma once

#include "tuple.h"

#include <QList>
#include <QVarLengthArray>

#include <algorithm>
#include <initializer_list>
#include <memory>

namespace immortal {

// The rows with one key, as lookup(key) and take(key) return them: a list
// (ets:lookup/2 returns one) that holds a single row, all a set or an
// ordered_set ever returns, without allocating. With Tuple keeping a pair
// inline, a lookup that finds a {Key, Value} row allocates nothing and
// touches no atomic reference count.
//
// The interface is QList's, for the parts a result needs; toList() makes
// a QList<Tuple>.
class Rows
{
    using Storage = QVarLengthArray<Tuple, 1>;

public:
    using value_type = Tuple;
    using size_type = qsizetype;
    using const_reference = const Tuple &;
    using reference = Tuple &;
    using const_iterator = const Tuple *;
    using iterator = Tuple *;

    Rows() noexcept = default;
    Rows(std::initializer_list<Tuple> rows)
        : m_rows(rows)
    { }
    template<std::input_iterator It>
    Rows(It first, It last)
        : m_rows(first, last)
    { }
    Rows(const Rows &) = default;
    Rows(Rows &&) noexcept = default;
    Rows &operator=(const Rows &) = default;
    // Not QVarLengthArray's move-assignment: Qt 6.4's keeps the target's
    // heap block when it takes the source's, and leaks it.
    Rows &operator=(Rows &&other) noexcept
    {
        if (this != &other) {
            std::destroy_at(&m_rows);
            std::construct_at(&m_rows, std::move(other.m_rows));
        }
        return *this;
    }
    ~Rows() = default;

    qsizetype size() const noexcept { return m_rows.size(); }
    qsizetype count() const noexcept { return size(); }
    qsizetype length() const noexcept { return size(); }
    bool isEmpty() const noexcept { return m_rows.isEmpty(); }

    const Tuple &at(qsizetype i) const noexcept
    {
        Q_ASSERT_X(i >= 0 && i < size(), "Rows::at", "index out of range");
        return m_rows[i];
    }
    const Tuple &operator[](qsizetype i) const noexcept { return at(i); }
    Tuple &operator[](qsizetype i) noexcept
    {
        Q_ASSERT_X(i >= 0 && i < size(), "Rows::operator[]", "index out of range");
        return m_rows[i];
    }
    const Tuple &first() const noexcept { return at(0); }
    const Tuple &constFirst() const noexcept { return at(0); }
    const Tuple &last() const noexcept { return at(size() - 1); }
    const Tuple &constLast() const noexcept { return at(size() - 1); }

    const_iterator begin() const noexcept { return m_rows.data(); }
    const_iterator end() const noexcept { return m_rows.data() + m_rows.size(); }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    const_iterator constBegin() const noexcept { return begin(); }
    const_iterator constEnd() const noexcept { return end(); }
    iterator begin() noexcept { return m_rows.data(); }
    iterator end() noexcept { return m_rows.data() + m_rows.size(); }

    void append(const Tuple &row) { m_rows.push_back(row); }
    void append(Tuple &&row) { m_rows.push_back(std::move(row)); }
    void clear() noexcept { m_rows.clear(); }
    QList<Tuple> toList() const { return QList<Tuple>(begin(), end()); }

    friend bool operator==(const Rows &a, const Rows &b) noexcept { return a.m_rows == b.m_rows; }
    friend bool operator==(const Rows &a, const QList<Tuple> &b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    friend class TableData; // fills them in place
    Storage m_rows;
};

} // namespace immortal
