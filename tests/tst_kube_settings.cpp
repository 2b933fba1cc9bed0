// The Kubernetes kinds' settings in targets.json and how a resource maps onto them: errors that
// name the key, routes that do not hold the configured members, and the single-value forms
// users write for `stable` / `canary` (one name or destination instead of a list).

#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

class TestKubeSettings : public QObject
{
    Q_OBJECT
private slots:
    void routeMappingErrors_data()
    {
        QTest::addColumn<QByteArray>("refs");
        QTest::addColumn<int>("rule");
        QTest::addColumn<QString>("expected");
        const QByteArray normal = R"([{"name":"shop-v1","weight":90},{"name":"shop-v2","weight":10}])";
        QTest::newRow("missing backendRef") << QByteArray(R"([{"name":"shop-v1","weight":100}])") << 1
                                            << "rule 1 has no backendRef named shop-v2 (it has: shop-v1)";
        QTest::newRow("unlisted backendRef") << QByteArray(R"([{"name":"shop-v1","weight":80},{"name":"shop-v2","weight":10},{"name":"shop-v3","weight":10}])")
                                             << 1 << "rule 1 also sends traffic to shop-v3, which is in neither \"stable\" nor \"canary\"";
        QTest::newRow("rule out of range") << normal << 5 << "has 2 rule(s); \"rule\": 5 does not exist";
        QTest::newRow("bad weight") << QByteArray(R"([{"name":"shop-v1","weight":"ninety"},{"name":"shop-v2","weight":10}])") << 1
                                    << "weight that is not a whole number";
    }

    void routeMappingErrors()
    {
        QFETCH(QByteArray, refs);
        QFETCH(int, rule);
        QFETCH(QString, expected);
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute(refs));
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url()), {{QStringLiteral("rule"), rule}}));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY(!h.refresh(&s, &error));
        QVERIFY2(error.startsWith(QStringLiteral("HTTPRoute shop/shop: ")), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void settingsErrors_data()
    {
        QTest::addColumn<QJsonObject>("target");
        QTest::addColumn<QString>("expected");
        const QString kc = QStringLiteral("/nonexistent/kubeconfig");
        QJsonObject t = gatewayTarget(kc);
        QJsonObject g = t[QStringLiteral("gateway-api")].toObject();
        g.remove(QStringLiteral("name"));
        t[QStringLiteral("gateway-api")] = g;
        QTest::newRow("no name") << t << "target \"shop\": gateway-api.name: expected the name of the resource";
        QTest::newRow("bad namespace") << gatewayTarget(kc, {{QStringLiteral("namespace"), QStringLiteral("shop/../kube-system")}})
                                       << "gateway-api.namespace: expected a Kubernetes namespace name";
        QTest::newRow("no stable") << gatewayTarget(kc, {{QStringLiteral("stable"), QJsonArray{}}}) << "gateway-api.stable: expected a list";
        QTest::newRow("listed twice") << gatewayTarget(kc, {{QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v1")}}})
                                      << "backendRef shop-v1 is listed twice";
        QTest::newRow("negative rule") << gatewayTarget(kc, {{QStringLiteral("rule"), -1}}) << "gateway-api.rule";
        QJsonObject i = istioTarget(kc);
        QJsonObject io = i[QStringLiteral("istio")].toObject();
        io[QStringLiteral("canary")] = QJsonArray{QJsonObject{{QStringLiteral("host"), 5}}};
        i[QStringLiteral("istio")] = io;
        QTest::newRow("istio destination") << i << "istio.canary: expected a list of destinations, \"host/subset\" or";
        io = istioTarget(kc)[QStringLiteral("istio")].toObject();
        io[QStringLiteral("apiVersion")] = QStringLiteral("networking.istio.io/v2");
        i[QStringLiteral("istio")] = io;
        QTest::newRow("istio apiVersion") << i << "istio.apiVersion: expected one of networking.istio.io/v1beta1";
        QJsonObject a = argoTarget(kc);
        QJsonObject ao = a[QStringLiteral("argo-rollouts")].toObject();
        ao[QStringLiteral("timeoutMs")] = 0;
        a[QStringLiteral("argo-rollouts")] = ao;
        QTest::newRow("argo timeout") << a << "argo-rollouts.timeoutMs";
    }

    void settingsErrors()
    {
        QFETCH(QJsonObject, target);
        QFETCH(QString, expected);
        Harness h(target);
        QVERIFY(!h.controller);
        QVERIFY2(h.error.contains(expected), qPrintable(h.error));
    }

    void singleValueForms_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QJsonValue>("stable");
        QTest::addColumn<QJsonValue>("canary");
        QTest::addColumn<QStringList>("members"); // as read; empty: the settings are refused
        QTest::addColumn<QString>("expected");    // the refusal
        const QJsonObject v2{{QStringLiteral("host"), QStringLiteral("reviews")}, {QStringLiteral("subset"), QStringLiteral("v2")}};
        const QJsonObject v1{{QStringLiteral("host"), QStringLiteral("reviews")}, {QStringLiteral("subset"), QStringLiteral("v1")}};
        const QStringList gw{QStringLiteral("shop-v1"), QStringLiteral("shop-v2")};
        const QStringList vs{QStringLiteral("reviews/v1"), QStringLiteral("reviews/v2")};
        QTest::newRow("gateway-api names") << "gateway-api" << QJsonValue(QStringLiteral("shop-v1")) << QJsonValue(QStringLiteral("shop-v2")) << gw << "";
        QTest::newRow("gateway-api name and list") << "gateway-api" << QJsonValue(QStringLiteral("shop-v1"))
                                                  << QJsonValue(QJsonArray{QStringLiteral("shop-v2")}) << gw << "";
        QTest::newRow("istio host/subset strings") << "istio" << QJsonValue(QStringLiteral("reviews/v1"))
                                                  << QJsonValue(QStringLiteral("reviews/v2")) << vs << "";
        QTest::newRow("istio string and object") << "istio" << QJsonValue(QStringLiteral("reviews/v1")) << QJsonValue(v2) << vs << "";
        QTest::newRow("istio objects") << "istio" << QJsonValue(v1) << QJsonValue(v2) << vs << "";
        QTest::newRow("gateway-api number") << "gateway-api" << QJsonValue(5) << QJsonValue(QStringLiteral("shop-v2")) << QStringList()
                                            << "gateway-api.stable: expected a list of backendRef names, or one name";
        QTest::newRow("gateway-api empty name") << "gateway-api" << QJsonValue(QStringLiteral("shop-v1")) << QJsonValue(QString())
                                                << QStringList() << "gateway-api.canary: expected backendRef names (strings)";
        QTest::newRow("istio null") << "istio" << QJsonValue(QStringLiteral("reviews/v1")) << QJsonValue(QJsonValue::Null) << QStringList()
                                    << "istio.canary: expected a list of destinations";
        QTest::newRow("istio bad object") << "istio" << QJsonValue(QJsonObject{{QStringLiteral("subset"), QStringLiteral("v1")}})
                                          << QJsonValue(v2) << QStringList() << "istio.stable: expected a list of destinations";
    }

    // Issue 11: an istio target whose stable was one "host/subset" string was dropped.
    void singleValueForms()
    {
        QFETCH(QString, kind);
        QFETCH(QJsonValue, stable);
        QFETCH(QJsonValue, canary);
        QFETCH(QStringList, members);
        QFETCH(QString, expected);
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.put(kVsPath, virtualService());
        QTemporaryDir dir;
        const QString kc = writeKubeconfig(dir.path(), server.url());
        QJsonObject t = kind == QStringLiteral("istio") ? istioTarget(kc) : gatewayTarget(kc);
        QJsonObject o = t[kind].toObject();
        o[QStringLiteral("stable")] = stable;
        o[QStringLiteral("canary")] = canary;
        t[kind] = o;
        Harness h(t);
        if (members.isEmpty()) {
            QVERIFY(!h.controller);
            QVERIFY2(h.error.contains(expected), qPrintable(h.error));
            return;
        }
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.members.size(), 2);
        QCOMPARE(s.members.at(0).name, members.at(0));
        QCOMPARE(s.members.at(0).version, Version::Stable);
        QCOMPARE(s.members.at(1).name, members.at(1));
        QCOMPARE(s.members.at(1).version, Version::Canary);
        QCOMPARE(h.set(40).status, ChangeResult::Status::Applied);
        QCOMPARE(h.controller->snapshot().split.canary, 40.0);
    }
};

QTEST_GUILESS_MAIN(TestKubeSettings)
#include "tst_kube_settings.moc"
