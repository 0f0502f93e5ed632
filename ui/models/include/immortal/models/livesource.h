#pragma once

#include <immortal/models/source.h>

namespace immortal {

class TraceBatcher;

/// The Source of the runtime running in this program: the current Node, its
/// Registry, its tables and its Trace. Events arrive in batches (one
/// TraceBatcher for every view that reads this source); every action is
/// allowed.
class LiveSource : public Source
{
    Q_OBJECT
public:
    /// Follows the trace from now on, in batches at most `batchIntervalMs` apart.
    explicit LiveSource(QObject *parent = nullptr, int batchIntervalMs = 40);

    QList<ProcessInfo> processes() const override; ///< Node::processes()
    std::optional<ProcessInfo> processInfo(Pid pid) const override; ///< Node::info()
    bool isAlive(Pid pid) const override; ///< Node::isAlive()
    QString nameOf(Pid pid) const override; ///< Registry::nameOf()
    QList<TableInfo> tables() const override; ///< Table::all()
    std::optional<TableInfo> tableInfo(TableId id) const override; ///< Table::infoOf()
    /// Table::toList(), read as code outside any process: private tables are Private.
    Rows rows(TableId id) const override;
    qint64 nowNs() const override; ///< Node::nowNs()
    Details details() const override; ///< all of them

    Actions actions() const override; ///< all of them
    /// Node::exit(); NoProcess if it is not alive.
    ActionError exitProcess(Pid pid, const Term &reason) override;
    /// Posted to the supervisor, which restarts the child in its own thread.
    ActionError restartChild(Pid supervisor, const QString &childId) override;
    /// Posted to the supervisor, which stops the child in its own thread.
    ActionError terminateChild(Pid supervisor, const QString &childId) override;

    void flush() override; ///< delivers the queued batch now
    TraceBatcher *batcher() const { return m_batcher; } ///< for its interval

private:
    TraceBatcher *m_batcher;
};

} // namespace immortal
