#pragma once
// One apps/v1 Deployment as read from the API server, in the terms `kubectl rollout status`
// and the two Deployment kinds use: replica counts, generation, pause, progress deadline,
// strategy, readiness probe, selector and container images.

#include <QMap>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace Switchboard {

class KubeClient;

struct KubeDeployment
{
    nlohmann::json object;
    QString name;
    std::string resourceVersion;
    qint64 generation = 0;
    qint64 observedGeneration = 0;
    int specReplicas = 1; // spec.replicas, 1 when absent (the API default)
    int replicas = 0;     // status.replicas: every pod of every ReplicaSet
    int updatedReplicas = 0;
    int readyReplicas = 0;
    int availableReplicas = 0;
    bool paused = false;
    bool progressDeadlineExceeded = false; // condition Progressing, reason ProgressDeadlineExceeded
    QString progressMessage;
    QString revision;       // metadata.annotations["deployment.kubernetes.io/revision"]
    QString strategy;       // RollingUpdate or Recreate
    QString maxSurge;       // "25%" or "1", as written (defaults shown as the API fills them)
    QString maxUnavailable;
    QString readinessProbe; // one line: "httpGet :8080/health every 10s", "none"
    QMap<QString, QString> selector;       // spec.selector.matchLabels
    QMap<QString, QString> templateLabels; // spec.template.metadata.labels
    QList<QPair<QString, QString>> containers; // (name, image) of spec.template.spec.containers

    // False with *error when `o` is not a Deployment we can read.
    static bool parse(const nlohmann::json &o, KubeDeployment *out, QString *error);
    // GET and parse; *error starts with `what`. *notFound tells a missing Deployment apart.
    // With `listMaxAgeMs` > 0 (a periodic refresh) the Deployment may come out of the thread's
    // list of the namespace's Deployments that young (KubeListReader); *readAtMs gets when.
    static bool read(KubeClient &client, const QString &path, const QString &what, KubeDeployment *out, QString *error,
                     bool *notFound = nullptr, int listMaxAgeMs = 0, qint64 *readAtMs = nullptr);

    // The container `name` (empty: the first), its index in containers; -1 when there is none.
    int containerIndex(const QString &name) const;
    // "app=shop,track=canary": spec.selector.matchLabels as a labelSelector query value.
    QString selectorQuery() const;
    // "maxSurge 25% · maxUnavailable 25% · readiness httpGet :8080/health"
    QString strategyText() const;
};

} // namespace Switchboard
