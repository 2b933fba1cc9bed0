#pragma once
// Kind "deployment": one Deployment that Kubernetes rolls itself (maxSurge / maxUnavailable).
// During a rollout the split is old versus new Ready pods, the ReplicaSets told apart by their
// deployment.kubernetes.io/revision annotation; progress is decided as `kubectl rollout status`
// decides it. 100% resumes a paused rollout (Promote full), 0% is `kubectl rollout undo` (the
// previous revision's pod template, pod-template-hash removed, as a JSON patch guarded by the
// resourceVersion; a 409 reads again and goes on, bounded); Pause and Resume set spec.paused.

#include "kubeaccessreview.h"
#include "kubetargetsettings.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class KubeClient;
class KubeDeploymentDriver;

class DeploymentRolloutBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        KubeTargetSettings target;
        QString container; // for deploy; empty: the first
        int readyTimeoutMs = 600000;
        int pollMs = 1000;

        static bool fromJson(const QJsonObject &o, Settings *out, QString *error);
    };

    explicit DeploymentRolloutBackend(Settings settings, QObject *parent = nullptr);
    ~DeploymentRolloutBackend() override;
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    // 0% = rollout undo, 100% = resume; other percents and per-server moves are refused:
    // Kubernetes moves the pods by the Deployment's strategy.
    void apply(const Switchboard::WeightChange &change) override;
    // Resume (spec.paused false), answered on stepPromoted.
    void promoteStep() override;
    void deployImage(const QString &image, const QString &container) override;

public Q_SLOTS:
    // spec.paused true / false. Answer rolloutActionFinished("pause" / "resume", ...).
    void pauseRollout();
    void resumeRollout();

Q_SIGNALS:
    void rolloutActionFinished(const QString &action, const Switchboard::ChangeResult &result);

private:
    struct View;
    // `listMaxAgeMs` > 0: the Deployment may come out of the thread's shared list (a refresh);
    // *readAtMs (may be null) gets when it was read.
    bool read(View *v, QString *error, int listMaxAgeMs = 0, qint64 *readAtMs = nullptr);
    ChangeResult setPaused(bool paused);
    ChangeResult undo(bool force);
    QString ns() const;
    QString path() const;
    QString what() const;

    Settings m_settings;
    std::unique_ptr<KubeClient> m_client;
    std::unique_ptr<KubeDeploymentDriver> m_driver;
    KubeAccessReview m_access;
};

} // namespace Switchboard
