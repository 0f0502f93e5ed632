#include <immortal/error.h>

namespace immortal {

Error::Error(Code code, const QString &message)
    : std::runtime_error(
        QStringLiteral("%1: %2").arg(QLatin1String(codeName(code)), message).toStdString())
    , m_code(code)
    , m_message(message)
{ }

Error::Error(Code code, const QString &message, const Term &reason)
    : Error(code, message)
{
    m_reason = reason;
}

Term Error::reason() const
{
    if (m_reason != Term())
        return m_reason;
    return Term::tuple({ Term::atom(QString::fromLatin1(codeName(m_code))), Term(m_message) });
}

const char *Error::codeName(Code code)
{
    switch (code) {
    case Code::BadArg:
        return "badarg";
    case Code::NoSuchTable:
        return "no_such_table";
    case Code::AccessDenied:
        return "access_denied";
    case Code::NotOwner:
        return "not_owner";
    case Code::NameTaken:
        return "name_taken";
    case Code::NoProc:
        return "noproc";
    case Code::NotFound:
        return "not_found";
    case Code::Running:
        return "running";
    case Code::Restarting:
        return "restarting";
    case Code::AlreadyPresent:
        return "already_present";
    case Code::StartFailed:
        return "start_failed";
    }
    return "unknown";
}

} // namespace immortal
