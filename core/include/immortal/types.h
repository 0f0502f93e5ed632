#pragma once

#include <QtGlobal>

/// Erlang/OTP's processes, supervisors and ETS tables with heirs, for C++ and
/// Qt: everything Immortal declares is in this namespace.
namespace immortal {

/// A process identifier. Pids are 64-bit, start at 1 and are never reused
/// within one run, so a stale pid can never name a newer process. 0 = none.
using Pid = quint64;

/// A table identifier, never reused either (like an ets tid). 0 = none.
using TableId = quint64;

} // namespace immortal
