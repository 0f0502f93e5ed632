#pragma once

#include <immortal/detail/inlinelist.h>
#include <immortal/tuple.h>

#include <QList>

#include <algorithm>
#include <initializer_list>
#include <iterator>

namespace immortal {

/// The rows with one key, as lookup(key) and take(key) return them: a list
/// (ets:lookup/2 returns one) that holds a single row, all a set or an
/// ordered_set ever returns, without allocating; bags with more rows use one
/// heap block (see InlineList). With Tuple keeping a pair inline, a lookup
/// that finds a {Key, Value} row allocates nothing and touches no atomic
/// reference count: building the pair is a few stores and dropping it two
/// type checks.
///
/// The interface is QList's, for the parts a result needs; toList() makes
/// a QList<Tuple>.
class Rows : public InlineList<Tuple, 1>
{
public:
    Rows() noexcept { } ///< no rows
    /// These rows, in order.
    Rows(std::initializer_list<Tuple> rows) { appendRange(rows.begin(), qsizetype(rows.size())); }
    /// The rows of a range, in order.
    template<std::input_iterator It>
    Rows(It first, It last)
    {
        for (; first != last; ++first)
            append(*first);
    }

    /// Appends a row, as QList's operator<< does.
    Rows &operator<<(const Tuple &row)
    {
        append(row);
        return *this;
    }

    QList<Tuple> toList() const { return QList<Tuple>(begin(), end()); } ///< the same rows

    /// Compares with a QList of rows: the same rows in the same order.
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
    [[gnu::always_inline]] void setPair(const Term &a, const Term &b)
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
    [[gnu::always_inline]] void initPair(const Term &a, const Term &b) noexcept
    {
        Q_ASSERT(m_size == 0 && isInline());
        new (inlineData()) Tuple(Tuple::PairTag {}, a, b);
        m_size = 1;
    }
};

} // namespace immortal

// No pointer into itself (data() is computed), so containers may move it bytewise.
Q_DECLARE_TYPEINFO(immortal::Rows, Q_RELOCATABLE_TYPE);
