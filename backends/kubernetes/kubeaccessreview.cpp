#include "kubeaccessreview.h"

#include "kubeclient.h"

#include <nlohmann/json.hpp>

namespace Switchboard {

using json = nlohmann::json;

KubeAccessReview::KubeAccessReview(QList<Resource> resources, qint64 intervalMs)
    : m_resources(std::move(resources))
    , m_intervalMs(intervalMs)
{
}

QString KubeAccessReview::describe(const Resource &r)
{
    const QString res = r.subresource.isEmpty() ? r.resource : r.resource + QLatin1Char('/') + r.subresource;
    return r.group.isEmpty() ? res : res + QLatin1Char('.') + r.group;
}

QByteArray KubeAccessReview::requestBody(const Resource &r, const QString &ns, const QString &name)
{
    json attrs = {{"namespace", ns.toStdString()},
                  {"verb", "patch"},
                  {"group", r.group.toStdString()},
                  {"resource", r.resource.toStdString()},
                  {"name", name.toStdString()}};
    if (!r.subresource.isEmpty())
        attrs["subresource"] = r.subresource.toStdString();
    const json body = {{"apiVersion", "authorization.k8s.io/v1"},
                       {"kind", "SelfSubjectAccessReview"},
                       {"spec", {{"resourceAttributes", attrs}}}};
    return QByteArray::fromStdString(body.dump());
}

bool KubeAccessReview::parseAnswer(const QByteArray &body, bool *allowed, QString *reason)
{
    const json o = json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (!o.is_object() || !o.contains("status") || !o["status"].is_object())
        return false;
    const json &status = o["status"];
    if (!status.contains("allowed") || !status["allowed"].is_boolean())
        return false;
    *allowed = status["allowed"].get<bool>();
    reason->clear();
    if (status.contains("reason") && status["reason"].is_string())
        *reason = QString::fromStdString(status["reason"].get<std::string>());
    return true;
}

QString KubeAccessReview::update(KubeClient &client, const QString &ns, const QString &name, qint64 nowMs)
{
    if (m_lastMs >= 0 && nowMs - m_lastMs < m_intervalMs)
        return m_denial;
    m_lastMs = nowMs;
    QStringList denied;
    for (const Resource &r : std::as_const(m_resources)) {
        const KubeClient::Reply reply = client.post(QString::fromLatin1(kPath), requestBody(r, ns, name));
        bool allowed = true;
        QString reason;
        if (!reply.ok() || !parseAnswer(reply.body, &allowed, &reason))
            return m_denial; // cannot tell: keep what we knew
        if (!allowed)
            denied.append(QStringLiteral("may not patch %1 \"%2\" in namespace %3%4")
                              .arg(describe(r), name, ns, reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason)));
    }
    m_denial = denied.isEmpty() ? QString() : QStringLiteral("Kubernetes user ") + denied.join(QStringLiteral("; "));
    return m_denial;
}

} // namespace Switchboard
