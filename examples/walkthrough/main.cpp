// The seed's layout, made to survive what the seed does not: a consumer and
// its TableManager under a one_for_one supervisor. The consumer writes rows,
// crashes, crashes again after the manager itself was killed, and keeps
// every row and the same table throughout. Each step waits for the trace
// event that says the previous one is done: no polling, no sleeping.
//
//   walkthrough [--trace trace.jsonl]
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/registry.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/tablemanager.h>
#include <immortal/trace.h>
#include <immortal/tracewriter.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTextStream>
#include <QTimer>

using namespace immortal;

namespace {

const QString consumerName = QStringLiteral("consumer");

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

// YourApp.TableConsumer: registers its name and keeps the table it is given.
class Consumer : public Process
{
    Q_OBJECT
public:
    Consumer() { registerName(consumerName); }

protected:
    void handleEtsTransfer(TableId table, Pid from, const Term &) override
    {
        out() << "  consumer " << pid() << " received table " << table << " from " << from
              << Qt::endl;
    }
};

// Drives the story one step per awaited trace event.
class Story : public QObject
{
    Q_OBJECT
public:
    explicit Story(Supervisor *sup)
        : m_sup(sup)
    {
        connect(Trace::instance(), &Trace::event, this, &Story::onEvent, Qt::QueuedConnection);
    }

private:
    Pid child(const QString &id) const
    {
        for (const auto &c : m_sup->whichChildren())
            if (c.id == id)
                return c.pid;
        return 0;
    }

    void printRows()
    {
        const Table t = Table::named(consumerName);
        out() << "  table " << t.id() << " holds " << t.size() << " rows:";
        for (const Tuple &row : t.toList())
            out() << ' ' << Term::tuple(row).format();
        out() << Qt::endl;
    }

    void onEvent(const TraceEvent &e)
    {
        switch (m_step) {
        case 0: // the manager handed the table to the first consumer
            if (e.type != TraceEvent::Type::ManagerHandedOver)
                return;
            m_table = e.table;
            out() << "1. the manager gave table " << m_table << " to consumer " << e.to
                  << "; the consumer writes three rows, then crashes" << Qt::endl;
            Node::instance()->post(e.to, [](Process *) {
                Table t = Table::named(consumerName);
                t.insert({ Term::atom(u"alice"), 1 });
                t.insert({ Term::atom(u"bob"), 2 });
                t.insert({ Term::atom(u"carol"), 3 });
            });
            Node::instance()->exit(e.to, Term::atom(u"crash"));
            m_step = 1;
            return;
        case 1: // back with the restarted consumer
            if (e.type != TraceEvent::Type::ManagerHandedOver)
                return;
            out() << "2. the manager took the table back and gave it to the restarted consumer "
                  << e.to << Qt::endl;
            printRows();
            out() << "3. now the manager itself is killed" << Qt::endl;
            Node::instance()->exit(child(QStringLiteral("manager")), ExitReason::kill());
            m_step = 2;
            return;
        case 2: // the restarted manager found the table
            if (e.type != TraceEvent::Type::ManagerAdopted)
                return;
            out() << "4. the restarted manager " << e.pid << " re-adopted table " << e.table
                  << " (the seed would have made a new, empty one); the consumer crashes again"
                  << Qt::endl;
            Node::instance()->exit(child(QStringLiteral("consumer")), Term::atom(u"crash"));
            m_step = 3;
            return;
        case 3:
            if (e.type != TraceEvent::Type::ManagerHandedOver)
                return;
            out() << "5. the new manager gave the table to consumer " << e.to << Qt::endl;
            printRows();
            const bool ok = e.table == m_table && Table::fromId(m_table).size() == 3;
            out() << (ok ? "Every row survived." : "Rows were lost!") << Qt::endl;
            m_step = 4;
            QCoreApplication::exit(ok ? 0 : 1);
            return;
        }
    }

    Supervisor *m_sup;
    int m_step = 0;
    TableId m_table = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("walkthrough"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A consumer's table survives its crash and its manager's."));
    parser.addHelpOption();
    const QCommandLineOption traceOption(QStringLiteral("trace"),
                                         QStringLiteral("Write the trace as JSON Lines to <file>."),
                                         QStringLiteral("file"));
    parser.addOption(traceOption);
    parser.process(app);

    QFile traceFile(parser.value(traceOption));
    std::unique_ptr<TraceWriter> writer;
    if (parser.isSet(traceOption)) {
        if (!traceFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            out() << "Cannot write " << traceFile.fileName() << ": " << traceFile.errorString()
                  << Qt::endl;
            return 2;
        }
        writer = std::make_unique<TraceWriter>(&traceFile);
    }

    TableOptions options;
    options.namedTable = true; // the table is reachable as "consumer", as in the seed
    Supervisor::Flags flags;
    flags.intensity = 5;
    auto *sup = new Supervisor(flags,
                               { ChildSpec { QStringLiteral("consumer"),
                                             [] {
                                                 return new Consumer;
                                             } },
                                 ChildSpec { QStringLiteral("manager"), [options] {
                                                return new TableManager(consumerName, options);
                                            } } });
    Story story(sup);
    sup->start();

    // A safety net, not a clock the story depends on.
    QTimer::singleShot(10000, &app, [] {
        out() << "Gave up waiting: the story did not finish." << Qt::endl;
        QCoreApplication::exit(1);
    });
    const int rc = app.exec();
    delete sup;
    return rc;
}

#include "main.moc"
