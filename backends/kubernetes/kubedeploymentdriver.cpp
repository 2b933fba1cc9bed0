#include "kubedeploymentdriver.h"

#include "kuberolloutstatus.h"

#include <QElapsedTimer>
#include <QThread>

namespace Switchboard {

using json = nlohmann::json;

KubeDeploymentDriver::KubeDeploymentDriver(KubeClient &client, std::function<bool()> stopRequested, int pollMs)
    : m_client(client)
    , m_stopRequested(std::move(stopRequested))
    , m_pollMs(pollMs)
{
}

KubeClient::Reply KubeDeploymentDriver::scale(const QString &path, int replicas, const std::string &resourceVersion)
{
    const json patch = {{"metadata", {{"resourceVersion", resourceVersion}}}, {"spec", {{"replicas", replicas}}}};
    return m_client.patch(path + QStringLiteral("/scale"), QByteArray::fromStdString(patch.dump()));
}

KubeClient::Reply KubeDeploymentDriver::setImage(const QString &path, const QString &container, const QString &image,
                                                 const std::string &resourceVersion)
{
    // Strategic merge: the containers list merges by name, so the other containers and this
    // one's other fields stay as they are (what `kubectl set image` sends).
    const json patch = {{"metadata", {{"resourceVersion", resourceVersion}}},
                        {"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", container.toStdString()},
                                                                                      {"image", image.toStdString()}}})}}}}}}}};
    return m_client.patch(path, QByteArray::fromStdString(patch.dump()), QByteArrayLiteral("application/strategic-merge-patch+json"));
}

KubeClient::Reply KubeDeploymentDriver::setPaused(const QString &path, bool paused, const std::string &resourceVersion)
{
    const json patch = {{"metadata", {{"resourceVersion", resourceVersion}}}, {"spec", {{"paused", paused}}}};
    return m_client.patch(path, QByteArray::fromStdString(patch.dump()));
}

bool KubeDeploymentDriver::pods(const QString &ns, const KubeDeployment &d, QList<KubePod> *out, QString *error)
{
    QList<KubePod> all;
    if (!KubePod::list(m_client, ns, d.selectorQuery(), &all, error))
        return false;
    out->clear();
    for (const KubePod &p : std::as_const(all)) {
        if (p.ownedBy(d.name))
            out->append(p);
    }
    return true;
}

KubeDeploymentDriver::Wait KubeDeploymentDriver::waitFor(
    const QString &path, const QString &ns, const QString &what, int timeoutMs,
    const std::function<bool(const KubeDeployment &, const QList<KubePod> &)> &done,
    const std::function<bool(const KubeDeployment &, const QList<KubePod> &)> &failed, KubeDeployment *last,
    QList<KubePod> *lastPods, QString *error)
{
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        if (m_stopRequested())
            return Wait::Stopped;
        if (!KubeDeployment::read(m_client, path, what, last, error) || !pods(ns, *last, lastPods, error))
            return Wait::Error;
        if (done(*last, *lastPods))
            return Wait::Done;
        if (failed && failed(*last, *lastPods))
            return Wait::Failed;
        if (clock.elapsed() >= timeoutMs)
            return Wait::TimedOut;
        // Short sleeps, so a stop request (closing the target, quitting) ends the wait soon.
        for (int slept = 0; slept < m_pollMs && !m_stopRequested(); slept += 20)
            QThread::msleep(20);
    }
}

KubeDeploymentDriver::Follow KubeDeploymentDriver::followRollout(const QString &path, const QString &ns, const QString &what,
                                                                const QString &image, int timeoutMs)
{
    KubeDeployment last;
    QList<KubePod> pods;
    QString error;
    const Wait w = waitFor(
        path, ns, what, timeoutMs, [](const KubeDeployment &d, const QList<KubePod> &) { return KubeRolloutStatus::of(d).done(); },
        [image](const KubeDeployment &d, const QList<KubePod> &p) {
            if (KubeRolloutStatus::of(d).failed())
                return true;
            for (const KubePod &pod : p)
                if (pod.failing && pod.image == image)
                    return true;
            return false;
        },
        &last, &pods, &error);
    Follow f;
    const QString ready = QStringLiteral("%1 of %2 pods Ready").arg(readyCount(pods)).arg(last.specReplicas);
    switch (w) {
    case Wait::Done:
        f.status = ChangeResult::Status::Applied;
        f.message = QStringLiteral("rolled out, %1").arg(ready);
        break;
    case Wait::Failed:
        f.message = QStringLiteral("rollout failed (%1): %2").arg(KubeRolloutStatus::of(last).failed() ? KubeRolloutStatus::of(last).message
                                                                                                        : ready,
                                                                   notReadyText(pods));
        break;
    case Wait::TimedOut:
        f.message = QStringLiteral("not rolled out after %1 s (%2; %3): %4")
                        .arg(timeoutMs / 1000.0).arg(KubeRolloutStatus::of(last).message, ready, notReadyText(pods));
        break;
    case Wait::Stopped:
        f.message = QStringLiteral("image set; stopped before the rollout ended");
        break;
    case Wait::Error:
        f.message = QStringLiteral("image set; following the rollout failed: %1").arg(error);
        break;
    }
    return f;
}

QString KubeDeploymentDriver::notReadyText(const QList<KubePod> &pods)
{
    QStringList parts;
    for (const KubePod &p : pods) {
        if (!p.ready)
            parts.append(p.describe());
    }
    if (pods.isEmpty())
        return QStringLiteral("no pod created yet");
    return parts.isEmpty() ? QStringLiteral("all pods Ready") : parts.join(QStringLiteral(", "));
}

int KubeDeploymentDriver::readyCount(const QList<KubePod> &pods)
{
    int n = 0;
    for (const KubePod &p : pods)
        n += p.ready;
    return n;
}

} // namespace Switchboard
