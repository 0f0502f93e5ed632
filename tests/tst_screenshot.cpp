// saveScreenshot renders the real window, not a blank rectangle.
#include "mainwindow.h"
#include "node.h"
#include "scenario.h"
#include "table.h"
#include "tablelistmodel.h"

#include <QApplication>
#include <QImage>
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
    void unwritablePathFails();
};

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
