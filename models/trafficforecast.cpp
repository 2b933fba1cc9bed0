#include "trafficforecast.h"

#include <algorithm>
#include <cmath>

namespace Switchboard {

QList<TrafficForecast::Shortfall> TrafficForecast::shortfalls(const RolloutPlan &plan, double totalRps, qint64 unseenMs)
{
    QList<Shortfall> out;
    if (!isKnown(totalRps))
        return out;
    double percent = unknown(); // the canary's weight from the last step that moved traffic
    qint64 sinceChangeMs = 0;   // minimum time from that change to the end of the current step
    bool bounded = true;        // no untimed pause since that change
    for (int i = 0; i < plan.steps.size(); ++i) {
        const RolloutStep &s = plan.steps.at(i);
        switch (s.kind) {
        case RolloutStep::Kind::SetWeight:
            percent = s.weight;
            sinceChangeMs = 0;
            bounded = true;
            continue;
        case RolloutStep::Kind::MoveServers:
            percent = unknown();
            continue;
        case RolloutStep::Kind::Route:
            continue; // routed testers are traffic the weights do not forecast
        case RolloutStep::Kind::Pause:
            sinceChangeMs += s.durationMs;
            bounded &= s.durationMs > 0;
            continue;
        case RolloutStep::Kind::Analysis:
            sinceChangeMs += s.durationMs;
            break;
        }
        if (!isKnown(percent) || !bounded)
            continue;
        const double expected = std::max(0.0, totalRps) * percent / 100.0 * double(std::max<qint64>(0, sinceChangeMs - unseenMs)) / 1000.0;
        for (const GateSpec &g : plan.gatesFor(i)) {
            if (g.minRequests > 0 && expected < g.minRequests)
                out.append({i, g.name.isEmpty() ? metricName(g.metric) : g.name, percent, sinceChangeMs, g.minRequests, expected});
        }
    }
    return out;
}

double TrafficForecast::totalRps(const HealthSnapshot &h)
{
    const bool stable = isKnown(h.stable.rps);
    const bool canary = isKnown(h.canary.rps);
    if (!stable && !canary)
        return unknown();
    return (stable ? h.stable.rps : 0) + (canary ? h.canary.rps : 0);
}

QStringList TrafficForecast::describe(const RolloutPlan &plan, const QList<Shortfall> &shortfalls, double totalRps)
{
    QStringList lines;
    for (const Shortfall &s : shortfalls) {
        lines.append(QStringLiteral("step %1/%2 (%3 at %4%): gate %5 needs %6 canary requests; %7 req/s now gives it about %8, "
                                    "so it will pause as inconclusive")
                         .arg(s.step + 1)
                         .arg(plan.steps.size())
                         .arg(plan.steps.at(s.step).label())
                         .arg(s.canaryPercent, 0, 'g', 4)
                         .arg(s.gate)
                         .arg(s.minRequests, 0, 'f', 0)
                         .arg(totalRps, 0, 'f', 1)
                         .arg(std::floor(s.expected), 0, 'f', 0));
    }
    return lines;
}

QStringList TrafficForecast::warnings(const RolloutPlan &plan, const HealthSnapshot &now, qint64 staleAfterMs, int pollMs)
{
    const double rps = totalRps(now);
    return describe(plan, shortfalls(plan, rps, unseenAfterChangeMs(staleAfterMs, pollMs)), rps);
}

} // namespace Switchboard
