// Embeds Immortal's ownership graph in a Widgets program: the program's own
// supervision tree, its table docked on the owner with an arrow to the heir.
// "Crash the consumer" kills it; watch the table move to the manager and back.
//
//   ownershipgraph [--crash-and-quit]   (crashes once, exits 0 when the
//                                        restarted consumer holds the table)
#include <immortal/immortal.h>
#include <immortal/models/livesource.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QApplication>
#include <QMainWindow>
#include <QToolBar>

using namespace immortal;

// Registers its name and keeps the table it is given.
class Consumer : public Process
{
public:
    Consumer() { registerName(QStringLiteral("consumer")); }
};

int main(int argc, char **argv)
{
    QApplication app(argc, argv);

    // The models read this program's runtime (one batch of trace events for
    // both) and follow it from their construction on. A ReplaySource in its
    // place would show a recorded trace instead.
    LiveSource source;
    ProcessTreeModel processes(&source);
    TableListModel tables(&source);

    Supervisor supervisor({ Supervisor::Strategy::OneForOne, 5, 5000 },
                          { { QStringLiteral("consumer"),
                              [] {
                                  return new Consumer;
                              } },
                            { QStringLiteral("manager"), [] {
                                 return new TableManager(QStringLiteral("consumer"),
                                                         TableOptions());
                             } } });
    supervisor.start();

    QMainWindow window;
    window.setWindowTitle(QStringLiteral("My supervision tree"));
    auto *graph = new SupervisionGraphView(&processes, &tables);
    window.setCentralWidget(graph);
    const auto crashConsumer = [] {
        Node::instance()->exit(Registry::instance()->whereis(QStringLiteral("consumer")),
                               Term::atom(u"crash"));
    };
    window.addToolBar(QStringLiteral("Actions"))
        ->addAction(QStringLiteral("Crash the consumer"), crashConsumer);
    window.resize(800, 500);
    window.show();

    // Each hand-over is one trace event: crash after the first, quit after the
    // second. Counted out here: the slot runs in app.exec(), after the block.
    int handOvers = 0;
    if (app.arguments().contains(QStringLiteral("--crash-and-quit"))) {
        QObject::connect(Trace::instance(), &Trace::event, &app, [&](const TraceEvent &e) {
            if (e.type != TraceEvent::Type::ManagerHandedOver)
                return;
            if (++handOvers == 1)
                return crashConsumer();
            // The views batch the trace; bring them up to date, then check what they show.
            processes.flush();
            tables.flush();
            graph->sync();
            QApplication::exit(graph->nodeCount() == 3 && graph->badge(e.table) ? 0 : 1);
        });
    }
    return app.exec();
}
