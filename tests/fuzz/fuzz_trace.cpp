// Fuzzes the trace reader: the bytes are a JSON Lines trace file
// (docs/trace-format.md). Each line goes through QJsonDocument and
// TraceEvent::fromJson, as a program replaying a trace reads it, and
// through Term::parse as term text (the `reason` field's form). Unknown
// events and text that is not a term are refused with Error(BadArg);
// whatever is read writes back the same.

#include "fuzzing.h"

#include <immortal/error.h>
#include <immortal/term.h>
#include <immortal/traceevent.h>

#include <QJsonDocument>
#include <QJsonObject>

using namespace immortal;

namespace {

// Term::parse is the inverse of Term::format (term.h).
void checkTerm(const Term &t)
{
    FUZZ_CHECK(t == t && Term::compare(t, t) == 0);
    const QString text = t.format();
    try {
        const Term back = Term::parse(text);
        FUZZ_CHECK(back == t);
        FUZZ_CHECK(back.hash() == t.hash());
        FUZZ_CHECK(back.format() == text);
    } catch (const Error &e) {
        std::fprintf(stderr, "parse() refuses what format() wrote: %s\n%s\n", e.what(),
                     qPrintable(text));
        std::abort();
    }
}

void readLine(const QByteArray &line)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (doc.isObject()) {
        try {
            const TraceEvent e = TraceEvent::fromJson(doc.object());
            checkTerm(e.reason);
            // What was read writes back, and reads back the same again.
            const QJsonObject written = e.toJson();
            FUZZ_CHECK(TraceEvent::fromJson(written).toJson() == written);
            for (const TraceEvent::Field &f : e.fields())
                FUZZ_CHECK(written.contains(QLatin1String(f.key)));
        } catch (const Error &e) {
            FUZZ_CHECK(e.code() == Error::Code::BadArg);
        }
        return; // an object is never term text: spare the exception (and the time)
    }
    try {
        checkTerm(Term::parse(QString::fromUtf8(line)));
    } catch (const Error &e) {
        FUZZ_CHECK(e.code() == Error::Code::BadArg);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray file(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QByteArray &line : file.split('\n'))
        readLine(line);
    return 0;
}
