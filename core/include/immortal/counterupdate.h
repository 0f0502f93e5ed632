#pragma once

#include <immortal/term.h>

#include <optional>

namespace immortal {

/// One change of ets:update_counter/3,4: {Pos, Incr}, or with a threshold
/// {Pos, Incr, Threshold, SetValue}. The counter at `pos` becomes its value
/// plus `incr`; with a threshold, a result above it (incr >= 0) or below it
/// (incr < 0) is replaced by `setValue`. All integers, of any size.
struct CounterUpdate
{
    /// {Pos, Incr}.
    CounterUpdate(int pos, const Term &incr)
        : pos(pos)
        , incr(incr)
    { }
    /// {Pos, Incr, Threshold, SetValue}.
    CounterUpdate(int pos, const Term &incr, const Term &threshold, const Term &setValue)
        : pos(pos)
        , incr(incr)
        , threshold(threshold)
        , setValue(setValue)
    { }

    int pos = 2; ///< 1-based position of the counter; not the key's
    Term incr = 1; ///< added to the counter
    std::optional<Term> threshold; ///< none: no threshold
    Term setValue = 0; ///< the counter's value past the threshold
};

} // namespace immortal
