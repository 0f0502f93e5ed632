#pragma once

#include <immortal/term.h>
#include <immortal/types.h>

#include <QString>

namespace immortal {

/// A snapshot of what the core knows about a process, alive or recently dead.
struct ProcessInfo
{
    /// Running, Exiting (exit() called, not yet deleted) or Dead.
    enum class State { Running, Exiting, Dead };

    Pid pid = 0; ///< the process
    QString name; ///< registered name, empty if none
    QString kind; ///< "worker", "supervisor", "table_manager"
    QString className; ///< the QObject's class name
    State state = State::Running; ///< where it is in its life
    Pid supervisor = 0; ///< 0 for roots
    QString childId; ///< the child spec id under that supervisor
    Term exitReason; ///< set once exiting (`undefined` until then)
    qint64 startedNs = 0; ///< steady clock, as in the trace
    qint64 exitedNs = 0; ///< steady clock, once dead; 0 until then
};

} // namespace immortal
