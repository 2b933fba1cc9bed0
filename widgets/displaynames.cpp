#include "displaynames.h"

#include <QLocale>

namespace Switchboard {

QString DisplayNames::connection(ConnectionState s)
{
    switch (s) {
    case ConnectionState::Connecting: return tr("connecting");
    case ConnectionState::Connected: return tr("connected");
    case ConnectionState::Disconnected: return tr("disconnected");
    }
    return {};
}

QString DisplayNames::changeStatus(ChangeResult::Status s)
{
    switch (s) {
    case ChangeResult::Status::Applied: return tr("applied");
    case ChangeResult::Status::Conflict: return tr("conflict");
    case ChangeResult::Status::Partial: return tr("partial");
    case ChangeResult::Status::Failed: return tr("failed");
    }
    return {};
}

QString DisplayNames::rolloutState(RolloutEngine::State s)
{
    switch (s) {
    case RolloutEngine::State::Idle: return tr("idle");
    case RolloutEngine::State::Running: return tr("running");
    case RolloutEngine::State::Paused: return tr("paused");
    case RolloutEngine::State::Analysing: return tr("analysing");
    case RolloutEngine::State::RollingBack: return tr("rolling back");
    case RolloutEngine::State::RolledBack: return tr("rolled back");
    case RolloutEngine::State::Promoted: return tr("promoted");
    case RolloutEngine::State::Failed: return tr("failed");
    }
    return {};
}

QString DisplayNames::rolloutOutcome(const QString &outcome)
{
    for (RolloutEngine::State s : {RolloutEngine::State::Promoted, RolloutEngine::State::RolledBack, RolloutEngine::State::Failed})
        if (outcome == RolloutEngine::stateName(s))
            return rolloutState(s);
    return outcome == QLatin1String("unfinished") ? tr("unfinished") : outcome;
}

QString DisplayNames::targetState(const QString &state)
{
    if (state == QLatin1String("healthy"))
        return tr("healthy");
    if (state == QLatin1String("progressing"))
        return tr("progressing");
    if (state == QLatin1String("paused"))
        return tr("paused");
    if (state == QLatin1String("degraded"))
        return tr("degraded");
    if (state == QLatin1String("disconnected"))
        return tr("disconnected");
    if (state == QLatin1String("connecting"))
        return tr("connecting");
    if (state == QLatin1String("no data"))
        return tr("no data");
    return state;
}

QString DisplayNames::seconds(double s, int decimals)
{
    return tr("%1 s").arg(QLocale().toString(s, 'f', decimals));
}

QString DisplayNames::gateResult(const GateResult &r)
{
    switch (r.outcome) {
    case GateResult::Outcome::Pass:
        return tr("%1 passes").arg(r.gate);
    case GateResult::Outcome::Fail:
        // Statistical judges have no single limit: their figures are in the tooltip.
        return isKnown(r.canary) && isKnown(r.threshold)
                   ? tr("%1 failed: canary %2, limit %3").arg(r.gate, formatMetric(r.metric, r.canary), formatMetric(r.metric, r.threshold))
                   : tr("%1 failed: canary worse than stable").arg(r.gate);
    case GateResult::Outcome::Inconclusive:
        break;
    }
    switch (r.cause) {
    case GateResult::Cause::Confirming:
        return tr("%1 breached: %2 of %3 in a row fail it").arg(r.gate).arg(r.consecutiveFailures).arg(r.failureLimit);
    case GateResult::Cause::TooFewRequests:
        return isKnown(r.canaryRequests)
                   ? tr("%1: too few canary requests to judge (%2 so far)").arg(r.gate, QString::number(r.canaryRequests, 'f', 0))
                   : tr("%1: too few canary requests to judge").arg(r.gate);
    case GateResult::Cause::NoData:
    case GateResult::Cause::None:
        break;
    }
    return tr("%1: no data").arg(r.gate);
}

QString DisplayNames::verdictReason(const Verdict &v)
{
    switch (v.why) {
    case Verdict::Why::NoDataYet:
        return tr("no data yet");
    case Verdict::Why::NoTraffic:
        return QString();
    case Verdict::Why::MetricsError:
        return tr("metrics: %1").arg(v.metricsError);
    case Verdict::Why::Stale:
        return tr("the newest health sample is older than %1").arg(seconds(v.staleAfterS, 1));
    case Verdict::Why::NoHealthYet:
        return tr("no health data yet");
    case Verdict::Why::Gate:
        return v.gate >= 0 && v.gate < v.results.size() ? gateResult(v.results.at(v.gate)) : v.reason;
    case Verdict::Why::NothingJudged:
        return tr("no reading judged yet");
    case Verdict::Why::GatesPass:
        return tr("%n gate(s) pass", nullptr, int(v.results.size()));
    }
    return v.reason;
}

} // namespace Switchboard
