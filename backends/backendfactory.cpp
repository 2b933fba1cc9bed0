#include "backendfactory.h"

#include "argorolloutbackend.h"
#include "gatewayroutebackend.h"
#include "haproxystatsource.h"
#include "haproxytrafficbackend.h"
#include "istiovirtualservicebackend.h"
#include "nginxtrafficbackend.h"
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
        QString metricsError; // the caller's string may hold something already
        std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, &metricsError);
        if (!metricsError.isEmpty()) {
            *error = metricsError;
            return nullptr;
        }
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
    if (target.kind == QStringLiteral("nginx")) {
        NginxTargetSettings s;
        QString err;
        if (!NginxTargetSettings::fromJson(target.settings.value(QStringLiteral("nginx")).toObject(), &s, &err)) {
            *error = QStringLiteral("target \"%1\": %2").arg(target.name, err);
            return nullptr;
        }
        // nginx open source counts nothing per upstream server: metrics come from Prometheus
        // (the apps' own histograms) when the target has a "prometheus" object, else none.
        QString metricsError;
        std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, &metricsError);
        if (!metricsError.isEmpty()) {
            *error = metricsError;
            return nullptr;
        }
        return std::make_unique<BackendHost>(std::make_unique<NginxTrafficBackend>(s), std::move(metrics), thread);
    }
    // Kubernetes kinds: settings are checked here, the kubeconfig is read by the backend on its
    // thread at the first refresh (and again until it works), so a fixed kubeconfig needs no restart.
    const auto kube = [&](auto settings, auto make) -> std::unique_ptr<BackendHost> {
        QString err;
        if (!decltype(settings)::fromJson(target.settings.value(target.kind).toObject(), &settings, &err)) {
            *error = QStringLiteral("target \"%1\": %2").arg(target.name, err);
            return nullptr;
        }
        QString metricsError;
        std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, &metricsError);
        if (!metricsError.isEmpty()) {
            *error = metricsError;
            return nullptr;
        }
        return std::make_unique<BackendHost>(make(std::move(settings)), std::move(metrics), thread);
    };
    if (target.kind == QStringLiteral("gateway-api")) {
        return kube(GatewayRouteBackend::Settings{}, [](GatewayRouteBackend::Settings s) {
            return std::make_unique<GatewayRouteBackend>(std::move(s));
        });
    }
    if (target.kind == QStringLiteral("istio")) {
        return kube(IstioVirtualServiceBackend::Settings{}, [](IstioVirtualServiceBackend::Settings s) {
            return std::make_unique<IstioVirtualServiceBackend>(std::move(s));
        });
    }
    if (target.kind == QStringLiteral("argo-rollouts")) {
        return kube(ArgoRolloutBackend::Settings{}, [](ArgoRolloutBackend::Settings s) {
            return std::make_unique<ArgoRolloutBackend>(std::move(s));
        });
    }
    *error = QStringLiteral("target \"%1\": kind \"%2\" is not supported by this build").arg(target.name, target.kind);
    return nullptr;
}

} // namespace Switchboard
