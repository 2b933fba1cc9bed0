#include "weightplan.h"

#include <cmath>

namespace Switchboard {

bool planWeights(int stableCount, int canaryCount, double canaryPercent, WeightPlan *plan,
                 QString *error, int maxWeight)
{
    if (!(canaryPercent >= 0.0 && canaryPercent <= 100.0)) {
        *error = QStringLiteral("canary percent must be between 0 and 100, got %1").arg(canaryPercent);
        return false;
    }
    if (canaryPercent > 0 && canaryCount <= 0) {
        *error = QStringLiteral("no canary server to send %1% to").arg(canaryPercent);
        return false;
    }
    if (canaryPercent < 100 && stableCount <= 0) {
        *error = QStringLiteral("no stable server to send %1% to").arg(100 - canaryPercent);
        return false;
    }
    if (canaryPercent <= 0) {
        *plan = {maxWeight, 0, 0.0};
        return true;
    }
    if (canaryPercent >= 100) {
        *plan = {0, maxWeight, 100.0};
        return true;
    }
    // Exhaustive search: 256 x 256 pairs is cheap and finds the exact answer when one exists.
    const double want = canaryPercent / 100.0;
    double bestErr = 2.0;
    WeightPlan best;
    for (int s = maxWeight; s >= 1; --s) {
        for (int c = maxWeight; c >= 1; --c) {
            const double share = double(c) * canaryCount / (double(c) * canaryCount + double(s) * stableCount);
            const double err = std::abs(share - want);
            // Strictly better only: the scan order (largest first) keeps the largest weights on ties.
            if (err < bestErr - 1e-12) {
                bestErr = err;
                best = {s, c, share * 100.0};
            }
        }
    }
    *plan = best;
    return true;
}

} // namespace Switchboard
