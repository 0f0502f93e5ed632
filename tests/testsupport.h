#pragma once

// Helpers shared by the core's test suites.

#include <immortal/error.h>
#include <immortal/rows.h>
#include <immortal/term.h>
#include <immortal/tuple.h>

#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace immortal {

// QCOMPARE prints Terms in Erlang's notation when they differ.
inline char *toString(const Term &t)
{
    return qstrdup(t.format().toUtf8().constData());
}

// Rows and lookup results print as Erlang would: {1,a} and [{1,a}].
inline char *toString(const Tuple &row)
{
    return toString(Term::tuple(row));
}
inline char *toString(const Rows &rows)
{
    QStringList out;
    for (const Tuple &row : rows)
        out.append(Term::tuple(row).format());
    return qstrdup(('[' + out.join(u',') + ']').toUtf8().constData());
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
