#include <immortal/exitreason.h>

#include <immortal/error.h>
#include <immortal/tuple.h>

namespace immortal {

Term ExitReason::normal()
{
    static const Term t = Term::atom(u"normal");
    return t;
}

Term ExitReason::shutdown()
{
    static const Term t = Term::atom(u"shutdown");
    return t;
}

Term ExitReason::shutdown(const Term &detail)
{
    return Term::tuple({ shutdown(), detail });
}

Term ExitReason::kill()
{
    static const Term t = Term::atom(u"kill");
    return t;
}

Term ExitReason::killed()
{
    static const Term t = Term::atom(u"killed");
    return t;
}

Term ExitReason::fromException(const std::exception_ptr &e)
{
    static const Term exception = Term::atom(u"exception");
    try {
        std::rethrow_exception(e);
    } catch (const Error &err) {
        return err.reason();
    } catch (const std::exception &ex) {
        return Term::tuple({ exception, Term(QString::fromUtf8(ex.what())) });
    } catch (...) {
        return Term::tuple({ exception, Term::atom(u"unknown") });
    }
}

bool ExitReason::isOrderly(const Term &reason)
{
    if (reason == normal() || reason == shutdown())
        return true;
    return reason.isTuple() && reason.size() == 2 && reason.at(0) == shutdown();
}

} // namespace immortal
