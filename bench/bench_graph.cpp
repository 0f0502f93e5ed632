// The supervision graph at 10,000 processes, on the offscreen platform:
// how long the layout, the first sync of the scene and the first paints take.
// A plain program, not a Google Benchmark: each step runs once, as a person
// opening a big tree would wait for it.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_graph [processes]
#include "graphlayout.h"
#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/models/processtreemodel.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/node.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScrollBar>
#include <QTextStream>

#include <functional>

using namespace immortal;

namespace {
// Pools of 250 workers under 10 groups of supervisors: `total` processes or a few more.
QByteArray scenarioJson(int total)
{
    QJsonArray groups;
    int made = 1;
    for (int g = 0; made < total; ++g) {
        QJsonArray pools;
        for (int p = 0; p < 4 && made < total; ++p) {
            QJsonArray workers;
            for (int i = 0; i < 250 && made < total; ++i, ++made)
                workers.append(QJsonObject {
                    { QStringLiteral("kind"), QStringLiteral("worker") },
                    { QStringLiteral("id"), QStringLiteral("w%1_%2_%3").arg(g).arg(p).arg(i) } });
            pools.append(
                QJsonObject { { QStringLiteral("kind"), QStringLiteral("supervisor") },
                              { QStringLiteral("id"), QStringLiteral("pool%1_%2").arg(g).arg(p) },
                              { QStringLiteral("children"), workers } });
            ++made;
        }
        groups.append(QJsonObject { { QStringLiteral("kind"), QStringLiteral("supervisor") },
                                    { QStringLiteral("id"), QStringLiteral("group%1").arg(g) },
                                    { QStringLiteral("children"), pools } });
        ++made;
    }
    const QJsonObject root { { QStringLiteral("name"), QStringLiteral("Bench.Root") },
                             { QStringLiteral("children"), groups } };
    return QJsonDocument(
               QJsonObject { { QStringLiteral("format"), QStringLiteral("immortal-scenario") },
                             { QStringLiteral("version"), 1 },
                             { QStringLiteral("root"), root } })
        .toJson(QJsonDocument::Compact);
}

int countRows(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    int n = model.rowCount(parent);
    for (int r = 0; r < model.rowCount(parent); ++r)
        n += countRows(model, model.index(r, 0, parent));
    return n;
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const int total = argc > 1 ? QByteArray(argv[1]).toInt() : 10000;
    QTextStream out(stdout);

    ProcessTreeModel processes;
    TableListModel tables;
    ScenarioRunner runner(Scenario::fromJson(scenarioJson(total), QStringLiteral("bench.json")));
    QElapsedTimer clock;
    clock.start();
    runner.start();
    int rows = 0;
    while ((rows = countRows(processes)) < total) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        processes.flush();
    }
    out << "processes: " << rows << " (started in " << clock.elapsed() << " ms)\n";

    // The layout alone.
    QList<GraphLayout::Box> boxes;
    std::function<void(const QModelIndex &, quint64)> walk = [&](const QModelIndex &parent,
                                                                 quint64 parentKey) {
        for (int r = 0; r < processes.rowCount(parent); ++r) {
            const QModelIndex i = processes.index(r, 0, parent);
            const quint64 key = i.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
            boxes.append({ key, parentKey, QSizeF(150, 84) });
            walk(i, key);
        }
    };
    walk({}, 0);
    clock.restart();
    const auto places = GraphLayout::layout(boxes);
    out << "layout: " << clock.nsecsElapsed() / 1e6 << " ms for " << places.size() << " nodes\n";

    SupervisionGraphView view(&processes, &tables);
    view.resize(1500, 940);
    view.show();
    clock.restart();
    view.sync();
    out << "first sync (items and layout): " << clock.elapsed() << " ms, " << view.nodeCount()
        << " nodes\n";
    clock.restart();
    view.viewport()->grab();
    out << "first paint, readable zoom " << view.zoom() << ": " << clock.elapsed() << " ms\n";
    QElapsedTimer pan;
    pan.start();
    for (int i = 0; i < 10; ++i) {
        view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 40);
        view.viewport()->grab();
    }
    out << "paint after a pan, readable zoom: " << pan.elapsed() / 10.0 << " ms\n";
    view.fitToWindow();
    clock.restart();
    view.viewport()->grab();
    out << "paint of the whole tree, zoom " << view.zoom() << ": " << clock.elapsed() << " ms\n";
    clock.restart();
    view.viewport()->grab();
    out << "again: " << clock.elapsed() << " ms\n";
    clock.restart();
    view.sync();
    out << "sync, nothing changed: " << clock.elapsed() << " ms\n";
    out.flush();
    runner.stop();
    return 0;
}
