#include "tuple.h"

#include <algorithm>
#include <cstring>

namespace immortal {

void Tuple::grow(qsizetype atLeast)
{
    const qsizetype capacity = std::max(atLeast, 2 * this->capacity());
    auto *block = static_cast<Term *>(::operator new(size_t(capacity) * sizeof(Term)));
    // Terms move bytewise (see Q_DECLARE_TYPEINFO in term.h): no copies, no releases.
    std::memcpy(static_cast<void *>(block), data(), size_t(m_size) * sizeof(Term));
    if (m_capacity)
        ::operator delete(m_heap);
    m_heap = block;
    m_capacity = capacity;
}

void Tuple::releaseHeap() noexcept
{
    std::destroy_n(m_heap, m_size);
    ::operator delete(m_heap);
}

void Tuple::resize(qsizetype n)
{
    if (n < m_size) {
        std::destroy(data() + n, data() + m_size);
    } else {
        reserve(n);
        std::uninitialized_value_construct(data() + m_size, data() + n);
    }
    m_size = n;
}

size_t Tuple::memory() const noexcept
{
    size_t total = sizeof(Tuple);
    if (m_capacity) // a heap block
        total += size_t(m_capacity) * sizeof(Term);
    for (const Term &e : *this)
        total += e.memory() - sizeof(Term); // the element itself is counted above
    return total;
}

} // namespace immortal
