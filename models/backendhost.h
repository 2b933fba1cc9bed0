#pragma once
// Owns one target's backends and their worker threads, so that no backend call ever runs on
// the GUI thread. Traffic and metrics get a thread each: a rollback must never wait behind a
// slow metrics query (Prometheus may take its whole timeout plus retries). Destroying the host
// deletes each backend on its own thread.

#include "metricssource.h"
#include "trafficbackend.h"

#include <QThread>

#include <memory>

namespace Switchboard {

class BackendHost final
{
public:
    // `metrics` may be null (a target without a metrics layer).
    BackendHost(std::unique_ptr<TrafficBackend> traffic, std::unique_ptr<MetricsSource> metrics,
                const QString &threadName);
    ~BackendHost();
    BackendHost(const BackendHost &) = delete;
    BackendHost &operator=(const BackendHost &) = delete;

    TrafficBackend *traffic() const { return m_traffic; }
    MetricsSource *metrics() const { return m_metrics; }

private:
    std::unique_ptr<QThread> m_trafficThread;
    std::unique_ptr<QThread> m_metricsThread;
    TrafficBackend *m_traffic = nullptr;
    MetricsSource *m_metrics = nullptr;
};

void registerMetaTypes();

} // namespace Switchboard
