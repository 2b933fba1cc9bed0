// KubeErrorMessage on its own: a transfer's result (libcurl code, HTTP status, errno, proxy
// answers, body) plus the request's context in, the error kind and the one line the operator
// reads out. No server: every row is a result as libcurl would hand it over.

#include "kubeerrormessage.h"

#include <QTest>

#include <cerrno>

using namespace Switchboard;
using Error = KubeClient::Reply::Error;

Q_DECLARE_METATYPE(Switchboard::KubeClient::Reply::Error)
Q_DECLARE_METATYPE(Switchboard::CurlEasy::Result)

namespace {

KubeConfig config()
{
    KubeConfig c;
    c.contextName = QStringLiteral("prod");
    c.contextFile = QStringLiteral("/home/ops/.kube/config");
    c.clusterName = QStringLiteral("eu-1");
    c.clusterFile = QStringLiteral("/home/ops/.kube/config");
    c.userName = QStringLiteral("ci");
    c.userFile = QStringLiteral("/home/ops/.kube/ci.yaml");
    c.server = QStringLiteral("https://api.example:6443");
    return c;
}

KubeRoute viaProxy()
{
    KubeRoute r;
    r.baseUrl = "https://api.example:6443";
    r.verifyName = QStringLiteral("api.example");
    r.proxy = "http://alice:pw@proxy.example:3128";
    r.proxyName = QStringLiteral("http://proxy.example:3128");
    r.proxyOrigin = QStringLiteral("HTTPS_PROXY in the environment");
    return r;
}

CurlEasy::Result curlFailure(CURLcode code, const QString &message, bool connected = false, long osErrno = 0)
{
    CurlEasy::Result r;
    r.code = code;
    r.curlMessage = message;
    r.connected = connected;
    r.osErrno = osErrno;
    return r;
}

CurlEasy::Result answer(long status, const QByteArray &body)
{
    CurlEasy::Result r;
    r.httpStatus = status;
    r.connected = true;
    r.body = body;
    return r;
}

QByteArray statusBody(const char *reason, const char *message)
{
    return QByteArray(R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":")") + reason + R"(","message":")" + message
         + R"("})";
}

} // namespace

class TestKubeErrorMessage : public QObject
{
    Q_OBJECT
private slots:
    void reply_data()
    {
        QTest::addColumn<CurlEasy::Result>("result");
        QTest::addColumn<bool>("proxy");              // the route goes through viaProxy()
        QTest::addColumn<bool>("clientCertificate");
        QTest::addColumn<QString>("tlsServerName");
        QTest::addColumn<Error>("error");
        QTest::addColumn<QString>("message");         // exactly, or the start when it ends with "..."
        QTest::addColumn<QString>("reason");

        QTest::newRow("200") << answer(200, "{}") << false << false << QString() << Error::None << QString() << QString();
        QTest::newRow("refused") << curlFailure(CURLE_COULDNT_CONNECT, QStringLiteral("Failed to connect"), false, ECONNREFUSED)
                                 << false << false << QString() << Error::Network
                                 << "connection refused by https://api.example:6443 (context \"prod\"): is the API server up and reachable?" << QString();
        QTest::newRow("unreachable") << curlFailure(CURLE_COULDNT_CONNECT, QStringLiteral("No route to host"), false, EHOSTUNREACH)
                                     << false << false << QString() << Error::Network
                                     << "cannot connect to https://api.example:6443 (context \"prod\"): No route to host" << QString();
        QTest::newRow("unresolvable") << curlFailure(CURLE_COULDNT_RESOLVE_HOST, QStringLiteral("Could not resolve host")) << false << false
                                      << QString() << Error::Network << "cannot resolve the host of https://api.example:6443 (context \"prod\")" << QString();
        QTest::newRow("slow answer") << curlFailure(CURLE_OPERATION_TIMEDOUT, QStringLiteral("Operation timed out"), true) << false << false
                                     << QString() << Error::Timeout
                                     << "no answer from https://api.example:6443 within 2.0 s to PATCH /apis/x (timeout)" << QString();
        QTest::newRow("no connection in time") << curlFailure(CURLE_OPERATION_TIMEDOUT, QStringLiteral("Connection timed out")) << false << false
                                               << QString() << Error::Timeout
                                               << "cannot connect to https://api.example:6443 within 1.5 s (timeout, context \"prod\")" << QString();
        QTest::newRow("certificate for another name")
            << curlFailure(CURLE_PEER_FAILED_VERIFICATION, QStringLiteral("SSL: no alternative certificate subject name matches target host name 'api.example'"))
            << false << false << QString() << Error::Tls
            << "TLS certificate of https://api.example:6443 is not valid for \"api.example\" (SSL: no alternative certificate subject name matches target host name 'api.example'): if the certificate names the server differently, set tls-server-name of cluster \"eu-1\" in /home/ops/.kube/config"
            << QString();
        QTest::newRow("certificate not for tls-server-name")
            << curlFailure(CURLE_PEER_FAILED_VERIFICATION, QStringLiteral("no alternative certificate subject name matches target host name 'kube.internal'"))
            << false << false << QStringLiteral("kube.internal") << Error::Tls
            << "TLS certificate of https://api.example:6443 is not valid for \"api.example\" (no alternative certificate subject name matches target host name 'kube.internal'): check tls-server-name of cluster \"eu-1\" in /home/ops/.kube/config"
            << QString();
        QTest::newRow("untrusted") << curlFailure(CURLE_PEER_FAILED_VERIFICATION, QStringLiteral("unable to get local issuer certificate"))
                                   << false << false << QString() << Error::Tls
                                   << "TLS certificate of https://api.example:6443 not trusted (unable to get local issuer certificate): check certificate-authority(-data) of cluster \"eu-1\" in /home/ops/.kube/config"
                                   << QString();
        QTest::newRow("bad client certificate") << curlFailure(CURLE_SSL_CERTPROBLEM, QStringLiteral("unable to set private key file"))
                                                << false << true << QString() << Error::Tls
                                                << "client certificate of user \"ci\" (/home/ops/.kube/ci.yaml) is unusable: unable to set private key file" << QString();
        QTest::newRow("hung up, no client certificate") << curlFailure(CURLE_RECV_ERROR, QStringLiteral("Connection reset by peer"), true)
                                                        << false << false << QString() << Error::Network
                                                        << "connection to https://api.example:6443 lost during PATCH /apis/x: Connection reset by peer (if the server requires a client certificate: user \"ci\" has none)"
                                                        << QString();
        QTest::newRow("hung up, with a client certificate") << curlFailure(CURLE_RECV_ERROR, QStringLiteral("Connection reset by peer"), true)
                                                            << false << true << QString() << Error::Network
                                                            << "connection to https://api.example:6443 lost during PATCH /apis/x: Connection reset by peer" << QString();
        CurlEasy::Result big = curlFailure(CURLE_WRITE_ERROR, QStringLiteral("Failure writing output"), true);
        big.tooLarge = true;
        QTest::newRow("too large") << big << false << false << QString() << Error::Network
                                   << "answer to PATCH /apis/x is larger than 32 MiB: aborted" << QString();
        QTest::newRow("401") << answer(401, statusBody("Unauthorized", "Unauthorized")) << false << false << QString() << Error::Unauthorized
                             << "unauthorized: check the credentials of context \"prod\" (user \"ci\" in /home/ops/.kube/ci.yaml)" << "Unauthorized";
        QTest::newRow("403") << answer(403, statusBody("Forbidden", "rollouts.argoproj.io \\\"shop\\\" is forbidden"))
                             << false << false << QString() << Error::Forbidden << "forbidden: rollouts.argoproj.io \"shop\" is forbidden" << "Forbidden";
        QTest::newRow("403 without a Status") << answer(403, "nope") << false << false << QString() << Error::Forbidden
                                              << "forbidden: PATCH /apis/x" << QString();
        QTest::newRow("404") << answer(404, statusBody("NotFound", "rollouts.argoproj.io \\\"shop\\\" not found")) << false << false << QString()
                             << Error::NotFound << "not found: /apis/x (rollouts.argoproj.io \"shop\" not found)" << "NotFound";
        QTest::newRow("409") << answer(409, statusBody("Conflict", "the object has been modified")) << false << false << QString()
                             << Error::Conflict << "conflict: the object has been modified" << "Conflict";
        QTest::newRow("409 without a Status") << answer(409, "") << false << false << QString() << Error::Conflict
                                              << "conflict: the object changed on the server" << QString();
        QTest::newRow("500 from a proxy page") << answer(500, "<html><body>Internal Server Error</body></html>\nmore") << false << false
                                               << QString() << Error::Http
                                               << "HTTP 500 from https://api.example:6443 for PATCH /apis/x: <html><body>Internal Server Error</body></html>" << QString();
        QTest::newRow("redirect") << answer(302, "") << false << false << QString() << Error::Http
                                  << "HTTP 302 redirect from https://api.example:6443 for PATCH /apis/x: redirects are not followed, check the server of cluster \"eu-1\""
                                  << QString();
        // Through a proxy, failures on the way name the proxy and where it was configured.
        QTest::newRow("proxy refused") << curlFailure(CURLE_COULDNT_CONNECT, QStringLiteral("Failed to connect"), false, ECONNREFUSED)
                                       << true << false << QString() << Error::Network
                                       << "connection refused by proxy http://proxy.example:3128 (HTTPS_PROXY in the environment): is the proxy up and reachable?"
                                       << QString();
        QTest::newRow("proxy unresolvable") << curlFailure(CURLE_COULDNT_RESOLVE_PROXY, QStringLiteral("Could not resolve proxy")) << true
                                            << false << QString() << Error::Network
                                            << "cannot resolve the host of proxy http://proxy.example:3128 (HTTPS_PROXY in the environment)" << QString();
        QTest::newRow("proxy too slow") << curlFailure(CURLE_OPERATION_TIMEDOUT, QStringLiteral("timed out")) << true << false << QString()
                                        << Error::Timeout
                                        << "cannot connect to proxy http://proxy.example:3128 (HTTPS_PROXY in the environment) within 1.5 s (timeout)" << QString();
        CurlEasy::Result tunnel = curlFailure(CURLE_COULDNT_CONNECT, QStringLiteral("CONNECT tunnel failed, response 407"), true);
        tunnel.proxyConnectStatus = 407;
        QTest::newRow("proxy wants credentials") << tunnel << true << false << QString() << Error::Network
                                                 << "proxy http://proxy.example:3128 (HTTPS_PROXY in the environment) wants credentials (HTTP 407 to CONNECT): give them as user:password@ in the proxy URL"
                                                 << QString();
        tunnel.proxyConnectStatus = 502;
        QTest::newRow("proxy refused the tunnel") << tunnel << true << false << QString() << Error::Network
                                                  << "proxy http://proxy.example:3128 (HTTPS_PROXY in the environment) refused the tunnel to https://api.example:6443: HTTP 502 to CONNECT"
                                                  << QString();
        QTest::newRow("502 through a proxy") << answer(502, "Bad Gateway") << true << false << QString() << Error::Http
                                             << "HTTP 502 from https://api.example:6443 for PATCH /apis/x: Bad Gateway (through proxy http://proxy.example:3128 (HTTPS_PROXY in the environment))"
                                             << QString();
        QTest::newRow("407 from the proxy itself") << answer(407, "") << true << false << QString() << Error::Http
                                                   << "proxy http://proxy.example:3128 (HTTPS_PROXY in the environment) wants credentials (HTTP 407): give them as user:password@ in the proxy URL"
                                                   << QString();
        // A server-side failure behind a working proxy is worded as the server's.
        QTest::newRow("server refused behind the proxy") << curlFailure(CURLE_COULDNT_CONNECT, QStringLiteral("Failed to connect"), true, ECONNREFUSED)
                                                         << true << false << QString() << Error::Network
                                                         << "connection refused by https://api.example:6443 (context \"prod\"): is the API server up and reachable?"
                                                         << QString();
    }

    void reply()
    {
        QFETCH(CurlEasy::Result, result);
        QFETCH(bool, proxy);
        QFETCH(bool, clientCertificate);
        QFETCH(QString, tlsServerName);
        QFETCH(Error, error);
        QFETCH(QString, message);
        QFETCH(QString, reason);
        KubeConfig c = config();
        c.tlsServerName = tlsServerName;
        KubeRoute route;
        route.verifyName = QStringLiteral("api.example");
        if (proxy)
            route = viaProxy();
        const KubeErrorMessage context{.config = c,
                                       .route = route,
                                       .method = "PATCH",
                                       .path = QStringLiteral("/apis/x"),
                                       .clientCertificate = clientCertificate,
                                       .connectTimeoutMs = 1500,
                                       .timeoutMs = 2000,
                                       .maxResponseBytes = qint64(32) << 20};
        const KubeClient::Reply r = context.reply(result);
        QCOMPARE(r.error, error);
        QCOMPARE(r.message, message);
        QCOMPARE(r.reason, reason);
        QCOMPARE(r.httpStatus, int(result.httpStatus));
        if (error == Error::None || result.code == CURLE_OK)
            QCOMPARE(r.body, result.body); // the answer is kept for the caller
        QVERIFY(!r.message.contains(QStringLiteral("alice:pw"))); // the proxy's credentials never
    }
};

QTEST_GUILESS_MAIN(TestKubeErrorMessage)
#include "tst_kubeerrormessage.moc"
