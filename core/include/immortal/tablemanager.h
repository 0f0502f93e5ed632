#pragma once

#include <immortal/process.h>
#include <immortal/tableoptions.h>

#include <QString>

#include <atomic>

namespace immortal {

/// The C++ counterpart of Elixir's Immortal.ETSTableManager, and better:
/// it creates a table with itself as heir, waits (on registry signals) for a
/// process registered as targetName, and gives the table away to it. When the
/// target dies the table comes back (ETS-TRANSFER), and goes to the restarted
/// target as soon as it registers. A restarted manager re-adopts the table it
/// managed instead of making a new one, so no single crash loses the rows.
///
/// The manager registers itself as managerName (default `"<target>.manager"`)
/// and names itself the table's heir by that name, so a table whose owner
/// dies while the manager is restarting waits for it (docs/ownership.md).
///
/// The table is created (or re-adopted) in the constructor, so table() is
/// valid at once; the signals and the hand-over follow from the manager's
/// event loop, so a caller can connect to them right after construction.
/// `options.heir` is replaced by the manager's own name; its data (delivered
/// with every ETS-TRANSFER and give-away) and graceMs are kept.
/// Errors: BadArg (empty target name, or manager name == target name),
/// NameTaken (the manager name is in use, or the named_table name is).
class TableManager : public Process
{
    Q_OBJECT
public:
    /// WaitingForTarget while the manager owns the table, HandedOver once the
    /// target does.
    enum class State { WaitingForTarget, HandedOver };
    Q_ENUM(State)

    /// Creates (or re-adopts) the table and registers as managerName; see
    /// the class description for the errors.
    TableManager(const QString &targetName, const TableOptions &options,
                 const QString &managerName = QString(), QObject *parent = nullptr);
    ~TableManager() override; ///< a table it holds waits for a restarted manager (its heir)

    /// The seed's table/1; safe to call from any thread.
    TableId table() const { return m_table.load(std::memory_order_acquire); }
    QString targetName() const { return m_targetName; } ///< whom the table is for
    QString managerName() const { return m_managerName; } ///< the name it registered
    /// Who holds the table now; safe to call from any thread.
    State state() const { return m_state.load(std::memory_order_acquire); }
    bool adopted() const { return m_adopted; } ///< re-adopted an existing table

Q_SIGNALS:
    void tableCreated(immortal::TableId table); ///< a new table (not re-adopted)
    void tableAdopted(immortal::TableId table); ///< re-adopted the table it managed before
    void waitingForTarget(const QString &targetName); ///< it owns the table, no target yet
    void handedOver(immortal::TableId table, immortal::Pid to); ///< gave the table to `to`
    /// The target `from` died and the table came back (ETS-TRANSFER).
    void reclaimed(immortal::TableId table, immortal::Pid from);

protected:
    /// Takes the table back when the target dies, then waits for the next one.
    void handleEtsTransfer(TableId table, Pid from, const Term &data) override;

private:
    static QObject *checked(const QString &targetName, const QString &managerName, QObject *parent);
    void begin();
    void settle();
    void startWaiting();
    void waitForRegistration(quint64 epoch);
    void waitForNameToFree(Pid dead, quint64 epoch);
    void handOver(Pid target);
    void setState(State s) { m_state.store(s, std::memory_order_release); }

    QString m_targetName;
    QString m_managerName;
    TableOptions m_options;
    std::atomic<TableId> m_table { 0 };
    std::atomic<State> m_state { State::WaitingForTarget };
    bool m_adopted = false;
    bool m_started = false; // begin() has run
    bool m_waiting = false; // a wait for the target is armed
    // Bumped on every hand-over and new wait, so a stale callback does nothing.
    quint64 m_epoch = 0;
    QMetaObject::Connection m_wait;
};

} // namespace immortal
