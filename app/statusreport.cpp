#include "statusreport.h"

#include "targetcontroller.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Switchboard {

namespace {

QJsonValue jsonNumber(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonValue jsonAge(qint64 ageMs)
{
    return ageMs < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(ageMs);
}

// A health value as status shows it and the key of the Prometheus query that fills it.
struct Field
{
    const char *json;
    const char *query;
    double HealthSample::*value;
};
constexpr Field kFields[] = {{"rps", "rps", &HealthSample::rps},
                             {"errorRatio", "errorRatio", &HealthSample::errorRatio},
                             {"p50Ms", "p50", &HealthSample::p50Ms},
                             {"p95Ms", "p95", &HealthSample::p95Ms},
                             {"p99Ms", "p99", &HealthSample::p99Ms}};

// Why a value the metrics layer answered for is unknown. Only what the settings and the other
// values tell; the layer itself does not say which of empty, NaN or Inf it got.
QString nullReason(const TargetConfig &config, const HealthSample &s, const Field &f)
{
    const QJsonValue prometheus = config.settings.value(QStringLiteral("prometheus"));
    const QString key = QLatin1String(f.query);
    if (prometheus.isObject()) {
        const QJsonValue query = prometheus.toObject().value(QStringLiteral("queries")).toObject().value(key);
        if (query.isString() && query.toString().isEmpty())
            return QStringLiteral("not queried (prometheus.queries.%1 is empty)").arg(key);
    } else if (config.kind == QStringLiteral("haproxy") && f.value != &HealthSample::rps && f.value != &HealthSample::errorRatio) {
        return QStringLiteral("HAProxy's own counters have no percentiles (add a prometheus object)");
    }
    if (f.value != &HealthSample::rps && std::isfinite(s.rps) && s.rps == 0)
        return QStringLiteral("no requests (rps 0)");
    if (prometheus.isObject())
        return QStringLiteral("no samples (the query returned an empty result, NaN or Inf)");
    return QStringLiteral("no value from the metrics layer");
}

// "canary errorRatio, p99Ms: no requests (rps 0)", one per version and reason.
QStringList nullNotes(const TargetConfig &config, const QString &version, const HealthSample &s)
{
    QStringList reasons;
    QList<QStringList> keys;
    for (const Field &f : kFields) {
        if (std::isfinite(s.*f.value))
            continue;
        const QString why = nullReason(config, s, f);
        const qsizetype i = reasons.indexOf(why);
        if (i < 0) {
            reasons.append(why);
            keys.append({QLatin1String(f.json)});
        } else {
            keys[i].append(QLatin1String(f.json));
        }
    }
    QStringList out;
    for (qsizetype i = 0; i < reasons.size(); ++i)
        out.append(QStringLiteral("%1 %2: %3").arg(version, keys[i].join(QStringLiteral(", ")), reasons[i]));
    return out;
}

} // namespace

StatusReport::StatusReport(const TargetController &c, qint64 now, int metricsWaitedMs)
{
    const TrafficSnapshot s = c.snapshot();
    const HealthSnapshot h = c.health();
    const qint64 dataAge = c.dataAgeMs(now);
    const qint64 limit = c.staleAfterMs();
    const qint64 splitAge = s.timeMs > 0 ? std::max<qint64>(0, now - s.timeMs) : -1;
    auto healthAge = [&c, now](const HealthSample &v) {
        return c.hasHealth() && v.timeMs > 0 ? std::max<qint64>(0, now - v.timeMs) : qint64(-1);
    };
    const qint64 ages[2] = {healthAge(h.stable), healthAge(h.canary)};
    const HealthSample *samples[2] = {&h.stable, &h.canary};
    const QString versions[2] = {QStringLiteral("stable"), QStringLiteral("canary")};

    if (!s.note.isEmpty())
        m_notes.append(s.note); // e.g. a rollout's step and phase, TLS verification off
    // The layer may already say it in its note (nginx does): once is enough.
    if (c.isReadOnly() && !s.note.contains(c.readOnlyReason()))
        m_notes.append(QStringLiteral("read-only: ") + c.readOnlyReason());
    m_metricsError = c.metricsError();
    if (!c.hasMetrics()) {
        m_notes.append(QStringLiteral("no metrics layer configured for this target"));
    } else if (!c.hasHealth()) {
        if (m_metricsError.isEmpty())
            m_metricsError = metricsWaitedMs > 0 ? QStringLiteral("metrics layer did not answer within %1 ms").arg(metricsWaitedMs)
                                                 : QStringLiteral("metrics layer has not answered yet");
    } else {
        for (int i = 0; i < 2; ++i)
            m_notes.append(nullNotes(c.config(), versions[i], *samples[i]));
    }
    // "Fresh" must not hide a stale part: the split is read just now, the metrics may be an
    // hour old, so every part is judged on its own age.
    QStringList stale;
    if (splitAge > limit)
        stale.append(QStringLiteral("split %1 ms old").arg(splitAge));
    for (int i = 0; i < 2; ++i)
        if (ages[i] > limit)
            stale.append(QStringLiteral("%1 health %2 ms old").arg(versions[i]).arg(ages[i]));
    m_stale = !stale.isEmpty();
    if (m_stale)
        m_notes.append(QStringLiteral("stale: %1 (the target's staleAfterMs is %2 ms)").arg(stale.join(QStringLiteral(", "))).arg(limit));

    QJsonArray members;
    for (const Member &m : s.members)
        members.append(QJsonObject{{QStringLiteral("name"), m.name},
                                   {QStringLiteral("version"), versionName(m.version)},
                                   {QStringLiteral("weight"), m.weight},
                                   {QStringLiteral("state"), m.state}});
    QJsonArray routes;
    for (const TrafficRoute &r : s.routes)
        routes.append(r.toJson());
    QJsonObject health;
    for (int i = 0; i < 2; ++i) {
        QJsonObject v;
        for (const Field &f : kFields)
            v.insert(QLatin1String(f.json), c.hasHealth() ? jsonNumber(samples[i]->*f.value) : QJsonValue(QJsonValue::Null));
        v.insert(QStringLiteral("ageMs"), jsonAge(ages[i]));
        health.insert(versions[i], v);
    }
    m_json = QJsonObject{{QStringLiteral("target"), c.name()},
                         {QStringLiteral("kind"), c.config().kind},
                         {QStringLiteral("split"), QJsonObject{{QStringLiteral("stable"), jsonNumber(s.split.stable)},
                                                               {QStringLiteral("canary"), jsonNumber(s.split.canary)}}},
                         {QStringLiteral("members"), members},
                         {QStringLiteral("health"), health},
                         {QStringLiteral("dataAgeMs"), jsonAge(dataAge)},
                         {QStringLiteral("stale"), m_stale},
                         {QStringLiteral("readOnly"), c.isReadOnly()},
                         {QStringLiteral("routes"), routes}};
    if (!m_metricsError.isEmpty())
        m_json.insert(QStringLiteral("metricsError"), m_metricsError);
    // The verdict of canary against stable: null when there is nothing to judge or too little to
    // judge it on (never "healthy" by default), with the reason in the note.
    const Verdict &verdict = c.verdict();
    if (verdict.applies && verdict.state != Verdict::State::NoData) {
        m_json.insert(QStringLiteral("verdict"), verdict.toJson());
    } else {
        m_json.insert(QStringLiteral("verdict"), QJsonValue(QJsonValue::Null));
        m_notes.append(QStringLiteral("verdict: %1").arg(verdict.applies ? QStringLiteral("no data: ") + verdict.reason : verdict.reason));
    }
    // The operator lease (an extension): only for layers that keep one; null with a note when
    // it could not be read.
    const LeaseGuard *lease = c.lease();
    if (lease->hasStore()) {
        if (lease->isKnown()) {
            m_json.insert(QStringLiteral("lease"), leaseJson(c, now));
        } else {
            m_json.insert(QStringLiteral("lease"), QJsonValue(QJsonValue::Null));
            m_notes.append(QStringLiteral("lease: %1").arg(lease->error().isEmpty() ? QStringLiteral("not read") : lease->error()));
        }
    }
    if (!m_notes.isEmpty())
        m_json.insert(QStringLiteral("note"), m_notes.join(QStringLiteral("; ")));

    auto fmt = [](double v, const char *unit, int prec) {
        return std::isfinite(v) ? QString::number(v, 'f', prec) + QLatin1String(unit) : QStringLiteral("-");
    };
    m_lines.append(QStringLiteral("%1 (%2): stable %3 · canary %4").arg(c.name(), c.config().kind,
                                                                       fmt(s.split.stable, "%", 1), fmt(s.split.canary, "%", 1)));
    for (const Member &m : s.members)
        m_lines.append(QStringLiteral("  %1  %2  weight %3  %4").arg(m.name, -20).arg(versionName(m.version), -6).arg(m.weight, 3).arg(m.state));
    for (const TrafficRoute &r : s.routes)
        m_lines.append(QStringLiteral("  + testers: %1").arg(r.describe()));
    if (c.hasMetrics()) {
        for (int i = 0; i < 2; ++i) {
            const HealthSample &v = *samples[i];
            QString line = QStringLiteral("  %1  %2 req/s  errors %3  p50 %4  p99 %5")
                               .arg(versions[i], -6)
                               .arg(fmt(v.rps, "", 1), fmt(v.errorRatio * 100, "%", 2), fmt(v.p50Ms, " ms", 1), fmt(v.p99Ms, " ms", 1));
            if (ages[i] >= 0)
                line += QStringLiteral("  age %1 ms").arg(ages[i]);
            m_lines.append(line);
        }
        if (!m_metricsError.isEmpty())
            m_lines.append(QStringLiteral("  metrics: %1").arg(m_metricsError));
    }
    if (verdict.applies && verdict.state != Verdict::State::NoData)
        m_lines.append(QStringLiteral("  verdict: %1: %2").arg(Verdict::stateName(verdict.state), verdict.reason));
    if (lease->hasStore() && lease->isKnown())
        m_lines.append(QStringLiteral("  lease: %1").arg(lease->lease().describe(now)));
    for (const QString &n : std::as_const(m_notes))
        m_lines.append(QStringLiteral("  note: %1").arg(n));
    m_lines.append(QStringLiteral("  data %1%2").arg(dataAge < 0 ? QStringLiteral("unknown") : QStringLiteral("%1 ms old").arg(dataAge),
                                                     m_stale ? QStringLiteral(" (stale)") : QString()));
}

QJsonObject leaseJson(const TargetController &c, qint64 now)
{
    const LeaseGuard *g = c.lease();
    const OperatorLease &l = g->lease();
    auto time = [](qint64 ms) {
        return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
    };
    auto text = [](const QString &t) { return t.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t); };
    return QJsonObject{{QStringLiteral("holder"), text(l.holder)},
                       {QStringLiteral("purpose"), text(l.purpose)},
                       {QStringLiteral("live"), l.isLive(now)},
                       {QStringLiteral("acquired"), time(l.acquiredMs)},
                       {QStringLiteral("renewed"), time(l.renewedMs)},
                       {QStringLiteral("expires"), l.durationS > 0 ? time(l.expiresMs()) : QJsonValue(QJsonValue::Null)},
                       {QStringLiteral("where"), g->where()},
                       {QStringLiteral("you"), g->holder()}};
}

int defaultMetricsWaitMs(const QJsonObject &targetSettings, int floorMs)
{
    const QJsonValue p = targetSettings.value(QStringLiteral("prometheus"));
    if (!p.isObject())
        return floorMs; // the simulator and HAProxy's counters answer within the traffic read's time
    const QJsonObject o = p.toObject();
    // Defaults and back-off as PrometheusClient has them (README: prometheus keys).
    const qint64 connect = o.value(QStringLiteral("connectTimeoutMs")).toInteger(2000);
    const qint64 attempt = o.value(QStringLiteral("timeoutMs")).toInteger(10000);
    const qint64 retries = std::clamp<qint64>(o.value(QStringLiteral("retries")).toInteger(2), 0, 10);
    qint64 backoff = 0;
    for (qint64 i = 0; i < retries; ++i)
        backoff += std::min<qint64>(qint64(250) << i, 5000);
    constexpr qint64 kMarginMs = 2000; // thread hops, parsing, the traffic read before it
    const qint64 total = connect + attempt * (retries + 1) + backoff + kMarginMs;
    return int(std::clamp<qint64>(total, floorMs, std::numeric_limits<int>::max()));
}

} // namespace Switchboard
