// A consumer that lives on a worker thread: it moves itself there when it
// starts, counts in its table on a timer, and is crashed twice from the main
// thread by pid. Each restarted consumer runs on the thread again and finds
// the count where its predecessor left it.
#include <immortal/immortal.h>

#include <QCoreApplication>
#include <QTextStream>
#include <QThread>
#include <QTimer>

using namespace immortal;

class Counter : public Process
{
public:
    explicit Counter(QThread *thread)
    {
        registerName(QStringLiteral("counter"));
        moveToThread(thread); // from now on its handlers run there
    }

protected:
    void handleEtsTransfer(TableId id, Pid, const Term &) override
    {
        // In the worker thread, as this process: count once a millisecond.
        auto *timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, guard([id] {
                    Table::fromId(id).updateCounter(Term::atom(u"ticks"), 2, 1,
                                                    { Term::atom(u"ticks"), 0 });
                }));
        timer->start(1);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QThread worker;
    worker.start();

    Supervisor supervisor({ Supervisor::Strategy::OneForOne, 5, 5000 },
                          { { QStringLiteral("counter"),
                              [&worker] {
                                  return new Counter(&worker);
                              } },
                            { QStringLiteral("manager"), [] {
                                 return new TableManager(QStringLiteral("counter"), TableOptions());
                             } } });
    supervisor.start();

    // Hand-overs and writes are trace events, delivered in the main thread.
    // After each hand-over the counter counts 50 more ticks, then is crashed;
    // the third counter's count is read from the main thread and the program ends.
    int handOvers = 0;
    bool crashed = false;
    QObject::connect(Trace::instance(), &Trace::event, &app, [&](const TraceEvent &e) {
        if (e.type == TraceEvent::Type::ManagerHandedOver) {
            ++handOvers;
            crashed = false;
            return;
        }
        if (e.type != TraceEvent::Type::TableWritten || crashed || handOvers == 0)
            return;
        const qint64 ticks =
            Table::fromId(e.table).lookupElement(Term::atom(u"ticks"), 2).toInteger();
        if (ticks < 50 * handOvers)
            return;
        QTextStream(stdout) << "counter " << handOvers << " left " << ticks << " ticks\n";
        if (handOvers == 3)
            return app.exit(0);
        crashed = true;
        Node::instance()->exit(Registry::instance()->whereis(QStringLiteral("counter")),
                               Term::atom(u"crash"));
    });
    const int rc = app.exec();
    worker.quit();
    worker.wait();
    return rc;
}
