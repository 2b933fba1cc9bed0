#pragma once
// The continuous health verdict of a target's canary against stable (healthy / watch / failing /
// no data), rollout or not: what VerdictWatch concluded from the target's verdict gates, with
// the gate results (and their statistics) behind it.

#include "analysisgate.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Switchboard {

struct Verdict
{
    // NoData is never a kind of healthy: it is shown hollow and grey, and it moves nothing.
    enum class State { NoData, Healthy, Watch, Failing };

    State state = State::NoData;
    // False when the canary gets no traffic: there is nothing to judge (status --json: null).
    bool applies = false;
    QString reason;             // one line: what decided it ("gate error-ratio FAIL: z-test ...")
    QList<GateResult> results;  // the gates' latest results
    qint64 timeMs = 0;          // of the reading judged

    // What decided it as a kind and its figures, for the window to say in the reader's language
    // (`reason` is the English line the event log, the audit log and the CLI print).
    enum class Why { NoDataYet, NoTraffic, MetricsError, Stale, NoHealthYet, Gate, NothingJudged, GatesPass };
    Why why = Why::NoDataYet;
    double staleAfterS = 0;     // Stale: the age past which a sample is stale
    QString metricsError;       // MetricsError: the metrics layer's own words
    qsizetype gate = -1;        // Gate: the deciding gate's index in `results`

    static QString stateName(State s); // "healthy", "watch", "failing", "no data"
    // The reason of a verdict that does not apply because the canary gets no traffic.
    static QString noTrafficReason() { return QStringLiteral("the canary gets no traffic"); }
    // {"state": ..., "reason": ..., "gates": [{"gate", "outcome", "why", "stats": {...}}]}
    QJsonObject toJson() const;
    // Several lines: the state and, per gate, its result with the numbers (tooltips).
    QString details() const;
    bool operator==(const Verdict &o) const { return state == o.state && applies == o.applies && reason == o.reason; }
};

} // namespace Switchboard
