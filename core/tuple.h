#pragma once

#include "term.h"

#include <QList>

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>

namespace immortal {

// A row of a table, and the payload of a tuple term: a sequence of Terms.
//
// Up to two elements (the common {Key, Value} row) live inside the Tuple,
// so building one, copying it and dropping it never allocates and touches
// no reference count: next to the hash probe, that is most of what an
// insert(Tuple{k, v}) or a lookup(k) costs. Longer rows keep their elements
// in one heap block, copied when the Tuple is copied.
//
// Hand-written rather than a library small vector: absl::InlinedVector
// copies and destroys out of line, and QVarLengthArray's generic append
// made filling a pair cost as much as the probe (measured with
// bench/count-instructions.sh). Here the inline case is a few moves.
//
// The interface is QList's, for the parts a row needs.
class Tuple
{
public:
    using value_type = Term;
    using size_type = qsizetype;
    using difference_type = qsizetype;
    using reference = Term &;
    using const_reference = const Term &;
    using pointer = Term *;
    using const_pointer = const Term *;
    using iterator = Term *;
    using const_iterator = const Term *;

    Tuple() noexcept { }
    Tuple(std::initializer_list<Term> elements)
    {
        appendRange(elements.begin(), qsizetype(elements.size()));
    }
    explicit Tuple(qsizetype size, const Term &value = Term())
    {
        reserve(size);
        std::uninitialized_fill_n(data(), qMax(size, qsizetype(0)), value);
        m_size = qMax(size, qsizetype(0));
    }
    template<std::input_iterator It>
    Tuple(It first, It last)
    {
        if constexpr (std::contiguous_iterator<It>)
            appendRange(std::to_address(first), qsizetype(last - first));
        else
            for (; first != last; ++first)
                append(*first);
    }
    explicit Tuple(const QList<Term> &elements)
    {
        appendRange(elements.constData(), elements.size());
    }
    Tuple(const Tuple &other) { appendRange(other.data(), other.m_size); }
    Tuple(Tuple &&other) noexcept { takeFrom(other); }
    Tuple &operator=(const Tuple &other)
    {
        if (this != &other) {
            clear();
            appendRange(other.data(), other.m_size);
        }
        return *this;
    }
    Tuple &operator=(Tuple &&other) noexcept
    {
        if (this != &other) {
            release();
            takeFrom(other);
        }
        return *this;
    }
    ~Tuple() { release(); }

    qsizetype size() const noexcept { return m_size; }
    qsizetype count() const noexcept { return m_size; }
    qsizetype length() const noexcept { return m_size; }
    bool isEmpty() const noexcept { return m_size == 0; }
    qsizetype capacity() const noexcept { return m_capacity ? m_capacity : kInline; }

    const Term &at(qsizetype i) const noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "Tuple::at", "index out of range");
        return data()[i];
    }
    const Term &operator[](qsizetype i) const noexcept { return at(i); }
    Term &operator[](qsizetype i) noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "Tuple::operator[]", "index out of range");
        return data()[i];
    }
    const Term &first() const noexcept { return at(0); }
    const Term &constFirst() const noexcept { return at(0); }
    const Term &last() const noexcept { return at(m_size - 1); }
    const Term &constLast() const noexcept { return at(m_size - 1); }

    const Term *constData() const noexcept { return data(); }
    const Term *data() const noexcept
    {
        return m_capacity ? m_heap : std::launder(reinterpret_cast<const Term *>(m_inline));
    }
    Term *data() noexcept
    {
        return m_capacity ? m_heap : std::launder(reinterpret_cast<Term *>(m_inline));
    }
    const_iterator begin() const noexcept { return data(); }
    const_iterator end() const noexcept { return data() + m_size; }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    const_iterator constBegin() const noexcept { return begin(); }
    const_iterator constEnd() const noexcept { return end(); }
    iterator begin() noexcept { return data(); }
    iterator end() noexcept { return data() + m_size; }

    void append(const Term &t)
    {
        if (m_size == capacity()) [[unlikely]]
            grow(m_size + 1);
        new (data() + m_size) Term(t);
        ++m_size;
    }
    Tuple &operator<<(const Term &t)
    {
        append(t);
        return *this;
    }
    void reserve(qsizetype n)
    {
        if (n > capacity())
            grow(n);
    }
    void resize(qsizetype n);
    void clear() noexcept
    {
        std::destroy_n(data(), m_size);
        m_size = 0;
    }

    QList<Term> toList() const { return QList<Term>(begin(), end()); }
    // Bytes this tuple occupies, its elements' heap payloads included.
    size_t memory() const noexcept;

    friend bool operator==(const Tuple &a, const Tuple &b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    friend class Rows; // builds pairs in place
    static constexpr qsizetype kInline = 2;

    // The pair {a, b}, inline: what a lookup builds. A tag, because
    // Tuple(n, value) would take two arguments as well.
    struct PairTag
    {
    };
    Tuple(PairTag, const Term &a, const Term &b) noexcept
        : m_size(2)
    {
        Term *terms = data();
        new (terms) Term(a);
        new (terms + 1) Term(b);
    }

    void appendRange(const Term *elements, qsizetype n)
    {
        reserve(m_size + n);
        std::uninitialized_copy_n(elements, n, data() + m_size);
        m_size += n;
    }
    // Takes other's elements and leaves it empty. Inline ones move one by
    // one, not as bytes: a block copy of Terms whose fields were just stored
    // stalls on store forwarding, which cost a lookup 10 ns.
    void takeFrom(Tuple &other) noexcept
    {
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        if (m_capacity) {
            m_heap = other.m_heap;
        } else {
            Term *from = other.data();
            Term *to = data();
            for (qsizetype i = 0; i < m_size; ++i) {
                new (to + i) Term(std::move(from[i]));
                from[i].~Term();
            }
        }
        other.m_size = 0;
        other.m_capacity = 0;
    }
    // Straight-line for inline elements: every lookup(key) result ends here.
    void release() noexcept
    {
        if (m_capacity) [[unlikely]]
            return releaseHeap();
        static_assert(kInline == 2, "release() destroys at most two inline elements");
        Term *terms = data();
        if (m_size > 0)
            terms[0].~Term();
        if (m_size > 1)
            terms[1].~Term();
    }
    void releaseHeap() noexcept;
    void grow(qsizetype atLeast); // to a heap block of at least that many

    qsizetype m_size = 0;
    qsizetype m_capacity = 0; // 0: the elements are inline (kInline of them)
    union {
        alignas(Term) std::byte m_inline[kInline * sizeof(Term)];
        Term *m_heap;
    };
};

} // namespace immortal

// No pointer into itself (data() is computed), so containers may move it bytewise.
Q_DECLARE_TYPEINFO(immortal::Tuple, Q_RELOCATABLE_TYPE);
