#pragma once

#include "scenariorunner.h"

#include <immortal/types.h>

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSlider;
class QSortFilterProxyModel;
class QTableView;
class QTemporaryFile;
class QToolBar;
class QTreeView;

namespace immortal {

class EventFilterModel;
class EventLogModel;
class InspectorWidget;
class LiveSource;
class OwnershipTimeline;
class OwnershipTimelineView;
class ProcessFilterModel;
class ProcessTreeModel;
class ReplaySource;
class Scenario;
class Source;
class SupervisionGraphView;
class TableListModel;
class TraceWriter;

// Immortal Studio's window: the supervision graph in the middle, docks for
// the process tree, the tables, the inspector and the event log around it.
// Every view reads one Source through the models: the live runtime, or a
// recorded trace (File > Open trace…) with a time slider to scrub and play
// it. It acts only through the ScenarioRunner and the Source's actions.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // With no runner: File > Open scenario… (or openScenario()) starts one.
    explicit MainWindow(QWidget *parent = nullptr);
    // Shows a runner someone else owns (and starts); the window owns no core state.
    explicit MainWindow(ScenarioRunner *runner, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Stops the current tree (if the window started it) and starts this one.
    // Throws Error if it cannot start; nothing is left running then.
    void openScenario(const Scenario &scenario);
    // Loads the file and opens it; a file that cannot be read or parsed is
    // shown in a dialog and leaves the running tree as it was (false).
    bool loadScenarioFile(const QString &path);
    ScenarioRunner *runner() const { return m_runner; }

    // Replays the trace in `path` (stopping the running tree) at its end; a
    // bad or truncated trace is shown in a dialog and changes nothing (false).
    bool loadTraceFile(const QString &path);
    // Replays a loaded trace: every view reads it from now on, at its
    // position. Stops the tree the window runs; File > Open scenario… goes
    // back to live.
    void openReplay(std::unique_ptr<ReplaySource> replay);
    Source *source() const { return m_source; } // what every view reads now
    ReplaySource *replay() const { return m_replay.get(); } // null when live

    // Renders the window (grab()) to a PNG; false if it cannot be written.
    bool saveScreenshot(const QString &path);
    // Writes every trace event since the run began as JSON Lines; false if
    // nothing was recorded or the file cannot be written.
    bool exportTraceTo(const QString &path);

    // The parts, for tests and for app/.
    ProcessTreeModel *processModel() const { return m_processModel; }
    TableListModel *tableModel() const { return m_tableModel; }
    EventLogModel *eventModel() const { return m_eventModel; }
    QTreeView *processView() const { return m_processView; } // over processFilter()
    ProcessFilterModel *processFilter() const { return m_processFilter; }
    QLineEdit *processSearch() const { return m_processSearch; }
    QTableView *tableView() const { return m_tableView; }
    SupervisionGraphView *graphView() const { return m_graph; }
    InspectorWidget *inspector() const { return m_inspector; }
    Pid currentPid() const; // the selected process's current pid, or 0

public Q_SLOTS:
    void kill(const Term &reason); // the selected process
    void killWithCustomReason();
    void restartChild();
    void terminateChild();
    void setPaused(bool paused);
    void setChaosEnabled(bool enabled);
    void showChaosSettings();
    void openScenarioFile();
    void openTraceFile();
    void saveScenarioFile();
    void exportTrace();
    void saveScreenshotAs();
    void clearDead();
    void showShortcuts(); ///< Help ▸ Keyboard shortcuts
    void showAbout(); ///< Help ▸ About
    void findNext(); // selects the next process matching the search

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override; // keeps the graph at least half the window

private:
    void build();
    void createActions();
    void createDocks();
    void createMenus();
    void attachRunner(ScenarioRunner *runner);
    void createReplayBar();
    void setSource(Source *source);
    void followInTimeline(Source *source);
    void updateReplayBar();
    void restartTraceBuffer();
    void selectEventSubject(const QModelIndex &index); // an event log row: select what it is about
    void selectProcess(quint64 key);
    void selectTable(TableId id);
    void updateActions();
    void updateStatus();
    void updatePauseAction();
    QString targetOf(const QModelIndex &index) const; // what to hand the runner
    QModelIndex currentProcessIndex() const;
    void createGraphActions();
    void keepRoomForTheGraph();
    void searchChanged(const QString &text);
    QAction *addAction(const QString &name, const QString &text, const QKeySequence &shortcut,
                       const QString &tip);

    LiveSource *m_liveSource = nullptr;
    std::unique_ptr<ReplaySource> m_replay;
    Source *m_source = nullptr;
    QPointer<ScenarioRunner> m_runner;
    std::unique_ptr<ScenarioRunner> m_ownedRunner;

    ProcessTreeModel *m_processModel = nullptr;
    TableListModel *m_tableModel = nullptr;
    EventLogModel *m_eventModel = nullptr;
    EventFilterModel *m_eventFilter = nullptr;
    OwnershipTimeline *m_timeline = nullptr;
    OwnershipTimelineView *m_timelineView = nullptr;
    QPointer<Source> m_timelineSource; // what m_timeline follows
    SupervisionGraphView *m_graph = nullptr;
    QTreeView *m_processView = nullptr;
    QTableView *m_tableView = nullptr;
    QTableView *m_eventView = nullptr;
    QLineEdit *m_eventFilterEdit = nullptr;
    InspectorWidget *m_inspector = nullptr;
    QMenu *m_processMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QLabel *m_statusCounts = nullptr;
    QLabel *m_statusMode = nullptr;
    QToolBar *m_replayBar = nullptr;
    QSlider *m_replaySlider = nullptr;
    QComboBox *m_replaySpeed = nullptr;
    QLabel *m_replayLabel = nullptr;
    QAction *m_replayPlay = nullptr;

    // Every event since the run began, for Export trace (the log keeps fewer).
    std::unique_ptr<QTemporaryFile> m_traceBuffer;
    std::unique_ptr<TraceWriter> m_traceWriter;

    QAction *m_kill = nullptr, *m_exitNormal = nullptr, *m_shutdown = nullptr,
            *m_customReason = nullptr, *m_throw = nullptr, *m_restart = nullptr,
            *m_terminate = nullptr, *m_pause = nullptr, *m_chaos = nullptr,
            *m_chaosSettings = nullptr, *m_saveScenario = nullptr;

    // Finding and folding, for big trees.
    ProcessFilterModel *m_processFilter = nullptr;
    QLineEdit *m_processSearch = nullptr;
    QAction *m_collapse = nullptr, *m_focusBranch = nullptr, *m_wholeTree = nullptr;
};

} // namespace immortal
