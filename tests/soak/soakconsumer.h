#pragma once

#include <immortal/process.h>

#include <atomic>

namespace immortal::soak {

class Ledger;

// A named process that is given a table by its manager and writes to it:
// a counter row (set types), appended rows, deletions of the oldest.
class SoakConsumer : public Process
{
    Q_OBJECT
public:
    enum class Write { Count, Append, Delete };

    SoakConsumer(const QString &name, Ledger *ledger, QObject *parent = nullptr);

    // Runs in the consumer's thread (Node::post): one write, noted in the ledger.
    void write(Write what, qint64 payload);

protected:
    void handleEtsTransfer(TableId table, Pid from, const Term &data) override;

private:
    Ledger *m_ledger;
    std::atomic<TableId> m_table { 0 };
};

} // namespace immortal::soak
