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

class Source;

/// The supervision tree as a model: supervisors, workers and table managers,
/// arranged by who supervises whom. One row per child slot, not per pid: a
/// restarted child keeps its row (with a new pid and one more restart), so
/// views and selections survive crashes. Reads one Source: fed by its events
/// in batches and its queries, updated incrementally; reset only when the
/// source is reset or replaced.
class ProcessTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    /// The columns: name (or child id), pid, kind, state, restarts.
    enum Column { NameColumn, PidColumn, KindColumn, StateColumn, RestartsColumn, ColumnCount };
    /// A row's state: Running; Waiting (a restarted child that has not
    /// registered its name again, or a manager waiting for its target);
    /// Restarting (dead, restart pending); Dead.
    enum class State { Running, Waiting, Restarting, Dead };
    Q_ENUM(State)
    /// The data roles beyond Qt's, for every column.
    enum Role {
        PidRole = Qt::UserRole + 1, ///< Pid (the current or last pid)
        StateRole, ///< State
        KindRole, ///< "worker", "supervisor", "table_manager"
        ChildIdRole, ///< the child spec id, empty for roots
        RegisteredNameRole, ///< the registered name (kept while restarting)
        RestartsRole, ///< int, how often the slot was restarted
        ItemKeyRole, ///< quint64, stable for the row's whole life
        LastReasonRole, ///< the last exit reason
        StartedNsRole, ///< steady clock, when the current pid started
        ClassNameRole, ///< the process's QObject class name
    };
    /// One death of a row's process, for exitHistory().
    struct ExitRecord
    {
        qint64 tNs = 0; ///< steady clock, as in the trace
        Pid pid = 0; ///< the pid that exited
        QString reason; ///< its exit reason
    };

    /// Starts with the processes alive now in this program's runtime (a
    /// LiveSource of its own) and follows the trace from then on.
    explicit ProcessTreeModel(QObject *parent = nullptr);
    /// Starts with the processes alive in `source` and follows its events.
    explicit ProcessTreeModel(Source *source, QObject *parent = nullptr);
    ~ProcessTreeModel() override; ///< stops following the source

    Source *source() const { return m_source; } ///< what the model reads
    /// Reads `source` from now on (not owned): a model reset, from its processes.
    void setSource(Source *source);

    /// A row of the tree; the roots are the processes nobody supervises.
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override; ///< the supervisor's row
    int rowCount(const QModelIndex &parent = {}) const override; ///< the children's slots
    int columnCount(const QModelIndex &parent = {}) const override; ///< ColumnCount
    /// The text of each Column, a state icon, a tooltip, and the Role data.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The column titles.
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override; ///< enabled, selectable

    QModelIndex indexOfPid(Pid pid, int column = 0) const; ///< current or recent pids
    QModelIndex indexOfKey(quint64 key, int column = 0) const; ///< by ItemKeyRole
    QList<ExitRecord> exitHistory(const QModelIndex &index) const; ///< oldest first
    static QString stateName(State state); ///< translated: "running", ...
    /// `"table_manager"` -> `"table manager"`
    static QString kindLabel(const QString &kind);

    /// How many dead rows stay visible (oldest leave first).
    void setMaxDeadRows(int n) { m_maxDead = n; }
    /// Removes every dead row whose subtree is dead too (a fresh start).
    void removeDead();
    /// Applies the source's queued events now (tests, screenshots).
    void flush();

Q_SIGNALS:
    /// After each applied batch, once the model is consistent again.
    void updated();

private:
    struct Item;
    void apply(const QList<TraceEvent> &events);
    void rebuild(); // from the source's snapshot, inside a model reset
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
    void pruneDead();

    std::unique_ptr<Item> m_root;
    QHash<Pid, Item *> m_byPid;
    QHash<quint64, Item *> m_byKey;
    QSet<Item *> m_changed;
    std::deque<std::pair<quint64, quint64>> m_deadOrder; // (key, death serial)
    quint64 m_nextKey = 1;
    quint64 m_deathSerial = 0;
    int m_maxDead = 200;
    bool m_resetting = false; // inside rebuild(): no row signals
    Source *m_source = nullptr;
    QMetaObject::Connection m_eventsConnection, m_resetConnection;
};

} // namespace immortal
