#pragma once
// Owns one target's backends and their worker threads, so that no backend call ever runs on
// the GUI thread. Traffic and metrics get a thread each: a rollback must never wait behind a
// slow metrics query (Prometheus may take its whole timeout plus retries). Destroying the host
// stops what the backends are doing and deletes each on its own thread, waiting a bounded time:
// closing a target or quitting never waits on a server that does not answer.

#include "metricssource.h"
#include "trafficbackend.h"

#include <QDeadlineTimer>
#include <QThread>

#include <memory>

namespace Switchboard {

class BackendHost final
{
public:
    // Which shared worker thread each backend runs on: empty, a thread of its own; otherwise
    // the process' shared thread "<key>:traffic" / "<key>:metrics", one for every host with
    // the key. Shared by layers whose calls never wait on anything (the simulator: a fleet of
    // them costs two threads, not two per target), and by the targets on one load balancer
    // (they talk to the same server, which answers for all of them or for none, and share its
    // connections). A layer that talks to servers of its own keeps its own thread, so a
    // rollback never waits behind another target's slow server.
    struct SharedThreads
    {
        QString traffic;
        QString metrics;
    };
    // `metrics` may be null (a target without a metrics layer).
    BackendHost(std::unique_ptr<TrafficBackend> traffic, std::unique_ptr<MetricsSource> metrics,
                const QString &threadName, const SharedThreads &shared = {});
    ~BackendHost();
    BackendHost(const BackendHost &) = delete;
    BackendHost &operator=(const BackendHost &) = delete;

    TrafficBackend *traffic() const { return m_traffic; }
    MetricsSource *metrics() const { return m_metrics; }
    // The traffic layer's own counters at a short interval (HAProxy's fast signal), on a
    // thread of its own: a slow Prometheus query must not delay it. Null when there is none.
    MetricsSource *fastMetrics() const { return m_fast; }
    int fastIntervalMs() const { return m_fastIntervalMs; }
    // Before the controller is built on this host. `sharedThreadKey` not empty: the source runs
    // on the shared worker thread "<key>:fast" with every other host's of that key (the fast
    // signals of the targets on one HAProxy: they read the same server, and a rollback never
    // goes through this thread).
    void addFastSignal(std::unique_ptr<MetricsSource> source, int intervalMs, const QString &sharedThreadKey = {});

    // Any thread: both backends end the call under way soon and take no new ones. The destructor
    // does this too; calling it first on every host lets a workspace stop all targets at once.
    void requestStop();

    // How long the destructor waits for a backend's thread to end after asking it to stop.
    static constexpr int joinTimeoutMs = 300;
    // While one lives (a workspace closing, the app quitting): every host destroyed meanwhile,
    // and every shared thread ended meanwhile, waits at most until one deadline common to all,
    // so N targets stuck on one server (a HAProxy that stopped answering: its calls end only at
    // their own timeout) cost one bounded wait, not one per target and thread. GUI thread.
    class StopScope
    {
    public:
        explicit StopScope(int withinMs = joinTimeoutMs);
        ~StopScope();
        StopScope(const StopScope &) = delete;
        StopScope &operator=(const StopScope &) = delete;

    private:
        QDeadlineTimer m_outer;
    };
    // Threads still inside a backend call after their host was destroyed (a call that ignored
    // the stop request; its own timeout still bounds it). The process must not run static
    // destructors under them: main() ends with _Exit when this is not 0.
    static int strandedThreads();

    // Shared worker threads alive now (for the tests and the fleet benchmark).
    static int sharedThreads();

private:
    // The thread one backend runs on: its own, or a shared one.
    struct Placement
    {
        std::unique_ptr<QThread> own;
        std::shared_ptr<QThread> shared;
    };
    // Moves `backend` to its thread: the shared "<sharedKey>:<role>" when the key is set, else
    // a new thread "<threadName>:<role>".
    Placement place(QObject *backend, const QString &sharedKey, const QString &role) const;
    // Deletes `backend` on its thread and lets the thread go, waiting until `deadline`.
    static void retire(QObject *backend, Placement placement, QDeadlineTimer deadline);

    Placement m_trafficThread;
    Placement m_metricsThread;
    Placement m_fastThread;
    TrafficBackend *m_traffic = nullptr;
    MetricsSource *m_metrics = nullptr;
    MetricsSource *m_fast = nullptr;
    int m_fastIntervalMs = 0;
    QString m_threadName;
};

void registerMetaTypes();

} // namespace Switchboard
