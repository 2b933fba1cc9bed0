// How KubeClient reaches the API server as kubectl does: TLS with the cluster's CA, client
// certificates and tls-server-name; the cluster's proxy-url through FakeProxy (HTTP, CONNECT,
// HTTPS, SOCKS5) with errors that name the proxy; the environment's proxies and NO_PROXY.

#include "fakekubeserver.h"
#include "fakeproxy.h"
#include "kubeclient.h"
#include "kubetestharness.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <optional>

using namespace Switchboard;
using namespace Switchboard::Test;

class TestKubeTlsProxy : public QObject
{
    Q_OBJECT
private slots:
    void tls_data()
    {
        QTest::addColumn<QString>("cluster");   // extra cluster lines; @ca, @other are CA files
        QTest::addColumn<QString>("user");      // user lines; @crt, @key client files
        QTest::addColumn<bool>("requireClientCert");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected"); // in the note (ok) or the error
        const QString token = QStringLiteral("    token: ") + QString::fromLatin1(kToken) + QStringLiteral("\n");
        QTest::newRow("CA data + token") << "    certificate-authority-data: @ca64\n" << token << false << true << "";
        QTest::newRow("CA file + client certificate files") << "    certificate-authority: @ca\n"
                                                            << "    client-certificate: @crt\n    client-key: @key\n" << true << true << "";
        QTest::newRow("client certificate data") << "    certificate-authority-data: @ca64\n"
                                                 << "    client-certificate-data: @crt64\n    client-key-data: @key64\n" << true << true << "";
        QTest::newRow("insecure-skip-tls-verify") << "    insecure-skip-tls-verify: true\n" << token << false << true
                                                  << "TLS verification is OFF for https://127.0.0.1:";
        QTest::newRow("untrusted server") << "    certificate-authority: @other\n" << token << false << false
                                          << "TLS certificate of https://127.0.0.1:";
        QTest::newRow("no client certificate") << "    certificate-authority: @ca\n" << token << true << false
                                               << "if the server requires a client certificate: user \"ci\" has none";
    }

    void tls()
    {
        QFETCH(QString, cluster);
        QFETCH(QString, user);
        QFETCH(bool, requireClientCert);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        if (!FakeKubeServer::opensslAvailable())
            QSKIP("openssl is not installed (scripts/install-deps installs it)");
        QTemporaryDir dir;
        FakeKubeServer::Pki pki;
        QString error;
        QVERIFY2(FakeKubeServer::makePki(dir.path(), &pki, &error), qPrintable(error));
        auto b64 = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll().toBase64()) : QString();
        };
        for (QString *s : {&cluster, &user}) {
            s->replace(QStringLiteral("@ca64"), b64(pki.caCert)).replace(QStringLiteral("@crt64"), b64(pki.clientCert));
            s->replace(QStringLiteral("@key64"), b64(pki.clientKey)).replace(QStringLiteral("@ca"), pki.caCert);
            s->replace(QStringLiteral("@other"), pki.otherCaCert).replace(QStringLiteral("@crt"), pki.clientCert);
            s->replace(QStringLiteral("@key"), pki.clientKey);
        }
        FakeKubeServer server(FakeKubeServer::Tls{pki.serverCert, pki.serverKey, requireClientCert ? pki.caCert : QString()});
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        server.put(kRoutePath, httpRoute());
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url(), cluster.toUtf8(), user.toUtf8())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        const bool read = h.refresh(&s, &error);
        QVERIFY2(read == ok, qPrintable(error));
        if (ok) {
            QCOMPARE(s.split.canary, 10.0);
            QCOMPARE(s.note.isEmpty(), expected.isEmpty());
            QVERIFY2(s.note.contains(expected), qPrintable(s.note));
            if (requireClientCert)
                QCOMPARE(server.requests().first().clientCertificateCn, QStringLiteral("switchboard-test"));
        } else {
            QVERIFY2(error.contains(expected), qPrintable(error));
            QVERIFY2(!error.contains(QString::fromLatin1(kToken)), qPrintable(error));
        }
    }

    void tlsServerName_data()
    {
        QTest::addColumn<QString>("tlsServerName"); // empty: none in the kubeconfig
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QStringList>("expected"); // in the error; "@" is the server URL, "%" the kubeconfig
        QTest::newRow("certificate for another name, no tls-server-name")
            << QString() << false
            << QStringList{QStringLiteral("TLS certificate of @ is not valid for \"127.0.0.1\""),
                           QStringLiteral("set tls-server-name of cluster \"fake\" in %")};
        QTest::newRow("tls-server-name the certificate holds") << QStringLiteral("kube.internal") << true << QStringList();
        QTest::newRow("tls-server-name the certificate does not hold")
            << QStringLiteral("other.internal") << false
            << QStringList{QStringLiteral("TLS certificate of @ is not valid for \"other.internal\""),
                           QStringLiteral("check tls-server-name of cluster \"fake\" in %")};
    }

    void tlsServerName()
    {
        QFETCH(QString, tlsServerName);
        QFETCH(bool, ok);
        QFETCH(QStringList, expected);
        if (!FakeKubeServer::opensslAvailable())
            QSKIP("openssl is not installed (scripts/install-deps installs it)");
        QTemporaryDir dir;
        NamedPki pki;
        QString error;
        QVERIFY2(makeNamedPki(dir.path(), &pki, &error), qPrintable(error));
        FakeKubeServer server(FakeKubeServer::Tls{pki.cert, pki.key, {}});
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        server.put(kRoutePath, httpRoute());
        QByteArray cluster = "    certificate-authority: " + pki.pki.caCert.toUtf8() + "\n";
        if (!tlsServerName.isEmpty())
            cluster += "    tls-server-name: " + tlsServerName.toUtf8() + "\n";
        const QString kc = writeKubeconfig(dir.path(), server.url(), cluster); // server: https://127.0.0.1:PORT
        Harness h(gatewayTarget(kc));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        const bool read = h.refresh(&s, &error);
        QVERIFY2(read == ok, qPrintable(error));
        if (!ok) {
            for (QString e : expected) {
                e.replace(QLatin1Char('@'), server.url()).replace(QLatin1Char('%'), kc);
                QVERIFY2(error.contains(e), qPrintable(QStringLiteral("\"%1\"\nlacks \"%2\"").arg(error, e)));
            }
            QVERIFY(server.requests().isEmpty()); // refused in the handshake: no request got through
            return;
        }
        QCOMPARE(s.split.canary, 10.0);
        QVERIFY2(s.note.isEmpty(), qPrintable(s.note)); // no "tls-server-name is ignored" any more
        QCOMPARE(h.set(30).status, ChangeResult::Status::Applied);
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{70, 30}));
        const QList<FakeKubeServer::Request> requests = server.requests();
        QVERIFY(requests.size() >= 2);
        // kubectl sends the server URL's host:port as Host; only TLS uses tls-server-name.
        for (const FakeKubeServer::Request &r : requests)
            QCOMPARE(r.header("host"), QByteArray("127.0.0.1:" + portOf(server.url()).toUtf8()));
    }

    void proxyUrl_data()
    {
        QTest::addColumn<QString>("serverKind"); // http, https, https+name (certificate for kube.internal + tls-server-name)
        QTest::addColumn<QString>("proxyKind");  // http, https, socks5
        QTest::addColumn<QByteArray>("kind");    // what the proxy saw first
        QTest::addColumn<QString>("target");     // "@" is 127.0.0.1:<server port>
        QTest::newRow("http server, http proxy") << "http" << "http" << QByteArray("GET") << QStringLiteral("http://@") + kRoutePath;
        QTest::newRow("https server, http proxy (CONNECT)") << "https" << "http" << QByteArray("CONNECT") << "@";
        // As kubectl: the tunnel goes to the server's real address, TLS inside checks tls-server-name.
        QTest::newRow("https server with tls-server-name, http proxy") << "https+name" << "http" << QByteArray("CONNECT") << "@";
        QTest::newRow("https server, https proxy") << "https" << "https" << QByteArray("CONNECT") << "@";
        QTest::newRow("http server, socks5 proxy") << "http" << "socks5" << QByteArray("SOCKS5") << "@";
        QTest::newRow("https server with tls-server-name, socks5 proxy") << "https+name" << "socks5" << QByteArray("SOCKS5") << "@";
    }

    void proxyUrl()
    {
        QFETCH(QString, serverKind);
        QFETCH(QString, proxyKind);
        QFETCH(QByteArray, kind);
        QFETCH(QString, target);
        const bool tls = serverKind != QStringLiteral("http") || proxyKind == QStringLiteral("https");
        if (tls && !FakeKubeServer::opensslAvailable())
            QSKIP("openssl is not installed (scripts/install-deps installs it)");
        QTemporaryDir dir;
        NamedPki pki;
        QString error;
        if (tls)
            QVERIFY2(makeNamedPki(dir.path(), &pki, &error), qPrintable(error));
        std::optional<FakeKubeServer::Tls> serverTls;
        if (serverKind == QStringLiteral("https"))
            serverTls = FakeKubeServer::Tls{pki.pki.serverCert, pki.pki.serverKey, {}};
        else if (serverKind == QStringLiteral("https+name"))
            serverTls = FakeKubeServer::Tls{pki.cert, pki.key, {}};
        FakeKubeServer server(serverTls);
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        server.put(kRoutePath, httpRoute());
        // An https:// proxy with a certificate for 127.0.0.1 from the cluster's CA: kubectl
        // checks the proxy with the cluster's TLS settings.
        FakeProxy proxy(proxyKind == QStringLiteral("https") ? pki.pki.serverCert : QString(),
                        proxyKind == QStringLiteral("https") ? pki.pki.serverKey : QString());
        QVERIFY2(proxy.error().isEmpty(), qPrintable(proxy.error()));
        const QString proxyUrl = proxyKind == QStringLiteral("socks5") ? QStringLiteral("socks5://127.0.0.1:%1").arg(proxy.port()) : proxy.url();
        // kubectl applies proxy-url to every request: NO_PROXY (which the backends see, they take
        // the process's environment) exempts nothing from it.
        const ProcessEnvGuard noProxy({QByteArrayLiteral("NO_PROXY"), QByteArrayLiteral("no_proxy")}, "*");
        QByteArray cluster = "    proxy-url: " + proxyUrl.toUtf8() + "\n";
        if (tls)
            cluster += "    certificate-authority: " + pki.pki.caCert.toUtf8() + "\n";
        if (serverKind == QStringLiteral("https+name"))
            cluster += "    tls-server-name: kube.internal\n";
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url(), cluster)));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.split.canary, 10.0);
        target.replace(QLatin1Char('@'), QStringLiteral("127.0.0.1:") + portOf(server.url()));
        QList<FakeProxy::Seen> seen = proxy.seen();
        QVERIFY(!seen.isEmpty());
        QCOMPARE(seen.first().kind, kind);
        // A refresh's first request is the list of the route's namespace and kind (KubeListReader).
        QCOMPARE(seen.first().target, kind == "GET" ? target.section(QLatin1Char('/'), 0, -2) : target);
        QCOMPARE(server.requests("GET").size(), 1);

        // A change goes the same way, body included.
        QCOMPARE(h.set(30).status, ChangeResult::Status::Applied);
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{70, 30}));
        seen = proxy.seen();
        if (kind == "GET") {
            QVERIFY(std::any_of(seen.cbegin(), seen.cend(), [&target](const FakeProxy::Seen &x) { return x.kind == "PATCH" && x.target == target; }));
        } else {
            for (const FakeProxy::Seen &x : seen)
                QCOMPARE(x.kind, kind); // every connection went through the proxy
            QVERIFY(seen.size() >= 2);
        }
    }

    void proxyErrors_data()
    {
        QTest::addColumn<QString>("serverKind");   // http or https; "dead-" prefix: nothing listens there
        QTest::addColumn<bool>("proxyDead");       // nothing listens at the proxy's address
        QTest::addColumn<QByteArray>("required");  // credentials the proxy wants ("user:password")
        QTest::addColumn<QByteArray>("userInfo");  // credentials in proxy-url
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QStringList>("expected"); // "@" server URL, "#" proxy (no credentials), "%" kubeconfig
        const QString origin = QStringLiteral("(proxy-url of cluster \"fake\" in %)");
        QTest::newRow("proxy not listening") << "http" << true << QByteArray() << QByteArray() << false
                                             << QStringList{QStringLiteral("connection refused by proxy # ") + origin,
                                                            QStringLiteral("is the proxy up and reachable?")};
        QTest::newRow("proxy not listening, https server") << "https" << true << QByteArray() << QByteArray() << false
                                                           << QStringList{QStringLiteral("connection refused by proxy # ") + origin};
        QTest::newRow("proxy wants credentials") << "http" << false << QByteArray("alice:pa55word") << QByteArray() << false
                                                 << QStringList{QStringLiteral("proxy # ") + origin + QStringLiteral(" wants credentials (HTTP 407)")};
        QTest::newRow("proxy wants credentials for CONNECT") << "https" << false << QByteArray("alice:pa55word") << QByteArray() << false
                                                             << QStringList{QStringLiteral("wants credentials (HTTP 407 to CONNECT)")};
        QTest::newRow("wrong credentials, not shown") << "https" << false << QByteArray("alice:pa55word") << QByteArray("alice:wr0ngpass")
                                                      << false << QStringList{QStringLiteral("proxy # ") + origin + QStringLiteral(" wants credentials")};
        QTest::newRow("credentials from proxy-url") << "http" << false << QByteArray("alice:pa55word") << QByteArray("alice:pa55word")
                                                    << true << QStringList();
        QTest::newRow("credentials from proxy-url, CONNECT") << "https" << false << QByteArray("alice:pa55word")
                                                             << QByteArray("alice:pa55word") << true << QStringList();
        QTest::newRow("server down behind the proxy") << "dead-http" << false << QByteArray() << QByteArray() << false
                                                      << QStringList{QStringLiteral("HTTP 502 from @ for GET"), QStringLiteral("(through proxy # ") + origin};
        QTest::newRow("server down behind the proxy, CONNECT") << "dead-https" << false << QByteArray() << QByteArray() << false
                                                               << QStringList{QStringLiteral("proxy # ") + origin
                                                                              + QStringLiteral(" refused the tunnel to @: HTTP 502 to CONNECT")};
    }

    void proxyErrors()
    {
        QFETCH(QString, serverKind);
        QFETCH(bool, proxyDead);
        QFETCH(QByteArray, required);
        QFETCH(QByteArray, userInfo);
        QFETCH(bool, ok);
        QFETCH(QStringList, expected);
        const bool tls = serverKind.endsWith(QStringLiteral("https"));
        if (tls && !FakeKubeServer::opensslAvailable())
            QSKIP("openssl is not installed (scripts/install-deps installs it)");
        QTemporaryDir dir;
        FakeKubeServer::Pki pki;
        QString error;
        if (tls)
            QVERIFY2(FakeKubeServer::makePki(dir.path(), &pki, &error), qPrintable(error));
        FakeKubeServer server(tls ? std::optional(FakeKubeServer::Tls{pki.serverCert, pki.serverKey, {}}) : std::nullopt);
        server.put(kRoutePath, httpRoute());
        const QString serverUrl = serverKind.startsWith(QStringLiteral("dead-"))
            ? QStringLiteral("%1://127.0.0.1:%2").arg(tls ? QStringLiteral("https") : QStringLiteral("http")).arg(deadPort())
            : server.url();
        FakeProxy proxy;
        proxy.setRequiredCredentials(required);
        const quint16 proxyPort = proxyDead ? deadPort() : proxy.port();
        const QString proxyName = QStringLiteral("http://127.0.0.1:%1").arg(proxyPort);
        const QString proxyUrl = userInfo.isEmpty() ? proxyName
                                                    : QStringLiteral("http://%1@127.0.0.1:%2").arg(QString::fromLatin1(userInfo)).arg(proxyPort);
        QByteArray cluster = "    proxy-url: " + proxyUrl.toUtf8() + "\n";
        if (tls)
            cluster += "    certificate-authority: " + pki.caCert.toUtf8() + "\n";
        const QString kc = writeKubeconfig(dir.path(), serverUrl, cluster);
        Harness h(gatewayTarget(kc, {{QStringLiteral("connectTimeoutMs"), 3000}}));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        const bool read = h.refresh(&s, &error);
        QVERIFY2(read == ok, qPrintable(error));
        if (ok) {
            QCOMPARE(s.split.canary, 10.0);
            QVERIFY(!proxy.seen().isEmpty());
            QCOMPARE(proxy.seen().first().proxyAuthorization, QByteArray("Basic " + userInfo.toBase64()));
            return;
        }
        for (QString e : expected) {
            e.replace(QLatin1Char('@'), serverUrl).replace(QLatin1Char('#'), proxyName).replace(QLatin1Char('%'), kc);
            QVERIFY2(error.contains(e), qPrintable(QStringLiteral("\"%1\"\nlacks \"%2\"").arg(error, e)));
        }
        QVERIFY2(!error.contains(QStringLiteral("pa55word")) && !error.contains(QStringLiteral("wr0ngpass")), qPrintable(error));
        QVERIFY(server.requests().isEmpty());
        if (proxyDead)
            QVERIFY(proxy.seen().isEmpty());
    }

    void environmentProxy_data()
    {
        QTest::addColumn<QString>("server");      // https: the certificate is for kube.internal only
        // NAME=VALUE; "@A", "@B": proxies A and B (http://127.0.0.1:port); ":A", ":B", ":P": their
        // and the server's port.
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<QString>("proxyUrl");    // in the kubeconfig; empty: none
        QTest::addColumn<QString>("via");         // A, B or empty (direct)
        QTest::addColumn<QString>("expected");    // empty: the read works; else in the error
        const QString unresolvable = QStringLiteral("cannot resolve the host of ");
        QTest::newRow("HTTP_PROXY") << "http://kube.internal:P" << QStringList{QStringLiteral("HTTP_PROXY=@A")} << "" << "A" << "";
        QTest::newRow("http_proxy") << "http://kube.internal:P" << QStringList{QStringLiteral("http_proxy=@A")} << "" << "A" << "";
        QTest::newRow("upper case first") << "http://kube.internal:P"
                                          << QStringList{QStringLiteral("HTTP_PROXY=@A"), QStringLiteral("http_proxy=@B")} << "" << "A" << "";
        QTest::newRow("bare host:port means http://") << "http://kube.internal:P" << QStringList{QStringLiteral("HTTP_PROXY=127.0.0.1:A")}
                                                      << "" << "A" << "";
        QTest::newRow("HTTPS_PROXY for an https server") << "https://kube.internal:P" << QStringList{QStringLiteral("HTTPS_PROXY=@A")}
                                                         << "" << "A" << "";
        QTest::newRow("HTTP_PROXY is not for https servers")
            << "https://kube.invalid:P" << QStringList{QStringLiteral("HTTP_PROXY=@A")} << "" << "" << unresolvable + QStringLiteral("https://kube.invalid:");
        QTest::newRow("loopback server goes direct") << "http://127.0.0.1:P" << QStringList{QStringLiteral("HTTP_PROXY=@A")} << "" << "" << "";
        QTest::newRow("localhost goes direct") << "http://localhost:P" << QStringList{QStringLiteral("HTTP_PROXY=@A")} << "" << "" << "";
        QTest::newRow("NO_PROXY names the domain")
            << "http://kube.invalid:P" << QStringList{QStringLiteral("HTTP_PROXY=@A"), QStringLiteral("NO_PROXY=example.com,invalid")} << ""
            << "" << unresolvable + QStringLiteral("http://kube.invalid:");
        QTest::newRow("no_proxy with a port") << "http://kube.invalid:P"
                                              << QStringList{QStringLiteral("HTTP_PROXY=@A"), QStringLiteral("no_proxy=kube.invalid:P")} << ""
                                              << "" << unresolvable;
        QTest::newRow("NO_PROXY names others") << "http://kube.internal:P"
                                               << QStringList{QStringLiteral("HTTP_PROXY=@A"),
                                                              QStringLiteral("NO_PROXY=.kube.internal,10.0.0.0/8,kube.internal:1")}
                                               << "" << "A" << "";
        QTest::newRow("proxy-url wins over the environment")
            << "http://kube.internal:P" << QStringList{QStringLiteral("HTTP_PROXY=@A"), QStringLiteral("NO_PROXY=*")} << "@B" << "B" << "";
        QTest::newRow("proxy-url for a loopback server too") << "http://127.0.0.1:P" << QStringList() << "@B" << "B" << "";
        // Go's SOCKS5 dialer lets the proxy resolve the name (socks5h in libcurl's terms).
        QTest::newRow("socks5 proxy-url resolves on the proxy") << "http://kube.internal:P" << QStringList() << "socks5://127.0.0.1:B"
                                                                << "B" << "";
        QTest::newRow("NO_PROXY=*") << "http://kube.invalid:P" << QStringList{QStringLiteral("HTTP_PROXY=@A"), QStringLiteral("NO_PROXY=*")}
                                    << "" << "" << unresolvable;
    }

    // KubeClient on its own, with an environment of the test's making (the backends take the
    // process's).
    void environmentProxy()
    {
        QFETCH(QString, server);
        QFETCH(QStringList, env);
        QFETCH(QString, proxyUrl);
        QFETCH(QString, via);
        QFETCH(QString, expected);
        const bool tls = server.startsWith(QStringLiteral("https"));
        if (tls && !FakeKubeServer::opensslAvailable())
            QSKIP("openssl is not installed (scripts/install-deps installs it)");
        QTemporaryDir dir;
        NamedPki pki;
        QString error;
        if (tls)
            QVERIFY2(makeNamedPki(dir.path(), &pki, &error), qPrintable(error));
        FakeKubeServer fake(tls ? std::optional(FakeKubeServer::Tls{pki.cert, pki.key, {}}) : std::nullopt);
        fake.put(kRoutePath, httpRoute());
        const quint16 port = portOf(fake.url()).toUShort();
        // Both proxies know kube.internal: they send every connection to the fake server.
        FakeProxy a;
        FakeProxy b;
        a.setUpstream(QStringLiteral("127.0.0.1"), port);
        b.setUpstream(QStringLiteral("127.0.0.1"), port);
        // The process's own proxy variables point at C: only Settings::env counts, libcurl must
        // not pick these up behind the client's back.
        FakeProxy c;
        c.setUpstream(QStringLiteral("127.0.0.1"), port);
        const ProcessEnvGuard processEnv({QByteArrayLiteral("http_proxy"), QByteArrayLiteral("https_proxy"),
                                          QByteArrayLiteral("HTTPS_PROXY"), QByteArrayLiteral("ALL_PROXY"),
                                          QByteArrayLiteral("all_proxy")},
                                         c.url().toUtf8());
        auto fill = [&](QString text) {
            return text.replace(QStringLiteral("@A"), a.url()).replace(QStringLiteral("@B"), b.url())
                .replace(QStringLiteral(":A"), QStringLiteral(":%1").arg(a.port())).replace(QStringLiteral(":B"), QStringLiteral(":%1").arg(b.port()))
                .replace(QStringLiteral(":P"), QStringLiteral(":%1").arg(port));
        };
        server = fill(server);
        QByteArray cluster;
        if (!proxyUrl.isEmpty())
            cluster += "    proxy-url: " + fill(proxyUrl).toUtf8() + "\n";
        if (tls)
            cluster += "    certificate-authority: " + pki.pki.caCert.toUtf8() + "\n";
        KubeClient::Settings settings;
        settings.kubeconfig = writeKubeconfig(dir.path(), server, cluster);
        settings.env = QProcessEnvironment();
        for (const QString &v : std::as_const(env))
            settings.env.insert(v.section(QLatin1Char('='), 0, 0), fill(v.section(QLatin1Char('='), 1)));
        settings.connectTimeoutMs = 3000;
        settings.timeoutMs = 5000;
        KubeClient client(settings);
        const KubeClient::Reply reply = client.get(kRoutePath);
        if (expected.isEmpty()) {
            QVERIFY2(reply.ok(), qPrintable(reply.message));
            QVERIFY(reply.body.contains("shop-v2"));
        } else {
            QVERIFY(!reply.ok());
            QVERIFY2(reply.message.contains(expected), qPrintable(QStringLiteral("\"%1\"\nlacks \"%2\"").arg(reply.message, expected)));
        }
        QVERIFY(c.seen().isEmpty());
        QCOMPARE(a.seen().isEmpty(), via != QStringLiteral("A"));
        QCOMPARE(b.seen().isEmpty(), via != QStringLiteral("B"));
        if (!via.isEmpty()) {
            const FakeProxy::Seen first = (via == QStringLiteral("A") ? a : b).seen().first();
            if (tls || first.kind == "SOCKS5")
                QCOMPARE(first.target, QUrl(server).authority()); // CONNECT or SOCKS5 to kube.internal:P
            else
                QCOMPARE(first.target, server + kRoutePath);
        }
    }
};

QTEST_GUILESS_MAIN(TestKubeTlsProxy)
#include "tst_kube_tls_proxy.moc"
