#include "trafficbackend.h"

#include <QDateTime>

namespace Switchboard {

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
