#pragma once

#include <QString>

#include <functional>

namespace immortal {

class Process;

// A supervisor's child specification (OTP's child_spec()).
struct ChildSpec
{
    enum class Restart { Permanent, Transient, Temporary };
    enum class Type { Worker, Supervisor };
    // Shutdown: a timeout in ms (>= 0), or one of these.
    static constexpr int BrutalKill = -1;
    static constexpr int Infinity = -2;

    QString id;
    // Returns a new, live process; throw (any std::exception) to fail the
    // start, or return nullptr for OTP's `ignore`. Runs in the supervisor's
    // thread; the new process may move itself to another thread.
    std::function<Process *()> start;
    Restart restart = Restart::Permanent;
    int shutdown = 5000;
    Type type = Type::Worker;

    static const char *restartName(Restart r) // "permanent", ...
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
