// The seed's example: TableConsumer is given a table by its TableManager,
// writes a row, crashes, and its restarted self finds the row still there.
#include <immortal/immortal.h>

#include <QCoreApplication>
#include <QTextStream>

using namespace immortal;

// YourApp.TableConsumer: registers its name; its table comes by ETS-TRANSFER.
class TableConsumer : public Process
{
public:
    TableConsumer() { registerName(QStringLiteral("TableConsumer")); }

protected:
    void handleEtsTransfer(TableId id, Pid, const Term &) override
    {
        Table table = Table::fromId(id); // this process owns it now
        const qint64 lives =
            table.updateCounter(Term::atom(u"lives"), 2, 1, Tuple { Term::atom(u"lives"), 0 });
        QTextStream(stdout) << "consumer " << pid() << " got the table; life " << lives << '\n';
        if (lives == 1)
            exit(Term::atom(u"crash")); // the supervisor restarts it
        else
            QCoreApplication::exit(lives == 2 ? 0 : 1);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Supervisor supervisor({ Supervisor::Strategy::OneForOne, 3, 5000 },
                          { { QStringLiteral("consumer"),
                              [] {
                                  return new TableConsumer;
                              } },
                            { QStringLiteral("manager"), [] {
                                 return new TableManager(QStringLiteral("TableConsumer"),
                                                         TableOptions());
                             } } });
    supervisor.start();
    return app.exec(); // 0: the restarted consumer found the row
}
