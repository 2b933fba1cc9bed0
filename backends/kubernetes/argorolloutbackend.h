#pragma once
// Argo Rollouts as a traffic layer: shows a Rollout's canary weight, step, phase and message,
// and drives it the way its kubectl plugin does (merge patches on the status subresource,
// falling back to the object for controllers without one), each patch guarded by the
// resourceVersion it was decided on, so Argo never acts on a step the operator did not see: on
// 409 the operator gets the new state, while an abort (the way back) reads again and goes on,
// bounded. Argo owns the weights, so a weight change can only be "all the way" (100% = promote
// --full) or "back" (0% = abort); stepping on is the seam's promoteStep, and the kubectl
// plugin's verbs are the extra slots below.

#include "kubeaccessreview.h"
#include "kubetargetsettings.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class KubeClient;

class ArgoRolloutBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        KubeTargetSettings target;

        // The "argo-rollouts" object: the KubeTargetSettings keys.
        static bool fromJson(const QJsonObject &o, Settings *out, QString *error);
    };

    explicit ArgoRolloutBackend(Settings settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "argo-rollouts" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);
    ~ArgoRolloutBackend() override;

    void refresh() override;
    // 100% = promote --full, 0% = abort; any other percent fails: Argo sets weights by its steps.
    void apply(const Switchboard::WeightChange &change) override;
    // What promote() does, answered on the seam's stepPromoted only (one answer per request).
    void promoteStep() override;
    // Argo owns its header routes (managedRoutes + setHeaderRoute steps): refused, saying where
    // to change them.
    void editRoutes(const Switchboard::WeightChange &change) override;

public Q_SLOTS:
    // `kubectl argo rollouts promote`: clears the pause, or skips the running step when nothing
    // is paused. Answers rolloutActionFinished("promote", ...).
    void promote();
    // `promote --full`: skips every remaining step, pause and analysis. ("promote-full")
    void promoteFull();
    // `abort`: all traffic back to stable. ("abort")
    void abort();
    // `retry rollout`: leaves the aborted state, so the rollout starts its steps again. ("retry")
    void retry();

Q_SIGNALS:
    // Exactly once per promote/promoteFull/abort/retry call.
    void rolloutActionFinished(const QString &action, const Switchboard::ChangeResult &result);

private:
    enum class Action { Promote, PromoteFull, Abort, Retry };
    // One action, with the 409 handling; runOnce is one read and its guarded patches.
    ChangeResult run(Action action, const WeightChange *change);
    ChangeResult runOnce(Action action, const WeightChange *change, bool *conflicted);
    ChangeResult withConflicts(ChangeResult r, int conflicts) const;
    QString what() const;

    Settings m_settings;
    std::unique_ptr<KubeClient> m_client;
    // May we patch the Rollout and its status (where promote and abort go)? Asked at refresh.
    KubeAccessReview m_access;
};

} // namespace Switchboard
