#include <immortal/detail/biasedlock.h>

#ifdef Q_OS_LINUX
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace immortal {

namespace {

#ifdef Q_OS_LINUX
long membarrier(int cmd) noexcept
{
    return syscall(__NR_membarrier, cmd, 0, 0);
}
#endif

// Registers for the expedited barrier once; false where the kernel (or a
// seccomp filter) refuses it, and then no lock is ever biased.
bool heavyBarrierAvailable() noexcept
{
#ifdef Q_OS_LINUX
    static const bool available = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    return available;
#else
    return false;
#endif
}

// Makes every running thread of the process execute a full memory barrier:
// the half of the fence the bias thread leaves out.
void heavyBarrier() noexcept
{
#ifdef Q_OS_LINUX
    // Registered before the bias being revoked was claimed.
    [[maybe_unused]] const long rc = membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    Q_ASSERT(rc == 0);
#endif
}

} // namespace

bool BiasedLock::isSupported() noexcept
{
    return heavyBarrierAvailable();
}

quint64 BiasedLock::nextThread() noexcept
{
    static std::atomic<quint64> next { 0 };
    return next.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool BiasedLock::enterSlow() noexcept
{
    const quint64 me = currentThread();
    quint64 bias = m_bias.load(std::memory_order_acquire);
    if (bias == kRevoked)
        return false;
    if (bias == kUnclaimed && heavyBarrierAvailable()
        && m_bias.compare_exchange_strong(bias, me, std::memory_order_acq_rel))
        return enterBiased();
    revoke();
    return false;
}

bool BiasedLock::backOut() noexcept
{
    // A revocation began while the bias thread was on its way in: step
    // aside, and wait for the revocation to finish.
    m_biasHeld.store(0, std::memory_order_release);
    m_biasHeld.notify_all();
    revoke();
    return false;
}

void BiasedLock::revoke() noexcept
{
    std::lock_guard guard(m_revokeMutex);
    quint64 bias = m_bias.load(std::memory_order_acquire);
    do {
        if (bias == kRevoked)
            return;
    } while (!m_bias.compare_exchange_weak(bias, kRevoking, std::memory_order_acq_rel));
    if (bias != kUnclaimed) {
        heavyBarrier();
        // From here the bias thread either is inside, and m_biasHeld shows
        // it, or it will see the revocation on its way in.
        for (quint32 held = m_biasHeld.load(std::memory_order_acquire); held != 0;
             held = m_biasHeld.load(std::memory_order_acquire))
            m_biasHeld.wait(held, std::memory_order_acquire);
    }
    m_bias.store(kRevoked, std::memory_order_release);
}

} // namespace immortal
