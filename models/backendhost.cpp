#include "backendhost.h"

namespace Switchboard {

void registerMetaTypes()
{
    qRegisterMetaType<TrafficSnapshot>();
    qRegisterMetaType<HealthSnapshot>();
    qRegisterMetaType<HealthSeries>();
    qRegisterMetaType<WeightChange>();
    qRegisterMetaType<ChangeResult>();
}

BackendHost::BackendHost(std::unique_ptr<TrafficBackend> traffic, std::unique_ptr<MetricsSource> metrics,
                         const QString &threadName)
    : m_trafficThread(std::make_unique<QThread>())
{
    registerMetaTypes();
    m_trafficThread->setObjectName(threadName + QStringLiteral(":traffic"));
    m_traffic = traffic.release();
    m_traffic->moveToThread(m_trafficThread.get());
    m_trafficThread->start();
    if (metrics) {
        m_metricsThread = std::make_unique<QThread>();
        m_metricsThread->setObjectName(threadName + QStringLiteral(":metrics"));
        m_metrics = metrics.release();
        m_metrics->moveToThread(m_metricsThread.get());
        m_metricsThread->start();
    }
}

BackendHost::~BackendHost()
{
    // Sockets and timers must die on the thread that owns them. Backends bound every blocking
    // call with a timeout, so this wait is bounded too.
    if (m_metrics) {
        MetricsSource *metrics = m_metrics;
        QMetaObject::invokeMethod(metrics, [metrics] { delete metrics; }, Qt::BlockingQueuedConnection);
        m_metricsThread->quit();
        m_metricsThread->wait();
    }
    TrafficBackend *traffic = m_traffic;
    QMetaObject::invokeMethod(traffic, [traffic] { delete traffic; }, Qt::BlockingQueuedConnection);
    m_trafficThread->quit();
    m_trafficThread->wait();
}

} // namespace Switchboard
