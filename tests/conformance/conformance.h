#pragma once

// Shared by the conformance drivers (etsdriver, supdriver): finding Erlang,
// running it, reading known-divergences.md and comparing terms.

#include "matchpattern.h"

#include <immortal/term.h>

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace conformance {

using immortal::Term;

// CTest's SKIP_RETURN_CODE for both drivers: no Erlang on this machine.
constexpr int kSkip = 77;

inline void out(const QString &s)
{
    std::fputs(qPrintable(s + u'\n'), stdout);
    std::fflush(stdout);
}

inline void err(const QString &s)
{
    std::fputs(qPrintable(s + u'\n'), stderr);
    std::fflush(stderr);
}

// escript's path, or empty after telling the user how to install it.
inline QString findEscript()
{
    const QString escript = QStandardPaths::findExecutable(QStringLiteral("escript"));
    if (escript.isEmpty()) {
        out(QStringLiteral("SKIPPED: Erlang/OTP is not installed, so there is nothing to compare "
                           "against.\nInstall it with: sudo apt-get install erlang-base\n"
                           "(scripts/common.sh installs it with the other test packages)"));
    }
    return escript;
}

// Runs `escript script args...` and returns its standard output; exits the
// driver (status 2) if Erlang fails.
inline QByteArray runEscript(const QString &escript, const QString &script, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(escript, QStringList { script } + args);
    if (!p.waitForStarted(30000) || !p.waitForFinished(-1) || p.exitStatus() != QProcess::NormalExit
        || p.exitCode() != 0) {
        err(QStringLiteral("running %1 %2 %3 failed (exit code %4):\n%5")
                .arg(escript, script, args.join(u' '))
                .arg(p.exitCode())
                .arg(QString::fromUtf8(p.readAllStandardError())));
        std::exit(2);
    }
    return p.readAllStandardOutput();
}

// The exclusion ids of one suite ("ets" or "supervisor") that
// known-divergences.md lists, from its lines of the form
//     - [ets] `neg_zero_key`: ...
inline QStringList knownDivergences(const QString &path, const QString &suite)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        err(QStringLiteral("cannot read %1").arg(path));
        std::exit(2);
    }
    const QRegularExpression line(
        QStringLiteral("^-\\s*\\[%1\\]\\s*`([a-z0-9_]+)`").arg(QRegularExpression::escape(suite)));
    QStringList ids;
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n');
    for (const QString &l : lines) {
        const auto m = line.match(l);
        if (m.hasMatch())
            ids.append(m.captured(1));
    }
    return ids;
}

using immortal::detail::identical; // exact: -0.0 is not 0.0

// A total order for sorting results whose order is unspecified: term order,
// then the text, so 1 and 1.0 (equal in term order) sort the same way on
// both sides.
inline bool totalLess(const Term &a, const Term &b)
{
    if (const int c = Term::compare(a, b))
        return c < 0;
    return a.format() < b.format();
}

inline Term sorted(const Term &list)
{
    if (!list.isList())
        return list;
    QList<Term> v = list.toList();
    std::sort(v.begin(), v.end(), totalLess);
    return Term::list(v);
}

} // namespace conformance
