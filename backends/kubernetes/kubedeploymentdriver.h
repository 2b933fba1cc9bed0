#pragma once
// The writes and waits both Deployment kinds make, on the backend's thread: scale through the
// scale subresource and set an image with a strategic merge patch, each guarded by the
// resourceVersion it was decided on; list a Deployment's own pods; wait, polling, until its
// pods are Ready or its rollout is done, giving up on time-out or stop.

#include "kubeclient.h"
#include "kubedeployment.h"
#include "kubepod.h"

#include <functional>

namespace Switchboard {

class KubeDeploymentDriver final
{
public:
    enum class Wait { Done, TimedOut, Failed, Stopped, Error };

    KubeDeploymentDriver(KubeClient &client, std::function<bool()> stopRequested, int pollMs);

    // PATCH <path>/scale (merge patch) {"metadata":{"resourceVersion"},"spec":{"replicas"}}.
    KubeClient::Reply scale(const QString &path, int replicas, const std::string &resourceVersion);
    // PATCH <path> (strategic merge patch): the container's image, by the container's name.
    KubeClient::Reply setImage(const QString &path, const QString &container, const QString &image,
                               const std::string &resourceVersion);
    // PATCH <path> (merge patch) spec.paused.
    KubeClient::Reply setPaused(const QString &path, bool paused, const std::string &resourceVersion);

    // The pods Deployment `d` owns in `ns`.
    bool pods(const QString &ns, const KubeDeployment &d, QList<KubePod> *out, QString *error);
    // Polls `path` and its pods until `done(deployment, pods)` says so, `failed` (may be empty)
    // says it cannot happen, or `timeoutMs` passes. *last holds what was read last.
    Wait waitFor(const QString &path, const QString &ns, const QString &what, int timeoutMs,
                 const std::function<bool(const KubeDeployment &, const QList<KubePod> &)> &done,
                 const std::function<bool(const KubeDeployment &, const QList<KubePod> &)> &failed, KubeDeployment *last,
                 QList<KubePod> *lastPods, QString *error);

    // Follows a Deployment's rollout after a new image, as `kubectl rollout status` does,
    // until done, failed (progress deadline exceeded, or a pod running `image` failing with a
    // back-off or a bad image), stopped or `timeoutMs` passes; the message says which and names
    // the pods that are not Ready.
    struct Follow
    {
        ChangeResult::Status status = ChangeResult::Status::Failed;
        QString message;
    };
    Follow followRollout(const QString &path, const QString &ns, const QString &what, const QString &image, int timeoutMs);

    // "shop-v2-5c9-x1 CrashLoopBackOff (3 restarts), shop-v2-5c9-x2 ImagePullBackOff"; the
    // pods that are not Ready, or "no pod created" when there are none.
    static QString notReadyText(const QList<KubePod> &pods);
    static int readyCount(const QList<KubePod> &pods);

private:
    KubeClient &m_client;
    std::function<bool()> m_stopRequested;
    int m_pollMs;
};

} // namespace Switchboard
