#include "analysisgate.h"

#include "statjudge.h"

#include <QJsonValue>
#include <QStringList>

#include <algorithm>

namespace Switchboard {

namespace {

const QStringList &knownGateKeys()
{
    static const QStringList keys{QStringLiteral("name"),          QStringLiteral("metric"),
                                  QStringLiteral("max"),           QStringLiteral("maxOverStable"),
                                  QStringLiteral("maxTimesStable"), QStringLiteral("floorOverStable"),
                                  QStringLiteral("min"),
                                  QStringLiteral("minTimesStable"), QStringLiteral("combine"),
                                  QStringLiteral("minRequests"),   QStringLiteral("minRps"),
                                  QStringLiteral("failureLimit"),  QStringLiteral("judge"),
                                  QStringLiteral("confidence"),    QStringLiteral("tolerance"),
                                  QStringLiteral("minPoints")};
    return keys;
}

// Reads an optional number into *out; false with *error when present but not a usable number.
bool readNumber(const QJsonObject &o, const QString &key, const QString &path, double lowest,
                double *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || v.toDouble() < lowest) {
        *error = QStringLiteral("%1.%2: must be a number >= %3").arg(path, key).arg(lowest);
        return false;
    }
    *out = v.toDouble();
    return true;
}

// Sets the explanation and the one-line text from it.
void explain(GateResult *r, const QString &why)
{
    r->why = why;
    r->text = QStringLiteral("%1 %2: %3").arg(r->gate, outcomeName(r->outcome), why);
}

// Pass resets the breach count; a breach fails once failureLimit breaches are consecutive and is
// "confirming" before that. Shared by threshold and judge gates.
void gateConclude(const GateSpec &spec, int failuresBefore, bool ok, const QString &cmp, GateResult *r)
{
    if (ok) {
        r->outcome = GateResult::Outcome::Pass;
        r->cause = GateResult::Cause::None;
        r->consecutiveFailures = 0;
        explain(r, cmp);
        return;
    }
    r->consecutiveFailures = failuresBefore + 1;
    if (r->consecutiveFailures >= spec.failureLimit) {
        r->outcome = GateResult::Outcome::Fail;
        r->cause = GateResult::Cause::None;
        explain(r, QStringLiteral("%1 (%2 consecutive)").arg(cmp).arg(r->consecutiveFailures));
    } else {
        r->outcome = GateResult::Outcome::Inconclusive;
        r->cause = GateResult::Cause::Confirming;
        explain(r, QStringLiteral("breach %1 of %2 needed to fail: %3")
                       .arg(r->consecutiveFailures).arg(spec.failureLimit).arg(cmp));
    }
}

} // namespace

QString metricName(GateSpec::Metric m)
{
    switch (m) {
    case GateSpec::Metric::ErrorRatio: return QStringLiteral("errorRatio");
    case GateSpec::Metric::P99Ms: return QStringLiteral("p99Ms");
    case GateSpec::Metric::P50Ms: return QStringLiteral("p50Ms");
    case GateSpec::Metric::Rps: return QStringLiteral("rps");
    }
    return {};
}

QString judgeName(GateSpec::Judge j)
{
    switch (j) {
    case GateSpec::Judge::Threshold: return QStringLiteral("threshold");
    case GateSpec::Judge::TwoProportion: return QStringLiteral("two-proportion");
    case GateSpec::Judge::MannWhitney: return QStringLiteral("mann-whitney");
    }
    return {};
}

QJsonObject GateStats::toJson() const
{
    QJsonObject o{{QStringLiteral("test"), test}};
    auto put = [&o](const QString &key, double v) {
        if (isKnown(v) && std::isfinite(v))
            o.insert(key, v);
    };
    put(QStringLiteral("statistic"), statistic);
    put(QStringLiteral("pValue"), pValue);
    put(QStringLiteral("alpha"), alpha);
    put(QStringLiteral("effect"), effect);
    put(QStringLiteral("tolerance"), tolerance);
    put(QStringLiteral("shift"), shift);
    put(QStringLiteral("canaryPoints"), canaryPoints);
    put(QStringLiteral("stablePoints"), stablePoints);
    return o;
}

bool metricFromName(const QString &name, GateSpec::Metric *out)
{
    for (GateSpec::Metric m : {GateSpec::Metric::ErrorRatio, GateSpec::Metric::P99Ms, GateSpec::Metric::P50Ms,
                               GateSpec::Metric::Rps}) {
        if (metricName(m) == name) {
            *out = m;
            return true;
        }
    }
    return false;
}

double metricValue(const HealthSample &s, GateSpec::Metric m)
{
    switch (m) {
    case GateSpec::Metric::ErrorRatio: return s.errorRatio;
    case GateSpec::Metric::P99Ms: return s.p99Ms;
    case GateSpec::Metric::P50Ms: return s.p50Ms;
    case GateSpec::Metric::Rps: return s.rps;
    }
    return unknown();
}

QString formatMetric(GateSpec::Metric m, double v)
{
    if (!isKnown(v))
        return QStringLiteral("?");
    switch (m) {
    case GateSpec::Metric::ErrorRatio: return QString::number(v * 100, 'f', 2) + QLatin1Char('%');
    case GateSpec::Metric::P99Ms:
    case GateSpec::Metric::P50Ms: return QString::number(v, 'f', 1) + QStringLiteral(" ms");
    case GateSpec::Metric::Rps: return QString::number(v, 'f', 1) + QStringLiteral(" req/s");
    }
    return {};
}

QString outcomeName(GateResult::Outcome o)
{
    switch (o) {
    case GateResult::Outcome::Pass: return QStringLiteral("pass");
    case GateResult::Outcome::Fail: return QStringLiteral("FAIL");
    case GateResult::Outcome::Inconclusive: return QStringLiteral("inconclusive");
    }
    return {};
}

bool GateSpec::isUpperBound() const
{
    return isKnown(max) || isKnown(maxOverStable) || isKnown(maxTimesStable);
}

bool GateSpec::usesStable() const
{
    return isKnown(maxOverStable) || isKnown(maxTimesStable) || isKnown(minTimesStable);
}

QJsonObject GateSpec::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), name);
    o.insert(QStringLiteral("metric"), metricName(metric));
    auto put = [&o](const QString &key, double v) {
        if (isKnown(v))
            o.insert(key, v);
    };
    put(QStringLiteral("max"), max);
    put(QStringLiteral("maxOverStable"), maxOverStable);
    put(QStringLiteral("maxTimesStable"), maxTimesStable);
    put(QStringLiteral("floorOverStable"), floorOverStable);
    put(QStringLiteral("min"), min);
    put(QStringLiteral("minTimesStable"), minTimesStable);
    if (combine == Combine::Any)
        o.insert(QStringLiteral("combine"), QStringLiteral("any"));
    if (minRequests > 0)
        o.insert(QStringLiteral("minRequests"), minRequests);
    if (minRps > 0)
        o.insert(QStringLiteral("minRps"), minRps);
    if (failureLimit != 1)
        o.insert(QStringLiteral("failureLimit"), failureLimit);
    if (judge != Judge::Threshold) {
        o.insert(QStringLiteral("judge"), judgeName(judge));
        o.insert(QStringLiteral("confidence"), confidence);
        put(QStringLiteral("tolerance"), tolerance);
        o.insert(QStringLiteral("minPoints"), minPoints);
    }
    return o;
}

bool GateSpec::fromJson(const QJsonObject &o, const QString &path, GateSpec *out, QString *error)
{
    // Unknown keys are refused: a misspelt bound ("maxx") silently ignored would be no gate.
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!knownGateKeys().contains(it.key())) {
            *error = QStringLiteral("%1.%2: unknown key (known: %3)").arg(path, it.key(), knownGateKeys().join(QStringLiteral(", ")));
            return false;
        }
    }
    GateSpec g;
    const QJsonValue metric = o.value(QStringLiteral("metric"));
    if (!metric.isString() || !metricFromName(metric.toString(), &g.metric)) {
        *error = QStringLiteral("%1.metric: %2 (errorRatio, p99Ms, p50Ms or rps)")
                     .arg(path, metric.isUndefined() ? QStringLiteral("missing") : QStringLiteral("unknown metric"));
        return false;
    }
    const QJsonValue name = o.value(QStringLiteral("name"));
    if (!name.isUndefined() && (!name.isString() || name.toString().trimmed().isEmpty())) {
        *error = QStringLiteral("%1.name: must be a non-empty string").arg(path);
        return false;
    }
    g.name = name.isString() ? name.toString().trimmed() : metricName(g.metric);
    if (!readNumber(o, QStringLiteral("max"), path, 0, &g.max, error)
        || !readNumber(o, QStringLiteral("maxOverStable"), path, 0, &g.maxOverStable, error)
        || !readNumber(o, QStringLiteral("maxTimesStable"), path, 0, &g.maxTimesStable, error)
        || !readNumber(o, QStringLiteral("floorOverStable"), path, 0, &g.floorOverStable, error)
        || !readNumber(o, QStringLiteral("min"), path, 0, &g.min, error)
        || !readNumber(o, QStringLiteral("minTimesStable"), path, 0, &g.minTimesStable, error)
        || !readNumber(o, QStringLiteral("minRequests"), path, 0, &g.minRequests, error)
        || !readNumber(o, QStringLiteral("minRps"), path, 0, &g.minRps, error))
        return false;
    const QJsonValue judge = o.value(QStringLiteral("judge"));
    if (!judge.isUndefined()) {
        const QString j = judge.toString();
        if (j == judgeName(Judge::TwoProportion))
            g.judge = Judge::TwoProportion;
        else if (j == judgeName(Judge::MannWhitney))
            g.judge = Judge::MannWhitney;
        else if (j != judgeName(Judge::Threshold)) {
            *error = QStringLiteral("%1.judge: must be \"threshold\", \"two-proportion\" or \"mann-whitney\"").arg(path);
            return false;
        }
    }
    if (g.judge == Judge::Threshold) {
        for (const char *key : {"confidence", "tolerance", "minPoints"}) {
            if (o.contains(QLatin1String(key))) {
                *error = QStringLiteral("%1.%2: goes with a \"judge\" (two-proportion or mann-whitney)").arg(path, QLatin1String(key));
                return false;
            }
        }
    } else {
        if (!readNumber(o, QStringLiteral("confidence"), path, 0.5, &g.confidence, error)
            || !readNumber(o, QStringLiteral("tolerance"), path, 0, &g.tolerance, error))
            return false;
        if (g.confidence >= 1) {
            *error = QStringLiteral("%1.confidence: must be below 1 (0.98 is 98%)").arg(path);
            return false;
        }
        double points = g.minPoints;
        if (!readNumber(o, QStringLiteral("minPoints"), path, 2, &points, error))
            return false;
        if (points != double(int(points)) || points > 100000) {
            *error = QStringLiteral("%1.minPoints: must be a whole number 2..100000").arg(path);
            return false;
        }
        g.minPoints = int(points);
        if (g.judge == Judge::TwoProportion && g.metric != Metric::ErrorRatio) {
            *error = QStringLiteral("%1.judge: two-proportion compares error ratios (metric errorRatio)").arg(path);
            return false;
        }
        if (g.judge == Judge::MannWhitney && g.metric == Metric::Rps) {
            *error = QStringLiteral("%1.judge: mann-whitney compares errorRatio, p50Ms or p99Ms values, not rps").arg(path);
            return false;
        }
        if (g.isUpperBound() || isKnown(g.min) || isKnown(g.minTimesStable)) {
            *error = QStringLiteral("%1: a judge gate takes no max*/min* bounds; add a threshold gate for those").arg(path);
            return false;
        }
        if (isKnown(g.floorOverStable) && g.judge != Judge::MannWhitney) {
            *error = QStringLiteral("%1.floorOverStable: goes with maxTimesStable or the mann-whitney judge").arg(path);
            return false;
        }
    }
    if (g.judge == Judge::Threshold && isKnown(g.floorOverStable) && !isKnown(g.maxTimesStable)) {
        *error = QStringLiteral("%1.floorOverStable: goes with maxTimesStable (the bound is max(stable × maxTimesStable, "
                                "stable + floorOverStable))").arg(path);
        return false;
    }
    const bool upper = g.isUpperBound();
    const bool lower = isKnown(g.min) || isKnown(g.minTimesStable);
    if (!upper && !lower && g.judge == Judge::Threshold) {
        *error = QStringLiteral("%1: needs a bound (max, maxOverStable, maxTimesStable, min or minTimesStable)").arg(path);
        return false;
    }
    if (upper && lower) {
        *error = QStringLiteral("%1: use either max* or min* bounds in one gate, not both").arg(path);
        return false;
    }
    if (g.metric == Metric::ErrorRatio && isKnown(g.max) && g.max > 1) {
        *error = QStringLiteral("%1.max: errorRatio is a ratio 0..1 (1% is 0.01)").arg(path);
        return false;
    }
    const QJsonValue combine = o.value(QStringLiteral("combine"));
    if (combine == QJsonValue(QStringLiteral("any")))
        g.combine = Combine::Any;
    else if (!combine.isUndefined() && combine != QJsonValue(QStringLiteral("all"))) {
        *error = QStringLiteral("%1.combine: must be \"all\" or \"any\"").arg(path);
        return false;
    }
    const QJsonValue limit = o.value(QStringLiteral("failureLimit"));
    if (!limit.isUndefined()) {
        const double v = limit.toDouble(-1);
        if (!limit.isDouble() || v != double(int(v)) || v < 1 || v > 1000) {
            *error = QStringLiteral("%1.failureLimit: must be a whole number 1..1000").arg(path);
            return false;
        }
        g.failureLimit = int(v);
    }
    *out = g;
    return true;
}

GateResult evaluateGate(const GateSpec &spec, const GateInput &in, int failuresBefore)
{
    GateResult r;
    r.gate = spec.name.isEmpty() ? metricName(spec.metric) : spec.name;
    r.metric = spec.metric;
    r.failureLimit = spec.failureLimit;
    r.consecutiveFailures = failuresBefore;
    r.timeMs = in.canary.timeMs;
    r.canary = metricValue(in.canary, spec.metric);
    r.stable = metricValue(in.stable, spec.metric);
    r.canaryRequests = in.canaryRequests;
    const QString metric = metricName(spec.metric);

    auto noData = [&r](const QString &why) {
        r.outcome = GateResult::Outcome::Inconclusive;
        r.cause = GateResult::Cause::NoData;
        explain(&r, QStringLiteral("no data: %1").arg(why));
        return r;
    };
    if (!in.metricsError.isEmpty())
        return noData(in.metricsError);
    if (in.canary.timeMs <= 0)
        return noData(QStringLiteral("no canary sample yet"));
    if (in.staleAfterMs > 0) {
        // Stale is judged per sample: an old stable baseline is fine on purpose, a live one is not.
        const qint64 canaryAge = in.nowMs - in.canary.timeMs;
        const qint64 stableAge = in.stableIsBaseline || !spec.usesStable() ? 0 : in.nowMs - in.stable.timeMs;
        const qint64 age = std::max(canaryAge, stableAge);
        if (age > in.staleAfterMs)
            return noData(QStringLiteral("newest sample is %1 s old (stale after %2 s)")
                              .arg(double(age) / 1000, 0, 'f', 1)
                              .arg(double(in.staleAfterMs) / 1000, 0, 'f', 1));
    }
    // Volume before values, and before "no traffic"/"unknown": right after a weight change the
    // rate window has not seen the canary yet, which is too few requests, not missing data.
    if (spec.minRequests > 0 && !(isKnown(in.canaryRequests) && in.canaryRequests >= spec.minRequests)) {
        r.outcome = GateResult::Outcome::Inconclusive;
        r.cause = GateResult::Cause::TooFewRequests;
        explain(&r, QStringLiteral("canary served %1 of the %2 requests needed")
                             .arg(isKnown(in.canaryRequests) ? QString::number(in.canaryRequests, 'f', 0) : QStringLiteral("?"))
                             .arg(spec.minRequests, 0, 'f', 0));
        return r;
    }
    if (isKnown(in.canary.rps) && in.canary.rps <= 0 && spec.metric != GateSpec::Metric::Rps)
        return noData(QStringLiteral("canary has no traffic"));
    if (!isKnown(r.canary))
        return noData(QStringLiteral("canary %1 unknown").arg(metric));
    if (spec.usesStable() && !isKnown(r.stable))
        return noData(QStringLiteral("stable %1 unknown (the relative bound needs it)").arg(metric));

    if (spec.minRps > 0 && !(isKnown(in.canary.rps) && in.canary.rps >= spec.minRps)) {
        r.outcome = GateResult::Outcome::Inconclusive;
        r.cause = GateResult::Cause::TooFewRequests;
        explain(&r, QStringLiteral("canary at %1, needs %2")
                             .arg(formatMetric(GateSpec::Metric::Rps, in.canary.rps),
                                  formatMetric(GateSpec::Metric::Rps, spec.minRps)));
        return r;
    }

    if (spec.judge != GateSpec::Judge::Threshold) {
        if (!in.window)
            return noData(QStringLiteral("no readings to judge"));
        const StatJudge::Decision d = StatJudge::judge(spec, *in.window);
        r.stats = d.stats;
        if (!d.enough) {
            r.outcome = GateResult::Outcome::Inconclusive;
            r.cause = GateResult::Cause::TooFewRequests;
            explain(&r, d.why);
            return r;
        }
        gateConclude(spec, failuresBefore, !d.worse, d.why, &r);
        return r;
    }

    // Each bound as a value and the words that explain it.
    const QString stableWord = in.stableIsBaseline ? QStringLiteral("stable baseline") : QStringLiteral("stable");
    QList<QPair<double, QString>> bounds;
    auto absolute = [&](double v) { bounds.append({v, formatMetric(spec.metric, v)}); };
    const bool upper = spec.isUpperBound();
    if (upper) {
        if (isKnown(spec.max))
            absolute(spec.max);
        if (isKnown(spec.maxOverStable))
            bounds.append({r.stable + spec.maxOverStable,
                           QStringLiteral("%1 %2 + %3").arg(stableWord, formatMetric(spec.metric, r.stable),
                                                            formatMetric(spec.metric, spec.maxOverStable))});
        if (isKnown(spec.maxTimesStable)) {
            const QString times = QStringLiteral("%1 %2 × %3").arg(stableWord, formatMetric(spec.metric, r.stable)).arg(spec.maxTimesStable);
            if (isKnown(spec.floorOverStable))
                bounds.append({std::max(r.stable * spec.maxTimesStable, r.stable + spec.floorOverStable),
                               QStringLiteral("max(%1, %2 %3 + %4)")
                                   .arg(times, stableWord, formatMetric(spec.metric, r.stable),
                                        formatMetric(spec.metric, spec.floorOverStable))});
            else
                bounds.append({r.stable * spec.maxTimesStable, times});
        }
    } else {
        if (isKnown(spec.min))
            absolute(spec.min);
        if (isKnown(spec.minTimesStable))
            bounds.append({r.stable * spec.minTimesStable,
                           QStringLiteral("%1 %2 × %3").arg(stableWord, formatMetric(spec.metric, r.stable)).arg(spec.minTimesStable)});
    }
    // "all" keeps the tightest bound, "any" the loosest; for an upper bound tight is low.
    const bool takeLowest = upper == (spec.combine == GateSpec::Combine::All);
    QStringList words;
    r.threshold = bounds.constFirst().first;
    for (const auto &[value, word] : std::as_const(bounds)) {
        r.threshold = takeLowest ? std::min(r.threshold, value) : std::max(r.threshold, value);
        words.append(word);
    }
    QString how = words.constFirst();
    if (words.size() > 1)
        how = QStringLiteral("%1(%2)").arg(takeLowest ? QStringLiteral("min") : QStringLiteral("max"), words.join(QStringLiteral(", ")));

    const bool ok = upper ? r.canary <= r.threshold : r.canary >= r.threshold;
    const QString limit = formatMetric(spec.metric, r.threshold);
    QString cmp = QStringLiteral("canary %1 %2 %3")
                      .arg(formatMetric(spec.metric, r.canary),
                           ok ? (upper ? QStringLiteral("<=") : QStringLiteral(">="))
                              : (upper ? QStringLiteral(">") : QStringLiteral("<")),
                           limit);
    if (how != limit)
        cmp += QStringLiteral(" = ") + how;
    gateConclude(spec, failuresBefore, ok, cmp, &r);
    return r;
}

QList<GateResult> evaluateGates(const QList<GateSpec> &specs, const GateInput &in, QHash<QString, int> *failures)
{
    QList<GateResult> out;
    out.reserve(specs.size());
    for (const GateSpec &g : specs) {
        const QString key = g.name.isEmpty() ? metricName(g.metric) : g.name;
        GateResult r = evaluateGate(g, in, failures->value(key));
        failures->insert(r.gate, r.consecutiveFailures);
        out.append(r);
    }
    return out;
}

void GateWatch::record(const HealthSnapshot &h, qint64 maxGapMs)
{
    if (h.canary.timeMs > m_lastSampleMs) {
        if (m_lastSampleMs > 0 && isKnown(h.canary.rps))
            m_requests += h.canary.rps * double(std::min(h.canary.timeMs - m_lastSampleMs, maxGapMs)) / 1000.0;
        m_lastSampleMs = h.canary.timeMs;
    }
    m_window.add(h, maxGapMs);
    if (isKnown(h.stable.rps) && h.stable.rps > 0 && isKnown(h.stable.errorRatio) && isKnown(h.stable.p99Ms))
        m_baseline = h.stable;
}

bool GateWatch::judge(const QList<GateSpec> &gates, const HealthSnapshot &h, const QString &metricsError, qint64 nowMs,
                      qint64 staleAfterMs, QList<GateResult> *out)
{
    if (h.canary.timeMs == m_lastJudgedMs && metricsError == m_lastError)
        return false;
    m_lastJudgedMs = h.canary.timeMs;
    m_lastError = metricsError;
    GateInput in;
    in.canary = h.canary;
    in.stable = h.stable;
    // Stable without traffic has no values to compare with; its last ones do.
    if (isKnown(h.stable.rps) && h.stable.rps <= 0 && m_baseline) {
        in.stable = *m_baseline;
        in.stableIsBaseline = true;
    }
    in.canaryRequests = m_requests;
    in.metricsError = metricsError;
    in.nowMs = nowMs;
    in.staleAfterMs = staleAfterMs;
    in.window = &m_window;
    *out = evaluateGates(gates, in, &m_failures);
    return true;
}

} // namespace Switchboard
