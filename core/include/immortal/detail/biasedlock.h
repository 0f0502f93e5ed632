#pragma once

#include <immortal/detail/readerlock.h>

#include <QtGlobal>

#include <atomic>
#include <limits>
#include <mutex>

namespace immortal {

// A reader-writer lock biased towards the first thread that takes it
// (biased locking, as in Dice, Moir and Scherer's "quickly reacquirable
// locks"). Most tables are only ever used from their owner's thread; for that
// thread, taking the lock costs a store and two loads, and no atomic
// read-modify-write. That matters more than the instruction count: a locked
// instruction waits for every earlier load, so even an uncontended lock
// around a hash probe turns overlapping cache misses into a queue of them.
//
// The first other thread to take the lock revokes the bias, once and for
// good: it marks the lock revoking, runs a process-wide memory barrier
// (membarrier(2), the heavy half of an asymmetric fence whose light half is
// the bias thread's compiler barrier), waits for the bias thread to leave,
// and from then on every thread, the bias thread included, goes through the
// ReaderLock. Where membarrier is missing the lock is never biased.
//
// Take it through ReadLocker and WriteLocker, which remember which way they
// went in. Not recursive, as ReaderLock.
class BiasedLock
{
public:
    // Take the lock shared (ReadLocker) or exclusive (WriteLocker); the
    // locker remembers whether it went in through the bias.
    template<bool Exclusive>
    class Locker
    {
    public:
        explicit Locker(BiasedLock &lock) noexcept
            : m_lock(lock)
            , m_biased(lock.enterBiased())
        {
            if (m_biased)
                return;
            if constexpr (Exclusive)
                m_lock.m_shared.lock();
            else
                m_lock.m_shared.lock_shared();
        }
        ~Locker()
        {
            if (m_biased)
                m_lock.leaveBiased();
            else if constexpr (Exclusive)
                m_lock.m_shared.unlock();
            else
                m_lock.m_shared.unlock_shared();
        }
        Locker(const Locker &) = delete;
        Locker &operator=(const Locker &) = delete;

    private:
        BiasedLock &m_lock;
        const bool m_biased;
    };
    using ReadLocker = Locker<false>;
    using WriteLocker = Locker<true>;

    // True until the bias has been revoked.
    bool isBiased() const noexcept { return m_bias.load(std::memory_order_acquire) != kRevoked; }
    // True once a revocation has begun (for tests).
    bool isRevoking() const noexcept { return m_bias.load(std::memory_order_acquire) >= kRevoking; }

    // False where membarrier(2) is refused: then no lock is ever biased.
    static bool isSupported() noexcept;

    // A number for the calling thread, never reused while the process runs.
    static quint64 currentThread() noexcept
    {
        if (!t_thread) [[unlikely]]
            t_thread = nextThread();
        return t_thread;
    }

private:
    static constexpr quint64 kUnclaimed = std::numeric_limits<quint64>::max() - 2;
    static constexpr quint64 kRevoking = std::numeric_limits<quint64>::max() - 1;
    static constexpr quint64 kRevoked = std::numeric_limits<quint64>::max();

    // True: the caller holds the lock through its bias.
    bool enterBiased() noexcept
    {
        // t_thread is 0 until the thread's first slow entry, and no bias is 0:
        // one compare covers both.
        const quint64 me = t_thread;
        if (m_bias.load(std::memory_order_relaxed) != me) [[unlikely]]
            return enterSlow();
        Q_ASSERT_X(m_biasHeld.load(std::memory_order_relaxed) == 0, "BiasedLock",
                   "the lock is not recursive");
        m_biasHeld.store(1, std::memory_order_relaxed);
        // The light half of the fence: the revoker's membarrier supplies the
        // ordering between this store and the load below.
        std::atomic_signal_fence(std::memory_order_seq_cst);
        if (m_bias.load(std::memory_order_relaxed) == me) [[likely]]
            return true;
        return backOut();
    }
    void leaveBiased() noexcept
    {
        m_biasHeld.store(0, std::memory_order_release);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        // Either the revoker's barrier made this store visible before it
        // looked, or this load sees the revocation and wakes the revoker.
        if (m_bias.load(std::memory_order_relaxed) >= kRevoking) [[unlikely]]
            m_biasHeld.notify_all();
    }
    bool enterSlow() noexcept;
    bool backOut() noexcept;
    void revoke() noexcept;
    static quint64 nextThread() noexcept;

    static inline constinit thread_local quint64 t_thread = 0;

    // kUnclaimed until a thread claims the bias, then that thread's number,
    // then kRevoking and finally kRevoked.
    std::atomic<quint64> m_bias { kUnclaimed };
    std::atomic<quint32> m_biasHeld { 0 }; // 1 while the bias thread is inside; only it writes
    std::mutex m_revokeMutex;
    ReaderLock m_shared;
};

} // namespace immortal
