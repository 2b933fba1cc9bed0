#include "backendfactory.h"

#include "haproxystatsource.h"
#include "haproxytrafficbackend.h"
#include "prometheusmetricssource.h"
#include "simmetricssource.h"
#include "simtrafficbackend.h"
#include "simworld.h"

#include <QDateTime>

namespace Switchboard {

std::unique_ptr<MetricsSource> createMetricsSource(const TargetConfig &target, QString *error)
{
    if (target.settings.contains(QStringLiteral("prometheus"))) {
        // Prometheus wins over the traffic layer's own counters whatever the kind: it has
        // latency histograms, and it is what the operator configured on purpose.
        PrometheusMetricsSource::Settings s;
        if (!PrometheusMetricsSource::Settings::fromTarget(target, &s, error))
            return nullptr;
        return std::make_unique<PrometheusMetricsSource>(std::move(s));
    }
    if (target.kind == QStringLiteral("haproxy")) {
        HaproxyTargetSettings s;
        QString err;
        if (!HaproxyTargetSettings::fromJson(target.settings.value(QStringLiteral("haproxy")).toObject(), &s, &err)) {
            *error = QStringLiteral("target \"%1\": %2").arg(target.name, err);
            return nullptr;
        }
        return std::make_unique<HaproxyStatSource>(s);
    }
    return nullptr;
}

std::unique_ptr<BackendHost> createBackends(const TargetConfig &target, QString *error,
                                            std::shared_ptr<SimWorld> *worldOut)
{
    const QString thread = QStringLiteral("backend:") + target.name;
    if (target.kind == QStringLiteral("sim")) {
        auto world = std::make_shared<SimWorld>(SimWorld::settingsFrom(target.settings.value(QStringLiteral("sim")).toObject()),
                                                QDateTime::currentMSecsSinceEpoch());
        if (worldOut)
            *worldOut = world;
        std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, error);
        if (!metrics && !error->isEmpty())
            return nullptr;
        if (!metrics)
            metrics = std::make_unique<SimMetricsSource>(world);
        return std::make_unique<BackendHost>(std::make_unique<SimTrafficBackend>(world), std::move(metrics), thread);
    }
    if (target.kind == QStringLiteral("haproxy")) {
        HaproxyTargetSettings s;
        QString err;
        if (!HaproxyTargetSettings::fromJson(target.settings.value(QStringLiteral("haproxy")).toObject(), &s, &err)) {
            *error = QStringLiteral("target \"%1\": %2").arg(target.name, err);
            return nullptr;
        }
        QString metricsError;
        std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, &metricsError);
        if (!metricsError.isEmpty()) {
            *error = metricsError;
            return nullptr;
        }
        return std::make_unique<BackendHost>(std::make_unique<HaproxyTrafficBackend>(s), std::move(metrics), thread);
    }
    *error = QStringLiteral("target \"%1\": kind \"%2\" is not supported by this build").arg(target.name, target.kind);
    return nullptr;
}

} // namespace Switchboard
