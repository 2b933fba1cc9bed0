#pragma once
// What every Kubernetes target kind (gateway-api, istio, argo-rollouts) reads from its object
// in targets.json to find its cluster and resource: kubeconfig, context, namespace, name, API
// version and timeouts.

#include "kubeclient.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Switchboard {

struct KubeTargetSettings
{
    QString kind;       // the targets.json kind, for messages ("gateway-api.namespace: ...")
    QString kubeconfig; // empty: KUBECONFIG, else ~/.kube/config
    QString context;    // empty: the kubeconfig's current-context
    QString ns;         // empty: the context's namespace, else "default" (as kubectl)
    QString name;
    QString apiVersion; // group/version of the resource
    int connectTimeoutMs = 5000;
    int timeoutMs = 10000;

    // Keys: kubeconfig, context, namespace, name (required), apiVersion (one of `apiVersions`,
    // the first is the default), connectTimeoutMs, timeoutMs. False with *error naming the key.
    static bool fromJson(const QJsonObject &o, const QString &kind, const QStringList &apiVersions,
                         KubeTargetSettings *out, QString *error);

    KubeClient::Settings clientSettings() const;
    // The targets with the same key (one kubeconfig and context: one cluster, one user) share
    // their traffic thread, and with it the periodic reads' lists (LayerParts::sharedServerKey).
    QString sharedServerKey() const;
    // The namespace to use once the kubeconfig is read.
    QString namespaceFor(const KubeConfig &config) const;
    // /apis/<apiVersion>/namespaces/<ns>/<plural>/<name>
    QString path(const KubeConfig &config, const QString &plural) const;
};

} // namespace Switchboard
