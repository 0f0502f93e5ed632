#include <immortal/models/source.h>

namespace immortal {

Source::Source(QObject *parent)
    : QObject(parent)
{ }

bool Source::isAlive(Pid pid) const
{
    const auto info = processInfo(pid);
    return info && info->state == ProcessInfo::State::Running;
}

Source::ActionError Source::exitProcess(Pid, const Term &)
{
    return ActionError::NotAllowed;
}

Source::ActionError Source::restartChild(Pid, const QString &)
{
    return ActionError::NotAllowed;
}

Source::ActionError Source::terminateChild(Pid, const QString &)
{
    return ActionError::NotAllowed;
}

QString Source::errorText(ActionError error)
{
    switch (error) {
    case ActionError::None:
        return {};
    case ActionError::NotAllowed:
        return tr("This view does not allow that action (a recorded trace cannot be changed).");
    case ActionError::NoProcess:
        return tr("The process is not alive.");
    case ActionError::NotAChild:
        return tr("There is no such child under that supervisor.");
    }
    return {};
}

void Source::flush() { }

} // namespace immortal
