#include <immortal/tableoptions.h>

#include <immortal/error.h>

#include <QStringList>

namespace immortal {

const char *TableOptions::typeName(Type t)
{
    switch (t) {
    case Type::Set:
        return "set";
    case Type::OrderedSet:
        return "ordered_set";
    case Type::Bag:
        return "bag";
    case Type::DuplicateBag:
        return "duplicate_bag";
    }
    return "set";
}

const char *TableOptions::accessName(Access a)
{
    switch (a) {
    case Access::Public:
        return "public";
    case Access::Protected:
        return "protected";
    case Access::Private:
        return "private";
    }
    return "protected";
}

const char *TableOptions::writeConcurrencyName(WriteConcurrency w)
{
    switch (w) {
    case WriteConcurrency::False:
        return "false";
    case WriteConcurrency::True:
        return "true";
    case WriteConcurrency::Auto:
        return "auto";
    }
    return "false";
}

namespace {

// "word", "word=true" or "word=false" -> the flag; std::nullopt if `w` is
// not about `word`. BadArg for another value.
std::optional<bool> flag(const QString &w, QLatin1String word, const QString &raw)
{
    if (w == word)
        return true;
    if (!w.startsWith(word) || w.size() <= word.size() || w.at(word.size()) != u'=')
        return std::nullopt;
    const QStringView value = QStringView(w).mid(word.size() + 1);
    if (value == u"true")
        return true;
    if (value == u"false")
        return false;
    throw Error(Error::Code::BadArg, QStringLiteral("\"%1\": %2 is true or false").arg(raw, word));
}

} // namespace

TableOptions TableOptions::fromStrings(const QStringList &words)
{
    TableOptions o;
    for (const QString &raw : words) {
        const QString w = raw.trimmed();
        if (w == QLatin1String("set"))
            o.type = Type::Set;
        else if (w == QLatin1String("ordered_set"))
            o.type = Type::OrderedSet;
        else if (w == QLatin1String("bag"))
            o.type = Type::Bag;
        else if (w == QLatin1String("duplicate_bag"))
            o.type = Type::DuplicateBag;
        else if (w == QLatin1String("public"))
            o.access = Access::Public;
        else if (w == QLatin1String("protected"))
            o.access = Access::Protected;
        else if (w == QLatin1String("private"))
            o.access = Access::Private;
        else if (w == QLatin1String("named_table"))
            o.namedTable = true;
        else if (const auto b = flag(w, QLatin1String("read_concurrency"), raw))
            o.readConcurrency = *b;
        else if (w == QLatin1String("write_concurrency=auto"))
            o.writeConcurrency = WriteConcurrency::Auto;
        else if (const auto b = flag(w, QLatin1String("write_concurrency"), raw))
            o.writeConcurrency = *b ? WriteConcurrency::True : WriteConcurrency::False;
        else if (const auto b = flag(w, QLatin1String("compressed"), raw))
            o.compressed = *b;
        else if (const auto b = flag(w, QLatin1String("decentralized_counters"), raw))
            o.decentralizedCounters = *b;
        else if (w.startsWith(QLatin1String("keypos="))) {
            bool ok = false;
            const int pos = w.mid(7).toInt(&ok);
            if (!ok || pos < 1)
                throw Error(
                    Error::Code::BadArg,
                    QStringLiteral("\"%1\": the key position must be an integer of 1 or more")
                        .arg(raw));
            o.keyPos = pos;
        } else if (w.startsWith(QLatin1String("heir="))) {
            // heir=<registered name>, the string form of HeirSpec::byName.
            const QString name = w.mid(5);
            if (name.isEmpty())
                throw Error(Error::Code::BadArg,
                            QStringLiteral("\"%1\": the heir needs a registered name").arg(raw));
            o.heir = HeirSpec::byName(name);
        } else {
            throw Error(Error::Code::BadArg,
                        QStringLiteral("\"%1\" is not a table option (expected set, ordered_set, "
                                       "bag, duplicate_bag, public, protected, private, "
                                       "named_table, keypos=N, heir=Name, read_concurrency, "
                                       "write_concurrency[=auto], compressed or "
                                       "decentralized_counters)")
                            .arg(raw));
        }
    }
    return o;
}

QStringList TableOptions::toStrings() const
{
    QStringList out { QLatin1String(typeName(type)), QLatin1String(accessName(access)) };
    if (namedTable)
        out << QStringLiteral("named_table");
    if (keyPos != 1)
        out << QStringLiteral("keypos=%1").arg(keyPos);
    if (!heir.name.isEmpty())
        out << QStringLiteral("heir=%1").arg(heir.name);
    if (readConcurrency)
        out << QStringLiteral("read_concurrency");
    if (writeConcurrency == WriteConcurrency::True)
        out << QStringLiteral("write_concurrency");
    else if (writeConcurrency == WriteConcurrency::Auto)
        out << QStringLiteral("write_concurrency=auto");
    if (compressed)
        out << QStringLiteral("compressed");
    if (decentralizedCounters)
        out << QStringLiteral("decentralized_counters=%1")
                   .arg(QLatin1String(*decentralizedCounters ? "true" : "false"));
    return out;
}

} // namespace immortal
