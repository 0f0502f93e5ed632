#include "testclock.h"

#include <atomic>

namespace immortal::detail {

namespace {
std::atomic<ClockFunction> g_clock { nullptr };
} // namespace

void setTestClock(ClockFunction clock) noexcept
{
    g_clock.store(clock, std::memory_order_relaxed);
}

ClockFunction testClock() noexcept
{
    return g_clock.load(std::memory_order_relaxed);
}

} // namespace immortal::detail
