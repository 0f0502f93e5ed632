#include <immortal/detail/biasedlock.h>
#include <immortal/detail/readerlock.h>

#include <QTest>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

using namespace immortal;

// BiasedLock: the first thread enters without atomic read-modify-writes; the
// first other thread revokes that, once, and from then on the lock is an
// ordinary reader-writer lock. These tests check exclusion across the
// revocation, not speed.
class TstBiasedLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstThreadKeepsTheBias()
    {
        if (!BiasedLock::isSupported())
            QSKIP("membarrier(2) is refused on this machine: locks are never biased");
        BiasedLock lock;
        for (int i = 0; i < 3; ++i) {
            BiasedLock::ReadLocker read(lock);
        }
        {
            BiasedLock::WriteLocker write(lock);
        }
        QVERIFY(lock.isBiased());
        QVERIFY(!lock.isRevoking());
    }

    void anotherThreadRevokesItOnce()
    {
        if (!BiasedLock::isSupported())
            QSKIP("membarrier(2) is refused on this machine: locks are never biased");
        BiasedLock lock;
        {
            BiasedLock::WriteLocker write(lock); // this thread claims the bias
        }
        QVERIFY(lock.isBiased()); // so what follows is a revocation
        std::thread other([&] { BiasedLock::ReadLocker read(lock); });
        other.join();
        QVERIFY(!lock.isBiased());
        // The bias thread now goes through the shared lock like everyone.
        {
            BiasedLock::WriteLocker write(lock);
        }
        std::thread again([&] { BiasedLock::WriteLocker write(lock); });
        again.join();
        QVERIFY(!lock.isBiased());
    }

    // A revoker must wait for the bias thread to leave: while this thread
    // holds the lock through its bias, the other one cannot be inside.
    void revocationWaitsForTheBiasThread()
    {
        if (!BiasedLock::isSupported())
            QSKIP("membarrier(2) is refused on this machine: locks are never biased");
        BiasedLock lock;
        int guarded = 0; // written under the lock only
        std::atomic<bool> entered { false };
        std::jthread other; // joins even when a check fails
        {
            BiasedLock::WriteLocker write(lock);
            QVERIFY(lock.isBiased()); // held through the bias, not the shared lock
            other = std::jthread([&] {
                BiasedLock::WriteLocker otherWrite(lock);
                entered = true;
                guarded += 10;
            });
            QTRY_VERIFY(lock.isRevoking());
            QVERIFY(!entered);
            guarded = 1;
        }
        other.join();
        QVERIFY(entered);
        QCOMPARE(guarded, 11);
        QVERIFY(!lock.isBiased());
    }

    // The bias thread writing while other threads arrive, revoke and write
    // too: no increment is lost and no reader sees half a write.
    void writersExcludeEachOtherAcrossTheRevocation()
    {
        for (int round = 0; round < 20; ++round) {
            BiasedLock lock;
            qint64 counter = 0;
            qint64 mirror = 0; // always equal to counter under the lock
            std::atomic<bool> torn { false };
            std::atomic<bool> go { false };
            constexpr int perThread = 2000;
            {
                BiasedLock::WriteLocker write(lock); // the bias is this thread's
            }
            // Where membarrier(2) is refused there is no bias to revoke, and
            // this checks the shared lock's exclusion alone.
            QCOMPARE(lock.isBiased(), BiasedLock::isSupported());
            std::vector<std::thread> threads;
            for (int w = 0; w < 2; ++w) {
                threads.emplace_back([&] {
                    go.wait(false);
                    for (int i = 0; i < perThread; ++i) {
                        BiasedLock::WriteLocker write(lock);
                        ++counter;
                        ++mirror;
                    }
                });
            }
            threads.emplace_back([&] {
                go.wait(false);
                for (int i = 0; i < perThread; ++i) {
                    BiasedLock::ReadLocker read(lock);
                    if (counter != mirror)
                        torn = true;
                }
            });
            go = true;
            go.notify_all();
            for (int i = 0; i < perThread; ++i) {
                BiasedLock::WriteLocker write(lock);
                ++counter;
                ++mirror;
            }
            for (auto &t : threads)
                t.join();
            QVERIFY(!torn);
            QCOMPARE(counter, 3 * perThread);
            QVERIFY(!lock.isBiased());
        }
    }

    // Two writers that take the lock back to back, with no pause between,
    // must not starve a reader: once a reader waits, at most one writer (one
    // that was already past the readers' turn) gets in before it. Counted by
    // the writers themselves, so a reader preempted before it asks does not
    // count. (Without the readers' turn a reader waited out thousands of
    // writes, and under ASan tst_table's ordered walk under writers never
    // ended.)
    void writersBackToBackDoNotStarveAReader()
    {
        ReaderLock lock;
        std::atomic<qint64> writes { 0 }, writesWhileAReaderWaited { 0 }, readerWaits { 0 };
        std::atomic<bool> stop { false };
        std::vector<std::jthread> writers;
        for (int w = 0; w < 2; ++w) {
            writers.emplace_back([&] {
                while (!stop.load(std::memory_order_relaxed)) {
                    std::unique_lock<ReaderLock> write(lock);
                    if (lock.waitingReaders() > 0)
                        writesWhileAReaderWaited.fetch_add(1);
                    // Long enough that the other writer is always waiting.
                    for (int i = 0; i < 200; ++i)
                        writes.fetch_add(1, std::memory_order_relaxed);
                    if (lock.waitingReaders() > 0)
                        readerWaits.fetch_add(1); // the reader did have to wait
                }
            });
        }
        // Both writers at it before the reader starts.
        while (writes.load() < 2 * 200 * 10)
            std::this_thread::yield();
        qint64 worst = 0;
        for (int read = 0; read < 2000; ++read) {
            std::shared_lock<ReaderLock> reader(lock);
            worst = std::max(worst, writesWhileAReaderWaited.exchange(0));
        }
        stop = true;
        writers.clear();
        QVERIFY(readerWaits.load() > 0);
        QVERIFY2(worst <= 1,
                 qPrintable(QStringLiteral("a reader waited out %1 writes").arg(worst)));
    }

    void threadNumbersAreNotShared()
    {
        const quint64 mine = BiasedLock::currentThread();
        QCOMPARE(BiasedLock::currentThread(), mine);
        quint64 theirs = 0;
        std::thread other([&] { theirs = BiasedLock::currentThread(); });
        other.join();
        QVERIFY(theirs != 0);
        QVERIFY(theirs != mine);
    }
};

QTEST_GUILESS_MAIN(TstBiasedLock)
#include "tst_biasedlock.moc"
