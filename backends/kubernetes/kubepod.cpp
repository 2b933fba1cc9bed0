#include "kubepod.h"

#include "kubeclient.h"
#include "kubeweightedroute.h"

#include <QUrl>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace Switchboard {

using json = nlohmann::json;

namespace {

// Waiting reasons that mean the pod will not become Ready by waiting a little longer.
bool isFailingReason(const QString &reason)
{
    static const QStringList failing{QStringLiteral("CrashLoopBackOff"), QStringLiteral("ImagePullBackOff"),
                                     QStringLiteral("ErrImagePull"), QStringLiteral("InvalidImageName"),
                                     QStringLiteral("CreateContainerConfigError"), QStringLiteral("CreateContainerError"),
                                     QStringLiteral("RunContainerError")};
    return failing.contains(reason);
}

KubePod parsePod(const json &o)
{
    KubePod p;
    const json empty = json::object();
    const json &meta = o.value("metadata", empty);
    p.name = kubeText(meta, "name");
    p.templateHash = kubeText(meta.value("labels", empty), "pod-template-hash");
    if (const auto refs = meta.find("ownerReferences"); refs != meta.end() && refs->is_array()) {
        for (const json &r : *refs) {
            if (kubeText(r, "kind") == QLatin1String("ReplicaSet"))
                p.owner = kubeText(r, "name");
        }
    }
    const json &spec = o.value("spec", empty);
    if (const auto cs = spec.find("containers"); cs != spec.end() && cs->is_array() && !cs->empty())
        p.image = kubeText((*cs)[0], "image");
    const json &status = o.value("status", empty);
    QString conditionReason;
    if (const auto cs = status.find("conditions"); cs != status.end() && cs->is_array()) {
        for (const json &c : *cs) {
            if (kubeText(c, "type") == QLatin1String("Ready")) {
                p.ready = kubeText(c, "status") == QLatin1String("True");
                conditionReason = kubeText(c, "reason");
            }
        }
    }
    if (const auto cs = status.find("containerStatuses"); cs != status.end() && cs->is_array()) {
        for (const json &c : *cs) {
            if (!c.is_object())
                continue;
            if (const auto rc = c.find("restartCount"); rc != c.end() && rc->is_number_integer())
                p.restarts += rc->get<int>();
            const json &state = c.value("state", empty);
            const QString waiting = kubeText(state.value("waiting", empty), "reason");
            if (!waiting.isEmpty() && p.reason.isEmpty())
                p.reason = waiting;
            else if (state.contains("running") && !(c.contains("ready") && c["ready"].is_boolean() && c["ready"].get<bool>())
                     && p.reason.isEmpty())
                p.reason = QStringLiteral("readiness probe not passing yet");
        }
    }
    if (p.ready) {
        p.reason.clear();
    } else {
        if (p.reason.isEmpty())
            p.reason = conditionReason.isEmpty() ? kubeText(status, "phase") : conditionReason;
        if (p.reason.isEmpty())
            p.reason = QStringLiteral("Pending");
        p.failing = isFailingReason(p.reason);
    }
    return p;
}

} // namespace

bool KubePod::list(KubeClient &client, const QString &ns, const QString &labelSelector, QList<KubePod> *out, QString *error)
{
    const QString path = QStringLiteral("/api/v1/namespaces/%1/pods?labelSelector=%2")
                             .arg(ns, QString::fromLatin1(QUrl::toPercentEncoding(labelSelector)));
    const KubeClient::Reply reply = client.get(path);
    if (!reply.ok()) {
        *error = QStringLiteral("pods in %1 (%2): %3").arg(ns, labelSelector, reply.message);
        return false;
    }
    const json o = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    if (!o.is_object() || !o.contains("items") || !o["items"].is_array()) {
        *error = QStringLiteral("pods in %1: the answer is not a list").arg(ns);
        return false;
    }
    QList<KubePod> pods;
    for (const json &item : o["items"]) {
        if (item.is_object() && !(item.contains("metadata") && item["metadata"].contains("deletionTimestamp")))
            pods.append(parsePod(item));
    }
    std::sort(pods.begin(), pods.end(), [](const KubePod &a, const KubePod &b) { return a.name < b.name; });
    *out = pods;
    return true;
}

Member KubePod::member(Version version) const
{
    Member m;
    m.name = name;
    m.version = version;
    m.weight = ready ? 1 : 0;
    // memberHealth() reads these: UP + a check result is healthy, "DOWN (reason)" fails, other words
    // ("starting") are undecided; the servers line shows them with the reason.
    m.state = ready ? QStringLiteral("UP") : failing ? QStringLiteral("DOWN (%1)").arg(reason) : QStringLiteral("starting");
    m.checkStatus = ready ? QStringLiteral("Ready") : reason;
    return m;
}

bool KubePod::ownedBy(const QString &deployment) const
{
    return !templateHash.isEmpty() && owner == deployment + QLatin1Char('-') + templateHash;
}

QString KubePod::describe() const
{
    QString s = name + QLatin1Char(' ') + (ready ? QStringLiteral("Ready") : reason);
    if (restarts > 0)
        s += QStringLiteral(" (%1 restart%2)").arg(restarts).arg(restarts == 1 ? QString() : QStringLiteral("s"));
    return s;
}

} // namespace Switchboard
