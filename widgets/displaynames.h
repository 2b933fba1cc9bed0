#pragma once
// The words the GUI shows for the models' states, in the user's language. The models' own names
// (connectionStateName, statusName, RolloutEngine::stateName, the target list's state) stay
// English: the CLI, the audit log and scripts read them.

#include "domain.h"
#include "rolloutengine.h"
#include "verdict.h"

#include <QCoreApplication>
#include <QString>

namespace Switchboard {

class DisplayNames final
{
    Q_DECLARE_TR_FUNCTIONS(Switchboard::DisplayNames)
public:
    static QString connection(ConnectionState s);
    static QString changeStatus(ChangeResult::Status s);
    static QString rolloutState(RolloutEngine::State s);
    // How a rollout ended as the audit log says it (RolloutRecord::outcome: a RolloutEngine
    // stateName, or "unfinished"); an unknown word is shown as is.
    static QString rolloutOutcome(const QString &outcome);
    // TargetListModel's StateRole ("healthy", "no data", ...); an unknown word is shown as is.
    static QString targetState(const QString &state);
    // What decided a verdict, short: "error-ratio failed: canary 4.70%, limit 1.21%" (the
    // gates' full lines, with their statistics, stay in the tooltip as Verdict::details()).
    // Empty for a canary with no traffic: the badge says that.
    static QString verdictReason(const Verdict &v);
    // One gate's result, short, in the same words.
    static QString gateResult(const GateResult &r);
    // "1.5 s" in the user's locale.
    static QString seconds(double s, int decimals);
};

} // namespace Switchboard
