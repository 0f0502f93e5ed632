#pragma once

#include "process.h"
#include "tableoptions.h"

#include <QString>

namespace immortal {

// The C++ counterpart of Elixir's Immortal.ETSTableManager, and better:
// it creates a table with itself as heir, waits (on registry signals) for a
// process registered as targetName, and gives the table away to it. When the
// target dies the table comes back (ETS-TRANSFER), and goes to the restarted
// target as soon as it registers. A restarted manager re-adopts the table it
// managed instead of making a new one, so no single crash loses the rows.
//
// The manager registers itself as managerName (default "<target>.manager")
// and names itself the table's heir by that name, so a table whose owner
// dies while the manager is restarting waits for it (docs/ownership.md).
class TableManager : public Process
{
    Q_OBJECT
public:
    enum class State { WaitingForTarget, HandedOver };
    Q_ENUM(State)

    TableManager(const QString &targetName, const TableOptions &options,
                 const QString &managerName = QString(), QObject *parent = nullptr);
    ~TableManager() override;

    TableId table() const { return m_table; } // the seed's table/1
    QString targetName() const { return m_targetName; }
    QString managerName() const { return m_managerName; }
    State state() const { return m_state; }
    bool adopted() const { return m_adopted; } // re-adopted an existing table

Q_SIGNALS:
    void tableCreated(immortal::TableId table);
    void tableAdopted(immortal::TableId table);
    void waitingForTarget(const QString &targetName);
    void handedOver(immortal::TableId table, immortal::Pid to);
    void reclaimed(immortal::TableId table, immortal::Pid from);

protected:
    void handleEtsTransfer(TableId table, Pid from, const Term &data) override;

private:
    QString m_targetName;
    QString m_managerName;
    TableOptions m_options;
    TableId m_table = 0;
    State m_state = State::WaitingForTarget;
    bool m_adopted = false;
    QMetaObject::Connection m_wait;
};

} // namespace immortal
