#pragma once

#include <immortal/term.h>
#include <immortal/traceevent.h>
#include <immortal/tuple.h>
#include <immortal/types.h>

#include <QAbstractTableModel>
#include <QList>

namespace immortal {

class Source;

/// The rows of one table, live, sorted by key (then by the whole row), one
/// column per tuple element. Private tables show no rows, as in observer:
/// the GUI is not their owner; nor does a source that does not know rows (a
/// recorded trace), and statusText() says why. Each batch of the source's
/// events that touches the table re-reads it and applies the difference as
/// inserts, removes and dataChanged.
class TableRowsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// The data role beyond Qt's: TermRole, the element as an immortal::Term.
    enum Role { TermRole = Qt::UserRole + 1 };

    /// Shows no table; reads this program's runtime (a LiveSource of its own).
    explicit TableRowsModel(QObject *parent = nullptr);
    /// Shows no table; reads `source` (not owned).
    explicit TableRowsModel(Source *source, QObject *parent = nullptr);

    Source *source() const { return m_source; } ///< what the model reads
    /// Reads `source` from now on (not owned), showing no table: a model reset.
    void setSource(Source *source);

    TableId table() const { return m_table; } ///< the table shown, 0 if none
    /// Shows this table (0 = none): a model reset, as is the source's reset.
    void setTable(TableId id);
    bool rowsHidden() const { return m_hidden; } ///< private, gone, or not recorded
    QString statusText() const { return m_status; } ///< a row count, or why none show
    /// Rows beyond this are not shown (a table can be huge; the view is not).
    void setMaxRows(int n) { m_maxRows = n; }
    void flush(); ///< applies the source's queued events now
    void reload(); ///< re-reads the table now and applies the difference

    int rowCount(const QModelIndex &parent = {}) const override; ///< the rows shown
    int columnCount(const QModelIndex &parent = {}) const override; ///< the longest row seen
    /// Each element as Erlang-like text (Term::format()), and as TermRole.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// Element positions from 1, the key's marked; vertically, row numbers.
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void statusChanged(const QString &text); ///< statusText() changed

private:
    void apply(const QList<TraceEvent> &events);
    QList<Tuple> read();
    int compareRows(const Tuple &a, const Tuple &b) const; // identity order
    void setStatus(bool hidden, const QString &text);

    TableId m_table = 0;
    int m_keyPos = 1;
    bool m_keyIsIdentity = true; // set/ordered_set: one row per key
    QList<Tuple> m_rows;
    int m_columns = 0;
    int m_maxRows = 10000;
    bool m_hidden = false;
    QString m_status;
    Source *m_source = nullptr;
    QMetaObject::Connection m_eventsConnection, m_resetConnection;
};

} // namespace immortal
