#pragma once

#include "scenario.h"

#include <immortal/process.h>

#include <QList>
#include <QTimer>

#include <atomic>
#include <memory>

namespace immortal {

// The worker process of a scenario: the C++ twin of the seed's TableConsumer.
// Started by its supervisor, it is alive at once but waits its boot delay
// before it registers its name (so a person can watch the manager hold the
// table while the consumer reboots); then it runs its workload on a timer.
// Tables come to it through ETS-TRANSFER (from a TableManager) or, for a
// table of its own, it creates them when it boots.
class ScenarioWorker : public Process
{
    Q_OBJECT
public:
    struct Config
    {
        QString name; // registered after the boot delay; may be empty
        int bootDelayMs = 0;
        Scenario::Workload workload;
        // While true the workload skips its ticks (the runner's pause).
        std::shared_ptr<const std::atomic<bool>> paused;
        bool trapExit = false;
        bool ignoreShutdown = false; // its supervisor must kill it
    };

    explicit ScenarioWorker(const Config &config, QObject *parent = nullptr);
    ~ScenarioWorker() override;

    bool isBooted() const { return m_booted; }
    QList<TableId> tables() const { return m_tables; } // tables it writes to
    qint64 ticks() const { return m_ticks; }

Q_SIGNALS:
    void booted();
    void wrote(immortal::TableId table, qint64 value);

protected:
    void handleEtsTransfer(TableId table, Pid from, const Term &data) override;
    void terminate(const Term &reason) override;

private:
    void boot();
    void tick();
    bool wants(TableId table) const;
    void write(TableId table);

    Config m_config;
    QTimer m_workTimer;
    QList<TableId> m_tables;
    bool m_booted = false;
    qint64 m_ticks = 0;
};

} // namespace immortal
