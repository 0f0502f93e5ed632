#pragma once

#include <immortal/traceevent.h>
#include <immortal/types.h>

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <deque>
#include <memory>
#include <vector>

namespace immortal {

class TraceBatcher;

// The supervision tree as a model: supervisors, workers and table managers,
// arranged by who supervises whom. One row per child slot, not per pid: a
// restarted child keeps its row (with a new pid and one more restart), so
// views and selections survive crashes. Fed by the trace stream in batches
// and by Node's query functions; updated incrementally, never reset.
class ProcessTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, PidColumn, KindColumn, StateColumn, RestartsColumn, ColumnCount };
    enum class State { Running, Waiting, Restarting, Dead };
    Q_ENUM(State)
    enum Role {
        PidRole = Qt::UserRole + 1, // Pid (the current or last pid)
        StateRole, // State
        KindRole, // "worker", "supervisor", "table_manager"
        ChildIdRole,
        RegisteredNameRole, // the registered name (kept while restarting)
        RestartsRole,
        ItemKeyRole, // quint64, stable for the row's whole life
        LastReasonRole, // the last exit reason
        StartedNsRole, // steady clock, when the current pid started
        ClassNameRole,
    };
    struct ExitRecord
    {
        qint64 tNs = 0;
        Pid pid = 0;
        QString reason;
    };

    explicit ProcessTreeModel(QObject *parent = nullptr);
    ~ProcessTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    QModelIndex indexOfPid(Pid pid, int column = 0) const; // current or recent pids
    QModelIndex indexOfKey(quint64 key, int column = 0) const;
    QList<ExitRecord> exitHistory(const QModelIndex &index) const; // oldest first
    static QString stateName(State state);
    static QString kindLabel(const QString &kind); // "table_manager" -> "table manager"

    // How many dead rows stay visible (oldest leave first).
    void setMaxDeadRows(int n) { m_maxDead = n; }
    // Removes every dead row whose subtree is dead too (a fresh start).
    void removeDead();
    // Applies the queued trace events now (tests, screenshots).
    void flush();

Q_SIGNALS:
    // After each applied batch, once the model is consistent again.
    void updated();

private:
    struct Item;
    void apply(const QList<TraceEvent> &events);
    Item *itemFor(const QModelIndex &index) const;
    QModelIndex indexOf(const Item *item, int column = 0) const;
    int rowOf(const Item *item) const;
    Item *place(Pid pid, Pid supervisor, const QString &childId);
    Item *ensureKnown(Pid pid, int depth = 0);
    Item *findChildSlot(Item *parent, const QString &childId) const;
    void adopt(Item *item, Pid pid);
    void setState(Item *item, State state);
    void recordExit(Item *item, const TraceEvent &e);
    void removeItem(Item *item);
    void forget(Item *item);
    void reconcile();
    void pruneDead();

    std::unique_ptr<Item> m_root;
    QHash<Pid, Item *> m_byPid;
    QHash<quint64, Item *> m_byKey;
    QSet<Item *> m_changed;
    QSet<Pid> m_supervisorsToCheck;
    std::deque<std::pair<quint64, quint64>> m_deadOrder; // (key, death serial)
    quint64 m_nextKey = 1;
    quint64 m_deathSerial = 0;
    int m_maxDead = 200;
    TraceBatcher *m_batcher = nullptr;
};

} // namespace immortal
