#pragma once
// Reads kubeconfig files the way kubectl does and resolves one context into what a client needs
// to reach its API server: server URL, TLS trust and name, proxy, client certificate, token or
// exec plugin.
//
// Files: the explicit one when given (kubectl --kubeconfig), else every file in KUBECONFIG
// (colon-separated, missing ones skipped, merged so the first file to define a name wins, and
// the first current-context wins), else ~/.kube/config. Relative paths inside a file are
// relative to that file's folder. Nothing here ever puts a token or key into a message.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

namespace Switchboard {

// users[].user.exec: a client.authentication.k8s.io credential plugin.
struct KubeExecConfig
{
    QString command; // absolute when the file gave a relative path with a slash
    QStringList args;
    QList<QPair<QString, QString>> env;
    QString apiVersion; // client.authentication.k8s.io/v1 or /v1beta1
    QString installHint;
    bool provideClusterInfo = false;
    QString interactiveMode; // Never, IfAvailable, Always (v1 requires it)
};

struct KubeConfig
{
    QStringList files;   // the files read, in precedence order
    QString contextName;
    QString contextFile; // the file that defined the context, for messages
    QString clusterName;
    QString clusterFile;
    QString userName;
    QString userFile;
    QString defaultNamespace; // the context's namespace; empty when it names none

    QString server;
    QByteArray caData;  // PEM, decoded from certificate-authority-data
    QString caFile;     // certificate-authority, absolute
    bool insecureSkipTlsVerify = false;
    QString tlsServerName; // the name the server certificate is checked against; empty: server's host
    QString proxyUrl;      // proxy-url as written (may hold user:password); empty: environment's proxy

    QByteArray clientCertData; // PEM
    QByteArray clientKeyData;  // PEM
    QString clientCertFile;
    QString clientKeyFile;
    QString token;
    QString tokenFile; // read on every request, so a rotated token is picked up
    QString username;  // basic auth, rarely used
    QString password;
    std::optional<KubeExecConfig> exec;

    // Things the operator must see next to the data (insecure-skip-tls-verify).
    QStringList warnings;

    // "context \"dev\" (user \"alice\" in /home/me/.kube/config)", for messages.
    QString describe() const;

    // `explicitPath` (may start with ~/) wins over KUBECONFIG; an empty `context` means the
    // current-context. `env` gives KUBECONFIG and HOME (tests pass their own). False with a
    // one-line *error naming the file and the missing key.
    static bool load(const QString &explicitPath, const QString &context, const QProcessEnvironment &env,
                     KubeConfig *out, QString *error);
};

} // namespace Switchboard
