#pragma once

// The match patterns of ets:match/match_object/match_delete (tabledata.cpp)
// and of match specification heads (matchspec.cpp): one compiler, one matcher.

#include <immortal/term.h>
#include <immortal/tuple.h>

#include <absl/container/inlined_vector.h>

#include <span>
#include <utility>
#include <vector>

namespace immortal::detail {

// A compiled pattern: '_' matches anything, '$N' binds variable N (the same
// value each time it appears), any other term matches exactly. Ground
// subterms collapse into one Const node.
struct MatchPattern
{
    enum class Kind { Any, Var, Const, Tuple, List };
    Kind kind = Kind::Any;
    int slot = -1; // Var: index into the bindings
    Term value; // Const
    std::vector<MatchPattern> children; // Tuple, List

    // The key a row pattern fixes (a Const at keyIndex), or nullptr when the
    // pattern has to scan.
    const Term *boundKey(qsizetype keyIndex) const;
};

// The same term to the last bit: ==, and floats (in any depth) of the same
// sign, so 0.0 and -0.0 differ, as Erlang's ~w prints them and as a match
// pattern's constant matches them on OTP 25 (where 0.0 =:= -0.0).
bool identical(const Term &a, const Term &b);

// Variable number N of '$N' ('$0', '$1', ...), or -1 for any other term.
// '$01' is an atom, as in ets.
int matchVariable(const Term &t);

// How deep a pattern or a match specification expression may nest. Deeper
// ones are BadArg (ets says system_limit): compiling, running and freeing
// them recurses once per level, and a million levels would overflow the
// stack (ets_SUITE's ms_excessive_nesting).
constexpr int kMaxMatchNesting = 1000;

// Counts one level of a recursive compile for as long as it lives.
class NestingLevel
{
public:
    explicit NestingLevel(int &depth)
        : m_depth(++depth)
    { }
    ~NestingLevel() { --m_depth; }
    NestingLevel(const NestingLevel &) = delete;
    NestingLevel &operator=(const NestingLevel &) = delete;

private:
    int &m_depth;
};

// Compiles patterns; the variables of every pattern it compiles share slots.
class MatchPatternCompiler
{
public:
    MatchPattern compile(const Term &t);
    // A whole row: a tuple pattern of these elements.
    MatchPattern compileRow(const Tuple &row);

    int slotCount() const { return int(m_vars.size()); }
    // The slot of variable `number`, or -1 when no pattern bound it.
    int slotOf(int number) const;
    // Slots in the order of their variable numbers ($1 before $2): '$$' and
    // ets:match/2 give the values in that order.
    std::vector<int> slotsByNumber() const;

private:
    int slotFor(int number);
    std::vector<std::pair<int, int>> m_vars; // variable number -> slot
    int m_depth = 0; // of the term compile() is in
};

// What a match bound. Inline for the usual few variables: no allocation per row.
struct MatchBindings
{
    absl::InlinedVector<Term, 6> values;
    absl::InlinedVector<char, 6> bound;
    explicit MatchBindings(int variables) // not `slots`: Qt defines that away
        : values(size_t(variables))
        , bound(size_t(variables), 0)
    { }
    void reset() { std::fill(bound.begin(), bound.end(), 0); }
};

bool matchTerm(const MatchPattern &p, const Term &t, MatchBindings &b);
// p's children against these items, one by one (a tuple pattern against a row).
bool matchElements(const MatchPattern &p, std::span<const Term> items, MatchBindings &b);
// A row pattern against a row, from fresh bindings.
inline bool matchRow(const MatchPattern &p, const Tuple &row, MatchBindings &b)
{
    b.reset();
    return matchElements(p, row, b);
}

} // namespace immortal::detail
