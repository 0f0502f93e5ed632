#include <immortal/tuple.h>

namespace immortal {

size_t Tuple::memory() const noexcept
{
    size_t total = sizeof(Tuple);
    if (!isInline()) // a heap block
        total += size_t(capacity()) * sizeof(Term);
    for (const Term &e : *this)
        total += e.memory() - sizeof(Term); // the element itself is counted above
    return total;
}

} // namespace immortal
