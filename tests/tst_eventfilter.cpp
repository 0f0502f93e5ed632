// The event log's presets: each event type in one category, writes off by
// default, the text filter on top.
#include <immortal/models/eventfiltermodel.h>
#include <immortal/models/eventlogmodel.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processscope.h>
#include <immortal/table.h>

#include <QAbstractItemModelTester>
#include <QtTest>

#include <memory>

using namespace immortal;

namespace {
using Category = EventFilterModel::Category;
using Type = TraceEvent::Type;

// The event types shown, in order.
QList<Type> shownTypes(const EventFilterModel &filter)
{
    QList<Type> out;
    for (int r = 0; r < filter.rowCount(); ++r)
        out.append(Type(filter.index(r, 0).data(EventLogModel::TypeRole).toInt()));
    return out;
}
} // namespace

class TestEventFilter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyTypeHasACategory();
    void presetsFilterTheLog();
};

void TestEventFilter::everyTypeHasACategory()
{
    // Sorted into the category a reader looks for them in.
    QCOMPARE(EventFilterModel::categoryOf(Type::TableWritten), Category::Writes);
    QCOMPARE(EventFilterModel::categoryOf(Type::TableTransferred), Category::Ownership);
    QCOMPARE(EventFilterModel::categoryOf(Type::ManagerHandedOver), Category::Ownership);
    QCOMPARE(EventFilterModel::categoryOf(Type::ChildRestarted), Category::Supervision);
    QCOMPARE(EventFilterModel::categoryOf(Type::SubtreeDown), Category::Supervision);
    QCOMPARE(EventFilterModel::categoryOf(Type::ProcessExited), Category::Lifecycle);
    QCOMPARE(EventFilterModel::categoryOf(Type::NameRegistered), Category::Lifecycle);
    // Only table_written is a write.
    int writes = 0;
    for (int t = int(Type::ProcessStarted); t <= int(Type::ManagerAdopted); ++t)
        writes += EventFilterModel::categoryOf(Type(t)) == Category::Writes;
    QCOMPARE(writes, 1);
    QCOMPARE(EventFilterModel::categoryName(Category::Ownership), QStringLiteral("Ownership"));
}

void TestEventFilter::presetsFilterTheLog()
{
    Node node;
    EventLogModel log;
    EventFilterModel filter;
    filter.setSourceModel(&log);
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!filter.categories().testFlag(Category::Writes));

    auto owner = std::make_unique<Process>();
    owner->registerName(QStringLiteral("owner"));
    {
        ProcessScope scope(owner->pid());
        TableOptions o;
        o.access = TableOptions::Access::Public;
        Table t = Table::create(QStringLiteral("t"), o);
        t.insert(Tuple { 1, 2 });
    }
    // table_written is recorded shortly after the burst, while the table lives.
    const auto logged = [&log](Type type) {
        log.flush();
        for (int r = 0; r < log.rowCount(); ++r) {
            if (Type(log.index(r, 0).data(EventLogModel::TypeRole).toInt()) == type)
                return true;
        }
        return false;
    };
    QTRY_VERIFY(logged(Type::TableWritten));
    owner.reset(); // the table dies with its owner: no heir
    QTRY_VERIFY(logged(Type::TableDeleted));
    QVERIFY(!shownTypes(filter).contains(Type::TableWritten));
    QVERIFY(shownTypes(filter).contains(Type::TableCreated));
    QVERIFY(shownTypes(filter).contains(Type::ProcessExited));

    filter.setCategories(Category::Ownership);
    const QList<Type> ownership = shownTypes(filter);
    QVERIFY(!ownership.isEmpty());
    for (Type t : ownership)
        QCOMPARE(EventFilterModel::categoryOf(t), Category::Ownership);
    QVERIFY(ownership.contains(Type::TableCreated));
    QVERIFY(ownership.contains(Type::TableDeleted));

    filter.setCategory(Category::Writes, true);
    QVERIFY(shownTypes(filter).contains(Type::TableWritten));
    // The text filter narrows within the categories shown.
    filter.setFilterFixedString(QStringLiteral("table_deleted"));
    QCOMPARE(shownTypes(filter), QList<Type>({ Type::TableDeleted }));
    filter.setFilterFixedString(QString());
    filter.setCategories({});
    QCOMPARE(filter.rowCount(), 0);
}

QTEST_MAIN(TestEventFilter)
#include "tst_eventfilter.moc"
