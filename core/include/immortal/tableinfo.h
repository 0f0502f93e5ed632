#pragma once

#include <immortal/tableoptions.h>
#include <immortal/types.h>

#include <QString>

namespace immortal {

/// A snapshot of ets:info/1.
struct TableInfo
{
    TableId id = 0; ///< the table
    QString name; ///< as given to create(); only a namedTable is reachable by it
    bool namedTable = false; ///< reachable by Table::named()
    TableOptions::Type type = TableOptions::Type::Set; ///< set, ordered_set, bag, ...
    TableOptions::Access access = TableOptions::Access::Protected; ///< who may read and write
    Pid owner = 0; ///< 0 while orphaned (waiting for a name heir)
    HeirSpec heir; ///< as set at creation or by setHeir()
    Pid heirPid = 0; ///< the heir resolved now (name heirs: whoever holds the name)
    qsizetype size = 0; ///< rows
    /// Bytes, rows and index included. Kept up to date by every write, so
    /// reading it walks no rows.
    size_t memory = 0;
    int keyPos = 1; ///< 1-based
    int transfers = 0; ///< give_aways and heir transfers so far
    bool readConcurrency = false; ///< as created (see TableOptions)
    /// As created (see TableOptions).
    TableOptions::WriteConcurrency writeConcurrency = TableOptions::WriteConcurrency::False;
    bool compressed = false; ///< as created (see TableOptions)
    bool decentralizedCounters = false; ///< as ets reports it: the default resolved
    bool orphaned = false; ///< owner dead, waiting for a name heir to come back
};

} // namespace immortal
