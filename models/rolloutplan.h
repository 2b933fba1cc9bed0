#pragma once
// A rollout plan as plain data: the ordered steps the RolloutEngine walks through and the gates
// that guard them, with its JSON form (presets/NAME.json) and the checks that make a hand-edited
// file safe to run.
//
// JSON (one plan per file; unknown keys are refused so a typo never disables a safety check):
//   {"name": "canary-5-25-50-100",          // optional in a preset file: the file name wins
//    "description": "free text",            // optional
//    "strategy": "canary",                  // canary | blueGreen | rolling
//    "gates": [ {gate}, ... ],              // optional; see analysisgate.h for {gate}
//    "steps": [
//      {"setWeight": 5},                    // canary percent 0..100; waits until applied
//      {"pause": {"durationMs": 60000}},    // timed; {"pause": {}} waits until resumed
//      {"analysis": {"durationMs": 30000,   // at least this long (default 0)
//                    "intervals": 3,        // at least this many all-pass observations (default 1)
//                    "gates": [ ... ]}},    // default: the plan's "gates"
//      {"moveServers": 2},                  // rolling plans only; see below
//      {"route": {"header": "X-Canary",     // testers to the canary, whatever the weights
//                 "value": "always"}},      // (or "cookie"); {"route": null} clears the routes
//      {"setWeight": 100}]}
//
// The plan-level "gates" are also watched in the background from the first step that gives the
// canary traffic to the end (pauses included), so a breach rolls back whatever step is running,
// on the poll where the gate's failure limit is reached (failureLimit polls after the metrics
// layer's rate window first shows it; bench/bench_rollout measures the whole path).
// An analysis step judges its own gates instead while it runs.
//
// Strategies are all expressed as these steps; the strategy adds checks:
// - canary: any weights; the last setWeight must be 100.
// - blueGreen: weights 0 (preview: new version deployed, no traffic) and exactly one switch to
//   100, followed by an analysis step: the bake (bakeMs()), during which the old version is kept
//   deployed, so a rollback is an instant switch back to 0.
// - rolling: server by server. {"moveServers": k} gives k new-version servers their full
//   weight and drains k old-version servers (weight 0: no new requests, open ones finish), in
//   the traffic layer's order and clamped to what the target has (see rollingmove.h). The step
//   ends once the traffic layer's health checks show every new server with traffic up; a new
//   server whose check fails rolls back, and while a rolling plan runs any new server with
//   traffic whose check fails rolls back too. Moves and setWeights never go back, and the last
//   setWeight is 100 (all new servers in, all old out). Layers without per-server weights
//   (Kubernetes routes, Argo Rollouts) refuse the moves, which pauses the plan.

#include "analysisgate.h"
#include "trafficroute.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Switchboard {

struct RolloutStep
{
    enum class Kind { SetWeight, Pause, Analysis, MoveServers, Route };
    Kind kind = Kind::Pause;
    double weight = 0;     // SetWeight: canary percent
    int servers = 0;       // MoveServers: new servers in (and old ones out) after this step
    qint64 durationMs = 0; // Pause: 0 = until resumed; Analysis: minimum duration
    int intervals = 1;     // Analysis: minimum number of all-pass observations
    QList<GateSpec> gates; // Analysis: empty = the plan's gates
    std::optional<TrafficRoute> route; // Route: the route to add; unset: clear every route

    static RolloutStep setWeight(double percent);
    static RolloutStep pause(qint64 durationMs = 0);
    static RolloutStep analysis(qint64 durationMs = 0, int intervals = 1, const QList<GateSpec> &gates = {});
    static RolloutStep moveServers(int servers);
    static RolloutStep addRoute(const TrafficRoute &route);
    static RolloutStep clearRoutes();
    // SetWeight and MoveServers: steps that move traffic.
    bool movesTraffic() const { return kind == Kind::SetWeight || kind == Kind::MoveServers; }

    // Short label for a timeline and the log: "25%", "2 servers", "route X-Canary: always", "clear routes", "pause 1:00", "pause (until resumed)", "analysis 0:30".
    QString label() const;
    QJsonObject toJson() const;
};

struct RolloutPlan
{
    enum class Strategy { Canary, BlueGreen, Rolling };

    QString name;
    QString description;
    Strategy strategy = Strategy::Canary;
    QList<RolloutStep> steps;
    QList<GateSpec> gates;

    // Empty when the plan can run; else one line naming the field ("steps[2].setWeight: must be 0..100").
    QString validate() const;
    // Gates an analysis step judges (its own, or the plan's).
    QList<GateSpec> gatesFor(int step) const;
    // The steps' labels in a line: "5% → analysis 0:30 → pause 1:00 → 25% → ... → 100%".
    QString summary() const;
    // Blue-green: how long the new version bakes at 100% (analysis and pauses after the switch).
    qint64 bakeMs() const;

    QJsonObject toJson() const;
    QByteArray toJsonBytes() const; // indented, for files people read and diff
    // Parses and validates. Errors name the line for syntax errors and the field otherwise;
    // `source` (a file path) prefixes them.
    static bool fromJson(const QByteArray &json, const QString &source, RolloutPlan *out, QString *error);
    static bool fromJsonObject(const QJsonObject &o, RolloutPlan *out, QString *error);

    // moveServers 1..moves, each followed by an analysis of analysisMs (the plan's gates),
    // then setWeight 100 for whatever servers are left.
    static RolloutPlan rolling(const QString &name, int moves, qint64 analysisMs, const QList<GateSpec> &gates);
    // setWeight 0, pause previewMs (0: until resumed), setWeight 100, analysis bakeMs.
    static RolloutPlan blueGreen(const QString &name, qint64 previewMs, qint64 bakeMs, const QList<GateSpec> &gates);
};

QString strategyName(RolloutPlan::Strategy s);
// Preset names become file names: letters, digits, '.', '_' and '-', not starting with '.'.
bool isValidPlanName(const QString &name);

} // namespace Switchboard
