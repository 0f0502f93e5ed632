// immortal-soak: a seeded chaos soak that checks every row after every step.
// See docs/testing.md ("The chaos soak").

#include "soakrun.h"
#include "soaktree.h"

#include <immortal/node.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRandomGenerator>
#include <QThread>

#include <cstdio>
#include <memory>

using namespace immortal;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("immortal-soak"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Kills processes of a seeded supervision tree at random, with random "
                       "reasons, and checks after every step that no table and no row was "
                       "lost. Exits 0 when every invariant held, 1 at the first that did not, "
                       "2 for bad arguments."));
    parser.addHelpOption();
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Replay the run of this seed (default: a "
                                                       "random one, printed first)."),
                                        QStringLiteral("N"));
    const QCommandLineOption killsOption(QStringLiteral("kills"),
                                         QStringLiteral("Stop after this many exit signals to "
                                                        "live processes (default 100000)."),
                                         QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption quietOption(QStringLiteral("quiet"),
                                         QStringLiteral("No progress lines."));
    parser.addOptions({ seedOption, killsOption, quietOption });
    parser.process(app);

    soak::SoakRun::Options options;
    bool ok = true;
    options.seed = parser.isSet(seedOption) ? parser.value(seedOption).toULongLong(&ok)
                                            : QRandomGenerator::system()->generate64();
    if (!ok) {
        std::fprintf(stderr, "immortal-soak: --seed needs a non-negative integer, not \"%s\"\n",
                     qPrintable(parser.value(seedOption)));
        return 2;
    }
    options.kills = parser.value(killsOption).toLongLong(&ok);
    if (!ok || options.kills <= 0) {
        std::fprintf(stderr, "immortal-soak: --kills needs a positive integer, not \"%s\"\n",
                     qPrintable(parser.value(killsOption)));
        return 2;
    }
    options.progress = !parser.isSet(quietOption);
    std::printf("soak: seed %llu, %lld kills (replay: immortal-soak --seed %llu)\n",
                static_cast<unsigned long long>(options.seed), options.kills,
                static_cast<unsigned long long>(options.seed));
    std::fflush(stdout);

    // Consumers live on these as well as on the main thread.
    QList<QThread *> threads;
    for (int i = 0; i < 2; ++i) {
        threads << new QThread;
        threads.last()->start();
    }
    int status;
    {
        Node node;
        const soak::SoakTree tree(options.seed, threads);
        soak::SoakRun run(options, tree);
        status = run.run();
    }
    for (QThread *t : threads) {
        t->quit();
        t->wait();
        delete t;
    }
    return status;
}
