#include "testsupport.h"

#include "matchpattern.h"

#include <immortal/error.h>
#include <immortal/term.h>
#include <immortal/tuple.h>

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace immortal;

namespace {

Term atom(const char16_t *name)
{
    return Term::atom(name);
}

// The message of the BadArg that parsing `text` throws, or "no error".
QString parseError(const QString &text)
{
    try {
        (void)Term::parse(text);
    } catch (const Error &e) {
        if (e.code() != Error::Code::BadArg)
            return QStringLiteral("wrong code: ") + e.message();
        return e.message();
    }
    return QStringLiteral("no error");
}

// A random term of every kind, nested up to `depth` levels.
Term randomTerm(QRandomGenerator &rng, int depth)
{
    const int kind = int(rng.bounded(depth > 0 ? 9 : 6));
    switch (kind) {
    case 0: {
        static const qint64 edges[] = { 0,
                                        -1,
                                        1,
                                        255,
                                        256,
                                        std::numeric_limits<qint64>::max(),
                                        std::numeric_limits<qint64>::min() };
        if (rng.bounded(3) == 0)
            return Term(edges[rng.bounded(int(std::size(edges)))]);
        return Term(qint64(rng.generate64()) >> rng.bounded(64));
    }
    case 1: {
        static const double edges[] = {
            0.0, -0.0, 1.0, -1.0, 0.1, 1e20, 1e-300, 5e-324, 1.7976931348623157e308, 123456789.125
        };
        if (rng.bounded(2) == 0)
            return Term(edges[rng.bounded(int(std::size(edges)))]);
        for (;;) {
            const quint64 bits = rng.generate64();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            if (std::isfinite(d))
                return Term(d);
        }
    }
    case 2: {
        static const char16_t *names[] = { u"ok",          u"undefined",   u"$1",     u"_",
                                           u"hello world", u"Caps",        u"case",   u"a@b",
                                           u"it's",        u"back\\slash", u"tab\tx", u"",
                                           u"héllo",       u"ünïcode",     u"x_1",    u"[]",
                                           u"{}",          u"'quoted'" };
        return Term::atom(names[rng.bounded(int(std::size(names)))]);
    }
    case 3: {
        QString s;
        const int n = int(rng.bounded(8));
        for (int i = 0; i < n; ++i) {
            static const char16_t pool[] = u"abc \"'\\\n\t\r\x01\x7f\u00e9\u4e2d{}[],<>|$";
            s += QChar(pool[rng.bounded(int(std::size(pool)) - 1)]);
        }
        if (rng.bounded(4) == 0)
            s += QString::fromUcs4(U"\U0001F600");
        return Term(s);
    }
    case 4: {
        QByteArray b;
        const int n = int(rng.bounded(6));
        for (int i = 0; i < n; ++i)
            b += char(rng.bounded(256));
        return Term(b);
    }
    case 5:
        return Term(qint64(rng.bounded(100)) - 50);
    case 6:
    case 7: {
        Tuple t;
        const int n = int(rng.bounded(4));
        for (int i = 0; i < n; ++i)
            t.append(randomTerm(rng, depth - 1));
        return Term::tuple(t);
    }
    default: {
        QList<Term> l;
        const int n = int(rng.bounded(4));
        for (int i = 0; i < n; ++i)
            l.append(randomTerm(rng, depth - 1));
        return Term::list(l);
    }
    }
}

using immortal::detail::identical; // exact: -0.0 is not 0.0

} // namespace

class TstTermParse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<Term>("term");
        QTest::newRow("int") << "42" << Term(42);
        QTest::newRow("negative") << "-7" << Term(-7);
        QTest::newRow("plus") << "+7" << Term(7);
        QTest::newRow("zero") << "0" << Term(0);
        QTest::newRow("int64 max")
            << "9223372036854775807" << Term(std::numeric_limits<qint64>::max());
        QTest::newRow("int64 min")
            << "-9223372036854775808" << Term(std::numeric_limits<qint64>::min());
        QTest::newRow("based") << "16#fF" << Term(255);
        QTest::newRow("negative based") << "-2#101" << Term(-5);
        QTest::newRow("digit groups") << "1_000_000" << Term(1000000);
        QTest::newRow("char") << "$a" << Term(97);
        QTest::newRow("char escape") << "$\\n" << Term(10);
        QTest::newRow("float") << "1.5" << Term(1.5);
        QTest::newRow("negative float") << "-2.25" << Term(-2.25);
        QTest::newRow("exponent") << "1.0e10" << Term(1e10);
        QTest::newRow("negative exponent") << "2.5E-3" << Term(2.5e-3);
        QTest::newRow("plus exponent") << "1.0e+20" << Term(1e20);
        QTest::newRow("atom") << "ok" << atom(u"ok");
        QTest::newRow("atom with @ and digits") << "node@host_1" << atom(u"node@host_1");
        QTest::newRow("quoted atom") << "'$1'" << atom(u"$1");
        QTest::newRow("quoted atom, space") << "'hello world'" << atom(u"hello world");
        QTest::newRow("quoted atom, escapes") << "'it\\'s'" << atom(u"it's");
        QTest::newRow("empty atom") << "''" << atom(u"");
        QTest::newRow("string") << "\"abc\"" << Term("abc");
        QTest::newRow("empty string") << "\"\"" << Term("");
        QTest::newRow("string escapes")
            << "\"\\\"\\\\\\n\\t\\r\\b\\d\\e\\f\\s\\v\\101\\x41\\x{263A}\\^a\\q\""
            << Term(QStringLiteral("\"\\\n\t\r\b\x7f\x1b\f \vAA\u263a\x01q"));
        QTest::newRow("string beyond BMP")
            << "\"\\x{1F600}\"" << Term(QString::fromUcs4(U"\U0001F600"));
        QTest::newRow("adjacent strings") << "\"ab\" \"cd\"" << Term("abcd");
        QTest::newRow("binary") << "<<1,2,255>>" << Term(QByteArray("\x01\x02\xff", 3));
        QTest::newRow("empty binary") << "<<>>" << Term(QByteArray());
        QTest::newRow("text binary") << "<<\"text\">>" << Term(QByteArray("text"));
        QTest::newRow("mixed binary") << "<< \"ab\" , 0 , $c >>" << Term(QByteArray("ab\0c", 4));
        QTest::newRow("utf8 binary") << "<<\"é\"/utf8>>" << Term(QByteArray("\xc3\xa9"));
        QTest::newRow("latin1 binary") << "<<\"é\">>" << Term(QByteArray("\xe9"));
        QTest::newRow("tuple") << "{a,1}" << Term::tuple({ atom(u"a"), 1 });
        QTest::newRow("empty tuple") << "{}" << Term::tuple(Tuple());
        QTest::newRow("list") << "[1,2]" << Term::list({ 1, 2 });
        QTest::newRow("empty list") << "[]" << Term::list({});
        QTest::newRow("cons") << "[1|[2,3]]" << Term::list({ 1, 2, 3 });
        QTest::newRow("cons to nil") << "[1,2|[]]" << Term::list({ 1, 2 });
        QTest::newRow("whitespace")
            << " \n{ a , [ 1 ,\t2 ] , <<>> }\r\n"
            << Term::tuple({ atom(u"a"), Term::list({ 1, 2 }), Term(QByteArray()) });
        QTest::newRow("nested") << "{[\"x\"],{},[{[]}]}"
                                << Term::tuple({ Term::list({ "x" }), Term::tuple(Tuple()),
                                                 Term::list({ Term::tuple({ Term::list({}) }) }) });
        QTest::newRow("ets row") << "{{k,-1},1.0,'_',<<0>>}"
                                 << Term::tuple({ Term::tuple({ atom(u"k"), -1 }), 1.0, atom(u"_"),
                                                  Term(QByteArray(1, '\0')) });
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(Term, term);
        QCOMPARE(Term::parse(text), term);
    }

    void integerAndFloatStayDistinct()
    {
        QVERIFY(Term::parse(u"1").isInteger());
        QVERIFY(Term::parse(u"1.0").isFloat());
        QVERIFY(Term::parse(u"-0.0").isFloat());
        QVERIFY(std::signbit(Term::parse(u"-0.0").toDouble()));
        QVERIFY(!std::signbit(Term::parse(u"0.0").toDouble()));
        QVERIFY(Term::parse(u"-0").isInteger());
    }

    void errors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "column 1: expected a term but found the end of the text";
        QTest::newRow("blank") << "  "
                               << "column 3: expected a term but found the end of the text";
        QTest::newRow("tuple closed by bracket") << "{a,1,2]"
                                                 << "column 7: expected ',' or '}' but found ']'";
        QTest::newRow("list closed by brace") << "[1}"
                                              << "column 3: expected ',', '|' or ']' but found '}'";
        QTest::newRow("unclosed list")
            << "[1,2"
            << "column 5: expected ',', '|' or ']' but found the end of the text";
        QTest::newRow("trailing") << "ok ok"
                                  << "column 4: expected the end of the text but found 'o'";
        QTest::newRow("trailing dot") << "ok."
                                      << "column 3: expected the end of the text but found '.'";
        QTest::newRow("variable") << "X"
                                  << "column 1: expected a term but found 'X'";
        QTest::newRow("missing element") << "{a,}"
                                         << "column 4: expected a term but found '}'";
        QTest::newRow("unclosed string") << "\"abc"
                                         << "column 5: expected a closing '\"' for the one at "
                                            "column 1 but found the end of the text";
        QTest::newRow("unclosed atom") << "'ab"
                                       << "column 4: expected a closing \"'\" for the one at "
                                          "column 1 but found the end of the text";
        QTest::newRow("improper list")
            << "[1|2]"
            << "column 4: the tail after '|' is 2, not a list: improper lists have no Term form";
        QTest::newRow("list after tail")
            << "[1|[],2]"
            << "column 6: expected ']' after the tail of the list but found ','";
        QTest::newRow("byte too big")
            << "<<1,256>>"
            << "column 5: a binary's element must be an integer 0 to 255, not 256";
        QTest::newRow("negative byte")
            << "<<-1>>"
            << "column 3: a binary's element must be an integer 0 to 255, not -1";
        QTest::newRow("float byte")
            << "<<1.5>>"
            << "column 3: a binary's element must be an integer 0 to 255, not 1.5";
        QTest::newRow("binary atom")
            << "<<a>>"
            << "column 3: expected a byte or a string in the binary but found 'a'";
        QTest::newRow("binary unclosed")
            << "<<1"
            << "column 4: expected ',' or '>>' but found the end of the text";
        QTest::newRow("wide char in binary") << "<<\"\u4e2d\">>"
                                             << "column 3: a binary's string holds bytes: '\u4e2d' "
                                                "is beyond 255 (write \"...\"/utf8)";
        QTest::newRow("unknown segment type")
            << "<<\"a\"/utf16>>"
            << "column 7: expected utf8 after '/' but found 'utf16'";
        QTest::newRow("bad base") << "37#1"
                                  << "column 1: the base of 37#... must be 2 to 36";
        QTest::newRow("digit beyond base") << "2#3"
                                           << "column 3: expected a base-2 digit but found '3'";
        QTest::newRow("bad digit group") << "1__0"
                                         << "column 3: expected a digit after '_' but found '_'";
        QTest::newRow("float without digits after the exponent")
            << "1.0e"
            << "column 5: expected a digit but found the end of the text";
        QTest::newRow("float out of range") << "1.0e999"
                                            << "column 1: the float 1.0e999 is out of range";
        QTest::newRow("bad hex escape") << "\"\\xZZ\""
                                        << "column 4: expected a hex digit but found 'Z'";
        QTest::newRow("lone minus") << "-"
                                    << "column 1: expected a term but found '-'";
        QTest::newRow("map") << "#{}"
                             << "column 1: expected a term but found '#'";
    }

    void errors()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QCOMPARE(parseError(text), message);
    }

    void integersBeyond64BitsAreBig()
    {
        QCOMPARE(Term::parse(QStringLiteral("9223372036854775808")),
                 Term::integer(u"9223372036854775808"));
        QCOMPARE(Term::parse(QStringLiteral("[1,-9223372036854775809]")),
                 Term::list({ 1, Term::integer(u"-9223372036854775809") }));
        QCOMPARE(Term::parse(QStringLiteral("16#10000000000000000")),
                 Term::integer(u"18446744073709551616"));
        QCOMPARE(Term::parse(QStringLiteral("-2#1") + QString(70, u'0')),
                 Term::negate(Term::shiftLeft(Term(1), Term(70))));
        QCOMPARE(Term::parse(QStringLiteral("99_999_999_999_999_999_999_999_999")),
                 Term::integer(u"99999999999999999999999999"));
        QVERIFY(Term::parse(QStringLiteral("9223372036854775808")).isBigInteger());
        QCOMPARE(Term::parse(QStringLiteral("-9223372036854775808")).type(), Term::Type::Integer);
        // format() and parse() round-trip big integers.
        const Term big = Term::integer(u"-123456789012345678901234567890");
        QCOMPARE(Term::parse(big.format()), big);
    }

    void deepNestingIsRefusedNotACrash()
    {
        const int n = 20000;
        const QString deep = QString(n, u'[') + QString(n, u']');
        QVERIFY(parseError(deep).contains(u"nested deeper than"));
        const QString fine = QString(500, u'{') + QString(500, u'}');
        QCOMPARE(Term::parse(fine).size(), 1);
        // 1000 levels below the outermost term are allowed, no more: the
        // limit of 10000 overflowed an 8 MB stack under ASan.
        const auto nested = [](int levels) {
            return QString(levels, u'[') + QString(levels, u']');
        };
        QCOMPARE(Term::parse(nested(1001)).size(), 1);
        QVERIFY(parseError(nested(1002)).contains(u"nested deeper than 1000 levels"));
    }

    void roundTripsFormat_data()
    {
        QTest::addColumn<Term>("term");
        QTest::newRow("int") << Term(42);
        QTest::newRow("int64 min") << Term(std::numeric_limits<qint64>::min());
        QTest::newRow("int64 max") << Term(std::numeric_limits<qint64>::max());
        QTest::newRow("float") << Term(1.5);
        QTest::newRow("zero") << Term(0.0);
        QTest::newRow("negative zero") << Term(-0.0);
        QTest::newRow("integral float") << Term(1.0);
        QTest::newRow("big float") << Term(1e20);
        QTest::newRow("tiny float") << Term(5e-324);
        QTest::newRow("max float") << Term(std::numeric_limits<double>::max());
        QTest::newRow("third") << Term(1.0 / 3.0);
        QTest::newRow("atom") << atom(u"ok");
        QTest::newRow("default atom") << Term();
        QTest::newRow("var atom") << atom(u"$1");
        QTest::newRow("reserved atom") << atom(u"case");
        QTest::newRow("capital atom") << atom(u"Caps");
        QTest::newRow("atom with quote") << atom(u"it's \\ \"q\"");
        QTest::newRow("unicode atom") << atom(u"héllo");
        QTest::newRow("string") << Term("say \"hi\"\n\t\r\\");
        QTest::newRow("control chars") << Term(QStringLiteral("\x01\x1b\x7f"));
        QTest::newRow("bytes") << Term(QByteArray("\x00\x01\xff", 3));
        QTest::newRow("empty bytes") << Term(QByteArray());
        QTest::newRow("empty tuple") << Term::tuple(Tuple());
        QTest::newRow("empty list") << Term::list({});
        QTest::newRow("nested") << Term::tuple(
            { Term::list({ "x", Term::tuple({ Term::list({}), -0.0 }) }), Term::tuple(Tuple()),
              Term(QByteArray("ab")), atom(u"'_'") });
    }

    void roundTripsFormat()
    {
        QFETCH(Term, term);
        const Term back = Term::parse(term.format());
        QVERIFY2(identical(back, term),
                 qPrintable(term.format() + " came back as " + back.format()));
        QCOMPARE(back.format(), term.format());
    }

    void roundTripsRandomTerms()
    {
        QRandomGenerator rng(20261202);
        for (int i = 0; i < 20000; ++i) {
            const Term t = randomTerm(rng, 3);
            const QString text = t.format();
            Term back;
            try {
                back = Term::parse(text);
            } catch (const Error &e) {
                QFAIL(qPrintable(text + ": " + e.message()));
            }
            QVERIFY2(identical(back, t), qPrintable(text + " came back as " + back.format()));
        }
    }
};

QTEST_GUILESS_MAIN(TstTermParse)
#include "tst_termparse.moc"
