#include "unixsignalwatcher.h"

#include <QSocketNotifier>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace immortal {

namespace {
int g_fds[2] = { -1, -1 }; // [0] written by the handler, [1] read by the notifier
} // namespace

UnixSignalWatcher::UnixSignalWatcher(std::initializer_list<int> signums, QObject *parent)
    : QObject(parent)
{
    if (g_fds[0] == -1 && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0)
        return; // no watcher: the signals keep their default action
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UnixSignalWatcher::readSignal);
    for (int signum : signums) {
        struct sigaction action;
        std::memset(&action, 0, sizeof action);
        action.sa_handler = &UnixSignalWatcher::handle;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART | SA_RESETHAND;
        ::sigaction(signum, &action, nullptr);
    }
}

UnixSignalWatcher::~UnixSignalWatcher() = default;

void UnixSignalWatcher::handle(int signum)
{
    const char byte = char(signum);
    const ssize_t ignored = ::write(g_fds[0], &byte, 1); // async-signal-safe
    Q_UNUSED(ignored);
}

void UnixSignalWatcher::readSignal()
{
    char byte = 0;
    if (::read(g_fds[1], &byte, 1) == 1)
        Q_EMIT received(int(byte));
}

QString UnixSignalWatcher::name(int signum)
{
    switch (signum) {
    case SIGINT:
        return QStringLiteral("SIGINT");
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    default:
        return QStringLiteral("signal %1").arg(signum);
    }
}

} // namespace immortal
