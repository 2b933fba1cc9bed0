#pragma once
// Analysis gates of a rollout: what "the canary is healthy enough" means for one metric, and
// its evaluation as a pure function of one health observation, so every outcome can be tested
// without a target, a clock or a timer.
//
// A gate compares one canary metric against an absolute bound and/or a bound relative to
// stable. Missing data (NaN, a stale sample, a failing metrics layer) is never a pass: it is
// "inconclusive, no data". Too little canary traffic is "inconclusive, too few requests" (one
// error in three requests says nothing). A breach only fails the gate after `failureLimit`
// consecutive breaching observations; before that it is "inconclusive, confirming".
//
// JSON (inside a plan's "gates" arrays; every key but "metric" and one bound is optional):
//   {"name": "error-ratio",            // default: the metric name; unique within a list
//    "metric": "errorRatio",           // errorRatio (0..1) | p99Ms | p50Ms | rps
//    "max": 0.01,                      // canary <= 0.01
//    "maxOverStable": 0.01,            // canary <= stable + 0.01
//    "maxTimesStable": 1.5,            // canary <= stable * 1.5
//    "floorOverStable": 20,            // with maxTimesStable: that bound is never below
//                                      // stable + 20 (in the metric's unit), i.e.
//                                      // canary <= max(stable * 1.5, stable + 20): a relative
//                                      // bound on a few ms of latency is otherwise only noise
//    "min": 10, "minTimesStable": 0.5, // lower bounds (rps); not mixed with max* bounds
//    "combine": "all",                 // all: every bound must hold (the tightest wins);
//                                      // any: one is enough (the loosest wins), e.g.
//                                      // "<= max(1%, stable + 1%)"
//    "minRequests": 50,                // canary requests seen since its weight was set
//    "minRps": 0,                      // canary request rate now
//    "failureLimit": 2}                // consecutive breaches before the gate fails
//
// A gate may instead let a statistical judge decide, over the readings since the canary's
// weight was set (a verdict's window: its last windowMs), in the manner of Kayenta's judge:
//   {"metric": "errorRatio", "judge": "two-proportion",   // z-test, Fisher's exact at low counts
//    "confidence": 0.99,   // fails only when p < 1 - confidence ...
//    "tolerance": 0.01,    // ... and canary - stable exceeds this (ratio units: 0.01 = 1 point)
//    "minPoints": 10}      // readings needed on each side, else inconclusive (too few)
//   {"metric": "p99Ms", "judge": "mann-whitney",           // one value per reading and version
//    "confidence": 0.99, "tolerance": 0.5,   // median(canary)/median(stable) - 1 beyond 50%
//    "floorOverStable": 20, "minPoints": 20} // and the Hodges-Lehmann shift beyond 20 ms
// Judge gates take no max*/min* bounds (add a threshold gate next to them for that).

#include "domain.h"
#include "statwindow.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace Switchboard {

struct GateSpec
{
    enum class Metric { ErrorRatio, P99Ms, P50Ms, Rps };
    enum class Combine { All, Any };
    enum class Judge { Threshold, TwoProportion, MannWhitney };

    QString name;
    Metric metric = Metric::ErrorRatio;
    double max = unknown();
    double maxOverStable = unknown();
    double maxTimesStable = unknown();
    double floorOverStable = unknown(); // maxTimesStable's bound is at least stable + this
    double min = unknown();
    double minTimesStable = unknown();
    Combine combine = Combine::All;
    double minRequests = 0;
    double minRps = 0;
    int failureLimit = 1;
    Judge judge = Judge::Threshold;
    double confidence = 0.98;    // judge gates: 1 - the p-value that counts as evidence
    double tolerance = unknown(); // judge gates: the effect size allowed (default per judge)
    int minPoints = 20;          // judge gates: readings needed on each side

    bool isUpperBound() const;
    bool usesStable() const;
    QJsonObject toJson() const;
    // `path` prefixes error messages ("gates[1]"); returns false and sets *error on any
    // unknown key, missing field or out-of-range value.
    static bool fromJson(const QJsonObject &o, const QString &path, GateSpec *out, QString *error);
};

QString metricName(GateSpec::Metric m);
QString judgeName(GateSpec::Judge j);
bool metricFromName(const QString &name, GateSpec::Metric *out);
double metricValue(const HealthSample &s, GateSpec::Metric m);
// "0.31%" / "48.2 ms" / "812 req/s": the units people read on the charts.
QString formatMetric(GateSpec::Metric m, double v);

// The numbers a statistical judge decided on (GateResult::stats): shown in tooltips, the event
// log and the audit. `test` is empty for threshold gates.
struct GateStats
{
    QString test;               // "z-test", "fisher-exact", "mann-whitney"
    double statistic = unknown(); // z, or U for Mann-Whitney
    double pValue = unknown();  // one-sided: the canary is worse
    double alpha = unknown();   // 1 - confidence
    double effect = unknown();  // difference of ratios, or relative change of the median
    double tolerance = unknown();
    double shift = unknown();   // Mann-Whitney: Hodges-Lehmann shift, in the metric's unit
    double canaryPoints = 0;    // requests (proportion tests) or readings (Mann-Whitney)
    double stablePoints = 0;

    bool isSet() const { return !test.isEmpty(); }
    QJsonObject toJson() const;
};

// One observation to judge.
struct GateInput
{
    HealthSample canary;
    HealthSample stable;
    // The stable values come from before stable lost its traffic (blue-green bake, a canary at
    // 100%): relative bounds still have something to compare with.
    bool stableIsBaseline = false;
    // Canary requests seen since its current weight was set; NaN when unknown.
    double canaryRequests = unknown();
    // Non-empty: the metrics layer's latest query failed; the samples are old news.
    QString metricsError;
    // Samples older than staleAfterMs at nowMs are no data. staleAfterMs 0 skips the check.
    qint64 nowMs = 0;
    qint64 staleAfterMs = 0;
    // Readings for judge gates; null: judge gates are inconclusive.
    const StatWindow *window = nullptr;
};

struct GateResult
{
    enum class Outcome { Pass, Fail, Inconclusive };
    enum class Cause { None, NoData, TooFewRequests, Confirming };

    QString gate;
    GateSpec::Metric metric = GateSpec::Metric::ErrorRatio;
    Outcome outcome = Outcome::Inconclusive;
    Cause cause = Cause::NoData;
    double canary = unknown();
    double stable = unknown();
    double threshold = unknown();
    double canaryRequests = unknown();
    int consecutiveFailures = 0; // after this observation
    int failureLimit = 1;
    qint64 timeMs = 0;            // of the canary sample judged
    QString why;                  // "no data: Prometheus: connection refused", "canary 0.31% <= 1.21% = ..."
    QString text;                 // one line: gate, outcome and why: "error-ratio pass: canary 0.31% <= ..."
    GateStats stats;              // judge gates: the numbers behind the outcome

    bool isNoData() const { return outcome == Outcome::Inconclusive && cause == Cause::NoData; }
};

QString outcomeName(GateResult::Outcome o);

// `failuresBefore` is the gate's consecutive breach count so far. A pass resets it, a breach
// adds one, no data and too few requests leave it as it was (they are not evidence either way).
GateResult evaluateGate(const GateSpec &spec, const GateInput &in, int failuresBefore);

// Evaluates a list, reading and updating the consecutive-failure counters by gate name.
QList<GateResult> evaluateGates(const QList<GateSpec> &specs, const GateInput &in, QHash<QString, int> *failures);

// What judging gates over a run needs to remember between observations, kept apart from the
// engine so it stays a function of the samples it is given: the canary's request count since its
// weight was set, a stable baseline for when stable has no traffic (blue-green bake, canary at
// 100%), the consecutive-failure counts, and the last reading judged (a reading announced twice,
// e.g. by a chart backfill, must not count as two observations).
class GateWatch final
{
public:
    // A new canary weight is a new population: its requests are counted from zero.
    void resetVolume()
    {
        m_requests = 0;
        m_window.reset();
    }
    // Forgets everything (counts, window, breaches, the last reading judged): for a window
    // rebuilt from history.
    void restart()
    {
        *this = GateWatch{m_window.maxAgeMs()};
    }
    GateWatch() = default;
    explicit GateWatch(qint64 windowMs) { m_window.setMaxAgeMs(windowMs); }
    // How far back judge gates look (0: since the weight was set).
    void setWindowMs(qint64 ms) { m_window.setMaxAgeMs(ms); }
    const StatWindow &window() const { return m_window; }
    // Takes in one usable reading (no metrics error, not stale). A gap between two samples adds
    // at most maxGapMs worth of requests: requests nobody saw are not evidence.
    void record(const HealthSnapshot &h, qint64 maxGapMs);
    // Judges a reading; false (and *out untouched) when this very reading was judged before.
    bool judge(const QList<GateSpec> &gates, const HealthSnapshot &h, const QString &metricsError, qint64 nowMs,
               qint64 staleAfterMs, QList<GateResult> *out);
    double canaryRequests() const { return m_requests; }
    bool hasBaseline() const { return m_baseline.has_value(); }

private:
    double m_requests = 0;
    qint64 m_lastSampleMs = 0;
    qint64 m_lastJudgedMs = -1;
    QString m_lastError;
    std::optional<HealthSample> m_baseline;
    QHash<QString, int> m_failures;
    StatWindow m_window;
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::GateResult)
