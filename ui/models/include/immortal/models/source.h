#pragma once

#include <immortal/processinfo.h>
#include <immortal/tableinfo.h>
#include <immortal/term.h>
#include <immortal/traceevent.h>
#include <immortal/tuple.h>
#include <immortal/types.h>

#include <QFlags>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace immortal {

/// What every view of the studio reads: the processes and their tree, the
/// tables with their info and rows, the events in order, and the actions the
/// source allows. The models, the graph and the panels read one Source and
/// nothing else, so the same views show a live runtime (LiveSource), a
/// recorded trace (ReplaySource), or later a remote node.
///
/// Only value types cross this interface (ProcessInfo, TableInfo,
/// TraceEvent, Term, Tuple): no live object, so an implementation may be far
/// away. The queries answer for the source's current state; `events()`
/// reports, in sequence order and in batches, what changed it since, and
/// `reset()` says the whole state was replaced, so views rebuild from the
/// queries.
class Source : public QObject
{
    Q_OBJECT
public:
    /// What a view may ask a source to do.
    enum class Action {
        NoAction = 0x0, ///< nothing
        ExitProcess = 0x1, ///< exitProcess(): send a process an exit signal
        RestartChild = 0x2, ///< restartChild(): supervisor:restart_child
        TerminateChild = 0x4, ///< terminateChild(): supervisor:terminate_child
    };
    Q_DECLARE_FLAGS(Actions, Action)
    Q_FLAG(Actions)

    /// Why an action was not done (ActionError::None: it was sent).
    enum class ActionError {
        None, ///< done, or sent to the process that does it
        NotAllowed, ///< this source does not allow the action (see actions())
        NoProcess, ///< the process (or the child's supervisor) is not alive
        NotAChild, ///< there is no such child under that supervisor
    };
    Q_ENUM(ActionError)

    /// What a source knows beyond what every source knows (the processes,
    /// their tree and names, the tables with owner, heir and size, the events).
    enum class Detail {
        NoDetail = 0x0, ///< only that
        RowContents = 0x1, ///< rows(): the tables' rows
        TableMemory = 0x2, ///< TableInfo::memory, the bytes a table takes
        ClassNames = 0x4, ///< ProcessInfo::className
    };
    Q_DECLARE_FLAGS(Details, Detail)
    Q_FLAG(Details)

    /// The rows of a table, or why there are none to show.
    struct Rows
    {
        /// Whether `rows` holds the table's rows.
        enum class Status {
            Shown, ///< `rows` are the table's rows (unsorted)
            Private, ///< only the owner may read them
            Gone, ///< the table does not exist (any more)
            NotRecorded, ///< the source does not know rows (a recorded trace)
        };
        Status status = Status::Gone; ///< see Status
        QList<Tuple> rows; ///< the rows when Shown
        QString message; ///< why none are shown, in a user's words; empty when Shown
    };

    explicit Source(QObject *parent = nullptr); ///< a source with no state

    /// The processes alive now, by pid.
    virtual QList<ProcessInfo> processes() const = 0;
    /// A process alive or recently dead; std::nullopt if the source does not know it.
    virtual std::optional<ProcessInfo> processInfo(Pid pid) const = 0;
    /// Alive and not exiting. By default, from processInfo().
    virtual bool isAlive(Pid pid) const;
    /// Its registered name now, empty if none.
    virtual QString nameOf(Pid pid) const = 0;
    /// The tables alive now, by id.
    virtual QList<TableInfo> tables() const = 0;
    /// A table alive now; std::nullopt if none.
    virtual std::optional<TableInfo> tableInfo(TableId id) const = 0;
    /// The rows of a table now, or why they cannot be shown.
    virtual Rows rows(TableId id) const = 0;
    /// The source's clock, in the trace's nanoseconds (steady, like `t_ns`).
    virtual qint64 nowNs() const = 0;
    /// What it knows beyond the basics: views leave out what it does not.
    virtual Details details() const = 0;

    /// The actions this source allows now.
    virtual Actions actions() const = 0;
    /// `exit(Pid, Reason)`. By default, NotAllowed.
    virtual ActionError exitProcess(Pid pid, const Term &reason);
    /// supervisor:restart_child(Supervisor, ChildId). By default, NotAllowed.
    virtual ActionError restartChild(Pid supervisor, const QString &childId);
    /// supervisor:terminate_child(Supervisor, ChildId). By default, NotAllowed.
    virtual ActionError terminateChild(Pid supervisor, const QString &childId);
    /// A sentence for a user: why the action was not done.
    static QString errorText(ActionError error);

    /// Delivers the events queued for the next batch now (tests, screenshots).
    virtual void flush();

Q_SIGNALS:
    /// What changed the state since the last batch, in sequence order; never empty.
    void events(const QList<immortal::TraceEvent> &events);
    /// The whole state was replaced: views rebuild from the queries.
    void reset();
};

} // namespace immortal

Q_DECLARE_OPERATORS_FOR_FLAGS(immortal::Source::Actions)
Q_DECLARE_OPERATORS_FOR_FLAGS(immortal::Source::Details)
