// Tester routes on the Kubernetes kinds against FakeKubeServer: the exact rule Switchboard
// writes (Gateway API rule with header matches ahead of the weighted rule; Istio http route
// first, header names lower-cased, cookies as a regex on the Cookie header), the operator's own
// rules left byte for byte, the resourceVersion guard (409 is a conflict), a 403, rollback
// clearing the rule, and Argo Rollouts refusing with its reason.

#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

RouteEdit addRoute(TrafficRoute::Match match, const char *name, const char *value)
{
    RouteEdit e;
    e.route = {match, QString::fromLatin1(name), QString::fromLatin1(value)};
    return e;
}

QJsonArray arrayOf(const QByteArray &resource, const char *key)
{
    return json(resource).value(QStringLiteral("spec")).toObject().value(QLatin1String(key)).toArray();
}

} // namespace

class TestKubeTesters final : public QObject
{
    Q_OBJECT

private:
    static ChangeResult edit(Harness &h, const RouteEdit &e)
    {
        return h.change([&h, e] { h.controller->editRoutes(e, QStringLiteral("test")); });
    }

private Q_SLOTS:
    void initTestCase() { registerMetaTypes(); }

    void gatewayRuleAheadOfTheWeightedOne()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QVERIFY(s.routes.isEmpty());
        QCOMPARE(s.routesRefusal, QString());
        const QJsonArray before = arrayOf(server.resource(kRoutePath), "rules");

        const ChangeResult r = edit(h, addRoute(TrafficRoute::Match::Header, "X-Canary", "always"));
        QVERIFY2(r.ok(), qPrintable(r.message));
        const QJsonArray rules = arrayOf(server.resource(kRoutePath), "rules");
        QCOMPARE(rules.size(), 3);
        QCOMPARE(rules.at(0), before.at(0)); // the operator's own header rule, untouched
        QCOMPARE(rules.at(2), before.at(1)); // the weighted rule, untouched
        QCOMPARE(rules.at(1).toObject(), json(R"({"name":"switchboard-testers",
            "matches":[{"path":{"type":"PathPrefix","value":"/"},"headers":[{"type":"Exact","name":"X-Canary","value":"always"}]}],
            "backendRefs":[{"name":"shop-v2","port":8080,"weight":1}]})"));
        // The write (a re-read may follow it).
        FakeKubeServer::Request patch;
        for (const FakeKubeServer::Request &q : server.requests())
            if (q.method == "PATCH")
                patch = q;
        QCOMPARE(patch.method, QByteArray("PATCH"));
        QVERIFY(patch.body.contains(R"("resourceVersion":"1000")"));
        QCOMPARE(h.controller->snapshot().routes,
                 (QList<TrafficRoute>{{TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")}}));

        // A weight change finds the weighted rule behind ours and keeps ours where it is.
        QVERIFY(h.set(50).ok());
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 2), (QList<int>{50, 50}));
        QCOMPARE(arrayOf(server.resource(kRoutePath), "rules").at(1).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("switchboard-testers"));

        const ChangeResult cookie = edit(h, addRoute(TrafficRoute::Match::Cookie, "canary", "always"));
        QVERIFY2(cookie.ok(), qPrintable(cookie.message));
        const QJsonArray matches = arrayOf(server.resource(kRoutePath), "rules").at(1).toObject().value(QStringLiteral("matches")).toArray();
        QCOMPARE(matches.size(), 2);
        QCOMPARE(matches.at(1).toObject().value(QStringLiteral("headers")).toArray().at(0).toObject(),
                 json(R"({"type":"RegularExpression","name":"Cookie","value":"^(.*?;)?\\s*canary=always(;.*)?$"})"));
        QCOMPARE(h.controller->snapshot().routes.size(), 2);

        // Rollback: weights to stable and our rule gone; theirs stays.
        const ChangeResult back = h.rollback();
        QVERIFY2(back.ok(), qPrintable(back.message));
        QVERIFY(back.routesAfter.isEmpty());
        const QJsonArray after = arrayOf(server.resource(kRoutePath), "rules");
        QCOMPARE(after.size(), 2);
        QCOMPARE(after.at(0), before.at(0));
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{100, 0}));
    }

    void istioRouteFirstLowerCased()
    {
        FakeKubeServer server;
        server.put(kVsPath, virtualService());
        QTemporaryDir dir;
        Harness h(istioTarget(writeKubeconfig(dir.path(), server.url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        const QJsonArray before = arrayOf(server.resource(kVsPath), "http");

        QVERIFY(edit(h, addRoute(TrafficRoute::Match::Header, "X-Canary", "always")).ok());
        QVERIFY(edit(h, addRoute(TrafficRoute::Match::Cookie, "canary", "always")).ok());
        const QJsonArray http = arrayOf(server.resource(kVsPath), "http");
        QCOMPARE(http.size(), 3);
        QCOMPARE(http.at(0).toObject(), json(R"({"name":"switchboard-testers",
            "match":[{"headers":{"x-canary":{"exact":"always"}}},{"headers":{"cookie":{"regex":"^(.*?;)?\\s*canary=always(;.*)?$"}}}],
            "route":[{"destination":{"host":"reviews","subset":"v2","port":{"number":9080}}}]})"));
        QCOMPARE(http.at(1), before.at(0)); // "jason": someone else's match, untouched
        QCOMPARE(http.at(2), before.at(1));
        // Read back: the header name as Istio holds it.
        QCOMPARE(h.controller->snapshot().routes,
                 (QList<TrafficRoute>{{TrafficRoute::Match::Header, QStringLiteral("x-canary"), QStringLiteral("always")},
                                      {TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always")}}));

        RouteEdit remove;
        remove.op = RouteEdit::Op::Remove;
        remove.route = {TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QString()};
        QVERIFY(edit(h, remove).ok());
        QCOMPARE(h.controller->snapshot().routes.size(), 1);
        QVERIFY(edit(h, [] { RouteEdit e; e.op = RouteEdit::Op::Clear; return e; }()).ok());
        QCOMPARE(arrayOf(server.resource(kVsPath), "http"), before);
    }

    void someoneElseWroteFirstIsAConflict()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server.changeBeforePatches(kRoutePath, R"({"metadata":{"labels":{"team":"web"}}})");
        const ChangeResult r = edit(h, addRoute(TrafficRoute::Match::Header, "X-Canary", "always"));
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QCOMPARE(arrayOf(server.resource(kRoutePath), "rules").size(), 2); // nothing of ours written
    }

    void forbiddenIsRefusedPlainly()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server.addFault(FakeKubeServer::Fault::Forbidden, "PATCH");
        const ChangeResult r = edit(h, addRoute(TrafficRoute::Match::Header, "X-Canary", "always"));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed")), qPrintable(r.message));
        QVERIFY(h.controller->snapshot().routes.isEmpty());
    }

    void argoOwnsItsRoutes()
    {
        FakeKubeServer server;
        const QByteArray strategy = R"({"canary":{"trafficRouting":{"managedRoutes":[{"name":"testers"}]},"steps":[
            {"setHeaderRoute":{"name":"testers","match":[{"headerName":"X-Canary","headerValue":{"exact":"always"}}]}},
            {"pause":{}},{"setWeight":20}]}})";
        server.put(kRolloutPath, rollout(kPausedStatus, false, strategy)); // at step 1: the route step is done
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        TrafficSnapshot s;
        QVERIFY2(h.refresh(&s, &h.error), qPrintable(h.error));
        QCOMPARE(s.routes, (QList<TrafficRoute>{{TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")}}));
        QVERIFY2(s.routesRefusal.contains(QStringLiteral("testers")), qPrintable(s.routesRefusal));
        const int writes = int(server.requests().size());
        const ChangeResult r = edit(h, addRoute(TrafficRoute::Match::Header, "X-Beta", "on"));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("Argo Rollouts owns")), qPrintable(r.message));
        for (qsizetype i = writes; i < server.requests().size(); ++i)
            QVERIFY(server.requests().at(i).method != "PATCH");
    }
};

QTEST_GUILESS_MAIN(TestKubeTesters)
#include "tst_kube_testers.moc"
