#include "soakconsumer.h"

#include "ledger.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/table.h>

namespace immortal::soak {

namespace {
// Deletes keep the tables small, so checking every row after every step stays cheap.
constexpr int keptRows = 48;
} // namespace

SoakConsumer::SoakConsumer(const QString &name, Ledger *ledger, QObject *parent)
    : Process(parent)
    , m_ledger(ledger)
{
    registerName(name);
}

void SoakConsumer::handleEtsTransfer(TableId table, Pid from, const Term &data)
{
    Process::handleEtsTransfer(table, from, data);
    m_table = table;
}

void SoakConsumer::write(Write what, qint64 payload)
{
    const TableId id = m_table;
    if (id == 0)
        return; // not handed over yet: nothing to write to
    try {
        Table t = Table::fromId(id);
        switch (what) {
        case Write::Count:
            if (m_ledger->counts()) {
                const Term key = Term::atom(u"count");
                m_ledger->counted(t.updateCounter(key, 2, 1, Tuple { key, Term(0) }));
                break;
            }
            [[fallthrough]]; // bags have no counters: append instead
        case Write::Append: {
            const qint64 key = m_ledger->nextAppendKey();
            t.insert({ Term(key), Term(payload) });
            m_ledger->appended(key, payload);
            break;
        }
        case Write::Delete:
            // The oldest few rows, so that the tables hover around keptRows.
            for (int i = 0; i < 4; ++i) {
                const qint64 key = m_ledger->oldestToDelete(keptRows);
                if (key == 0)
                    break;
                t.erase(Term(key));
                m_ledger->deleted(key);
            }
            break;
        }
    } catch (const Error &e) {
        // The owner writing its own table: no error is expected.
        m_ledger->failed(QStringLiteral("a write by its owner %1 failed: %2")
                             .arg(Node::pidText(pid()), e.message()));
    }
}

} // namespace immortal::soak
