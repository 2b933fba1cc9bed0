#include "kubeerrormessage.h"

#include <nlohmann/json.hpp>

#include <cerrno>

namespace Switchboard {

namespace {

using json = nlohmann::json;
using Error = KubeClient::Reply::Error;

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
}

// The message and reason of a Kubernetes Status answer ({"kind":"Status","message":...}).
void statusOf(const QByteArray &body, QString *message, QString *reason)
{
    const json doc = json::parse(body.constData(), body.constData() + body.size(), nullptr, false);
    if (!doc.is_object())
        return;
    auto str = [&doc](const char *key) {
        const auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
    };
    if (str("kind") != QStringLiteral("Status"))
        return;
    *message = str("message").simplified();
    *reason = str("reason");
}

// The first line of a non-JSON error body (a proxy's HTML page), bounded.
QString snippet(const QByteArray &body)
{
    QString s = QString::fromUtf8(body.left(300));
    s = s.section(QLatin1Char('\n'), 0, 0).simplified();
    return s.size() > 160 ? s.left(160) + QStringLiteral("...") : s;
}

} // namespace

QString KubeErrorMessage::proxy() const
{
    return QStringLiteral("proxy %1 (%2)").arg(route.proxyName, route.proxyOrigin);
}

QString KubeErrorMessage::request() const
{
    return QStringLiteral("%1 %2").arg(QLatin1String(method), path);
}

KubeClient::Reply KubeErrorMessage::reply(const CurlEasy::Result &result) const
{
    KubeClient::Reply r;
    r.httpStatus = int(result.httpStatus);
    if (result.tooLarge) {
        r.error = Error::Network;
        r.message = QStringLiteral("answer to %1 is larger than %2 MiB: aborted").arg(request()).arg(maxResponseBytes >> 20);
        return r;
    }
    if (result.code != CURLE_OK) {
        if (!proxyFailure(result, &r))
            transferFailure(result, &r);
        return r;
    }
    r.body = result.body;
    if (result.httpStatus < 200 || result.httpStatus >= 300)
        httpFailure(result, &r);
    return r;
}

// Failures on the way through the proxy name the proxy and where it was configured: "connection
// refused by https://api..." would send the operator to the wrong machine. False when the
// failure is not the proxy's.
bool KubeErrorMessage::proxyFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const
{
    if (route.proxy.isEmpty())
        return false;
    const QString &server = config.server;
    // `connected` stays false when not even the TCP connection to the proxy was made.
    Error error = Error::Network;
    QString m;
    if (result.code == CURLE_COULDNT_RESOLVE_PROXY) {
        m = QStringLiteral("cannot resolve the host of %1").arg(proxy());
    } else if (result.code == CURLE_COULDNT_CONNECT && !result.connected) {
        m = result.osErrno == ECONNREFUSED ? QStringLiteral("connection refused by %1: is the proxy up and reachable?").arg(proxy())
                                           : QStringLiteral("cannot connect to %1: %2").arg(proxy(), result.curlMessage);
    } else if (result.code == CURLE_OPERATION_TIMEDOUT && !result.connected) {
        error = Error::Timeout;
        m = QStringLiteral("cannot connect to %1 within %2 (timeout)").arg(proxy(), seconds(connectTimeoutMs));
    } else if (result.proxyConnectStatus == 407) {
        m = QStringLiteral("%1 wants credentials (HTTP 407 to CONNECT): give them as user:password@ in the proxy URL").arg(proxy());
    } else if (result.proxyConnectStatus >= 300) {
        m = QStringLiteral("%1 refused the tunnel to %2: HTTP %3 to CONNECT").arg(proxy(), server).arg(result.proxyConnectStatus);
    } else if (result.code == CURLE_PROXY) {
        m = QStringLiteral("%1 could not connect to %2: %3").arg(proxy(), server, result.curlMessage);
    } else if (route.httpsProxy && result.proxyVerifyResult != 0) {
        error = Error::Tls;
        m = QStringLiteral("TLS certificate of %1 not trusted (%2): kubectl checks it against the cluster's certificate-authority, or the system's when the cluster has none")
                .arg(proxy(), result.curlMessage);
    }
    if (m.isEmpty())
        return false;
    r->error = error;
    r->message = m;
    return true;
}

void KubeErrorMessage::transferFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const
{
    const QString &server = config.server;
    const QString &curlMessage = result.curlMessage;
    const QString ctx = QStringLiteral("context \"%1\"").arg(config.contextName);
    switch (result.code) {
    case CURLE_COULDNT_CONNECT:
        r->error = Error::Network;
        r->message = result.osErrno == ECONNREFUSED
            ? QStringLiteral("connection refused by %1 (%2): is the API server up and reachable?").arg(server, ctx)
            : QStringLiteral("cannot connect to %1 (%2): %3").arg(server, ctx, curlMessage);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        r->error = Error::Network;
        r->message = QStringLiteral("cannot resolve the host of %1 (%2)").arg(server, ctx);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        r->error = Error::Timeout;
        r->message = result.connected
            ? QStringLiteral("no answer from %1 within %2 to %3 (timeout)").arg(server, seconds(timeoutMs), request())
            : QStringLiteral("cannot connect to %1 within %2 (timeout, %3)").arg(server, seconds(connectTimeoutMs), ctx);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        r->error = Error::Tls;
        // libcurl (OpenSSL) says "... target host name 'X'" when the certificate is trusted
        // but issued for other names; certificate-authority is then the wrong place to look.
        if (curlMessage.contains(QStringLiteral("target host name")))
            r->message = config.tlsServerName.isEmpty()
                ? QStringLiteral("TLS certificate of %1 is not valid for \"%2\" (%3): if the certificate names the server differently, set tls-server-name of cluster \"%4\" in %5")
                      .arg(server, route.verifyName, curlMessage, config.clusterName, config.clusterFile)
                : QStringLiteral("TLS certificate of %1 is not valid for \"%2\" (%3): check tls-server-name of cluster \"%4\" in %5")
                      .arg(server, route.verifyName, curlMessage, config.clusterName, config.clusterFile);
        else
            r->message = QStringLiteral("TLS certificate of %1 not trusted (%2): check certificate-authority(-data) of cluster \"%3\" in %4")
                             .arg(server, curlMessage, config.clusterName, config.clusterFile);
        break;
    case CURLE_SSL_CERTPROBLEM:
        r->error = Error::Tls;
        r->message = QStringLiteral("client certificate of user \"%1\" (%2) is unusable: %3").arg(config.userName, config.userFile, curlMessage);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CIPHER:
        r->error = Error::Tls;
        r->message = QStringLiteral("TLS handshake with %1 failed (%2): %3").arg(server, ctx, curlMessage);
        break;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        r->error = Error::Network;
        r->message = QStringLiteral("connection to %1 lost during %2: %3").arg(server, request(), curlMessage);
        // What a server that wants a client certificate looks like from here under TLS 1.3:
        // the handshake "works", then the server hangs up.
        if (server.startsWith(QStringLiteral("https://")) && !clientCertificate)
            r->message += QStringLiteral(" (if the server requires a client certificate: user \"%1\" has none)").arg(config.userName);
        break;
    default:
        r->error = Error::Network;
        r->message = QStringLiteral("%1 to %2 failed: %3").arg(request(), server, curlMessage);
        break;
    }
}

void KubeErrorMessage::httpFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const
{
    const long status = result.httpStatus;
    const bool viaProxy = !route.proxy.isEmpty();
    QString message;
    statusOf(result.body, &message, &r->reason);
    if (viaProxy && status == 407) {
        // An http:// server is reached through the proxy without a tunnel: the 407 is the proxy's.
        r->error = Error::Http;
        r->message = QStringLiteral("%1 wants credentials (HTTP 407): give them as user:password@ in the proxy URL").arg(proxy());
        return;
    }
    switch (status) {
    case 401:
        r->error = Error::Unauthorized;
        r->message = QStringLiteral("unauthorized: check the credentials of %1").arg(config.describe());
        break;
    case 403:
        r->error = Error::Forbidden;
        r->message = QStringLiteral("forbidden: %1").arg(message.isEmpty() ? request() : message);
        break;
    case 404:
        r->error = Error::NotFound;
        r->message = QStringLiteral("not found: %1").arg(path) + (message.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(message));
        break;
    case 409:
        r->error = Error::Conflict;
        r->message = QStringLiteral("conflict: %1").arg(message.isEmpty() ? QStringLiteral("the object changed on the server") : message);
        break;
    default:
        r->error = Error::Http;
        if (message.isEmpty())
            message = snippet(result.body);
        r->message = status >= 300 && status < 400
            ? QStringLiteral("HTTP %1 redirect from %2 for %3: redirects are not followed, check the server of cluster \"%4\"")
                  .arg(status).arg(config.server, request(), config.clusterName)
            : QStringLiteral("HTTP %1 from %2 for %3%4").arg(status).arg(config.server, request(),
                                                                          message.isEmpty() ? QString() : QStringLiteral(": ") + message);
        // A 502 or 504 may be the proxy's own answer about the server.
        if (viaProxy)
            r->message += QStringLiteral(" (through %1)").arg(proxy());
        break;
    }
}

} // namespace Switchboard
