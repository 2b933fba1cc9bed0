#pragma once
// Kind "deployments": two Deployments (stable and canary) whose pods one Service selects, so
// traffic splits by Ready pods. The set split is canary replicas over the total; a percent
// becomes whole pods (25% of 10 pods is 3 pods, 30%). Every change is make-before-break: the
// side that grows is scaled first (scale subresource) and the other side shrinks only once the
// new pods are Ready; a side that does not get Ready in time stops the change, naming the
// failing pods and why. A rollback never leaves fewer Ready pods than when it began and puts
// the canary at 0 as soon as that holds. Every write carries the resourceVersion it was decided
// on; a rollback (forced) reads again on 409 and goes on, bounded.

#include "kubeaccessreview.h"
#include "kubedeployment.h"
#include "kubetargetsettings.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class KubeClient;
class KubeDeploymentDriver;

class DeploymentPairBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        KubeTargetSettings target; // target.name is the stable Deployment
        QString stable;
        QString canary;
        int replicas = 0;        // the total to keep; 0: the current sum
        QString container;       // for deploy; empty: the first
        QString service;         // optional: checked to select both Deployments' pods
        int readyTimeoutMs = 300000;
        int pollMs = 1000;

        // The "deployments" object. False with *error naming the key.
        static bool fromJson(const QJsonObject &o, Settings *out, QString *error);
    };

    explicit DeploymentPairBackend(Settings settings, QObject *parent = nullptr);
    ~DeploymentPairBackend() override;
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;
    void deployImage(const QString &image, const QString &container) override;

    // The canary's pods for `percent` of `total`: whole pods, rounded half up (25% of 10 is 3).
    static int canaryPods(double percent, int total);
    // "25% of 10 pods is 3 pods (30%)"; "" when the percent maps exactly.
    static QString roundingText(double percent, int total);

private:
    struct Pair;
    // `listMaxAgeMs` > 0: the Deployments may come out of the thread's shared list (a refresh);
    // *readAtMs (may be null) gets the oldest read's time.
    bool readPair(Pair *p, QString *error, bool *notFound = nullptr, int listMaxAgeMs = 0, qint64 *readAtMs = nullptr);
    ChangeResult applyOnce(const WeightChange &change, bool *conflicted);
    QString pathOf(const QString &name) const;
    QString ns() const;
    QString what(const QString &name) const;

    Settings m_settings;
    std::unique_ptr<KubeClient> m_client;
    std::unique_ptr<KubeDeploymentDriver> m_driver;
    KubeAccessReview m_access;
    KubeAccessReview m_accessCanary;
    // The replicas (stable, canary) the last reading showed: the operator's view. A change
    // checked against it is refused when someone else scaled in between.
    int m_seenStable = -1;
    int m_seenCanary = -1;
    // The total a change of ours was heading for when it stopped half-way (a side that never got
    // Ready leaves both sides up): the pods to keep are that many, not the inflated sum. -1: none.
    int m_unfinishedTotal = -1;
};

} // namespace Switchboard
