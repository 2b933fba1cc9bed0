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

// The deadline of the StopScope in force (Forever: none). Hosts are destroyed and shared threads
// ended on the GUI thread, but a guard costs nothing.
std::mutex g_stopMutex;
QDeadlineTimer g_stopDeadline(QDeadlineTimer::Forever);

// A wait of `ms` from now, cut to the common deadline of a StopScope in force.
QDeadlineTimer boundedWait(int ms)
{
    const QDeadlineTimer own(ms);
    std::lock_guard lock(g_stopMutex);
    return g_stopDeadline.isForever() || own.deadlineNSecs() <= g_stopDeadline.deadlineNSecs() ? own : g_stopDeadline;
}

// Waits until `deadline` for `thread` to end, then deletes it. A thread still busy then is left
// to finish alone (counted as stranded meanwhile): its QThread object deletes itself when it ends.
void endThread(QThread *thread, QDeadlineTimer deadline)
{
    if (thread->wait(deadline)) {
        delete thread;
        return;
    }
    ++g_stranded;
    // Once, whichever comes first: `finished` (emitted on the ending thread), or the check
    // below for a thread that ended between the wait giving up and the connection.
    auto done = std::make_shared<std::atomic_bool>(false);
    auto release = [thread, done] {
        if (done->exchange(true))
            return;
        --g_stranded;
        thread->deleteLater();
    };
    QObject::connect(thread, &QThread::finished, thread, release, Qt::DirectConnection);
    if (thread->isFinished()) // true only after `finished` was emitted
        release();
}

// Deletes `backend` on its own thread and ends the thread; waits until `deadline`. A thread
// still busy then deletes its backend when its call returns, then ends (endThread).
void retireOwn(QObject *backend, std::unique_ptr<QThread> owned, QDeadlineTimer deadline)
{
    QThread *thread = owned.release();
    QMetaObject::invokeMethod(backend, [backend, thread] {
        delete backend;
        thread->quit();
    }, Qt::QueuedConnection);
    endThread(thread, deadline);
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
        endThread(th, boundedWait(BackendHost::joinTimeoutMs));
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

BackendHost::StopScope::StopScope(int withinMs)
{
    std::lock_guard lock(g_stopMutex);
    m_outer = g_stopDeadline;
    const QDeadlineTimer mine(withinMs);
    if (m_outer.isForever() || mine.deadlineNSecs() < m_outer.deadlineNSecs())
        g_stopDeadline = mine;
}

BackendHost::StopScope::~StopScope()
{
    std::lock_guard lock(g_stopMutex);
    g_stopDeadline = m_outer;
}

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
                         const QString &threadName, const SharedThreads &shared)
    : m_threadName(threadName)
{
    registerMetaTypes();
    m_traffic = traffic.release();
    m_trafficThread = place(m_traffic, shared.traffic, QStringLiteral("traffic"));
    if (metrics) {
        m_metrics = metrics.release();
        m_metricsThread = place(m_metrics, shared.metrics, QStringLiteral("metrics"));
    }
}

BackendHost::Placement BackendHost::place(QObject *backend, const QString &sharedKey, const QString &role) const
{
    Placement p;
    if (!sharedKey.isEmpty()) {
        p.shared = sharedThread(sharedKey + QLatin1Char(':') + role);
        backend->moveToThread(p.shared.get());
        return p;
    }
    p.own = std::make_unique<QThread>();
    p.own->setObjectName(m_threadName + QLatin1Char(':') + role);
    backend->moveToThread(p.own.get());
    p.own->start();
    return p;
}

void BackendHost::retire(QObject *backend, Placement placement, QDeadlineTimer deadline)
{
    if (placement.shared)
        retireShared(backend, std::move(placement.shared), deadline);
    else
        retireOwn(backend, std::move(placement.own), deadline);
}

void BackendHost::addFastSignal(std::unique_ptr<MetricsSource> source, int intervalMs, const QString &sharedThreadKey)
{
    if (!source || m_fast)
        return;
    m_fast = source.release();
    m_fastThread = place(m_fast, sharedThreadKey, QStringLiteral("fast"));
    m_fastIntervalMs = intervalMs;
}

BackendHost::~BackendHost()
{
    // Sockets and timers must die on the thread that owns them. A call under way is asked to
    // stop first, so both threads usually end at once; the wait is bounded whatever they do.
    requestStop();
    const QDeadlineTimer deadline = boundedWait(joinTimeoutMs);
    if (m_metrics)
        retire(m_metrics, std::move(m_metricsThread), deadline);
    if (m_fast)
        retire(m_fast, std::move(m_fastThread), deadline);
    retire(m_traffic, std::move(m_trafficThread), deadline);
}

} // namespace Switchboard
