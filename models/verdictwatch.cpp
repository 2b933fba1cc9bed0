#include "verdictwatch.h"

#include <QJsonDocument>

namespace Switchboard {

QJsonArray VerdictWatch::defaultGatesJson()
{
    // Error ratio: worse than stable by more than one point (the built-in presets' maxOverStable)
    // with 99% confidence; p99: a median over 50% and 20 ms above stable's with 99% confidence.
    // Two consecutive breaches fail (one is "watch"). Checked on the simulator's default traffic
    // (tst_verdictwatch): a healthy canary stays healthy, a failing one fails.
    static const QByteArray json = R"([
      {"name": "error-ratio", "metric": "errorRatio", "judge": "two-proportion", "confidence": 0.99,
       "tolerance": 0.01, "minPoints": 10, "minRequests": 50, "failureLimit": 2},
      {"name": "p99", "metric": "p99Ms", "judge": "mann-whitney", "confidence": 0.99,
       "tolerance": 0.5, "floorOverStable": 20, "minPoints": 20, "failureLimit": 2}])";
    return QJsonDocument::fromJson(json).array();
}

QList<GateSpec> VerdictWatch::defaultGates()
{
    QList<GateSpec> out;
    const QJsonArray a = defaultGatesJson();
    for (qsizetype i = 0; i < a.size(); ++i) {
        GateSpec g;
        QString error;
        if (GateSpec::fromJson(a.at(i).toObject(), QStringLiteral("verdict.gates[%1]").arg(i), &g, &error))
            out.append(g);
    }
    return out;
}

VerdictWatch::VerdictWatch()
    : m_gates(defaultGates())
    , m_lastPercent(unknown())
{
    m_watch.setWindowMs(m_windowMs);
    m_verdict.reason = QStringLiteral("no data yet");
}

bool VerdictWatch::configure(const QJsonObject &targetSettings, QString *error)
{
    m_gates = defaultGates();
    m_windowMs = defaultWindowMs;
    m_autoRollback = false;
    m_watch.setWindowMs(m_windowMs);
    const QJsonValue v = targetSettings.value(QStringLiteral("verdict"));
    if (v.isUndefined())
        return true;
    if (!v.isObject()) {
        *error = QStringLiteral("verdict: must be an object");
        return false;
    }
    const QJsonObject o = v.toObject();
    QList<GateSpec> gates = m_gates;
    if (o.contains(QStringLiteral("gates"))) {
        const QJsonValue g = o.value(QStringLiteral("gates"));
        if (!g.isArray() || g.toArray().isEmpty()) {
            *error = QStringLiteral("verdict.gates: must be a non-empty array of gates");
            return false;
        }
        gates.clear();
        const QJsonArray a = g.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            GateSpec spec;
            if (!GateSpec::fromJson(a.at(i).toObject(), QStringLiteral("verdict.gates[%1]").arg(i), &spec, error))
                return false;
            gates.append(spec);
        }
    }
    qint64 window = defaultWindowMs;
    if (o.contains(QStringLiteral("windowMs"))) {
        const double w = o.value(QStringLiteral("windowMs")).toDouble(-1);
        if (w < 1000) {
            *error = QStringLiteral("verdict.windowMs: must be a number of milliseconds >= 1000");
            return false;
        }
        window = qint64(w);
    }
    const QJsonValue autoRollback = o.value(QStringLiteral("autoRollback"));
    if (!autoRollback.isUndefined() && !autoRollback.isBool()) {
        *error = QStringLiteral("verdict.autoRollback: must be true or false");
        return false;
    }
    m_gates = gates;
    m_windowMs = window;
    m_autoRollback = autoRollback.toBool(false);
    m_watch.setWindowMs(m_windowMs);
    return true;
}

void VerdictWatch::seed(const HealthSeries &series, double canaryPercentNow, qint64 staleAfterMs)
{
    if (m_seeded || series.canary.isEmpty() || series.stable.isEmpty())
        return;
    m_seeded = true;
    const qint64 end = series.canary.constLast().timeMs;
    QHash<qint64, HealthSample> stableAt;
    for (const HealthSample &s : series.stable)
        stableAt.insert(s.timeMs, s);
    m_watch.restart();
    for (const HealthSample &c : series.canary) {
        if (c.timeMs <= end - m_windowMs || !stableAt.contains(c.timeMs))
            continue;
        // Judged reading by reading, as if live: a breach confirmed over the history counts.
        const HealthSnapshot h{stableAt.value(c.timeMs), c};
        m_watch.record(h, staleAfterMs);
        QList<GateResult> ignored;
        m_watch.judge(m_gates, h, QString(), c.timeMs, staleAfterMs, &ignored);
    }
    m_lastPercent = canaryPercentNow;
}

const Verdict &VerdictWatch::observe(const Reading &in)
{
    Verdict v;
    v.results = m_verdict.results;
    v.timeMs = m_verdict.timeMs;
    // A new weight is a new population: its counts start again.
    // (The first known weight starts nothing: the window may hold history read for it.)
    if (isKnown(in.canaryPercent) && in.canaryPercent != m_lastPercent) {
        if (isKnown(m_lastPercent)) {
            m_watch.resetVolume();
            v.results.clear();
        }
        m_lastPercent = in.canaryPercent;
    }
    const bool canaryServed = in.hasHealth && isKnown(in.health.canary.rps) && in.health.canary.rps > 0;
    v.applies = (isKnown(in.canaryPercent) && in.canaryPercent > 0) || canaryServed;
    if (!in.hasSnapshot && !in.hasHealth) {
        v.reason = QStringLiteral("no data yet");
        v.why = Verdict::Why::NoDataYet;
        return m_verdict = v;
    }
    if (!v.applies) {
        v.reason = Verdict::noTrafficReason();
        v.why = Verdict::Why::NoTraffic;
        v.results.clear();
        return m_verdict = v;
    }
    if (!in.metricsError.isEmpty()) {
        v.reason = QStringLiteral("metrics: %1").arg(in.metricsError);
        v.why = Verdict::Why::MetricsError;
        v.metricsError = in.metricsError;
        return m_verdict = v;
    }
    if (!in.hasHealth || in.stale) {
        v.reason = in.hasHealth ? QStringLiteral("the newest health sample is older than %1 s").arg(double(in.staleAfterMs) / 1000, 0, 'f', 1)
                                : QStringLiteral("no health data yet");
        v.why = in.hasHealth ? Verdict::Why::Stale : Verdict::Why::NoHealthYet;
        v.staleAfterS = double(in.staleAfterMs) / 1000;
        return m_verdict = v;
    }
    m_watch.record(in.health, in.staleAfterMs);
    QList<GateResult> results;
    if (m_watch.judge(m_gates, in.health, in.metricsError, in.nowMs, in.staleAfterMs, &results)) {
        v.results = results;
        v.timeMs = in.health.canary.timeMs;
    }
    const GateResult *failed = nullptr, *confirming = nullptr, *thin = nullptr;
    for (const GateResult &r : std::as_const(v.results)) {
        if (r.outcome == GateResult::Outcome::Fail && !failed)
            failed = &r;
        else if (r.cause == GateResult::Cause::Confirming && !confirming)
            confirming = &r;
        else if (r.outcome == GateResult::Outcome::Inconclusive && r.cause != GateResult::Cause::Confirming && !thin)
            thin = &r;
    }
    const auto decidedBy = [&v](const GateResult *r) {
        v.why = Verdict::Why::Gate;
        v.gate = r - v.results.constData();
        v.reason = QStringLiteral("gate %1").arg(r->text);
    };
    if (failed) {
        v.state = Verdict::State::Failing;
        decidedBy(failed);
    } else if (confirming) {
        v.state = Verdict::State::Watch;
        decidedBy(confirming);
    } else if (thin || v.results.isEmpty()) {
        v.state = Verdict::State::NoData; // too little to judge is never healthy
        if (thin) {
            decidedBy(thin);
        } else {
            v.why = Verdict::Why::NothingJudged;
            v.reason = QStringLiteral("no reading judged yet");
        }
    } else {
        v.state = Verdict::State::Healthy;
        v.why = Verdict::Why::GatesPass;
        v.reason = QStringLiteral("%1 gate(s) pass").arg(v.results.size());
    }
    return m_verdict = v;
}

} // namespace Switchboard
