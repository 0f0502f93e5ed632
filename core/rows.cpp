#include "rows.h"

#include <algorithm>

namespace immortal {

void Rows::grow(qsizetype atLeast)
{
    const qsizetype capacity = std::max(atLeast, 2 * this->capacity());
    auto *block = static_cast<Tuple *>(::operator new(size_t(capacity) * sizeof(Tuple)));
    std::uninitialized_move_n(data(), m_size, block);
    std::destroy_n(data(), m_size);
    if (m_capacity)
        ::operator delete(m_heap);
    m_heap = block;
    m_capacity = capacity;
}

void Rows::releaseHeap() noexcept
{
    std::destroy_n(m_heap, m_size);
    ::operator delete(m_heap);
}

} // namespace immortal
