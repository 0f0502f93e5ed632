#include "headlessrun.h"

#include "chaosmonkey.h"

#include <immortal/node.h>
#include <immortal/trace.h>

#include <QStringList>
#include <QTimer>

#include <cstdio>

namespace immortal {

HeadlessRun::HeadlessRun(ScenarioRunner *runner, int durationMs, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
    , m_durationMs(durationMs)
    , m_out(stdout)
{ }

QString HeadlessRun::timeText(qint64 ns)
{
    return QStringLiteral("[%1s]").arg(double(ns) / 1e9, 8, 'f', 3);
}

QString HeadlessRun::stamp() const
{
    return timeText(Node::nowNs() - m_startNs);
}

QString HeadlessRun::describe(const TraceEvent &e, qint64 startNs)
{
    QStringList parts;
    parts << timeText(e.tNs - startNs) << QString::fromLatin1(TraceEvent::typeName(e.type));
    for (const TraceEvent::Field &f : e.fields()) {
        QString value = f.isPid ? Node::pidText(Pid(f.value.toLongLong())) : f.value.toString();
        if (f.value.typeId() == QMetaType::QString && value.contains(QLatin1Char(' ')))
            value = QLatin1Char('"') + value + QLatin1Char('"');
        parts << QString::fromLatin1(f.key) + QLatin1Char('=') + value;
    }
    return parts.join(QLatin1Char(' '));
}

QString HeadlessRun::summary(const ScenarioRunner::Stats &s, qint64 ranMs)
{
    return QStringLiteral("summary: processes=%1 restarts=%2 tables=%3 rows=%4 tables_lost=%5 "
                          "tables_orphaned=%6 ran_ms=%7")
        .arg(s.processes)
        .arg(s.restarts)
        .arg(s.tables)
        .arg(s.rows)
        .arg(s.tablesLost)
        .arg(s.tablesOrphaned)
        .arg(ranMs);
}

QString HeadlessRun::unsafeText(const ScenarioRunner::Stats &s)
{
    QStringList why;
    if (s.tablesLost > 0)
        why << (s.tablesLost == 1 ? tr("1 table lost") : tr("%1 tables lost").arg(s.tablesLost));
    if (s.tablesOrphaned > 0)
        why << (s.tablesOrphaned == 1 ? tr("1 table left without an owner, waiting for an heir")
                                      : tr("%1 tables left without an owner, waiting for an heir")
                                            .arg(s.tablesOrphaned));
    return tr("tables not safe: %1").arg(why.join(QStringLiteral(", ")));
}

void HeadlessRun::print(const QString &line)
{
    m_out << line << '\n';
    m_out.flush(); // as it happens, also through a pipe
}

void HeadlessRun::start()
{
    m_startNs = Node::nowNs();
    m_events = connect(Trace::instance(), &Trace::event, this,
                       [this](const TraceEvent &e) { print(describe(e, m_startNs)); });
    connect(m_runner, &ScenarioRunner::scriptActionDone, this,
            [this](const QString &text) { print(stamp() + QStringLiteral(" script: ") + text); });
    connect(m_runner->chaos(), &ChaosMonkey::killed, this, [this](Pid pid, const QString &name) {
        print(stamp() + QStringLiteral(" chaos: killed %1 %2").arg(name, Node::pidText(pid)));
    });
    connect(m_runner, &ScenarioRunner::stopped, this,
            [this] { stop(QStringLiteral("the root supervisor exited")); });
    try {
        m_runner->start();
    } catch (...) {
        disconnect(m_events);
        throw;
    }
    if (m_durationMs > 0)
        QTimer::singleShot(m_durationMs, Qt::PreciseTimer, this, [this] { stop(QString()); });
}

void HeadlessRun::stop(const QString &why, int forced)
{
    if (m_ended || !m_runner)
        return;
    m_ended = true;
    // The summary describes the run, not the shutdown that follows it.
    disconnect(m_events);
    if (!why.isEmpty())
        print(stamp() + QLatin1Char(' ') + why);
    const ScenarioRunner::Stats stats = m_runner->stats();
    print(summary(stats, m_runner->elapsedMs()));
    const bool unsafe = stats.tablesLost > 0 || stats.tablesOrphaned > 0;
    if (unsafe)
        print(stamp() + QLatin1Char(' ') + unsafeText(stats));
    const int code = forced >= 0 ? forced : unsafe ? exitTableLost : exitOk;
    if (!m_runner->isRunning()) {
        Q_EMIT finished(code);
        return;
    }
    // Stop the tree in order before leaving; a bounded wait, never a hang.
    auto *fallback = new QTimer(this);
    fallback->setSingleShot(true);
    connect(fallback, &QTimer::timeout, this, [this, code] { Q_EMIT finished(code); });
    connect(m_runner, &ScenarioRunner::stopped, this, [this, code, fallback] {
        fallback->stop();
        Q_EMIT finished(code);
    });
    fallback->start(10000);
    m_runner->stop();
}

} // namespace immortal
