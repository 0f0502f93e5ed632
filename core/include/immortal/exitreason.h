#pragma once

#include <immortal/term.h>

#include <exception>

namespace immortal {

/// Exit reasons are terms, as in Erlang: atoms such as `normal`, `shutdown`
/// and `killed`, and tuples such as `{shutdown, Detail}` or
/// `{badarg, "message"}`. These are the reasons the library itself uses and
/// the tests a supervisor applies to them; any other term is a valid reason.
///
/// The trace and the studio show a reason as Term::format() writes it
/// (`{shutdown,bye}`), and Term::parse() reads that text back.
class ExitReason
{
public:
    ExitReason() = delete;

    static Term normal(); ///< `normal`: the process finished its work
    static Term shutdown(); ///< `shutdown`: it was asked to stop
    static Term shutdown(const Term &detail); ///< `{shutdown, Detail}`: asked to stop, with why
    /// `kill`: the exit signal no process can trap. A process it reaches
    /// dies with reason killed().
    static Term kill();
    static Term killed(); ///< `killed`: the reason of a process that got kill()

    /// The reason of a process ended by this exception: Error::reason() for
    /// an immortal::Error (`{badarg, "message"}`, or the reason it carries),
    /// `{exception, "what()"}` for any other std::exception, `{exception,
    /// unknown}` for anything else.
    static Term fromException(const std::exception_ptr &e);

    /// `normal`, `shutdown` or `{shutdown, _}`: the reasons after which a
    /// transient child stays down (OTP's rule), and which are not crashes.
    static bool isOrderly(const Term &reason);
};

} // namespace immortal
