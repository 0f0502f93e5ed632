#include <immortal/table.h>

#include "tablestore.h"

#include <immortal/detail/tabledata.h>
#include <immortal/error.h>
#include <immortal/processscope.h>

namespace immortal {

void Table::nullHandle()
{
    // A null handle is an error, not a crash.
    throw Error(Error::Code::NoSuchTable,
                QStringLiteral("this table handle is null: it never named a table"));
}

Table Table::create(const QString &name, const TableOptions &options)
{
    const Pid owner = ProcessScope::current();
    if (owner == 0)
        throw Error(Error::Code::BadArg,
                    QStringLiteral("cannot create table '%1' outside a process: a table needs an "
                                   "owner (open a ProcessScope, or pass the owner)")
                        .arg(name));
    return create(name, options, owner);
}

Table Table::create(const QString &name, const TableOptions &options, Pid owner)
{
    return Table(TableStore::instance()->create(name, options, owner));
}

Table Table::fromId(TableId id)
{
    auto d = TableStore::instance()->find(id);
    if (!d)
        throw Error(Error::Code::NoSuchTable, QStringLiteral("table %1 does not exist").arg(id));
    return Table(std::move(d));
}

Table Table::named(const QString &name)
{
    auto d = TableStore::instance()->findByName(name);
    if (!d)
        throw Error(Error::Code::NoSuchTable, QStringLiteral("no table is named '%1'").arg(name));
    return Table(std::move(d));
}

QList<TableInfo> Table::all()
{
    return TableStore::instance()->all();
}

std::optional<TableInfo> Table::infoOf(TableId id)
{
    return TableStore::instance()->infoOf(id);
}

QList<TableId> Table::ownedBy(Pid pid)
{
    return TableStore::instance()->ownedBy(pid);
}

bool Table::isAlive() const noexcept
{
    return m_d && m_d->isAlive();
}

TableId Table::id() const noexcept
{
    return m_d ? m_d->id() : 0;
}

TableInfo Table::info() const
{
    return TableStore::instance()->info(data());
}

void Table::insert(const QList<Tuple> &rows)
{
    data().insert(rows.constData(), rows.size());
}

bool Table::insertNew(const Tuple &row)
{
    return data().insertNew(&row, 1);
}

bool Table::insertNew(const QList<Tuple> &rows)
{
    return data().insertNew(rows.constData(), rows.size());
}

void Table::erase(const Term &key)
{
    data().erase(key);
}

void Table::eraseObject(const Tuple &row)
{
    data().eraseObject(row);
}

void Table::deleteAllObjects()
{
    data().deleteAllObjects();
}

qsizetype Table::matchDelete(const Tuple &pattern)
{
    return data().matchDelete(pattern);
}

Rows Table::take(const Term &key)
{
    return data().take(key);
}

qint64 Table::updateCounter(const Term &key, int pos, qint64 incr)
{
    const CounterUpdate op(pos, incr);
    return data().updateCounter(key, &op, 1, nullptr, true).first().toInteger();
}

qint64 Table::updateCounter(const Term &key, int pos, qint64 incr, const Tuple &defaultRow)
{
    const CounterUpdate op(pos, incr);
    return data().updateCounter(key, &op, 1, &defaultRow, true).first().toInteger();
}

Term Table::updateCounter(const Term &key, const CounterUpdate &op)
{
    return data().updateCounter(key, &op, 1, nullptr, false).first();
}

Term Table::updateCounter(const Term &key, const CounterUpdate &op, const Tuple &defaultRow)
{
    return data().updateCounter(key, &op, 1, &defaultRow, false).first();
}

QList<Term> Table::updateCounter(const Term &key, const QList<CounterUpdate> &ops)
{
    return data().updateCounter(key, ops.constData(), ops.size(), nullptr, false);
}

QList<Term> Table::updateCounter(const Term &key, const QList<CounterUpdate> &ops,
                                 const Tuple &defaultRow)
{
    return data().updateCounter(key, ops.constData(), ops.size(), &defaultRow, false);
}

bool Table::updateElement(const Term &key, int pos, const Term &value)
{
    return data().updateElement(key, { { pos, value } });
}

bool Table::updateElement(const Term &key, const QList<std::pair<int, Term>> &changes)
{
    return data().updateElement(key, changes);
}

Term Table::lookupElement(const Term &key, int pos) const
{
    return data().lookupElement(key, pos, nullptr);
}

Term Table::lookupElement(const Term &key, int pos, const Term &defaultValue) const
{
    return data().lookupElement(key, pos, &defaultValue);
}

std::optional<TableId> Table::whereis(const QString &name)
{
    if (auto d = TableStore::instance()->findByName(name))
        return d->id();
    return std::nullopt;
}

void Table::setProtection(TableOptions::Access access)
{
    data();
    TableStore::instance()->setProtection(m_d, access);
}

void Table::rename(const QString &name)
{
    data();
    TableStore::instance()->rename(m_d, name);
}

std::optional<Term> Table::first() const
{
    return data().first();
}

std::optional<Term> Table::next(const Term &key) const
{
    return data().next(key);
}

std::optional<Term> Table::last() const
{
    return data().last();
}

std::optional<Term> Table::prev(const Term &key) const
{
    return data().prev(key);
}

QList<QList<Term>> Table::match(const Tuple &pattern) const
{
    return data().match(pattern);
}

QList<Tuple> Table::matchObject(const Tuple &pattern) const
{
    return data().matchObject(pattern);
}

QList<Tuple> Table::select(const std::function<bool(const Tuple &)> &pred) const
{
    // The predicate runs on a snapshot, outside the lock: it may use the table.
    QList<Tuple> out;
    for (const Tuple &row : toList()) {
        if (pred(row))
            out.append(row);
    }
    return out;
}

qsizetype Table::selectDelete(const std::function<bool(const Tuple &)> &pred)
{
    return data().selectDelete(pred);
}

QList<Term> Table::select(const MatchSpec &spec) const
{
    return data().select(spec, false);
}

std::optional<SelectChunk> Table::select(const MatchSpec &spec, qsizetype limit) const
{
    return data().select(spec, limit, false);
}

std::optional<SelectChunk> Table::select(const SelectContinuation &continuation)
{
    return TableData::select(continuation);
}

QList<Term> Table::selectReverse(const MatchSpec &spec) const
{
    return data().select(spec, true);
}

std::optional<SelectChunk> Table::selectReverse(const MatchSpec &spec, qsizetype limit) const
{
    return data().select(spec, limit, true);
}

std::optional<SelectChunk> Table::selectReverse(const SelectContinuation &continuation)
{
    return TableData::select(continuation);
}

qsizetype Table::selectCount(const MatchSpec &spec) const
{
    return data().selectCount(spec);
}

qsizetype Table::selectDelete(const MatchSpec &spec)
{
    return data().selectDelete(spec);
}

qsizetype Table::selectReplace(const MatchSpec &spec)
{
    return data().selectReplace(spec);
}

void Table::forEach(const std::function<void(const Tuple &)> &fn) const
{
    // A snapshot (reference-count bumps only), so fn may use the table.
    for (const Tuple &row : toList())
        fn(row);
}

QList<Tuple> Table::toList() const
{
    return data().toList();
}

qsizetype Table::size() const
{
    return data().size();
}

void Table::giveAway(Pid to, const Term &gift)
{
    data();
    TableStore::instance()->giveAway(m_d, to, gift);
}

void Table::setHeir(const HeirSpec &heir)
{
    data();
    TableStore::instance()->setHeir(m_d, heir);
}

void Table::deleteTable()
{
    data();
    TableStore::instance()->deleteTable(m_d);
}

} // namespace immortal
