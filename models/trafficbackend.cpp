#include "trafficbackend.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QHash>
#include <QPointer>
#include <QThread>

#include <mutex>

namespace Switchboard {

namespace {

const QEvent::Type wayBackType = QEvent::Type(QEvent::registerEventType());

struct WayBack
{
    QPointer<TrafficBackend> backend;
    WeightChange change;
};
// The ways back not run yet, per backend thread, oldest first.
std::mutex g_wayBackMutex;
QHash<QThread *, QList<WayBack>> g_waysBack;

// On a backend thread: runs the ways back waiting for any backend of this thread.
void runWaysBack()
{
    for (;;) {
        WayBack next;
        {
            std::lock_guard lock(g_wayBackMutex);
            const auto it = g_waysBack.find(QThread::currentThread());
            if (it == g_waysBack.end())
                return;
            if (it->isEmpty()) {
                g_waysBack.erase(it);
                return;
            }
            next = it->takeFirst();
        }
        if (next.backend)
            next.backend->apply(next.change);
    }
}

} // namespace

void TrafficBackend::postWayBack(TrafficBackend *backend, const WeightChange &change)
{
    {
        std::lock_guard lock(g_wayBackMutex);
        g_waysBack[backend->thread()].append({backend, change});
    }
    // Wakes the thread when it is idle; when it is not, the next call it starts, whichever
    // backend of the thread it is for, runs the way back first (event()).
    QCoreApplication::postEvent(backend, new QEvent(wayBackType), Qt::HighEventPriority);
}

bool TrafficBackend::event(QEvent *event)
{
    // Qt delivers the events queued when a pass of its event loop began in their order, so a
    // high priority alone does not pass the reads already queued then: every event of every
    // backend of the thread looks for a way back first.
    runWaysBack();
    if (event->type() == wayBackType)
        return true;
    return QObject::event(event);
}

void TrafficBackend::requestStop()
{
    m_stop.store(true, std::memory_order_relaxed);
    onStopRequested();
}

void TrafficBackend::promoteStep()
{
    // Weights set from outside have no "next step": that is the rollout engine's plan, which
    // lives in the app, not in the traffic layer.
    ChangeResult r;
    r.status = ChangeResult::Status::Failed;
    r.requestedCanaryPercent = unknown();
    r.message = QStringLiteral("this traffic layer has no steps of its own: use set-weight, or run a preset");
    Q_EMIT stepPromoted(r);
}

void TrafficBackend::editRoutes(const WeightChange &change)
{
    ChangeResult r;
    r.status = ChangeResult::Status::Failed;
    r.requestedCanaryPercent = change.canaryPercent;
    r.message = QStringLiteral("nothing changed: this traffic layer has no tester routes");
    Q_EMIT changeFinished(r);
}

void TrafficBackend::deployImage(const QString &image, const QString &container)
{
    DeployResult r;
    r.imageAfter = image;
    r.container = container;
    r.message = QStringLiteral("this traffic layer runs no images: deploy applies to the Kubernetes kinds deployments and deployment");
    Q_EMIT imageDeployed(r);
}

void TrafficBackend::setLeaseStore(std::unique_ptr<LeaseStore> store)
{
    m_leaseStore = std::move(store);
}

void TrafficBackend::handleLease(const LeaseRequest &request)
{
    Q_EMIT leaseAnswered(LeaseKeeper::handle(m_leaseStore.get(), request, QDateTime::currentMSecsSinceEpoch()));
}

} // namespace Switchboard
