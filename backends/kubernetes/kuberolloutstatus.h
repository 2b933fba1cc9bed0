#pragma once
// `kubectl rollout status` for a Deployment, decided exactly as kubectl decides it
// (pkg/polymorphichelpers/rollout_status.go): waiting for the controller to observe the spec,
// failed on ProgressDeadlineExceeded, rolling, old pods terminating, not yet available, done.

#include <QString>

namespace Switchboard {

struct KubeDeployment;

struct KubeRolloutStatus
{
    enum class State { WaitingForObservation, Failed, Updating, OldTerminating, Unavailable, Done };
    State state = State::WaitingForObservation;
    QString message; // kubectl's words

    bool done() const { return state == State::Done; }
    bool failed() const { return state == State::Failed; }
    static KubeRolloutStatus of(const KubeDeployment &d);
};

} // namespace Switchboard
