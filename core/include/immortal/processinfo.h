#pragma once

#include <immortal/types.h>

#include <QString>

namespace immortal {

// A snapshot of what the core knows about a process, alive or recently dead.
struct ProcessInfo
{
    enum class State { Running, Exiting, Dead };

    Pid pid = 0;
    QString name; // registered name, empty if none
    QString kind; // "worker", "supervisor", "table_manager"
    QString className; // the QObject's class name
    State state = State::Running;
    Pid supervisor = 0; // 0 for roots
    QString childId; // the child spec id under that supervisor
    QString exitReason; // set once exiting
    qint64 startedNs = 0; // steady clock, as in the trace
    qint64 exitedNs = 0;
};

} // namespace immortal
