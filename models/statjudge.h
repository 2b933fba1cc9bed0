#pragma once
// The statistical judge of a gate (GateSpec::judge): compares the canary with stable over the
// readings of a StatWindow and says whether the canary is worse beyond both chance (the
// confidence level) and the effect-size tolerance, with the numbers that decided it. Kayenta
// judges latency the same way (Mann-Whitney U, confidence 0.98, tolerance 0.25).

#include "analysisgate.h"

namespace Switchboard {

class StatJudge final
{
public:
    struct Decision
    {
        bool enough = false; // false: too few points to judge (why says how many)
        bool worse = false;  // significant and beyond tolerance
        QString why;         // one line with the statistic, p-value and effect size
        GateStats stats;
    };

    static Decision judge(const GateSpec &spec, const StatWindow &window);
    // 0.005 (half a point of error ratio) for two-proportion, 0.25 (25%) for Mann-Whitney.
    static double defaultTolerance(GateSpec::Judge j);
};

} // namespace Switchboard
