#include "mainwindow.h"

#include "chaosdialog.h"
#include "chaosmonkey.h"
#include "inspectorwidget.h"
#include "processfiltermodel.h"
#include "scenario.h"
#include "scenariorunner.h"

#include <immortal/error.h>
#include <immortal/models/eventlogmodel.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/statecolors.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/node.h>
#include <immortal/tracewriter.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTemporaryFile>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcStudio, "immortal.ui.studio")

namespace immortal {

namespace {
// The studio's icon (resources/icons/immortal-studio.svg, also installed for
// the .desktop file); Qt's SVG icon engine draws it at every size.
QIcon appIcon()
{
    return QIcon(QStringLiteral(":/icons/immortal-studio.svg"));
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    build();
}

MainWindow::MainWindow(ScenarioRunner *runner, QWidget *parent)
    : QMainWindow(parent)
{
    build();
    restartTraceBuffer();
    attachRunner(runner);
}

MainWindow::~MainWindow()
{
    // The views go before the tree: its last deaths must not reach them.
    m_ownedRunner.reset();
}

void MainWindow::build()
{
    setWindowTitle(tr("Immortal Studio"));
    setWindowIcon(appIcon());
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);

    m_processModel = new ProcessTreeModel(this);
    m_tableModel = new TableListModel(this);
    m_eventModel = new EventLogModel(this);

    m_graph = new SupervisionGraphView(m_processModel, m_tableModel, this);
    m_graph->setObjectName(QStringLiteral("graphView"));
    setCentralWidget(m_graph);

    createActions();
    createDocks();
    createMenus();

    // One "current process" and one "current table", shared by every view.
    connect(m_processView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const quint64 key = current.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
                m_graph->setCurrentProcess(key);
                if (key)
                    m_inspector->showProcess(key);
                updateActions();
            });
    connect(m_processView, &QTreeView::clicked, this, [this](const QModelIndex &i) {
        m_inspector->showProcess(i.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
    });
    connect(m_graph, &SupervisionGraphView::processClicked, this, &MainWindow::selectProcess);
    connect(m_tableView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const TableId id = current.data(TableListModel::TableIdRole).value<TableId>();
                m_graph->setCurrentTable(id);
                if (id)
                    m_inspector->showTable(id);
            });
    connect(m_tableView, &QTableView::clicked, this, [this](const QModelIndex &i) {
        m_inspector->showTable(i.data(TableListModel::TableIdRole).value<TableId>());
    });
    connect(m_graph, &SupervisionGraphView::tableClicked, this, &MainWindow::selectTable);
    connect(m_graph, &SupervisionGraphView::contextMenuRequested, this,
            [this](quint64, const QPoint &pos) { m_processMenu->popup(pos); });

    connect(m_processModel, &ProcessTreeModel::updated, this, [this] {
        updateActions();
        updateStatus();
    });
    connect(m_tableModel, &TableListModel::updated, this, &MainWindow::updateStatus);

    m_statusCounts = new QLabel;
    m_statusCounts->setToolTip(tr("Live processes of the tree, child restarts, live tables, "
                                  "their rows, and tables lost with their owners"));
    m_statusMode = new QLabel;
    statusBar()->addPermanentWidget(m_statusMode);
    statusBar()->addPermanentWidget(m_statusCounts);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("studio/geometry")).toByteArray()))
        resize(1500, 940);
    restoreState(settings.value(QStringLiteral("studio/state")).toByteArray());
    updateActions();
    updateStatus();
}

QAction *MainWindow::addAction(const QString &name, const QString &text,
                               const QKeySequence &shortcut, const QString &tip)
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WindowShortcut);
    const QString keys = shortcut.toString(QKeySequence::NativeText);
    action->setToolTip(keys.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, keys));
    action->setStatusTip(tip);
    QMainWindow::addAction(action); // shortcuts work wherever the focus is
    return action;
}

void MainWindow::createActions()
{
    QStyle *s = style();
    m_kill =
        addAction(QStringLiteral("killAction"), tr("&Kill"), QKeySequence(Qt::CTRL | Qt::Key_K),
                  tr("Kill the selected process (exit reason kill: it cannot refuse)"));
    m_kill->setIcon(s->standardIcon(QStyle::SP_DialogCancelButton));
    connect(m_kill, &QAction::triggered, this, [this] { kill(ExitReason::kill()); });
    m_exitNormal = addAction(QStringLiteral("exitNormalAction"), tr("Exit &normal"),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
                             tr("End the selected process with reason normal (a transient "
                                "child is not restarted)"));
    connect(m_exitNormal, &QAction::triggered, this, [this] { kill(ExitReason::normal()); });
    m_shutdown = addAction(QStringLiteral("shutdownAction"), tr("Exit &shutdown"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                           tr("End the selected process with reason shutdown"));
    connect(m_shutdown, &QAction::triggered, this, [this] { kill(ExitReason::shutdown()); });
    m_customReason = addAction(QStringLiteral("customReasonAction"), tr("Exit with &reason…"),
                               QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K),
                               tr("End the selected process with a reason you type"));
    connect(m_customReason, &QAction::triggered, this, &MainWindow::killWithCustomReason);
    m_throw = addAction(QStringLiteral("throwAction"), tr("&Throw inside a handler"),
                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
                        tr("Make the selected process throw an exception from one of its "
                           "handlers: it crashes the way real code does"));
    connect(m_throw, &QAction::triggered, this, [this] { kill(Scenario::throwReason()); });
    m_restart = addAction(QStringLiteral("restartAction"), tr("&Restart child"),
                          QKeySequence(Qt::CTRL | Qt::Key_R),
                          tr("supervisor:restart_child for the selected (terminated) child"));
    m_restart->setIcon(s->standardIcon(QStyle::SP_BrowserReload));
    connect(m_restart, &QAction::triggered, this, &MainWindow::restartChild);
    m_terminate = addAction(QStringLiteral("terminateAction"), tr("T&erminate child"),
                            QKeySequence(Qt::CTRL | Qt::Key_T),
                            tr("supervisor:terminate_child for the selected child: stopped and "
                               "not restarted"));
    m_terminate->setIcon(s->standardIcon(QStyle::SP_BrowserStop));
    connect(m_terminate, &QAction::triggered, this, &MainWindow::terminateChild);

    m_pause = addAction(QStringLiteral("pauseAction"), tr("&Pause"), QKeySequence(Qt::Key_F8),
                        tr("Pause the workloads, the script and the chaos monkey"));
    m_pause->setCheckable(true);
    m_pause->setIcon(s->standardIcon(QStyle::SP_MediaPause));
    connect(m_pause, &QAction::toggled, this, &MainWindow::setPaused);
    m_chaos = addAction(QStringLiteral("chaosAction"), tr("&Chaos monkey"),
                        QKeySequence(Qt::CTRL | Qt::Key_M),
                        tr("Kill random processes at the configured rate"));
    m_chaos->setCheckable(true);
    m_chaos->setIcon(s->standardIcon(QStyle::SP_MessageBoxWarning));
    connect(m_chaos, &QAction::toggled, this, &MainWindow::setChaosEnabled);
    m_chaosSettings = addAction(QStringLiteral("chaosSettingsAction"), tr("Chaos &settings…"),
                                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M),
                                tr("Rate, target filter and seed of the chaos monkey"));
    connect(m_chaosSettings, &QAction::triggered, this, &MainWindow::showChaosSettings);

    auto *toolbar = addToolBar(tr("Actions"));
    toolbar->setObjectName(QStringLiteral("actionsToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_kill);
    // The other exit reasons hang off a drop-down next to Kill.
    auto *reasons = new QMenu(this);
    reasons->addActions({ m_exitNormal, m_shutdown, m_customReason, m_throw });
    auto *reasonButton = new QToolButton;
    reasonButton->setText(tr("Exit with…"));
    reasonButton->setToolTip(tr("End the selected process with another reason"));
    reasonButton->setMenu(reasons);
    reasonButton->setPopupMode(QToolButton::InstantPopup);
    reasonButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addWidget(reasonButton);
    toolbar->addAction(m_restart);
    toolbar->addAction(m_terminate);
    toolbar->addSeparator();
    toolbar->addAction(m_pause);
    toolbar->addAction(m_chaos);
    toolbar->addAction(m_chaosSettings);
    toolbar->addSeparator();

    auto *zoomIn = addAction(QStringLiteral("zoomInAction"), tr("Zoom &in"),
                             QKeySequence(Qt::CTRL | Qt::Key_Equal), tr("Zoom in on the graph"));
    zoomIn->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn });
    connect(zoomIn, &QAction::triggered, m_graph, &SupervisionGraphView::zoomIn);
    auto *zoomOut = addAction(QStringLiteral("zoomOutAction"), tr("Zoom &out"),
                              QKeySequence(Qt::CTRL | Qt::Key_Minus), tr("Zoom out of the graph"));
    connect(zoomOut, &QAction::triggered, m_graph, &SupervisionGraphView::zoomOut);
    auto *fit = addAction(QStringLiteral("fitAction"), tr("&Fit to window"),
                          QKeySequence(Qt::CTRL | Qt::Key_0),
                          tr("Show the whole tree, and keep it in view as it changes"));
    connect(fit, &QAction::triggered, m_graph, &SupervisionGraphView::fitToWindow);
    toolbar->addAction(fit);

    m_processMenu = new QMenu(this);
    m_processMenu->addAction(m_kill);
    m_processMenu->addActions(reasons->actions());
    m_processMenu->addSeparator();
    m_processMenu->addAction(m_restart);
    m_processMenu->addAction(m_terminate);

    m_viewMenu = new QMenu(tr("&View"), this);
    m_viewMenu->addActions({ zoomIn, zoomOut, fit });
    m_viewMenu->addSeparator();
    createGraphActions();
}

void MainWindow::createGraphActions()
{
    auto key = [this] {
        return currentProcessIndex().data(ProcessTreeModel::ItemKeyRole).value<quint64>();
    };
    m_collapse = addAction(QStringLiteral("collapseAction"), tr("&Collapse branch"),
                           QKeySequence(Qt::CTRL | Qt::Key_Period),
                           tr("Fold the selected supervisor's subtree into its node in the "
                              "graph, or unfold it (also: double-click, +/− in the graph)"));
    connect(m_collapse, &QAction::triggered, this, [this, key] {
        if (const quint64 k = key())
            m_graph->toggleCollapsed(k);
    });
    auto *expandAll = addAction(QStringLiteral("expandAllAction"), tr("E&xpand all"),
                                QKeySequence(), tr("Unfold every collapsed branch of the graph"));
    connect(expandAll, &QAction::triggered, m_graph, &SupervisionGraphView::expandAll);
    m_focusBranch = addAction(QStringLiteral("focusBranchAction"), tr("F&ocus on this branch"),
                              QKeySequence(Qt::CTRL | Qt::Key_B),
                              tr("Show only the selected process's subtree in the graph"));
    connect(m_focusBranch, &QAction::triggered, this, [this, key] {
        if (const quint64 k = key())
            m_graph->focusBranch(k);
    });
    m_wholeTree = addAction(QStringLiteral("wholeTreeAction"), tr("Show the &whole tree"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
                            tr("Leave the focused branch: the graph shows every process"));
    connect(m_wholeTree, &QAction::triggered, this, [this] { m_graph->focusBranch(0); });
    connect(m_graph, &SupervisionGraphView::focusChanged, this, &MainWindow::updateActions);
    connect(m_graph, &SupervisionGraphView::collapsedChanged, this, &MainWindow::updateActions);
    auto *find = addAction(QStringLiteral("findAction"), tr("&Find process…"), QKeySequence::Find,
                           tr("Search the tree by name, pid or child id"));
    connect(find, &QAction::triggered, this, [this] {
        m_processSearch->setFocus(Qt::ShortcutFocusReason);
        m_processSearch->selectAll();
    });

    m_processMenu->addSeparator();
    m_processMenu->addActions({ m_collapse, m_focusBranch, m_wholeTree });
    m_viewMenu->addActions({ find, m_collapse, expandAll, m_focusBranch, m_wholeTree });
    m_viewMenu->addSeparator();
    auto *legend = addAction(QStringLiteral("legendAction"), tr("Show &legend"), QKeySequence(),
                             tr("The key to the graph's colours, in its corner"));
    legend->setCheckable(true);
    legend->setChecked(QSettings().value(QStringLiteral("studio/legend"), true).toBool());
    m_graph->setLegendVisible(legend->isChecked());
    connect(legend, &QAction::toggled, this, [this](bool on) {
        m_graph->setLegendVisible(on);
        QSettings().setValue(QStringLiteral("studio/legend"), on);
    });
    m_viewMenu->addAction(legend);
    m_viewMenu->addSeparator();
}

void MainWindow::searchChanged(const QString &text)
{
    m_processFilter->setSearch(text);
    const QList<quint64> keys = m_processFilter->matchingKeys();
    m_graph->setMatches(QSet<quint64>(keys.cbegin(), keys.cend()));
    m_processView->expandAll();
    if (!keys.isEmpty()) {
        const quint64 current =
            currentProcessIndex().data(ProcessTreeModel::ItemKeyRole).value<quint64>();
        if (!keys.contains(current))
            selectProcess(keys.first()); // find as you type
    }
    statusBar()->showMessage(text.trimmed().isEmpty()
                                 ? QString()
                                 : tr("%n process(es) match", nullptr, int(keys.size())),
                             4000);
}

void MainWindow::findNext()
{
    const QList<quint64> keys = m_processFilter->matchingKeys();
    if (keys.isEmpty())
        return;
    const quint64 current =
        currentProcessIndex().data(ProcessTreeModel::ItemKeyRole).value<quint64>();
    const qsizetype at = keys.indexOf(current);
    selectProcess(keys.at((at + 1) % keys.size()));
}

void MainWindow::createDocks()
{
    // Processes: the same tree as the graph, as a tree view.
    m_processView = new QTreeView;
    m_processView->setObjectName(QStringLiteral("processView"));
    m_processFilter = new ProcessFilterModel(m_processModel, this);
    m_processView->setModel(m_processFilter);
    // Sortable by a click on a header; until then, in start order.
    m_processView->header()->setSortIndicator(-1, Qt::AscendingOrder);
    m_processView->setSortingEnabled(true);
    m_processView->setUniformRowHeights(true);
    m_processView->setAlternatingRowColors(true);
    m_processView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_processView->setContextMenuPolicy(Qt::CustomContextMenu);
    // Every column as wide as its text (names are never cut); a narrow
    // panel scrolls sideways instead.
    m_processView->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_processView->header()->setStretchLastSection(false);
    m_processView->expandAll();
    connect(m_processFilter, &QAbstractItemModel::rowsInserted, m_processView,
            [this](const QModelIndex &parent) {
                m_processView->expand(parent);
                m_processView->expandRecursively(parent);
            });
    connect(m_processView, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex i = m_processView->indexAt(pos);
        if (!i.isValid())
            return;
        m_processView->setCurrentIndex(i);
        m_processMenu->popup(m_processView->viewport()->mapToGlobal(pos));
    });
    m_processSearch = new QLineEdit;
    m_processSearch->setObjectName(QStringLiteral("processSearch"));
    m_processSearch->setPlaceholderText(tr("Find: name, pid or child id (Enter: next)"));
    m_processSearch->setToolTip(
        tr("Shows the matching processes in the tree and rings them in the graph; "
           "Enter selects the next one. Ctrl+F comes here."));
    m_processSearch->setClearButtonEnabled(true);
    connect(m_processSearch, &QLineEdit::textChanged, this, &MainWindow::searchChanged);
    connect(m_processSearch, &QLineEdit::returnPressed, this, &MainWindow::findNext);
    auto *processPanel = new QWidget;
    auto *processLayout = new QVBoxLayout(processPanel);
    processLayout->setContentsMargins(0, 0, 0, 0);
    processLayout->setSpacing(2);
    processLayout->addWidget(m_processSearch);
    processLayout->addWidget(m_processView);
    auto *processDock = new QDockWidget(tr("Processes"), this);
    processDock->setObjectName(QStringLiteral("processDock"));
    processDock->setWidget(processPanel);
    addDockWidget(Qt::LeftDockWidgetArea, processDock);

    // Tables.
    m_tableView = new QTableView;
    m_tableView->setObjectName(QStringLiteral("tableView"));
    m_tableView->setModel(m_tableModel);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->verticalHeader()->setVisible(false);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tableView->horizontalHeader()->setStretchLastSection(true);
    auto *tableDock = new QDockWidget(tr("Tables"), this);
    tableDock->setObjectName(QStringLiteral("tableDock"));
    tableDock->setWidget(m_tableView);
    addDockWidget(Qt::BottomDockWidgetArea, tableDock);

    // Inspector.
    m_inspector = new InspectorWidget(m_processModel, m_tableModel);
    m_inspector->setObjectName(QStringLiteral("inspector"));
    auto *inspectorDock = new QDockWidget(tr("Inspector"), this);
    inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);

    // Event log with its filter.
    auto *log = new QWidget;
    auto *logLayout = new QVBoxLayout(log);
    logLayout->setContentsMargins(0, 0, 0, 0);
    m_eventFilterEdit = new QLineEdit;
    m_eventFilterEdit->setObjectName(QStringLiteral("eventFilter"));
    m_eventFilterEdit->setPlaceholderText(tr("Filter events (type, name, pid, reason…)"));
    m_eventFilterEdit->setClearButtonEnabled(true);
    logLayout->addWidget(m_eventFilterEdit);
    m_eventFilter = new QSortFilterProxyModel(this);
    m_eventFilter->setSourceModel(m_eventModel);
    m_eventFilter->setFilterKeyColumn(-1);
    m_eventFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_eventFilterEdit, &QLineEdit::textChanged, m_eventFilter,
            &QSortFilterProxyModel::setFilterFixedString);
    m_eventView = new QTableView;
    m_eventView->setObjectName(QStringLiteral("eventView"));
    m_eventView->setModel(m_eventFilter);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventView->verticalHeader()->setVisible(false);
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 4);
    m_eventView->horizontalHeader()->setStretchLastSection(true);
    m_eventView->setWordWrap(false);
    const int em = m_eventView->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_eventView->setColumnWidth(EventLogModel::SeqColumn, em * 4);
    m_eventView->setColumnWidth(EventLogModel::TimeColumn, em * 6);
    m_eventView->setColumnWidth(EventLogModel::TypeColumn, em * 13);
    m_eventView->setColumnWidth(EventLogModel::PidColumn, em * 7);
    m_eventView->setColumnWidth(EventLogModel::SubjectColumn, em * 13);
    logLayout->addWidget(m_eventView);
    // Follow the newest events, unless the user scrolled up to read.
    auto follow = std::make_shared<bool>(true);
    connect(m_eventFilter, &QAbstractItemModel::rowsAboutToBeInserted, this, [this, follow] {
        QScrollBar *bar = m_eventView->verticalScrollBar();
        *follow = bar->value() >= bar->maximum() - 2;
    });
    connect(m_eventFilter, &QAbstractItemModel::rowsInserted, this, [this, follow] {
        if (*follow)
            m_eventView->scrollToBottom();
    });
    auto *logDock = new QDockWidget(tr("Event log"), this);
    logDock->setObjectName(QStringLiteral("eventDock"));
    logDock->setWidget(log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    splitDockWidget(tableDock, logDock, Qt::Horizontal);
    resizeDocks({ processDock, inspectorDock }, { 410, 310 }, Qt::Horizontal);
    resizeDocks({ tableDock }, { 230 }, Qt::Vertical);
    resizeDocks({ tableDock, logDock }, { 740, 560 }, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    auto *open = addAction(QStringLiteral("openAction"), tr("&Open scenario…"), QKeySequence::Open,
                           tr("Stop the current tree and run a scenario file"));
    open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    connect(open, &QAction::triggered, this, &MainWindow::openScenarioFile);
    m_saveScenario = addAction(QStringLiteral("saveScenarioAction"), tr("&Save scenario…"),
                               QKeySequence::Save, tr("Save the running scenario as JSON"));
    m_saveScenario->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    connect(m_saveScenario, &QAction::triggered, this, &MainWindow::saveScenarioFile);
    auto *exportTrace = addAction(QStringLiteral("exportTraceAction"), tr("&Export trace…"),
                                  QKeySequence(Qt::CTRL | Qt::Key_E),
                                  tr("Save every event since the run began as JSON Lines"));
    connect(exportTrace, &QAction::triggered, this, &MainWindow::exportTrace);
    auto *shot = addAction(QStringLiteral("screenshotAction"), tr("Save screens&hot…"),
                           QKeySequence(Qt::Key_F12), tr("Save a PNG of this window"));
    connect(shot, &QAction::triggered, this, &MainWindow::saveScreenshotAs);
    auto *quit = addAction(QStringLiteral("quitAction"), tr("&Quit"), QKeySequence::Quit,
                           tr("Quit Immortal Studio"));
    connect(quit, &QAction::triggered, this, &QWidget::close);
    file->addActions({ open, m_saveScenario });
    file->addSeparator();
    file->addActions({ exportTrace, shot });
    file->addSeparator();
    file->addAction(quit);

    QMenu *process = menuBar()->addMenu(tr("&Process"));
    process->addActions(m_processMenu->actions());
    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addActions({ m_pause, m_chaos, m_chaosSettings });
    run->addSeparator();
    auto *clear = addAction(QStringLiteral("clearDeadAction"), tr("&Clear dead processes"),
                            QKeySequence(), tr("Remove dead processes from the tree and graph"));
    connect(clear, &QAction::triggered, this, &MainWindow::clearDead);
    run->addAction(clear);

    for (QDockWidget *dock : findChildren<QDockWidget *>())
        m_viewMenu->addAction(dock->toggleViewAction());
    menuBar()->addMenu(m_viewMenu);
}

void MainWindow::attachRunner(ScenarioRunner *runner)
{
    m_runner = runner;
    m_inspector->setRunner(runner);
    if (runner) {
        connect(runner, &ScenarioRunner::pausedChanged, this, [this](bool paused) {
            const QSignalBlocker block(m_pause);
            m_pause->setChecked(paused);
            updateStatus();
        });
        connect(runner, &ScenarioRunner::stopped, this, [this] {
            updateActions();
            updateStatus();
        });
        connect(runner, &ScenarioRunner::scriptActionDone, this, [this](const QString &what) {
            statusBar()->showMessage(tr("Script: %1").arg(what), 4000);
        });
        if (ChaosMonkey *chaos = runner->chaos()) {
            connect(chaos, &ChaosMonkey::enabledChanged, this, [this](bool on) {
                const QSignalBlocker block(m_chaos);
                m_chaos->setChecked(on);
                updateStatus();
            });
            connect(chaos, &ChaosMonkey::killed, this, &MainWindow::updateStatus);
            const QSignalBlocker block(m_chaos);
            m_chaos->setChecked(chaos->isEnabled());
        }
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(runner->isPaused());
        const QString title = runner->scenario().title();
        setWindowTitle(title.isEmpty() ? tr("Immortal Studio")
                                       : tr("%1 — Immortal Studio").arg(title));
    }
    updateActions();
    updateStatus();
}

void MainWindow::restartTraceBuffer()
{
    m_traceWriter.reset();
    m_traceBuffer = std::make_unique<QTemporaryFile>();
    if (!m_traceBuffer->open()) {
        qCWarning(lcStudio) << "cannot keep the trace for export:" << m_traceBuffer->errorString();
        return;
    }
    m_traceWriter = std::make_unique<TraceWriter>(m_traceBuffer.get());
}

void MainWindow::openScenario(const Scenario &scenario)
{
    // The old tree goes first: its names and named tables must be free.
    if (m_runner && m_runner.data() != m_ownedRunner.get())
        m_runner->stop();
    m_runner = nullptr;
    m_ownedRunner.reset();
    m_processModel->flush();
    m_processModel->removeDead();
    restartTraceBuffer();

    auto runner = std::make_unique<ScenarioRunner>(scenario);
    runner->start(); // throws, leaving nothing running
    m_ownedRunner = std::move(runner);
    attachRunner(m_ownedRunner.get());
    statusBar()->showMessage(tr("Running %1").arg(scenario.fileName()), 4000);
}

QModelIndex MainWindow::currentProcessIndex() const
{
    const QModelIndex i = m_processView->selectionModel()->currentIndex();
    return i.isValid() ? i.siblingAtColumn(0) : QModelIndex();
}

Pid MainWindow::currentPid() const
{
    return currentProcessIndex().data(ProcessTreeModel::PidRole).value<Pid>();
}

QString MainWindow::targetOf(const QModelIndex &index) const
{
    // Child ids are unique within a scenario; the root has only its name.
    const QString childId = index.data(ProcessTreeModel::ChildIdRole).toString();
    return childId.isEmpty() ? index.data(ProcessTreeModel::RegisteredNameRole).toString()
                             : childId;
}

void MainWindow::kill(const Term &reason)
{
    const QModelIndex i = currentProcessIndex();
    const Pid pid = i.data(ProcessTreeModel::PidRole).value<Pid>();
    if (!i.isValid() || !Node::instance()->isAlive(pid)) {
        statusBar()->showMessage(tr("Select a running process first."), 4000);
        return;
    }
    const QString target = targetOf(i);
    bool done = false;
    // Through the runner when it knows the process (it can also make it
    // throw); any other process by pid.
    const bool throwIt = reason == Scenario::throwReason();
    if (m_runner && !target.isEmpty() && m_runner->resolve(target) == pid)
        done = throwIt ? m_runner->exitBySelf(target, reason) : m_runner->kill(target, reason);
    else if (!throwIt)
        done = Node::instance()->exit(pid, reason);
    statusBar()->showMessage(
        done ? tr("%1 %2: exit(%3) sent")
                   .arg(i.data().toString(), Node::pidText(pid), reason.format())
             : tr("%1 %2 could not be reached.").arg(i.data().toString(), Node::pidText(pid)),
        4000);
}

void MainWindow::killWithCustomReason()
{
    const QModelIndex i = currentProcessIndex();
    if (!i.isValid())
        return;
    bool ok = false;
    const QString reason = QInputDialog::getText(
        this, tr("Exit with reason"),
        tr("Exit reason for %1 %2:")
            .arg(i.data().toString(),
                 Node::pidText(i.data(ProcessTreeModel::PidRole).value<Pid>())),
        QLineEdit::Normal, QStringLiteral("badarg"), &ok);
    if (!ok || reason.trimmed().isEmpty())
        return;
    try {
        kill(Term::parse(reason.trimmed()));
    } catch (const Error &e) {
        QMessageBox::warning(this, tr("Exit with reason"),
                             tr("\"%1\" is not an exit reason: %2\nWrite it as an Erlang term, "
                                "such as badarg or {shutdown,done}.")
                                 .arg(reason.trimmed(), e.message()));
    }
}

void MainWindow::restartChild()
{
    const QModelIndex i = currentProcessIndex();
    if (!m_runner || !i.isValid())
        return;
    const bool ok = m_runner->restartChild(targetOf(i));
    statusBar()->showMessage(
        ok ? tr("Restarting %1").arg(i.data().toString())
           : tr("%1 cannot be restarted (it runs, or it is not a child).").arg(i.data().toString()),
        4000);
}

void MainWindow::terminateChild()
{
    const QModelIndex i = currentProcessIndex();
    if (!m_runner || !i.isValid())
        return;
    const bool ok = m_runner->terminateChild(targetOf(i));
    statusBar()->showMessage(
        ok ? tr("Terminating %1").arg(i.data().toString())
           : tr("%1 is not a child that can be terminated.").arg(i.data().toString()),
        4000);
}

void MainWindow::setPaused(bool paused)
{
    if (m_runner)
        m_runner->setPaused(paused);
    updateStatus();
}

void MainWindow::setChaosEnabled(bool enabled)
{
    if (m_runner && m_runner->chaos())
        m_runner->chaos()->setEnabled(enabled);
    updateStatus();
}

void MainWindow::showChaosSettings()
{
    if (!m_runner || !m_runner->chaos())
        return;
    ChaosDialog dialog(m_runner->chaos(), this);
    dialog.exec();
    updateStatus();
}

void MainWindow::openScenarioFile()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open scenario"), settings.value(QStringLiteral("studio/lastDir")).toString(),
        tr("Immortal scenarios (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("studio/lastDir"), QFileInfo(path).absolutePath());
    loadScenarioFile(path);
}

bool MainWindow::loadScenarioFile(const QString &path)
{
    Scenario scenario;
    try {
        scenario = Scenario::fromFile(path);
    } catch (const Error &e) {
        // A bad file changes nothing: the running tree keeps running.
        QMessageBox::critical(this, tr("Cannot open the scenario"), e.message());
        return false;
    }
    try {
        openScenario(scenario);
    } catch (const Error &e) {
        QMessageBox::critical(this, tr("Cannot start the scenario"), e.message());
        return false;
    }
    return true;
}

void MainWindow::saveScenarioFile()
{
    if (!m_runner)
        return;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save scenario"), QStringLiteral("scenario.json"),
                                     tr("Immortal scenarios (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(m_runner->scenario().toJson()) < 0) {
        QMessageBox::critical(this, tr("Cannot save the scenario"),
                              tr("%1 could not be written: %2").arg(path, file.errorString()));
        return;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
}

bool MainWindow::exportTraceTo(const QString &path)
{
    if (!m_traceBuffer || !m_traceBuffer->isOpen())
        return false;
    m_traceBuffer->flush();
    QFile::remove(path);
    return QFile::copy(m_traceBuffer->fileName(), path);
}

void MainWindow::exportTrace()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export trace"), QStringLiteral("trace.jsonl"),
                                     tr("JSON Lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!exportTraceTo(path)) {
        QMessageBox::critical(this, tr("Export trace"), tr("%1 could not be written.").arg(path));
        return;
    }
    statusBar()->showMessage(
        tr("Exported %n event(s) to %1", nullptr, int(m_traceWriter->written())).arg(path), 4000);
}

bool MainWindow::saveScreenshot(const QString &path)
{
    // Show the latest state, not the one of the last timer tick.
    m_processModel->flush();
    m_tableModel->flush();
    m_eventModel->flush();
    m_graph->sync();
    // Headers size their columns on a timer; a grab may come first.
    m_processView->header()->resizeSections(QHeaderView::ResizeToContents);
    m_tableView->resizeColumnsToContents();
    return grab().save(path, "PNG");
}

void MainWindow::saveScreenshotAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save screenshot"),
                                                      QStringLiteral("immortal-studio.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!saveScreenshot(path))
        QMessageBox::critical(this, tr("Save screenshot"),
                              tr("%1 could not be written.").arg(path));
}

void MainWindow::clearDead()
{
    m_processModel->removeDead();
}

void MainWindow::selectProcess(quint64 key)
{
    const QModelIndex i = m_processModel->indexOfKey(key);
    if (!i.isValid())
        return;
    const QModelIndex shown = m_processFilter->mapFromSource(i);
    if (shown.isValid()) {
        m_processView->selectionModel()->setCurrentIndex(
            shown, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_processView->scrollTo(shown);
    } else {
        m_graph->setCurrentProcess(key); // filtered out of the tree, still in the graph
    }
    m_inspector->showProcess(key);
}

void MainWindow::selectTable(TableId id)
{
    const QModelIndex i = m_tableModel->indexOfTable(id);
    if (!i.isValid())
        return;
    m_tableView->selectionModel()->setCurrentIndex(
        i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tableView->scrollTo(i);
    m_inspector->showTable(id);
}

void MainWindow::updateActions()
{
    const QModelIndex i = currentProcessIndex();
    const auto state = i.data(ProcessTreeModel::StateRole).value<ProcessTreeModel::State>();
    const bool alive = i.isValid() && state != ProcessTreeModel::State::Dead
        && state != ProcessTreeModel::State::Restarting;
    const bool child = i.isValid() && !i.data(ProcessTreeModel::ChildIdRole).toString().isEmpty();
    const bool running = m_runner && m_runner->isRunning();
    for (QAction *a : { m_kill, m_exitNormal, m_shutdown, m_customReason })
        a->setEnabled(alive);
    m_throw->setEnabled(alive && running);
    m_restart->setEnabled(running && child && state == ProcessTreeModel::State::Dead);
    m_terminate->setEnabled(running && child && alive);
    m_pause->setEnabled(running);
    m_chaos->setEnabled(running && m_runner->chaos());
    m_chaosSettings->setEnabled(running && m_runner->chaos());
    m_saveScenario->setEnabled(m_runner);
    if (m_collapse) {
        const quint64 key = i.data(ProcessTreeModel::ItemKeyRole).value<quint64>();
        const bool supervisor =
            i.isValid() && m_processModel->rowCount(m_processFilter->mapToSource(i)) > 0;
        m_collapse->setEnabled(supervisor || m_graph->isCollapsed(key));
        m_collapse->setText(m_graph->isCollapsed(key) ? tr("Expand &branch")
                                                      : tr("&Collapse branch"));
        m_focusBranch->setEnabled(supervisor && key != m_graph->focusedBranch());
        m_wholeTree->setEnabled(m_graph->focusedBranch() != 0);
    }
}

void MainWindow::updateStatus()
{
    int processes = 0, restarts = 0, tables = m_tableModel->rowCount(),
        lost = m_tableModel->lostCount();
    qint64 rows = m_tableModel->totalRows();
    if (m_runner) {
        const ScenarioRunner::Stats s = m_runner->stats();
        processes = s.processes;
        restarts = s.restarts;
        lost = s.tablesLost;
    } else {
        processes = int(Node::instance()->processes().size());
    }
    const QString lostText =
        lost > 0 ? tr("<b style='color:#d32f2f'>%1 lost</b>").arg(lost) : tr("0 lost");
    m_statusCounts->setText(tr("%1 processes · %2 restarts · %3 tables · %4 rows · %5")
                                .arg(processes)
                                .arg(restarts)
                                .arg(tables)
                                .arg(rows)
                                .arg(lostText));
    QStringList mode;
    if (m_runner && m_runner->isPaused())
        mode << tr("PAUSED");
    if (m_runner && m_runner->chaos() && m_runner->chaos()->isEnabled())
        mode << tr("chaos %1/s, %2 kills")
                    .arg(m_runner->chaos()->rate())
                    .arg(m_runner->chaos()->kills());
    if (m_runner && !m_runner->isRunning())
        mode << tr("stopped");
    m_statusMode->setText(mode.join(QStringLiteral(" · ")));
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    keepRoomForTheGraph();
}

void MainWindow::keepRoomForTheGraph()
{
    // A smaller window shrinks the docks with it, not only the graph: at
    // 1024x700 the graph still gets half the width and most of the height.
    auto *processDock = findChild<QDockWidget *>(QStringLiteral("processDock"));
    auto *inspectorDock = findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
    auto *tableDock = findChild<QDockWidget *>(QStringLiteral("tableDock"));
    if (!processDock || !inspectorDock || !tableDock)
        return;
    const int sides =
        (!processDock->isHidden() && !processDock->isFloating() ? processDock->width() : 0)
        + (!inspectorDock->isHidden() && !inspectorDock->isFloating() ? inspectorDock->width() : 0);
    const int room = width() / 2;
    if (sides > room && sides > 0) {
        resizeDocks({ processDock, inspectorDock },
                    { std::max(160, processDock->width() * room / sides),
                      std::max(160, inspectorDock->width() * room / sides) },
                    Qt::Horizontal);
    }
    const int bottom = !tableDock->isHidden() && !tableDock->isFloating() ? tableDock->height() : 0;
    const int maxBottom = height() * 28 / 100;
    if (bottom > maxBottom)
        resizeDocks({ tableDock }, { std::max(120, maxBottom) }, Qt::Vertical);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("studio/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("studio/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace immortal
