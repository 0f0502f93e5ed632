#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QVariant>

#include <absl/numeric/int128.h>
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <span>

namespace immortal {

class Tuple; // tuple.h

/// A dynamically typed value, like an Erlang term: integer, float, atom,
/// string, bytes (a binary), tuple or list. 16 bytes; heap payloads are
/// immutable and shared, so copies are cheap and thread-safe to read.
///
/// Integers have any size, as in Erlang. One that fits in 64 bits is held
/// inline (Type::Integer); only one beyond is a heap payload
/// (Type::BigInteger, Boost.Multiprecision's cpp_int). Arithmetic that
/// leaves 64 bits promotes, and a result that fits again comes back inline,
/// so every integer value has one form and equality and hashing stay exact.
///
/// Equality (operator==) is exact, like Erlang's =:= : 1 and 1.0 differ.
/// compare() is a total order in the spirit of Erlang's term order:
/// `number < atom < tuple < list < string < bytes`,
/// numbers by value (an integer and a float of equal value compare equal,
/// as with Erlang's ==), atoms and strings by code point, bytes bytewise,
/// tuples by size then element by element, lists element by element.
/// A `set` uses exact equality for keys; an `ordered_set` uses compare(),
/// so 1 and 1.0 are the same key there, as in ETS.
class Term
{
public:
    /// What kind of term it is.
    /// Integer is an integer that fits in 64 bits; BigInteger one that does
    /// not (both are Erlang integers: isInteger() is true for either).
    enum class Type : quint8 { Integer, Float, Atom, String, Bytes, Tuple, List, BigInteger };

    // Inline, as the copies below: keys are built on every call.
    /// The atom 'undefined'.
    Term() noexcept
        : m_type(Type::Atom)
        , m_atom(0)
    { }
    /// An integer.
    Term(int v) noexcept
        : m_type(Type::Integer)
        , m_int(v)
    { }
    /// An integer.
    Term(qint64 v) noexcept
        : m_type(Type::Integer)
        , m_int(v)
    { }
    /// A float.
    Term(double v) noexcept
        : m_type(Type::Float)
        , m_float(v)
    { }
    Term(const QString &s); ///< a string (not an atom)
    Term(const char *utf8); ///< a string (not an atom)
    Term(const QByteArray &bytes); ///< a binary
    // Copy, move and destroy are inline: for integers, floats and atoms they
    // are two moves and one compare, which row copies do for every element.
    /// Shares other's payload, if it has one.
    Term(const Term &other) noexcept
        : m_type(other.m_type)
        , m_int(other.m_int)
    {
        if (m_type >= Type::String)
            retain();
    }
    /// Takes other's value; other is left a valid term.
    Term(Term &&other) noexcept
        : m_type(other.m_type)
        , m_int(other.m_int)
    {
        other.m_type = Type::Integer;
    }
    /// Shares other's payload, if it has one.
    Term &operator=(const Term &other) noexcept
    {
        // One test when neither side holds a payload (what a lookup copying
        // an integer row over the previous one does); the rest out of line.
        if (std::max(m_type, other.m_type) >= Type::String) [[unlikely]]
            return assignShared(other);
        m_type = other.m_type;
        m_int = other.m_int;
        return *this;
    }
    /// Takes other's value; other is left a valid term.
    Term &operator=(Term &&other) noexcept
    {
        if (this != &other) {
            release();
            m_type = other.m_type;
            m_int = other.m_int;
            other.m_type = Type::Integer;
        }
        return *this;
    }
    ~Term() { release(); } ///< drops its share of the payload

    /// The atom with this name. Interned: comparing atoms is cheap; BadArg
    /// only when the program has made too many distinct atoms.
    static Term atom(QStringView name);
    static Term tuple(const Tuple &elements); ///< a tuple of these elements
    static Term tuple(std::initializer_list<Term> elements); ///< a tuple of these elements
    static Term list(const QList<Term> &elements); ///< a list of these elements
    static Term list(std::initializer_list<Term> elements); ///< a list of these elements
    /// The integer written in decimal (an optional sign, then digits), of any
    /// size; BadArg for anything else. The way to write an integer beyond 64 bits.
    static Term integer(QStringView decimal);

    Type type() const noexcept { return m_type; } ///< what kind of term this is
    /// \name Type tests
    /// Whether the term is of that type.
    ///@{

    /// An integer of any size (Erlang's is_integer).
    bool isInteger() const noexcept
    {
        return m_type == Type::Integer || m_type == Type::BigInteger;
    }
    /// An integer beyond 64 bits, which toInteger() cannot return.
    bool isBigInteger() const noexcept { return m_type == Type::BigInteger; }
    bool isFloat() const noexcept { return m_type == Type::Float; } ///< a float
    bool isNumber() const noexcept { return isInteger() || isFloat(); } ///< integer or float
    bool isAtom() const noexcept { return m_type == Type::Atom; } ///< an atom
    bool isString() const noexcept { return m_type == Type::String; } ///< a string
    bool isBytes() const noexcept { return m_type == Type::Bytes; } ///< a binary
    bool isTuple() const noexcept { return m_type == Type::Tuple; } ///< a tuple
    bool isList() const noexcept { return m_type == Type::List; } ///< a list
    ///@}

    /// \name Accessors
    /// Accessors throw Error(BadArg) when the type does not match.
    ///@{

    qint64 toInteger() const; ///< integers that fit in 64 bits only
    double toDouble() const; ///< integers convert (big ones to the nearest double)
    QString atomName() const; ///< atoms only
    QString toString() const; ///< strings only
    QByteArray toBytes() const; ///< bytes only
    const Tuple &toTuple() const; ///< tuples only
    const QList<Term> &toList() const; ///< lists only
    /// Elements of a tuple or a list; empty for other types.
    qsizetype size() const noexcept;
    const Term &at(qsizetype i) const; ///< tuples and lists; BadArg when out of range
    std::span<const Term> elements() const noexcept; ///< tuples and lists; empty for others
    ///@}

    /// \name Arithmetic
    /// Erlang's arithmetic on terms, for integers of any size (a result
    /// beyond 64 bits is a BigInteger) and, where Erlang allows them, floats.
    /// Error(BadArg) for operands Erlang calls badarith: a non-number, a
    /// float where an integer is needed, a division by zero, a float result
    /// that is not finite.
    ///@{

    static Term add(const Term &a, const Term &b); ///< a + b
    static Term subtract(const Term &a, const Term &b); ///< a - b
    static Term multiply(const Term &a, const Term &b); ///< a * b
    static Term divide(const Term &a, const Term &b); ///< a / b, always a float
    static Term intDiv(const Term &a, const Term &b); ///< a div b (integers, truncating)
    static Term rem(const Term &a, const Term &b); ///< a rem b (integers, the sign of a)
    static Term bitAnd(const Term &a, const Term &b); ///< a band b
    static Term bitOr(const Term &a, const Term &b); ///< a bor b
    static Term bitXor(const Term &a, const Term &b); ///< a bxor b
    static Term shiftLeft(const Term &a, const Term &b); ///< a bsl b (b < 0 shifts right)
    static Term shiftRight(const Term &a, const Term &b); ///< a bsr b (arithmetic)
    static Term bitNot(const Term &a); ///< bnot a
    static Term negate(const Term &a); ///< -a
    static Term abs(const Term &a); ///< abs(a)
    ///@}

    /// Exact equality, like Erlang's =:= (1 and 1.0 differ).
    [[gnu::always_inline]] bool operator==(const Term &other) const noexcept
    {
        // Inline for the hot case (integer and atom keys); the rest out of line.
        if (m_type != other.m_type)
            return false;
        if (m_type == Type::Integer || m_type == Type::Atom)
            return m_int == other.m_int;
        return equalsSlow(other);
    }
    bool operator!=(const Term &other) const noexcept { return !(*this == other); } ///< not ==
    /// Erlang term order (see Term); returns <0, 0, >0.
    static int compare(const Term &a, const Term &b) noexcept;
    /// Before other in term order (compare()).
    bool operator<(const Term &other) const noexcept { return compare(*this, other) < 0; }
    /// After other in term order (compare()).
    bool operator>(const Term &other) const noexcept { return compare(*this, other) > 0; }
    /// Not after other in term order (compare()).
    bool operator<=(const Term &other) const noexcept { return compare(*this, other) <= 0; }
    /// Not before other in term order (compare()).
    bool operator>=(const Term &other) const noexcept { return compare(*this, other) >= 0; }

    /// A hash consistent with operator==.
    size_t hash(size_t seed = 0) const noexcept
    {
        if (m_type == Type::Integer && seed == 0)
            return mixInteger(quint64(m_int));
        return hashSlow(seed);
    }
    /// Bytes this term occupies, heap payloads included (for info(memory)).
    size_t memory() const noexcept;

    /// Erlang-like text: `42, 1.5, ok, "text", <<1,2>>, {a,1}, [1,2]`
    QString format() const;
    /// The term that Erlang term text denotes: the inverse of format(), so
    /// `parse(t.format()) == t`. Reads integers (`-7`, `16#ff`, `$a`), floats
    /// (`1.5`, `-0.0`, `1.0e10`), atoms (`ok`, `'$1'`), strings (`"a\n"`, a
    /// string, not a char list), binaries (`<<1,2>>`, `<<"text">>`,
    /// `<<"é"/utf8>>`), tuples and proper lists (`[1,2]`, `[1|[2]]`), with
    /// Erlang's escapes and any whitespace between tokens. Throws
    /// Error(BadArg) naming the column and what was expected there, and for
    /// an improper list. Integers of any size are read (BigInteger beyond 64 bits).
    static Term parse(QStringView text);

    /// Conversion for the GUI and for scenarios. Atoms become QString too,
    /// so toVariant() is lossy for atoms, and so do big integers (their
    /// decimal digits: no QVariant type holds them); fromVariant() maps
    /// QString to string, QVariantList to list, int/qlonglong/qulonglong to
    /// integer (a big one past qint64), double to float.
    QVariant toVariant() const;
    /// The term for a QVariant (see toVariant()); BadArg for a type that has
    /// no term form.
    static Term fromVariant(const QVariant &v);

private:
    struct Payload; // refcounted, immutable: string, bytes, tuple or list
    struct StringPayload;
    struct BytesPayload;
    struct TuplePayload;
    struct ListPayload;
    struct BigIntPayload;
    friend struct BigIntAccess; // term.cpp: builds and reads big integers
    static Term seq(Type type, std::span<const Term> elements);
    void release() noexcept
    {
        if (m_type >= Type::String)
            releasePayload();
    }
    Term &assignShared(const Term &other) noexcept; // either side has a payload
    void retain() const noexcept; // heap payloads only
    void releasePayload() noexcept; // heap payloads only
    bool equalsSlow(const Term &other) const noexcept;
    size_t hashSlow(size_t seed) const noexcept;
    // The folded 128-bit product, as Abseil and Boost mix integers: one
    // multiply, and every input bit reaches both the low byte and the high
    // bits, which a flat hash table takes apart (the slot's tag, the probe's
    // start).
    static size_t mixInteger(quint64 x) noexcept
    {
        const absl::uint128 m = absl::uint128(x) * 0x9e3779b97f4a7c15ULL;
        return size_t(absl::Uint128Low64(m) ^ absl::Uint128High64(m));
    }

    Type m_type;
    union {
        qint64 m_int;
        double m_float;
        quint64 m_atom; // index into the process-wide atom table
        Payload *m_payload;
    };
};

/// For QHash and QSet: Term::hash(), consistent with operator==.
size_t qHash(const Term &t, size_t seed = 0) noexcept;

} // namespace immortal

// A Term holds no pointer into itself, so containers may move it bytewise.
Q_DECLARE_TYPEINFO(immortal::Term, Q_RELOCATABLE_TYPE);
Q_DECLARE_METATYPE(immortal::Term)
