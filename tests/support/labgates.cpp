#include "labgates.h"

using namespace Switchboard;

GateSpec LabGates::errorGate()
{
    GateSpec g;
    g.name = QStringLiteral("error-ratio");
    g.metric = GateSpec::Metric::ErrorRatio;
    g.max = 0.05;
    // A handful of canary requests: with the lab's 200 req/s of background traffic a 5% canary
    // serves ~10 req/s, but the engine counts them from Prometheus' 10 s rate, which only ramps
    // up to that over the seconds after a change (on the lab 5 are counted ~4 s after the first
    // change).
    g.minRequests = 5;
    // One breach could be a scrape landing mid-burst; two in a row is the canary.
    g.failureLimit = 2;
    return g;
}
