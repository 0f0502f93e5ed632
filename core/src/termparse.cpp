// Term::parse: Erlang term text back to a Term, the inverse of Term::format().
//
// The grammar is the part of Erlang's term syntax that a Term can hold:
// integers (decimal, Base#Digits, $c characters, 1_000 digit groups), floats
// (1.5, -0.0, 1.0e10), atoms (bare or 'quoted'), strings ("..." is an
// Immortal string, not a char list), binaries (<<1,2>>, <<"text">>,
// <<"é"/utf8>>), tuples and proper lists ([1,2], and [1|[2]] for the same).
// Every error is Error(BadArg) naming the 1-based column and what was
// expected there.

#include <immortal/error.h>
#include <immortal/term.h>
#include <immortal/tuple.h>

#include <QList>
#include <QString>

#include <charconv>
#include <limits>
#include <system_error>

namespace immortal {

namespace {

// Deeper nesting than this is refused rather than risking the stack. Each
// level is a parseTerm/parseList pair of frames: about 3 KB under ASan, so
// 1000 levels stay within a few MB of stack in any build, on any thread.
constexpr int kMaxDepth = 1000;

class TermParser
{
public:
    explicit TermParser(QStringView text)
        : m_text(text)
    { }

    Term parseAll()
    {
        skipSpace();
        Term t = parseTerm(0);
        skipSpace();
        if (!atEnd())
            fail(QStringLiteral("the end of the text"));
        return t;
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char16_t peek(qsizetype ahead = 0) const
    {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead].unicode() : char16_t(0);
    }
    static bool isDigit(char16_t c) { return c >= u'0' && c <= u'9'; }
    static bool isAtomStart(char16_t c) { return c >= u'a' && c <= u'z'; }
    static bool isAtomChar(char16_t c)
    {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || isDigit(c) || c == u'_'
            || c == u'@';
    }

    void skipSpace()
    {
        while (!atEnd()
               && (peek() == u' ' || peek() == u'\t' || peek() == u'\n' || peek() == u'\r'))
            ++m_pos;
    }

    QString found() const
    {
        if (atEnd())
            return QStringLiteral("the end of the text");
        return QStringLiteral("'%1'").arg(m_text[m_pos]);
    }

    // "column 7: expected ',' or '}' but found ']'"
    [[noreturn]] void fail(const QString &expected) const { failAt(m_pos, expected, found()); }
    [[noreturn]] static void failAt(qsizetype pos, const QString &expected, const QString &found)
    {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("column %1: expected %2 but found %3")
                        .arg(pos + 1)
                        .arg(expected, found));
    }
    [[noreturn]] static void refuse(qsizetype pos, const QString &what)
    {
        throw Error(Error::Code::BadArg, QStringLiteral("column %1: %2").arg(pos + 1).arg(what));
    }

    void expect(char16_t c, const char *what)
    {
        if (peek() != c || atEnd())
            fail(QLatin1String(what));
        ++m_pos;
    }

    Term parseTerm(int depth)
    {
        if (depth > kMaxDepth)
            refuse(m_pos, QStringLiteral("terms nested deeper than %1 levels").arg(kMaxDepth));
        const char16_t c = peek();
        if (atEnd())
            fail(QStringLiteral("a term"));
        if (isDigit(c) || c == u'$'
            || ((c == u'-' || c == u'+') && (isDigit(peek(1)) || peek(1) == u'$')))
            return parseNumber();
        if (isAtomStart(c)) {
            const qsizetype start = m_pos;
            while (!atEnd() && isAtomChar(peek()))
                ++m_pos;
            return Term::atom(m_text.mid(start, m_pos - start));
        }
        switch (c) {
        case u'\'':
            return Term::atom(parseQuoted(u'\''));
        case u'"': {
            QString s = parseQuoted(u'"');
            // "ab" "cd" is one string, as in Erlang source.
            for (;;) {
                const qsizetype save = m_pos;
                skipSpace();
                if (peek() != u'"' || atEnd()) {
                    m_pos = save;
                    break;
                }
                s += parseQuoted(u'"');
            }
            return Term(s);
        }
        case u'<':
            return parseBinary();
        case u'{':
            return parseTuple(depth);
        case u'[':
            return parseList(depth);
        default:
            fail(QStringLiteral("a term"));
        }
    }

    // ------------------------------------------------------------------ numbers

    Term parseNumber()
    {
        const qsizetype start = m_pos;
        bool negative = false;
        if (peek() == u'-' || peek() == u'+') {
            negative = peek() == u'-';
            ++m_pos;
        }
        if (peek() == u'$') {
            ++m_pos;
            const qint64 c = parseCharLiteral();
            return Term(negative ? -c : c);
        }
        const QString digits = parseDigits(10, start);
        if (peek() == u'#') {
            // Base#Digits, base 2..36.
            bool ok = false;
            const int base = digits.toInt(&ok);
            if (!ok || base < 2 || base > 36)
                refuse(start, QStringLiteral("the base of %1#... must be 2 to 36").arg(digits));
            ++m_pos;
            const qsizetype digitsStart = m_pos;
            const QString based = parseDigits(base, digitsStart);
            return integer(based, base, negative, start);
        }
        if (peek() == u'.' && isDigit(peek(1))) {
            ++m_pos;
            QString text = digits + u'.' + parseDigits(10, m_pos);
            if (peek() == u'e' || peek() == u'E') {
                ++m_pos;
                text += u'e';
                if (peek() == u'-' || peek() == u'+') {
                    text += QChar(peek());
                    ++m_pos;
                }
                text += parseDigits(10, m_pos);
            }
            return floating(text, negative, start);
        }
        return integer(digits, 10, negative, start);
    }

    // One or more digits of `base`, with single underscores between them.
    QString parseDigits(int base, qsizetype start)
    {
        QString out;
        for (;;) {
            const char16_t c = peek();
            int v = -1;
            if (c >= u'0' && c <= u'9')
                v = c - u'0';
            else if (c >= u'a' && c <= u'z')
                v = c - u'a' + 10;
            else if (c >= u'A' && c <= u'Z')
                v = c - u'A' + 10;
            if (atEnd() || v < 0 || v >= base) {
                if (c == u'_' && !out.isEmpty() && !atEnd()) {
                    ++m_pos; // 1_000: the next must be a digit again
                    const char16_t n = peek();
                    const int nv = (n >= u'0' && n <= u'9') ? n - u'0'
                        : (n >= u'a' && n <= u'z')          ? n - u'a' + 10
                        : (n >= u'A' && n <= u'Z')          ? n - u'A' + 10
                                                            : -1;
                    if (atEnd() || nv < 0 || nv >= base)
                        fail(QStringLiteral("a digit after '_'"));
                    continue;
                }
                break;
            }
            out += QChar(c);
            ++m_pos;
        }
        if (out.isEmpty())
            failAt(m_pos,
                   base == 10 ? QStringLiteral("a digit")
                              : QStringLiteral("a base-%1 digit").arg(base),
                   found());
        Q_UNUSED(start);
        return out;
    }

    static Term integer(const QString &digits, int base, bool negative, qsizetype start)
    {
        // The magnitude, unsigned; -9223372036854775808 fits, its negation does not.
        constexpr quint64 limit = quint64(std::numeric_limits<qint64>::max());
        quint64 magnitude = 0;
        bool overflow = false;
        for (QChar ch : digits) {
            const char16_t c = ch.unicode();
            const int v = c <= u'9' ? c - u'0' : (c >= u'a' ? c - u'a' : c - u'A') + 10;
            if (magnitude > (std::numeric_limits<quint64>::max() - quint64(v)) / quint64(base)) {
                overflow = true;
                break;
            }
            magnitude = magnitude * quint64(base) + quint64(v);
        }
        if (!overflow && (magnitude <= limit || (negative && magnitude == limit + 1)))
            return Term(negative ? qint64(0 - magnitude) : qint64(magnitude));

        // ---- BIGNUM: integers beyond 64 signed bits ----------------------------
        // A big integer (Type::BigInteger), built digit by digit with Term's
        // arithmetic, which promotes past 64 bits.
        Q_UNUSED(start);
        if (base == 10)
            return Term::integer(negative ? QStringLiteral("-") + digits : digits);
        Term value(0);
        for (QChar ch : digits) {
            const char16_t c = ch.unicode();
            const int v = c <= u'9' ? c - u'0' : (c >= u'a' ? c - u'a' : c - u'A') + 10;
            value = Term::add(Term::multiply(value, Term(base)), Term(v));
        }
        return negative ? Term::negate(value) : value;
    }

    static Term floating(const QString &text, bool negative, qsizetype start)
    {
        const QByteArray latin = text.toLatin1();
        double d = 0;
        const auto res = std::from_chars(latin.constData(), latin.constData() + latin.size(), d);
        if (res.ec == std::errc::result_out_of_range)
            refuse(start, QStringLiteral("the float %1 is out of range").arg(text));
        if (res.ec != std::errc() || res.ptr != latin.constData() + latin.size())
            refuse(start, QStringLiteral("%1 is not a float").arg(text));
        return Term(negative ? -d : d);
    }

    // ------------------------------------------------------------- characters

    // After '$': one character or one escape sequence, as a code point.
    qint64 parseCharLiteral()
    {
        if (atEnd())
            fail(QStringLiteral("a character after '$'"));
        if (peek() == u'\\') {
            ++m_pos;
            return parseEscape();
        }
        return takeCodePoint();
    }

    char32_t takeCodePoint()
    {
        const char16_t c = peek();
        ++m_pos;
        if (QChar::isHighSurrogate(c) && !atEnd() && QChar::isLowSurrogate(peek())) {
            const char16_t low = peek();
            ++m_pos;
            return QChar::surrogateToUcs4(c, low);
        }
        return c;
    }

    // After a backslash: Erlang's escapes.
    char32_t parseEscape()
    {
        if (atEnd())
            fail(QStringLiteral("an escape sequence after '\\'"));
        const char16_t c = peek();
        if (c >= u'0' && c <= u'7') {
            char32_t v = 0;
            for (int i = 0; i < 3 && peek() >= u'0' && peek() <= u'7' && !atEnd(); ++i) {
                v = v * 8 + char32_t(peek() - u'0');
                ++m_pos;
            }
            return v;
        }
        ++m_pos;
        switch (c) {
        case u'b':
            return 8;
        case u'd':
            return 127;
        case u'e':
            return 27;
        case u'f':
            return 12;
        case u'n':
            return 10;
        case u'r':
            return 13;
        case u's':
            return 32;
        case u't':
            return 9;
        case u'v':
            return 11;
        case u'^': {
            if (atEnd())
                fail(QStringLiteral("a control character after '\\^'"));
            const char16_t k = peek();
            ++m_pos;
            return char32_t(k & 31);
        }
        case u'x':
            return parseHexEscape();
        default:
            --m_pos;
            return takeCodePoint(); // \\ \' \" and any other character: itself
        }
    }

    char32_t parseHexEscape()
    {
        auto hex = [](char16_t h) -> int {
            if (h >= u'0' && h <= u'9')
                return h - u'0';
            if (h >= u'a' && h <= u'f')
                return h - u'a' + 10;
            if (h >= u'A' && h <= u'F')
                return h - u'A' + 10;
            return -1;
        };
        char32_t v = 0;
        if (peek() == u'{') {
            ++m_pos;
            int n = 0;
            while (!atEnd() && hex(peek()) >= 0) {
                v = v * 16 + char32_t(hex(peek()));
                ++m_pos;
                if (++n > 6)
                    refuse(m_pos, QStringLiteral("\\x{...} beyond U+10FFFF"));
            }
            if (n == 0)
                fail(QStringLiteral("a hex digit"));
            expect(u'}', "'}'");
        } else {
            for (int i = 0; i < 2; ++i) {
                if (atEnd() || hex(peek()) < 0)
                    fail(QStringLiteral("a hex digit"));
                v = v * 16 + char32_t(hex(peek()));
                ++m_pos;
            }
        }
        if (v > 0x10FFFF)
            refuse(m_pos, QStringLiteral("\\x{%1} is beyond U+10FFFF").arg(quint32(v), 0, 16));
        return v;
    }

    static void appendCodePoint(QString &out, char32_t cp)
    {
        if (cp > 0xFFFF) {
            out += QChar(QChar::highSurrogate(cp));
            out += QChar(QChar::lowSurrogate(cp));
        } else {
            out += QChar(char16_t(cp));
        }
    }

    // A 'quoted atom' or "string", from its opening quote.
    QString parseQuoted(char16_t quote)
    {
        const qsizetype open = m_pos;
        ++m_pos;
        QString out;
        for (;;) {
            if (atEnd())
                failAt(m_pos,
                       QStringLiteral("a closing %1 for the one at column %2")
                           .arg(quote == u'"' ? QStringLiteral("'\"'") : QStringLiteral("\"'\""))
                           .arg(open + 1),
                       found());
            const char16_t c = peek();
            if (c == quote) {
                ++m_pos;
                return out;
            }
            if (c == u'\\') {
                ++m_pos;
                appendCodePoint(out, parseEscape());
            } else {
                out += QChar(c);
                ++m_pos;
            }
        }
    }

    // -------------------------------------------------------------- compounds

    Term parseBinary()
    {
        expect(u'<', "a term");
        expect(u'<', "'<<'");
        QByteArray bytes;
        skipSpace();
        if (peek() == u'>' && peek(1) == u'>') {
            m_pos += 2;
            return Term(bytes);
        }
        for (;;) {
            skipSpace();
            const qsizetype segment = m_pos;
            if (peek() == u'"' && !atEnd()) {
                const QString s = parseQuoted(u'"');
                if (peek() == u'/') {
                    ++m_pos;
                    const qsizetype typeStart = m_pos;
                    while (!atEnd() && isAtomChar(peek()))
                        ++m_pos;
                    const QStringView type = m_text.mid(typeStart, m_pos - typeStart);
                    if (type != u"utf8")
                        failAt(typeStart, QStringLiteral("utf8 after '/'"),
                               type.isEmpty() ? found() : QStringLiteral("'%1'").arg(type));
                    bytes += s.toUtf8();
                } else {
                    for (QChar ch : s) {
                        if (ch.unicode() > 255)
                            refuse(segment,
                                   QStringLiteral("a binary's string holds bytes: '%1' is "
                                                  "beyond 255 (write \"...\"/utf8)")
                                       .arg(ch));
                        bytes += char(ch.unicode());
                    }
                }
            } else if (isDigit(peek()) || peek() == u'$' || peek() == u'-' || peek() == u'+') {
                const Term v = parseNumber();
                if (!v.isInteger() || v.toInteger() < 0 || v.toInteger() > 255)
                    refuse(segment,
                           QStringLiteral("a binary's element must be an integer 0 to "
                                          "255, not %1")
                               .arg(v.format()));
                bytes += char(quint8(v.toInteger()));
            } else {
                fail(QStringLiteral("a byte or a string in the binary"));
            }
            skipSpace();
            if (peek() == u',' && !atEnd()) {
                ++m_pos;
                continue;
            }
            if (peek() == u'>' && peek(1) == u'>') {
                m_pos += 2;
                return Term(bytes);
            }
            fail(QStringLiteral("',' or '>>'"));
        }
    }

    Term parseTuple(int depth)
    {
        ++m_pos; // '{'
        QList<Term> items;
        skipSpace();
        if (peek() == u'}' && !atEnd()) {
            ++m_pos;
            return Term::tuple(Tuple());
        }
        for (;;) {
            skipSpace();
            items.append(parseTerm(depth + 1));
            skipSpace();
            if (peek() == u',' && !atEnd()) {
                ++m_pos;
                continue;
            }
            if (peek() == u'}' && !atEnd()) {
                ++m_pos;
                return Term::tuple(Tuple(items));
            }
            fail(QStringLiteral("',' or '}'"));
        }
    }

    Term parseList(int depth)
    {
        ++m_pos; // '['
        QList<Term> items;
        skipSpace();
        if (peek() == u']' && !atEnd()) {
            ++m_pos;
            return Term::list(items);
        }
        for (;;) {
            skipSpace();
            items.append(parseTerm(depth + 1));
            skipSpace();
            if (peek() == u',' && !atEnd()) {
                ++m_pos;
                continue;
            }
            if (peek() == u'|' && !atEnd()) {
                // [H|T]: a proper list only when T is one.
                ++m_pos;
                skipSpace();
                const qsizetype tailStart = m_pos;
                const Term tail = parseTerm(depth + 1);
                if (!tail.isList())
                    refuse(tailStart,
                           QStringLiteral("the tail after '|' is %1, not a list: "
                                          "improper lists have no Term form")
                               .arg(tail.format()));
                items.append(tail.toList());
                skipSpace();
                expect(u']', "']' after the tail of the list");
                return Term::list(items);
            }
            if (peek() == u']' && !atEnd()) {
                ++m_pos;
                return Term::list(items);
            }
            fail(QStringLiteral("',', '|' or ']'"));
        }
    }

    QStringView m_text;
    qsizetype m_pos = 0;
};

} // namespace

Term Term::parse(QStringView text)
{
    return TermParser(text).parseAll();
}

} // namespace immortal
