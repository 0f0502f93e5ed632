#include <immortal/matchspec.h>

#include "matchpattern.h"

#include <immortal/error.h>
#include <immortal/processscope.h>

#include <absl/container/inlined_vector.h>
#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace immortal {

namespace {

using Code = Error::Code;

using detail::MatchBindings;
using detail::MatchPattern;
using detail::MatchPatternCompiler;

enum class Fn {
    // Type tests
    IsAtom,
    IsFloat,
    IsInteger,
    IsList,
    IsNumber,
    IsTuple,
    IsBinary,
    IsRecord,
    IsNever,
    // Booleans
    And,
    Or,
    Xor,
    Not,
    AndAlso,
    OrElse,
    // Comparisons
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    ExactEq,
    ExactNe,
    // Arithmetic
    Add,
    Sub,
    Mul,
    Divide,
    Div,
    Rem,
    Band,
    Bor,
    Bxor,
    Bnot,
    Bsl,
    Bsr,
    Neg,
    Plus,
    // Others
    Abs,
    Element,
    Hd,
    Tl,
    Length,
    Size,
    ByteSize,
    Float,
    Round,
    Trunc,
    Self,
};

struct FnInfo
{
    const char *name;
    int arity;
    Fn fn;
};

constexpr FnInfo kFunctions[] = {
    { "is_atom", 1, Fn::IsAtom },
    { "is_float", 1, Fn::IsFloat },
    { "is_integer", 1, Fn::IsInteger },
    { "is_list", 1, Fn::IsList },
    { "is_number", 1, Fn::IsNumber },
    { "is_tuple", 1, Fn::IsTuple },
    { "is_binary", 1, Fn::IsBinary },
    { "is_record", 3, Fn::IsRecord },
    { "is_pid", 1, Fn::IsNever },
    { "is_port", 1, Fn::IsNever },
    { "is_reference", 1, Fn::IsNever },
    { "is_function", 1, Fn::IsNever },
    { "is_map", 1, Fn::IsNever },
    { "and", 2, Fn::And },
    { "or", 2, Fn::Or },
    { "xor", 2, Fn::Xor },
    { "not", 1, Fn::Not },
    { "andalso", 2, Fn::AndAlso },
    { "orelse", 2, Fn::OrElse },
    { "<", 2, Fn::Lt },
    { "=<", 2, Fn::Le },
    { ">", 2, Fn::Gt },
    { ">=", 2, Fn::Ge },
    { "==", 2, Fn::Eq },
    { "/=", 2, Fn::Ne },
    { "=:=", 2, Fn::ExactEq },
    { "=/=", 2, Fn::ExactNe },
    { "+", 2, Fn::Add },
    { "-", 2, Fn::Sub },
    { "*", 2, Fn::Mul },
    { "/", 2, Fn::Divide },
    { "div", 2, Fn::Div },
    { "rem", 2, Fn::Rem },
    { "band", 2, Fn::Band },
    { "bor", 2, Fn::Bor },
    { "bxor", 2, Fn::Bxor },
    { "bnot", 1, Fn::Bnot },
    { "bsl", 2, Fn::Bsl },
    { "bsr", 2, Fn::Bsr },
    { "-", 1, Fn::Neg },
    { "+", 1, Fn::Plus },
    { "abs", 1, Fn::Abs },
    { "element", 2, Fn::Element },
    { "hd", 1, Fn::Hd },
    { "tl", 1, Fn::Tl },
    { "length", 1, Fn::Length },
    { "size", 1, Fn::Size },
    { "byte_size", 1, Fn::ByteSize },
    { "float", 1, Fn::Float },
    { "round", 1, Fn::Round },
    { "trunc", 1, Fn::Trunc },
    { "self", 0, Fn::Self },
};

struct Expr
{
    enum class Kind { Const, Var, Object, Bindings, MakeTuple, MakeList, Call };
    Kind kind = Kind::Const;
    Term value; // Const
    int slot = -1; // Var
    Fn fn = Fn::Self; // Call
    std::vector<Expr> args; // MakeTuple, MakeList, Call
};

struct Clause
{
    MatchPattern head; // Tuple, or Any/Var for a whole-row head
    std::vector<Expr> guards;
    std::vector<Expr> body;
    int slotCount = 0;
    std::vector<int> slotsByNumber; // '$$': slots in the order of their numbers
};

// Thrown by an expression that fails (badarg, badarith): the guard fails,
// the body gives 'EXIT'.
struct EvalFailed
{
};

bool isAtomNamed(const Term &t, QLatin1String name)
{
    return t.isAtom() && t.atomName() == name;
}

class Compiler
{
public:
    std::vector<Clause> compile(const Term &spec)
    {
        if (!spec.isList())
            fail(QString(),
                 QStringLiteral("a match specification is a list of {Head, Guards, "
                                "Body} tuples, not %1")
                     .arg(spec.format()));
        std::vector<Clause> clauses;
        int index = 0;
        for (const Term &c : spec.elements()) {
            ++index;
            m_clause = QStringLiteral("clause %1").arg(index);
            if (!c.isTuple() || c.size() != 3)
                fail(m_clause,
                     QStringLiteral("a clause is a {Head, Guards, Body} tuple, not %1")
                         .arg(c.format()));
            clauses.push_back(compileClause(c.at(0), c.at(1), c.at(2)));
        }
        return clauses;
    }

private:
    [[noreturn]] static void fail(const QString &where, const QString &what)
    {
        throw Error(Code::BadArg,
                    where.isEmpty()
                        ? QStringLiteral("invalid match specification: %1").arg(what)
                        : QStringLiteral("invalid match specification: %1: %2").arg(where, what));
    }

    Clause compileClause(const Term &head, const Term &guards, const Term &body)
    {
        m_patterns = MatchPatternCompiler();
        Clause clause;
        const QString headWhere = QStringLiteral("the head of %1").arg(m_clause);
        if (head.isTuple()) {
            clause.head = m_patterns.compileRow(head.toTuple());
        } else if (isAtomNamed(head, QLatin1String("_")) || detail::matchVariable(head) >= 0) {
            clause.head = m_patterns.compile(head);
        } else {
            fail(headWhere,
                 QStringLiteral("a head is a tuple, '_' or a variable, not %1").arg(head.format()));
        }
        if (!guards.isList())
            fail(m_clause, QStringLiteral("the guards are a list, not %1").arg(guards.format()));
        if (!body.isList() || body.size() == 0)
            fail(m_clause,
                 QStringLiteral("the body is a non-empty list, not %1").arg(body.format()));
        int i = 0;
        for (const Term &g : guards.elements())
            clause.guards.push_back(
                expr(g, QStringLiteral("guard %1 of %2").arg(++i).arg(m_clause)));
        i = 0;
        for (const Term &b : body.elements())
            clause.body.push_back(expr(b, QStringLiteral("body %1 of %2").arg(++i).arg(m_clause)));
        clause.slotCount = m_patterns.slotCount();
        clause.slotsByNumber = m_patterns.slotsByNumber();
        return clause;
    }

    Expr expr(const Term &t, const QString &where)
    {
        if (m_depth >= detail::kMaxMatchNesting)
            fail(where,
                 QStringLiteral("an expression nested deeper than %1 levels (ets: system_limit)")
                     .arg(detail::kMaxMatchNesting));
        const detail::NestingLevel level(m_depth);
        Expr e;
        if (t.isAtom()) {
            const QString name = t.atomName();
            if (name == QLatin1String("$_")) {
                e.kind = Expr::Kind::Object;
                return e;
            }
            if (name == QLatin1String("$$")) {
                e.kind = Expr::Kind::Bindings;
                return e;
            }
            if (const int n = detail::matchVariable(t); n >= 0) {
                e.slot = m_patterns.slotOf(n);
                if (e.slot < 0)
                    fail(where,
                         QStringLiteral("the variable '%1' is not bound in the head").arg(name));
                e.kind = Expr::Kind::Var;
                return e;
            }
            e.value = t;
            return e;
        }
        if (t.isList()) {
            e.kind = Expr::Kind::MakeList;
            for (const Term &x : t.elements())
                e.args.push_back(expr(x, where));
            return e;
        }
        if (!t.isTuple()) {
            e.value = t;
            return e;
        }
        // {{E1, ..., En}}: a tuple; {const, T}: T as is; {F, Args...}: a call.
        if (t.size() == 1 && t.at(0).isTuple()) {
            e.kind = Expr::Kind::MakeTuple;
            for (const Term &x : t.at(0).elements())
                e.args.push_back(expr(x, where));
            return e;
        }
        if (t.size() == 2 && isAtomNamed(t.at(0), QLatin1String("const"))) {
            e.value = t.at(1);
            return e;
        }
        if (t.size() == 0 || !t.at(0).isAtom())
            fail(where,
                 QStringLiteral("%1 is neither a call {Function, Args...}, {const, Term} "
                                "nor a tuple written {{Elements...}}")
                     .arg(t.format()));
        const QString name = t.at(0).atomName();
        const int arity = int(t.size()) - 1;
        const auto found =
            std::find_if(std::begin(kFunctions), std::end(kFunctions), [&](const FnInfo &f) {
                return f.arity == arity && name == QLatin1String(f.name);
            });
        if (found == std::end(kFunctions))
            fail(where, QStringLiteral("unknown function %1/%2").arg(t.at(0).format()).arg(arity));
        e.kind = Expr::Kind::Call;
        e.fn = found->fn;
        for (qsizetype i = 1; i < t.size(); ++i)
            e.args.push_back(expr(t.at(i), where));
        return e;
    }

    QString m_clause;
    MatchPatternCompiler m_patterns; // the clause's head, and its variables
    int m_depth = 0; // of the expression expr() is in
};

// ---------------------------------------------------------------------------
// Running

struct Frame
{
    const Tuple &row;
    const Clause &clause;
    MatchBindings b;
    mutable std::optional<Term> object; // '$_', built when asked for
};

const Term &objectOf(const Frame &f)
{
    if (!f.object)
        f.object = Term::tuple(f.row);
    return *f.object;
}

Term boolean(bool b)
{
    static const Term t = Term::atom(u"true");
    static const Term fl = Term::atom(u"false");
    return b ? t : fl;
}

bool isTrue(const Term &t)
{
    static const Term tr = Term::atom(u"true");
    return t == tr;
}

bool toBool(const Term &t)
{
    static const Term tr = Term::atom(u"true");
    static const Term fl = Term::atom(u"false");
    if (t == tr)
        return true;
    if (t == fl)
        return false;
    throw EvalFailed {};
}

Term eval(const Expr &e, const Frame &f);

// Arithmetic and the like throw Error(BadArg); in a match spec that is a failure.
template<typename F>
Term guarded(F &&fn)
{
    try {
        return fn();
    } catch (const Error &) {
        throw EvalFailed {};
    }
}

Term integerOf(double d)
{
    if (!std::isfinite(d))
        throw EvalFailed {};
    if (d >= -9.2e18 && d <= 9.2e18)
        return Term(qint64(d));
    // Exact: an integral double converts to cpp_int without rounding.
    return Term::integer(QString::fromStdString(boost::multiprecision::cpp_int(d).str()));
}

Term call(const Expr &e, const Frame &f)
{
    const auto arg = [&](size_t i) {
        return eval(e.args[i], f);
    };
    switch (e.fn) {
    case Fn::IsAtom:
        return boolean(arg(0).isAtom());
    case Fn::IsFloat:
        return boolean(arg(0).isFloat());
    case Fn::IsInteger:
        return boolean(arg(0).isInteger());
    case Fn::IsList:
        return boolean(arg(0).isList());
    case Fn::IsNumber:
        return boolean(arg(0).isNumber());
    case Fn::IsTuple:
        return boolean(arg(0).isTuple());
    case Fn::IsBinary:
        return boolean(arg(0).isBytes());
    case Fn::IsRecord: {
        const Term t = arg(0);
        const Term tag = arg(1);
        const Term size = arg(2);
        if (!tag.isAtom() || size.type() != Term::Type::Integer)
            throw EvalFailed {};
        return boolean(t.isTuple() && t.size() == size.toInteger() && t.size() > 0
                       && t.at(0) == tag);
    }
    case Fn::IsNever:
        arg(0);
        return boolean(false);
    case Fn::And: {
        const bool a = toBool(arg(0));
        const bool b = toBool(arg(1));
        return boolean(a && b);
    }
    case Fn::Or: {
        const bool a = toBool(arg(0));
        const bool b = toBool(arg(1));
        return boolean(a || b);
    }
    case Fn::Xor: {
        const bool a = toBool(arg(0));
        const bool b = toBool(arg(1));
        return boolean(a != b);
    }
    case Fn::Not:
        return boolean(!toBool(arg(0)));
    case Fn::AndAlso:
        return toBool(arg(0)) ? arg(1) : boolean(false);
    case Fn::OrElse:
        return toBool(arg(0)) ? boolean(true) : arg(1);
    case Fn::Lt:
        return boolean(Term::compare(arg(0), arg(1)) < 0);
    case Fn::Le:
        return boolean(Term::compare(arg(0), arg(1)) <= 0);
    case Fn::Gt:
        return boolean(Term::compare(arg(0), arg(1)) > 0);
    case Fn::Ge:
        return boolean(Term::compare(arg(0), arg(1)) >= 0);
    case Fn::Eq:
        return boolean(Term::compare(arg(0), arg(1)) == 0);
    case Fn::Ne:
        return boolean(Term::compare(arg(0), arg(1)) != 0);
    case Fn::ExactEq:
        return boolean(arg(0) == arg(1));
    case Fn::ExactNe:
        return boolean(arg(0) != arg(1));
    case Fn::Add:
        return guarded([&] { return Term::add(arg(0), arg(1)); });
    case Fn::Sub:
        return guarded([&] { return Term::subtract(arg(0), arg(1)); });
    case Fn::Mul:
        return guarded([&] { return Term::multiply(arg(0), arg(1)); });
    case Fn::Divide:
        return guarded([&] { return Term::divide(arg(0), arg(1)); });
    case Fn::Div:
        return guarded([&] { return Term::intDiv(arg(0), arg(1)); });
    case Fn::Rem:
        return guarded([&] { return Term::rem(arg(0), arg(1)); });
    case Fn::Band:
        return guarded([&] { return Term::bitAnd(arg(0), arg(1)); });
    case Fn::Bor:
        return guarded([&] { return Term::bitOr(arg(0), arg(1)); });
    case Fn::Bxor:
        return guarded([&] { return Term::bitXor(arg(0), arg(1)); });
    case Fn::Bnot:
        return guarded([&] { return Term::bitNot(arg(0)); });
    case Fn::Bsl:
        return guarded([&] { return Term::shiftLeft(arg(0), arg(1)); });
    case Fn::Bsr:
        return guarded([&] { return Term::shiftRight(arg(0), arg(1)); });
    case Fn::Neg:
        return guarded([&] { return Term::negate(arg(0)); });
    case Fn::Plus: {
        Term a = arg(0);
        if (!a.isNumber())
            throw EvalFailed {};
        return a;
    }
    case Fn::Abs:
        return guarded([&] { return Term::abs(arg(0)); });
    case Fn::Element: {
        const Term n = arg(0);
        const Term t = arg(1);
        if (n.type() != Term::Type::Integer || !t.isTuple() || n.toInteger() < 1
            || n.toInteger() > t.size())
            throw EvalFailed {};
        return t.at(n.toInteger() - 1);
    }
    case Fn::Hd: {
        const Term l = arg(0);
        if (!l.isList() || l.size() == 0)
            throw EvalFailed {};
        return l.at(0);
    }
    case Fn::Tl: {
        const Term l = arg(0);
        if (!l.isList() || l.size() == 0)
            throw EvalFailed {};
        const std::span<const Term> rest = l.elements().subspan(1);
        return Term::list(QList<Term>(rest.begin(), rest.end()));
    }
    case Fn::Length: {
        const Term l = arg(0);
        if (!l.isList())
            throw EvalFailed {};
        return Term(qint64(l.size()));
    }
    case Fn::Size: {
        const Term t = arg(0);
        if (t.isTuple())
            return Term(qint64(t.size()));
        if (t.isBytes())
            return Term(qint64(t.toBytes().size()));
        throw EvalFailed {};
    }
    case Fn::ByteSize: {
        const Term t = arg(0);
        if (!t.isBytes())
            throw EvalFailed {};
        return Term(qint64(t.toBytes().size()));
    }
    case Fn::Float: {
        const Term t = arg(0);
        if (!t.isNumber())
            throw EvalFailed {};
        return Term(t.toDouble());
    }
    case Fn::Round:
    case Fn::Trunc: {
        const Term t = arg(0);
        if (t.isInteger())
            return t;
        if (!t.isFloat())
            throw EvalFailed {};
        const double d = t.toDouble();
        return integerOf(e.fn == Fn::Round ? std::round(d) : std::trunc(d));
    }
    case Fn::Self:
        return Term(qint64(ProcessScope::current()));
    }
    throw EvalFailed {};
}

Term eval(const Expr &e, const Frame &f)
{
    switch (e.kind) {
    case Expr::Kind::Const:
        return e.value;
    case Expr::Kind::Var:
        return f.b.values[size_t(e.slot)];
    case Expr::Kind::Object:
        return objectOf(f);
    case Expr::Kind::Bindings: {
        QList<Term> values;
        values.reserve(qsizetype(f.clause.slotsByNumber.size()));
        for (int slot : f.clause.slotsByNumber)
            values.append(f.b.values[size_t(slot)]);
        return Term::list(values);
    }
    case Expr::Kind::MakeTuple: {
        Tuple t;
        for (const Expr &x : e.args)
            t.append(eval(x, f));
        return Term::tuple(t);
    }
    case Expr::Kind::MakeList: {
        QList<Term> l;
        l.reserve(qsizetype(e.args.size()));
        for (const Expr &x : e.args)
            l.append(eval(x, f));
        return Term::list(l);
    }
    case Expr::Kind::Call:
        return call(e, f);
    }
    throw EvalFailed {};
}

} // namespace

struct MatchSpec::Program
{
    Term source;
    std::vector<Clause> clauses;
};

MatchSpec::MatchSpec()
    : MatchSpec(Term::list(QList<Term> {}))
{ }

MatchSpec::MatchSpec(const Term &spec)
{
    auto program = std::make_shared<Program>();
    program->source = spec;
    program->clauses = Compiler().compile(spec);
    m_program = std::move(program);
}

const Term &MatchSpec::source() const noexcept
{
    return m_program->source;
}

qsizetype MatchSpec::clauseCount() const noexcept
{
    return qsizetype(m_program->clauses.size());
}

std::optional<Term> MatchSpec::run(const Tuple &row) const
{
    for (const Clause &clause : m_program->clauses) {
        Frame f { row, clause, MatchBindings(clause.slotCount), std::nullopt };
        const MatchPattern &head = clause.head;
        bool matched;
        if (head.kind == MatchPattern::Kind::Tuple)
            matched = detail::matchElements(head, row, f.b);
        else
            matched = detail::matchTerm(head, objectOf(f), f.b);
        if (!matched)
            continue;
        bool accepted = true;
        for (const Expr &g : clause.guards) {
            try {
                if (!isTrue(eval(g, f))) {
                    accepted = false;
                    break;
                }
            } catch (const EvalFailed &) {
                accepted = false;
                break;
            }
        }
        if (!accepted)
            continue;
        try {
            Term result;
            for (const Expr &b : clause.body)
                result = eval(b, f);
            return result;
        } catch (const EvalFailed &) {
            return Term::atom(u"EXIT");
        }
    }
    return std::nullopt;
}

const Term *MatchSpec::boundKey(qsizetype keyIndex) const noexcept
{
    if (m_program->clauses.size() != 1)
        return nullptr;
    return m_program->clauses.front().head.boundKey(keyIndex);
}

namespace {

bool isSpecial(const Term &t)
{
    return isAtomNamed(t, QLatin1String("_")) || isAtomNamed(t, QLatin1String("$$"))
        || isAtomNamed(t, QLatin1String("$_"));
}

// Whether the body expression `body` always builds the term the head part
// `head` matched: the same variables and constants in the same structure,
// tuples built with {{...}} or taken as {const, T}. (OTP 25 decides
// select_replace's key check this way, on the specification alone.)
bool buildsMatched(const Term &head, const Term &body, bool constMode)
{
    if (body.isTuple()) {
        const Term *b = &body;
        if (!constMode) {
            if (body.size() == 1 && body.at(0).isTuple())
                b = &body.at(0);
            else if (body.size() == 2 && isAtomNamed(body.at(0), QLatin1String("const")))
                return buildsMatched(head, body.at(1), true);
            else
                return false; // a call, or not an expression
        }
        if (!head.isTuple() || head.size() != b->size())
            return false;
        for (qsizetype i = 0; i < b->size(); ++i) {
            if (!buildsMatched(head.at(i), b->at(i), constMode))
                return false;
        }
        return true;
    }
    if (body.isList()) {
        if (!head.isList() || head.size() != body.size())
            return false;
        for (qsizetype i = 0; i < body.size(); ++i) {
            if (!buildsMatched(head.at(i), body.at(i), constMode))
                return false;
        }
        return true;
    }
    if (!(head == body))
        return false;
    return !isSpecial(head) && !(constMode && detail::matchVariable(head) >= 0);
}

bool clauseKeepsKey(const Term &clause, qsizetype keyIndex)
{
    const Term &head = clause.at(0);
    const Term &body = clause.at(2);
    if (!body.isList() || body.size() != 1)
        return false;
    const Term &expr = body.at(0);
    if (isAtomNamed(expr, QLatin1String("$_")))
        return true;
    if (!expr.isTuple() || !head.isTuple() || head.size() <= keyIndex)
        return false;
    bool constMode;
    const Term *built;
    if (expr.size() == 2 && isAtomNamed(expr.at(0), QLatin1String("const"))) {
        built = &expr.at(1);
        constMode = true;
    } else if (expr.size() == 1) {
        built = &expr.at(0);
        constMode = false;
    } else {
        return false;
    }
    if (!built->isTuple() || built->size() <= keyIndex)
        return false;
    const Term &key = built->at(keyIndex);
    if (buildsMatched(head.at(keyIndex), key, constMode))
        return true;
    // {element, KeyPos, '$_'}
    return !constMode && key.isTuple() && key.size() == 3
        && isAtomNamed(key.at(0), QLatin1String("element")) && key.at(1).isInteger()
        && key.at(1) == Term(qint64(keyIndex + 1)) && isAtomNamed(key.at(2), QLatin1String("$_"));
}

} // namespace

bool MatchSpec::keepsKey(qsizetype keyIndex) const
{
    for (const Term &clause : source().elements()) {
        if (!clauseKeepsKey(clause, keyIndex))
            return false;
    }
    return true;
}

} // namespace immortal
