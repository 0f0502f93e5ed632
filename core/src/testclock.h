#pragma once

#include <QtGlobal>

namespace immortal::detail {

/// A clock that replaces the steady clock behind Node::nowNs().
using ClockFunction = qint64 (*)() noexcept;

/// Makes Node::nowNs() read `clock` instead of the steady clock; nullptr
/// restores the steady clock. A seam for tests of time windows, such as a
/// supervisor's restart period, that must not wait on a real clock. Set it
/// before the threads that read the clock start, and restore it after.
void setTestClock(ClockFunction clock) noexcept;

/// The clock set by setTestClock(), or nullptr.
ClockFunction testClock() noexcept;

} // namespace immortal::detail
