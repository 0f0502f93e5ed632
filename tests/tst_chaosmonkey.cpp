// The chaos monkey: a seed makes its choices reproducible, the filter and the
// supervisor rule decide who may be picked, and the timer does the killing.

#include "chaosmonkey.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <vector>

using namespace immortal;

namespace {

QStringList victims(quint64 seed, int strikes)
{
    QStringList out;
    QList<ChaosMonkey::Candidate> candidates;
    std::vector<Process *> all;
    for (int i = 0; i < 8; ++i) {
        auto *p = new Process;
        all.push_back(p);
        candidates.append({ p->pid(), QString(), QStringLiteral("w%1").arg(i), false });
    }
    ChaosMonkey monkey([&] { return candidates; });
    monkey.setSeed(seed);
    for (int i = 0; i < strikes; ++i) {
        const Pid pid = monkey.strike();
        for (const auto &c : candidates) {
            if (c.pid == pid)
                out << c.childId;
        }
    }
    // Killed processes delete themselves; the rest we end here.
    for (Process *p : all) {
        if (Node::instance()->isAlive(p->pid()))
            Node::instance()->exit(p->pid(), ExitReason::kill());
    }
    return out;
}

} // namespace

class TestChaosMonkey : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameVictims();
    void supervisorsOnlyWhenMatched();
    void pathologicalFilterGivesUp();
    void gapsFollowTheRate();
    void timerKillsAtTheRate();
    void rejectsBadSettings();
};

void TestChaosMonkey::sameSeedSameVictims()
{
    const QStringList a = victims(42, 5);
    const QStringList b = victims(42, 5);
    QCOMPARE(a.size(), 5);
    QCOMPARE(a, b);
    QVERIFY(victims(43, 5) != a || victims(44, 5) != a);
    // A victim is never picked again, whatever the seed, though its exit
    // signal is still on its way when the next strike comes.
    for (quint64 seed = 0; seed < 50; ++seed) {
        const QStringList v = victims(seed, 5);
        QVERIFY2(QSet<QString>(v.begin(), v.end()).size() == 5,
                 qPrintable(QStringLiteral("seed %1: %2").arg(seed).arg(v.join(u' '))));
    }
}

void TestChaosMonkey::supervisorsOnlyWhenMatched()
{
    QList<ChaosMonkey::Candidate> candidates;
    Process worker, manager, supervisor;
    worker.registerName(QStringLiteral("ChaosWorker"));
    candidates.append({ worker.pid(), QStringLiteral("ChaosWorker"), QStringLiteral("w"), false });
    candidates.append({ manager.pid(), QString(), QStringLiteral("m"), false });
    candidates.append({ supervisor.pid(), QString(), QStringLiteral("root"), true });
    ChaosMonkey monkey([&] { return candidates; });

    auto ids = [&] {
        QStringList out;
        for (const auto &c : monkey.eligible())
            out << c.childId;
        return out;
    };
    QCOMPARE(ids(), QStringList({ QStringLiteral("m"), QStringLiteral("w") }));
    monkey.setTargetFilter(QRegularExpression(QStringLiteral("^root$")));
    QCOMPARE(ids(), QStringList({ QStringLiteral("root") }));
    monkey.setTargetFilter(QRegularExpression(QStringLiteral("Chaos"))); // by registered name
    QCOMPARE(ids(), QStringList({ QStringLiteral("w") }));
    monkey.setTargetFilter(QRegularExpression(QStringLiteral("nobody")));
    QCOMPARE(monkey.strike(), Pid(0));
    QCOMPARE(monkey.kills(), 0);
}

// A filter that backtracks without end on a name gives up within PCRE2's
// match budget and counts as no match, instead of stalling every tick.
void TestChaosMonkey::pathologicalFilterGivesUp()
{
    const QString name = QString(40, QLatin1Char('a')) + QLatin1Char('b');
    const QRegularExpression nested(QStringLiteral("^(a+)+$"));
    QCOMPARE(ChaosMonkey::filterMatches(nested, name), std::nullopt);
    QCOMPARE(ChaosMonkey::filterMatches(nested, QStringLiteral("aaaa")), std::optional(true));
    QCOMPARE(ChaosMonkey::filterMatches(QRegularExpression(QStringLiteral("^b")), name),
             std::optional(false));

    Process worker;
    worker.registerName(name);
    ChaosMonkey monkey([&] {
        return QList<ChaosMonkey::Candidate> { { worker.pid(), name, QStringLiteral("w"), false } };
    });
    monkey.setTargetFilter(nested);
    // Unbounded, each tick would spend PCRE2's default ten million steps on the name.
    for (int tick = 0; tick < 1000; ++tick)
        QVERIFY(monkey.eligible().isEmpty());
    QCOMPARE(monkey.strike(), Pid(0));
}

// The gaps between kills are those of a Poisson process at the rate: the
// seeded generator's draws, checked without a clock.
void TestChaosMonkey::gapsFollowTheRate()
{
    ChaosMonkey monkey([] { return QList<ChaosMonkey::Candidate>(); });
    monkey.setSeed(1);
    monkey.setRate(50); // a mean gap of 20 ms
    constexpr int draws = 20000;
    double sum = 0;
    int belowMean = 0;
    for (int i = 0; i < draws; ++i) {
        const double gap = monkey.drawGapMs();
        QVERIFY(gap >= 0);
        sum += gap;
        belowMean += gap < 20.0;
    }
    QVERIFY2(std::abs(sum / draws - 20.0) < 0.6, qPrintable(QString::number(sum / draws)));
    // Exponential: P(gap < mean) = 1 - 1/e.
    QVERIFY2(std::abs(double(belowMean) / draws - (1 - std::exp(-1.0))) < 0.02,
             qPrintable(QString::number(double(belowMean) / draws)));
    monkey.setRate(500);
    double fast = 0;
    for (int i = 0; i < draws; ++i)
        fast += monkey.drawGapMs();
    QVERIFY(std::abs(fast / draws - 2.0) < 0.06);
}

void TestChaosMonkey::timerKillsAtTheRate()
{
    QList<ChaosMonkey::Candidate> candidates;
    for (int i = 0; i < 3; ++i) {
        auto *p = new Process; // deletes itself when killed
        candidates.append({ p->pid(), QString(), QStringLiteral("c%1").arg(i), false });
    }
    ChaosMonkey monkey([&] { return candidates; });
    monkey.setSeed(1);
    monkey.setRate(50);
    QSignalSpy killed(&monkey, &ChaosMonkey::killed);
    QSignalSpy toggled(&monkey, &ChaosMonkey::enabledChanged);
    monkey.setEnabled(true);
    QCOMPARE(toggled.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(killed.size(), 3, 10000);
    QCOMPARE(monkey.kills(), 3);
    for (const auto &c : candidates)
        QTRY_VERIFY(!Node::instance()->isAlive(c.pid));
    QVERIFY(monkey.eligible().isEmpty());
    monkey.setEnabled(false);
}

void TestChaosMonkey::rejectsBadSettings()
{
    ChaosMonkey monkey([] { return QList<ChaosMonkey::Candidate>(); });
    QVERIFY_THROWS_EXCEPTION(Error, monkey.setRate(0));
    QVERIFY_THROWS_EXCEPTION(Error, monkey.setRate(-3));
    QVERIFY_THROWS_EXCEPTION(Error,
                             monkey.setTargetFilter(QRegularExpression(QStringLiteral("("))));
    QCOMPARE(monkey.rate(), 1.0); // unchanged
    monkey.setRate(2);
    QCOMPARE(monkey.rate(), 2.0);
}

QTEST_GUILESS_MAIN(TestChaosMonkey)
#include "tst_chaosmonkey.moc"
