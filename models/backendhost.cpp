#include "backendhost.h"

#include <QDeadlineTimer>

#include <atomic>

namespace Switchboard {

namespace {

std::atomic<int> g_stranded{0};

// Deletes `backend` on its own thread and ends the thread; waits until `deadline`. A thread
// still busy then is left to finish alone: it deletes its backend when its call returns, then
// ends, and its QThread object deletes itself.
void retire(QObject *backend, std::unique_ptr<QThread> owned, QDeadlineTimer deadline)
{
    QThread *thread = owned.get();
    QMetaObject::invokeMethod(backend, [backend, thread] {
        delete backend;
        thread->quit();
    }, Qt::QueuedConnection);
    if (thread->wait(deadline))
        return; // `owned` deletes the finished thread
    ++g_stranded;
    QObject::connect(thread, &QThread::finished, thread, [thread] {
        --g_stranded;
        thread->deleteLater();
    }, Qt::DirectConnection);
    (void)owned.release();
}

} // namespace

int BackendHost::strandedThreads()
{
    return g_stranded.load();
}

void BackendHost::requestStop()
{
    if (m_metrics)
        m_metrics->requestStop();
    if (m_fast)
        m_fast->requestStop();
    m_traffic->requestStop();
}

void registerMetaTypes()
{
    qRegisterMetaType<TrafficSnapshot>();
    qRegisterMetaType<HealthSnapshot>();
    qRegisterMetaType<HealthSeries>();
    qRegisterMetaType<WeightChange>();
    qRegisterMetaType<ChangeResult>();
    qRegisterMetaType<DeployResult>();
    qRegisterMetaType<LeaseRequest>();
    qRegisterMetaType<LeaseResult>();
}

BackendHost::BackendHost(std::unique_ptr<TrafficBackend> traffic, std::unique_ptr<MetricsSource> metrics,
                         const QString &threadName)
    : m_trafficThread(std::make_unique<QThread>())
    , m_threadName(threadName)
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

void BackendHost::addFastSignal(std::unique_ptr<MetricsSource> source, int intervalMs)
{
    if (!source || m_fast)
        return;
    m_fastThread = std::make_unique<QThread>();
    m_fastThread->setObjectName(m_threadName + QStringLiteral(":fast"));
    m_fast = source.release();
    m_fast->moveToThread(m_fastThread.get());
    m_fastThread->start();
    m_fastIntervalMs = intervalMs;
}

BackendHost::~BackendHost()
{
    // Sockets and timers must die on the thread that owns them. A call under way is asked to
    // stop first, so both threads usually end at once; the wait is bounded whatever they do.
    requestStop();
    const QDeadlineTimer deadline(joinTimeoutMs);
    if (m_metrics)
        retire(m_metrics, std::move(m_metricsThread), deadline);
    if (m_fast)
        retire(m_fast, std::move(m_fastThread), deadline);
    retire(m_traffic, std::move(m_trafficThread), deadline);
}

} // namespace Switchboard
