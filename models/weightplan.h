#pragma once
// Maps "canary gets P percent" onto integer per-server weights, the way load balancers take them.

#include <QString>

namespace Switchboard {

// The largest weight planned for one member: HAProxy's maximum, and plenty of resolution for
// nginx and the simulator.
inline constexpr int maxMemberWeight = 256;

struct WeightPlan
{
    int stableWeight = 0; // for each stable member
    int canaryWeight = 0; // for each canary member
    double canaryPercent = 0; // what these weights really give (may differ from the request by rounding)
};

// Every member of a version gets the same weight, in [minWeight, maxWeight] (0 allowed only for
// the version that gets 0%). Picks the pair whose share is closest to the request; among
// equally close pairs the largest weights, so later relative changes keep their resolution.
// Returns false (and sets *error) if a version has no member but would need traffic.
bool planWeights(int stableCount, int canaryCount, double canaryPercent, WeightPlan *plan,
                 QString *error, int maxWeight = maxMemberWeight);

} // namespace Switchboard
