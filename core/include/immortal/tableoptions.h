#pragma once

#include <immortal/term.h>
#include <immortal/types.h>

#include <QString>

namespace immortal {

// The heir of a table: who inherits it when the owner dies.
// Erlang names the heir by pid. Immortal also lets you name it by
// registered name, resolved at the moment the owner dies; if no live
// process holds the name then, the table waits up to `graceMs` for a
// process to register it (a supervisor restarting the heir) before it is
// lost. See docs/ownership.md.
struct HeirSpec
{
    Pid pid = 0; // heir by pid (Erlang's {heir, Pid, Data})
    QString name; // or heir by registered name (Immortal's extension)
    Term data; // HeirData, delivered with the ETS-TRANSFER
    int graceMs = 5000; // name heirs only: how long an orphan waits

    bool isNone() const { return pid == 0 && name.isEmpty(); }
    static HeirSpec none() { return {}; }
    static HeirSpec byPid(Pid p, const Term &d = Term()) { return { p, {}, d, 0 }; }
    static HeirSpec byName(const QString &n, const Term &d = Term(), int graceMs = 5000)
    {
        return { 0, n, d, graceMs };
    }
};

// The options of ets:new/2.
struct TableOptions
{
    enum class Type { Set, OrderedSet, Bag, DuplicateBag };
    enum class Access { Public, Protected, Private };

    Type type = Type::Set;
    Access access = Access::Protected;
    bool namedTable = false;
    int keyPos = 1; // 1-based, as in Erlang
    HeirSpec heir;

    static const char *typeName(Type t); // "set", "ordered_set", ...
    static const char *accessName(Access a); // "public", ...
    // Parse Erlang-style option words: "set", "bag", "public", "named_table",
    // "keypos=2". Throws Error(BadArg) naming the word it did not understand.
    static TableOptions fromStrings(const QStringList &words);
    QStringList toStrings() const;
};

} // namespace immortal
