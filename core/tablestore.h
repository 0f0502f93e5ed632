#pragma once

#include "global.h"

#include <QObject>
#include <QString>

namespace immortal {

// Internal: every live table, by id and by name, and the ownership rules
// that run when a process dies or a name is registered. Table handles and
// query functions go through it. Thread-safe.
class TableStore : public QObject
{
    Q_OBJECT
public:
    static TableStore *instance();

    // Called by the Node once per dead process, after its name is gone:
    // passes each table it owned to its heir, orphans it (name heir with a
    // grace period), or deletes it.
    void ownerDied(Pid pid, const QString &reason);

private:
    TableStore();
    // (the rest is the table implementer's)
};

} // namespace immortal
