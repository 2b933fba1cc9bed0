#pragma once
// The simulator's shared state: weights over time, and synthetic traffic that follows them.
// Deterministic for a seed: health at a given second depends only on the seed, the weights in
// force then and the faults set then. Thread-safe (the traffic and metrics halves may be used
// from different threads).

#include "domain.h"

#include <QJsonObject>
#include <QMutex>

namespace Switchboard {

class SimWorld final
{
public:
    struct Settings
    {
        quint64 seed = 42;
        QStringList stable{QStringLiteral("app-v1-a"), QStringLiteral("app-v1-b")};
        QStringList canary{QStringLiteral("app-v2-a")};
        double initialCanaryPercent = 10;
        double totalRps = 800;
        double stableErrorRatio = 0.002;
        double stableP50Ms = 12;
        double stableP99Ms = 48;
        double canaryErrorRatio = 0.003;
        double canaryP50Ms = 13;
        double canaryP99Ms = 55;
        // Share of the synthetic users who are testers: they carry every route's header or
        // cookie, so while any route is in force they reach the canary whatever the weights.
        double testerShare = 0.02;
        // Servers whose health check fails from the start ("DOWN", check "L7STS").
        QStringList downMembers;
    };
    // Reads the "sim" object of a target ({"seed":42, "canaryErrorRatio":0.2, ...}).
    static Settings settingsFrom(const QJsonObject &sim);

    // History starts `historyMs` before `startMs`, with the initial weights.
    explicit SimWorld(const Settings &settings, qint64 startMs, qint64 historyMs = 24LL * 3600 * 1000);

    QList<Member> members() const;
    QMap<QString, int> weights() const;
    void setWeights(const QMap<QString, int> &weights, qint64 atMs);
    QList<TrafficRoute> routes() const;
    void setRoutes(const QList<TrafficRoute> &routes, qint64 atMs);
    // Make the canary misbehave from `atMs` on (a demo or a test of the gates).
    void setCanaryFault(double errorRatio, double p50Ms, double p99Ms, qint64 atMs);
    // A server's health check starts (down) or stops failing.
    void setMemberDown(const QString &name, bool down);
    // Simulated outage of the traffic layer's API.
    void setReachable(bool reachable);
    bool isReachable() const;
    // Simulated outage of the metrics layer (a Prometheus that is down): queries fail.
    void setMetricsReachable(bool reachable);
    bool isMetricsReachable() const;

    HealthSample health(Version v, qint64 atMs) const;
    double canaryPercentAt(qint64 atMs) const;
    Settings settings() const;

private:
    struct WeightEpoch { qint64 fromMs; QMap<QString, int> weights; };
    struct FaultEpoch { qint64 fromMs; double errorRatio, p50Ms, p99Ms; };
    struct RouteEpoch { qint64 fromMs; QList<TrafficRoute> routes; };
    bool routedAtLocked(qint64 atMs) const;
    double noise(qint64 second, int channel) const; // in [-1, 1]
    double smoothNoise(qint64 ms, int channel) const; // in [-1, 1], changes over tens of seconds
    const QMap<QString, int> &weightsAtLocked(qint64 atMs) const;

    mutable QMutex m_mutex;
    Settings m_settings;
    QList<WeightEpoch> m_weights;
    QList<FaultEpoch> m_faults;
    QList<RouteEpoch> m_routes; // oldest first; none before the first
    bool m_reachable = true;
    bool m_metricsReachable = true;
};

} // namespace Switchboard
