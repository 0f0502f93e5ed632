#include "matchpattern.h"

#include <immortal/error.h>

#include <algorithm>
#include <cmath>

namespace immortal::detail {

bool identical(const Term &a, const Term &b)
{
    if (a != b)
        return false;
    if (a.isFloat())
        return std::signbit(a.toDouble()) == std::signbit(b.toDouble());
    const auto x = a.elements();
    const auto y = b.elements();
    for (size_t i = 0; i < x.size(); ++i) {
        if (!identical(x[i], y[i]))
            return false;
    }
    return true;
}

const Term *MatchPattern::boundKey(qsizetype keyIndex) const
{
    if (keyIndex < qsizetype(children.size()) && children[size_t(keyIndex)].kind == Kind::Const)
        return &children[size_t(keyIndex)].value;
    return nullptr;
}

int matchVariable(const Term &t)
{
    if (!t.isAtom())
        return -1;
    const QString name = t.atomName();
    if (name.size() < 2 || name.at(0) != u'$')
        return -1;
    if (name.size() > 2 && name.at(1) == u'0')
        return -1;
    for (qsizetype i = 1; i < name.size(); ++i) {
        if (!name.at(i).isDigit() || name.at(i).unicode() > 127)
            return -1;
    }
    bool ok = false;
    const int n = name.mid(1).toInt(&ok);
    return ok ? n : -1;
}

MatchPattern MatchPatternCompiler::compile(const Term &t)
{
    static const Term any = Term::atom(u"_");
    if (m_depth >= kMaxMatchNesting)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("a pattern nested deeper than %1 levels (ets: system_limit)")
                        .arg(kMaxMatchNesting));
    const NestingLevel level(m_depth);
    MatchPattern p;
    if (t == any)
        return p;
    if (const int n = matchVariable(t); n >= 0) {
        p.kind = MatchPattern::Kind::Var;
        p.slot = slotFor(n);
        return p;
    }
    if (t.isTuple() || t.isList()) {
        p.kind = t.isTuple() ? MatchPattern::Kind::Tuple : MatchPattern::Kind::List;
        bool ground = true;
        for (const Term &e : t.elements()) {
            p.children.push_back(compile(e));
            ground = ground && p.children.back().kind == MatchPattern::Kind::Const;
        }
        if (!ground)
            return p;
        p.children.clear();
    }
    p.kind = MatchPattern::Kind::Const;
    p.value = t;
    return p;
}

MatchPattern MatchPatternCompiler::compileRow(const Tuple &row)
{
    MatchPattern p;
    p.kind = MatchPattern::Kind::Tuple;
    for (const Term &e : row)
        p.children.push_back(compile(e));
    return p;
}

int MatchPatternCompiler::slotOf(int number) const
{
    for (const auto &[n, slot] : m_vars) {
        if (n == number)
            return slot;
    }
    return -1;
}

int MatchPatternCompiler::slotFor(int number)
{
    if (const int slot = slotOf(number); slot >= 0)
        return slot;
    m_vars.emplace_back(number, int(m_vars.size()));
    return m_vars.back().second;
}

std::vector<int> MatchPatternCompiler::slotsByNumber() const
{
    std::vector<std::pair<int, int>> sorted(m_vars.begin(), m_vars.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> out;
    out.reserve(sorted.size());
    for (const auto &[number, slot] : sorted)
        out.push_back(slot);
    return out;
}

bool matchElements(const MatchPattern &p, std::span<const Term> items, MatchBindings &b)
{
    if (p.children.size() != items.size())
        return false;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!matchTerm(p.children[i], items[i], b))
            return false;
    }
    return true;
}

bool matchTerm(const MatchPattern &p, const Term &t, MatchBindings &b)
{
    switch (p.kind) {
    case MatchPattern::Kind::Any:
        return true;
    case MatchPattern::Kind::Var: {
        const auto slot = size_t(p.slot);
        if (b.bound[slot])
            return b.values[slot] == t;
        b.values[slot] = t;
        b.bound[slot] = 1;
        return true;
    }
    case MatchPattern::Kind::Const:
        // As OTP 25's match programs: a constant's floats compare by their
        // bits, so 0.0 does not match -0.0 (ets:match_object(T, {'_', 0.0})
        // skips {a, -0.0}), though a repeated variable binds both.
        return identical(p.value, t);
    case MatchPattern::Kind::Tuple:
        return t.isTuple() && matchElements(p, t.elements(), b);
    case MatchPattern::Kind::List:
        return t.isList() && matchElements(p, t.elements(), b);
    }
    return false;
}

} // namespace immortal::detail
