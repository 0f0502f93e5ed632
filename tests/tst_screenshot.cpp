// saveScreenshot renders the real window, not a blank rectangle.
#include "mainwindow.h"
#include "scenario.h"

#include <immortal/models/tablelistmodel.h>
#include <immortal/node.h>
#include <immortal/table.h>

#include <QApplication>
#include <QImage>
#include <QPalette>
#include <QScopeGuard>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace immortal;

class TestScreenshot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void screenshotIsNotBlank();
    void darkPaletteGivesDarkGraph();
    void unwritablePathFails();
    void cleanup();
};

void TestScreenshot::cleanup()
{
    QTRY_VERIFY(Node::instance()->processes().isEmpty());
    for (const TableInfo &t : Table::all()) {
        if (t.access == TableOptions::Access::Public)
            Table::fromId(t.id).deleteTable();
    }
    QTRY_VERIFY_WITH_TIMEOUT(Table::all().isEmpty(), 15000);
}

void TestScreenshot::screenshotIsNotBlank()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("studio.png"));

    MainWindow w;
    w.openScenario(Scenario::defaultScenario());
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // Something to draw: the table handed to the consumer.
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    QTRY_VERIFY(w.tableModel()->tableAt(0).owner != 0);
    QVERIFY(w.saveScreenshot(path));

    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), w.size() * w.devicePixelRatio());
    // Sample a grid: a rendered window has text, lines and coloured nodes.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() >= 12,
             qPrintable(QStringLiteral("only %1 colours").arg(colours.size())));
    // The running-state green of the graph's nodes is in there somewhere.
    bool green = false;
    for (QRgb c : std::as_const(colours))
        green = green || (qGreen(c) > qRed(c) + 40 && qGreen(c) > qBlue(c) + 40);
    QVERIFY(green);
}

void TestScreenshot::darkPaletteGivesDarkGraph()
{
    // A dark desktop: the graph must not be a white hole in it.
    const QPalette light = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(45, 45, 48));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::Base, QColor(30, 30, 32));
    dark.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    dark.setColor(QPalette::Button, QColor(50, 50, 54));
    dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
    QApplication::setPalette(dark);
    // Restored however the test ends, so no later test runs dark.
    const auto restore = qScopeGuard([&light] { QApplication::setPalette(light); });

    QTemporaryDir dir;
    const QString keep = qEnvironmentVariable("IMMORTAL_SCREENSHOT_DIR"); // to look at it
    const QString path = (keep.isEmpty() ? dir.path() : keep) + QStringLiteral("/studio-dark.png");
    {
        MainWindow w;
        w.openScenario(Scenario::defaultScenario());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY(w.tableModel()->rowCount() == 1 && w.tableModel()->tableAt(0).owner != 0);
        QVERIFY(w.saveScreenshot(path));
        const QImage image(path);
        QVERIFY(!image.isNull());
        // The graph's background, near its top-left corner (the legend sits
        // at the bottom), is dark.
        QWidget *graph = w.findChild<QWidget *>(QStringLiteral("graphView"));
        QVERIFY(graph);
        const QPoint corner = graph->mapTo(&w, QPoint(12, 12)) * w.devicePixelRatio();
        QVERIFY2(QColor(image.pixel(corner)).lightness() < 80,
                 qPrintable(QColor(image.pixel(corner)).name()));
    }
}

void TestScreenshot::unwritablePathFails()
{
    MainWindow w;
    QVERIFY(!w.saveScreenshot(QStringLiteral("/nonexistent-dir/x/studio.png")));
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    app.setOrganizationName(QStringLiteral("Immortal"));
    app.setApplicationName(QStringLiteral("tst_screenshot"));
    TestScreenshot test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_screenshot.moc"
