#pragma once

#include <immortal/types.h>

#include <QMutex>
#include <QString>
#include <QStringList>

#include <map>

namespace immortal::soak {

// What the consumers of one table wrote and did not delete, as they saw
// their writes return: the rows the table must hold whatever was killed.
// Written from the consumers' threads, read by the driver.
class Ledger
{
public:
    explicit Ledger(const QString &target, bool counts);

    QString target() const { return m_target; }
    bool counts() const { return m_counts; } // set types keep a counter row

    // The consumer's update_counter returned `value`: one past the last.
    void counted(qint64 value);
    // Reserves the key of the next appended row.
    qint64 nextAppendKey();
    void appended(qint64 key, qint64 payload);
    // The oldest appended row, to delete; 0 when there are few rows.
    qint64 oldestToDelete(int keep) const;
    void deleted(qint64 key);
    void failed(const QString &what); // a write that threw or returned nonsense

    struct Snapshot
    {
        qint64 counter = 0;
        std::map<qint64, qint64> rows;
        QStringList failures;
    };
    Snapshot snapshot() const;

private:
    const QString m_target;
    const bool m_counts;
    mutable QMutex m_mutex;
    qint64 m_counter = 0;
    qint64 m_nextKey = 1;
    std::map<qint64, qint64> m_rows;
    QStringList m_failures;
};

} // namespace immortal::soak
