#pragma once
// Blocking client for the Kubernetes API over libcurl: GET and merge-PATCH on API paths, with
// the kubeconfig's TLS trust and tls-server-name, proxy (proxy-url, else the environment's, as
// kubectl), client certificate, token (file) or exec plugin, bounded timeouts and one-line
// errors that name the context and carry the server's Status message, never a secret
// (KubeErrorMessage words them, KubeRoute decides the way to the server). The kubeconfig is read
// on first use and again after a failed read, so fixing it needs no restart. Meant for a
// backend's worker thread: one object per thread.

#include "kubeconfig.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>

namespace Switchboard {

class CurlEasy;
class KubeExecCredential;
struct KubeRoute;

class KubeClient final
{
public:
    struct Settings
    {
        QString kubeconfig; // explicit file; empty: KUBECONFIG, else ~/.kube/config
        QString context;    // empty: current-context
        // KUBECONFIG, HOME, the exec plugin's environment and the proxy variables (HTTPS_PROXY,
        // HTTP_PROXY, NO_PROXY and lower-case forms); libcurl never reads the process's own.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        int connectTimeoutMs = 5000;
        int timeoutMs = 10000;      // per request, transfer included
        int execTimeoutMs = 30000;  // for an exec credential plugin
        qint64 maxResponseBytes = qint64(32) << 20;
    };

    struct Reply
    {
        enum class Error {
            None,
            Config,       // kubeconfig or credentials unusable
            Unauthorized, // 401
            Forbidden,    // 403
            NotFound,     // 404
            Conflict,     // 409
            Http,         // another HTTP error status
            Timeout,      // no (complete) answer in time; a write may or may not have happened
            Network,      // refused, unresolvable, connection lost before an answer
            Tls,          // certificate not trusted, handshake failed
        };
        Error error = Error::None;
        int httpStatus = 0;
        QByteArray body;  // the answer, JSON for the API server
        QString message;  // one line when error != None; no secret
        QString reason;   // Status.reason from the server, when it sent one

        bool ok() const { return error == Error::None; }
    };

    explicit KubeClient(Settings settings);
    ~KubeClient();
    KubeClient(const KubeClient &) = delete;
    KubeClient &operator=(const KubeClient &) = delete;

    Reply get(const QString &path);
    // Content type application/merge-patch+json (RFC 7386) unless told otherwise.
    Reply patch(const QString &path, const QByteArray &body,
                const QByteArray &contentType = QByteArrayLiteral("application/merge-patch+json"));
    // A JSON body; for reviews (SelfSubjectAccessReview) that create nothing.
    Reply post(const QString &path, const QByteArray &body);
    // Replaces the object (a JSON body); with metadata.resourceVersion set, 409 when it is stale.
    Reply put(const QString &path, const QByteArray &body);

    // Reads the kubeconfig if that has not worked yet; false with *error otherwise.
    bool ensureConfig(QString *error);
    // Valid after ensureConfig() returned true.
    const KubeConfig &config() const { return m_config; }
    // Warnings the operator must see with every reading (TLS verification off).
    QStringList warnings() const { return m_config.warnings; }
    const Settings &settings() const { return m_settings; }

private:
    Reply perform(const char *method, const QString &path, const QByteArray &body, const QByteArray &contentType);
    // The token, client certificate and key for one request: a token file may have been
    // rotated, an exec credential may have expired. False with *error.
    struct Credentials
    {
        QString bearer;
        QByteArray certData;
        QByteArray keyData;
    };
    bool credentials(Credentials *out, QString *error);
    void setTls(const Credentials &credentials);
    QString redact(QString text) const;

    Settings m_settings;
    KubeConfig m_config;
    bool m_loaded = false;
    std::unique_ptr<KubeRoute> m_route;
    std::unique_ptr<KubeExecCredential> m_exec;
    std::unique_ptr<CurlEasy> m_curl; // reused so keep-alive connections are too
    QStringList m_secrets;            // values that must never appear in a message
};

} // namespace Switchboard
