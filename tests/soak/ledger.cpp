#include "ledger.h"

namespace immortal::soak {

Ledger::Ledger(const QString &target, bool counts)
    : m_target(target)
    , m_counts(counts)
{ }

void Ledger::counted(qint64 value)
{
    QMutexLocker lock(&m_mutex);
    // Only the owner writes, one at a time: an increment that is not one
    // past the last means one was lost (or applied twice) across a crash.
    if (value != m_counter + 1)
        m_failures << QStringLiteral("%1: update_counter returned %2 after %3")
                          .arg(m_target)
                          .arg(value)
                          .arg(m_counter);
    m_counter = value;
}

qint64 Ledger::nextAppendKey()
{
    QMutexLocker lock(&m_mutex);
    return m_nextKey++;
}

void Ledger::appended(qint64 key, qint64 payload)
{
    QMutexLocker lock(&m_mutex);
    m_rows[key] = payload;
}

qint64 Ledger::oldestToDelete(int keep) const
{
    QMutexLocker lock(&m_mutex);
    return qsizetype(m_rows.size()) > keep ? m_rows.begin()->first : 0;
}

void Ledger::deleted(qint64 key)
{
    QMutexLocker lock(&m_mutex);
    m_rows.erase(key);
}

void Ledger::failed(const QString &what)
{
    QMutexLocker lock(&m_mutex);
    m_failures << m_target + QStringLiteral(": ") + what;
}

Ledger::Snapshot Ledger::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return { m_counter, m_rows, m_failures };
}

} // namespace immortal::soak
