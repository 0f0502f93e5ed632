// Fuzzes the scenario loader (app/engine/scenario.h): the bytes are a
// scenario file. Any input either loads or is refused with an
// Error(BadArg) whose message names the file and stays on one line; one
// that loads is valid, and saving it gives a file that loads back the same.

#include "fuzzing.h"

#include "scenario.h"

#include <immortal/error.h>

using namespace immortal;

namespace {

const QString fileName = QStringLiteral("fuzz.json");

void checkTree(const Scenario &s)
{
    FUZZ_CHECK(s.parentOf(&s.root()) == nullptr);
    const QList<const Scenario::ProcessSpec *> nodes = s.nodes();
    FUZZ_CHECK(!nodes.isEmpty() && nodes.first() == &s.root());
    for (const Scenario::ProcessSpec *node : nodes) {
        // Ids are unique in the whole file, so each one finds its own node.
        FUZZ_CHECK(s.find(node->id) == node);
        if (!node->name.isEmpty())
            FUZZ_CHECK(s.find(node->name) == node);
        if (node != &s.root()) {
            const Scenario::ProcessSpec *parent = s.parentOf(node);
            FUZZ_CHECK(parent && parent->kind == Process::Kind::Supervisor);
        }
    }
    for (const Scenario::Action &a : s.script()) {
        FUZZ_CHECK(s.find(a.target) != nullptr);
        FUZZ_CHECK(!a.describe().isEmpty());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    QByteArray saved;
    try {
        const Scenario s = Scenario::fromJson(json, fileName);
        checkTree(s);
        saved = s.toJson();
    } catch (const Error &e) {
        // docs/scenario-format.md: the message names the file, and a
        // control character it quotes never cuts or splits it.
        FUZZ_CHECK(e.code() == Error::Code::BadArg);
        const QString message = e.message();
        FUZZ_CHECK(message.startsWith(fileName + QLatin1String(": ")));
        for (const QChar c : message)
            FUZZ_CHECK(c.unicode() >= 0x20);
        return 0;
    }
    // fromJson(toJson()) gives an equal scenario: the same file once more.
    try {
        const Scenario again = Scenario::fromJson(saved, fileName);
        checkTree(again);
        FUZZ_CHECK(again.toJson() == saved);
    } catch (const Error &e) {
        std::fprintf(stderr, "a saved scenario does not load: %s\n%s\n", e.what(),
                     saved.constData());
        std::abort();
    }
    return 0;
}
