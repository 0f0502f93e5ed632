#pragma once

#include <QtGlobal>

#include <atomic>

namespace immortal {

// A reader-writer lock whose readers do not share a cache line: each thread
// counts itself in one of kReaderSlots padded counters, so two readers never
// bounce a line between cores, and a read costs two uncontended atomic
// operations. A writer raises m_writer (which also keeps other writers out),
// then waits for every slot to drain; a reader that sees m_writer backs out
// and waits for it to fall. A writer lets the readers that waited for the
// previous writer in first, so writers back to back cannot starve a reader.
// Waits block in the kernel (std::atomic::wait), they do not spin. Not
// recursive.
// Meets SharedMutex, so std::shared_lock and std::unique_lock work.
class ReaderLock
{
public:
    void lock_shared() noexcept;
    void unlock_shared() noexcept;
    void lock() noexcept;
    void unlock() noexcept;
    // Readers that found a writer in and wait for their turn (tests).
    quint32 waitingReaders() const noexcept
    {
        return m_waitingReaders.load(std::memory_order_seq_cst);
    }

private:
    static constexpr int kReaderSlots = 8;
    struct alignas(64) Slot
    {
        std::atomic<quint32> readers { 0 };
    };
    static Slot &slotOf(Slot *slotArray) noexcept;
    Slot m_slots[kReaderSlots];
    alignas(64) std::atomic<quint32> m_writer { 0 }; // 1 while a writer holds or waits
    std::atomic<quint32> m_waitingReaders { 0 }; // readers that found a writer in
};

} // namespace immortal
