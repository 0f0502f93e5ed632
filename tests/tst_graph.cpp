// The supervision graph at real scale, driven like a person would: real
// clicks and keys on the offscreen platform, a real tree of 2,000 processes
// behind the window.
#include "graphnode.h"
#include "inspectorwidget.h"
#include "mainwindow.h"
#include "modelsupport.h"
#include "processfiltermodel.h"
#include "scenario.h"
#include "scenariorunner.h"
#include "tablebadge.h"

#include <immortal/models/processtreemodel.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/node.h>
#include <immortal/table.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QToolTip>
#include <QTreeView>
#include <QtTest>

using namespace immortal;
using immortal::testing::countRows;
using immortal::testing::findByName;

namespace {
const QString large = QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/large-2000.json");
constexpr int largeCount = 2021; // processes in large-2000.json

quint64 keyOf(MainWindow &w, const QString &name)
{
    return findByName(*w.processModel(), name).data(ProcessTreeModel::ItemKeyRole).value<quint64>();
}

// The part of the scene the graph shows now.
QRectF visibleScene(SupervisionGraphView *graph)
{
    return graph->mapToScene(graph->viewport()->rect()).boundingRect();
}

bool inView(SupervisionGraphView *graph, quint64 key)
{
    GraphNode *node = graph->node(key);
    return node && visibleScene(graph).contains(node->sceneBoundingRect());
}

// Lets posted layout requests run (dock and widget geometry), no clock involved.
void settle()
{
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
    }
}

void startLarge(MainWindow &w, const QSize &size = QSize(1500, 940))
{
    w.openScenario(Scenario::fromFile(large));
    w.resize(size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_COMPARE(countRows(*w.processModel()), largeCount);
    w.graphView()->sync();
    QCOMPARE(w.graphView()->nodeCount(), largeCount);
}

void saveShot(QWidget *widget, const QString &name)
{
    if (const QString dir = qEnvironmentVariable("IMMORTAL_SCREENSHOT_DIR"); !dir.isEmpty())
        widget->grab().save(dir + u'/' + name); // to look at
}
} // namespace

class TestGraph : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void collapseAndExpand();
    void searchSelectsAndBringsIntoView();
    void zoomAfterFitOnALargeTree();
    void focusedBranchIsReadable();
    void docksKeepTheirSizeAcrossSelections();
    void labelsAreCutAtWords();
    void badgeNeverCoversItsOwner();
    void farHeirIsNamedOnTheBadge();
    void treeSortsAndShowsWholeNames();
    void legendCanBeHidden();
};

void TestGraph::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's
    QSettings().clear();
}

void TestGraph::cleanup()
{
    QTRY_VERIFY_WITH_TIMEOUT(Node::instance()->processes().isEmpty(), 15000);
    for (const TableInfo &t : Table::all()) {
        if (t.access == TableOptions::Access::Public)
            Table::fromId(t.id).deleteTable();
    }
    QTRY_VERIFY_WITH_TIMEOUT(Table::all().isEmpty(), 15000);
}

void TestGraph::collapseAndExpand()
{
    MainWindow w;
    startLarge(w);
    SupervisionGraphView *graph = w.graphView();
    const quint64 sessions = keyOf(w, QStringLiteral("Sessions.SessionManager"));
    QVERIFY(sessions);

    // Double-click the supervisor's node: its 400 sessions fold into it.
    graph->bringIntoView(sessions);
    QTRY_VERIFY(inView(graph, sessions));
    GraphNode *node = graph->node(sessions);
    // A double-click as a mouse makes it: press and release, then the
    // double-click (QTest's mouseDClick on a widget sends only the last).
    const QPoint at = graph->mapFromScene(node->pos());
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(graph->viewport(), Qt::LeftButton, {}, at);
    QTRY_VERIFY(graph->isCollapsed(sessions));
    QCOMPARE(graph->nodeCount(), largeCount - 400);
    QVERIFY(node->isCollapsed());
    QCOMPARE(node->hiddenProcesses(), 400);
    QCOMPARE(node->hiddenRestarts(), 0);
    QCOMPARE(w.currentPid(), node->pid()); // the click selected it too
    saveShot(&w, QStringLiteral("graph-collapsed.png"));

    // The keyboard unfolds it: + on the selected node.
    graph->setFocus();
    QTest::keyClick(graph, Qt::Key_Plus);
    QVERIFY(!graph->isCollapsed(sessions));
    QCOMPARE(graph->nodeCount(), largeCount);
    QVERIFY(!node->isCollapsed());

    // The menu action folds it again, and the root's fold counts its tables.
    QAction *collapse = w.findChild<QAction *>(QStringLiteral("collapseAction"));
    QVERIFY(collapse && collapse->isEnabled());
    collapse->trigger();
    QVERIFY(graph->isCollapsed(sessions));
    const quint64 root = keyOf(w, QStringLiteral("Immortal.Root"));
    graph->setCollapsed(root, true);
    QCOMPARE(graph->nodeCount(), 1);
    QCOMPARE(graph->node(root)->hiddenProcesses(), largeCount - 1);
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    graph->sync();
    QCOMPARE(graph->node(root)->hiddenTables(), 1);
    QVERIFY(!graph->badge(w.tableModel()->tableAt(0).id)->isVisible()); // counted, not drawn

    // Selecting a folded process in the tree unfolds what hides it.
    QVERIFY(findByName(*w.processView()->model(), QStringLiteral("session_00200")).isValid());
    QTest::keyClicks(w.processSearch(), QStringLiteral("session_00200"));
    const quint64 session = keyOf(w, QStringLiteral("session_00200"));
    QTRY_COMPARE(graph->currentProcess(), session);
    QVERIFY(!graph->isCollapsed(root));
    QVERIFY(!graph->isCollapsed(sessions));
    QTRY_VERIFY(inView(graph, session));
}

void TestGraph::searchSelectsAndBringsIntoView()
{
    MainWindow w;
    startLarge(w);
    SupervisionGraphView *graph = w.graphView();
    QLineEdit *search = w.processSearch();
    QVERIFY(search);

    // By name, far down the tree: selected, and the graph shows it.
    const quint64 entry = keyOf(w, QStringLiteral("cache3_entry_00123"));
    QVERIFY(!inView(graph, entry));
    QTest::keyClicks(search, QStringLiteral("cache3_entry_00123"));
    QTRY_COMPARE(graph->currentProcess(), entry);
    QCOMPARE(w.currentPid(), graph->node(entry)->pid());
    QTRY_VERIFY(inView(graph, entry));
    QVERIFY(graph->node(entry)->isMatched());
    // The tree shows the match and its supervisors, nothing else.
    QCOMPARE(countRows(*w.processView()->model()), 4);
    saveShot(&w, QStringLiteral("graph-search.png"));

    // By pid, in either form.
    const quint64 acceptor = keyOf(w, QStringLiteral("acceptor_00007"));
    const Pid pid =
        w.processModel()->indexOfKey(acceptor).data(ProcessTreeModel::PidRole).value<Pid>();
    search->clear();
    QTest::keyClicks(search, Node::pidText(pid));
    QTRY_COMPARE(graph->currentProcess(), acceptor);
    QTRY_VERIFY(inView(graph, acceptor));
    search->clear();
    QTest::keyClicks(search, QString::number(pid));
    QTRY_COMPARE(graph->currentProcess(), acceptor);

    // Enter walks the matches in tree order.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("session_0000")); // 00001 to 00009
    const quint64 first = keyOf(w, QStringLiteral("session_00001"));
    QTRY_COMPARE(graph->currentProcess(), first);
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(graph->currentProcess(), keyOf(w, QStringLiteral("session_00002")));
    for (int i = 0; i < 8; ++i)
        QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(graph->currentProcess(), first); // round again

    // Cleared: the whole tree again, nothing ringed.
    search->clear();
    QTRY_COMPARE(countRows(*w.processView()->model()), largeCount);
    QVERIFY(!graph->node(first)->isMatched());
}

void TestGraph::zoomAfterFitOnALargeTree()
{
    MainWindow w;
    startLarge(w);
    SupervisionGraphView *graph = w.graphView();
    QAction *fit = w.findChild<QAction *>(QStringLiteral("fitAction"));
    QAction *zoomIn = w.findChild<QAction *>(QStringLiteral("zoomInAction"));
    QAction *zoomOut = w.findChild<QAction *>(QStringLiteral("zoomOutAction"));
    QVERIFY(fit && zoomIn && zoomOut);

    fit->trigger();
    const qreal fitted = graph->zoom();
    QVERIFY2(fitted < 0.1, qPrintable(QString::number(fitted))); // a big tree, small
    // The whole tree is in view, and the fit is the minimum.
    QVERIFY(visibleScene(graph).adjusted(-1, -1, 1, 1).contains(graph->sceneRect()));
    QCOMPARE(graph->minimumZoom(), fitted);
    saveShot(&w, QStringLiteral("graph-fitted.png"));

    zoomIn->trigger();
    QVERIFY(graph->zoom() > fitted * 1.1);
    const qreal in = graph->zoom();
    zoomOut->trigger();
    QVERIFY(graph->zoom() < in);
    QVERIFY(qAbs(graph->zoom() - fitted) < fitted * 0.01);
    // Past the bound: clamped there, and zoom in still works after it.
    zoomOut->trigger();
    QCOMPARE(graph->zoom(), graph->minimumZoom());
    for (int i = 0; i < 40; ++i)
        zoomIn->trigger();
    QCOMPARE(graph->zoom(), SupervisionGraphView::maximumZoom);
    zoomOut->trigger();
    QVERIFY(graph->zoom() < SupervisionGraphView::maximumZoom);

    // The wheel, too, over the viewport.
    fit->trigger();
    const QPoint centre = graph->viewport()->rect().center();
    QWheelEvent wheel(centre, graph->viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(graph->viewport(), &wheel);
    QVERIFY(graph->zoom() > fitted * 1.1);
}

void TestGraph::focusedBranchIsReadable()
{
    MainWindow w;
    startLarge(w, QSize(1024, 700));
    SupervisionGraphView *graph = w.graphView();
    const quint64 jobs = keyOf(w, QStringLiteral("job_group_04"));
    graph->focusBranch(jobs);
    QCOMPARE(graph->focusedBranch(), jobs);
    QCOMPARE(graph->nodeCount(), 41); // the group and its 40 workers
    const quint64 worker = keyOf(w, QStringLiteral("job04_00001"));
    QTRY_VERIFY(!graph->node(worker)->isMoving());
    QTRY_VERIFY(inView(graph, worker));
    w.saveScreenshot(QDir::tempPath() + QStringLiteral("/unused.png")); // flushes and syncs
    saveShot(&w, QStringLiteral("graph-focused-1024.png"));

    // The worker's name, rendered: dark text pixels inside its box, at
    // least 7 px from the top of the glyphs to their bottom.
    const QImage shot = graph->viewport()->grab().toImage();
    QVERIFY(!shot.isNull());
    GraphNode *node = graph->node(worker);
    const QRect box = graph->mapFromScene(node->sceneBoundingRect()).boundingRect();
    const QRect title(box.left() + 8, box.top() + 4, box.width() - 16, box.height() / 2);
    int top = -1, bottom = -1;
    const QColor text = graph->palette().color(QPalette::Text);
    for (int y = title.top(); y <= title.bottom(); ++y) {
        for (int x = title.left(); x <= title.right(); ++x) {
            const QColor c = shot.pixelColor(x, y);
            if (qAbs(c.lightness() - text.lightness()) < 60) {
                if (top < 0)
                    top = y;
                bottom = y;
                break;
            }
        }
    }
    QVERIFY2(top >= 0, "no text in the node");
    QVERIFY2(bottom - top + 1 >= 7,
             qPrintable(QStringLiteral("text %1 px high").arg(bottom - top + 1)));
    // And the picture is not blank: many colours.
    QSet<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 3)
        for (int x = 0; x < shot.width(); x += 3)
            colours.insert(shot.pixel(x, y));
    QVERIFY(colours.size() > 20);

    // Back to the whole tree: everything drawn again.
    w.findChild<QAction *>(QStringLiteral("wholeTreeAction"))->trigger();
    QCOMPARE(graph->focusedBranch(), 0u);
    QCOMPARE(graph->nodeCount(), largeCount);
}

void TestGraph::docksKeepTheirSizeAcrossSelections()
{
    // A name longer than any dock is wide.
    const QByteArray json = R"({"format": "immortal-scenario", "version": 1,
        "root": {"name": "YourApp.Supervisor", "children": [
            {"kind": "worker", "id": "consumer", "name": "TableConsumer",
             "workload": {"type": "counter"}},
            {"kind": "table_manager", "id": "manager", "name": "TableManager", "target": "TableConsumer"},
            {"kind": "worker", "id": "long",
             "name": "Very.Long.Application.Module.SessionRegistryCoordinatorWorkerWithAnEvenLongerName"}
        ]}})";
    MainWindow w;
    w.openScenario(Scenario::fromJson(json, QStringLiteral("long.json")));
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_COMPARE(countRows(*w.processModel()), 4);
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    settle();
    auto *inspectorDock = w.findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
    auto *processDock = w.findChild<QDockWidget *>(QStringLiteral("processDock"));
    QVERIFY(inspectorDock && processDock);
    const QSize inspector = inspectorDock->size(), processes = processDock->size();
    const QSize graph = w.graphView()->size();
    QVERIFY2(graph.width() >= 400, qPrintable(QString::number(graph.width())));

    QTreeView *view = w.processView();
    for (const QString &name :
         { QStringLiteral(
               "Very.Long.Application.Module.SessionRegistryCoordinatorWorkerWithAnEvenLongerName"),
           QStringLiteral("TableConsumer"), QStringLiteral("YourApp.Supervisor"),
           QStringLiteral("TableManager") }) {
        const QModelIndex i = findByName(*view->model(), name);
        QVERIFY(i.isValid());
        view->scrollTo(i);
        const QRect row = view->visualRect(i); // the long name runs past the panel's edge
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          QPoint(row.left() + 10, row.center().y()));
        QCOMPARE(w.inspector()->process(), i.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
        settle();
        QCOMPARE(inspectorDock->size(), inspector);
        QCOMPARE(processDock->size(), processes);
        QCOMPARE(w.graphView()->size(), graph);
    }
    // The long name is cut on the node, whole in its tooltip.
    const QString longName = QStringLiteral(
        "Very.Long.Application.Module.SessionRegistryCoordinatorWorkerWithAnEvenLongerName");
    GraphNode *longNode = w.graphView()->node(keyOf(w, longName));
    QVERIFY(longNode);
    QCOMPARE(longNode->size().width(), GraphNode::maxWidth);
    QTRY_VERIFY(!longNode->isMoving());
    SupervisionGraphView *graphView = w.graphView();
    const QPoint at = graphView->mapFromScene(longNode->pos());
    QHelpEvent help(QEvent::ToolTip, at, graphView->viewport()->mapToGlobal(at));
    QApplication::sendEvent(graphView->viewport(), &help);
    QTRY_VERIFY2(QToolTip::text().contains(longName), qPrintable(QToolTip::text()));
    QToolTip::hideText();

    // A table, too.
    w.tableView()->selectRow(0);
    settle();
    QCOMPARE(inspectorDock->size(), inspector);
    QCOMPARE(w.graphView()->size(), graph);
    saveShot(&w, QStringLiteral("studio-1024.png"));
}

void TestGraph::labelsAreCutAtWords()
{
    const QFontMetricsF metrics(GraphNode::titleFont());
    const QString name = QStringLiteral("Sessions.SessionManager");
    // Room for "Sessions.Session…" but not for the whole name.
    const qreal width = metrics.horizontalAdvance(QStringLiteral("Sessions.Session…")) + 2;
    QCOMPARE(GraphNode::elideAtWord(name, metrics, width), QStringLiteral("Sessions.Session…"));
    QCOMPARE(GraphNode::elideAtWord(name, metrics, 1000), name);
    const qreal narrow = metrics.horizontalAdvance(QStringLiteral("Sessions.Sess…"));
    QCOMPARE(GraphNode::elideAtWord(name, metrics, narrow), QStringLiteral("Sessions.…"));
    // A usual name fits its node whole: nodes grow with their names.
    QVERIFY(GraphNode::widthFor(name, QStringLiteral("supervisor"), true)
            >= metrics.horizontalAdvance(name) + 20);
    QCOMPARE(GraphNode::widthFor(QStringLiteral("a"), QStringLiteral("worker"), false),
             GraphNode::minWidth);
}

void TestGraph::badgeNeverCoversItsOwner()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    ScenarioRunner *runner = w.runner();
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    QTRY_VERIFY(w.tableModel()->tableAt(0).owner
                == runner->resolve(QStringLiteral("TableConsumer")));
    SupervisionGraphView *graph = w.graphView();
    graph->sync();
    const TableId table = w.tableModel()->tableAt(0).id;
    auto covers = [&](const QString &owner) {
        const quint64 key = keyOf(w, owner);
        GraphNode *node = graph->node(key);
        TableBadge *badge = graph->badge(table);
        if (!node || !badge || badge->owner() != node || badge->isMoving())
            return true;
        const QRectF box = node->mapRectToScene(node->shape().boundingRect());
        const QRectF b =
            badge->mapRectToScene(QRectF(-TableBadge::width / 2, -TableBadge::height / 2,
                                         TableBadge::width, TableBadge::height));
        return box.intersects(b);
    };
    QTRY_VERIFY(!covers(QStringLiteral("TableConsumer")));

    // While the manager holds the table (the consumer reboots slowly).
    runner->setBootDelay(QStringLiteral("consumer"), 3000);
    QVERIFY(runner->kill(QStringLiteral("TableConsumer"), ExitReason::kill()));
    const Pid manager = runner->resolve(QStringLiteral("TableManager"));
    QTRY_COMPARE(w.tableModel()->tableAt(0).owner, manager);
    graph->sync();
    QTRY_VERIFY(!covers(QStringLiteral("TableManager")));
    saveShot(&w, QStringLiteral("graph-manager-holds.png"));
}

void TestGraph::farHeirIsNamedOnTheBadge()
{
    // The consumer deep in a pool of 300, its manager after the pool: far apart.
    QJsonArray pool;
    pool.append(QJsonObject { { "kind", "worker" },
                              { "id", "consumer" },
                              { "name", "TableConsumer" },
                              { "workload", QJsonObject { { "type", "counter" } } } });
    for (int i = 1; i < 300; ++i)
        pool.append(QJsonObject { { "kind", "worker" }, { "id", QStringLiteral("w%1").arg(i) } });
    const QJsonObject root { { "name", "Root" },
                             { "children",
                               QJsonArray { QJsonObject { { "kind", "supervisor" },
                                                          { "id", "pool" },
                                                          { "children", pool } },
                                            QJsonObject { { "kind", "table_manager" },
                                                          { "id", "manager" },
                                                          { "name", "TableManager" },
                                                          { "target", "TableConsumer" } } } } };
    const QJsonObject json { { "format", "immortal-scenario" },
                             { "version", 1 },
                             { "root", root } };
    MainWindow w;
    w.openScenario(Scenario::fromJson(QJsonDocument(json).toJson(), QStringLiteral("far.json")));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_COMPARE(countRows(*w.processModel()), 303); // root, pool, 300 workers, manager
    ScenarioRunner *runner = w.runner();
    QTRY_VERIFY(w.tableModel()->rowCount() == 1
                && w.tableModel()->tableAt(0).owner
                    == runner->resolve(QStringLiteral("TableConsumer")));
    SupervisionGraphView *graph = w.graphView();
    graph->sync();
    const TableId table = w.tableModel()->tableAt(0).id;
    TableBadge *badge = graph->badge(table);
    QVERIFY(badge && badge->isVisible());
    QCOMPARE(badge->heirHint(), QStringLiteral("TableManager"));

    // Selected in the tables panel: the badge comes into view, even folded away.
    const quint64 pool300 = keyOf(w, QStringLiteral("pool"));
    graph->setCollapsed(pool300, true);
    QVERIFY(!badge->isVisible());
    w.tableView()->selectRow(0);
    QVERIFY(!graph->isCollapsed(pool300));
    QVERIFY(badge->isVisible());
    QTRY_VERIFY(visibleScene(graph).intersects(badge->sceneBoundingRect()));
    saveShot(&w, QStringLiteral("graph-far-heir.png"));

    // Folded again: the table counts on the pool's node, not drawn.
    graph->setCollapsed(pool300, true);
    QVERIFY(!badge->isVisible());
    QCOMPARE(graph->node(pool300)->hiddenTables(), 1);
}

void TestGraph::treeSortsAndShowsWholeNames()
{
    MainWindow w;
    w.openScenario(Scenario::fromFile(Scenario::demoPath()));
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTreeView *view = w.processView();
    QTRY_VERIFY(countRows(*view->model()) >= 8);
    settle();

    // Every name whole: the name column is as wide as its widest name.
    view->header()->resizeSections(QHeaderView::ResizeToContents);
    int widest = 0;
    std::function<void(const QModelIndex &, int)> walk = [&](const QModelIndex &parent, int depth) {
        for (int r = 0; r < view->model()->rowCount(parent); ++r) {
            const QModelIndex i = view->model()->index(r, 0, parent);
            widest = std::max(widest,
                              view->fontMetrics().horizontalAdvance(i.data().toString())
                                  + depth * view->indentation());
            walk(i, depth + 1);
        }
    };
    walk({}, 1);
    QVERIFY2(view->header()->sectionSize(0) >= widest,
             qPrintable(QStringLiteral("%1 < %2").arg(view->header()->sectionSize(0)).arg(widest)));

    // A click on the Pid header sorts each supervisor's children by pid,
    // a second one the other way.
    const QModelIndex root = view->model()->index(0, 0);
    QVERIFY(view->model()->rowCount(root) >= 3);
    auto pids = [&] {
        QList<Pid> out;
        for (int r = 0; r < view->model()->rowCount(root); ++r)
            out.append(
                view->model()->index(r, 0, root).data(ProcessTreeModel::PidRole).value<Pid>());
        return out;
    };
    const int pidX = view->header()->sectionViewportPosition(ProcessTreeModel::PidColumn) + 4;
    QTest::mouseClick(view->header()->viewport(), Qt::LeftButton, {},
                      QPoint(pidX, view->header()->height() / 2));
    QCOMPARE(view->header()->sortIndicatorSection(), int(ProcessTreeModel::PidColumn));
    QList<Pid> sorted = pids();
    QVERIFY(std::is_sorted(sorted.cbegin(), sorted.cend()));
    QTest::mouseClick(view->header()->viewport(), Qt::LeftButton, {},
                      QPoint(pidX, view->header()->height() / 2));
    sorted = pids();
    QVERIFY(std::is_sorted(sorted.crbegin(), sorted.crend()));
    QVERIFY(sorted.first() > sorted.last());
}

void TestGraph::legendCanBeHidden()
{
    {
        MainWindow w;
        QAction *legend = w.findChild<QAction *>(QStringLiteral("legendAction"));
        QVERIFY(legend && legend->isCheckable());
        QVERIFY(w.graphView()->isLegendVisible());
        legend->trigger();
        QVERIFY(!w.graphView()->isLegendVisible());
    }
    // Remembered by the next window.
    MainWindow w;
    QVERIFY(!w.graphView()->isLegendVisible());
    w.findChild<QAction *>(QStringLiteral("legendAction"))->trigger();
    QVERIFY(w.graphView()->isLegendVisible());
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    app.setOrganizationName(QStringLiteral("Immortal"));
    app.setApplicationName(QStringLiteral("tst_graph"));
    TestGraph test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_graph.moc"
