#pragma once

#include "scenariorunner.h"

#include <immortal/traceevent.h>

#include <QObject>
#include <QPointer>
#include <QTextStream>

namespace immortal {

// immortal-studio --headless: runs a scenario for a while without a window,
// prints one readable line per trace event as it happens, then a one-line
// summary, and finishes with the exit status (0: every table safe; 3: one was
// lost or is left without an owner at the end; 4: the trace file could not
// be written, so the run's record is incomplete).
class HeadlessRun : public QObject
{
    Q_OBJECT
public:
    static constexpr int exitOk = 0;
    static constexpr int exitTableLost = 3;
    static constexpr int exitTraceFailed = 4;

    // durationMs <= 0 runs until the tree stops by itself.
    HeadlessRun(ScenarioRunner *runner, int durationMs, QObject *parent = nullptr);

    void start(); // throws what ScenarioRunner::start() throws
    // Ends the run now, as the duration would, saying why first: the tree
    // stops in order and the summary is printed. `code` replaces the
    // verdict (0 or 3) when given.
    void stop(const QString &why, int code = -1);

    // "[  1.234s] child_restarted supervisor=<0.3.0> child_id=consumer ..."
    static QString describe(const TraceEvent &e, qint64 startNs);
    // "summary: processes=3 restarts=1 tables=1 rows=1 tables_lost=0 tables_orphaned=0 ran_ms=1500"
    static QString summary(const ScenarioRunner::Stats &s, qint64 ranMs);
    // Why the run ends with exitTableLost: "tables not safe: 1 table(s) lost, ..."
    static QString unsafeText(const ScenarioRunner::Stats &s);
    static QString timeText(qint64 ns); // "[   1.234s]"

Q_SIGNALS:
    void finished(int exitCode);

private:
    void print(const QString &line);
    QString stamp() const; // the time since start, as timeText

    QPointer<ScenarioRunner> m_runner;
    int m_durationMs;
    qint64 m_startNs = 0;
    bool m_ended = false;
    QTextStream m_out;
    QMetaObject::Connection m_events;
};

} // namespace immortal
