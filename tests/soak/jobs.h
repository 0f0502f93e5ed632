#pragma once

#include <QObject>

#include <atomic>
#include <memory>

namespace immortal::soak {

// Counts the writes posted to consumers that have not yet run or been
// dropped with a dead consumer, so the driver knows when none is in flight.
class Jobs : public QObject
{
    Q_OBJECT
public:
    // Held by a posted job: released when the job has run or was dropped.
    std::shared_ptr<void> token();
    int pending() const { return m_pending.load(); }

Q_SIGNALS:
    void changed(); // from any thread

private:
    std::atomic<int> m_pending { 0 };
};

} // namespace immortal::soak
