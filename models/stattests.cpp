#include "stattests.h"

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

// log of n choose k, through lgamma: exact enough for the hypergeometric terms we add up.
double statLogChoose(double n, double k)
{
    return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

} // namespace

double StatTests::normalSf(double z)
{
    return 0.5 * std::erfc(z / std::sqrt(2.0));
}

double StatTests::binomialSf(double k, double n, double p)
{
    const qint64 kk = std::llround(k);
    const qint64 nn = std::llround(n);
    if (kk <= 0)
        return 1.0;
    if (kk > nn || p <= 0)
        return 0.0;
    if (p >= 1)
        return 1.0;
    const double logP = std::log(p);
    const double logQ = std::log1p(-p);
    const double logNFact = std::lgamma(double(nn) + 1);
    double sum = 0;
    for (qint64 i = kk; i <= nn; ++i) {
        const double term = std::exp(logNFact - std::lgamma(double(i) + 1) - std::lgamma(double(nn - i) + 1)
                                     + double(i) * logP + double(nn - i) * logQ);
        sum += term;
        if (term < sum * 1e-17 && double(i) > double(nn) * p)
            break; // past the mode the terms only shrink: the rest cannot matter
    }
    return std::min(1.0, sum);
}

double StatTests::median(QList<double> v)
{
    if (v.isEmpty())
        return std::nan("");
    // Selection, not a sort: the Hodges-Lehmann estimate takes the median of n1 × n2 differences.
    const qsizetype n = v.size();
    auto mid = v.begin() + n / 2;
    std::nth_element(v.begin(), mid, v.end());
    if (n % 2)
        return *mid;
    const double upper = *mid;
    return (*std::max_element(v.begin(), mid) + upper) / 2;
}

StatTests::ProportionTest StatTests::twoProportion(double kC, double nC, double kS, double nS)
{
    ProportionTest t;
    t.method = ProportionTest::Method::ZTest;
    t.canaryRatio = nC > 0 ? kC / nC : 0;
    t.stableRatio = nS > 0 ? kS / nS : 0;
    t.difference = t.canaryRatio - t.stableRatio;
    if (nC <= 0 || nS <= 0)
        return t;
    const double pooled = (kC + kS) / (nC + nS);
    const double se = std::sqrt(pooled * (1 - pooled) * (1 / nC + 1 / nS));
    if (se <= 0) // both all-good or both all-bad: no difference to see
        return t;
    t.z = t.difference / se;
    t.pValue = normalSf(t.z);
    t.pTwoSided = std::min(1.0, 2 * normalSf(std::fabs(t.z)));
    return t;
}

StatTests::ProportionTest StatTests::fisherExact(double kC, double nC, double kS, double nS)
{
    ProportionTest t;
    t.method = ProportionTest::Method::FisherExact;
    const double a = std::round(kC), n1 = std::round(nC), c = std::round(kS), n2 = std::round(nS);
    t.canaryRatio = n1 > 0 ? a / n1 : 0;
    t.stableRatio = n2 > 0 ? c / n2 : 0;
    t.difference = t.canaryRatio - t.stableRatio;
    if (n1 <= 0 || n2 <= 0)
        return t;
    // With the margins fixed, the canary's error count is hypergeometric: K errors in all, n1 drawn.
    const double k = a + c, n = n1 + n2;
    const double lo = std::max(0.0, k - n2), hi = std::min(k, n1);
    const double logTotal = statLogChoose(n, n1);
    auto prob = [&](double x) { return std::exp(statLogChoose(k, x) + statLogChoose(n - k, n1 - x) - logTotal); };
    const double observed = prob(a);
    double upper = 0, twoSided = 0;
    for (double x = lo; x <= hi; ++x) {
        const double p = prob(x);
        if (x >= a)
            upper += p;
        // Two-sided as R and scipy do: every table no more likely than the one observed (with a
        // small relative tolerance for rounding).
        if (p <= observed * (1 + 1e-7))
            twoSided += p;
    }
    t.pValue = std::min(1.0, upper);
    t.pTwoSided = std::min(1.0, twoSided);
    return t;
}

StatTests::ProportionTest StatTests::compareProportions(double kC, double nC, double kS, double nS)
{
    const double n = nC + nS;
    if (n <= 0)
        return twoProportion(kC, nC, kS, nS);
    const double k = kC + kS;
    const double smallest = std::min({nC * k / n, nC * (n - k) / n, nS * k / n, nS * (n - k) / n});
    return smallest < 5 ? fisherExact(kC, nC, kS, nS) : twoProportion(kC, nC, kS, nS);
}

StatTests::RankTest StatTests::mannWhitney(const QList<double> &canary, const QList<double> &stable)
{
    RankTest t;
    const double n1 = double(canary.size()), n2 = double(stable.size());
    if (n1 == 0 || n2 == 0)
        return t;
    // Rank the pooled sample; ties share their average rank.
    QList<std::pair<double, int>> all; // value, 0 canary / 1 stable
    all.reserve(canary.size() + stable.size());
    for (double v : canary)
        all.append({v, 0});
    for (double v : stable)
        all.append({v, 1});
    std::sort(all.begin(), all.end(), [](const auto &l, const auto &r) { return l.first < r.first; });
    double rankSumCanary = 0, tieTerm = 0;
    for (qsizetype i = 0; i < all.size();) {
        qsizetype j = i;
        while (j < all.size() && all.at(j).first == all.at(i).first)
            ++j;
        const double ties = double(j - i);
        const double avgRank = (double(i + 1) + double(j)) / 2;
        for (qsizetype m = i; m < j; ++m)
            if (all.at(m).second == 0)
                rankSumCanary += avgRank;
        tieTerm += ties * ties * ties - ties;
        i = j;
    }
    const double n = n1 + n2;
    t.u = rankSumCanary - n1 * (n1 + 1) / 2;
    t.cles = t.u / (n1 * n2);
    const double mu = n1 * n2 / 2;
    const double sigma = std::sqrt(n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1))));
    if (sigma > 0) {
        // Continuity correction toward the mean, as scipy does for each alternative.
        t.z = (t.u - mu - 0.5) / sigma;
        t.pValue = std::min(1.0, normalSf(t.z));
        t.pTwoSided = std::min(1.0, 2 * normalSf((std::fabs(t.u - mu) - 0.5) / sigma));
    }
    QList<double> diffs;
    diffs.reserve(canary.size() * stable.size());
    for (double c : canary)
        for (double s : stable)
            diffs.append(c - s);
    t.hodgesLehmann = median(diffs);
    const double ms = median(stable);
    t.medianRatio = ms != 0 ? median(canary) / ms : std::nan("");
    return t;
}

} // namespace Switchboard
