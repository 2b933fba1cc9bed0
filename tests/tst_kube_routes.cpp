// The weighted-route kinds (Gateway API HTTPRoute, Istio VirtualService) end to end through
// createBackends, BackendHost and TargetController, against FakeKubeServer: reads, changes and
// the exact merge patches (bodies, content type, resourceVersion guard), a stale view, and other
// writers between read and write: a conflict for an operator's change, read again and re-applied
// (bounded) for a rollback or set-weight --force.

#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

using Weights = QMap<QString, int>;

// What differs between the two kinds, for the data-driven tests.
struct Kind
{
    QString path;
    QByteArray resource;
    QString arrayKey;   // spec.<arrayKey>: "rules" or "http"
    QString weightsKey; // the list in its element that holds the weights
    QString resourceVersion;
    QStringList names;  // stable, canary
    QByteArray theirs;  // another writer's merge patch: element 1 at 50/50

    QJsonObject target(const QString &kubeconfig) const
    {
        return arrayKey == QStringLiteral("rules") ? gatewayTarget(kubeconfig) : istioTarget(kubeconfig);
    }
    QList<int> weightsIn(const QJsonObject &resource) const { return weightsAt(resource, arrayKey, 1, weightsKey); }
};

Kind kindNamed(const QString &name)
{
    if (name == QStringLiteral("gateway-api"))
        return {kRoutePath, httpRoute(), QStringLiteral("rules"), QStringLiteral("backendRefs"), QStringLiteral("1000"),
                {QStringLiteral("shop-v1"), QStringLiteral("shop-v2")},
                R"({"spec":{"rules":[{"backendRefs":[{"name":"shop-v2","port":8080}]},{"backendRefs":[{"name":"shop-v1","port":8080,"weight":50},{"name":"shop-v2","port":8080,"weight":50}]}]}})"};
    return {kVsPath, virtualService(), QStringLiteral("http"), QStringLiteral("route"), QStringLiteral("2000"),
            {QStringLiteral("reviews/v1"), QStringLiteral("reviews/v2")},
            R"({"spec":{"http":[{"route":[{"destination":{"host":"reviews","subset":"v2"}}]},{"route":[{"destination":{"host":"reviews","subset":"v1"},"weight":50},{"destination":{"host":"reviews","subset":"v2"},"weight":50}]}]}})"};
}

// A server holding one kind's resource and a target on it, read once: what the operator saw.
struct Rig
{
    explicit Rig(const Kind &kind)
        : k(kind)
    {
        server.put(k.path, k.resource);
        h = std::make_unique<Harness>(k.target(writeKubeconfig(dir.path(), server.url())));
    }
    bool ready() { return h->controller && h->refresh(&seen); }

    Kind k;
    FakeKubeServer server;
    QTemporaryDir dir;
    std::unique_ptr<Harness> h;
    TrafficSnapshot seen;
};

// An element of the route array without the weights of its list: what a weight change must
// leave as it was.
QJsonObject withoutWeights(QJsonObject element, const QString &weightsKey)
{
    QJsonArray list = element[weightsKey].toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        QJsonObject o = list.at(i).toObject();
        o.remove(QStringLiteral("weight"));
        list[i] = o;
    }
    element[weightsKey] = list;
    return element;
}

} // namespace

class TestKubeRoutes : public QObject
{
    Q_OBJECT
private slots:
    void readAndSet_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<Weights>("before");
        QTest::addColumn<double>("percent");
        for (const QString &kind : {QStringLiteral("gateway-api"), QStringLiteral("istio")}) {
            const Kind k = kindNamed(kind);
            const QMap<QString, int> before = kind == QStringLiteral("istio") ? QMap<QString, int>{{k.names[0], 75}, {k.names[1], 25}}
                                                                               : QMap<QString, int>{{k.names[0], 90}, {k.names[1], 10}};
            for (double p : {0.0, 25.0, 100.0})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2%").arg(kind).arg(p))) << kind << before << p;
        }
    }

    // The targets of one cluster share a traffic thread, and their periodic reads one list per
    // namespace and kind (KubeListReader): five HTTPRoutes in "shop" and one in "other", read
    // at once, cost two lists and no GET of their own; each target's next read is newer than
    // its last (a new list); where RBAC refuses the list, each target GETs its own route.
    void refreshesShareOneListPerNamespaceAndKind()
    {
        FakeKubeServer server;
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        QTemporaryDir dir;
        const QString kc = writeKubeconfig(dir.path(), server.url());
        const QString shop = kRoutePath.section(QLatin1Char('/'), 0, -2);
        const QString other = QStringLiteral("/apis/gateway.networking.k8s.io/v1/namespaces/other/httproutes");
        // As the API server keeps them: the name in the path is the object's own.
        auto route = [](const QString &name, const QString &ns, int canary, const char *resourceVersion) {
            QJsonObject o = json(httpRoute(QStringLiteral(R"([{"name":"shop-v1","weight":%1},{"name":"shop-v2","weight":%2}])")
                                               .arg(100 - canary).arg(canary).toUtf8()));
            QJsonObject meta = o[QStringLiteral("metadata")].toObject();
            meta[QStringLiteral("name")] = name;
            meta[QStringLiteral("namespace")] = ns;
            meta[QStringLiteral("resourceVersion")] = QString::fromLatin1(resourceVersion);
            o[QStringLiteral("metadata")] = meta;
            return QJsonDocument(o).toJson();
        };
        std::vector<std::unique_ptr<Harness>> targets;
        QStringList objects;
        for (int i = 0; i < 6; ++i) {
            const QString ns = i < 5 ? QStringLiteral("shop") : QStringLiteral("other");
            const QString name = QStringLiteral("web-%1").arg(i);
            objects << (i < 5 ? shop : other) + QLatin1Char('/') + name;
            server.put(objects.constLast(), route(name, ns, i < 5 ? 10 : 40, "1000"));
            QJsonObject t = gatewayTarget(kc, {{QStringLiteral("name"), name}, {QStringLiteral("namespace"), ns}});
            t[QStringLiteral("name")] = name;
            targets.push_back(std::make_unique<Harness>(t));
            QVERIFY2(targets.back()->controller, qPrintable(targets.back()->error));
        }
        auto refreshAll = [&targets]() -> QString {
            std::vector<std::unique_ptr<QSignalSpy>> snaps;
            std::vector<std::unique_ptr<QSignalSpy>> fails;
            for (const auto &h : targets) {
                snaps.push_back(std::make_unique<QSignalSpy>(h->controller.get(), &TargetController::snapshotChanged));
                fails.push_back(std::make_unique<QSignalSpy>(h->relay.get(), &Relay::failed));
            }
            for (const auto &h : targets)
                QMetaObject::invokeMethod(h->backend, &TrafficBackend::refresh, Qt::QueuedConnection);
            const bool answered = QTest::qWaitFor([&] {
                for (size_t i = 0; i < snaps.size(); ++i)
                    if (snaps[i]->isEmpty() && fails[i]->isEmpty())
                        return false;
                return true;
            }, 15000);
            if (!answered)
                return QStringLiteral("no answer to a refresh");
            for (const auto &f : fails)
                if (!f->isEmpty())
                    return f->first().at(0).toString();
            return {};
        };
        auto gets = [&server](const QString &path) {
            int n = 0;
            for (const FakeKubeServer::Request &r : server.requests("GET"))
                n += r.path == path ? 1 : 0;
            return n;
        };
        auto objectGets = [&] {
            int n = 0;
            for (const QString &o : std::as_const(objects))
                n += gets(o);
            return n;
        };
        QString error = refreshAll();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(gets(shop), 1);
        QCOMPARE(gets(other), 1);
        QCOMPARE(objectGets(), 0);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(targets[size_t(i)]->controller->snapshot().split.canary, i < 5 ? 10.0 : 40.0);

        // Someone else's change shows at the next read: no target gets the same list twice.
        server.put(objects.at(3), route(QStringLiteral("web-3"), QStringLiteral("shop"), 25, "1001"));
        server.clearRequests();
        error = refreshAll();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(gets(shop), 1);
        QCOMPARE(gets(other), 1);
        QCOMPARE(objectGets(), 0);
        QCOMPARE(targets[3]->controller->snapshot().split.canary, 25.0);

        // A change reads its route itself (GET) before its guarded PATCH, and what follows it
        // shows the change.
        server.clearRequests();
        const ChangeResult r = targets[1]->set(50);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(gets(objects.at(1)), 1);
        QCOMPARE(targets[1]->controller->snapshot().split.canary, 50.0);

        // A round that every target reads out of the same lists again.
        error = refreshAll();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(targets[1]->controller->snapshot().split.canary, 50.0);

        // RBAC that grants get but not list: every target reads its own route, and the list is
        // not asked for again right away.
        // (In the first round a target the current lists have not answered yet is still
        // answered from them; the next list asked for is refused.)
        server.addFault(FakeKubeServer::Fault::Forbidden, "GET", QStringLiteral("/httproutes"), 2);
        server.clearRequests();
        error = refreshAll();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(objectGets() >= 2);
        server.clearRequests();
        error = refreshAll();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(gets(shop) + gets(other), 0);
        QCOMPARE(objectGets(), 6);
    }

    // One row per kind and percent: the read, then one GET (the conflict check and plan work on
    // live data) and one guarded patch that leaves everything but the weights as it was.
    void readAndSet()
    {
        QFETCH(QString, kind);
        QFETCH(Weights, before);
        QFETCH(double, percent);
        const Kind k = kindNamed(kind);
        FakeKubeServer server;
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        server.put(k.path, k.resource);
        QTemporaryDir dir;
        Harness h(k.target(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));

        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.members.size(), 2);
        QCOMPARE(s.members.at(0).name, k.names[0]);
        QCOMPARE(s.members.at(0).version, Version::Stable);
        QCOMPARE(s.members.at(1).name, k.names[1]);
        QCOMPARE(s.members.at(1).version, Version::Canary);
        QCOMPARE(s.weights(), before);
        QCOMPARE(s.split.canary, double(before.value(k.names[1])));
        QVERIFY(s.note.isEmpty()); // accepted, refs resolved, TLS verified
        // One request per refresh, authenticated, namespace from the context or the settings:
        // the list of the namespace's routes of this kind, which every target there shares
        // (KubeListReader; tst_kube_lists).
        QList<FakeKubeServer::Request> reqs = server.requests();
        QCOMPARE(reqs.size(), 1);
        QCOMPARE(reqs.first().method, QByteArray("GET"));
        QCOMPARE(reqs.first().path, k.path.section(QLatin1Char('/'), 0, -2));
        QCOMPARE(reqs.first().header("authorization"), QByteArray("Bearer " + kToken));

        server.clearRequests();
        const QJsonObject original = json(server.resource(k.path));
        const ChangeResult r = h.set(percent);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        const int p = int(percent);
        QCOMPARE(r.before, before);
        const QMap<QString, int> target{{k.names[0], 100 - p}, {k.names[1], p}};
        QCOMPARE(r.after, target);
        QVERIFY2(r.message.contains(QStringLiteral("canary %1%").arg(p)), qPrintable(r.message));
        reqs = server.requests();
        if (target == before) {
            // Already there: nothing is written.
            QCOMPARE(server.requests("PATCH").size(), 0);
            QVERIFY2(r.message.contains(QStringLiteral("nothing written")), qPrintable(r.message));
            return;
        }
        QVERIFY(reqs.size() >= 2);
        QCOMPARE(reqs.at(0).method, QByteArray("GET"));
        QCOMPARE(reqs.at(1).method, QByteArray("PATCH"));
        QCOMPARE(server.requests("PATCH").size(), 1);
        const FakeKubeServer::Request &patch = reqs.at(1);
        QCOMPARE(patch.path, k.path);
        QCOMPARE(patch.header("content-type"), QByteArray("application/merge-patch+json"));
        const QJsonObject body = json(patch.body);
        QCOMPARE(body.keys(), (QStringList{QStringLiteral("metadata"), QStringLiteral("spec")}));
        QCOMPARE(body[QStringLiteral("metadata")].toObject(), (QJsonObject{{QStringLiteral("resourceVersion"), k.resourceVersion}}));
        QCOMPARE(body[QStringLiteral("spec")].toObject().keys(), QStringList{k.arrayKey});
        // Merge patches replace arrays whole: every element is sent, the others untouched.
        const QJsonArray sent = body[QStringLiteral("spec")][k.arrayKey].toArray();
        const QJsonArray was = original[QStringLiteral("spec")][k.arrayKey].toArray();
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sent.at(0), was.at(0));
        // In the element that splits, only the weights change (ports, matches, retries stay).
        QCOMPARE(withoutWeights(sent.at(1).toObject(), k.weightsKey), withoutWeights(was.at(1).toObject(), k.weightsKey));
        QCOMPARE(k.weightsIn(body), (QList<int>{100 - p, p}));

        QCOMPARE(k.weightsIn(json(server.resource(k.path))), (QList<int>{100 - p, p}));
        QCOMPARE(server.resourceVersion(k.path), QString::number(k.resourceVersion.toInt() + 1));
        QCOMPARE(h.controller->snapshot().split.canary, percent);
    }

    void gatewayDefaultWeightsAndSeveralMembers()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute(R"([{"name":"shop-v1a","port":8080},{"name":"shop-v1b","port":8080},{"name":"shop-v2","port":8080}])"));
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url()),
                                {{QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1a"), QStringLiteral("shop-v1b")}}}));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        // Gateway API: a backendRef without weight has weight 1.
        QCOMPARE(s.weights(), weights({{"shop-v1a", 1}, {"shop-v1b", 1}, {"shop-v2", 1}}));
        QVERIFY(qAbs(s.split.canary - 100.0 / 3) < 1e-9);
        // The versions share 100: stable 75 over two members, canary 25; the share is exact.
        const ChangeResult r = h.set(25);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(r.after, weights({{"shop-v1a", 38}, {"shop-v1b", 37}, {"shop-v2", 25}}));
        QCOMPARE(h.controller->snapshot().split.canary, 25.0);
        // Fractions of a percent are rounded, and the message says so.
        const ChangeResult r2 = h.set(12.5);
        QCOMPARE(r2.status, ChangeResult::Status::Applied);
        QCOMPARE(r2.after, weights({{"shop-v1a", 44}, {"shop-v1b", 43}, {"shop-v2", 13}}));
        QVERIFY2(r2.message.contains(QStringLiteral("whole percent")), qPrintable(r2.message));
    }

    void changeBetweenReadAndWriteIsConflict_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("gateway-api") << QStringLiteral("gateway-api");
        QTest::newRow("istio") << QStringLiteral("istio");
    }

    // An operator's change without --force decided on a view that no longer holds: a 409 is a
    // conflict, never retried.
    void changeBetweenReadAndWriteIsConflict()
    {
        QFETCH(QString, kind);
        const Kind k = kindNamed(kind);
        Rig rig(k);
        QVERIFY2(rig.ready(), qPrintable(rig.h->error));
        FakeKubeServer &server = rig.server;
        Harness &h = *rig.h;

        // Someone else writes after our GET, just before our PATCH arrives.
        server.changeBeforePatches(k.path, k.theirs, 1);
        server.clearRequests();
        const ChangeResult r = h.set(40);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("changed on the server after it was read")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("the object has been modified")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 1); // never retried
        // Nothing of ours was written: the other writer's weights hold.
        QCOMPARE(k.weightsIn(json(server.resource(k.path))), (QList<int>{50, 50}));
        QCOMPARE(server.resourceVersion(k.path), QString::number(k.resourceVersion.toInt() + 1));
    }

    void forcedChangeGetsPastConflicts_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("action");  // rollback, force (set-weight --force 30)
        QTest::addColumn<int>("interferences"); // writes by someone else, one before each of our PATCHes
        QTest::addColumn<bool>("applied");
        for (const QString &kind : {QStringLiteral("gateway-api"), QStringLiteral("istio")}) {
            for (const QString &action : {QStringLiteral("rollback"), QStringLiteral("force")}) {
                QTest::newRow(qPrintable(QStringLiteral("%1 %2 after 1").arg(kind, action))) << kind << action << 1 << true;
                QTest::newRow(qPrintable(QStringLiteral("%1 %2 after 4").arg(kind, action))) << kind << action << 4 << true;
                QTest::newRow(qPrintable(QStringLiteral("%1 %2 gives up").arg(kind, action))) << kind << action << 50 << false;
            }
        }
    }

    // A rollback (and set-weight --force) is about the end state: when another writer keeps the
    // canary at 50% between our read and our write, it reads again and re-applies, up to five
    // attempts, and says so; it fails (exit 2) only when the API keeps refusing.
    void forcedChangeGetsPastConflicts()
    {
        QFETCH(QString, kind);
        QFETCH(QString, action);
        QFETCH(int, interferences);
        QFETCH(bool, applied);
        const Kind k = kindNamed(kind);
        Rig rig(k);
        QVERIFY2(rig.ready(), qPrintable(rig.h->error));
        FakeKubeServer &server = rig.server;
        Harness &h = *rig.h;
        server.changeBeforePatches(k.path, k.theirs, interferences);
        server.clearRequests();
        const int p = action == QStringLiteral("rollback") ? 0 : 30;
        const ChangeResult r = action == QStringLiteral("rollback") ? h.rollback() : h.set(p, true);
        const int patches = int(server.requests("PATCH").size());
        if (!applied) {
            QCOMPARE(r.status, ChangeResult::Status::Failed);
            QVERIFY2(r.message.contains(QStringLiteral("gave up after 5 conflicts")), qPrintable(r.message));
            QCOMPARE(patches, 5);
            QCOMPARE(server.requests("GET").size() >= 5, true);
            QCOMPARE(k.weightsIn(json(server.resource(k.path))), (QList<int>{50, 50})); // theirs holds
            return;
        }
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("after %1 conflict").arg(interferences)), qPrintable(r.message));
        QCOMPARE(patches, interferences + 1);
        QCOMPARE(server.changesBeforePatches(), interferences);
        // Each attempt read again first, and the last one was planned on the other writer's 50/50.
        QCOMPARE(server.requests("GET").size() >= qsizetype(interferences + 1), true);
        QCOMPARE(r.before, (QMap<QString, int>{{k.names[0], 50}, {k.names[1], 50}}));
        QCOMPARE(k.weightsIn(json(server.resource(k.path))), (QList<int>{100 - p, p}));
        QCOMPARE(h.controller->snapshot().split.canary, double(p));
    }

    void forcedChangeNeedsNoRetryWhenTheOtherWriterAgrees()
    {
        // The other writer set what the rollback wants: the re-read finds it done.
        const Kind k = kindNamed(QStringLiteral("gateway-api"));
        Rig rig(k);
        QVERIFY2(rig.ready(), qPrintable(rig.h->error));
        FakeKubeServer &server = rig.server;
        Harness &h = *rig.h;
        server.changeBeforePatches(k.path, R"({"spec":{"rules":[{"backendRefs":[{"name":"shop-v2","port":8080}]},{"backendRefs":[{"name":"shop-v1","port":8080,"weight":100},{"name":"shop-v2","port":8080,"weight":0}]}]}})", 1);
        const ChangeResult r = h.rollback();
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("nothing written")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("after 1 conflict")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 1);
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{100, 0}));
    }

    void staleViewIsConflictWithoutWriting()
    {
        Rig rig(kindNamed(QStringLiteral("gateway-api")));
        QVERIFY2(rig.ready(), qPrintable(rig.h->error)); // the operator sees 90/10
        FakeKubeServer &server = rig.server;
        Harness &h = *rig.h;
        server.mergePatch(kRoutePath, R"({"spec":{"rules":[{"backendRefs":[{"name":"shop-v2","port":8080}]},{"backendRefs":[{"name":"shop-v1","port":8080,"weight":70},{"name":"shop-v2","port":8080,"weight":30}]}]}})");
        server.clearRequests();
        const ChangeResult r = h.set(50);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("weights changed since you last looked")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 0);
        QCOMPARE(routeWeights(json(server.resource(kRoutePath)), 1), (QList<int>{70, 30}));
    }

    void serverMovesAreRefusedWithoutWriting_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("gateway-api") << QStringLiteral("gateway-api") << QStringLiteral("moving single servers does not apply here");
        QTest::newRow("istio") << QStringLiteral("istio") << QStringLiteral("moving single servers does not apply here");
        QTest::newRow("argo-rollouts") << QStringLiteral("argo-rollouts") << QStringLiteral("per-server moves do not apply");
    }

    // A rolling plan's moves name servers; these layers split by Service or run their own steps.
    void serverMovesAreRefusedWithoutWriting()
    {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        server.put(kVsPath, virtualService());
        server.put(kRolloutPath, rollout(kPausedStatus));
        QTemporaryDir dir;
        const QString kc = writeKubeconfig(dir.path(), server.url());
        Harness h(kind == QStringLiteral("gateway-api") ? gatewayTarget(kc) : kind == QStringLiteral("istio") ? istioTarget(kc) : argoTarget(kc));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QMap<QString, int> move;
        for (const Member &m : s.members)
            move.insert(m.name, m.version == Version::Canary ? 100 : 0);
        server.clearRequests();
        const ChangeResult r = h.change([&h, move] { h.controller->setMemberWeights(move, 100, QStringLiteral("test")); });
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(message), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 0);
        QCOMPARE(h.controller->snapshot().split.canary, s.split.canary);
    }
};

QTEST_GUILESS_MAIN(TestKubeRoutes)
#include "tst_kube_routes.moc"
