#include "backendhost.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QSemaphore>

#include <algorithm>
#include <atomic>
#include <mutex>

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

// Shared worker threads by key, alive while a host uses them. The last host to let go of one
// ends it, with the same bounded wait as a thread of its own.
std::mutex g_sharedMutex;
QHash<QString, std::weak_ptr<QThread>> g_shared;
std::atomic<int> g_sharedAlive{0};

std::shared_ptr<QThread> sharedThread(const QString &name)
{
    std::lock_guard lock(g_sharedMutex);
    if (std::shared_ptr<QThread> t = g_shared.value(name).lock())
        return t;
    auto *thread = new QThread;
    thread->setObjectName(name);
    thread->start();
    ++g_sharedAlive;
    std::shared_ptr<QThread> t(thread, [](QThread *th) {
        --g_sharedAlive;
        th->quit();
        if (th->wait(QDeadlineTimer(BackendHost::joinTimeoutMs))) {
            delete th;
            return;
        }
        ++g_stranded;
        QObject::connect(th, &QThread::finished, th, [th] {
            --g_stranded;
            th->deleteLater();
        }, Qt::DirectConnection);
    });
    g_shared.insert(name, t);
    return t;
}

// Deletes `backend` on the shared thread it lives on, waiting until `deadline`; a thread busy
// past it deletes the backend when it gets to it. The thread itself goes with its last user.
void retireShared(QObject *backend, std::shared_ptr<QThread> thread, QDeadlineTimer deadline)
{
    auto done = std::make_shared<QSemaphore>(0);
    QMetaObject::invokeMethod(backend, [backend, done] {
        delete backend;
        done->release();
    }, Qt::QueuedConnection);
    done->tryAcquire(1, int(std::max<qint64>(0, deadline.remainingTime())));
    thread.reset();
}

} // namespace

int BackendHost::sharedThreads()
{
    return g_sharedAlive.load();
}

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
                         const QString &threadName, const QString &sharedThreadKey)
    : m_threadName(threadName)
{
    registerMetaTypes();
    m_traffic = traffic.release();
    if (!sharedThreadKey.isEmpty()) {
        m_sharedTraffic = sharedThread(sharedThreadKey + QStringLiteral(":traffic"));
        m_traffic->moveToThread(m_sharedTraffic.get());
    } else {
        m_trafficThread = std::make_unique<QThread>();
        m_trafficThread->setObjectName(threadName + QStringLiteral(":traffic"));
        m_traffic->moveToThread(m_trafficThread.get());
        m_trafficThread->start();
    }
    if (metrics) {
        m_metrics = metrics.release();
        if (!sharedThreadKey.isEmpty()) {
            m_sharedMetrics = sharedThread(sharedThreadKey + QStringLiteral(":metrics"));
            m_metrics->moveToThread(m_sharedMetrics.get());
        } else {
            m_metricsThread = std::make_unique<QThread>();
            m_metricsThread->setObjectName(threadName + QStringLiteral(":metrics"));
            m_metrics->moveToThread(m_metricsThread.get());
            m_metricsThread->start();
        }
    }
}

void BackendHost::addFastSignal(std::unique_ptr<MetricsSource> source, int intervalMs, const QString &sharedThreadKey)
{
    if (!source || m_fast)
        return;
    m_fast = source.release();
    if (!sharedThreadKey.isEmpty()) {
        m_sharedFast = sharedThread(sharedThreadKey + QStringLiteral(":fast"));
        m_fast->moveToThread(m_sharedFast.get());
    } else {
        m_fastThread = std::make_unique<QThread>();
        m_fastThread->setObjectName(m_threadName + QStringLiteral(":fast"));
        m_fast->moveToThread(m_fastThread.get());
        m_fastThread->start();
    }
    m_fastIntervalMs = intervalMs;
}

BackendHost::~BackendHost()
{
    // Sockets and timers must die on the thread that owns them. A call under way is asked to
    // stop first, so both threads usually end at once; the wait is bounded whatever they do.
    requestStop();
    const QDeadlineTimer deadline(joinTimeoutMs);
    if (m_metrics && m_sharedMetrics)
        retireShared(m_metrics, std::move(m_sharedMetrics), deadline);
    else if (m_metrics)
        retire(m_metrics, std::move(m_metricsThread), deadline);
    if (m_fast && m_sharedFast)
        retireShared(m_fast, std::move(m_sharedFast), deadline);
    else if (m_fast)
        retire(m_fast, std::move(m_fastThread), deadline);
    if (m_sharedTraffic)
        retireShared(m_traffic, std::move(m_sharedTraffic), deadline);
    else
        retire(m_traffic, std::move(m_trafficThread), deadline);
}

} // namespace Switchboard
