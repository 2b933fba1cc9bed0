#pragma once
// What the current request rate gives a plan's gates: for each analysis step, about how many
// canary requests it will count by the end of its window at the plan's weight, against each
// gate's minRequests. An analysis that ends short pauses the rollout as inconclusive, so Start
// (the plan bar, `switchboard run`) says so before any traffic moves.
//
// The estimate: total rate × canary share × (time from the weight change to the analysis' end
// − the time the metrics take to show a new weight's requests). Analyses after a moveServers
// step (the share depends on the target's servers), after an untimed pause (no bound on the
// window) or before any weight step are not estimated.

#include "rolloutplan.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

class TrafficForecast final
{
public:
    struct Shortfall
    {
        int step = -1;           // index of the analysis step
        QString gate;
        double canaryPercent = 0; // the weight the analysis judges
        qint64 windowMs = 0;      // from that weight's change to the analysis' end
        double minRequests = 0;
        double expected = 0;      // canary requests it will count, about
    };

    // Gates that cannot reach their minRequests at `totalRps` (both versions, now), in plan
    // order. `unseenMs`: how long after a change the canary's requests are not counted yet
    // (see unseenAfterChangeMs()). A rate that is not known gives no shortfalls.
    static QList<Shortfall> shortfalls(const RolloutPlan &plan, double totalRps, qint64 unseenMs);
    // The request rate both versions serve now, NaN when neither is known.
    static double totalRps(const HealthSnapshot &h);
    // The engine counts a new weight's requests from the rates it reads, and those lag: nothing
    // of the new share shows until a poll after the metrics layer's rate window has seen it.
    // The target's staleness limit (the engine's own "data should have arrived by now") plus one
    // poll is that lag, as far as a target knows it.
    static qint64 unseenAfterChangeMs(qint64 staleAfterMs, int pollMs) { return staleAfterMs + pollMs; }
    // One line per shortfall: "step 2/10 (analysis 0:30 at 5%): gate error-ratio needs 50
    // canary requests; 40.0 req/s now gives it about 48, so it will pause as inconclusive".
    static QStringList describe(const RolloutPlan &plan, const QList<Shortfall> &shortfalls, double totalRps);
    // All of the above for a target's latest health and its timing (what Start and `run` say).
    static QStringList warnings(const RolloutPlan &plan, const HealthSnapshot &now, qint64 staleAfterMs, int pollMs);
};

} // namespace Switchboard
