#pragma once

#include <immortal/term.h>

#include <QString>

#include <stdexcept>

namespace immortal {

/// Every failure the library reports is an Error with a code an Erlang
/// programmer recognises, and a sentence a person can act on.
/// A call that throws has changed nothing.
class Error : public std::runtime_error
{
public:
    /// What went wrong; codeName() gives the Erlang-style atom.
    enum class Code {
        BadArg, ///< an argument has the wrong type or value
        NoSuchTable, ///< the table was deleted or never existed
        AccessDenied, ///< the table's access mode forbids this caller
        NotOwner, ///< only the owner may do this (give_away, setopts, delete)
        NameTaken, ///< a registered name or a named_table name is in use
        NoProc, ///< the process is not alive
        NotFound, ///< supervisor: no child with that id
        Running, ///< supervisor: the child is running
        Restarting, ///< supervisor: the child is being restarted
        AlreadyPresent, ///< supervisor: a child with that id exists
        StartFailed, ///< supervisor: a child's start function failed
    };

    /// An error with this code; what() is "code_name: message", in UTF-8.
    Error(Code code, const QString &message);
    /// The same, with the reason as a term, for code that acts on it: a
    /// start function throws this to fail with OTP's `{error, Reason}`, and
    /// a process ended by it exits with `reason`.
    Error(Code code, const QString &message, const Term &reason);

    Code code() const noexcept { return m_code; } ///< what went wrong
    QString message() const { return m_message; } ///< the sentence for people
    /// The reason given to the constructor, else `{CodeName, "message"}`.
    Term reason() const;
    /// The Erlang-style atom for the code: "badarg", "no_such_table", ...
    static const char *codeName(Code code);

private:
    Code m_code;
    QString m_message;
    Term m_reason; // `undefined` when not given
};

} // namespace immortal
