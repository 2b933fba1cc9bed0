#include "statjudge.h"

#include "stattests.h"

#include <cmath>

namespace Switchboard {

namespace {

QString judgeP(double p)
{
    return p < 1e-4 ? QString::number(p, 'e', 1) : QString::number(p, 'f', 4);
}

double HealthSample::*judgeMember(GateSpec::Metric m)
{
    switch (m) {
    case GateSpec::Metric::ErrorRatio: return &HealthSample::errorRatio;
    case GateSpec::Metric::P99Ms: return &HealthSample::p99Ms;
    case GateSpec::Metric::P50Ms: return &HealthSample::p50Ms;
    case GateSpec::Metric::Rps: return &HealthSample::rps;
    }
    return &HealthSample::p99Ms;
}

StatJudge::Decision judgeProportions(const GateSpec &spec, const StatWindow &window)
{
    StatJudge::Decision d;
    const StatWindow::Counts c = window.counts(Version::Canary);
    const StatWindow::Counts s = window.counts(Version::Stable);
    d.stats.canaryPoints = std::round(c.requests);
    d.stats.stablePoints = std::round(s.requests);
    if (c.readings < spec.minPoints || s.readings < spec.minPoints || c.requests < 1 || s.requests < 1) {
        d.why = QStringLiteral("%1 canary and %2 stable reading(s) with traffic in the window, %3 needed on each side")
                    .arg(c.readings).arg(s.readings).arg(spec.minPoints);
        return d;
    }
    d.enough = true;
    const auto t = StatTests::compareProportions(std::round(c.errors), std::round(c.requests), std::round(s.errors),
                                                 std::round(s.requests));
    const double tol = isKnown(spec.tolerance) ? spec.tolerance : StatJudge::defaultTolerance(spec.judge);
    d.stats.test = t.method == StatTests::ProportionTest::Method::FisherExact ? QStringLiteral("fisher-exact")
                                                                              : QStringLiteral("z-test");
    d.stats.statistic = t.method == StatTests::ProportionTest::Method::ZTest ? t.z : unknown();
    d.stats.pValue = t.pValue;
    d.stats.alpha = 1 - spec.confidence;
    d.stats.effect = t.difference;
    d.stats.tolerance = tol;
    const bool significant = t.pValue < d.stats.alpha;
    const bool large = t.difference > tol;
    d.worse = significant && large;
    d.why = QStringLiteral("%1: canary %2 (%3/%4) vs stable %5 (%6/%7)%8, p %9 %10 %11, difference %12%13 pts %14 tolerance %15 pts")
                .arg(d.stats.test, formatMetric(GateSpec::Metric::ErrorRatio, t.canaryRatio))
                .arg(std::round(c.errors), 0, 'f', 0).arg(std::round(c.requests), 0, 'f', 0)
                .arg(formatMetric(GateSpec::Metric::ErrorRatio, t.stableRatio))
                .arg(std::round(s.errors), 0, 'f', 0).arg(std::round(s.requests), 0, 'f', 0)
                .arg(isKnown(d.stats.statistic) ? QStringLiteral(", z %1").arg(d.stats.statistic, 0, 'f', 2) : QString())
                .arg(judgeP(t.pValue), significant ? QStringLiteral("<") : QStringLiteral(">="), judgeP(d.stats.alpha))
                .arg(t.difference >= 0 ? QStringLiteral("+") : QString())
                .arg(t.difference * 100, 0, 'f', 2)
                .arg(large ? QStringLiteral(">") : QStringLiteral("<="))
                .arg(tol * 100, 0, 'f', 2);
    return d;
}

StatJudge::Decision judgeRanks(const GateSpec &spec, const StatWindow &window)
{
    StatJudge::Decision d;
    const QList<double> canary = window.values(Version::Canary, judgeMember(spec.metric));
    const QList<double> stable = window.values(Version::Stable, judgeMember(spec.metric));
    d.stats.canaryPoints = double(canary.size());
    d.stats.stablePoints = double(stable.size());
    if (canary.size() < spec.minPoints || stable.size() < spec.minPoints) {
        d.why = QStringLiteral("%1 canary and %2 stable %3 value(s) in the window, %4 needed on each side")
                    .arg(canary.size()).arg(stable.size()).arg(metricName(spec.metric)).arg(spec.minPoints);
        return d;
    }
    d.enough = true;
    const auto t = StatTests::mannWhitney(canary, stable);
    const double tol = isKnown(spec.tolerance) ? spec.tolerance : StatJudge::defaultTolerance(spec.judge);
    d.stats.test = QStringLiteral("mann-whitney");
    d.stats.statistic = t.u;
    d.stats.pValue = t.pValue;
    d.stats.alpha = 1 - spec.confidence;
    // Relative change of the median (Kayenta's ratio); with a zero stable median, any shift up is "large".
    d.stats.effect = isKnown(t.medianRatio) ? t.medianRatio - 1 : (t.hodgesLehmann > 0 ? INFINITY : 0);
    d.stats.tolerance = tol;
    d.stats.shift = t.hodgesLehmann;
    const bool significant = t.pValue < d.stats.alpha;
    const bool large = d.stats.effect > tol && (!isKnown(spec.floorOverStable) || t.hodgesLehmann > spec.floorOverStable);
    d.worse = significant && large;
    QString floor;
    if (isKnown(spec.floorOverStable))
        floor = QStringLiteral(" (floor %1)").arg(formatMetric(spec.metric, spec.floorOverStable));
    d.why = QStringLiteral("mann-whitney: canary median %1 (n %2) vs stable %3 (n %4), U %5, z %6, p %7 %8 %9, "
                           "median %10%11% %12 tolerance %13%, shift %14%15")
                .arg(formatMetric(spec.metric, StatTests::median(canary))).arg(canary.size())
                .arg(formatMetric(spec.metric, StatTests::median(stable))).arg(stable.size())
                .arg(t.u, 0, 'f', 1).arg(t.z, 0, 'f', 2)
                .arg(judgeP(t.pValue), significant ? QStringLiteral("<") : QStringLiteral(">="), judgeP(d.stats.alpha))
                .arg(d.stats.effect >= 0 ? QStringLiteral("+") : QString())
                .arg(d.stats.effect * 100, 0, 'f', 1)
                .arg(large ? QStringLiteral(">") : QStringLiteral("<="))
                .arg(tol * 100, 0, 'f', 1)
                .arg(t.hodgesLehmann >= 0 ? QStringLiteral("+") : QString(), formatMetric(spec.metric, t.hodgesLehmann))
                + floor;
    return d;
}

} // namespace

double StatJudge::defaultTolerance(GateSpec::Judge j)
{
    return j == GateSpec::Judge::TwoProportion ? 0.005 : 0.25;
}

StatJudge::Decision StatJudge::judge(const GateSpec &spec, const StatWindow &window)
{
    if (spec.judge == GateSpec::Judge::TwoProportion)
        return judgeProportions(spec, window);
    return judgeRanks(spec, window);
}

} // namespace Switchboard
