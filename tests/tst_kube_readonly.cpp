// Read-only Kubernetes targets (issue 11 item 9): a SelfSubjectAccessReview at refresh tells
// whether the user may patch the route (or the Rollout and its status) before any action; a
// denied user gets a read-only snapshot with the reason, and no PATCH is ever sent, neither by
// the controller nor by the backend itself. Against FakeKubeServer.

#include "argorolloutbackend.h"
#include "backendfactory.h"
#include "eventlogmodel.h"
#include "fakekubeserver.h"
#include "gatewayroutebackend.h"
#include "kubeaccessreview.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using Switchboard::Test::FakeKubeServer;

namespace {

const QString kRoutePath = QStringLiteral("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/shop");
const QString kRolloutPath = QStringLiteral("/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/shop");

QByteArray httpRoute()
{
    return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
      "metadata":{"name":"shop","namespace":"shop","resourceVersion":"1000"},
      "spec":{"rules":[{"backendRefs":[{"name":"shop-v1","port":8080,"weight":90},{"name":"shop-v2","port":8080,"weight":10}]}]}})";
}

QByteArray rollout()
{
    return R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
      "metadata":{"name":"shop","namespace":"shop","resourceVersion":"500","generation":3},
      "spec":{"replicas":5,"strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}},{"setWeight":60}]}},
        "template":{"spec":{"containers":[{"name":"app","image":"shop:2"}]}}},
      "status":{"replicas":5,"currentPodHash":"6f8d9c7b5","stableRS":"877894d5b","phase":"Paused","message":"CanaryPauseStep",
        "currentStepIndex":1,"controllerPause":true,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:00:00Z"}],
        "canary":{}}})";
}

QString writeKubeconfig(const QString &dir, const QString &server)
{
    const QString path = QDir(dir).filePath(QStringLiteral("kubeconfig"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write("apiVersion: v1\nkind: Config\ncurrent-context: test\n"
            "clusters:\n- name: fake\n  cluster:\n    server: " + server.toUtf8() + "\n"
            "users:\n- name: ci\n  user:\n    token: t0k3n\n"
            "contexts:\n- name: test\n  context:\n    cluster: fake\n    user: ci\n    namespace: shop\n");
    return path;
}

QJsonObject gatewaySettings(const QString &kubeconfig)
{
    return {{QStringLiteral("kubeconfig"), kubeconfig},
            {QStringLiteral("name"), QStringLiteral("shop")},
            {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1")}},
            {QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2")}},
            {QStringLiteral("timeoutMs"), 3000}};
}

QJsonObject argoSettings(const QString &kubeconfig)
{
    return {{QStringLiteral("kubeconfig"), kubeconfig},
            {QStringLiteral("namespace"), QStringLiteral("shop")},
            {QStringLiteral("name"), QStringLiteral("shop")},
            {QStringLiteral("timeoutMs"), 3000}};
}

// What the backend answers to one direct refresh (on this thread; the server has its own).
std::optional<TrafficSnapshot> refreshed(TrafficBackend &b, QString *error)
{
    QSignalSpy snap(&b, &TrafficBackend::snapshotReady);
    QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
    b.refresh();
    if (!failed.isEmpty())
        *error = failed.first().at(0).toString();
    if (snap.size() != 1)
        return std::nullopt;
    return snap.first().at(0).value<TrafficSnapshot>();
}

QJsonObject spec(const FakeKubeServer::Request &review)
{
    return QJsonDocument::fromJson(review.body).object()[QStringLiteral("spec")].toObject()[QStringLiteral("resourceAttributes")].toObject();
}

} // namespace

class TestKubeReadOnly : public QObject
{
    Q_OBJECT

private slots:
    void reviewBodyAndAnswer()
    {
        const QJsonObject body = QJsonDocument::fromJson(KubeAccessReview::requestBody(
                                                             {QStringLiteral("argoproj.io"), QStringLiteral("rollouts"), QStringLiteral("status")},
                                                             QStringLiteral("shop"), QStringLiteral("web")))
                                     .object();
        QCOMPARE(body[QStringLiteral("kind")].toString(), QStringLiteral("SelfSubjectAccessReview"));
        QCOMPARE(body[QStringLiteral("apiVersion")].toString(), QStringLiteral("authorization.k8s.io/v1"));
        const QJsonObject attrs = body[QStringLiteral("spec")].toObject()[QStringLiteral("resourceAttributes")].toObject();
        QCOMPARE(attrs, (QJsonObject{{QStringLiteral("namespace"), QStringLiteral("shop")},
                                     {QStringLiteral("verb"), QStringLiteral("patch")},
                                     {QStringLiteral("group"), QStringLiteral("argoproj.io")},
                                     {QStringLiteral("resource"), QStringLiteral("rollouts")},
                                     {QStringLiteral("subresource"), QStringLiteral("status")},
                                     {QStringLiteral("name"), QStringLiteral("web")}}));
        bool allowed = true;
        QString reason;
        QVERIFY(KubeAccessReview::parseAnswer(R"({"status":{"allowed":false,"reason":"no RBAC policy matched"}})", &allowed, &reason));
        QVERIFY(!allowed);
        QCOMPARE(reason, QStringLiteral("no RBAC policy matched"));
        QVERIFY(KubeAccessReview::parseAnswer(R"({"status":{"allowed":true}})", &allowed, &reason));
        QVERIFY(allowed);
        QVERIFY(reason.isEmpty());
        QVERIFY(!KubeAccessReview::parseAnswer(R"({"kind":"Status","code":403})", &allowed, &reason));
    }

    void gatewayAllowedAsksOncePerInterval()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        LayerParts parts;
        QString error;
        QVERIFY2(GatewayRouteBackend::create(gatewaySettings(writeKubeconfig(dir.path(), server.url())), &parts, &error), qPrintable(error));
        for (int i = 0; i < 3; ++i) {
            const auto s = refreshed(*parts.traffic, &error);
            QVERIFY2(s, qPrintable(error));
            QVERIFY(!s->readOnly);
            QVERIFY(s->readOnlyReason.isEmpty());
        }
        // Once at the first refresh, not at every poll.
        const QList<FakeKubeServer::Request> reviews = server.accessReviews();
        QCOMPARE(reviews.size(), 1);
        QCOMPARE(reviews.first().header("authorization"), QByteArray("Bearer t0k3n"));
        const QJsonObject attrs = spec(reviews.first());
        QCOMPARE(attrs[QStringLiteral("verb")].toString(), QStringLiteral("patch"));
        QCOMPARE(attrs[QStringLiteral("group")].toString(), QStringLiteral("gateway.networking.k8s.io"));
        QCOMPARE(attrs[QStringLiteral("resource")].toString(), QStringLiteral("httproutes"));
        QCOMPARE(attrs[QStringLiteral("namespace")].toString(), QStringLiteral("shop")); // the context's
        QCOMPARE(attrs[QStringLiteral("name")].toString(), QStringLiteral("shop"));
    }

    void gatewayDeniedIsReadOnlyAndSendsNoPatch()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.setAccess(QStringLiteral("patch"), false, QStringLiteral("no RBAC policy matched"), QStringLiteral("httproutes"));
        QTemporaryDir dir;
        const QJsonObject t{{QStringLiteral("name"), QStringLiteral("shop")},
                            {QStringLiteral("kind"), QStringLiteral("gateway-api")},
                            {QStringLiteral("gateway-api"), gatewaySettings(writeKubeconfig(dir.path(), server.url()))},
                            {QStringLiteral("pollMs"), 600000}};
        const TargetConfigResult cfg = parseTargetConfig(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{t}}}).toJson(),
                                                         QStringLiteral("targets.json"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.error));
        QString error;
        std::unique_ptr<BackendHost> host = createBackends(cfg.targets.first(), &error);
        QVERIFY2(host, qPrintable(error));
        EventLogModel log;
        TargetController c(cfg.targets.first(), std::move(host), &log, nullptr);
        QSignalSpy snap(&c, &TargetController::snapshotChanged);
        c.refreshNow();
        QVERIFY(snap.wait(15000));
        QVERIFY(c.isReadOnly());
        QVERIFY2(c.readOnlyReason().contains(QStringLiteral("may not patch httproutes.gateway.networking.k8s.io \"shop\" in namespace shop")),
                 qPrintable(c.readOnlyReason()));
        QVERIFY2(c.readOnlyReason().contains(QStringLiteral("no RBAC policy matched")), qPrintable(c.readOnlyReason()));

        // Every action, the rollback included, is refused before anything is sent.
        for (const auto &act : {std::function<void()>([&c] { c.setCanaryPercent(50, QStringLiteral("test")); }),
                                std::function<void()>([&c] { c.operatorPromoteFull(QStringLiteral("test")); }),
                                std::function<void()>([&c] { c.operatorRollback(QStringLiteral("test")); })}) {
            QSignalSpy done(&c, &TargetController::actionFinished);
            act();
            QCOMPARE(done.size(), 1); // answered at once
            const ChangeResult r = done.first().at(0).value<ChangeResult>();
            QCOMPARE(r.status, ChangeResult::Status::Failed);
            QVERIFY2(r.message.contains(QStringLiteral("read-only")), qPrintable(r.message));
        }
        QVERIFY(!c.isActionInFlight());
        QCOMPARE(server.requests("PATCH").size(), 0);
        QCOMPARE(server.resourceVersion(kRoutePath), QStringLiteral("1000")); // nothing written
    }

    void gatewayBackendRefusesOnItsOwn()
    {
        // The backend knows too: even a change that reached it sends no PATCH.
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.setAccess(QStringLiteral("patch"), false);
        QTemporaryDir dir;
        LayerParts parts;
        QString error;
        QVERIFY(GatewayRouteBackend::create(gatewaySettings(writeKubeconfig(dir.path(), server.url())), &parts, &error));
        const auto s = refreshed(*parts.traffic, &error);
        QVERIFY2(s, qPrintable(error));
        QVERIFY(s->readOnly);
        QVERIFY(s->readOnlyReason.startsWith(QStringLiteral("Kubernetes user may not patch")));
        QSignalSpy done(parts.traffic.get(), &TrafficBackend::changeFinished);
        WeightChange change;
        change.canaryPercent = 0;
        change.force = true;
        parts.traffic->apply(change);
        QCOMPARE(done.size(), 1);
        const ChangeResult r = done.first().at(0).value<ChangeResult>();
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: read-only")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 0);
    }

    void argoDeniedStatusSubresource()
    {
        FakeKubeServer server;
        server.put(kRolloutPath, rollout());
        // The object may be patched, its status (where promote and abort go) may not.
        server.setAccess(QStringLiteral("patch"), false, {}, QStringLiteral("rollouts/status"));
        QTemporaryDir dir;
        LayerParts parts;
        QString error;
        QVERIFY2(ArgoRolloutBackend::create(argoSettings(writeKubeconfig(dir.path(), server.url())), &parts, &error), qPrintable(error));
        const auto s = refreshed(*parts.traffic, &error);
        QVERIFY2(s, qPrintable(error));
        QVERIFY(s->readOnly);
        QVERIFY2(s->readOnlyReason.contains(QStringLiteral("may not patch rollouts/status.argoproj.io \"shop\"")), qPrintable(s->readOnlyReason));
        QVERIFY2(!s->readOnlyReason.contains(QStringLiteral("rollouts.argoproj.io")), qPrintable(s->readOnlyReason));
        QCOMPARE(server.accessReviews().size(), 2); // the object and its status
        QCOMPARE(spec(server.accessReviews().at(1))[QStringLiteral("subresource")].toString(), QStringLiteral("status"));

        QSignalSpy stepped(parts.traffic.get(), &TrafficBackend::stepPromoted);
        parts.traffic->promoteStep();
        QCOMPARE(stepped.size(), 1);
        QCOMPARE(stepped.first().at(0).value<ChangeResult>().status, ChangeResult::Status::Failed);
        QSignalSpy done(parts.traffic.get(), &TrafficBackend::changeFinished);
        WeightChange abort;
        abort.canaryPercent = 0;
        abort.force = true;
        parts.traffic->apply(abort);
        QCOMPARE(done.size(), 1);
        QVERIFY2(done.first().at(0).value<ChangeResult>().message.contains(QStringLiteral("read-only")),
                 qPrintable(done.first().at(0).value<ChangeResult>().message));
        QCOMPARE(server.requests("PATCH").size(), 0);
    }

    void unansweredReviewChangesNothing()
    {
        // A server that cannot answer the review leaves the target writable (the PATCH would
        // still report a refusal) and the refresh itself works.
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.addFault(FakeKubeServer::Fault::ServerError, "POST", QStringLiteral("selfsubjectaccessreviews"));
        QTemporaryDir dir;
        LayerParts parts;
        QString error;
        QVERIFY(GatewayRouteBackend::create(gatewaySettings(writeKubeconfig(dir.path(), server.url())), &parts, &error));
        const auto s = refreshed(*parts.traffic, &error);
        QVERIFY2(s, qPrintable(error));
        QVERIFY(!s->readOnly);
        QCOMPARE(server.accessReviews().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestKubeReadOnly)
#include "tst_kube_readonly.moc"
