#include "simworld.h"

#include "weightplan.h"

#include <QJsonArray>

#include <cmath>

namespace Switchboard {

namespace {

QStringList stringList(const QJsonValue &v, const QStringList &fallback)
{
    if (!v.isArray())
        return fallback;
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        if (e.isString())
            out.append(e.toString());
    return out.isEmpty() ? fallback : out;
}

} // namespace

SimWorld::Settings SimWorld::settingsFrom(const QJsonObject &o)
{
    Settings s;
    s.seed = quint64(o.value(QStringLiteral("seed")).toInteger(qint64(s.seed)));
    s.stable = stringList(o.value(QStringLiteral("stable")), s.stable);
    s.canary = stringList(o.value(QStringLiteral("canary")), s.canary);
    s.downMembers = stringList(o.value(QStringLiteral("downMembers")), s.downMembers);
    auto num = [&o](const char *key, double &field) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isDouble())
            field = v.toDouble();
    };
    num("initialCanaryPercent", s.initialCanaryPercent);
    num("totalRps", s.totalRps);
    num("stableErrorRatio", s.stableErrorRatio);
    num("stableP50Ms", s.stableP50Ms);
    num("stableP99Ms", s.stableP99Ms);
    num("canaryErrorRatio", s.canaryErrorRatio);
    num("testerShare", s.testerShare);
    num("canaryP50Ms", s.canaryP50Ms);
    num("canaryP99Ms", s.canaryP99Ms);
    return s;
}

SimWorld::SimWorld(const Settings &settings, qint64 startMs, qint64 historyMs)
    : m_settings(settings)
{
    WeightPlan plan;
    QString error;
    if (!planWeights(int(settings.stable.size()), int(settings.canary.size()), settings.initialCanaryPercent, &plan, &error))
        plan = {256, 0, 0};
    QMap<QString, int> w;
    for (const QString &n : settings.stable)
        w.insert(n, plan.stableWeight);
    for (const QString &n : settings.canary)
        w.insert(n, plan.canaryWeight);
    // A past that looks like a rollout on its way (0% → half → the initial split), so charts
    // opened on the demo show steps; the split now is exactly the configured one.
    if (settings.initialCanaryPercent > 0 && historyMs > 10 * 60 * 1000) {
        auto weightsFor = [&settings](double pct) {
            WeightPlan p;
            QString ignored;
            planWeights(int(settings.stable.size()), int(settings.canary.size()), pct, &p, &ignored);
            QMap<QString, int> out;
            for (const QString &n : settings.stable)
                out.insert(n, p.stableWeight);
            for (const QString &n : settings.canary)
                out.insert(n, p.canaryWeight);
            return out;
        };
        m_weights.append({startMs - historyMs, weightsFor(0)});
        m_weights.append({startMs - 10 * 60 * 1000, weightsFor(settings.initialCanaryPercent / 2)});
        m_weights.append({startMs - 5 * 60 * 1000, w});
    } else {
        m_weights.append({startMs - historyMs, w});
    }
    m_faults.append({startMs - historyMs, settings.canaryErrorRatio, settings.canaryP50Ms, settings.canaryP99Ms});
}

SimWorld::Settings SimWorld::settings() const
{
    QMutexLocker lock(&m_mutex);
    return m_settings;
}

QMap<QString, int> SimWorld::weights() const
{
    QMutexLocker lock(&m_mutex);
    return m_weights.constLast().weights;
}

QList<Member> SimWorld::members() const
{
    QMutexLocker lock(&m_mutex);
    QList<Member> out;
    const auto &w = m_weights.constLast().weights;
    auto member = [&](const QString &n, Version v) {
        const bool down = m_settings.downMembers.contains(n);
        return Member{n, v, w.value(n), down ? QStringLiteral("DOWN") : QStringLiteral("UP"),
                      down ? QStringLiteral("L7STS") : QStringLiteral("L7OK")};
    };
    for (const QString &n : m_settings.stable)
        out.append(member(n, Version::Stable));
    for (const QString &n : m_settings.canary)
        out.append(member(n, Version::Canary));
    return out;
}

void SimWorld::setMemberDown(const QString &name, bool down)
{
    QMutexLocker lock(&m_mutex);
    m_settings.downMembers.removeAll(name);
    if (down)
        m_settings.downMembers.append(name);
}

void SimWorld::setWeights(const QMap<QString, int> &weights, qint64 atMs)
{
    QMutexLocker lock(&m_mutex);
    m_weights.append({atMs, weights});
}

void SimWorld::setCanaryFault(double errorRatio, double p50Ms, double p99Ms, qint64 atMs)
{
    QMutexLocker lock(&m_mutex);
    m_faults.append({atMs, errorRatio, p50Ms, p99Ms});
}

void SimWorld::setReachable(bool reachable)
{
    QMutexLocker lock(&m_mutex);
    m_reachable = reachable;
}

bool SimWorld::isReachable() const
{
    QMutexLocker lock(&m_mutex);
    return m_reachable;
}

void SimWorld::setMetricsReachable(bool reachable)
{
    QMutexLocker lock(&m_mutex);
    m_metricsReachable = reachable;
}

bool SimWorld::isMetricsReachable() const
{
    QMutexLocker lock(&m_mutex);
    return m_metricsReachable;
}

double SimWorld::noise(qint64 second, int channel) const
{
    // splitmix64 of (seed, second, channel): cheap, stateless, reproducible.
    quint64 z = m_settings.seed * 0x9E3779B97F4A7C15ULL + quint64(second) * 0xBF58476D1CE4E5B9ULL
        + quint64(channel) * 0x94D049BB133111EBULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return double(z >> 11) / double(1ULL << 52) - 1.0;
}

double SimWorld::smoothNoise(qint64 ms, int channel) const
{
    // Value noise: random points every 20 s, interpolated, so charts wander like real traffic
    // instead of flickering.
    const qint64 period = 20000;
    const qint64 k = ms / period;
    const double f = double(ms % period) / double(period);
    const double s = f * f * (3 - 2 * f);
    return noise(k, channel + 100) * (1 - s) + noise(k + 1, channel + 100) * s;
}

const QMap<QString, int> &SimWorld::weightsAtLocked(qint64 t) const
{
    const QMap<QString, int> *w = &m_weights.constFirst().weights;
    for (const WeightEpoch &e : m_weights)
        if (e.fromMs <= t)
            w = &e.weights;
    return *w;
}

QList<TrafficRoute> SimWorld::routes() const
{
    QMutexLocker lock(&m_mutex);
    return m_routes.isEmpty() ? QList<TrafficRoute>() : m_routes.constLast().routes;
}

void SimWorld::setRoutes(const QList<TrafficRoute> &routes, qint64 atMs)
{
    QMutexLocker lock(&m_mutex);
    m_routes.append({atMs, routes});
}

bool SimWorld::routedAtLocked(qint64 atMs) const
{
    bool routed = false;
    for (const RouteEpoch &e : m_routes)
        if (e.fromMs <= atMs)
            routed = !e.routes.isEmpty();
    return routed;
}

double SimWorld::canaryPercentAt(qint64 atMs) const
{
    QMutexLocker lock(&m_mutex);
    const QMap<QString, int> &w = weightsAtLocked(atMs);
    double canary = 0;
    double all = 0;
    for (auto it = w.cbegin(); it != w.cend(); ++it) {
        all += it.value();
        if (m_settings.canary.contains(it.key()))
            canary += it.value();
    }
    return all > 0 ? 100.0 * canary / all : unknown();
}

HealthSample SimWorld::health(Version v, qint64 atMs) const
{
    QMutexLocker lock(&m_mutex);
    const QMap<QString, int> *w = &weightsAtLocked(atMs);
    const QStringList &mine = v == Version::Stable ? m_settings.stable : m_settings.canary;
    double own = 0;
    double all = 0;
    for (auto it = w->cbegin(); it != w->cend(); ++it) {
        all += it.value();
        if (mine.contains(it.key()))
            own += it.value();
    }
    const qint64 second = atMs / 1000;
    const int ch = v == Version::Stable ? 0 : 8;
    HealthSample s;
    s.timeMs = atMs;
    // A slow daily-ish wave plus per-second noise, so charts look like traffic.
    const double load = m_settings.totalRps * (1.0 + 0.15 * std::sin(double(second) / 900.0)) * (1.0 + 0.03 * smoothNoise(atMs, 0) + 0.01 * noise(second, 0)); // one load, split by weight
    // Testers reach the canary whatever the weights; everyone else is split by weight.
    const double testers = routedAtLocked(atMs) ? std::clamp(m_settings.testerShare, 0.0, 1.0) : 0.0;
    s.rps = (all > 0 ? load * (1.0 - testers) * own / all : 0.0) + (v == Version::Canary ? load * testers : 0.0);
    if (s.rps <= 0.0)
        return s; // no traffic: ratios and quantiles are unknown, like Prometheus' 0/0 = NaN
    double err = m_settings.stableErrorRatio, p50 = m_settings.stableP50Ms, p99 = m_settings.stableP99Ms;
    if (v == Version::Canary) {
        const FaultEpoch *f = &m_faults.constFirst();
        for (const FaultEpoch &e : m_faults)
            if (e.fromMs <= atMs)
                f = &e;
        err = f->errorRatio;
        p50 = f->p50Ms;
        p99 = f->p99Ms;
    }
    s.errorRatio = std::clamp(err * (1.0 + 0.25 * smoothNoise(atMs, ch + 1) + 0.08 * noise(second, ch + 1)), 0.0, 1.0);
    s.p50Ms = p50 * (1.0 + 0.05 * smoothNoise(atMs, ch + 2) + 0.02 * noise(second, ch + 2));
    s.p99Ms = p99 * (1.0 + 0.12 * smoothNoise(atMs, ch + 3) + 0.04 * noise(second, ch + 3));
    s.p95Ms = s.p50Ms + 0.6 * (s.p99Ms - s.p50Ms); // a plausible tail shape between the two
    return s;
}

} // namespace Switchboard
