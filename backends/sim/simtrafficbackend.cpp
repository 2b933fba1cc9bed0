#include "simtrafficbackend.h"

#include "simmetricssource.h"
#include "weightchange.h"

#include <QDateTime>

namespace Switchboard {

bool SimTrafficBackend::create(const QJsonObject &settings, LayerParts *out, QString *)
{
    auto world = std::make_shared<SimWorld>(SimWorld::settingsFrom(settings), QDateTime::currentMSecsSinceEpoch());
    out->traffic = std::make_unique<SimTrafficBackend>(world);
    out->ownMetrics = std::make_unique<SimMetricsSource>(world);
    out->simWorld = std::move(world);
    return true;
}

SimTrafficBackend::SimTrafficBackend(std::shared_ptr<SimWorld> world, QObject *parent)
    : TrafficBackend(parent)
    , m_world(std::move(world))
{
}

void SimTrafficBackend::refresh()
{
    if (!m_world->isReachable()) {
        Q_EMIT refreshFailed(QStringLiteral("simulator: traffic layer unreachable (simulated outage)"));
        return;
    }
    TrafficSnapshot s;
    s.timeMs = QDateTime::currentMSecsSinceEpoch();
    s.members = m_world->members();
    s.split = TrafficSplit::fromMembers(s.members);
    s.routes = m_world->routes();
    s.routesRefusal.clear();
    Q_EMIT snapshotReady(s);
}

void SimTrafficBackend::apply(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    if (!m_world->isReachable()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("simulator: traffic layer unreachable (simulated outage)");
        Q_EMIT changeFinished(r);
        return;
    }
    const QList<Member> members = m_world->members();
    r.before = m_world->weights();
    QMap<QString, int> target;
    if (!checkAndPlan(change, members, r.before, &target, &r)) {
        Q_EMIT changeFinished(r);
        return;
    }
    m_world->setWeights(target, QDateTime::currentMSecsSinceEpoch());
    r.after = m_world->weights();
    if (change.clearRoutes) {
        r.routesTouched = true;
        r.routesBefore = m_world->routes();
        if (!r.routesBefore.isEmpty())
            m_world->setRoutes({}, QDateTime::currentMSecsSinceEpoch());
    }
    r.status = ChangeResult::Status::Applied;
    r.message = describeApplied(members, r.after);
    Q_EMIT changeFinished(r);
}

void SimTrafficBackend::editRoutes(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    r.routesTouched = true;
    r.before = r.after = m_world->weights();
    r.routesBefore = r.routesAfter = m_world->routes();
    if (!m_world->isReachable() || !change.routeEdit) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("simulator: traffic layer unreachable (simulated outage)");
        Q_EMIT changeFinished(r);
        return;
    }
    const RouteEdit &edit = *change.routeEdit;
    if (edit.conflictsWith(r.routesBefore)) {
        r.status = ChangeResult::Status::Conflict;
        r.message = QStringLiteral("routes changed meanwhile: now %1").arg(describeRoutes(r.routesBefore));
        Q_EMIT changeFinished(r);
        return;
    }
    m_world->setRoutes(edit.applyTo(r.routesBefore), QDateTime::currentMSecsSinceEpoch());
    r.routesAfter = m_world->routes();
    r.status = ChangeResult::Status::Applied;
    r.message = QStringLiteral("%1; routes now: %2").arg(edit.describe(), describeRoutes(r.routesAfter));
    Q_EMIT changeFinished(r);
}

} // namespace Switchboard
