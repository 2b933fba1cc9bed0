#include "kuberolloutstatus.h"

#include "kubedeployment.h"

namespace Switchboard {

KubeRolloutStatus KubeRolloutStatus::of(const KubeDeployment &d)
{
    KubeRolloutStatus s;
    const QString name = d.name;
    if (d.generation > d.observedGeneration) {
        s.state = State::WaitingForObservation;
        s.message = QStringLiteral("Waiting for deployment spec update to be observed...");
        return s;
    }
    if (d.progressDeadlineExceeded) {
        s.state = State::Failed;
        s.message = QStringLiteral("deployment \"%1\" exceeded its progress deadline").arg(name);
        return s;
    }
    if (d.updatedReplicas < d.specReplicas) {
        s.state = State::Updating;
        s.message = QStringLiteral("Waiting for deployment \"%1\" rollout to finish: %2 out of %3 new replicas have been updated...")
                        .arg(name).arg(d.updatedReplicas).arg(d.specReplicas);
        return s;
    }
    if (d.replicas > d.updatedReplicas) {
        s.state = State::OldTerminating;
        s.message = QStringLiteral("Waiting for deployment \"%1\" rollout to finish: %2 old replicas are pending termination...")
                        .arg(name).arg(d.replicas - d.updatedReplicas);
        return s;
    }
    if (d.availableReplicas < d.updatedReplicas) {
        s.state = State::Unavailable;
        s.message = QStringLiteral("Waiting for deployment \"%1\" rollout to finish: %2 of %3 updated replicas are available...")
                        .arg(name).arg(d.availableReplicas).arg(d.updatedReplicas);
        return s;
    }
    s.state = State::Done;
    s.message = QStringLiteral("deployment \"%1\" successfully rolled out").arg(name);
    return s;
}

} // namespace Switchboard
