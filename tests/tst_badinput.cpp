// The catalogue of bad calls into the core, one case each: every one ends
// in a typed error (or, for the Node's queries, false / nothing) whose
// message says what was wrong, and changes nothing — the tables, their
// rows, owners and heirs, the names and the processes are as before.

#include "testsupport.h"

#include <immortal/error.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>

#include <QSignalSpy>
#include <QTest>

#include <functional>
#include <stdexcept>

using namespace immortal;

namespace {

// Everything a bad call could have changed.
struct Snapshot
{
    QStringList tables; // id, name, owner, heir, access, size, memory, and the rows
    QHash<QString, Pid> names;
    QList<Pid> processes;

    static Snapshot take()
    {
        Snapshot s;
        for (const TableInfo &t : Table::all()) {
            QStringList rows;
            ProcessScope asOwner(t.owner); // private tables too
            for (const Tuple &row : Table::fromId(t.id).toList())
                rows << Term::tuple(row).format();
            rows.sort();
            s.tables << QStringLiteral("%1 %2 owner=%3 heir=%4/%5 access=%6 size=%7 memory=%8 %9")
                            .arg(t.id)
                            .arg(t.name)
                            .arg(t.owner)
                            .arg(t.heir.pid)
                            .arg(t.heir.name)
                            .arg(int(t.access))
                            .arg(t.size)
                            .arg(t.memory)
                            .arg(rows.join(u','));
        }
        s.names = Registry::instance()->names();
        for (const ProcessInfo &p : Node::instance()->processes())
            s.processes << p.pid;
        return s;
    }
    bool operator==(const Snapshot &o) const
    {
        return tables == o.tables && names == o.names && processes == o.processes;
    }
};

char *toString(const Snapshot &s)
{
    QStringList names;
    for (auto it = s.names.cbegin(); it != s.names.cend(); ++it)
        names << it.key() + u'=' + QString::number(it.value());
    names.sort();
    QStringList pids;
    for (Pid p : s.processes)
        pids << QString::number(p);
    return qstrdup(
        qPrintable(s.tables.join(u'\n') + u'\n' + names.join(u' ') + u'\n' + pids.join(u' ')));
}

// What a call did: "ok", "false", "nothing" or the error code, and its message.
struct Outcome
{
    QString what;
    QString message;
};

Outcome outcomeOf(const std::function<QVariant()> &call)
{
    try {
        const QVariant v = call();
        if (v.typeId() == QMetaType::Bool && !v.toBool())
            return { QStringLiteral("false"), {} };
        if (!v.isValid())
            return { QStringLiteral("nothing"), {} };
        return { QStringLiteral("ok"), v.toString() };
    } catch (const Error &e) {
        return { QLatin1String(Error::codeName(e.code())), e.message() };
    }
}

// Runs call as `as` (0: outside any process).
std::function<QVariant()> as(Pid pid, std::function<QVariant()> call)
{
    return [pid, call] {
        ProcessScope scope(pid);
        return call();
    };
}

QVariant done()
{
    return QVariant(QStringLiteral("done"));
}

ChildSpec worker(const QString &id)
{
    ChildSpec c;
    c.id = id;
    c.start = [] {
        return new Process;
    };
    return c;
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void badCallsChangeNothing_data();
    void badCallsChangeNothing();
    void heirThatIsTheOwnerDiesWithIt();
    void startReturningNullIsIgnore();

private:
    std::unique_ptr<Node> m_node;
    Process *m_owner = nullptr;
    Process *m_other = nullptr;
    Supervisor *m_sup = nullptr;
    Pid m_dead = 0;
    TableId m_public = 0, m_protected = 0, m_private = 0, m_deleted = 0;
    int m_cases = 0;
};

void TestBadInput::init()
{
    m_node = std::make_unique<Node>();
    m_owner = new Process;
    m_owner->registerName(QStringLiteral("bad.owner"));
    m_other = new Process;
    auto *doomed = new Process;
    m_dead = doomed->pid();
    delete doomed;

    ProcessScope scope(m_owner->pid());
    auto make = [](const char *name, TableOptions::Access access) {
        TableOptions o;
        o.access = access;
        o.namedTable = true;
        Table t = Table::create(QLatin1String(name), o);
        t.insert({ 1, "one" });
        t.insert({ 2, "two" });
        return t.id();
    };
    m_public = make("bad.public", TableOptions::Access::Public);
    m_protected = make("bad.protected", TableOptions::Access::Protected);
    m_private = make("bad.private", TableOptions::Access::Private);
    Table gone = Table::create(QStringLiteral("bad.gone"), {});
    m_deleted = gone.id();
    gone.deleteTable();

    m_sup = new Supervisor({ Supervisor::Strategy::OneForOne, 5, 60000 },
                           { worker(QStringLiteral("w1")) });
    m_sup->start();
}

void TestBadInput::cleanup()
{
    delete m_sup;
    delete m_other;
    delete m_owner;
    m_node.reset();
}

void TestBadInput::badCallsChangeNothing_data()
{
    QTest::addColumn<int>("caseIndex");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("says");
    // The calls are built in the test itself (they need the fixture); each
    // row names one by index.
    const struct
    {
        const char *name;
        const char *expected;
        const char *says;
    } cases[] = {
        { "exit to a dead pid", "false", "" },
        { "exit to an unknown pid", "false", "" },
        { "post to a dead pid", "false", "" },
        { "shutdown of an unknown pid", "false", "" },
        { "info of an unknown pid", "nothing", "" },
        { "register a name for a dead pid", "noproc", "not alive" },
        { "register an empty name", "badarg", "empty" },
        { "register a taken name", "name_taken", "bad.owner" },
        { "register a second name", "badarg", "already" },
        { "lookup in a deleted table", "no_such_table", "" },
        { "insert into a deleted table", "no_such_table", "" },
        { "give_away by a non-owner", "not_owner", "only the owner" },
        { "give_away to a dead process", "badarg", "not alive" },
        { "give_away to the owner itself", "badarg", "already owns" },
        { "set_heir by a non-owner", "not_owner", "only the owner" },
        { "delete a protected table by a non-owner", "not_owner", "only the owner" },
        { "write to a protected table by another", "access_denied", "protected" },
        { "read a private table by another", "access_denied", "private" },
        { "read a private table from outside", "access_denied", "private" },
        { "create a table named as another", "name_taken", "bad.public" },
        { "create a table for a dead owner", "noproc", "not alive" },
        { "create with key position 0", "badarg", "key position" },
        { "create with a negative grace", "badarg", "grace" },
        { "child spec without a start function", "badarg", "start" },
        { "child spec without an id", "badarg", "id" },
        { "start_child that throws", "start_failed", "w2" },
        { "start_child with the id of a running child", "running", "w1" },
        { "restart a running child", "running", "w1" },
        { "delete a running child", "running", "w1" },
        { "terminate an unknown child", "not_found", "nobody" },
        { "restart an unknown child", "not_found", "nobody" },
        { "supervisor with a negative intensity", "badarg", "intensity" },
    };
    m_cases = 0;
    for (const auto &c : cases) {
        QTest::newRow(c.name) << m_cases++ << QString::fromLatin1(c.expected)
                              << QString::fromLatin1(c.says);
    }
}

void TestBadInput::badCallsChangeNothing()
{
    QFETCH(int, caseIndex);
    QFETCH(QString, expected);
    QFETCH(QString, says);
    Node *node = Node::instance();
    const Pid owner = m_owner->pid(), other = m_other->pid(), dead = m_dead;
    const TableId pub = m_public, prot = m_protected, priv = m_private, deleted = m_deleted;
    Supervisor *sup = m_sup;
    const std::function<QVariant()> calls[] = {
        [&] { return QVariant(node->exit(dead, ExitReason::kill())); },
        [&] { return QVariant(node->exit(Pid(987654321), ExitReason::kill())); },
        [&] { return QVariant(node->post(dead, [](Process *) {})); },
        [&] { return QVariant(node->shutdown(Pid(987654321))); },
        [&] { return node->info(Pid(987654321)) ? done() : QVariant(); },
        [&] {
            Registry::instance()->registerName(QStringLiteral("bad.ghost"), dead);
            return done();
        },
        [&] {
            Registry::instance()->registerName(QString(), other);
            return done();
        },
        [&] {
            Registry::instance()->registerName(QStringLiteral("bad.owner"), other);
            return done();
        },
        [&] {
            Registry::instance()->registerName(QStringLiteral("bad.second"), owner);
            return done();
        },
        [&] { return QVariant(qsizetype(Table::fromId(deleted).lookup(Term(1)).size())); },
        as(owner,
           [&] {
               Table::fromId(deleted).insert({ 3, "three" });
               return done();
           }),
        as(other,
           [&] {
               Table::fromId(prot).giveAway(other, Term());
               return done();
           }),
        as(owner,
           [&] {
               Table::fromId(prot).giveAway(dead, Term());
               return done();
           }),
        as(owner,
           [&] {
               Table::fromId(prot).giveAway(owner, Term());
               return done();
           }),
        as(other,
           [&] {
               Table::fromId(pub).setHeir(HeirSpec::byPid(other));
               return done();
           }),
        as(other,
           [&] {
               Table::fromId(prot).deleteTable(); // a public one anyone may delete, as in ETS
               return done();
           }),
        as(other,
           [&] {
               Table::fromId(prot).insert({ 3, "three" });
               return done();
           }),
        as(other, [&] { return QVariant(qsizetype(Table::fromId(priv).lookup(Term(1)).size())); }),
        [&] { return QVariant(qsizetype(Table::fromId(priv).lookup(Term(1)).size())); },
        as(other,
           [&] {
               TableOptions o;
               o.namedTable = true;
               Table::create(QStringLiteral("bad.public"), o);
               return done();
           }),
        [&] {
            Table::create(QStringLiteral("bad.orphan"), {}, dead);
            return done();
        },
        as(other,
           [&] {
               TableOptions o;
               o.keyPos = 0;
               Table::create(QStringLiteral("bad.keypos"), o);
               return done();
           }),
        as(other,
           [&] {
               TableOptions o;
               o.heir = HeirSpec::byName(QStringLiteral("bad.owner"), Term(), -1);
               Table::create(QStringLiteral("bad.grace"), o);
               return done();
           }),
        [&] {
            ChildSpec c;
            c.id = QStringLiteral("nostart");
            sup->startChild(c);
            return done();
        },
        [&] {
            ChildSpec c = worker(QString());
            sup->startChild(c);
            return done();
        },
        [&] {
            ChildSpec c;
            c.id = QStringLiteral("w2");
            c.start = []() -> Process * {
                throw std::runtime_error("cannot start w2");
            };
            sup->startChild(c);
            return done();
        },
        [&] {
            sup->startChild(worker(QStringLiteral("w1")));
            return done();
        },
        [&] { return QVariant(sup->restartChild(QStringLiteral("w1"))); },
        [&] {
            sup->deleteChild(QStringLiteral("w1"));
            return done();
        },
        [&] {
            sup->terminateChild(QStringLiteral("nobody"));
            return done();
        },
        [&] { return QVariant(sup->restartChild(QStringLiteral("nobody"))); },
        [&] {
            Supervisor s({ Supervisor::Strategy::OneForOne, -1, 1000 }, {});
            return done();
        },
    };
    QCOMPARE(int(std::size(calls)), m_cases); // one call per row of the catalogue

    const Snapshot before = Snapshot::take();
    const Outcome out = outcomeOf(calls[caseIndex]);
    QCOMPARE(out.what, expected);
    QVERIFY2(out.message.contains(says, Qt::CaseInsensitive), qPrintable(out.message));
    // A start failure that reached the supervisor's child is traced but
    // changes nothing else: no process, name or table is left behind.
    QCOMPARE(Snapshot::take(), before);
}

// An heir that is the owner itself (by pid) cannot inherit from its own
// death: as in ETS, the table dies with it, and nothing crashes.
void TestBadInput::heirThatIsTheOwnerDiesWithIt()
{
    auto *self = new Process;
    TableId id = 0;
    {
        ProcessScope scope(self->pid());
        TableOptions o;
        o.heir = HeirSpec::byPid(self->pid());
        Table t = Table::create(QStringLiteral("bad.self"), o);
        t.insert({ 1, "one" });
        id = t.id();
        QCOMPARE(t.info().heirPid, self->pid());
    }
    QSignalSpy gone(self, &QObject::destroyed);
    QVERIFY(Node::instance()->exit(self->pid(), ExitReason::kill()));
    QVERIFY(gone.wait(10000));
    QVERIFY(!Table::infoOf(id));
    QCOMPARE(errorOf([&] { Table::fromId(id).size(); }), QStringLiteral("no_such_table"));
}

// A start function that returns null is OTP's `ignore`: no process, no
// error, and the spec is kept (not running) as start_child keeps it.
void TestBadInput::startReturningNullIsIgnore()
{
    ChildSpec c;
    c.id = QStringLiteral("shy");
    c.start = []() -> Process * {
        return nullptr;
    };
    const auto processes = Node::instance()->processes().size();
    QCOMPARE(m_sup->startChild(c), Pid(0));
    QCOMPARE(Node::instance()->processes().size(), processes);
    const auto children = m_sup->whichChildren();
    QCOMPARE(children.size(), 2);
    QCOMPARE(children.last().id, QStringLiteral("shy"));
    QCOMPARE(children.last().pid, Pid(0));
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
