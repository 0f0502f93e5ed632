#include <immortal/term.h>

#include <immortal/error.h>
#include <immortal/tuple.h>

#include <QHash>
#include <QMutex>
#include <QVariantList>

#include <atomic>
#include <boost/multiprecision/cpp_int.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace immortal {

// ---------------------------------------------------------------------------
// Heap payloads. Immutable after construction, so readers on any thread need
// no lock; the reference count is the only shared mutable state.

struct Term::Payload
{
    std::atomic<qint32> ref { 1 };
    size_t hash = 0; // cached: keys are hashed far more often than built
};

struct Term::StringPayload : Term::Payload
{
    QString value;
};
struct Term::BytesPayload : Term::Payload
{
    QByteArray value;
};
struct Term::TuplePayload : Term::Payload
{
    Tuple value;
};
struct Term::ListPayload : Term::Payload
{
    QList<Term> value;
};
// An integer beyond 64 bits: never one that fits (BigIntAccess::make()
// brings those back inline), so each integer value has one form.
struct Term::BigIntPayload : Term::Payload
{
    boost::multiprecision::cpp_int value;
};

using BigInt = boost::multiprecision::cpp_int;

// Builds and reads big integers for the arithmetic below (Term's friend).
struct BigIntAccess
{
    static Term make(const BigInt &v)
    {
        if (v >= std::numeric_limits<qint64>::min() && v <= std::numeric_limits<qint64>::max())
            return Term(v.convert_to<qint64>());
        Term t;
        auto *p = new Term::BigIntPayload;
        p->value = v;
        // The magnitude's limbs and the sign, mixed.
        quint64 h = v.sign() < 0 ? 0x2545f4914f6cdd1dULL : 0x9e3779b97f4a7c15ULL;
        const auto &backend = v.backend();
        for (std::size_t i = 0; i < backend.size(); ++i)
            h = Term::mixInteger(h ^ quint64(backend.limbs()[i])) + i;
        p->hash = Term::mixInteger(h);
        t.m_type = Term::Type::BigInteger;
        t.m_payload = p;
        return t;
    }
    static const BigInt &value(const Term &t)
    {
        return static_cast<const Term::BigIntPayload *>(t.m_payload)->value;
    }
    // Any integer as a BigInt (the caller checked that it is one).
    static BigInt of(const Term &t)
    {
        return t.m_type == Term::Type::Integer ? BigInt(t.m_int) : value(t);
    }
};

namespace {

constexpr quint64 kFloatSalt = 0x9e3779b97f4a7c15ULL;
constexpr quint64 kAtomSalt = 0xc2b2ae3d27d4eb4fULL;
constexpr quint64 kStringSalt = 0x165667b19e3779f9ULL;
constexpr quint64 kBytesSalt = 0x27d4eb2f165667c5ULL;
constexpr quint64 kTupleSalt = 0x85ebca77c2b2ae63ULL;
constexpr quint64 kListSalt = 0xff51afd7ed558ccdULL;

// ---------------------------------------------------------------------------
// The atom table: append-only, in fixed chunks, so a name can be read
// without a lock once its index has been published.

class AtomTable
{
public:
    static constexpr quint64 ChunkBits = 12;
    static constexpr quint64 ChunkSize = quint64(1) << ChunkBits;
    static constexpr quint64 MaxChunks = 4096;

    static AtomTable &instance()
    {
        static AtomTable table;
        return table;
    }

    quint64 intern(QStringView name)
    {
        QMutexLocker lock(&m_mutex);
        const QString key = name.toString();
        auto it = m_index.constFind(key);
        if (it != m_index.cend())
            return it.value();
        const quint64 index = m_count.load(std::memory_order_relaxed);
        const quint64 chunk = index >> ChunkBits;
        if (chunk >= MaxChunks)
            throw Error(Error::Code::BadArg, QStringLiteral("too many atoms"));
        if (!m_chunks[chunk].load(std::memory_order_relaxed))
            m_chunks[chunk].store(new QString[ChunkSize], std::memory_order_relaxed);
        m_chunks[chunk].load(std::memory_order_relaxed)[index & (ChunkSize - 1)] = key;
        m_index.insert(key, index);
        m_count.store(index + 1, std::memory_order_release);
        return index;
    }

    const QString &name(quint64 index) const noexcept
    {
        return m_chunks[index >> ChunkBits].load(
            std::memory_order_acquire)[index & (ChunkSize - 1)];
    }

private:
    AtomTable()
    {
        // Index 0 is 'undefined', so a default Term needs no lookup.
        intern(u"undefined");
    }
    // Never freed: atoms live as long as the program, as in Erlang.
    QMutex m_mutex;
    QHash<QString, quint64> m_index;
    std::atomic<QString *> m_chunks[MaxChunks] {};
    std::atomic<quint64> m_count { 0 };
};

int typeRank(Term::Type t) noexcept
{
    switch (t) {
    case Term::Type::Integer:
    case Term::Type::Float:
    case Term::Type::BigInteger:
        return 0;
    case Term::Type::Atom:
        return 1;
    case Term::Type::Tuple:
        return 2;
    case Term::Type::List:
        return 3;
    case Term::Type::String:
        return 4;
    case Term::Type::Bytes:
        return 5;
    }
    return 6;
}

template<typename T>
int sign(T a, T b) noexcept
{
    return a < b ? -1 : (a > b ? 1 : 0);
}

// Two floats. Erlang has no NaN, but a Term may hold one: it sorts after
// every other number and equals itself, as the integer comparisons below
// place it, so that the order stays total (an ordered_set's B-tree needs it).
int compareFloats(double a, double b) noexcept
{
    if (std::isnan(a) || std::isnan(b))
        return int(std::isnan(a)) - int(std::isnan(b));
    return sign(a, b);
}

// An integer against a float, exactly (no rounding of large integers).
int compareIntFloat(qint64 i, double d) noexcept
{
    if (std::isnan(d))
        return -1;
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    const double fl = std::floor(d);
    const auto di = qint64(fl);
    if (i != di)
        return i < di ? -1 : 1;
    return d > fl ? -1 : 0;
}

// A big integer against a float, exactly.
int compareBigFloat(const BigInt &i, double d) noexcept
{
    if (std::isnan(d))
        return -1;
    if (std::isinf(d))
        return d > 0 ? -1 : 1;
    const double fl = std::floor(d);
    const BigInt di(fl); // exact: fl is integral
    if (i != di)
        return i < di ? -1 : 1;
    return d > fl ? -1 : 0;
}

// UTF-16 order equals code point order except between surrogates and
// U+E000..U+FFFF; shifting both ranges fixes that.
inline char16_t codePointOrder(char16_t c) noexcept
{
    if (c >= 0xD800) {
        if (c >= 0xE000)
            return char16_t(c - 0x800);
        return char16_t(c + 0x2000);
    }
    return c;
}

int compareStrings(QStringView a, QStringView b) noexcept
{
    const qsizetype n = std::min(a.size(), b.size());
    const char16_t *pa = a.utf16();
    const char16_t *pb = b.utf16();
    for (qsizetype i = 0; i < n; ++i) {
        if (pa[i] != pb[i])
            return codePointOrder(pa[i]) < codePointOrder(pb[i]) ? -1 : 1;
    }
    return sign(a.size(), b.size());
}

int compareElements(std::span<const Term> a, std::span<const Term> b) noexcept
{
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        if (const int c = Term::compare(a[i], b[i]))
            return c;
    }
    return sign(a.size(), b.size());
}

bool isPlainAtom(const QString &s)
{
    if (s.isEmpty() || !(s.at(0) >= u'a' && s.at(0) <= u'z'))
        return false;
    for (QChar c : s) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_' && c != u'@')
            return false;
    }
    static const QStringList reserved { "after", "and", "andalso", "band", "begin",  "bnot",
                                        "bor",   "bsl", "bsr",     "bxor", "case",   "catch",
                                        "cond",  "div", "end",     "fun",  "if",     "let",
                                        "maybe", "not", "of",      "or",   "orelse", "receive",
                                        "rem",   "try", "when",    "xor" };
    return !reserved.contains(s);
}

QString quoted(const QString &s, QChar quote)
{
    QString out;
    out.reserve(s.size() + 2);
    out += quote;
    for (QChar c : s) {
        if (c == quote || c == u'\\') {
            out += u'\\';
            out += c;
        } else if (c == u'\n') {
            out += QLatin1String("\\n");
        } else if (c == u'\t') {
            out += QLatin1String("\\t");
        } else if (c == u'\r') {
            out += QLatin1String("\\r");
        } else {
            out += c;
        }
    }
    out += quote;
    return out;
}

QString formatFloat(double d)
{
    if (std::isnan(d))
        return QStringLiteral("nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d);
    QString s = QString::fromLatin1(buf, res.ptr - buf);
    // Erlang always shows a float with a fraction: 1.0, 1.0e20.
    s.remove(u'+'); // 1.0e20, as Erlang writes it
    const qsizetype e = s.indexOf(u'e');
    const QStringView mantissa = e < 0 ? QStringView(s) : QStringView(s).left(e);
    if (!mantissa.contains(u'.'))
        s.insert(e < 0 ? s.size() : e, QLatin1String(".0"));
    return s;
}

[[noreturn]] void wrongType(const Term &t, const char *wanted)
{
    throw Error(Error::Code::BadArg,
                QStringLiteral("expected %1, got %2").arg(QLatin1String(wanted), t.format()));
}

} // namespace

// ---------------------------------------------------------------------------

Term::Term(const QString &s)
    : m_type(Type::String)
{
    auto *p = new StringPayload;
    p->value = s;
    p->hash = mixInteger(qHash(s) ^ kStringSalt);
    m_payload = p;
}

Term::Term(const char *utf8)
    : Term(QString::fromUtf8(utf8))
{ }

Term::Term(const QByteArray &bytes)
    : m_type(Type::Bytes)
{
    auto *p = new BytesPayload;
    p->value = bytes;
    p->hash = mixInteger(qHash(bytes) ^ kBytesSalt);
    m_payload = p;
}

Term &Term::assignShared(const Term &other) noexcept
{
    // Retain first: other may be (or hold the last reference to) this.
    if (other.m_type >= Type::String)
        other.retain();
    release();
    m_type = other.m_type;
    m_int = other.m_int;
    return *this;
}

void Term::retain() const noexcept
{
    m_payload->ref.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// Tuples and lists whose last reference went while another one was being
// freed. Freeing a term nested 100,000 deep one level per call frame would
// overflow the stack; instead the outermost release frees them one by one.
struct PendingFree
{
    Term::Type type;
    void *payload;
};
thread_local std::vector<PendingFree> t_pendingFrees;
thread_local bool t_freeing = false;

} // namespace

void Term::releasePayload() noexcept
{
    if (m_payload->ref.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    switch (m_type) {
    case Type::String:
        delete static_cast<StringPayload *>(m_payload);
        return;
    case Type::Bytes:
        delete static_cast<BytesPayload *>(m_payload);
        return;
    case Type::BigInteger:
        delete static_cast<BigIntPayload *>(m_payload);
        return;
    default:
        break;
    }
    if (t_freeing) {
        t_pendingFrees.push_back({ m_type, m_payload });
        return;
    }
    t_freeing = true;
    PendingFree next { m_type, m_payload };
    for (;;) {
        // Freeing one releases its elements: those that were the last
        // reference to a tuple or list land in t_pendingFrees.
        if (next.type == Type::Tuple)
            delete static_cast<TuplePayload *>(next.payload);
        else
            delete static_cast<ListPayload *>(next.payload);
        if (t_pendingFrees.empty())
            break;
        next = t_pendingFrees.back();
        t_pendingFrees.pop_back();
    }
    t_freeing = false;
}

Term Term::atom(QStringView name)
{
    Term t;
    t.m_atom = AtomTable::instance().intern(name);
    return t;
}

Term Term::seq(Type type, std::span<const Term> elements)
{
    Term t;
    t.m_type = type;
    Payload *p;
    if (type == Type::Tuple)
        p = new TuplePayload { {}, Tuple(elements.begin(), elements.end()) };
    else
        p = new ListPayload { {}, QList<Term>(elements.begin(), elements.end()) };
    quint64 h = type == Type::Tuple ? kTupleSalt : kListSalt;
    for (const Term &e : elements)
        h = mixInteger(h ^ e.hash()) + quint64(elements.size());
    p->hash = mixInteger(h);
    t.m_payload = p;
    return t;
}

std::span<const Term> Term::elements() const noexcept
{
    if (m_type == Type::Tuple)
        return static_cast<const TuplePayload *>(m_payload)->value;
    if (m_type == Type::List)
        return static_cast<const ListPayload *>(m_payload)->value;
    return {};
}

Term Term::tuple(const Tuple &elements)
{
    return seq(Type::Tuple, elements);
}

Term Term::tuple(std::initializer_list<Term> elements)
{
    return seq(Type::Tuple, elements);
}

Term Term::list(const QList<Term> &elements)
{
    return seq(Type::List, elements);
}

Term Term::list(std::initializer_list<Term> elements)
{
    return seq(Type::List, elements);
}

qint64 Term::toInteger() const
{
    if (m_type == Type::BigInteger)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("the integer %1 does not fit in 64 bits").arg(format()));
    if (m_type != Type::Integer)
        wrongType(*this, "an integer");
    return m_int;
}

double Term::toDouble() const
{
    if (m_type == Type::Float)
        return m_float;
    if (m_type == Type::Integer)
        return double(m_int);
    if (m_type == Type::BigInteger)
        return BigIntAccess::value(*this).convert_to<double>();
    wrongType(*this, "a number");
}

Term Term::integer(QStringView decimal)
{
    const QString text = decimal.trimmed().toString();
    qsizetype i = 0;
    if (i < text.size() && (text.at(i) == u'-' || text.at(i) == u'+'))
        ++i;
    bool digits = i < text.size();
    for (qsizetype j = i; j < text.size(); ++j)
        digits = digits && text.at(j) >= u'0' && text.at(j) <= u'9';
    if (!digits)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("'%1' is not an integer: write an optional sign and "
                                   "decimal digits")
                        .arg(decimal));
    // Boost reads a leading 0 as octal and throws on an 8 or a 9 after it:
    // the digits go without their leading zeros ("007" is 7, as in Erlang).
    while (i + 1 < text.size() && text.at(i) == u'0')
        ++i;
    BigInt v(text.mid(i).toStdString());
    if (text.at(0) == u'-')
        v = -v;
    return BigIntAccess::make(v);
}

QString Term::atomName() const
{
    if (m_type != Type::Atom)
        wrongType(*this, "an atom");
    return AtomTable::instance().name(m_atom);
}

QString Term::toString() const
{
    if (m_type != Type::String)
        wrongType(*this, "a string");
    return static_cast<const StringPayload *>(m_payload)->value;
}

QByteArray Term::toBytes() const
{
    if (m_type != Type::Bytes)
        wrongType(*this, "a binary");
    return static_cast<const BytesPayload *>(m_payload)->value;
}

const Tuple &Term::toTuple() const
{
    if (m_type != Type::Tuple)
        wrongType(*this, "a tuple");
    return static_cast<const TuplePayload *>(m_payload)->value;
}

const QList<Term> &Term::toList() const
{
    if (m_type != Type::List)
        wrongType(*this, "a list");
    return static_cast<const ListPayload *>(m_payload)->value;
}

qsizetype Term::size() const noexcept
{
    return qsizetype(elements().size());
}

const Term &Term::at(qsizetype i) const
{
    if (m_type != Type::Tuple && m_type != Type::List)
        wrongType(*this, "a tuple or a list");
    const std::span<const Term> v = elements();
    if (i < 0 || size_t(i) >= v.size())
        throw Error(Error::Code::BadArg,
                    QStringLiteral("index %1 is out of range for %2 (size %3)")
                        .arg(i)
                        .arg(format())
                        .arg(v.size()));
    return v[size_t(i)];
}

bool Term::equalsSlow(const Term &other) const noexcept
{
    switch (m_type) {
    case Type::Integer:
    case Type::Atom:
        return m_int == other.m_int;
    case Type::Float:
        return m_float == other.m_float || (std::isnan(m_float) && std::isnan(other.m_float));
    default:
        break;
    }
    if (m_payload == other.m_payload)
        return true;
    if (m_payload->hash != other.m_payload->hash)
        return false;
    switch (m_type) {
    case Type::BigInteger:
        return BigIntAccess::value(*this) == BigIntAccess::value(other);
    case Type::String:
        return static_cast<const StringPayload *>(m_payload)->value
            == static_cast<const StringPayload *>(other.m_payload)->value;
    case Type::Bytes:
        return static_cast<const BytesPayload *>(m_payload)->value
            == static_cast<const BytesPayload *>(other.m_payload)->value;
    default:
        return std::ranges::equal(elements(), other.elements());
    }
}

int Term::compare(const Term &a, const Term &b) noexcept
{
    // The hot case for ordered_set: two integers.
    if (a.m_type == Type::Integer && b.m_type == Type::Integer)
        return sign(a.m_int, b.m_int);
    const int ra = typeRank(a.m_type);
    const int rb = typeRank(b.m_type);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (a.m_type == Type::BigInteger || b.m_type == Type::BigInteger) {
        if (a.m_type == Type::Float)
            return -compareBigFloat(BigIntAccess::value(b), a.m_float);
        if (b.m_type == Type::Float)
            return compareBigFloat(BigIntAccess::value(a), b.m_float);
        const BigInt x = BigIntAccess::of(a);
        const BigInt y = BigIntAccess::of(b);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    switch (a.m_type) {
    case Type::Integer:
        return compareIntFloat(a.m_int, b.m_float);
    case Type::Float:
        if (b.m_type == Type::Integer)
            return -compareIntFloat(b.m_int, a.m_float);
        return compareFloats(a.m_float, b.m_float);
    case Type::Atom:
        if (a.m_atom == b.m_atom)
            return 0;
        return compareStrings(AtomTable::instance().name(a.m_atom),
                              AtomTable::instance().name(b.m_atom));
    case Type::String:
        return compareStrings(static_cast<const StringPayload *>(a.m_payload)->value,
                              static_cast<const StringPayload *>(b.m_payload)->value);
    case Type::Bytes: {
        const QByteArray &x = static_cast<const BytesPayload *>(a.m_payload)->value;
        const QByteArray &y = static_cast<const BytesPayload *>(b.m_payload)->value;
        const int c =
            std::memcmp(x.constData(), y.constData(), size_t(std::min(x.size(), y.size())));
        return c ? (c < 0 ? -1 : 1) : sign(x.size(), y.size());
    }
    case Type::Tuple: {
        const std::span<const Term> x = a.elements();
        const std::span<const Term> y = b.elements();
        if (x.size() != y.size())
            return x.size() < y.size() ? -1 : 1;
        return compareElements(x, y);
    }
    case Type::List:
        return compareElements(a.elements(), b.elements());
    case Type::BigInteger: // above
        break;
    }
    return 0;
}

size_t Term::hashSlow(size_t seed) const noexcept
{
    size_t h;
    switch (m_type) {
    case Type::Integer:
        h = mixInteger(quint64(m_int));
        break;
    case Type::Float: {
        // 0.0 == -0.0, so they must hash alike; all NaNs are one value.
        double d = m_float == 0.0 ? 0.0 : m_float;
        if (std::isnan(d))
            d = std::numeric_limits<double>::quiet_NaN();
        quint64 bits;
        std::memcpy(&bits, &d, sizeof bits);
        h = mixInteger(bits ^ kFloatSalt);
        break;
    }
    case Type::Atom:
        h = mixInteger(m_atom ^ kAtomSalt);
        break;
    default:
        h = m_payload->hash;
        break;
    }
    return seed ? mixInteger(h ^ seed) : h;
}

size_t Term::memory() const noexcept
{
    switch (m_type) {
    case Type::String:
        return sizeof(Term) + sizeof(StringPayload)
            + size_t(static_cast<const StringPayload *>(m_payload)->value.capacity()) * 2;
    case Type::Bytes:
        return sizeof(Term) + sizeof(BytesPayload)
            + size_t(static_cast<const BytesPayload *>(m_payload)->value.capacity());
    case Type::Tuple: // Tuple::memory() counts the Tuple itself
        return sizeof(Term) + sizeof(TuplePayload) - sizeof(Tuple)
            + static_cast<const TuplePayload *>(m_payload)->value.memory();
    case Type::List: {
        const QList<Term> &v = static_cast<const ListPayload *>(m_payload)->value;
        size_t total = sizeof(Term) + sizeof(ListPayload) + size_t(v.capacity()) * sizeof(Term);
        for (const Term &e : v)
            total += e.memory() - sizeof(Term);
        return total;
    }
    case Type::BigInteger: {
        // The limbs, when they outgrow the ones inside the cpp_int.
        const auto &backend = BigIntAccess::value(*this).backend();
        const size_t limbs =
            backend.capacity() > BigInt::backend_type::internal_limb_count ? backend.capacity() : 0;
        return sizeof(Term) + sizeof(BigIntPayload)
            + limbs * sizeof(boost::multiprecision::limb_type);
    }
    default:
        return sizeof(Term);
    }
}

QString Term::format() const
{
    switch (m_type) {
    case Type::Integer:
        return QString::number(m_int);
    case Type::BigInteger:
        return QString::fromStdString(BigIntAccess::value(*this).str());
    case Type::Float:
        return formatFloat(m_float);
    case Type::Atom: {
        const QString &n = AtomTable::instance().name(m_atom);
        return isPlainAtom(n) ? n : quoted(n, u'\'');
    }
    case Type::String:
        return quoted(static_cast<const StringPayload *>(m_payload)->value, u'"');
    case Type::Bytes: {
        const QByteArray &b = static_cast<const BytesPayload *>(m_payload)->value;
        QString out = QStringLiteral("<<");
        for (qsizetype i = 0; i < b.size(); ++i) {
            if (i)
                out += u',';
            out += QString::number(quint8(b.at(i)));
        }
        return out + QStringLiteral(">>");
    }
    case Type::Tuple:
    case Type::List: {
        const bool tuple = m_type == Type::Tuple;
        QString out(tuple ? u'{' : u'[');
        bool firstElement = true;
        for (const Term &e : elements()) {
            if (!firstElement)
                out += u',';
            firstElement = false;
            out += e.format();
        }
        out += tuple ? u'}' : u']';
        return out;
    }
    }
    return {};
}

QVariant Term::toVariant() const
{
    switch (m_type) {
    case Type::Integer:
        return QVariant::fromValue<qlonglong>(m_int);
    case Type::BigInteger: // no QVariant type holds it: its decimal digits
        return format();
    case Type::Float:
        return m_float;
    case Type::Atom:
        return AtomTable::instance().name(m_atom);
    case Type::String:
        return static_cast<const StringPayload *>(m_payload)->value;
    case Type::Bytes:
        return static_cast<const BytesPayload *>(m_payload)->value;
    case Type::Tuple:
    case Type::List: {
        QVariantList out;
        const std::span<const Term> v = elements();
        out.reserve(qsizetype(v.size()));
        for (const Term &e : v)
            out.append(e.toVariant());
        return out;
    }
    }
    return {};
}

Term Term::fromVariant(const QVariant &v)
{
    if (v.metaType() == QMetaType::fromType<Term>())
        return v.value<Term>();
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        return Term();
    case QMetaType::Bool:
        return atom(v.toBool() ? u"true" : u"false");
    case QMetaType::Int:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::UShort:
    case QMetaType::UInt:
    case QMetaType::ULong:
        return Term(v.toLongLong());
    case QMetaType::ULongLong: {
        const qulonglong u = v.toULongLong();
        return BigIntAccess::make(BigInt(u)); // beyond qint64, a big integer
    }
    case QMetaType::Double:
    case QMetaType::Float:
        return Term(v.toDouble());
    case QMetaType::QString:
    case QMetaType::QChar:
        return Term(v.toString());
    case QMetaType::QByteArray:
        return Term(v.toByteArray());
    case QMetaType::QStringList:
    case QMetaType::QVariantList: {
        QList<Term> items;
        const QVariantList list = v.toList();
        items.reserve(list.size());
        for (const QVariant &e : list)
            items.append(fromVariant(e));
        return Term::list(items);
    }
    case QMetaType::QVariantMap: {
        // A map becomes a list of {Key, Value} tuples, in key order.
        QList<Term> items;
        const QVariantMap map = v.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            items.append(Term::tuple({ Term(it.key()), fromVariant(it.value()) }));
        return Term::list(items);
    }
    default:
        break;
    }
    throw Error(Error::Code::BadArg,
                QStringLiteral("a QVariant of type %1 has no term form")
                    .arg(QLatin1String(v.typeName() ? v.typeName() : "unknown")));
}

// ---------------------------------------------------------------------------
// Arithmetic. Integers take the 64-bit path when both fit and the result does
// (the overflow builtins say so); otherwise cpp_int, normalised back.

namespace {

[[noreturn]] void badarith(const char *op, const Term &a, const Term *b = nullptr)
{
    throw Error(Error::Code::BadArg,
                b ? QStringLiteral("bad arithmetic: %1 %2 %3")
                        .arg(a.format(), QLatin1String(op), b->format())
                  : QStringLiteral("bad arithmetic: %1 %2").arg(QLatin1String(op), a.format()));
}

void needNumbers(const char *op, const Term &a, const Term &b)
{
    if (!a.isNumber() || !b.isNumber())
        badarith(op, a, &b);
}

void needIntegers(const char *op, const Term &a, const Term &b)
{
    if (!a.isInteger() || !b.isInteger())
        badarith(op, a, &b);
}

Term finite(const char *op, const Term &a, const Term &b, double r)
{
    if (!std::isfinite(r))
        badarith(op, a, &b);
    return Term(r);
}

bool bothSmall(const Term &a, const Term &b) noexcept
{
    return a.type() == Term::Type::Integer && b.type() == Term::Type::Integer;
}

} // namespace

Term Term::add(const Term &a, const Term &b)
{
    needNumbers("+", a, b);
    if (bothSmall(a, b)) {
        qint64 r;
        if (!__builtin_add_overflow(a.m_int, b.m_int, &r))
            return Term(r);
    }
    if (a.isFloat() || b.isFloat())
        return finite("+", a, b, a.toDouble() + b.toDouble());
    return BigIntAccess::make(BigIntAccess::of(a) + BigIntAccess::of(b));
}

Term Term::subtract(const Term &a, const Term &b)
{
    needNumbers("-", a, b);
    if (bothSmall(a, b)) {
        qint64 r;
        if (!__builtin_sub_overflow(a.m_int, b.m_int, &r))
            return Term(r);
    }
    if (a.isFloat() || b.isFloat())
        return finite("-", a, b, a.toDouble() - b.toDouble());
    return BigIntAccess::make(BigIntAccess::of(a) - BigIntAccess::of(b));
}

Term Term::multiply(const Term &a, const Term &b)
{
    needNumbers("*", a, b);
    if (bothSmall(a, b)) {
        qint64 r;
        if (!__builtin_mul_overflow(a.m_int, b.m_int, &r))
            return Term(r);
    }
    if (a.isFloat() || b.isFloat())
        return finite("*", a, b, a.toDouble() * b.toDouble());
    return BigIntAccess::make(BigIntAccess::of(a) * BigIntAccess::of(b));
}

Term Term::divide(const Term &a, const Term &b)
{
    needNumbers("/", a, b);
    if (b.toDouble() == 0.0)
        badarith("/", a, &b);
    return finite("/", a, b, a.toDouble() / b.toDouble());
}

Term Term::intDiv(const Term &a, const Term &b)
{
    needIntegers("div", a, b);
    if (b.m_type == Type::Integer && b.m_int == 0)
        badarith("div", a, &b);
    if (bothSmall(a, b) && !(a.m_int == std::numeric_limits<qint64>::min() && b.m_int == -1))
        return Term(a.m_int / b.m_int);
    return BigIntAccess::make(BigIntAccess::of(a) / BigIntAccess::of(b));
}

Term Term::rem(const Term &a, const Term &b)
{
    needIntegers("rem", a, b);
    if (b.m_type == Type::Integer && b.m_int == 0)
        badarith("rem", a, &b);
    if (bothSmall(a, b))
        return Term(b.m_int == -1 ? 0 : a.m_int % b.m_int);
    return BigIntAccess::make(BigIntAccess::of(a) % BigIntAccess::of(b));
}

Term Term::bitAnd(const Term &a, const Term &b)
{
    needIntegers("band", a, b);
    if (bothSmall(a, b))
        return Term(a.m_int & b.m_int);
    return BigIntAccess::make(BigIntAccess::of(a) & BigIntAccess::of(b));
}

Term Term::bitOr(const Term &a, const Term &b)
{
    needIntegers("bor", a, b);
    if (bothSmall(a, b))
        return Term(a.m_int | b.m_int);
    return BigIntAccess::make(BigIntAccess::of(a) | BigIntAccess::of(b));
}

Term Term::bitXor(const Term &a, const Term &b)
{
    needIntegers("bxor", a, b);
    if (bothSmall(a, b))
        return Term(a.m_int ^ b.m_int);
    return BigIntAccess::make(BigIntAccess::of(a) ^ BigIntAccess::of(b));
}

Term Term::shiftLeft(const Term &a, const Term &b)
{
    needIntegers("bsl", a, b);
    // Erlang refuses shifts that would not fit in memory (system_limit).
    if (b.m_type != Type::Integer || b.m_int > (1 << 24) || b.m_int < -(1 << 24))
        badarith("bsl", a, &b);
    const BigInt x = BigIntAccess::of(a);
    if (b.m_int >= 0)
        return BigIntAccess::make(x << unsigned(b.m_int));
    // A right shift rounds towards minus infinity, as Erlang's bsr.
    const unsigned n = unsigned(-b.m_int);
    return BigIntAccess::make(x >= 0 ? BigInt(x >> n) : BigInt(-((-x - 1) >> n) - 1));
}

Term Term::shiftRight(const Term &a, const Term &b)
{
    needIntegers("bsr", a, b);
    if (b.m_type != Type::Integer || b.m_int > (1 << 24) || b.m_int < -(1 << 24))
        badarith("bsr", a, &b);
    return shiftLeft(a, Term(-b.m_int));
}

Term Term::bitNot(const Term &a)
{
    if (!a.isInteger())
        badarith("bnot", a);
    if (a.m_type == Type::Integer)
        return Term(~a.m_int);
    return BigIntAccess::make(-BigIntAccess::value(a) - 1);
}

Term Term::negate(const Term &a)
{
    if (!a.isNumber())
        badarith("-", a);
    if (a.isFloat())
        return Term(-a.m_float);
    if (a.m_type == Type::Integer && a.m_int != std::numeric_limits<qint64>::min())
        return Term(-a.m_int);
    return BigIntAccess::make(-BigIntAccess::of(a));
}

Term Term::abs(const Term &a)
{
    if (!a.isNumber())
        badarith("abs", a);
    if (a.isFloat())
        return Term(std::fabs(a.m_float));
    return compare(a, Term(0)) < 0 ? negate(a) : a;
}

size_t qHash(const Term &t, size_t seed) noexcept
{
    return t.hash(seed);
}

} // namespace immortal
