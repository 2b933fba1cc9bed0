#pragma once
// Blocking client for Prometheus' HTTP query API over libcurl: timeouts, bounded retries with
// back-off, bearer/basic auth, TLS options and custom headers, answers parsed by PromResponse.
// Meant for a backend's worker thread: one object per thread, calls block up to their timeouts.

#include "promresponse.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

namespace Switchboard {

class CurlEasy;

class PrometheusClient final
{
public:
    // Connection settings, read from a target's "prometheus" object (see fromJson for the keys).
    struct Settings
    {
        QString url; // base URL, e.g. http://127.0.0.1:9090 or https://host/prometheus
        QString bearerToken;
        QString bearerTokenFile; // read on every request, so a rotated token is picked up
        QString basicUser;
        QString basicPassword;
        QString basicPasswordFile; // idem
        QString caFile;
        bool insecureSkipTlsVerify = false;
        QList<QPair<QByteArray, QByteArray>> headers;
        int connectTimeoutMs = 2000;
        int timeoutMs = 10000; // per attempt, transfer included
        int retries = 2;       // extra attempts after a 5xx or a network error, never after a 4xx
        int backoffMs = 250;   // first pause between attempts; doubles each time
        qint64 maxResponseBytes = qint64(256) << 20;

        // Keys: url, bearerToken | bearerTokenFile, basicAuth {username, password | passwordFile},
        // caFile, insecureSkipTlsVerify, headers {name: value}, connectTimeoutMs, timeoutMs,
        // retries. False with *error (naming the key) when something is unusable.
        static bool fromJson(const QJsonObject &prometheus, Settings *out, QString *error);
    };

    struct Reply
    {
        PromResponse response; // the parsed answer; only meaningful when ok()
        QString error; // empty on success; one line starting with "Prometheus: ", never a secret
        QStringList warnings;
        int httpStatus = 0; // of the last attempt, 0 if none got an HTTP answer
        int attempts = 0;
        double transferMs = 0; // last attempt: request sent until body received
        double parseMs = 0;    // parsing left after the last byte came (it runs during the transfer)

        bool ok() const { return error.isEmpty(); }
    };

    explicit PrometheusClient(Settings settings);
    ~PrometheusClient();
    PrometheusClient(const PrometheusClient &) = delete;
    PrometheusClient &operator=(const PrometheusClient &) = delete;

    // /api/v1/query; timeMs 0 lets Prometheus evaluate at its own "now".
    Reply query(const QString &promql, qint64 timeMs = 0);
    // /api/v1/query_range; Prometheus aligns nothing itself: pass start on the step grid.
    Reply queryRange(const QString &promql, qint64 startMs, qint64 endMs, qint64 stepMs);

    // Any thread: the running call (and its retries) ends soon with a "cancelled" error; so do
    // later calls until resetCancel().
    void cancel();
    void resetCancel();

    const Settings &settings() const { return m_settings; }
    // The base URL without user info, fit for messages.
    QString displayUrl() const;

private:
    Reply get(const QByteArray &pathAndQuery);
    QString redact(QString text) const;

    Settings m_settings;
    QByteArray m_baseUrl; // without a trailing slash
    QString m_displayUrl;
    std::unique_ptr<CurlEasy> m_curl; // reused so keep-alive connections are too
    std::atomic<bool> m_cancelled{false};
    QStringList m_secrets; // values that must never appear in a message
};

} // namespace Switchboard
