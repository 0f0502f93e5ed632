#pragma once

// Shared by the match patterns of tabledata.cpp (match, match_object) and
// matchspec.cpp (match specification heads).

#include <immortal/term.h>

#include <cmath>

namespace immortal::detail {

// Whether a constant in a pattern matches `t`. As in OTP 25's match
// programs, floats in a constant compare by their bits: 0.0 does not match
// -0.0, though the two are =:= (and one key, and a repeated variable binds
// both). Checked on OTP 25: ets:match_object(T, {'_', 0.0}) skips {a, -0.0}.
inline bool sameSigns(const Term &a, const Term &b) // a == b
{
    if (a.isFloat())
        return std::signbit(a.toDouble()) == std::signbit(b.toDouble());
    if (a.isTuple() || a.isList()) {
        const auto x = a.elements();
        const auto y = b.elements();
        for (size_t i = 0; i < x.size(); ++i) {
            if (!sameSigns(x[i], y[i]))
                return false;
        }
    }
    return true;
}

inline bool constantMatches(const Term &constant, const Term &t)
{
    return constant == t && sameSigns(constant, t);
}

} // namespace immortal::detail
