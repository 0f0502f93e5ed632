#pragma once

#include <QtGlobal>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>

namespace immortal {

// The storage under Tuple (two Terms inline) and Rows (one Tuple inline): a
// list that keeps up to N elements inside itself and more in one heap block,
// copied when the list is copied. A lookup builds and drops one of each on
// every call, so the inline case must be a few moves: library small vectors
// were not (absl::InlinedVector copies and destroys out of line,
// QVarLengthArray's generic emplace, append and destroy loops cost a lookup
// 64 instructions). Here every loop over inline elements has the constant
// bound N, and the compiler unrolls it.
//
// The interface is QList's, for the parts a row and a result need.
template<typename T, qsizetype N>
class InlineList
{
    static_assert(N > 0);

public:
    using value_type = T;
    using size_type = qsizetype;
    using difference_type = qsizetype;
    using reference = T &;
    using const_reference = const T &;
    using pointer = T *;
    using const_pointer = const T *;
    using iterator = T *;
    using const_iterator = const T *;

    InlineList() noexcept { }
    InlineList(const InlineList &other) { appendRange(other.data(), other.m_size); }
    InlineList(InlineList &&other) noexcept { takeFrom(other); }
    InlineList &operator=(const InlineList &other)
    {
        if (this != &other) {
            clear();
            appendRange(other.data(), other.m_size);
        }
        return *this;
    }
    InlineList &operator=(InlineList &&other) noexcept
    {
        if (this != &other) {
            release();
            takeFrom(other);
        }
        return *this;
    }
    ~InlineList() { release(); }

    qsizetype size() const noexcept { return m_size; }
    qsizetype count() const noexcept { return m_size; }
    qsizetype length() const noexcept { return m_size; }
    bool isEmpty() const noexcept { return m_size == 0; }
    qsizetype capacity() const noexcept { return m_capacity ? m_capacity : N; }

    const T &at(qsizetype i) const noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "InlineList::at", "index out of range");
        return data()[i];
    }
    const T &operator[](qsizetype i) const noexcept { return at(i); }
    T &operator[](qsizetype i) noexcept
    {
        Q_ASSERT_X(i >= 0 && i < m_size, "InlineList::operator[]", "index out of range");
        return data()[i];
    }
    const T &first() const noexcept { return at(0); }
    const T &constFirst() const noexcept { return at(0); }
    const T &last() const noexcept { return at(m_size - 1); }
    const T &constLast() const noexcept { return at(m_size - 1); }

    const T *constData() const noexcept { return data(); }
    const T *data() const noexcept { return m_capacity ? m_heap : inlineData(); }
    T *data() noexcept { return m_capacity ? m_heap : inlineData(); }
    const_iterator begin() const noexcept { return data(); }
    const_iterator end() const noexcept { return data() + m_size; }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }
    const_iterator constBegin() const noexcept { return begin(); }
    const_iterator constEnd() const noexcept { return end(); }
    iterator begin() noexcept { return data(); }
    iterator end() noexcept { return data() + m_size; }

    void append(const T &t)
    {
        if (m_size == capacity()) [[unlikely]]
            return append(T(t)); // t may be one of ours, and growing moves them
        new (data() + m_size) T(t);
        ++m_size;
    }
    void append(T &&t)
    {
        if (m_size == capacity()) [[unlikely]]
            grow(m_size + 1);
        new (data() + m_size) T(std::move(t));
        ++m_size;
    }
    void reserve(qsizetype n)
    {
        if (n > capacity())
            grow(n);
    }
    // New elements are value-initialized, as QList::resize() makes them.
    void resize(qsizetype n)
    {
        n = std::max(n, qsizetype(0));
        if (n < m_size) {
            std::destroy(data() + n, data() + m_size);
        } else {
            reserve(n);
            std::uninitialized_value_construct(data() + m_size, data() + n);
        }
        m_size = n;
    }
    // Drops the elements and keeps the memory, as QList::clear() does.
    void clear() noexcept
    {
        std::destroy_n(data(), m_size);
        m_size = 0;
    }

    friend bool operator==(const InlineList &a, const InlineList &b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

protected:
    bool isInline() const noexcept { return m_capacity == 0; }
    T *inlineData() noexcept { return std::launder(reinterpret_cast<T *>(m_inline)); }
    const T *inlineData() const noexcept
    {
        return std::launder(reinterpret_cast<const T *>(m_inline));
    }
    void appendRange(const T *items, qsizetype n)
    {
        // A range inside this list would move if it grew.
        Q_ASSERT(items + n <= begin() || items >= end());
        reserve(m_size + n);
        std::uninitialized_copy_n(items, n, data() + m_size);
        m_size += n;
    }
    void fill(qsizetype n, const T &value)
    {
        n = std::max(n, qsizetype(0));
        reserve(m_size + n);
        std::uninitialized_fill_n(data() + m_size, n, value);
        m_size += n;
    }

    qsizetype m_size = 0;

private:
    // Takes other's elements and leaves it empty. Inline ones move one by
    // one, not as bytes: a block copy of elements whose fields were just
    // stored stalls on store forwarding, which cost a lookup 10 ns.
    void takeFrom(InlineList &other) noexcept
    {
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        if (m_capacity) {
            m_heap = other.m_heap;
        } else {
            T *from = other.inlineData();
            T *to = inlineData();
            for (qsizetype i = 0; i < N; ++i) {
                if (i < m_size) {
                    new (to + i) T(std::move(from[i]));
                    from[i].~T();
                }
            }
        }
        other.m_size = 0;
        other.m_capacity = 0;
    }
    // Straight-line for inline elements: every lookup result ends here.
    void release() noexcept
    {
        if (m_capacity) [[unlikely]]
            return releaseHeap();
        T *items = inlineData();
        for (qsizetype i = 0; i < N; ++i) {
            if (i < m_size)
                items[i].~T();
        }
    }
    [[gnu::noinline]] void releaseHeap() noexcept
    {
        std::destroy_n(m_heap, m_size);
        ::operator delete(m_heap);
    }
    // To a heap block of at least that many elements.
    [[gnu::noinline]] void grow(qsizetype atLeast)
    {
        const qsizetype capacity = std::max(atLeast, 2 * this->capacity());
        auto *block = static_cast<T *>(::operator new(size_t(capacity) * sizeof(T)));
        T *items = data();
        if constexpr (QTypeInfo<T>::isRelocatable) {
            // No copies and no releases (see Q_DECLARE_TYPEINFO).
            std::memcpy(static_cast<void *>(block), items, size_t(m_size) * sizeof(T));
        } else {
            std::uninitialized_move_n(items, m_size, block);
            std::destroy_n(items, m_size);
        }
        if (m_capacity)
            ::operator delete(m_heap);
        m_heap = block;
        m_capacity = capacity;
    }

    qsizetype m_capacity = 0; // 0: the elements are inline (N of them)
    union {
        alignas(T) std::byte m_inline[N * sizeof(T)];
        T *m_heap;
    };
};

} // namespace immortal
