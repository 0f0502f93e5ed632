#pragma once

#include <immortal/term.h>
#include <immortal/tuple.h>

#include <QList>

#include <memory>
#include <optional>

namespace immortal {

class TableData;

/// A match specification, as ets:select/2 and its kin take it: compiled
/// once from its term form, then run on any number of rows.
///
/// The term is the one Erlang writes, a list of {Head, Guards, Body}
/// clauses (see the ERTS "Match Specifications in Erlang" guide):
/// - Head: a tuple pattern matched against the row, with '$1'..'$N'
///   variables (the same variable must match =:= equal values), '_'
///   matching anything and any other term matching itself exactly (=:=);
///   or '_' or a variable for the whole row.
/// - Guards: a list of expressions, each of which must be the atom true.
/// - Body: a list of expressions; the clause's result is the last one's.
///
/// Expressions are constants, bound variables, '$_' (the whole row), '$$'
/// (the head's variables in order), {const, Term} (a term taken as is),
/// {{E1, ..., En}} (a tuple of expressions), lists of expressions, and
/// calls {Function, Arg...}: the type tests (is_atom, is_float, is_integer,
/// is_list, is_number, is_tuple, is_binary, is_record, and is_pid, is_port,
/// is_reference, is_function, is_map, which no term here satisfies),
/// 'and', 'or', 'xor', 'not', 'andalso', 'orelse', the comparisons ('<',
/// '=<', '>', '>=', '==', '/=', '=:=', '=/='), arithmetic ('+', '-', '*',
/// '/', 'div', 'rem', 'band', 'bor', 'bxor', 'bnot', 'bsl', 'bsr'), abs,
/// element, hd, tl, length, size, byte_size, float, round, trunc and self
/// (the caller's pid, an integer). As in OTP 25, max and min are not among
/// them (OTP 26 added them).
///
/// A guard that raises (an argument of the wrong type) fails its clause; a
/// body that raises gives the atom 'EXIT', as in ets. A malformed
/// specification is Error(BadArg) at construction, with a message naming
/// the place, e.g. "guard 2 of clause 1: unknown function foo/1". Copies
/// share the compiled form, and reading it from many threads is safe.
class MatchSpec
{
public:
    MatchSpec(); ///< the empty specification []: it matches no row
    /// Compiles `spec`; Error(BadArg) naming what is wrong if it is not a
    /// match specification. Implicit, so a Term can be passed to select().
    MatchSpec(const Term &spec); // NOLINT(google-explicit-constructor)

    const Term &source() const noexcept; ///< the term it was compiled from
    qsizetype clauseCount() const noexcept; ///< the number of {Head, Guards, Body} clauses
    /// The result of the first clause whose head and guards accept `row`,
    /// or std::nullopt if none does (ets:match_spec_run/2 for one object).
    std::optional<Term> run(const Tuple &row) const;

    struct Program; ///< the compiled clauses (opaque; matchspec.cpp)

private:
    friend class TableData;
    // The key every row the specification can match has at keyIndex (one
    // clause, its head's element there a constant), or nullptr: a lookup
    // instead of a scan.
    const Term *boundKey(qsizetype keyIndex) const noexcept;
    // Whether every clause keeps the key at keyIndex, as select_replace
    // requires before it looks at any row (see matchspec.cpp).
    bool keepsKey(qsizetype keyIndex) const;
    std::shared_ptr<const Program> m_program;
};

/// Where a select with a limit goes on from (the continuation of
/// ets:select/3). A default-constructed one, or the one after the last
/// chunk, is '$end_of_table': Table::select() with it returns std::nullopt.
///
/// An ordered_set goes on after the last key it returned, so rows written in
/// between are seen as ets sees them. As in ets, for every type, a full
/// chunk always has a continuation, even when no row follows it yet; only a
/// chunk that is not full comes with '$end_of_table'. The other types keep the rest of the
/// results found by the first call (ets gives no guarantee for them either
/// when the table changes between calls, unless it is fixed).
class SelectContinuation
{
public:
    SelectContinuation() = default; ///< '$end_of_table'
    /// Whether this is '$end_of_table': nothing more to select.
    bool isEnd() const noexcept { return !m_table; }

private:
    friend class TableData;
    std::shared_ptr<TableData> m_table; // null: '$end_of_table'
    MatchSpec m_spec;
    qsizetype m_limit = 0;
    bool m_reverse = false;
    std::optional<Term> m_lastKey; // ordered_set: the key to go on after
    QList<Term> m_rest; // other types: the results not returned yet
};

/// One chunk of a select with a limit (ets:select/3, ets:select/1): the
/// results, and where the next call goes on from.
struct SelectChunk
{
    QList<Term> matches; ///< at most the limit, in the order select() gives them
    SelectContinuation continuation; ///< where the next call goes on from
};

} // namespace immortal
