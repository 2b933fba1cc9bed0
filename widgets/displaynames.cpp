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

} // namespace Switchboard
