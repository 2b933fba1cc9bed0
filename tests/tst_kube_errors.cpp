// What the Kubernetes kinds say when the API answers 401/403/404/409/500 or nothing, when the
// server is down or the kubeconfig is missing (and fixed later without a restart), and an exec
// credential plugin's token, cached and asked again after a 401. Messages never hold a secret.

#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

Q_DECLARE_METATYPE(Switchboard::Test::FakeKubeServer::Fault)

class TestKubeErrors : public QObject
{
    Q_OBJECT
private slots:
    void errors_data()
    {
        QTest::addColumn<FakeKubeServer::Fault>("fault");
        QTest::addColumn<QByteArray>("method"); // GET: seen by a refresh; PATCH: by a change
        QTest::addColumn<int>("status");        // of the change
        QTest::addColumn<QString>("expected");  // "@" is the server URL, "%" the kubeconfig path
        using F = FakeKubeServer::Fault;
        const int failed = int(ChangeResult::Status::Failed);
        QTest::newRow("401 on read") << F::Unauthorized << QByteArray("GET") << 0
                                     << "HTTPRoute shop/shop: unauthorized: check the credentials of context \"test\" (user \"ci\" in %)";
        QTest::newRow("403 on read") << F::Forbidden << QByteArray("GET") << 0
                                     << "forbidden: httproutes.gateway.networking.k8s.io \"shop\" is forbidden: User "
                                        "\"system:serviceaccount:ci:switchboard\" cannot get resource \"httproutes\"";
        QTest::newRow("404 on read") << F::NotFound << QByteArray("GET") << 0
                                     << QStringLiteral("not found: ") + kRoutePath + QStringLiteral(" (httproutes.gateway.networking.k8s.io \"shop\" not found)");
        // A refresh reads its route out of a list of the namespace's routes (KubeListReader):
        // the failed request is the list.
        const QString collection = kRoutePath.section(QLatin1Char('/'), 0, -2);
        QTest::newRow("500 on read") << F::ServerError << QByteArray("GET") << 0
                                     << QStringLiteral("HTTP 500 from @ for GET ") + collection + QStringLiteral(": Internal error occurred: etcdserver: request timed out");
        QTest::newRow("timeout on read") << F::Hang << QByteArray("GET") << 0 << QStringLiteral("no answer from @ within 0.5 s to GET ") + collection + QStringLiteral(" (timeout)");
        QTest::newRow("401 on write") << F::Unauthorized << QByteArray("PATCH") << failed << "nothing changed: HTTPRoute shop/shop: unauthorized";
        QTest::newRow("403 on write") << F::Forbidden << QByteArray("PATCH") << failed
                                      << "nothing changed: HTTPRoute shop/shop: forbidden: httproutes.gateway.networking.k8s.io \"shop\" "
                                         "is forbidden: User \"system:serviceaccount:ci:switchboard\" cannot patch resource \"httproutes\"";
        QTest::newRow("404 on write") << F::NotFound << QByteArray("PATCH") << failed << QStringLiteral("nothing changed: HTTPRoute shop/shop: not found: ") + kRoutePath;
        QTest::newRow("409 on write") << F::Conflict << QByteArray("PATCH") << int(ChangeResult::Status::Conflict)
                                      << "conflict: Operation cannot be fulfilled on httproutes.gateway.networking.k8s.io \"shop\"";
        QTest::newRow("timeout on write") << F::Hang << QByteArray("PATCH") << failed
                                          << QStringLiteral("no answer from @ within 0.5 s to PATCH ") + kRoutePath
                                                 + QStringLiteral(" (timeout): the change may or may not have been applied, refresh to see");
    }

    void errors()
    {
        QFETCH(FakeKubeServer::Fault, fault);
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        QFETCH(QString, expected);
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        const QString kc = writeKubeconfig(dir.path(), server.url());
        expected.replace(QLatin1Char('@'), server.url()).replace(QLatin1Char('%'), kc);
        Harness h(gatewayTarget(kc, {{QStringLiteral("timeoutMs"), 500}}));
        QVERIFY2(h.controller, qPrintable(h.error));
        // A forbidden or missing list makes the refresh GET the route itself: RBAC and absence
        // apply to both requests, so both get the fault then (the message is the GET's).
        const bool listFallsBack = fault == FakeKubeServer::Fault::Forbidden || fault == FakeKubeServer::Fault::NotFound;
        server.addFault(fault, method, {}, method == "GET" && listFallsBack ? 2 : 1);
        QString message;
        if (method == "GET") {
            TrafficSnapshot s;
            QVERIFY(!h.refresh(&s, &message));
        } else {
            const ChangeResult r = h.set(30);
            QCOMPARE(int(r.status), status);
            message = r.message;
            QCOMPARE(r.before, weights({{"shop-v1", 90}, {"shop-v2", 10}}));
            if (fault != FakeKubeServer::Fault::Hang)
                QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{90, 10}));
        }
        QVERIFY2(message.contains(expected), qPrintable(QStringLiteral("\"%1\"\nlacks \"%2\"").arg(message, expected)));
        QVERIFY2(!message.contains(QString::fromLatin1(kToken)), qPrintable(message));
        // The next read works again.
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
    }

    void connectionRefusedAndKubeconfigFixedLater()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString deadUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
        closed.close();
        QTemporaryDir dir;
        const QString kc = dir.filePath(QStringLiteral("kubeconfig"));
        Harness h(gatewayTarget(kc)); // the file does not exist yet: settings are fine, the read is not
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY(!h.refresh(&s, &error));
        QVERIFY2(error.contains(kc + QStringLiteral(": no such kubeconfig file")), qPrintable(error));

        writeKubeconfig(dir.path(), deadUrl);
        QVERIFY(!h.refresh(&s, &error));
        QVERIFY2(error.contains(QStringLiteral("connection refused by %1 (context \"test\")").arg(deadUrl)), qPrintable(error));
    }

    void execPluginToken()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.setRequiredBearer("exec-issued-token");
        QTemporaryDir dir;
        const QString plugin = writeFile(dir.filePath(QStringLiteral("kubectl-token.sh")),
                                         "#!/bin/sh\n"
                                         "n=$(cat \"$0.runs\" 2>/dev/null || echo 0); echo $((n+1)) > \"$0.runs\"\n"
                                         "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",'\n"
                                         "echo '\"status\":{\"token\":\"exec-issued-token\",\"expirationTimestamp\":\"2999-01-01T00:00:00Z\"}}'\n",
                                         true);
        const QByteArray user = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n"
                                "      command: " + plugin.toUtf8() + "\n";
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url(), {}, user)));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(h.set(30).status, ChangeResult::Status::Applied);
        auto runs = [&plugin] {
            QFile f(plugin + QStringLiteral(".runs"));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
        };
        QCOMPARE(runs(), 1); // cached across reads and the change
        for (const FakeKubeServer::Request &r : server.requests())
            QCOMPARE(r.header("authorization"), QByteArray("Bearer exec-issued-token"));
        // A 401 drops the cached credential: the next request asks the plugin again.
        server.addFault(FakeKubeServer::Fault::Unauthorized, "GET");
        QVERIFY(!h.refresh(&s, &error));
        QVERIFY2(error.contains(QStringLiteral("unauthorized")), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("exec-issued-token")), qPrintable(error));
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(runs(), 2);
    }
};

QTEST_GUILESS_MAIN(TestKubeErrors)
#include "tst_kube_errors.moc"
