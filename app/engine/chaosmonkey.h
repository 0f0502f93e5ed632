#pragma once

#include <immortal/exitreason.h>
#include <immortal/types.h>

#include <QHash>
#include <QList>
#include <QObject>
#include <QRandomGenerator64>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

#include <functional>
#include <optional>

namespace immortal {

// Random kills at a rate, for watching a tree heal itself.
// A QTimer drives it; each tick picks one live candidate with a
// QRandomGenerator seeded by setSeed(), so a run with the same seed, rate and
// tree kills the same sequence of processes. Candidates come from a provider
// (the ScenarioRunner's tree). Supervisors are only ever picked when the
// target filter is set and matches them; with no filter it picks among
// workers and table managers.
class ChaosMonkey : public QObject
{
    Q_OBJECT
public:
    struct Candidate
    {
        Pid pid = 0;
        QString name; // registered name, may be empty
        QString childId;
        bool supervisor = false;
    };
    using Provider = std::function<QList<Candidate>()>;

    explicit ChaosMonkey(Provider candidates, QObject *parent = nullptr);

    void setRate(double killsPerSecond); // > 0 and <= 1000; BadArg otherwise
    double rate() const { return m_rate; }
    void setSeed(quint64 seed); // restarts the sequence
    quint64 seed() const { return m_seed; }
    // Matches a candidate's registered name or child id (partial match, use
    // ^...$ to anchor). An invalid expression throws Error(BadArg). A match
    // that backtracks past a bounded budget counts as no match, so a
    // pathological expression cannot stall the run.
    void setTargetFilter(const QRegularExpression &filter);
    QRegularExpression targetFilter() const { return m_filter; }
    void setReason(const Term &reason) { m_reason = reason; }
    Term reason() const { return m_reason; }

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }
    // Paused keeps the settings but stops the kills (the runner's pause).
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    int kills() const { return m_kills; }

    // The candidates the filter lets through now, sorted by child id. A
    // process struck before is not among them: its exit signal may still be
    // on its way (or it trapped it).
    QList<Candidate> eligible() const;
    // One kill now (what each tick does). Returns the pid killed, or 0.
    Pid strike();
    // The gap to the next kill, in ms: exponential with mean 1000 / rate (a
    // Poisson process), drawn from the seeded generator. The timer uses it.
    double drawGapMs();
    // Whether `filter` matches `subject` within the matching budget;
    // std::nullopt when it gave up (catastrophic backtracking).
    static std::optional<bool> filterMatches(const QRegularExpression &filter,
                                             const QString &subject);

Q_SIGNALS:
    void killed(immortal::Pid pid, const QString &name);
    void enabledChanged(bool enabled);

private:
    void updateTimer();
    bool passes(const QString &subject) const;

    Provider m_candidates;
    QTimer m_timer;
    QRandomGenerator64 m_random;
    QRegularExpression m_filter;
    mutable QHash<QString, bool> m_filtered; // names and ids do not change: match each once
    Term m_reason = ExitReason::kill();
    double m_rate = 1.0;
    quint64 m_seed = 0;
    bool m_enabled = false;
    bool m_paused = false;
    int m_kills = 0;
    QSet<Pid> m_struck; // signalled, maybe not yet dead
};

} // namespace immortal
