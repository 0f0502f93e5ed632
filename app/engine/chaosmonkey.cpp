#include "chaosmonkey.h"

#include <immortal/error.h>
#include <immortal/node.h>

#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <random>

namespace immortal {

Q_LOGGING_CATEGORY(lcChaos, "immortal.chaos", QtWarningMsg)

ChaosMonkey::ChaosMonkey(Provider candidates, QObject *parent)
    : QObject(parent)
    , m_candidates(std::move(candidates))
    , m_timer(this)
{
    setSeed(0);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        strike();
        updateTimer();
    });
}

void ChaosMonkey::setRate(double killsPerSecond)
{
    if (!(killsPerSecond > 0) || killsPerSecond > 1000) {
        throw Error(
            Error::Code::BadArg,
            QStringLiteral("Chaos rate %1: expected kills per second above 0, at most 1000.")
                .arg(killsPerSecond));
    }
    m_rate = killsPerSecond;
    if (m_timer.isActive())
        updateTimer();
}

void ChaosMonkey::setSeed(quint64 seed)
{
    m_seed = seed;
    // All 64 bits of the seed matter, not just the low 32.
    std::seed_seq sequence { quint32(seed), quint32(seed >> 32) };
    m_random.seed(sequence);
}

void ChaosMonkey::setTargetFilter(const QRegularExpression &filter)
{
    if (!filter.isValid()) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("Chaos target filter \"%1\": expected a valid regular "
                                   "expression (%2).")
                        .arg(filter.pattern(), filter.errorString()));
    }
    m_filter = filter;
    m_filtered.clear();
}

std::optional<bool> ChaosMonkey::filterMatches(const QRegularExpression &filter,
                                               const QString &subject)
{
    // PCRE2's own limit on backtracking steps, far above what a name needs.
    const QRegularExpression bounded(QStringLiteral("(*LIMIT_MATCH=100000)") + filter.pattern(),
                                     filter.patternOptions());
    const QRegularExpressionMatch m = bounded.match(subject);
    if (!m.isValid())
        return std::nullopt;
    return m.hasMatch();
}

bool ChaosMonkey::passes(const QString &subject) const
{
    if (subject.isEmpty())
        return false;
    const auto cached = m_filtered.constFind(subject);
    if (cached != m_filtered.cend())
        return *cached;
    const std::optional<bool> match = filterMatches(m_filter, subject);
    if (!match)
        qCWarning(lcChaos) << "the chaos target filter" << m_filter.pattern() << "gave up matching"
                           << subject << "(too much backtracking): not a target";
    m_filtered.insert(subject, match.value_or(false));
    return match.value_or(false);
}

void ChaosMonkey::setEnabled(bool enabled)
{
    if (m_enabled == enabled)
        return;
    m_enabled = enabled;
    updateTimer();
    Q_EMIT enabledChanged(enabled);
}

void ChaosMonkey::setPaused(bool paused)
{
    m_paused = paused;
    updateTimer();
}

// Kills arrive as a Poisson process at the rate: exponential gaps drawn
// from the seeded generator, so the timing is reproducible too.
void ChaosMonkey::updateTimer()
{
    if (!m_enabled || m_paused) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(std::clamp(drawGapMs(), 1.0, 3600.0 * 1000.0)));
}

double ChaosMonkey::drawGapMs()
{
    const double u = 1.0 - m_random.generateDouble(); // (0, 1]
    return -std::log(u) * 1000.0 / m_rate;
}

QList<ChaosMonkey::Candidate> ChaosMonkey::eligible() const
{
    QList<Candidate> out;
    if (!m_candidates)
        return out;
    const bool filtered = !m_filter.pattern().isEmpty();
    for (const Candidate &c : m_candidates()) {
        if (m_struck.contains(c.pid) || !Node::instance()->isAlive(c.pid))
            continue;
        if (filtered) {
            if (!passes(c.name) && !passes(c.childId))
                continue;
        } else if (c.supervisor) {
            continue;
        }
        out.append(c);
    }
    // A stable order, so the seed alone decides who is picked.
    std::sort(out.begin(), out.end(), [](const Candidate &a, const Candidate &b) {
        return a.childId != b.childId ? a.childId < b.childId : a.pid < b.pid;
    });
    return out;
}

Pid ChaosMonkey::strike()
{
    // Pids are never reused: forgetting the dead only keeps the set small.
    m_struck.removeIf([](Pid pid) { return !Node::instance()->isAlive(pid); });
    const QList<Candidate> candidates = eligible();
    if (candidates.isEmpty())
        return 0;
    const Candidate &c = candidates.at(qsizetype(m_random.bounded(quint64(candidates.size()))));
    if (!Node::instance()->exit(c.pid, m_reason))
        return 0;
    m_struck.insert(c.pid);
    ++m_kills;
    qCDebug(lcChaos) << "killed" << c.pid << (c.name.isEmpty() ? c.childId : c.name);
    Q_EMIT killed(c.pid, c.name.isEmpty() ? c.childId : c.name);
    return c.pid;
}

} // namespace immortal
