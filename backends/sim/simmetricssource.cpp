#include "simmetricssource.h"

#include <QDateTime>

namespace Switchboard {

SimMetricsSource::SimMetricsSource(std::shared_ptr<SimWorld> world, QObject *parent)
    : MetricsSource(parent)
    , m_world(std::move(world))
{
}

void SimMetricsSource::queryInstant()
{
    if (!m_world->isMetricsReachable()) {
        Q_EMIT queryFailed(QStringLiteral("simulator: metrics unreachable (simulated outage)"));
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Q_EMIT instantReady({m_world->health(Version::Stable, now), m_world->health(Version::Canary, now)});
}

void SimMetricsSource::queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token)
{
    if (!m_world->isMetricsReachable()) {
        Q_EMIT queryFailed(QStringLiteral("simulator: metrics unreachable (simulated outage)"));
        return;
    }
    if (stepMs <= 0 || toMs < fromMs) {
        Q_EMIT queryFailed(QStringLiteral("simulator: bad range"));
        return;
    }
    HealthSeries out;
    // Align to the step like Prometheus does, so repeated backfills line up.
    for (qint64 t = fromMs - fromMs % stepMs; t <= toMs; t += stepMs) {
        if (t < fromMs)
            continue;
        out.stable.append(m_world->health(Version::Stable, t));
        out.canary.append(m_world->health(Version::Canary, t));
        out.setCanaryPercent.append({t, m_world->canaryPercentAt(t)});
    }
    Q_EMIT rangeReady(out, token);
}

} // namespace Switchboard
