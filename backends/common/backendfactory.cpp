#include "backendfactory.h"

#include "fileleasestore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>

#include "argorolloutbackend.h"
#include "deploymentpairbackend.h"
#include "deploymentrolloutbackend.h"
#include "gatewayroutebackend.h"
#include "haproxytrafficbackend.h"
#include "istiovirtualservicebackend.h"
#include "layerparts.h"
#include "nginxtrafficbackend.h"
#include "prometheusmetricssource.h"
#include "simtrafficbackend.h"

namespace Switchboard {

namespace {

// The registration: one line per kind of traffic layer. A new layer adds its folder under
// backends/, a static create() on its backend, and a line here.
struct Kind
{
    const char *name;
    LayerCreateFn create;
};
constexpr Kind kinds[] = {
    {"sim", &SimTrafficBackend::create},
    {"haproxy", &HaproxyTrafficBackend::create},
    {"nginx", &NginxTrafficBackend::create},
    {"gateway-api", &GatewayRouteBackend::create},
    {"istio", &IstioVirtualServiceBackend::create},
    {"argo-rollouts", &ArgoRolloutBackend::create},
    {"deployments", &DeploymentPairBackend::create},
    {"deployment", &DeploymentRolloutBackend::create},
};

const Kind *findKind(const QString &name)
{
    for (const Kind &k : kinds) {
        if (name == QLatin1String(k.name))
            return &k;
    }
    return nullptr;
}

bool buildLayer(const TargetConfig &target, LayerParts *parts, QString *error)
{
    const Kind *kind = findKind(target.kind);
    if (!kind) {
        *error = QStringLiteral("target \"%1\": kind \"%2\" is not supported by this build").arg(target.name, target.kind);
        return false;
    }
    QString err;
    if (!kind->create(target.settings.value(target.kind).toObject(), parts, &err)) {
        *error = QStringLiteral("target \"%1\": %2").arg(target.name, err);
        return false;
    }
    return true;
}

// Prometheus wins over the traffic layer's own counters whatever the kind: it has latency
// histograms, and it is what the operator configured on purpose.
std::unique_ptr<MetricsSource> prometheusSource(const TargetConfig &target, QString *error)
{
    PrometheusMetricsSource::Settings s;
    if (!PrometheusMetricsSource::Settings::fromTarget(target, &s, error))
        return nullptr;
    return std::make_unique<PrometheusMetricsSource>(std::move(s));
}

// Worker threads per Prometheus server, shared by the targets that read it.
constexpr size_t prometheusThreads = 4;

} // namespace

std::unique_ptr<MetricsSource> createMetricsSource(const TargetConfig &target, QString *error)
{
    if (target.settings.contains(QStringLiteral("prometheus")))
        return prometheusSource(target, error);
    LayerParts parts;
    if (!buildLayer(target, &parts, error))
        return nullptr;
    return std::move(parts.ownMetrics);
}

std::unique_ptr<BackendHost> createBackends(const TargetConfig &target, QString *error,
                                            std::shared_ptr<SimWorld> *worldOut)
{
    // Kubernetes kinds check their settings here; the kubeconfig is read by the backend on its
    // thread at the first refresh (and again until it works), so a fixed kubeconfig needs no restart.
    LayerParts parts;
    if (!buildLayer(target, &parts, error))
        return nullptr;
    std::unique_ptr<MetricsSource> metrics = std::move(parts.ownMetrics);
    if (target.settings.contains(QStringLiteral("prometheus"))) {
        QString metricsError; // the caller's string may hold something already
        metrics = prometheusSource(target, &metricsError);
        if (!metrics) {
            *error = metricsError;
            return nullptr;
        }
    }
    if (worldOut)
        *worldOut = parts.simWorld;
    if (!parts.lease && target.kind == QLatin1String("sim")) {
        // The simulator lives in each process: its lease is shared through the user's runtime
        // folder, so two Switchboards of one user on one machine still see each other's.
        // $XDG_RUNTIME_DIR itself, not QStandardPaths: without it (cron, env -i) Qt would warn
        // on stderr, which scripts read; the fallback is per user in the temporary folder.
        QString dir = qEnvironmentVariable("XDG_RUNTIME_DIR");
        if (dir.isEmpty())
            dir = QDir::tempPath() + QStringLiteral("/switchboard-%1").arg(qEnvironmentVariable("USER", QStringLiteral("user")));
        parts.lease = std::make_unique<FileLeaseStore>(dir + QStringLiteral("/switchboard/leases/sim-%1.lease").arg(QString(target.name).replace(QLatin1Char('/'), QLatin1Char('_'))));
    }
    parts.traffic->setLeaseStore(std::move(parts.lease));
    // The simulator's calls never wait on anything: every simulated target shares one pair of
    // worker threads. The targets on one load balancer share its threads and connections
    // (LayerParts::sharedServerKey). Other layers that talk to servers keep threads of their own
    // (BackendHost). The targets that read one Prometheus share a few threads, each target
    // always the same one: threads stay bounded however many targets there are, and a slow query
    // holds up a quarter of them at most (never a rollback: it does not go through metrics).
    // (A simulated target whose metrics come from a real Prometheus keeps its own traffic thread.)
    const bool prometheus = target.settings.contains(QStringLiteral("prometheus"));
    const bool simOnly = target.kind == QLatin1String("sim") && !prometheus && !parts.fastMetrics;
    BackendHost::SharedThreads shared;
    if (simOnly) {
        shared = {QStringLiteral("sim"), QStringLiteral("sim")};
    } else if (!parts.sharedServerKey.isEmpty()) {
        shared.traffic = parts.sharedServerKey;
        if (!prometheus)
            shared.metrics = parts.sharedServerKey; // the layer's own counters, from the same server
    }
    if (prometheus) {
        const QString url = target.settings.value(QStringLiteral("prometheus")).toObject().value(QStringLiteral("url")).toString();
        shared.metrics = QStringLiteral("prometheus %1 #%2").arg(url).arg(qHash(target.name) % prometheusThreads);
    }
    auto host = std::make_unique<BackendHost>(std::move(parts.traffic), std::move(metrics),
                                              QStringLiteral("backend:") + target.name, shared);
    if (parts.fastMetrics)
        host->addFastSignal(std::move(parts.fastMetrics), parts.fastSignalMs, parts.sharedServerKey);
    return host;
}

} // namespace Switchboard
