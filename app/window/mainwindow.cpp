#include "mainwindow.h"

#include "chaosdialog.h"
#include "chaosmonkey.h"
#include "inspectorwidget.h"
#include "processfiltermodel.h"
#include "scenario.h"
#include "scenariorunner.h"
#include "shortcutsheet.h"

#include <immortal/error.h>
#include <immortal/models/eventfiltermodel.h>
#include <immortal/models/eventlogmodel.h>
#include <immortal/models/livesource.h>
#include <immortal/models/ownershiptimeline.h>
#include <immortal/models/processtreemodel.h>
#include <immortal/models/replaysource.h>
#include <immortal/models/statecolors.h>
#include <immortal/models/tablelistmodel.h>
#include <immortal/models/tracebatcher.h>
#include <immortal/node.h>
#include <immortal/tracewriter.h>
#include <immortal/version.h>
#include <immortal/widgets/ownershiptimelineview.h>
#include <immortal/widgets/supervisiongraphview.h>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
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
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTemporaryFile>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <functional>

Q_LOGGING_CATEGORY(lcStudio, "immortal.ui.studio")

namespace immortal {

namespace {
// The studio's icon (resources/icons/immortal-studio.svg, also installed for
// the .desktop file); Qt's SVG icon engine draws it at every size.
QIcon appIcon()
{
    return QIcon(QStringLiteral(":/icons/immortal-studio.svg"));
}

// A standard glyph (play, pause) redrawn in the palette's button text
// colour: the style's own are dark and vanish on a dark palette.
QIcon glyphIcon(const QStyle *style, QStyle::StandardPixmap glyph, const QColor &color)
{
    const QIcon base = style->standardIcon(glyph);
    QIcon icon;
    for (const int size : { 16, 22, 32, 48 }) {
        QPixmap pixmap = base.pixmap(size);
        QPainter painter(&pixmap);
        painter.setCompositionMode(QPainter::CompositionMode_SourceIn);
        painter.fillRect(pixmap.rect(), color);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
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
    // And before the replay they may still read.
    if (m_replay)
        setSource(m_liveSource);
}

void MainWindow::build()
{
    setWindowTitle(tr("Immortal Studio"));
    setWindowIcon(appIcon());
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);

    // One source for every view; one batch of events for all of them.
    m_liveSource = new LiveSource(this);
    m_source = m_liveSource;
    m_processModel = new ProcessTreeModel(m_source, this);
    m_tableModel = new TableListModel(m_source, this);
    m_eventModel = new EventLogModel(m_source, this);
    m_timeline = new OwnershipTimeline(this);
    followInTimeline(m_source);

    m_graph = new SupervisionGraphView(m_processModel, m_tableModel, this);
    m_graph->setObjectName(QStringLiteral("graphView"));
    setCentralWidget(m_graph);

    createActions();
    createDocks();
    createMenus();
    createReplayBar();

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
    updateReplayBar(); // shown while replaying, whatever the saved state says
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
    updatePauseAction();
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
                                 : (keys.size() == 1 ? tr("1 process matches")
                                                     : tr("%1 processes match").arg(keys.size())),
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

    // Event log with its presets and its filter.
    auto *log = new QWidget;
    auto *logLayout = new QVBoxLayout(log);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->setSpacing(2);
    m_eventFilter = new EventFilterModel(this);
    m_eventFilter->setSourceModel(m_eventModel);
    auto *filterRow = new QHBoxLayout;
    filterRow->setSpacing(2);
    QSettings settings;
    const QVariant saved = settings.value(QStringLiteral("studio/eventCategories"));
    if (saved.isValid())
        m_eventFilter->setCategories(EventFilterModel::Categories(saved.toInt()));
    for (const auto category :
         { EventFilterModel::Category::Ownership, EventFilterModel::Category::Lifecycle,
           EventFilterModel::Category::Supervision, EventFilterModel::Category::Writes }) {
        auto *button = new QToolButton;
        button->setText(EventFilterModel::categoryName(category));
        button->setObjectName(QStringLiteral("eventPreset")
                              + EventFilterModel::categoryName(category));
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setChecked(m_eventFilter->categories().testFlag(category));
        button->setToolTip(tr("Show or hide the %1 events")
                               .arg(EventFilterModel::categoryName(category).toLower()));
        connect(button, &QToolButton::toggled, this, [this, category](bool on) {
            m_eventFilter->setCategory(category, on);
            QSettings().setValue(QStringLiteral("studio/eventCategories"),
                                 int(m_eventFilter->categories()));
        });
        filterRow->addWidget(button);
    }
    m_eventFilterEdit = new QLineEdit;
    m_eventFilterEdit->setObjectName(QStringLiteral("eventFilter"));
    m_eventFilterEdit->setPlaceholderText(tr("Filter events (type, name, pid, reason…)"));
    m_eventFilterEdit->setClearButtonEnabled(true);
    filterRow->addWidget(m_eventFilterEdit, 1);
    logLayout->addLayout(filterRow);
    connect(m_eventFilterEdit, &QLineEdit::textChanged, m_eventFilter,
            &QSortFilterProxyModel::setFilterFixedString);
    m_eventView = new QTableView;
    m_eventView->setObjectName(QStringLiteral("eventView"));
    m_eventView->setModel(m_eventFilter);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventView->verticalHeader()->setVisible(false);
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 4);
    m_eventView->horizontalHeader()->setStretchLastSection(true);
    m_eventView->setWordWrap(false);
    // Wide enough for what the columns hold after hours of a busy run: an
    // eight-digit sequence number, a time in the millions of ms, a six-digit
    // pid, the longest event name.
    const QFontMetrics fm = m_eventView->fontMetrics();
    const int pad = fm.horizontalAdvance(QLatin1Char('M')) * 2;
    m_eventView->setColumnWidth(EventLogModel::SeqColumn,
                                fm.horizontalAdvance(QStringLiteral("00000000")) + pad);
    m_eventView->setColumnWidth(EventLogModel::TimeColumn,
                                fm.horizontalAdvance(QStringLiteral("0000000.0")) + pad);
    m_eventView->setColumnWidth(EventLogModel::TypeColumn,
                                fm.horizontalAdvance(QStringLiteral("supervisor_escalated")) + pad);
    m_eventView->setColumnWidth(EventLogModel::PidColumn,
                                fm.horizontalAdvance(QStringLiteral("<0.000000.0>")) + pad);
    m_eventView->setColumnWidth(EventLogModel::SubjectColumn,
                                fm.horizontalAdvance(QStringLiteral("TableConsumer")) + pad);
    // A click on an event selects what it is about and shows that moment in
    // the timeline.
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { selectEventSubject(current); });
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

    // The ownership timeline, a tab next to the tables.
    m_timelineView = new OwnershipTimelineView;
    m_timelineView->setObjectName(QStringLiteral("timelineView"));
    m_timelineView->setTimeline(m_timeline);
    connect(m_timelineView, &OwnershipTimelineView::processActivated, this, [this](Pid pid) {
        if (const QModelIndex i = m_processModel->indexOfPid(pid); i.isValid())
            selectProcess(i.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
    });
    connect(m_timelineView, &OwnershipTimelineView::tableActivated, this, &MainWindow::selectTable);
    auto *timelineDock = new QDockWidget(tr("Ownership timeline"), this);
    timelineDock->setObjectName(QStringLiteral("timelineDock"));
    timelineDock->setWidget(m_timelineView);
    addDockWidget(Qt::BottomDockWidgetArea, timelineDock);
    tabifyDockWidget(tableDock, timelineDock);
    tableDock->raise();
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
    auto *openTrace = addAction(QStringLiteral("openTraceAction"), tr("Open &trace…"),
                                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                                tr("Replay a recorded trace (JSON Lines) with a time slider"));
    connect(openTrace, &QAction::triggered, this, &MainWindow::openTraceFile);
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
    file->addActions({ open, openTrace, m_saveScenario });
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

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    auto *shortcuts = addAction(QStringLiteral("shortcutsAction"), tr("&Keyboard shortcuts"),
                                QKeySequence::HelpContents, tr("Every action with a key"));
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    auto *about = addAction(QStringLiteral("aboutAction"), tr("&About Immortal Studio"),
                            QKeySequence(), tr("The version and what the studio shows"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    auto *aboutQt = addAction(QStringLiteral("aboutQtAction"), tr("About &Qt"), QKeySequence(),
                              tr("The Qt version the studio runs on"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
    help->addAction(shortcuts);
    help->addSeparator();
    help->addActions({ about, aboutQt });
}

void MainWindow::showShortcuts()
{
    auto *sheet = new ShortcutSheet(actions(), this);
    sheet->setAttribute(Qt::WA_DeleteOnClose);
    sheet->open();
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Immortal Studio"));
    box->setIconPixmap(appIcon().pixmap(64));
    box->setTextFormat(Qt::RichText);
    box->setText(tr("<h3>Immortal Studio %1</h3>"
                    "<p>Supervision trees and the tables their processes own, live: who owns "
                    "each table, who inherits it, and how it moves when a process crashes.</p>"
                    "<p>Built on Immortal %1, Erlang/OTP's ETS ownership, heirs and supervisors "
                    "for C++ and Qt, and Qt %2.</p>")
                     .arg(QStringLiteral(IMMORTAL_VERSION_STR), QString::fromLatin1(qVersion())));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

void MainWindow::updatePauseAction()
{
    const bool paused = m_pause->isChecked();
    const QString text = paused ? tr("&Resume") : tr("&Pause");
    if (m_pause->text() == text && !m_pause->icon().isNull())
        return;
    m_pause->setText(text);
    const QString tip = paused ? tr("Resume the workloads, the script and the chaos monkey")
                               : tr("Pause the workloads, the script and the chaos monkey");
    m_pause->setToolTip(
        QStringLiteral("%1 (%2)").arg(tip, m_pause->shortcut().toString(QKeySequence::NativeText)));
    m_pause->setStatusTip(tip);
    m_pause->setIcon(glyphIcon(style(), paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause,
                               palette().color(QPalette::ButtonText)));
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_pause) {
        m_pause->setIcon(QIcon()); // redrawn in the new colours
        updatePauseAction();
    }
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
    if (m_replay) {
        // Back to live: the views show the runtime again, from what is alive.
        setSource(m_liveSource);
        m_replay.reset();
        updateReplayBar();
    }
    m_processModel->flush();
    m_processModel->removeDead();
    m_timeline->clear();
    restartTraceBuffer();

    auto runner = std::make_unique<ScenarioRunner>(scenario);
    runner->start(); // throws, leaving nothing running
    m_ownedRunner = std::move(runner);
    attachRunner(m_ownedRunner.get());
    statusBar()->showMessage(tr("Running %1").arg(scenario.fileName()), 4000);
}

// The timeline folds the source's events; it starts with the tables the
// source has now, and starts again when the source resets (a replay going back).
void MainWindow::followInTimeline(Source *source)
{
    if (m_timelineSource)
        disconnect(m_timelineSource, nullptr, m_timeline, nullptr);
    m_timelineSource = source;
    const auto start = [this, source] {
        m_timeline->clear();
        const qint64 now = source->nowNs();
        for (const TableInfo &t : source->tables()) {
            const QString owner = t.owner ? source->nameOf(t.owner) : QString();
            m_timeline->addExisting(t, owner.isEmpty() ? Node::pidText(t.owner) : owner, now);
        }
    };
    start();
    connect(source, &Source::events, m_timeline, &OwnershipTimeline::apply);
    connect(source, &Source::reset, m_timeline, start);
}

void MainWindow::setSource(Source *source)
{
    m_source = source;
    followInTimeline(source);
    m_processModel->setSource(source);
    m_tableModel->setSource(source);
    m_eventModel->setSource(source);
    m_inspector->setSource(source);
    updateActions();
    updateStatus();
}

void MainWindow::openReplay(std::unique_ptr<ReplaySource> replay)
{
    // A recording is not a run: the tree the window shows stops.
    if (m_runner && m_runner.data() != m_ownedRunner.get())
        m_runner->stop();
    attachRunner(nullptr);
    m_ownedRunner.reset();
    m_traceWriter.reset();
    m_traceBuffer.reset();

    const std::unique_ptr<ReplaySource> old = std::exchange(m_replay, std::move(replay));
    connect(m_replay.get(), &ReplaySource::positionChanged, this, &MainWindow::updateReplayBar);
    connect(m_replay.get(), &ReplaySource::playingChanged, this, &MainWindow::updateReplayBar);
    connect(m_replay.get(), &ReplaySource::positionChanged, this, &MainWindow::updateStatus);
    // The views follow it from the start, so that they see the history (the
    // dead, the restarts), to where it is.
    const int at = m_replay->index();
    m_replay->seekToIndex(0);
    setSource(m_replay.get()); // the views leave the old replay before it goes
    m_replay->seekToIndex(at);
    // Seeking back replays from the start: on a long trace, seek when the
    // slider is let go rather than at every step of a drag.
    m_replaySlider->setTracking(m_replay->eventCount() <= 20000);
    const QString name = QFileInfo(m_replay->fileName()).fileName();
    setWindowTitle(tr("%1 (replay) — Immortal Studio").arg(name));
    statusBar()->showMessage(
        (m_replay->eventCount() == 1
             ? tr("Replaying 1 event of %1").arg(name)
             : tr("Replaying %1 events of %2").arg(m_replay->eventCount()).arg(name)),
        4000);
    updateReplayBar();
}

bool MainWindow::loadTraceFile(const QString &path)
{
    auto replay = std::make_unique<ReplaySource>();
    try {
        replay->load(path);
    } catch (const Error &e) {
        // A bad trace changes nothing: the views keep their source.
        QMessageBox::critical(this, tr("Cannot open the trace"), e.message());
        return false;
    }
    replay->seekToEnd();
    openReplay(std::move(replay));
    return true;
}

void MainWindow::openTraceFile()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open trace"), settings.value(QStringLiteral("studio/lastDir")).toString(),
        tr("Immortal traces (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("studio/lastDir"), QFileInfo(path).absolutePath());
    loadTraceFile(path);
}

void MainWindow::createReplayBar()
{
    m_replayBar = new QToolBar(tr("Replay"), this);
    m_replayBar->setObjectName(QStringLiteral("replayToolBar"));
    m_replayBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_replayBar->setMovable(false);
    addToolBar(Qt::BottomToolBarArea, m_replayBar);

    m_replayPlay = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"), this);
    m_replayPlay->setObjectName(QStringLiteral("replayPlayAction"));
    m_replayPlay->setToolTip(tr("Play the trace from here at the chosen speed"));
    connect(m_replayPlay, &QAction::triggered, this, [this] {
        if (!m_replay)
            return;
        if (m_replay->isPlaying())
            m_replay->pause();
        else
            m_replay->play(m_replaySpeed->currentData().toDouble());
    });
    m_replayBar->addAction(m_replayPlay);

    m_replaySlider = new QSlider(Qt::Horizontal);
    m_replaySlider->setObjectName(QStringLiteral("replaySlider"));
    m_replaySlider->setToolTip(tr("The position in the trace: every view shows the state after "
                                  "the event here"));
    m_replaySlider->setMinimumWidth(300);
    connect(m_replaySlider, &QSlider::valueChanged, this, [this](int index) {
        if (m_replay)
            m_replay->seekToIndex(index);
    });
    m_replayBar->addWidget(m_replaySlider);

    m_replaySpeed = new QComboBox;
    m_replaySpeed->setObjectName(QStringLiteral("replaySpeed"));
    m_replaySpeed->setToolTip(tr("Playback speed, in the trace's own time"));
    for (double speed : { 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0 })
        m_replaySpeed->addItem(QStringLiteral("%1×").arg(speed), speed);
    m_replaySpeed->setCurrentIndex(3);
    connect(m_replaySpeed, &QComboBox::currentIndexChanged, this, [this] {
        if (m_replay)
            m_replay->setSpeed(m_replaySpeed->currentData().toDouble());
    });
    m_replayBar->addWidget(m_replaySpeed);

    m_replayLabel = new QLabel;
    m_replayLabel->setObjectName(QStringLiteral("replayLabel"));
    m_replayLabel->setContentsMargins(8, 0, 8, 0);
    m_replayBar->addWidget(m_replayLabel);
    updateReplayBar();
}

void MainWindow::updateReplayBar()
{
    m_replayBar->setVisible(m_replay != nullptr);
    if (!m_replay)
        return;
    const bool playing = m_replay->isPlaying();
    m_replayPlay->setText(playing ? tr("Pause") : tr("Play"));
    m_replayPlay->setIcon(
        style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    {
        const QSignalBlocker block(m_replaySlider);
        m_replaySlider->setRange(0, m_replay->eventCount());
        m_replaySlider->setValue(m_replay->index());
    }
    m_replayLabel->setText(
        tr("seq %1 / %2, t = %3 s")
            .arg(m_replay->position())
            .arg(m_replay->lastSeq())
            .arg(double(m_replay->nowNs() - m_replay->firstNs()) / 1e9, 0, 'f', 3));
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
    if (!i.isValid() || !m_source->isAlive(pid)) {
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
        done = m_source->exitProcess(pid, reason) == Source::ActionError::None;
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
    if (!i.isValid())
        return;
    const Source::ActionError error =
        m_source->restartChild(i.parent().data(ProcessTreeModel::PidRole).value<Pid>(),
                               i.data(ProcessTreeModel::ChildIdRole).toString());
    statusBar()->showMessage(
        error == Source::ActionError::None
            ? tr("Restarting %1").arg(i.data().toString())
            : tr("%1 cannot be restarted: %2").arg(i.data().toString(), Source::errorText(error)),
        4000);
}

void MainWindow::terminateChild()
{
    const QModelIndex i = currentProcessIndex();
    if (!i.isValid())
        return;
    const Source::ActionError error =
        m_source->terminateChild(i.parent().data(ProcessTreeModel::PidRole).value<Pid>(),
                                 i.data(ProcessTreeModel::ChildIdRole).toString());
    statusBar()->showMessage(
        error == Source::ActionError::None
            ? tr("Terminating %1").arg(i.data().toString())
            : tr("%1 cannot be terminated: %2").arg(i.data().toString(), Source::errorText(error)),
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
    if (!m_traceWriter) {
        // A replay records nothing: its trace is the file it reads.
        statusBar()->showMessage(
            m_replay ? tr("Nothing to export: the replay's trace is %1").arg(m_replay->fileName())
                     : tr("Nothing to export: no run has been recorded."),
            6000);
        return;
    }
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
        (m_traceWriter->written() == 1
             ? tr("Exported 1 event to %1").arg(path)
             : tr("Exported %1 events to %2").arg(m_traceWriter->written()).arg(path)),
        4000);
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

void MainWindow::selectEventSubject(const QModelIndex &index)
{
    const auto e = index.data(EventLogModel::EventRole).value<TraceEvent>();
    if (e.seq == 0)
        return;
    m_timelineView->showTime(e.tNs);
    if (e.table != 0) {
        m_timelineView->showTable(e.table);
        selectTable(e.table);
        return;
    }
    // The process the event is about; a child event names it as pid too.
    for (const Pid pid : { e.pid, e.to, e.from, e.supervisor }) {
        if (const QModelIndex i = m_processModel->indexOfPid(pid); pid != 0 && i.isValid()) {
            selectProcess(i.data(ProcessTreeModel::ItemKeyRole).value<quint64>());
            return;
        }
    }
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
    const Source::Actions can = m_source->actions();
    const bool supervised =
        child && m_source->isAlive(i.parent().data(ProcessTreeModel::PidRole).value<Pid>());
    for (QAction *a : { m_kill, m_exitNormal, m_shutdown, m_customReason })
        a->setEnabled(alive && can.testFlag(Source::Action::ExitProcess));
    m_throw->setEnabled(alive && running);
    m_restart->setEnabled(can.testFlag(Source::Action::RestartChild) && supervised
                          && state == ProcessTreeModel::State::Dead);
    m_terminate->setEnabled(can.testFlag(Source::Action::TerminateChild) && supervised && alive);
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
        // Without a runner, what the views show: every process of the source,
        // the restarts the tree counted.
        processes = int(m_source->processes().size());
        const std::function<int(const QModelIndex &)> count = [&](const QModelIndex &parent) {
            int n = parent.data(ProcessTreeModel::RestartsRole).toInt();
            for (int r = 0; r < m_processModel->rowCount(parent); ++r)
                n += count(m_processModel->index(r, 0, parent));
            return n;
        };
        restarts = count({});
    }
    const QString lostText =
        lost > 0 ? tr("<b style='color:#d32f2f'>%1 lost</b>").arg(lost) : tr("0 lost");
    m_statusCounts->setText(
        QStringList({ processes == 1 ? tr("1 process") : tr("%1 processes").arg(processes),
                      restarts == 1 ? tr("1 restart") : tr("%1 restarts").arg(restarts),
                      tables == 1 ? tr("1 table") : tr("%1 tables").arg(tables),
                      rows == 1 ? tr("1 row") : tr("%1 rows").arg(rows), lostText })
            .join(QStringLiteral(" · ")));
    QStringList mode;
    if (m_runner && m_runner->isPaused())
        mode << tr("PAUSED");
    if (m_runner && m_runner->chaos() && m_runner->chaos()->isEnabled())
        mode << tr("chaos %1/s, %2 kills")
                    .arg(m_runner->chaos()->rate())
                    .arg(m_runner->chaos()->kills());
    if (m_runner && !m_runner->isRunning())
        mode << tr("stopped");
    if (m_replay)
        mode << tr("REPLAY %1").arg(QFileInfo(m_replay->fileName()).fileName());
    m_statusMode->setText(mode.join(QStringLiteral(" · ")));
    updatePauseAction();
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
