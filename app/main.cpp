// immortal-studio: parses the command line, loads the scenario (or the trace
// to replay), and either opens the window (ui/) or runs headless. Nothing else.

#include "chaosmonkey.h"
#include "headlessrun.h"
#include "mainwindow.h"
#include "scenario.h"
#include "scenariorunner.h"
#include "unixsignalwatcher.h"

#include <immortal/error.h>
#include <immortal/models/replaysource.h>
#include <immortal/tracewriter.h>
#include <immortal/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

using namespace immortal;

namespace {

constexpr int exitBadArguments = 2;

struct Options
{
    QString scenarioFile; // empty: the embedded default
    bool headless = false;
    std::optional<int> durationMs;
    QList<Scenario::Action> kills;
    std::optional<double> chaos;
    std::optional<quint64> seed;
    QString traceOut;
    QString screenshot;
    QString replayFile; // empty: run a scenario
    std::optional<quint64> replayAt;
};

void complain(const QString &message)
{
    std::fprintf(stderr, "immortal-studio: %s\n", qUtf8Printable(message));
}

// Fills `o` from the parsed command line, or returns the complaint.
QString readOptions(const QCommandLineParser &p, Options *o)
{
    if (!p.positionalArguments().isEmpty())
        return QStringLiteral("unexpected argument \"%1\"; expected options only (see --help)")
            .arg(p.positionalArguments().constFirst());
    o->scenarioFile = p.value(QStringLiteral("scenario"));
    if (p.isSet(QStringLiteral("scenario")) && o->scenarioFile.trimmed().isEmpty())
        return QStringLiteral("--scenario \"%1\": expected the name of a scenario file (leave "
                              "--scenario out for the embedded default)")
            .arg(o->scenarioFile);
    o->replayFile = p.value(QStringLiteral("replay"));
    if (p.isSet(QStringLiteral("replay"))) {
        if (o->replayFile.trimmed().isEmpty())
            return QStringLiteral("--replay \"%1\": expected the name of a trace file (JSON "
                                  "Lines, as --trace-out writes)")
                .arg(o->replayFile);
        if (p.isSet(QStringLiteral("scenario")))
            return QStringLiteral("--replay and --scenario cannot be combined: --replay shows a "
                                  "recorded trace, --scenario runs a tree; expected one of them");
        for (const char *live : { "kill", "chaos", "seed", "trace-out" }) {
            if (p.isSet(QLatin1String(live)))
                return QStringLiteral("--replay and --%1 cannot be combined: a recorded trace "
                                      "cannot be changed; expected --%1 without --replay")
                    .arg(QLatin1String(live));
        }
    }
    if (p.isSet(QStringLiteral("replay-at"))) {
        bool ok = false;
        const quint64 seq = p.value(QStringLiteral("replay-at")).toULongLong(&ok);
        if (!ok || !p.isSet(QStringLiteral("replay")))
            return QStringLiteral("--replay-at \"%1\": expected a sequence number (an unsigned "
                                  "integer) with --replay FILE")
                .arg(p.value(QStringLiteral("replay-at")));
        o->replayAt = seq;
    }
    o->headless = p.isSet(QStringLiteral("headless"));
    o->traceOut = p.value(QStringLiteral("trace-out"));
    o->screenshot = p.value(QStringLiteral("screenshot"));
    if (p.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        const int ms = p.value(QStringLiteral("duration")).toInt(&ok);
        if (!ok || ms <= 0)
            return QStringLiteral("--duration \"%1\": expected milliseconds, an integer > 0 "
                                  "(leave --duration out for the default)")
                .arg(p.value(QStringLiteral("duration")));
        o->durationMs = ms;
    }
    static const QRegularExpression killSpec(QStringLiteral("^(.+)@(\\d+)(?::(.+))?$"));
    for (const QString &k : p.values(QStringLiteral("kill"))) {
        const QRegularExpressionMatch m = killSpec.match(k);
        bool ok = false;
        const int at = m.hasMatch() ? m.captured(2).toInt(&ok) : 0;
        if (!ok)
            return QStringLiteral("--kill \"%1\": expected NAME@MS or NAME@MS:REASON, e.g. "
                                  "TableConsumer@1500:kill")
                .arg(k);
        Scenario::Action a;
        a.type = Scenario::Action::Type::Kill;
        a.target = m.captured(1);
        a.atMs = at;
        if (m.hasCaptured(3)) {
            try {
                a.reason = Term::parse(m.captured(3));
            } catch (const Error &e) {
                return QStringLiteral("--kill \"%1\": expected an exit reason in Erlang term "
                                      "text after the colon, such as kill or {shutdown,done} (%2)")
                    .arg(k, e.message());
            }
        }
        a.path = QStringLiteral("--kill ") + k;
        o->kills.append(a);
    }
    if (p.isSet(QStringLiteral("chaos"))) {
        bool ok = false;
        const double rate = p.value(QStringLiteral("chaos")).toDouble(&ok);
        if (!ok || !(rate > 0) || rate > 1000)
            return QStringLiteral("--chaos \"%1\": expected kills per second, above 0 and at "
                                  "most 1000")
                .arg(p.value(QStringLiteral("chaos")));
        o->chaos = rate;
    }
    if (p.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        const quint64 seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return QStringLiteral("--seed \"%1\": expected an unsigned integer")
                .arg(p.value(QStringLiteral("seed")));
        o->seed = seed;
    }
    return QString();
}

bool haveDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

// The scenario with the command line's kills, chaos and seed applied.
Scenario loadScenario(const Options &o)
{
    Scenario s =
        o.scenarioFile.isEmpty() ? Scenario::defaultScenario() : Scenario::fromFile(o.scenarioFile);
    for (const Scenario::Action &a : o.kills)
        s.addAction(a);
    Scenario::Chaos chaos = s.chaos();
    if (o.chaos) {
        chaos.enabled = true;
        chaos.perSecond = *o.chaos;
    }
    if (o.seed)
        chaos.seed = *o.seed;
    s.setChaos(chaos);
    return s;
}

// Instead of the window, show what the window would: with nothing else
// planned, crash each managed table's owner once and let the run show the
// table coming back.
void addDemoKills(Scenario *scenario)
{
    if (!scenario->script().isEmpty() || scenario->chaos().enabled)
        return;
    int at = 2000;
    QStringList targets;
    for (const Scenario::ProcessSpec *n : scenario->nodes()) {
        if (n->kind != Process::Kind::TableManager || targets.contains(n->targetName))
            continue;
        targets << n->targetName;
        Scenario::Action kill;
        kill.target = n->targetName;
        kill.atMs = at;
        scenario->addAction(kill);
        at += 1500;
    }
    if (targets.size() == 1)
        std::fprintf(stderr, "immortal-studio: the demo kills %s once, at 2 s.\n",
                     qUtf8Printable(targets.first()));
    else if (!targets.isEmpty())
        std::fprintf(stderr,
                     "immortal-studio: the demo kills %s once each, one every 1.5 s from 2 s on.\n",
                     qUtf8Printable(targets.join(QStringLiteral(", "))));
}

// --trace-out: JSON Lines of every event from before the tree starts.
std::unique_ptr<TraceWriter> openTrace(const QString &path, QFile *file)
{
    if (path.isEmpty())
        return nullptr;
    file->setFileName(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        throw Error(Error::Code::BadArg,
                    QStringLiteral("--trace-out %1: cannot write the file (%2); expected a "
                                   "writable path")
                        .arg(path, file->errorString()));
    }
    return std::make_unique<TraceWriter>(file);
}

QString traceFailure(const QString &path, const QString &error)
{
    return QStringLiteral("--trace-out %1: the trace could not be written (%2), so it is "
                          "incomplete")
        .arg(path, error);
}

int runHeadless(QCoreApplication &app, const Options &o, const Scenario &scenario)
{
    QFile traceFile;
    std::unique_ptr<TraceWriter> writer;
    ScenarioRunner runner(scenario);
    HeadlessRun run(&runner, o.durationMs.value_or(10000));
    // Interrupted from outside, the run ends as its duration would: in order,
    // with the summary, the trace written out, and the usual verdict.
    UnixSignalWatcher interrupts({ SIGINT, SIGTERM });
    QObject::connect(&interrupts, &UnixSignalWatcher::received, &run, [&run](int signum) {
        run.stop(QStringLiteral("interrupted by %1").arg(UnixSignalWatcher::name(signum)));
    });
    try {
        writer = openTrace(o.traceOut, &traceFile);
        if (writer) {
            // A trace that cannot be written ends the run: its record would lie.
            QObject::connect(writer.get(), &TraceWriter::failed, &run,
                             [&run, &o](const QString &error) {
                                 complain(traceFailure(o.traceOut, error));
                                 run.stop(QStringLiteral("the trace could not be written"),
                                          HeadlessRun::exitTraceFailed);
                             });
        }
        QObject::connect(
            &run, &HeadlessRun::finished, &app,
            [&](int code) {
                if (writer && !writer->flush()) {
                    if (code != HeadlessRun::exitTraceFailed) // not yet told
                        complain(traceFailure(o.traceOut, writer->errorString()));
                    code = HeadlessRun::exitTraceFailed;
                }
                app.exit(code);
            },
            Qt::QueuedConnection);
        run.start();
    } catch (const Error &e) {
        complain(e.message());
        return exitBadArguments;
    }
    return app.exec();
}

// The trace of --replay, at --replay-at (or its end); throws Error for a bad file.
std::unique_ptr<ReplaySource> loadReplay(const Options &o)
{
    auto replay = std::make_unique<ReplaySource>();
    replay->load(o.replayFile);
    if (o.replayAt)
        replay->seek(*o.replayAt);
    else
        replay->seekToEnd();
    return replay;
}

// --replay --headless: what a headless run prints, from the trace: every
// event up to the position, the summary and the verdict at that position.
int replayHeadless(const Options &o)
{
    std::unique_ptr<ReplaySource> replay;
    try {
        replay = loadReplay(o);
    } catch (const Error &e) {
        complain(e.message());
        return exitBadArguments;
    }
    QTextStream out(stdout);
    const qint64 start = replay->firstNs();
    for (int i = 0; i < replay->index(); ++i)
        out << HeadlessRun::describe(replay->allEvents().at(i), start) << '\n';
    ScenarioRunner::Stats stats;
    stats.processes = int(replay->processes().size());
    stats.restarts = replay->restarts();
    stats.tablesLost = replay->tablesLost();
    for (const TableInfo &t : replay->tables()) {
        ++stats.tables;
        stats.rows += t.size;
        if (t.orphaned)
            ++stats.tablesOrphaned;
    }
    out << HeadlessRun::summary(stats, (replay->nowNs() - start) / 1000000) << '\n';
    const bool unsafe = stats.tablesLost > 0 || stats.tablesOrphaned > 0;
    if (unsafe)
        out << HeadlessRun::timeText(replay->nowNs() - start) << ' '
            << HeadlessRun::unsafeText(stats) << '\n';
    out.flush();
    return unsafe ? HeadlessRun::exitTableLost : HeadlessRun::exitOk;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(QStringLiteral("immortal-studio"));
    QCoreApplication::setOrganizationName(QStringLiteral("Immortal"));
    QCoreApplication::setApplicationVersion(QStringLiteral(IMMORTAL_VERSION_STR));
    // Matches immortal-studio.desktop, so desktops group the window under it.
    QGuiApplication::setDesktopFileName(QStringLiteral("immortal-studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Immortal Studio: a live supervision tree whose ETS-style tables survive "
                       "their owners' crashes.\nWithout --headless it opens the window; with no "
                       "display available it runs the headless demo instead."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        { QStringLiteral("scenario"),
          QStringLiteral("Load the scenario FILE (JSON, see docs/scenario-format.md) instead of "
                         "the embedded default."),
          QStringLiteral("FILE") },
        { QStringLiteral("headless"),
          QStringLiteral("Run without a window: print every event, then a summary. Exit status "
                         "0 when every table is safe, 3 when one was lost or is left without an "
                         "owner, 4 when --trace-out could not be written, 2 for bad arguments. "
                         "SIGINT and SIGTERM end the run early, in order, with the summary.") },
        { QStringLiteral("duration"),
          QStringLiteral("Run for MS milliseconds, then summarise and exit (headless: default "
                         "10000; with --screenshot: default 3000)."),
          QStringLiteral("MS") },
        { QStringLiteral("kill"),
          QStringLiteral("Kill NAME (registered name or child id) at MS ms with REASON (default "
                         "kill; \"throw\" throws inside a handler). Repeatable."),
          QStringLiteral("NAME@MS[:REASON]") },
        { QStringLiteral("chaos"),
          QStringLiteral("Turn the chaos monkey on: random kills at this rate."),
          QStringLiteral("PER_SECOND") },
        { QStringLiteral("seed"),
          QStringLiteral("Seed of the chaos monkey, for a reproducible run."),
          QStringLiteral("N") },
        { QStringLiteral("trace-out"),
          QStringLiteral("Write the trace stream to FILE as JSON Lines (docs/trace-format.md)."),
          QStringLiteral("FILE") },
        { QStringLiteral("screenshot"),
          QStringLiteral("Render the main window to a PNG FILE after --duration, then exit."),
          QStringLiteral("FILE") },
        { QStringLiteral("replay"),
          QStringLiteral("Replay the trace FILE (JSON Lines, as --trace-out writes) instead of "
                         "running a scenario: the window opens at its end with a time slider; "
                         "--headless prints its events and summary. A bad or truncated trace "
                         "exits with status 2, naming the line."),
          QStringLiteral("FILE") },
        { QStringLiteral("replay-at"),
          QStringLiteral("With --replay: show the state after the event SEQ instead of the end."),
          QStringLiteral("SEQ") },
    });

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // Parse before any application object exists: whether we need a
    // QApplication (a display) depends on the options.
    if (!parser.parse(arguments)) {
        complain(parser.errorText() + QStringLiteral(" (see --help)"));
        return exitBadArguments;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("version"))) {
        QCoreApplication app(argc, argv);
        if (parser.isSet(QStringLiteral("version")))
            parser.showVersion();
        parser.showHelp(0);
    }
    Options options;
    if (const QString complaint = readOptions(parser, &options); !complaint.isEmpty()) {
        complain(complaint);
        return exitBadArguments;
    }

    bool headless = options.headless;
    bool demo = false; // headless only because there is no window to show
    if (!headless && options.screenshot.isEmpty() && !haveDisplay()) {
        std::fprintf(stderr,
                     "immortal-studio: no display found (DISPLAY, WAYLAND_DISPLAY and "
                     "QT_QPA_PLATFORM are unset): %s instead.\n",
                     options.replayFile.isEmpty() ? "running the headless demo"
                                                  : "printing the trace headless");
        headless = demo = true;
    }

    if (headless && !options.replayFile.isEmpty()) {
        QCoreApplication app(argc, argv);
        return replayHeadless(options);
    }
    if (headless) {
        QCoreApplication app(argc, argv);
        Scenario scenario;
        try {
            scenario = loadScenario(options);
            if (demo)
                addDemoKills(&scenario);
        } catch (const Error &e) {
            complain(e.message());
            return exitBadArguments;
        }
        return runHeadless(app, options, scenario);
    }

    if (!haveDisplay())
        qputenv("QT_QPA_PLATFORM", "offscreen"); // --screenshot needs no screen
    QApplication app(argc, argv);
    Scenario scenario;
    QFile traceFile;
    std::unique_ptr<TraceWriter> writer;
    std::unique_ptr<ReplaySource> replay;
    try {
        if (options.replayFile.isEmpty())
            scenario = loadScenario(options);
        else
            replay = loadReplay(options);
        writer = openTrace(options.traceOut, &traceFile);
    } catch (const Error &e) {
        complain(e.message());
        return exitBadArguments;
    }
    // The window owns the run, so File > Open can replace it.
    MainWindow window;
    window.show();
    UnixSignalWatcher interrupts({ SIGINT, SIGTERM });
    QObject::connect(&interrupts, &UnixSignalWatcher::received, &window, &QWidget::close);
    if (writer) {
        QObject::connect(
            writer.get(), &TraceWriter::failed, &window, [&window, &options](const QString &error) {
                const QString message = traceFailure(options.traceOut, error);
                complain(message);
                QMessageBox::warning(&window, QObject::tr("Trace not written"), message);
            });
    }
    if (replay) {
        window.openReplay(std::move(replay)); // where --replay-at put it
    } else {
        try {
            window.openScenario(scenario);
        } catch (const Error &e) {
            complain(e.message());
            return exitBadArguments;
        }
    }
    if (!options.screenshot.isEmpty()) {
        // A replay has nothing to wait for but the window's layout.
        const int waitMs = options.durationMs.value_or(window.replay() ? 500 : 3000);
        QTimer::singleShot(waitMs, Qt::PreciseTimer, &window, [&] {
            const bool saved = window.saveScreenshot(options.screenshot);
            if (!saved)
                complain(QStringLiteral("could not write the screenshot %1; expected a writable "
                                        "PNG path")
                             .arg(options.screenshot));
            app.exit(saved ? 0 : 1);
        });
    } else if (options.durationMs) {
        QTimer::singleShot(*options.durationMs, Qt::PreciseTimer, &app, &QCoreApplication::quit);
    }
    return app.exec();
}
