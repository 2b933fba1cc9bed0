#pragma once
// The statistics behind the noise-coping judge (in the manner of Kayenta's judge): is the canary
// worse than stable beyond chance? Pure functions of counts and samples, so every number can be
// checked against published examples.
//
// Every p-value here is one-sided in the direction that hurts: "the canary errs more" or "the
// canary is slower"; a canary that is better is never evidence against it. The two-sided value is
// given too, for reports.

#include <QList>

namespace Switchboard {

class StatTests final
{
public:
    struct ProportionTest
    {
        enum class Method { ZTest, FisherExact };
        Method method = Method::ZTest;
        double canaryRatio = 0;   // k/n
        double stableRatio = 0;
        double difference = 0;    // canaryRatio - stableRatio (the effect size)
        double z = 0;             // the z statistic (ZTest only; 0 for Fisher)
        double pValue = 1;        // one-sided: canary's ratio greater than stable's
        double pTwoSided = 1;
    };
    struct RankTest
    {
        double u = 0;            // Mann-Whitney U of the canary sample (pairs where canary > stable, ties half)
        double z = 0;            // normal approximation, tie-corrected, continuity-corrected
        double pValue = 1;       // one-sided: canary values tend to be greater
        double pTwoSided = 1;
        double cles = 0.5;       // common-language effect size: U / (n1 n2)
        double hodgesLehmann = 0; // median of all pairwise differences canary - stable
        double medianRatio = 1;  // median(canary) / median(stable); NaN when stable's median is 0
    };

    // Upper tail of the standard normal distribution, P(Z > z).
    static double normalSf(double z);
    // Upper tail of the binomial distribution, P(X >= k) for X ~ Bin(n, p) (k, n rounded; exact
    // sum of the probabilities in log space).
    static double binomialSf(double k, double n, double p);
    // Two-proportion z-test with the pooled variance (canary errors kC of nC, stable kS of nS).
    static ProportionTest twoProportion(double kC, double nC, double kS, double nS);
    // Fisher's exact test on the 2x2 table [[kC, nC-kC], [kS, nS-kS]] (counts are rounded).
    static ProportionTest fisherExact(double kC, double nC, double kS, double nS);
    // Fisher's test when any expected cell count is below 5 (where the z-test's normal
    // approximation is poor), the z-test otherwise.
    static ProportionTest compareProportions(double kC, double nC, double kS, double nS);
    // Mann-Whitney U with average ranks for ties and the normal approximation (as scipy's
    // mannwhitneyu with method="asymptotic", use_continuity=True).
    static RankTest mannWhitney(const QList<double> &canary, const QList<double> &stable);
    static double median(QList<double> v);
};

} // namespace Switchboard
