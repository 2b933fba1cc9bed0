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
    : m_thread(std::make_unique<QThread>())
{
    registerMetaTypes();
    m_thread->setObjectName(threadName);
    m_traffic = traffic.release();
    m_traffic->moveToThread(m_thread.get());
    if (metrics) {
        m_metrics = metrics.release();
        m_metrics->moveToThread(m_thread.get());
    }
    m_thread->start();
}

BackendHost::~BackendHost()
{
    // Sockets and timers must die on the thread that owns them. Backends bound every blocking
    // call with a timeout, so this wait is bounded too.
    TrafficBackend *traffic = m_traffic;
    MetricsSource *metrics = m_metrics;
    QMetaObject::invokeMethod(m_traffic, [traffic, metrics] {
        delete metrics;
        delete traffic;
    }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

} // namespace Switchboard
