// Scenario parsing and validation: the embedded and good files load into the
// tree they describe; every bad file fails with the file, the JSON path and
// what was expected, and nothing starts.

#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/registry.h>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace immortal;

namespace {

QString dataFile(const QString &name)
{
    return QStringLiteral(IMMORTAL_TEST_DATA "/scenarios/") + name;
}

QString parseError(const QString &path)
{
    try {
        Scenario::fromFile(path);
    } catch (const Error &e) {
        if (e.code() != Error::Code::BadArg)
            return QStringLiteral("wrong code: ") + QString::fromLatin1(Error::codeName(e.code()));
        return e.message();
    }
    return QString();
}

} // namespace

class TestScenario : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultScenarioIsTheSeedsExample();
    void demoScenarioHasNestingAndRestForOne();
    void goodFileLoadsEveryFeature();
    void otpBehavioursLoad();
    void roundTripsThroughJson();
    void reasonWithLeadingZerosIsDecimal();
    void badFilesSayFilePlaceAndExpected_data();
    void badFilesSayFilePlaceAndExpected();
    void missingFileIsReported();
    void hugeEmptyAndDeepFilesAreRefused_data();
    void hugeEmptyAndDeepFilesAreRefused();
    void controlCharactersNeverBreakAMessage_data();
    void controlCharactersNeverBreakAMessage();
    void badFileStartsNothing();
    void addActionValidates();
    void failedStartLeavesNothingRunning();
};

void TestScenario::defaultScenarioIsTheSeedsExample()
{
    const Scenario s = Scenario::defaultScenario();
    QCOMPARE(s.fileName(), Scenario::defaultPath());
    QCOMPARE(s.root().kind, Process::Kind::Supervisor);
    QCOMPARE(s.root().flags.strategy, Supervisor::Strategy::OneForOne);
    QCOMPARE(s.root().children.size(), 2);

    const Scenario::ProcessSpec *consumer = s.find(QStringLiteral("TableConsumer"));
    QVERIFY(consumer);
    QCOMPARE(consumer, s.find(QStringLiteral("consumer"))); // name or id
    QCOMPARE(consumer->kind, Process::Kind::Worker);
    QCOMPARE(consumer->workload.type, Scenario::Workload::Type::Counter);
    QVERIFY(consumer->workload.managed);
    QCOMPARE(consumer->workload.everyMs, 300);

    const Scenario::ProcessSpec *manager = s.find(QStringLiteral("TableManager"));
    QVERIFY(manager);
    QCOMPARE(manager->kind, Process::Kind::TableManager);
    QCOMPARE(manager->targetName, QStringLiteral("TableConsumer"));
    QCOMPARE(manager->tableName, QStringLiteral("TableConsumer"));
    QCOMPARE(manager->table.access, TableOptions::Access::Public);
    QCOMPARE(s.parentOf(manager), &s.root());
    QVERIFY(s.script().isEmpty());
    QVERIFY(!s.chaos().enabled);
}

void TestScenario::demoScenarioHasNestingAndRestForOne()
{
    const Scenario s = Scenario::fromFile(Scenario::demoPath());
    int supervisors = 0, managers = 0, restForOne = 0;
    for (const Scenario::ProcessSpec *n : s.nodes()) {
        if (n->kind == Process::Kind::Supervisor) {
            ++supervisors;
            if (n->flags.strategy == Supervisor::Strategy::RestForOne)
                ++restForOne;
        }
        if (n->kind == Process::Kind::TableManager)
            ++managers;
    }
    QVERIFY(supervisors >= 3);
    QVERIFY(managers >= 2);
    QVERIFY(restForOne >= 1);
    QVERIFY(!s.script().isEmpty());
    // The script is in time order.
    for (qsizetype i = 1; i < s.script().size(); ++i)
        QVERIFY(s.script().at(i - 1).atMs <= s.script().at(i).atMs);
    // A worker with a table of its own.
    const Scenario::ProcessSpec *scratch = s.find(QStringLiteral("Scratch"));
    QVERIFY(scratch);
    QVERIFY(!scratch->workload.managed);
}

void TestScenario::goodFileLoadsEveryFeature()
{
    const Scenario s = Scenario::fromFile(dataFile(QStringLiteral("good-nested.json")));
    QCOMPARE(s.title(), QStringLiteral("Nested, by child ids"));
    QCOMPARE(s.root().id, QStringLiteral("top"));
    QVERIFY(s.root().name.isEmpty());
    QCOMPARE(s.root().flags.strategy, Supervisor::Strategy::OneForAll);
    QCOMPARE(s.root().flags.intensity, 0);
    QCOMPARE(s.root().flags.periodMs, 1000);

    const Scenario::ProcessSpec *inner = s.find(QStringLiteral("inner"));
    QVERIFY(inner);
    QCOMPARE(inner->restart, ChildSpec::Restart::Transient);
    QCOMPARE(inner->shutdown, ChildSpec::Infinity);
    QCOMPARE(inner->children.size(), 4);

    const Scenario::ProcessSpec *consumer = s.find(QStringLiteral("consumer"));
    QCOMPARE(consumer->restart, ChildSpec::Restart::Temporary);
    QCOMPARE(consumer->shutdown, ChildSpec::BrutalKill);
    QCOMPARE(consumer->bootDelayMs, 5000);
    QCOMPARE(consumer->workload.type, Scenario::Workload::Type::Append);
    QCOMPARE(consumer->workload.maxRows, 3);
    QVERIFY(consumer->workload.managed); // names the manager's table

    // A manager targeting a child id, with a default name.
    const Scenario::ProcessSpec *manager = s.find(QStringLiteral("manager"));
    QCOMPARE(manager->targetName, QStringLiteral("NestedConsumer"));
    QCOMPARE(manager->name, QStringLiteral("NestedConsumer.manager"));
    QCOMPARE(manager, s.find(QStringLiteral("NestedConsumer.manager")));
    QCOMPARE(manager->shutdown, 0);
    QCOMPARE(manager->table.type, TableOptions::Type::DuplicateBag);
    QCOMPARE(manager->table.access, TableOptions::Access::Private);
    QCOMPARE(manager->table.keyPos, 3);

    const Scenario::ProcessSpec *own = s.find(QStringLiteral("own"));
    QVERIFY(!own->workload.managed);
    QCOMPARE(own->workload.table, QStringLiteral("scratch"));
    QCOMPARE(own->workload.everyMs, 300); // the default

    QCOMPARE(s.script().size(), 3);
    QCOMPARE(s.script().at(0).atMs, 1000); // sorted by time
    QCOMPARE(s.script().at(0).reason, Term::atom(u"throw"));
    QCOMPARE(s.script().at(1).type, Scenario::Action::Type::Terminate);
    QCOMPARE(s.script().at(2).type, Scenario::Action::Type::Restart);

    QVERIFY(s.chaos().enabled);
    QCOMPARE(s.chaos().perSecond, 2.5);
    QCOMPARE(s.chaos().seed, quint64(7));
    QCOMPARE(s.chaos().targets, QStringLiteral("^own$"));
}

void TestScenario::otpBehavioursLoad()
{
    using Outcome = Scenario::ProcessSpec::StartOutcome;
    using Type = Scenario::Action::Type;
    const Scenario s = Scenario::fromFile(dataFile(QStringLiteral("good-otp.json")));
    const Scenario::ProcessSpec *pool = s.find(QStringLiteral("Pool"));
    QCOMPARE(pool->flags.strategy, Supervisor::Strategy::SimpleOneForOne);
    QCOMPARE(pool->children.size(), 1);
    QCOMPARE(s.find(QStringLiteral("shy"))->startOutcome, Outcome::Ignore);
    QCOMPARE(s.find(QStringLiteral("shy"))->startOutcomeFrom, 1);
    QCOMPARE(s.find(QStringLiteral("flaky"))->startOutcome, Outcome::Error);
    QCOMPARE(s.find(QStringLiteral("flaky"))->startOutcomeFrom, 2);
    const Scenario::ProcessSpec *deaf = s.find(QStringLiteral("deaf"));
    QVERIFY(deaf->ignoreShutdown && deaf->trapExit); // ignoring shutdown means trapping
    QVERIFY(s.find(QStringLiteral("trapper"))->trapExit);
    QVERIFY(!s.find(QStringLiteral("trapper"))->ignoreShutdown);

    const QList<Scenario::Action> &script = s.script();
    QCOMPARE(script.size(), 7);
    QCOMPARE(script.at(0).type, Type::StartChild);
    QCOMPARE(script.at(2).type, Type::Terminate);
    QCOMPARE(script.at(2).index, 0);
    QCOMPARE(script.at(3).type, Type::Kill);
    QCOMPARE(script.at(3).reason.format(), QStringLiteral("{shutdown,bye}"));
    QCOMPARE(script.at(4).type, Type::Exit);
    QCOMPARE(script.at(6).type, Type::Delete);
    QCOMPARE(script.at(2).describe(), QStringLiteral("terminate_child conn #0"));
    QCOMPARE(script.at(4).describe(), QStringLiteral("exit Trapper ({shutdown,bye})"));
}

void TestScenario::roundTripsThroughJson()
{
    for (const QString &path : { Scenario::defaultPath(), Scenario::demoPath(),
                                 dataFile(QStringLiteral("good-nested.json")),
                                 dataFile(QStringLiteral("good-otp.json")) }) {
        const Scenario a = Scenario::fromFile(path);
        const Scenario b = Scenario::fromJson(a.toJson(), QStringLiteral("saved.json"));
        QCOMPARE(b.toJson(), a.toJson());
        QCOMPARE(b.nodes().size(), a.nodes().size());
        QCOMPARE(b.script().size(), a.script().size());
    }
}

void TestScenario::badFilesSayFilePlaceAndExpected_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("place");
    QTest::addColumn<QString>("expected");
    QTest::newRow("json") << "bad-json.json"
                          << "line 2, column"
                          << "expected well-formed JSON";
    QTest::newRow("format") << "bad-format.json"
                            << ": format:"
                            << "expected \"immortal-scenario\"";
    QTest::newRow("version") << "bad-version.json"
                             << ": version:"
                             << "expected an integer from 1 to 1, got 2";
    QTest::newRow("unknown key") << "bad-unknown-key.json"
                                 << "root.children[1].colour"
                                 << "expected no such key";
    QTest::newRow("strategy")
        << "bad-strategy.json"
        << "root.strategy"
        << "expected one of one_for_one, one_for_all, rest_for_one, simple_one_for_one, got "
           "\"one_for_some\"";
    QTest::newRow("every_ms") << "bad-every-ms.json"
                              << "root.children[1].workload.every_ms"
                              << "expected an integer from 10 to";
    QTest::newRow("boot delay") << "bad-boot-delay.json"
                                << "root.children[0].boot_delay_ms"
                                << "expected an integer from 0 to 5000, got 6000";
    QTest::newRow("duplicate name") << "bad-duplicate-name.json"
                                    << "root.children[1].name"
                                    << "expected a name or id used nowhere else";
    QTest::newRow("duplicate id") << "bad-duplicate-id.json"
                                  << "root.children[2].children[0].id"
                                  << "expected a name or id used nowhere else";
    QTest::newRow("unknown target") << "bad-unknown-target.json"
                                    << "root.children[1].target"
                                    << "expected the registered name or child id of a worker";
    QTest::newRow("manager targets itself") << "bad-manager-targets-itself.json"
                                            << "root.children[0].target"
                                            << "expected a worker with a registered name";
    QTest::newRow("target not a worker") << "bad-target-not-worker.json"
                                         << "root.children[0].target"
                                         << "expected a worker with a registered name";
    QTest::newRow("script target") << "bad-script-target.json"
                                   << "script[0].kill"
                                   << "expected the registered name or child id of a process";
    QTest::newRow("script verb")
        << "bad-script-verb.json"
        << "script[0]"
        << "expected exactly one of kill, exit, start_child, terminate_child, restart_child or "
           "delete_child";
    QTest::newRow("intensity type") << "bad-intensity-type.json"
                                    << "root.intensity"
                                    << "expected an integer from 0 to 1000, got \"three\"";
    QTest::newRow("managed without manager") << "bad-managed-without-manager.json"
                                             << "root.children[0].workload.table"
                                             << "expected a table of the worker's own";
    QTest::newRow("counter on a bag") << "bad-counter-bag.json"
                                      << "root.children[1].table.type"
                                      << "expected set or ordered_set";
    QTest::newRow("missing kind") << "bad-missing-kind.json"
                                  << "root.children[0].kind"
                                  << "expected one of supervisor, worker, table_manager";
    QTest::newRow("keypos") << "bad-keypos.json"
                            << "root.children[1].table.keypos"
                            << "expected an integer from 1 to 255, got 0";
    QTest::newRow("shutdown") << "bad-shutdown.json"
                              << "root.children[0].shutdown"
                              << "expected \"brutal_kill\", \"infinity\" or a timeout";
    QTest::newRow("table name") << "bad-table-name.json"
                                << "root.children[1].table.name"
                                << "expected the target's registered name \"TableConsumer\"";
    QTest::newRow("reason") << "bad-reason.json"
                            << "script[0].reason"
                            << "expected an exit reason in Erlang term text";
    QTest::newRow("simple_one_for_one children") << "bad-sofo-two-children.json"
                                                 << "root.children[0].children"
                                                 << "expected exactly one child, the template";
    QTest::newRow("simple_one_for_one named template")
        << "bad-sofo-named.json"
        << "root.children[0].children[0].name"
        << "expected no name (the children of a simple_one_for_one template share it";
    QTest::newRow("start_child on a plain supervisor")
        << "bad-start-child.json"
        << "script[0].start_child"
        << "expected a simple_one_for_one supervisor";
    QTest::newRow("terminate a template child without index")
        << "bad-terminate-index.json"
        << "script[0].index"
        << "expected which running child of template \"conn\" to terminate";
    QTest::newRow("start outcome") << "bad-start-outcome.json"
                                   << "root.children[0].start.result"
                                   << "expected one of ok, ignore, error, throw";
    QTest::newRow("ignore_shutdown without trap_exit") << "bad-ignore-shutdown.json"
                                                       << "root.children[0].trap_exit"
                                                       << "expected true, or no trap_exit";
    QTest::newRow("children type") << "bad-children-type.json"
                                   << "root.children"
                                   << "expected an array of children, got an object";
}

void TestScenario::badFilesSayFilePlaceAndExpected()
{
    QFETCH(QString, file);
    QFETCH(QString, place);
    QFETCH(QString, expected);
    const QString path = dataFile(file);
    QVERIFY2(QFile::exists(path), qPrintable(path));
    const QString message = parseError(path);
    QVERIFY2(!message.isEmpty(), "the bad file was accepted");
    QVERIFY2(message.startsWith(path + QStringLiteral(": ")), qPrintable(message));
    QVERIFY2(message.contains(place), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestScenario::hugeEmptyAndDeepFilesAreRefused_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray()
                           << "(whole file): expected a scenario (a JSON object), "
                              "got an empty file";
    QTest::newRow("blank") << QByteArray(" \n\t\n")
                           << "(whole file): expected a scenario (a JSON object), got an empty "
                              "file";
    QByteArray huge = R"({"format":"immortal-scenario","version":1,"description":")";
    huge += QByteArray(10 << 20, 'x');
    huge += R"(","root":{"children":[]}})";
    QTest::newRow("10 MB") << huge
                           << "(whole file): expected a scenario of at most 8 MiB, got 10.0 MiB";
    QByteArray deep = R"({"format":"immortal-scenario","version":1,"root":)";
    for (int i = 0; i < 100000; ++i)
        deep += R"({"children":[)";
    QTest::newRow("100,000 levels deep") << deep << "expected well-formed JSON (too deeply nested";
}

// What no scenario file can be: empty, too big to be one, nested past
// reason. Each is refused at once with what was expected.
void TestScenario::hugeEmptyAndDeepFilesAreRefused()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("bad.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    const QString message = parseError(file.fileName());
    QVERIFY2(message.startsWith(file.fileName() + QStringLiteral(": ")), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
}

// A key holding a NUL or a newline, escaped or raw, and raw control
// characters in strings (which JSON forbids): the message stays one whole
// line that names the place and what was expected.
void TestScenario::controlCharactersNeverBreakAMessage_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    const QByteArray head = "{\"format\": \"immortal-scenario\", \"version\": 1, ";
    QTest::newRow("escaped NUL in a key")
        << head
            + "\"root\": {\"children\": [{\"kind\": \"worker\", \"id\": \"w\", "
              "\"ba\\u0000d\": 1}]}}"
        << QStringLiteral(
               "x.json: root.children[0].ba\\u0000d: expected no such key (allowed here: kind");
    QTest::newRow("escaped newline in a key")
        << head + "\"root\": {\"na\\nme\": \"r\"}}"
        << QStringLiteral("x.json: root.na\\u000ame: expected no such key");
    QTest::newRow("raw NUL in a key") << head + QByteArray("\"ro\0ot\": {}}", 12)
                                      << QStringLiteral("x.json: line 1, column 50: expected "
                                                        "well-formed JSON (a control character "
                                                        "inside a string must be escaped, as \\n "
                                                        "or \\u0000)");
    QTest::newRow("raw newline in a key")
        << head + "\"ro\not\": {}}"
        << QStringLiteral("x.json: line 1, column 50: expected well-formed JSON");
    QTest::newRow("raw tab in a value")
        << head + "\"title\": \"a\tb\", \"root\": {}}"
        << QStringLiteral("x.json: line 1, column 58: expected well-formed JSON (a control "
                          "character inside a string must be escaped, as \\n or \\u0009)");
}

void TestScenario::controlCharactersNeverBreakAMessage()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QString message;
    try {
        Scenario::fromJson(json, QStringLiteral("x.json"));
    } catch (const Error &e) {
        message = e.message();
    }
    QVERIFY2(message.startsWith(expected), qPrintable(message));
    for (const QChar c : message)
        QVERIFY2(c.unicode() >= 0x20, qPrintable(message));
}

void TestScenario::missingFileIsReported()
{
    const QString path = dataFile(QStringLiteral("no-such-file.json"));
    const QString message = parseError(path);
    QVERIFY2(message.startsWith(path), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("expected a readable JSON file")),
             qPrintable(message));
}

void TestScenario::badFileStartsNothing()
{
    const auto before = Node::instance()->processes().size();
    const auto names = Registry::instance()->names().size();
    QVERIFY(!parseError(dataFile(QStringLiteral("bad-unknown-target.json"))).isEmpty());
    QVERIFY(!parseError(dataFile(QStringLiteral("bad-duplicate-name.json"))).isEmpty());
    QCOMPARE(Node::instance()->processes().size(), before);
    QCOMPARE(Registry::instance()->names().size(), names);
    QVERIFY(Registry::instance()->whereis(QStringLiteral("TableConsumer")) == 0);
}

// Found by fuzz_scenario (tests/fuzz/regressions/fuzz_scenario/reason-leading-zeros):
// Boost read a big integer with a leading zero as octal, and threw an
// exception that is no immortal::Error at the 8: the program ended.
void TestScenario::reasonWithLeadingZerosIsDecimal()
{
    const Scenario s = Scenario::fromJson(
        R"({"format": "immortal-scenario", "version": 1, "root": {},
            "script": [{"at_ms": 2, "kill": "root", "reason": "018446744073709551615"}]})",
        QStringLiteral("zeros.json"));
    QCOMPARE(s.script().at(0).reason, Term::integer(u"18446744073709551615"));
}

void TestScenario::addActionValidates()
{
    Scenario s = Scenario::defaultScenario();
    Scenario::Action a;
    a.target = QStringLiteral("Nobody");
    a.atMs = 100;
    QVERIFY_THROWS_EXCEPTION(Error, s.addAction(a));
    QVERIFY(s.script().isEmpty()); // a failed call changes nothing
    a.target = QStringLiteral("consumer");
    a.atMs = -1;
    QVERIFY_THROWS_EXCEPTION(Error, s.addAction(a));
    a.atMs = 900;
    s.addAction(a);
    a.atMs = 100;
    a.target = QStringLiteral("TableManager");
    s.addAction(a);
    QCOMPARE(s.script().size(), 2);
    QCOMPARE(s.script().at(0).target, QStringLiteral("TableManager")); // kept in time order
}

void TestScenario::failedStartLeavesNothingRunning()
{
    // The manager's name is taken by someone else: the tree cannot start.
    const auto before = Node::instance()->processes().size();
    Process squatter;
    squatter.registerName(QStringLiteral("TableManager"));
    {
        ScenarioRunner runner(Scenario::defaultScenario());
        QSignalSpy started(&runner, &ScenarioRunner::started);
        QVERIFY_THROWS_EXCEPTION(Error, runner.start());
        QVERIFY(!runner.isRunning());
        QCOMPARE(started.size(), 0);
    }
    // Whatever had started is stopped and gone.
    QTRY_COMPARE(Node::instance()->processes().size(), before + 1);
    QTRY_COMPARE(Registry::instance()->whereis(QStringLiteral("TableConsumer")), Pid(0));
}

QTEST_GUILESS_MAIN(TestScenario)
#include "tst_scenario.moc"
