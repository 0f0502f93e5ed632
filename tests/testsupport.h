#pragma once

// Helpers shared by the core's test suites.

#include "error.h"
#include "term.h"

#include <QString>
#include <QtGlobal>

namespace immortal {

// QCOMPARE prints Terms in Erlang's notation when they differ.
inline char *toString(const Term &t)
{
    return qstrdup(t.format().toUtf8().constData());
}

// The error code a call throws ("badarg", "no_such_table", ...), or "ok"
// when it throws nothing.
template<typename F>
QString errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QLatin1String(Error::codeName(e.code()));
    }
    return QStringLiteral("ok");
}

} // namespace immortal
