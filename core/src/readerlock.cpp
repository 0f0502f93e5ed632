#include <immortal/detail/readerlock.h>

namespace immortal {

ReaderLock::Slot &ReaderLock::slotOf(Slot *slotArray) noexcept
{
    // Threads take slots round robin: the first kReaderSlots threads that
    // read never share one.
    static std::atomic<quint32> next { 0 };
    thread_local const quint32 mine = next.fetch_add(1, std::memory_order_relaxed) % kReaderSlots;
    return slotArray[mine];
}

void ReaderLock::lock_shared() noexcept
{
    Slot &slot = slotOf(m_slots);
    // seq_cst on both sides (Dekker): either the writer sees this count or
    // this reader sees the writer's flag.
    slot.readers.fetch_add(1, std::memory_order_seq_cst);
    if (m_writer.load(std::memory_order_seq_cst) == 0) [[likely]]
        return;
    unlock_shared();
    // A writer is in. Say so, so that the next writer lets this reader in
    // before it takes the lock: writers back to back never starve a reader.
    m_waitingReaders.fetch_add(1, std::memory_order_seq_cst);
    for (;;) {
        m_writer.wait(1, std::memory_order_acquire);
        slot.readers.fetch_add(1, std::memory_order_seq_cst);
        if (m_writer.load(std::memory_order_seq_cst) == 0)
            break;
        unlock_shared();
    }
    if (m_waitingReaders.fetch_sub(1, std::memory_order_seq_cst) == 1)
        m_waitingReaders.notify_all();
}

void ReaderLock::unlock_shared() noexcept
{
    Slot &slot = slotOf(m_slots);
    // A waiting writer sleeps on this counter: wake it when it drains.
    if (slot.readers.fetch_sub(1, std::memory_order_seq_cst) == 1
        && m_writer.load(std::memory_order_seq_cst) != 0)
        slot.readers.notify_all();
}

void ReaderLock::lock() noexcept
{
    for (;;) {
        // Readers that waited for the last writer go first (they are in, or
        // on their way in, once m_writer is down); readers arriving later do
        // not wait here, so a writer waits for one turn of readers at most.
        for (quint32 n = m_waitingReaders.load(std::memory_order_seq_cst); n != 0;
             n = m_waitingReaders.load(std::memory_order_seq_cst))
            m_waitingReaders.wait(n, std::memory_order_seq_cst);
        // m_writer is also the writers' mutex: one raises it at a time.
        quint32 held = 0;
        if (m_writer.compare_exchange_strong(held, 1, std::memory_order_seq_cst))
            break;
        m_writer.wait(held, std::memory_order_acquire);
    }
    for (Slot &slot : m_slots) {
        for (quint32 n = slot.readers.load(std::memory_order_seq_cst); n != 0;
             n = slot.readers.load(std::memory_order_seq_cst))
            slot.readers.wait(n, std::memory_order_seq_cst);
    }
}

void ReaderLock::unlock() noexcept
{
    m_writer.store(0, std::memory_order_seq_cst);
    m_writer.notify_all();
}

} // namespace immortal
