#pragma once

#include <immortal/detail/inlinelist.h>
#include <immortal/term.h>

#include <QList>

#include <initializer_list>
#include <iterator>
#include <memory>

namespace immortal {

/// A row of a table, and the payload of a tuple term: a sequence of Terms.
///
/// Up to two elements (the common {Key, Value} row) live inside the Tuple,
/// so building one, copying it and dropping it never allocates and touches
/// no reference count: next to the hash probe, that is most of what an
/// insert(Tuple{k, v}) or a lookup(k) costs. Longer rows keep their elements
/// in one heap block, copied when the Tuple is copied (see InlineList).
///
/// The interface is QList's, for the parts a row needs.
class Tuple : public InlineList<Term, 2>
{
public:
    Tuple() noexcept { } ///< no elements
    /// These elements, in order.
    Tuple(std::initializer_list<Term> elements)
    {
        appendRange(elements.begin(), qsizetype(elements.size()));
    }
    /// `size` copies of `value`.
    explicit Tuple(qsizetype size, const Term &value = Term()) { fill(size, value); }
    /// The elements of a range, in order.
    template<std::input_iterator It>
    Tuple(It first, It last)
    {
        if constexpr (std::contiguous_iterator<It>)
            appendRange(std::to_address(first), qsizetype(last - first));
        else
            for (; first != last; ++first)
                append(*first);
    }
    /// The elements of a list, in order.
    explicit Tuple(const QList<Term> &elements)
    {
        appendRange(elements.constData(), elements.size());
    }

    /// Appends t, as QList's operator<< does.
    Tuple &operator<<(const Term &t)
    {
        append(t);
        return *this;
    }

    QList<Term> toList() const { return QList<Term>(begin(), end()); } ///< the same elements
    /// Bytes this tuple occupies, its elements' heap payloads included.
    size_t memory() const noexcept;

private:
    friend class Rows; // builds pairs in place

    // The pair {a, b}, inline: what a lookup builds. A tag, because
    // Tuple(n, value) would take two arguments as well.
    struct PairTag
    {
    };
    Tuple(PairTag, const Term &a, const Term &b) noexcept
    {
        Term *terms = inlineData();
        new (terms) Term(a);
        new (terms + 1) Term(b);
        m_size = 2;
    }
};

} // namespace immortal

// No pointer into itself (data() is computed), so containers may move it bytewise.
Q_DECLARE_TYPEINFO(immortal::Tuple, Q_RELOCATABLE_TYPE);
