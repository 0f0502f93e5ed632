#include <immortal/processscope.h>

namespace immortal {

namespace {
thread_local Pid t_current = 0;
}

ProcessScope::ProcessScope(Pid pid) noexcept
    : m_previous(t_current)
{
    t_current = pid;
}

ProcessScope::~ProcessScope()
{
    t_current = m_previous;
}

Pid ProcessScope::current() noexcept
{
    return t_current;
}

} // namespace immortal
