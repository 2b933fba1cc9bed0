#pragma once
// Finds out, before any action, whether the current Kubernetes user may write the target's
// resource: a SelfSubjectAccessReview per (resource, subresource) for verb "patch", asked on
// the first refresh and again every interval, so a denied user sees a read-only target instead
// of a refused PATCH.

#include <QList>
#include <QString>

namespace Switchboard {

class KubeClient;

class KubeAccessReview final
{
public:
    // One thing the backend patches: e.g. {"gateway.networking.k8s.io", "httproutes", ""} or
    // {"argoproj.io", "rollouts", "status"}.
    struct Resource
    {
        QString group;
        QString resource;
        QString subresource;
    };

    explicit KubeAccessReview(QList<Resource> resources, qint64 intervalMs = 60000);

    // Asks again when due (the first call, then every interval), for `name` in `ns`, and
    // returns why writing is denied; empty when allowed or when the server could not say (an
    // unanswered review leaves the last verdict: the PATCH itself still reports a refusal).
    QString update(KubeClient &client, const QString &ns, const QString &name, qint64 nowMs);
    // The last verdict, without asking.
    QString denial() const { return m_denial; }

    // The review's request body, and its answer read: false when it is not a review answer.
    static QByteArray requestBody(const Resource &r, const QString &ns, const QString &name);
    static bool parseAnswer(const QByteArray &body, bool *allowed, QString *reason);
    static QString describe(const Resource &r);

    static constexpr const char *kPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

private:
    QList<Resource> m_resources;
    qint64 m_intervalMs;
    qint64 m_lastMs = -1; // when last asked; -1: never
    QString m_denial;
};

} // namespace Switchboard
