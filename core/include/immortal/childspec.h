#pragma once

#include <QString>

#include <functional>

namespace immortal {

class Process;

/// A supervisor's child specification (OTP's child_spec()).
///
/// Supervisor throws Error(BadArg) for a spec with an empty id, no start
/// function or a shutdown that is neither a timeout nor one of the constants.
struct ChildSpec
{
    /// When a child that exited is restarted: Permanent always, Transient
    /// unless its reason is `normal`, `shutdown` or `{shutdown, _}`
    /// (ExitReason::isOrderly), Temporary never.
    enum class Restart { Permanent, Transient, Temporary };
    /// Whether the child is a Worker or a Supervisor, as whichChildren() reports it.
    enum class Type { Worker, Supervisor };
    /// Shutdown: exit "kill" at once, with no shutdown request.
    static constexpr int BrutalKill = -1;
    /// Shutdown: request it, then wait for the child however long it takes.
    static constexpr int Infinity = -2;

    QString id; ///< unique among the supervisor's children, not empty
    /// Returns a new, live process ({ok, Pid}); return nullptr for OTP's
    /// `ignore`; throw to fail the start: Error(code, message, reason) fails
    /// it with `reason` (OTP's {error, Reason}), any other exception with
    /// ExitReason::fromException(). Runs in the supervisor's thread; the new
    /// process may move itself to another thread.
    std::function<Process *()> start;
    Restart restart = Restart::Permanent; ///< when the child is restarted
    /// Shutdown: a timeout in ms (>= 0) from the shutdown request until the
    /// child is killed, or one of BrutalKill and Infinity.
    int shutdown = 5000;
    Type type = Type::Worker; ///< worker or supervisor

    /// The Erlang name: "permanent", ...
    static const char *restartName(Restart r)
    {
        switch (r) {
        case Restart::Permanent:
            return "permanent";
        case Restart::Transient:
            return "transient";
        case Restart::Temporary:
            return "temporary";
        }
        return "unknown";
    }
};

} // namespace immortal
