#include <immortal/models/livesource.h>

#include <immortal/error.h>
#include <immortal/models/tracebatcher.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLiveSource, "immortal.ui.livesource")

namespace immortal {

LiveSource::LiveSource(QObject *parent, int batchIntervalMs)
    : Source(parent)
    , m_batcher(new TraceBatcher(this, batchIntervalMs))
{
    connect(m_batcher, &TraceBatcher::batch, this, &Source::events);
}

QList<ProcessInfo> LiveSource::processes() const
{
    return Node::instance()->processes();
}

std::optional<ProcessInfo> LiveSource::processInfo(Pid pid) const
{
    return Node::instance()->info(pid);
}

bool LiveSource::isAlive(Pid pid) const
{
    return Node::instance()->isAlive(pid);
}

QString LiveSource::nameOf(Pid pid) const
{
    return Registry::instance()->nameOf(pid);
}

QList<TableInfo> LiveSource::tables() const
{
    return Table::all();
}

std::optional<TableInfo> LiveSource::tableInfo(TableId id) const
{
    return Table::infoOf(id);
}

Source::Rows LiveSource::rows(TableId id) const
{
    Rows result;
    try {
        const Table table = Table::fromId(id);
        if (table.info().access == TableOptions::Access::Private) {
            result.status = Rows::Status::Private;
            result.message = tr("Private table: only its owner can read the rows.");
            return result;
        }
        result.rows = table.toList();
        result.status = Rows::Status::Shown;
    } catch (const Error &e) {
        // Deleted meanwhile, or unreadable for us: no stale rows.
        result.status =
            e.code() == Error::Code::AccessDenied ? Rows::Status::Private : Rows::Status::Gone;
        result.message =
            e.code() == Error::Code::NoSuchTable ? tr("The table is gone.") : e.message();
    }
    return result;
}

qint64 LiveSource::nowNs() const
{
    return Node::nowNs();
}

Source::Details LiveSource::details() const
{
    return Detail::RowContents | Detail::TableMemory | Detail::ClassNames;
}

Source::Actions LiveSource::actions() const
{
    return Action::ExitProcess | Action::RestartChild | Action::TerminateChild;
}

Source::ActionError LiveSource::exitProcess(Pid pid, const Term &reason)
{
    return Node::instance()->exit(pid, reason) ? ActionError::None : ActionError::NoProcess;
}

namespace {
// Runs `fn` in the supervisor's thread; what it refuses (OTP's {error, _})
// is logged there, as the caller is long gone.
Source::ActionError askSupervisor(Pid supervisor, const QString &call,
                                  std::function<void(Supervisor *)> fn)
{
    const auto info = Node::instance()->info(supervisor);
    if (!info || info->state != ProcessInfo::State::Running)
        return Source::ActionError::NoProcess;
    if (info->kind != QLatin1String("supervisor"))
        return Source::ActionError::NotAChild;
    const bool posted = Node::instance()->post(supervisor, [call, fn](Process *p) {
        auto *s = qobject_cast<Supervisor *>(p);
        if (!s)
            return;
        try {
            fn(s);
        } catch (const Error &e) {
            qCWarning(lcLiveSource) << call << "refused:" << e.message();
        }
    });
    return posted ? Source::ActionError::None : Source::ActionError::NoProcess;
}
} // namespace

Source::ActionError LiveSource::restartChild(Pid supervisor, const QString &childId)
{
    if (childId.isEmpty())
        return ActionError::NotAChild;
    return askSupervisor(supervisor, QStringLiteral("restart_child ") + childId,
                         [childId](Supervisor *s) { s->restartChild(childId); });
}

Source::ActionError LiveSource::terminateChild(Pid supervisor, const QString &childId)
{
    if (childId.isEmpty())
        return ActionError::NotAChild;
    return askSupervisor(supervisor, QStringLiteral("terminate_child ") + childId,
                         [childId](Supervisor *s) { s->terminateChild(childId); });
}

void LiveSource::flush()
{
    m_batcher->flush();
}

} // namespace immortal
