#pragma once

#include "scenariorunner.h"

#include <immortal/types.h>

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QFormLayout;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QTableView;
class QTreeWidget;

namespace immortal {

class ProcessTreeModel;
class Source;
class TableListModel;
class TableRowsModel;

// Details of the selection: a process (pid, name, state, restarts, uptime,
// owned tables, exit history, boot delay) or a table (its info and its rows,
// live). Reads the models and, for rows and the clock, the models' Source;
// the boot delay goes to the ScenarioRunner.
class InspectorWidget : public QWidget
{
    Q_OBJECT
public:
    InspectorWidget(ProcessTreeModel *processes, TableListModel *tables, QWidget *parent = nullptr);

    void setRunner(ScenarioRunner *runner);
    // What the rows and the clock come from: the process model's source.
    void setSource(Source *source);
    void showProcess(quint64 key);
    void showTable(immortal::TableId id);
    void showNothing();
    quint64 process() const { return m_key; }
    TableId table() const { return m_table; }
    TableRowsModel *rowsModel() const { return m_rows; }
    QSpinBox *bootDelayBox() const { return m_bootDelay; }

private:
    void refresh();
    void refreshProcess();
    void refreshTable();
    void applyBootDelay();
    QLabel *addRow(QFormLayout *form, const QString &label, const QString &toolTip = {});

    ProcessTreeModel *m_processes;
    TableListModel *m_tables;
    TableRowsModel *m_rows;
    Source *m_source;
    QPointer<ScenarioRunner> m_runner;
    quint64 m_key = 0;
    TableId m_table = 0;

    QStackedWidget *m_stack;
    QLabel *m_hint;
    // process page
    QLabel *m_pTitle, *m_pPid, *m_pChildId, *m_pKind, *m_pState, *m_pRestarts, *m_pUptime,
        *m_pSupervisor, *m_pTables;
    QSpinBox *m_bootDelay;
    QLabel *m_bootDelayNote;
    QTreeWidget *m_exits;
    // table page
    QLabel *m_tTitle, *m_tId, *m_tType, *m_tAccess, *m_tOwner, *m_tHeir, *m_tRows, *m_tMemory,
        *m_tKeyPos, *m_tTransfers, *m_tStatus;
    QTableView *m_rowsView;
    QTimer m_uptimeTimer;
};

} // namespace immortal
