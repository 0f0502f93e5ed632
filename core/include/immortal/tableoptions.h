#pragma once

#include <immortal/term.h>
#include <immortal/types.h>

#include <QString>

#include <optional>

namespace immortal {

/// The heir of a table: who inherits it when the owner dies.
/// Erlang names the heir by pid. Immortal also lets you name it by
/// registered name, resolved at the moment the owner dies; if no live
/// process holds the name then, the table waits up to `graceMs` for a
/// process to register it (a supervisor restarting the heir) before it is
/// lost. See docs/ownership.md. A negative graceMs is BadArg.
struct HeirSpec
{
    Pid pid = 0; ///< heir by pid (Erlang's {heir, Pid, Data})
    QString name; ///< or heir by registered name (Immortal's extension)
    Term data; ///< HeirData, delivered with the ETS-TRANSFER
    int graceMs = 5000; ///< name heirs only: how long an orphan waits

    /// No heir: the table dies with its owner.
    bool isNone() const { return pid == 0 && name.isEmpty(); }
    static HeirSpec none() { return {}; } ///< {heir, none}
    /// {heir, Pid, Data}: the process `p`, if it is alive when the owner dies.
    static HeirSpec byPid(Pid p, const Term &d = Term()) { return { p, {}, d, 0 }; }
    /// The process registered as `n` when the owner dies, waiting up to graceMs.
    static HeirSpec byName(const QString &n, const Term &d = Term(), int graceMs = 5000)
    {
        return { 0, n, d, graceMs };
    }
};

/// The options of ets:new/2.
struct TableOptions
{
    /// set and ordered_set hold one row per key (ordered_set in term order),
    /// bag distinct rows per key, duplicate_bag any rows.
    enum class Type { Set, OrderedSet, Bag, DuplicateBag };
    /// Who may read and write: see Table.
    enum class Access { Public, Protected, Private };
    /// write_concurrency: false, true or auto.
    enum class WriteConcurrency { False, True, Auto };

    Type type = Type::Set; ///< set, ordered_set, bag or duplicate_bag
    Access access = Access::Protected; ///< public, protected or private
    bool namedTable = false; ///< named_table: reachable by Table::named()
    int keyPos = 1; ///< 1-based, as in Erlang
    HeirSpec heir; ///< none by default
    /// \name Performance hints
    /// ets's tuning options: accepted, kept and reported by info(), as ets
    /// reports them. Immortal's tables need none of them (see
    /// docs/ets-differences.md): reads always take a shared lock that
    /// readers do not contend on (what read_concurrency buys in ets), writes
    /// take one lock per table whatever write_concurrency says, rows are not
    /// compressed, and the size is one counter.
    ///@{

    bool readConcurrency = false; ///< {read_concurrency, true}
    WriteConcurrency writeConcurrency = WriteConcurrency::False; ///< {write_concurrency, ...}
    bool compressed = false; ///< compressed
    /// {decentralized_counters, Bool}; unset, ets's default: true for an
    /// ordered_set with write_concurrency, false otherwise.
    std::optional<bool> decentralizedCounters;
    ///@}

    static const char *typeName(Type t); ///< "set", "ordered_set", ...
    static const char *accessName(Access a); ///< "public", ...
    static const char *writeConcurrencyName(WriteConcurrency w); ///< "false", "true" or "auto"
    /// decentralized_counters as ets:info/2 reports it (its default when unset).
    bool effectiveDecentralizedCounters() const
    {
        if (decentralizedCounters)
            return *decentralizedCounters;
        return type == Type::OrderedSet && writeConcurrency != WriteConcurrency::False;
    }
    /// Parse Erlang-style option words: "set", "bag", "public", "named_table",
    /// "keypos=2", "read_concurrency", "write_concurrency" (or
    /// "write_concurrency=auto"), "compressed", "decentralized_counters" (each
    /// flag also as "word=true" or "word=false"). Throws Error(BadArg) naming
    /// the word it did not understand.
    static TableOptions fromStrings(const QStringList &words);
    QStringList toStrings() const; ///< the words fromStrings() reads back
};

} // namespace immortal
