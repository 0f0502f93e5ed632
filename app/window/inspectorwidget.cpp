#include "inspectorwidget.h"

#include "scenariorunner.h"

#include <immortal/error.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/source.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/models/tablerowsmodel.h>
#include <immortal/node.h>

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace immortal {

namespace {
QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1.%2 s").arg(s).arg((ms % 1000) / 100);
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
}

QLabel *titleLabel()
{
    auto *label = new QLabel;
    QFont f = label->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.2);
    label->setFont(f);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // as addRow's values
    return label;
}
} // namespace

InspectorWidget::InspectorWidget(ProcessTreeModel *processes, TableListModel *tables,
                                 QWidget *parent)
    : QWidget(parent)
    , m_processes(processes)
    , m_tables(tables)
    , m_rows(new TableRowsModel(processes->source(), this))
    , m_source(processes->source())
    , m_stack(new QStackedWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_stack);

    m_hint = new QLabel(tr("Select a process in the tree or the graph, or a table in the tables "
                           "panel, to see its details here."));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_hint->setEnabled(false);
    m_stack->addWidget(m_hint);

    // Process page.
    auto *processPage = new QWidget;
    auto *pl = new QVBoxLayout(processPage);
    pl->setContentsMargins(0, 0, 0, 0);
    m_pTitle = titleLabel();
    pl->addWidget(m_pTitle);
    auto *pform = new QFormLayout;
    pform->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_pPid = addRow(pform, tr("Pid"));
    m_pChildId = addRow(pform, tr("Child id"), tr("The id in its supervisor's child specs"));
    m_pKind = addRow(pform, tr("Kind"));
    m_pState = addRow(pform, tr("State"));
    m_pRestarts = addRow(pform, tr("Restarts"), tr("Restarts of this child by its supervisor"));
    m_pUptime = addRow(pform, tr("Uptime"), tr("Since the current pid started"));
    m_pSupervisor = addRow(pform, tr("Supervisor"));
    m_pTables = addRow(pform, tr("Owns tables"));
    m_pTables->setWordWrap(true);
    m_bootDelay = new QSpinBox;
    m_bootDelay->setRange(0, Scenario::maxBootDelayMs);
    m_bootDelay->setSingleStep(250);
    m_bootDelay->setSuffix(tr(" ms"));
    m_bootDelay->setKeyboardTracking(false);
    m_bootDelay->setToolTip(tr("How long this worker waits after its next start before it "
                               "registers its name: the manager holds the table meanwhile."));
    connect(m_bootDelay, &QSpinBox::valueChanged, this, &InspectorWidget::applyBootDelay);
    m_bootDelayNote = new QLabel;
    m_bootDelayNote->setEnabled(false);
    m_bootDelayNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *bootRow = new QHBoxLayout;
    bootRow->addWidget(m_bootDelay);
    bootRow->addWidget(m_bootDelayNote, 1);
    pform->addRow(tr("Boot delay"), bootRow);
    pl->addLayout(pform);
    pl->addWidget(new QLabel(tr("Exit history")));
    m_exits = new QTreeWidget;
    m_exits->setObjectName(QStringLiteral("exitHistory"));
    m_exits->setRootIsDecorated(false);
    m_exits->setHeaderLabels({ tr("When"), tr("Pid"), tr("Reason") });
    m_exits->setToolTip(tr("Every exit of this child, newest first, with its reason"));
    m_exits->header()->setStretchLastSection(true);
    pl->addWidget(m_exits, 1);
    m_stack->addWidget(processPage);

    // Table page.
    auto *tablePage = new QWidget;
    auto *tl = new QVBoxLayout(tablePage);
    tl->setContentsMargins(0, 0, 0, 0);
    m_tTitle = titleLabel();
    tl->addWidget(m_tTitle);
    auto *tform = new QFormLayout;
    m_tId = addRow(tform, tr("Id"));
    m_tType = addRow(tform, tr("Type"));
    m_tAccess = addRow(tform, tr("Access"));
    m_tOwner = addRow(tform, tr("Owner"));
    m_tHeir = addRow(tform, tr("Heir"));
    m_tRows = addRow(tform, tr("Rows"));
    m_tMemory = addRow(tform, tr("Memory"));
    m_tKeyPos = addRow(tform, tr("Key position"));
    m_tTransfers = addRow(tform, tr("Transfers"));
    tl->addLayout(tform);
    m_tStatus = new QLabel;
    m_tStatus->setWordWrap(true);
    tl->addWidget(m_tStatus);
    m_rowsView = new QTableView;
    m_rowsView->setModel(m_rows);
    m_rowsView->setAlternatingRowColors(true);
    m_rowsView->verticalHeader()->setVisible(false);
    m_rowsView->horizontalHeader()->setStretchLastSection(true);
    m_rowsView->setToolTip(tr("The table's rows, live, sorted by key"));
    tl->addWidget(m_rowsView, 1);
    m_stack->addWidget(tablePage);
    connect(m_rows, &TableRowsModel::statusChanged, m_tStatus, &QLabel::setText);

    connect(m_processes, &ProcessTreeModel::updated, this, &InspectorWidget::refresh);
    connect(m_tables, &TableListModel::updated, this, &InspectorWidget::refresh);
    m_uptimeTimer.setInterval(1000);
    connect(&m_uptimeTimer, &QTimer::timeout, this, &InspectorWidget::refreshProcess);
}

QLabel *InspectorWidget::addRow(QFormLayout *form, const QString &label, const QString &toolTip)
{
    auto *value = new QLabel;
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setToolTip(toolTip);
    // A long value must not widen the dock (which would squeeze the graph
    // on every selection): it is cut at the dock's edge instead.
    value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    form->addRow(label, value);
    return value;
}

void InspectorWidget::setRunner(ScenarioRunner *runner)
{
    m_runner = runner;
    refresh();
}

void InspectorWidget::setSource(Source *source)
{
    m_source = source;
    m_rows->setSource(source);
    m_rows->setTable(m_table);
    refresh();
}

void InspectorWidget::showProcess(quint64 key)
{
    m_key = key;
    m_table = 0;
    m_rows->setTable(0);
    m_stack->setCurrentIndex(1);
    refreshProcess();
}

void InspectorWidget::showTable(TableId id)
{
    m_table = id;
    m_key = 0;
    m_uptimeTimer.stop();
    m_rows->setTable(id);
    m_tStatus->setText(m_rows->statusText());
    m_stack->setCurrentIndex(2);
    refreshTable();
}

void InspectorWidget::showNothing()
{
    m_key = 0;
    m_table = 0;
    m_uptimeTimer.stop();
    m_rows->setTable(0);
    m_stack->setCurrentIndex(0);
}

void InspectorWidget::refresh()
{
    if (m_key)
        refreshProcess();
    else if (m_table)
        refreshTable();
}

void InspectorWidget::refreshProcess()
{
    const QModelIndex i = m_processes->indexOfKey(m_key);
    if (!i.isValid()) {
        showNothing();
        return;
    }
    const Pid pid = i.data(ProcessTreeModel::PidRole).value<Pid>();
    const auto state = i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>();
    const QString childId = i.data(ProcessTreeModel::ChildIdRole).toString();
    const QString name = i.data(ProcessTreeModel::RegisteredNameRole).toString();
    m_pTitle->setText(i.data().toString());
    m_pPid->setText(Node::pidText(pid));
    m_pChildId->setText(childId.isEmpty() ? tr("(root)") : childId);
    // A recorded trace knows no class names.
    const QString className = i.data(ProcessTreeModel::ClassNameRole).toString();
    m_pKind->setText(ProcessTreeModel::kindLabel(i.data(ProcessTreeModel::KindRole).toString())
                     + (className.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(className)));
    QString stateText = ProcessTreeModel::stateName(state);
    if (state != ProcessTreeModel::State::Running
        && !i.data(ProcessTreeModel::LastReasonRole).toString().isEmpty())
        stateText +=
            tr(" (last exit: %1)").arg(i.data(ProcessTreeModel::LastReasonRole).toString());
    m_pState->setText(stateText);
    m_pRestarts->setText(QString::number(i.data(ProcessTreeModel::RestartsRole).toInt()));
    if (state == ProcessTreeModel::State::Dead) {
        m_pUptime->setText(tr("—"));
    } else {
        const qint64 started = i.data(ProcessTreeModel::StartedNsRole).value<qint64>();
        m_pUptime->setText(formatDuration((m_source->nowNs() - started) / 1000000));
    }
    const QModelIndex parent = i.parent();
    m_pSupervisor->setText(parent.isValid() ? QStringLiteral("%1 %2").arg(
                               parent.data().toString(),
                               Node::pidText(parent.data(ProcessTreeModel::PidRole).value<Pid>()))
                                            : tr("none (a root)"));
    QStringList owned;
    for (int r = 0; r < m_tables->rowCount(); ++r) {
        if (m_tables->index(r, 0).data(TableListModel::OwnerPidRole).value<Pid>() == pid) {
            const qint64 size = m_tables->index(r, 0).data(TableListModel::SizeRole).toLongLong();
            owned << QStringLiteral("%1 (%2)").arg(
                m_tables->index(r, TableListModel::NameColumn).data().toString(),
                size == 1 ? tr("1 row") : tr("%1 rows").arg(size));
        }
    }
    m_pTables->setText(owned.isEmpty() ? tr("none") : owned.join(QStringLiteral(", ")));

    // Boot delay: only for the scenario's workers.
    const QString target = childId.isEmpty() ? name : childId;
    const int delay = m_runner && !target.isEmpty() ? m_runner->bootDelay(target) : -1;
    m_bootDelay->setEnabled(delay >= 0);
    if (delay >= 0 && !m_bootDelay->hasFocus()) {
        const QSignalBlocker block(m_bootDelay);
        m_bootDelay->setValue(delay);
    }
    m_bootDelayNote->setText(delay >= 0 ? tr("applies from its next start") : tr("workers only"));

    const auto history = m_processes->exitHistory(i);
    if (m_exits->topLevelItemCount() != history.size()
        || (m_exits->topLevelItemCount() > 0
            && m_exits->topLevelItem(0)->data(0, Qt::UserRole).value<qint64>()
                != history.last().tNs)) {
        m_exits->clear();
        const qint64 now = m_source->nowNs();
        for (auto it = history.crbegin(); it != history.crend(); ++it) {
            auto *item =
                new QTreeWidgetItem({ tr("%1 ago").arg(formatDuration((now - it->tNs) / 1000000)),
                                      Node::pidText(it->pid), it->reason });
            item->setData(0, Qt::UserRole, QVariant::fromValue(it->tNs));
            item->setToolTip(2, it->reason);
            m_exits->addTopLevelItem(item);
        }
    } else {
        // The same deaths: only "how long ago" moved on.
        const qint64 now = m_source->nowNs();
        for (int r = 0; r < m_exits->topLevelItemCount(); ++r) {
            QTreeWidgetItem *item = m_exits->topLevelItem(r);
            const qint64 t = item->data(0, Qt::UserRole).value<qint64>();
            item->setText(0, tr("%1 ago").arg(formatDuration((now - t) / 1000000)));
        }
    }
    // Uptime and "ago" move with the clock: once a second while either shows.
    const bool ticking = state != ProcessTreeModel::State::Dead || !history.isEmpty();
    if (ticking && !m_uptimeTimer.isActive())
        m_uptimeTimer.start();
    else if (!ticking)
        m_uptimeTimer.stop();
}

void InspectorWidget::refreshTable()
{
    const QModelIndex i = m_tables->indexOfTable(m_table);
    if (!i.isValid()) {
        m_tTitle->setText(tr("Table %1 (gone)").arg(m_table));
        m_tStatus->setText(m_rows->statusText());
        return;
    }
    const int r = i.row();
    auto cell = [&](int column) {
        return m_tables->index(r, column).data().toString();
    };
    const TableInfo info = m_tables->tableAt(r);
    m_tTitle->setText(tr("Table %1").arg(cell(TableListModel::NameColumn)));
    m_tId->setText(cell(TableListModel::IdColumn)
                   + (info.namedTable ? tr(" (named_table)") : QString()));
    m_tType->setText(cell(TableListModel::TypeColumn));
    m_tAccess->setText(cell(TableListModel::AccessColumn));
    m_tOwner->setText(cell(TableListModel::OwnerColumn));
    m_tHeir->setText(
        cell(TableListModel::HeirColumn)
        + (info.heir.name.isEmpty() ? QString() : tr(" (by name: %1)").arg(info.heir.name)));
    m_tRows->setText(cell(TableListModel::RowsColumn));
    m_tMemory->setText(cell(TableListModel::MemoryColumn));
    m_tKeyPos->setText(QString::number(info.keyPos));
    m_tTransfers->setText(cell(TableListModel::TransfersColumn));
}

void InspectorWidget::applyBootDelay()
{
    const QModelIndex i = m_processes->indexOfKey(m_key);
    if (!m_runner || !i.isValid())
        return;
    QString target = i.data(ProcessTreeModel::ChildIdRole).toString();
    if (target.isEmpty())
        target = i.data(ProcessTreeModel::RegisteredNameRole).toString();
    try {
        m_runner->setBootDelay(target, m_bootDelay->value());
        m_bootDelayNote->setText(tr("applies from its next start"));
    } catch (const Error &e) {
        m_bootDelayNote->setText(e.message());
    }
}

} // namespace immortal
