#pragma once
// How a KubeClient's requests reach the API server, worked out as kubectl does from the
// kubeconfig and the environment each time the kubeconfig is read: the URL (with tls-server-name
// as its host when that differs, and the connection sent to the real host), and the proxy
// (the cluster's proxy-url; else HTTPS_PROXY / HTTP_PROXY, never for loopback, not for hosts
// NO_PROXY names, read as Go reads them). Internal to the kubernetes library.

#include "kubeconfig.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>

namespace Switchboard {

struct KubeRoute
{
    QByteArray baseUrl;    // the server URL; with tls-server-name as its host when that is set
    QByteArray connectTo;  // CURLOPT_CONNECT_TO entry taking the connection to the real host
    QByteArray hostHeader; // "Host: <server's host:port>", sent when the URL's host was swapped
    QString verifyName;    // the name the server certificate must hold
    QByteArray proxy;      // for CURLOPT_PROXY, with credentials; empty: no proxy
    QString proxyName;     // the proxy without credentials, for messages
    QString proxyOrigin;   // where it was configured, for messages
    QString proxyPassword; // to keep out of messages
    bool httpsProxy = false;

    // False with *error when the server URL, tls-server-name or proxy-url is unusable.
    static bool build(const KubeConfig &config, const QProcessEnvironment &env, KubeRoute *out, QString *error);
};

} // namespace Switchboard
