#pragma once
// Test scaffolding: the Deployment, ReplicaSet and kubelet controllers of FakeKubeServer, run
// over its stored objects whenever a request comes (so time moves with the client's polls).
// Deployments get ReplicaSets named <deployment>-<pod-template-hash> with the
// deployment.kubernetes.io/revision annotation (a template seen before takes the next revision,
// as on a rollback), rolled by maxSurge/maxUnavailable; ReplicaSets get Pods that become Ready
// after a delay, or, by image, never become Ready, crash-loop or cannot pull their image;
// status counts, observedGeneration and the Progressing condition (ProgressDeadlineExceeded
// after spec.progressDeadlineSeconds without progress) follow. It records every write with the
// Ready pods of each Deployment at that moment, and every change of those counts.

#include <QList>
#include <QMap>
#include <QString>

#include <nlohmann/json.hpp>

#include <map>

namespace Switchboard::Test {

class FakeDeploymentController final
{
public:
    enum class Pods { BecomeReady, NeverReady, CrashLoop, ImagePullBackOff };

    // One moment: a write (event "PATCH <path> <body>") or Ready pods changing (event "ready").
    struct Moment
    {
        qint64 timeMs = 0;
        QString event;
        QMap<QString, int> ready; // Deployment name -> its Ready pods
        int total() const;
    };

    void setReadyDelayMs(int ms) { m_readyDelayMs = ms; }
    void setPods(const QString &image, Pods behaviour) { m_behaviour[image] = behaviour; }

    // Brings every Deployment, ReplicaSet and Pod in `objects` up to `nowMs`.
    void reconcile(std::map<QString, nlohmann::json> &objects, qint64 nowMs);
    // Notes a write (after it was applied, before the controllers react to it).
    void recordWrite(const std::map<QString, nlohmann::json> &objects, const QString &event, qint64 nowMs);
    QList<Moment> history() const { return m_history; }

private:
    void reconcileDeployment(std::map<QString, nlohmann::json> &objects, const QString &path, qint64 nowMs);
    void reconcileReplicaSet(std::map<QString, nlohmann::json> &objects, const QString &path, qint64 nowMs);
    void reconcilePod(nlohmann::json &pod, qint64 nowMs);
    QMap<QString, int> readyByDeployment(const std::map<QString, nlohmann::json> &objects) const;

    int m_readyDelayMs = 300;
    std::map<QString, Pods> m_behaviour; // by image; absent: BecomeReady
    struct Progress
    {
        std::string signature; // counts that, when they change, are progress
        qint64 sinceMs = 0;
    };
    std::map<QString, Progress> m_progress; // by Deployment path
    int m_podCounter = 0;
    QList<Moment> m_history;
    QMap<QString, int> m_lastReady;
};

} // namespace Switchboard::Test
