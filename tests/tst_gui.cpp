// Immortal Studio driven like a person would: real clicks on the offscreen
// platform, a real tree behind the window.
#include "graphnode.h"
#include "inspectorwidget.h"
#include "mainwindow.h"
#include "modelsupport.h"
#include "scenario.h"
#include "scenariorunner.h"
#include "tablebadge.h"

#include <immortal/models/eventlogmodel.h>
#include <immortal/models/ownershiptimeline.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/replaysource.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/models/tablerowsmodel.h>
#include <immortal/node.h>
#include <immortal/registry.h>
#include <immortal/table.h>
#include <immortal/traceevent.h>
#include <immortal/version.h>
#include <immortal/widgets/ownershiptimelineview.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace immortal;
using immortal::testing::countRows;
using immortal::testing::findByName;

namespace {
// Clicks the row of the process tree that shows `name`.
bool clickProcess(MainWindow &w, const QString &name)
{
    QTreeView *view = w.processView();
    const QModelIndex i = findByName(*view->model(), name); // the panel sorts and filters
    if (!i.isValid())
        return false;
    view->scrollTo(i);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(i).center());
    return true;
}

// Accepts the next modal message box once it shows (from inside its own
// event loop), keeping its title and text.
void acceptNextMessageBox(QObject *context, QString *title, QString *text)
{
    QTimer::singleShot(0, context, [title, text] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        *title = box->windowTitle();
        *text = box->text();
        box->accept();
    });
}

// A toolbar button is what a person clicks for an action.
QWidget *buttonFor(MainWindow &w, QAction *action)
{
    for (QToolBar *bar : w.findChildren<QToolBar *>())
        if (QWidget *button = bar->widgetForAction(action))
            return button;
    return nullptr;
}

Pid ownerOf(const TableListModel &model, int row)
{
    return model.index(row, TableListModel::OwnerColumn)
        .data(TableListModel::OwnerPidRole)
        .value<Pid>();
}
} // namespace

class TestGui : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void killConsumerFromTheTree();
    void graphAndTreeSelectTogether();
    void terminateAndRestartFromTheMenu();
    void eventLogFilter();
    void exportTraceFromTheStart();
    void showsARunnerItDoesNotOwn();
    void badScenarioShowsADialogAndKeepsRunning_data();
    void badScenarioShowsADialogAndKeepsRunning();
    void pauseSaysResumeAndStaysVisible();
    void helpMenuShowsAboutAndShortcuts();
    void eventPresetsAndClickSelectTheSubject();
    void timelineShowsTheHandOffAfterAKill();
    void replayAnExportedTrace();
    void openScenarioTwiceInARow();
    void exitHistoryAgeMovesOn();
};

void TestGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's
}

void TestGui::cleanup()
{
    QTRY_VERIFY(Node::instance()->processes().isEmpty());
    for (const TableInfo &t : Table::all()) {
        if (t.access == TableOptions::Access::Public)
            Table::fromId(t.id).deleteTable();
    }
    QTRY_VERIFY_WITH_TIMEOUT(Table::all().isEmpty(), 15000);
}

void TestGui::killConsumerFromTheTree()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    ScenarioRunner *runner = w.runner();
    QVERIFY(runner);

    // Select the consumer with a click on its row.
    QTRY_VERIFY(findByName(*w.processModel(), QStringLiteral("TableConsumer")).isValid());
    QVERIFY(clickProcess(w, QStringLiteral("TableConsumer")));
    const Pid consumer = runner->resolve(QStringLiteral("TableConsumer"));
    QVERIFY(consumer != 0);
    QCOMPARE(w.currentPid(), consumer);
    QCOMPARE(w.graphView()->currentProcess(),
             w.processModel()
                 ->indexOfPid(consumer)
                 .data(ProcessTreeModel::ItemKeyRole)
                 .value<quint64>());

    // A boot delay from the inspector, so the manager visibly holds the table.
    QSpinBox *delay = w.inspector()->bootDelayBox();
    QVERIFY(delay->isEnabled());
    delay->setValue(1500);
    QCOMPARE(runner->bootDelay(QStringLiteral("consumer")), 1500);

    // The tables panel shows the consumer owning its table.
    TableListModel *tables = w.tableModel();
    QTRY_COMPARE(w.tableView()->model()->rowCount(), 1);
    QTRY_COMPARE(ownerOf(*tables, 0), consumer);
    const QModelIndex ownerCell = w.tableView()->model()->index(0, TableListModel::OwnerColumn);
    QCOMPARE(ownerCell.data().toString(),
             QStringLiteral("TableConsumer ") + Node::pidText(consumer));
    const QModelIndex rowsCell = w.tableView()->model()->index(0, TableListModel::RowsColumn);
    QTRY_VERIFY(rowsCell.data().toLongLong() >= 1); // the consumer's first count
    const qint64 rows = rowsCell.data().toLongLong();

    // Kill, from the toolbar.
    QAction *kill = w.findChild<QAction *>(QStringLiteral("killAction"));
    QVERIFY(kill && kill->isEnabled());
    QWidget *killButton = buttonFor(w, kill);
    QVERIFY(killButton);
    QTest::mouseClick(killButton, Qt::LeftButton);

    // The manager holds the table...
    const Pid manager = runner->resolve(QStringLiteral("TableManager"));
    QTRY_COMPARE(ownerOf(*tables, 0), manager);
    QCOMPARE(ownerCell.data().toString(), QStringLiteral("TableManager ") + Node::pidText(manager));
    if (const QString dir = qEnvironmentVariable("IMMORTAL_SCREENSHOT_DIR"); !dir.isEmpty())
        w.saveScreenshot(dir + QStringLiteral("/studio-manager-holds.png")); // to look at
    QCOMPARE(rowsCell.data().toLongLong(), rows);
    // ...and hands it to the restarted consumer, every row intact.
    QTRY_VERIFY(ownerOf(*tables, 0) != manager);
    const Pid fresh = ownerOf(*tables, 0);
    QVERIFY(fresh != consumer);
    QCOMPARE(fresh, Registry::instance()->whereis(QStringLiteral("TableConsumer")));
    QCOMPARE(ownerCell.data().toString(), QStringLiteral("TableConsumer ") + Node::pidText(fresh));
    QVERIFY(rowsCell.data().toLongLong() >= rows);
    QCOMPARE(w.tableModel()->lostCount(), 0);

    // The tree kept the row (selection included) and counted the restart;
    // the graph's badge sits on the consumer's node again.
    QTRY_COMPARE(w.currentPid(), fresh);
    const QModelIndex row = w.processModel()->indexOfPid(fresh);
    QCOMPARE(row.data(ProcessTreeModel::RestartsRole).toInt(), 1);
    w.graphView()->sync();
    const TableId table = tables->index(0, 0).data(TableListModel::TableIdRole).value<TableId>();
    QTRY_COMPARE(w.graphView()->badge(table)->owner(),
                 w.graphView()->node(row.data(ProcessTreeModel::ItemKeyRole).value<quint64>()));
}

void TestGui::graphAndTreeSelectTogether()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY(findByName(*w.processModel(), QStringLiteral("TableManager")).isValid());
    SupervisionGraphView *graph = w.graphView();
    graph->sync();
    QTRY_COMPARE(graph->nodeCount(), 3);

    // Click the manager's node in the graph: the tree selects it.
    const Pid manager = w.runner()->resolve(QStringLiteral("TableManager"));
    const quint64 key =
        w.processModel()->indexOfPid(manager).data(ProcessTreeModel::ItemKeyRole).value<quint64>();
    GraphNode *node = graph->node(key);
    QVERIFY(node);
    // Wait for the first layout's move to settle, then click its centre.
    QTRY_VERIFY(graph->viewport()->rect().contains(graph->mapFromScene(node->pos())));
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(node->pos()));
    QCOMPARE(w.currentPid(), manager);
    QVERIFY(node->isCurrent());
    QCOMPARE(w.inspector()->process(), key);

    // Click the root in the tree: the graph follows.
    QVERIFY(clickProcess(w, QStringLiteral("YourApp.Supervisor")));
    QCOMPARE(w.currentPid(), w.runner()->rootPid());
    QVERIFY(!node->isCurrent());
    QVERIFY(graph->node(graph->currentProcess())->isCurrent());

    // Click the table's badge: the tables panel and the inspector follow.
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    graph->sync();
    const TableId table = w.tableModel()->tableAt(0).id;
    TableBadge *badge = graph->badge(table);
    QVERIFY(badge);
    QTRY_VERIFY(!badge->isMoving());
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(badge->pos()));
    QCOMPARE(w.tableView()->currentIndex().row(), 0);
    QCOMPARE(w.inspector()->table(), table);
    QTRY_COMPARE(w.inspector()->rowsModel()->rowCount(), 1);
    if (const QString dir = qEnvironmentVariable("IMMORTAL_SCREENSHOT_DIR"); !dir.isEmpty())
        w.saveScreenshot(dir + QStringLiteral("/studio-table.png")); // to look at
}

void TestGui::terminateAndRestartFromTheMenu()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY(findByName(*w.processModel(), QStringLiteral("TableConsumer")).isValid());
    QVERIFY(clickProcess(w, QStringLiteral("TableConsumer")));
    const QPersistentModelIndex row = w.processView()->currentIndex().siblingAtColumn(0);

    QAction *terminate = w.findChild<QAction *>(QStringLiteral("terminateAction"));
    QAction *restart = w.findChild<QAction *>(QStringLiteral("restartAction"));
    QVERIFY(terminate->isEnabled());
    QVERIFY(!restart->isEnabled()); // it runs
    // The keyboard shortcut, as a person would press it.
    QTest::keySequence(&w, terminate->shortcut());
    QTRY_COMPARE(row.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>(),
                 ProcessTreeModel::State::Dead);
    QCOMPARE(QModelIndex(row).siblingAtColumn(ProcessTreeModel::StateColumn).data().toString(),
             QStringLiteral("dead"));
    QTRY_VERIFY(restart->isEnabled());
    QVERIFY(!terminate->isEnabled());
    if (const QString dir = qEnvironmentVariable("IMMORTAL_SCREENSHOT_DIR"); !dir.isEmpty())
        w.saveScreenshot(dir + QStringLiteral("/studio-terminated.png")); // to look at

    restart->trigger();
    QTRY_COMPARE(row.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>(),
                 ProcessTreeModel::State::Running);
    QTRY_COMPARE(w.currentPid(), w.runner()->resolve(QStringLiteral("consumer")));
}

void TestGui::eventLogFilter()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTRY_VERIFY(w.eventModel()->rowCount() > 5);
    auto *filter = w.findChild<QLineEdit *>(QStringLiteral("eventFilter"));
    auto *view = w.findChild<QTableView *>(QStringLiteral("eventView"));
    QVERIFY(filter && view);
    QTest::keyClicks(filter, QStringLiteral("name_registered"));
    QTRY_VERIFY(view->model()->rowCount() >= 2); // the consumer and the manager
    QVERIFY(view->model()->rowCount() < w.eventModel()->rowCount());
    for (int r = 0; r < view->model()->rowCount(); ++r)
        QCOMPARE(view->model()->index(r, EventLogModel::TypeColumn).data().toString(),
                 QStringLiteral("name_registered"));
}

void TestGui::exportTraceFromTheStart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("trace.jsonl"));
    MainWindow w;
    QVERIFY(!w.exportTraceTo(path)); // nothing ran yet
    w.openScenario(Scenario::defaultScenario());
    QTRY_VERIFY(w.tableModel()->rowCount() == 1 && w.tableModel()->tableAt(0).owner != 0);
    QVERIFY(w.exportTraceTo(path));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<TraceEvent> events;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            events.append(TraceEvent::fromJson(QJsonDocument::fromJson(line).object()));
    }
    QVERIFY(events.size() >= 6);
    // From the very start of the run: the root supervisor's birth comes first.
    QCOMPARE(events.first().type, TraceEvent::Type::ProcessStarted);
    QCOMPARE(events.first().pid, w.runner()->rootPid());
    QVERIFY(std::any_of(events.cbegin(), events.cend(), [](const TraceEvent &e) {
        return e.type == TraceEvent::Type::ManagerHandedOver;
    }));
    for (qsizetype i = 1; i < events.size(); ++i)
        QVERIFY(events.at(i).seq > events.at(i - 1).seq);
}

void TestGui::showsARunnerItDoesNotOwn()
{
    ScenarioRunner runner(Scenario::defaultScenario());
    runner.start();
    QTRY_VERIFY(runner.resolve(QStringLiteral("TableConsumer")) != 0);
    {
        // Built after the tree started: it picks up what is alive now.
        MainWindow w(&runner);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.runner(), &runner);
        QCOMPARE(w.processModel()->rowCount(), 1);
        QVERIFY(findByName(*w.processModel(), QStringLiteral("TableConsumer")).isValid());
        QTRY_COMPARE(w.tableModel()->rowCount(), 1);
        QVERIFY(clickProcess(w, QStringLiteral("TableManager")));
        QTest::keySequence(&w, QKeySequence(Qt::CTRL | Qt::Key_K)); // Kill
        QTRY_VERIFY(w.processModel()
                        ->indexOfPid(runner.resolve(QStringLiteral("TableManager")))
                        .data(ProcessTreeModel::RestartsRole)
                        .toInt()
                    == 1);
    }
    // Closing the window leaves the tree running.
    QVERIFY(runner.isRunning());
    QVERIFY(Node::instance()->isAlive(runner.resolve(QStringLiteral("TableConsumer"))));
}

void TestGui::badScenarioShowsADialogAndKeepsRunning_data()
{
    QTest::addColumn<QByteArray>("content"); // empty: use the file below
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("says");
    const QString data = QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/");
    QTest::newRow("missing") << QByteArray() << QStringLiteral("/nonexistent/scenario.json")
                             << QStringLiteral("cannot read the scenario file");
    QTest::newRow("empty") << QByteArray(" ") << QString() << QStringLiteral("got an empty file");
    QTest::newRow("not JSON") << QByteArray() << data + QStringLiteral("bad-json.json")
                              << QStringLiteral("expected well-formed JSON");
    QTest::newRow("future version")
        << QByteArray() << data + QStringLiteral("bad-version.json")
        << QStringLiteral("version: expected an integer from 1 to 1, got 2");
    QTest::newRow("unknown field") << QByteArray() << data + QStringLiteral("bad-unknown-key.json")
                                   << QStringLiteral("expected no such key");
    QTest::newRow("control character")
        << QByteArray("{\"format\":\"immortal-scenario\",\"version\":1,\"title\":\"a\tb\"}")
        << QString() << QStringLiteral("a control character inside a string must be escaped");
    QTest::newRow("10 MB") << QByteArray(10 << 20, ' ') + "{}" << QString()
                           << QStringLiteral("expected a scenario of at most 8 MiB");
}

// File > Open with a bad file: a dialog that says what is wrong, and the
// tree that was running runs on, untouched.
void TestGui::badScenarioShowsADialogAndKeepsRunning()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, file);
    QFETCH(QString, says);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (file.isEmpty()) {
        file = dir.filePath(QStringLiteral("bad.json"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    ScenarioRunner *runner = w.runner();
    const Pid consumer = runner->resolve(QStringLiteral("TableConsumer"));
    QVERIFY(consumer != 0);

    QString title, text;
    acceptNextMessageBox(&w, &title, &text);
    QVERIFY(!w.loadScenarioFile(file));
    QCOMPARE(title, QStringLiteral("Cannot open the scenario"));
    QVERIFY2(text.contains(says), qPrintable(text));
    QVERIFY2(text.startsWith(file), qPrintable(text));

    // Nothing changed: the same runner, the same consumer, still alive.
    QCOMPARE(w.runner(), runner);
    QVERIFY(runner->isRunning());
    QCOMPARE(runner->resolve(QStringLiteral("TableConsumer")), consumer);
    QVERIFY(Node::instance()->isAlive(consumer));
    QVERIFY(w.isVisible());
}

// The pause button says what a click will do, and its glyph is drawn in
// the palette's text colour, so it stays visible on a dark palette.
void TestGui::pauseSaysResumeAndStaysVisible()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto *pause = w.findChild<QAction *>(QStringLiteral("pauseAction"));
    QVERIFY(pause);
    QCOMPARE(pause->text(), QStringLiteral("&Pause"));
    QWidget *button = buttonFor(w, pause);
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(w.runner()->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Resume"));
    QVERIFY(pause->toolTip().startsWith(QStringLiteral("Resume")));
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!w.runner()->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Pause"));

    // On a dark palette the glyph is light: its opaque pixels are the
    // palette's button text.
    QPalette dark = w.palette();
    dark.setColor(QPalette::Window, QColor(30, 30, 30));
    dark.setColor(QPalette::Button, QColor(45, 45, 45));
    dark.setColor(QPalette::ButtonText, QColor(235, 235, 235));
    w.setPalette(dark);
    const QImage glyph = pause->icon().pixmap(22).toImage();
    int opaque = 0, light = 0;
    for (int y = 0; y < glyph.height(); ++y) {
        for (int x = 0; x < glyph.width(); ++x) {
            const QColor c = glyph.pixelColor(x, y);
            if (c.alpha() > 128) {
                ++opaque;
                light += c.lightness() > 180;
            }
        }
    }
    QVERIFY(opaque > 10);
    QCOMPARE(light, opaque);
}

void TestGui::helpMenuShowsAboutAndShortcuts()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto *about = w.findChild<QAction *>(QStringLiteral("aboutAction"));
    QVERIFY(about);
    about->trigger();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = w.findChild<QMessageBox *>(QStringLiteral("aboutBox"))) && box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral(IMMORTAL_VERSION_STR)));
    box->close();

    auto *shortcuts = w.findChild<QAction *>(QStringLiteral("shortcutsAction"));
    QVERIFY(shortcuts);
    QCOMPARE(shortcuts->shortcut(), QKeySequence(QKeySequence::HelpContents));
    shortcuts->trigger();
    QDialog *sheet = nullptr;
    QTRY_VERIFY((sheet = w.findChild<QDialog *>(QStringLiteral("shortcutSheet")))
                && sheet->isVisible());
    auto *table = sheet->findChild<QTableWidget *>(QStringLiteral("shortcutTable"));
    QVERIFY(table);
    // Every action with a key is listed with that key: Kill and Pause among them.
    int keyed = 0;
    for (const QAction *a : w.actions())
        keyed += !a->shortcut().isEmpty() && !a->text().isEmpty();
    QCOMPARE(table->rowCount(), keyed);
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r)
        rows << table->item(r, 0)->text() + QLatin1Char('=') + table->item(r, 1)->text();
    const auto *kill = w.findChild<QAction *>(QStringLiteral("killAction"));
    QVERIFY(kill);
    QVERIFY2(rows.contains(kill->text().remove(QLatin1Char('&')) + QLatin1Char('=')
                           + kill->shortcut().toString(QKeySequence::NativeText)),
             qPrintable(rows.join(QStringLiteral(", "))));
    QVERIFY(rows.contains(QStringLiteral("Pause=F8")));
    sheet->close();
}

// Writes are off by default; the Writes preset brings them back. A click on
// an event selects its table (or process) and marks the moment in the
// timeline.
void TestGui::eventPresetsAndClickSelectTheSubject()
{
    QSettings().remove(QStringLiteral("studio/eventCategories"));
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto *view = w.findChild<QTableView *>(QStringLiteral("eventView"));
    auto *writes = w.findChild<QToolButton *>(QStringLiteral("eventPresetWrites"));
    QVERIFY(view && writes);
    QVERIFY(!writes->isChecked());
    const auto shown = [view](TraceEvent::Type type) {
        for (int r = 0; r < view->model()->rowCount(); ++r) {
            if (view->model()->index(r, 0).data(EventLogModel::TypeRole).toInt() == int(type))
                return true;
        }
        return false;
    };
    const auto logged = [&w](TraceEvent::Type type) {
        w.eventModel()->flush();
        for (int r = 0; r < w.eventModel()->rowCount(); ++r) {
            if (w.eventModel()->index(r, 0).data(EventLogModel::TypeRole).toInt() == int(type))
                return true;
        }
        return false;
    };
    QTRY_VERIFY(logged(TraceEvent::Type::TableWritten)); // the consumer counts
    QVERIFY(!shown(TraceEvent::Type::TableWritten));
    QVERIFY(shown(TraceEvent::Type::TableGivenAway));
    QTest::mouseClick(writes, Qt::LeftButton);
    QVERIFY(shown(TraceEvent::Type::TableWritten));
    QTest::mouseClick(writes, Qt::LeftButton);
    QVERIFY(!shown(TraceEvent::Type::TableWritten));

    // Click the give-away: its table becomes the current table.
    int row = -1;
    for (int r = 0; r < view->model()->rowCount() && row < 0; ++r) {
        if (view->model()->index(r, 0).data(EventLogModel::TypeRole).toInt()
            == int(TraceEvent::Type::TableGivenAway))
            row = r;
    }
    QVERIFY(row >= 0);
    const auto given =
        view->model()->index(row, 0).data(EventLogModel::EventRole).value<TraceEvent>();
    view->scrollTo(view->model()->index(row, EventLogModel::DetailsColumn));
    const QRect cell = view->visualRect(view->model()->index(row, EventLogModel::DetailsColumn));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(w.tableView()->currentIndex().data(TableListModel::TableIdRole).value<TableId>(),
             given.table);

    // A process event selects its process.
    for (int r = 0; r < view->model()->rowCount(); ++r) {
        const auto e =
            view->model()->index(r, 0).data(EventLogModel::EventRole).value<TraceEvent>();
        if (e.type == TraceEvent::Type::NameRegistered
            && e.name == QStringLiteral("TableManager")) {
            view->scrollTo(view->model()->index(r, 0));
            QTest::mouseClick(
                view->viewport(), Qt::LeftButton, {},
                view->visualRect(view->model()->index(r, EventLogModel::DetailsColumn)).center());
            QCOMPARE(w.currentPid(), e.pid);
            return;
        }
    }
    QFAIL("no name_registered of the TableManager in the log");
}

// Kill the consumer: the timeline dock shows its span ending with the kill,
// the manager holding the table, and the restarted consumer owning it again.
void TestGui::timelineShowsTheHandOffAfterAKill()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    ScenarioRunner *runner = w.runner();
    auto *timeline = w.findChild<OwnershipTimelineView *>(QStringLiteral("timelineView"));
    QVERIFY(timeline && timeline->timeline());
    Pid consumer = 0;
    QTRY_VERIFY((consumer = runner->resolve(QStringLiteral("TableConsumer"))) != 0);
    QTRY_VERIFY(w.tableModel()->rowCount() == 1 && w.tableModel()->tableAt(0).owner == consumer);
    const TableId table = w.tableModel()->tableAt(0).id;
    const Pid manager = runner->resolve(QStringLiteral("TableManager"));
    QVERIFY(runner->kill(QStringLiteral("TableConsumer")));
    Pid fresh = 0;
    QTRY_VERIFY((fresh = runner->resolve(QStringLiteral("TableConsumer"))) != 0 && fresh != consumer
                && w.tableModel()->tableAt(0).owner == fresh);
    OwnershipTimeline *model = timeline->timeline();
    QTRY_VERIFY(model->laneOf(table) >= 0
                && model->lanes().at(model->laneOf(table)).spans.last().owner == fresh);
    const QList<OwnershipTimeline::Span> &spans = model->lanes().at(model->laneOf(table)).spans;
    const qsizetype n = spans.size();
    QVERIFY(n >= 3);
    QCOMPARE(spans.at(n - 3).owner, consumer);
    QCOMPARE(spans.at(n - 3).end, QStringLiteral("killed"));
    QCOMPARE(spans.at(n - 2).kind, OwnershipTimeline::Span::Kind::HeldByHeir);
    QCOMPARE(spans.at(n - 2).owner, manager);
    QVERIFY(spans.at(n - 2).durationNs(0) > 0);
    QCOMPARE(spans.at(n - 1).owner, fresh);
}

// File > Open trace: the run the window just showed, replayed; a bad trace
// first, which changes nothing.
void TestGui::replayAnExportedTrace()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("trace.jsonl"));
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.openScenario(Scenario::defaultScenario());
    ScenarioRunner *runner = w.runner();
    QTRY_VERIFY(w.tableModel()->rowCount() == 1
                && w.tableModel()->tableAt(0).owner
                    == runner->resolve(QStringLiteral("TableConsumer")));
    const Pid first = runner->resolve(QStringLiteral("TableConsumer"));
    QVERIFY(runner->kill(QStringLiteral("TableConsumer")));
    QTRY_VERIFY(runner->resolve(QStringLiteral("TableConsumer")) != 0
                && runner->resolve(QStringLiteral("TableConsumer")) != first
                && w.tableModel()->tableAt(0).owner
                    == runner->resolve(QStringLiteral("TableConsumer")));
    QVERIFY(w.exportTraceTo(path));
    Source *live = w.source();
    QAction *kill = w.findChild<QAction *>(QStringLiteral("killAction"));
    QAction *terminate = w.findChild<QAction *>(QStringLiteral("terminateAction"));
    auto *bar = w.findChild<QToolBar *>(QStringLiteral("replayToolBar"));
    auto *slider = w.findChild<QSlider *>(QStringLiteral("replaySlider"));
    QVERIFY(kill && terminate && bar && slider);
    QVERIFY(!bar->isVisible());

    // A truncated trace: a dialog naming the line; the live tree runs on.
    const QString cut = dir.filePath(QStringLiteral("cut.jsonl"));
    {
        QFile in(path), out(cut);
        QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
        const QByteArray all = in.readAll();
        out.write(all.left(all.indexOf('\n', 200) + 10));
    }
    QString title, text;
    acceptNextMessageBox(&w, &title, &text);
    QVERIFY(!w.loadTraceFile(cut));
    QCOMPARE(title, QStringLiteral("Cannot open the trace"));
    QVERIFY2(text.contains(QStringLiteral("the line is cut off")), qPrintable(text));
    QCOMPARE(w.source(), live);
    QCOMPARE(w.runner(), runner);
    QVERIFY(runner->isRunning());

    // The good one: the run's tree, tables and log, at its end; no actions.
    QVERIFY(w.loadTraceFile(path));
    QVERIFY(w.replay());
    QCOMPARE(w.source(), static_cast<Source *>(w.replay()));
    QVERIFY(!w.runner());
    QVERIFY(bar->isVisible());
    QCOMPARE(slider->maximum(), w.replay()->eventCount());
    QCOMPARE(slider->value(), slider->maximum());
    QCOMPARE(w.tableModel()->rowCount(), 1);
    const QModelIndex consumer = w.processModel()->indexOfPid(w.tableModel()->tableAt(0).owner);
    QVERIFY(consumer.isValid());
    QCOMPARE(consumer.data(ProcessTreeModel::RestartsRole).toInt(), 1);
    QCOMPARE(consumer.data(ProcessTreeModel::RegisteredNameRole).toString(),
             QStringLiteral("TableConsumer"));
    w.processView()->selectionModel()->setCurrentIndex(
        consumer, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(!kill->isEnabled());
    QVERIFY(!terminate->isEnabled());
    QVERIFY(w.eventModel()->rowCount() >= 10);
    w.inspector()->showTable(w.tableModel()->tableAt(0).id);
    QVERIFY(w.inspector()->rowsModel()->rowsHidden());
    QVERIFY(w.inspector()->rowsModel()->statusText().contains(QStringLiteral("not recorded")));

    // The slider scrubs every view: at 0 nothing exists yet.
    slider->setValue(0);
    QCOMPARE(w.replay()->index(), 0);
    QCOMPARE(w.processModel()->rowCount(), 0);
    QCOMPARE(w.tableModel()->rowCount(), 0);
    QCOMPARE(w.eventModel()->rowCount(), 0);
    slider->setValue(slider->maximum());
    QCOMPARE(w.tableModel()->rowCount(), 1);

    // Play from the start, fast: the bar follows to the end, and stops there.
    slider->setValue(0);
    auto *speed = w.findChild<QComboBox *>(QStringLiteral("replaySpeed"));
    QAction *play = w.findChild<QAction *>(QStringLiteral("replayPlayAction"));
    QVERIFY(speed && play);
    speed->setCurrentIndex(speed->count() - 1); // 100x
    QSignalSpy playing(w.replay(), &ReplaySource::playingChanged);
    play->trigger();
    QVERIFY(w.replay()->isPlaying());
    QCOMPARE(play->text(), QStringLiteral("Pause"));
    QVERIFY(playing.wait(20000));
    QVERIFY(!w.replay()->isPlaying());
    QCOMPARE(slider->value(), slider->maximum());
    QCOMPARE(play->text(), QStringLiteral("Play"));
    QCOMPARE(w.tableModel()->rowCount(), 1);

    // Another replay replaces this one, where it was put: after the third event.
    auto again = std::make_unique<ReplaySource>();
    again->load(path);
    again->seekToIndex(3);
    w.openReplay(std::move(again));
    QCOMPARE(w.replay()->index(), 3);
    QCOMPARE(slider->value(), 3);
    QCOMPARE(w.eventModel()->rowCount(), 3);
    QCOMPARE(w.tableModel()->rowCount(), 0); // not created yet

    // The run's tree went down when the trace opened. Opening a scenario
    // goes back to live.
    QVERIFY(Node::instance()->processes().isEmpty());
    w.openScenario(Scenario::defaultScenario());
    QVERIFY(!w.replay());
    QCOMPARE(w.source(), live);
    QVERIFY(!bar->isVisible());
    QTRY_VERIFY(w.runner()->resolve(QStringLiteral("TableConsumer")) != 0);
}

// File > Open scenario while a tree runs: the old tree is gone, names and
// all, before the new one starts (a restarted child included).
void TestGui::openScenarioTwiceInARow()
{
    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    ScenarioRunner *runner = w.runner();
    QTRY_VERIFY(runner->resolve(QStringLiteral("TableConsumer")) != 0);
    const Pid first = runner->resolve(QStringLiteral("TableConsumer"));
    QVERIFY(runner->kill(QStringLiteral("TableConsumer")));
    QTRY_VERIFY(runner->resolve(QStringLiteral("TableConsumer")) != 0
                && runner->resolve(QStringLiteral("TableConsumer")) != first);
    w.openScenario(Scenario::defaultScenario());
    QVERIFY(w.runner()->isRunning());
    QTRY_VERIFY(w.runner()->resolve(QStringLiteral("TableConsumer")) != 0);
    // And once more, with nothing restarted.
    w.openScenario(Scenario::defaultScenario());
    QVERIFY(w.runner()->isRunning());
}

// The inspector's exit history says how long ago each death was, and that
// moves on with the source's clock even when no new death comes: here a
// replay's clock, moved by seeking, so no wall clock is involved.
void TestGui::exitHistoryAgeMovesOn()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("deaths.jsonl"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"seq":1,"t_ns":1000000000,"event":"process_started","pid":1,"kind":"supervisor"}
{"seq":2,"t_ns":1000000100,"event":"process_started","pid":2,"kind":"worker"}
{"seq":3,"t_ns":1000000200,"event":"child_started","supervisor":1,"child_id":"w","pid":2,"kind":"worker"}
{"seq":4,"t_ns":2000000000,"event":"process_exited","pid":2,"kind":"worker","reason":"boom","supervisor":1,"child_id":"w"}
{"seq":5,"t_ns":2000000100,"event":"process_started","pid":3,"kind":"worker"}
{"seq":6,"t_ns":2000000200,"event":"child_restarted","supervisor":1,"child_id":"w","pid":3,"from":2,"kind":"worker"}
{"seq":7,"t_ns":9000000000,"event":"process_started","pid":4,"kind":"worker"}
{"seq":8,"t_ns":70000000000,"event":"process_started","pid":5,"kind":"worker"}
)");
    }
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.loadTraceFile(path));
    ReplaySource *replay = w.replay();
    QVERIFY(replay);
    replay->seek(6);
    const QModelIndex worker = w.processModel()->indexOfPid(3);
    QVERIFY(worker.isValid());
    w.inspector()->showProcess(worker.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
    auto *exits = w.inspector()->findChild<QTreeWidget *>(QStringLiteral("exitHistory"));
    QVERIFY(exits);
    QTRY_COMPARE(exits->topLevelItemCount(), 1);
    const auto ago = [exits] {
        return exits->topLevelItem(0)->text(0);
    };
    QCOMPARE(ago(), QStringLiteral("0 ms ago"));
    replay->seek(7); // 7 s after the death, and no other death
    QTRY_COMPARE(ago(), QStringLiteral("7.0 s ago"));
    replay->seek(8);
    QTRY_COMPARE(ago(), QStringLiteral("1 min 8 s ago"));
    QCOMPARE(exits->topLevelItemCount(), 1);
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    app.setOrganizationName(QStringLiteral("Immortal"));
    app.setApplicationName(QStringLiteral("tst_gui"));
    TestGui test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_gui.moc"
