#pragma once

#include <immortal/types.h>

namespace immortal {

/// Sets the calling process for the current thread for as long as it lives.
///
/// How the library knows the caller: every handler the library runs for a
/// process (Process::event(), so timers, posted events and queued slot calls;
/// Process::guard(); Node::post()) runs inside a ProcessScope for that process.
/// Table access checks use Process::currentPid(), which is 0 outside any
/// scope: the GUI inspector, a test's main body or a plain thread. Code with a
/// legitimate reason to act as a process (a test, a start function) opens a
/// scope itself.
class ProcessScope
{
public:
    /// Acts as `pid` on this thread until destroyed; scopes nest.
    explicit ProcessScope(Pid pid) noexcept;
    /// Restores the caller that was current before.
    ~ProcessScope();
    ProcessScope(const ProcessScope &) = delete;
    ProcessScope &operator=(const ProcessScope &) = delete;

    /// The process this thread acts as, or 0 outside any scope.
    static Pid current() noexcept;

private:
    Pid m_previous;
};

} // namespace immortal
