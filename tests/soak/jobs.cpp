#include "jobs.h"

namespace immortal::soak {

std::shared_ptr<void> Jobs::token()
{
    ++m_pending;
    return std::shared_ptr<void>(nullptr, [this](void *) {
        --m_pending;
        emit changed();
    });
}

} // namespace immortal::soak
