#include "soakworker.h"

#include <immortal/node.h>
#include <immortal/table.h>

namespace immortal::soak {

SoakWorker::SoakWorker(bool scratch, QObject *parent)
    : Process(parent)
{
    if (!scratch)
        return;
    TableOptions opts;
    opts.access = TableOptions::Access::Private;
    const TableId id = Table::create(QStringLiteral("scratch"), opts, pid()).id();
    // Only the owner may write a private table: write as the worker.
    Node::instance()->post(pid(), [id](Process *self) {
        Table::fromId(id).insert({ Term(qint64(self->pid())), Term::atom(u"scratch") });
    });
}

} // namespace immortal::soak
