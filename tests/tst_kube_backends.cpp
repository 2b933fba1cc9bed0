// The Kubernetes traffic backends (Gateway API HTTPRoute, Istio VirtualService, Argo Rollouts)
// end to end through createBackends, BackendHost and TargetController, against FakeKubeServer:
// reads, changes and the exact merge patches (bodies, content type, resourceVersion guard),
// conflicts between read and write, 401/403/404/409/500/timeout messages, TLS with CA and
// client certificates and tls-server-name, proxies (the cluster's proxy-url through FakeProxy:
// HTTP, CONNECT, HTTPS, SOCKS5; the environment's, chosen as kubectl does), an exec credential
// plugin, and the Argo plugin's promote/abort/retry.

#include "argorolloutbackend.h"
#include "backendfactory.h"
#include "eventlogmodel.h"
#include "fakekubeserver.h"
#include "fakeproxy.h"
#include "kubeclient.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <optional>
#include <functional>

using namespace Switchboard;
using Switchboard::Test::FakeKubeServer;
using Switchboard::Test::FakeProxy;

Q_DECLARE_METATYPE(Switchboard::Test::FakeKubeServer::Fault)

namespace {

const QString kRoutePath = QStringLiteral("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/shop");
const QString kVsPath = QStringLiteral("/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices/reviews");
const QString kRolloutPath = QStringLiteral("/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/shop");
const QByteArray kToken = "kube-s3cr3t-token";

// Shapes as in the Gateway API, Istio and Argo Rollouts documentation.
QByteArray httpRoute(const QByteArray &backendRefs = R"([{"name":"shop-v1","port":8080,"weight":90},{"name":"shop-v2","port":8080,"weight":10}])")
{
    return R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
      "metadata":{"name":"shop","namespace":"shop","resourceVersion":"1000","generation":4},
      "spec":{"parentRefs":[{"name":"shop-gw","namespace":"infra"}],"hostnames":["shop.example.com"],
        "rules":[{"matches":[{"headers":[{"name":"x-canary","value":"always"}]}],"backendRefs":[{"name":"shop-v2","port":8080}]},
                 {"matches":[{"path":{"type":"PathPrefix","value":"/"}}],"backendRefs":)"
        + backendRefs + R"(}]},
      "status":{"parents":[{"parentRef":{"name":"shop-gw","namespace":"infra"},"controllerName":"example.net/gateway-controller",
        "conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"Route is accepted"},
                      {"type":"ResolvedRefs","status":"True","reason":"ResolvedRefs","message":"Resolved all the Object references"}]}]}})";
}

QByteArray virtualService()
{
    return R"({"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService",
      "metadata":{"name":"reviews","namespace":"shop","resourceVersion":"2000","generation":2},
      "spec":{"hosts":["reviews"],"http":[
        {"name":"jason","match":[{"headers":{"end-user":{"exact":"jason"}}}],"route":[{"destination":{"host":"reviews","subset":"v2"}}]},
        {"name":"split","route":[{"destination":{"host":"reviews","subset":"v1","port":{"number":9080}},"weight":75},
                                 {"destination":{"host":"reviews","subset":"v2","port":{"number":9080}},"weight":25}],
         "retries":{"attempts":3,"perTryTimeout":"2s"}}]}})";
}

const QByteArray kCanaryStrategy = R"({"canary":{"canaryService":"shop-canary","stableService":"shop-stable","steps":[
    {"setWeight":20},{"pause":{}},{"setWeight":40},{"pause":{"duration":"10m"}},{"setWeight":60},
    {"analysis":{"templates":[{"templateName":"success-rate"}]}},{"setWeight":80},{"pause":{"duration":"10m"}}]}})";
const QByteArray kBlueGreenStrategy = R"({"blueGreen":{"activeService":"shop-active","previewService":"shop-preview","autoPromotionEnabled":false}})";

// `status` is the inside of the status object after the common fields.
QByteArray rollout(const QByteArray &status, bool specPaused = false, const QByteArray &strategy = kCanaryStrategy)
{
    return R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
      "metadata":{"name":"shop","namespace":"shop","resourceVersion":"3000","generation":3},
      "spec":{"replicas":5,"revisionHistoryLimit":3,)"
        + QByteArray(specPaused ? R"("paused":true,)" : "")
        + R"("selector":{"matchLabels":{"app":"shop"}},"strategy":)" + strategy + R"(,
        "template":{"metadata":{"labels":{"app":"shop"}},"spec":{"containers":[{"name":"shop","image":"registry.example/shop:2.0",
          "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}]}]}}},
      "status":{"replicas":5,"updatedReplicas":1,"readyReplicas":5,"availableReplicas":5,"observedGeneration":"3",
        "currentPodHash":"6f8d9c7b5","stableRS":"877894d5b",)"
        + status + "}}";
}

const QByteArray kPausedStatus = R"("phase":"Paused","message":"CanaryPauseStep","currentStepIndex":1,"controllerPause":true,
    "pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:00:00Z"}],"canary":{})";

QJsonObject json(const QByteArray &text)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s: %s", qPrintable(err.errorString()), text.constData());
    return doc.object();
}

QString writeFile(const QString &path, const QByteArray &content, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeUser);
    return path;
}

// A kubeconfig with context "test" (user "ci") for `server`; `cluster` and `user` are extra
// YAML lines of those maps.
QString writeKubeconfig(const QString &dir, const QString &server, const QByteArray &cluster = {},
                        const QByteArray &user = "    token: " + kToken + "\n")
{
    return writeFile(QDir(dir).filePath(QStringLiteral("kubeconfig")),
                     "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                     "clusters:\n- name: fake\n  cluster:\n    server: " + server.toUtf8() + "\n" + cluster
                         + "users:\n- name: ci\n  user:\n" + user
                         + "contexts:\n- name: test\n  context:\n    cluster: fake\n    user: ci\n    namespace: shop\n");
}

QJsonObject target(const QString &kind, const QString &kubeconfig, QJsonObject settings)
{
    settings.insert(QStringLiteral("kubeconfig"), kubeconfig);
    if (!settings.contains(QStringLiteral("timeoutMs")))
        settings.insert(QStringLiteral("timeoutMs"), 3000);
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("shop")},
                       {QStringLiteral("kind"), kind},
                       {kind, settings},
                       {QStringLiteral("pollMs"), 600000}}; // no timer polls: the tests drive every read
}

QJsonObject gatewayTarget(const QString &kubeconfig, QJsonObject extra = {})
{
    QJsonObject s{{QStringLiteral("name"), QStringLiteral("shop")},
                  {QStringLiteral("rule"), 1},
                  {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1")}},
                  {QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2")}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        s.insert(it.key(), it.value());
    return target(QStringLiteral("gateway-api"), kubeconfig, s); // namespace from the context
}

QJsonObject istioTarget(const QString &kubeconfig)
{
    return target(QStringLiteral("istio"), kubeconfig,
                  {{QStringLiteral("namespace"), QStringLiteral("shop")},
                   {QStringLiteral("name"), QStringLiteral("reviews")},
                   {QStringLiteral("route"), 1},
                   {QStringLiteral("stable"), QJsonArray{QStringLiteral("reviews/v1")}},
                   {QStringLiteral("canary"), QJsonArray{QJsonObject{{QStringLiteral("host"), QStringLiteral("reviews")},
                                                                     {QStringLiteral("subset"), QStringLiteral("v2")}}}}});
}

QJsonObject argoTarget(const QString &kubeconfig)
{
    return target(QStringLiteral("argo-rollouts"), kubeconfig,
                  {{QStringLiteral("namespace"), QStringLiteral("shop")}, {QStringLiteral("name"), QStringLiteral("shop")}});
}

// A port nothing listens on (it did a moment ago).
quint16 deadPort()
{
    QTcpServer closed;
    if (!closed.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot listen on 127.0.0.1");
    return closed.serverPort();
}

// The test CA plus a server certificate valid only for kube.internal (not for 127.0.0.1, where
// the server really is). Empty *error when it worked.
struct NamedPki
{
    FakeKubeServer::Pki pki;
    QString cert;
    QString key;
};

bool makeNamedPki(const QString &dir, NamedPki *out, QString *error)
{
    return FakeKubeServer::makePki(dir, &out->pki, error)
        && FakeKubeServer::issueServerCertificate(out->pki, QStringLiteral("kube-internal"), QStringLiteral("DNS:kube.internal"),
                                                  &out->cert, &out->key, error);
}

// Sets process environment variables for a scope and puts the old values back.
class ProcessEnvGuard final
{
public:
    ProcessEnvGuard(const QList<QByteArray> &names, const QByteArray &value)
    {
        for (const QByteArray &name : names) {
            m_old.append({name, qgetenv(name.constData()), qEnvironmentVariableIsSet(name.constData())});
            qputenv(name.constData(), value);
        }
    }
    ~ProcessEnvGuard()
    {
        for (const Old &o : std::as_const(m_old)) {
            if (o.wasSet)
                qputenv(o.name.constData(), o.value);
            else
                qunsetenv(o.name.constData());
        }
    }
    ProcessEnvGuard(const ProcessEnvGuard &) = delete;
    ProcessEnvGuard &operator=(const ProcessEnvGuard &) = delete;

private:
    struct Old
    {
        QByteArray name;
        QByteArray value;
        bool wasSet = false;
    };
    QList<Old> m_old;
};

QString portOf(const QString &url)
{
    return url.section(QLatin1Char(':'), -1);
}

} // namespace

// Brings the backend's own signals (emitted on its worker thread) to the test thread.
class Relay final : public QObject
{
    Q_OBJECT
public:
    explicit Relay(TrafficBackend *backend)
    {
        connect(backend, &TrafficBackend::snapshotReady, this, &Relay::snapshot);
        connect(backend, &TrafficBackend::refreshFailed, this, &Relay::failed);
        if (auto *argo = qobject_cast<ArgoRolloutBackend *>(backend))
            connect(argo, &ArgoRolloutBackend::rolloutActionFinished, this, &Relay::action);
    }
Q_SIGNALS:
    void snapshot(const Switchboard::TrafficSnapshot &snapshot);
    void failed(const QString &error);
    void action(const QString &name, const Switchboard::ChangeResult &result);
};

namespace {

// One target as the app runs it: createBackends -> BackendHost -> TargetController.
struct Harness
{
    explicit Harness(const QJsonObject &t)
    {
        const TargetConfigResult cfg = parseTargetConfig(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{t}}}).toJson(),
                                                         QStringLiteral("targets.json"));
        if (!cfg.ok()) {
            error = cfg.error;
            return;
        }
        std::unique_ptr<BackendHost> host = createBackends(cfg.targets.first(), &error);
        if (!host)
            return;
        backend = host->traffic();
        relay = std::make_unique<Relay>(backend);
        controller = std::make_unique<TargetController>(cfg.targets.first(), std::move(host), &log, nullptr);
    }

    // Asks the backend for a reading; true with the controller's snapshot, false with *error.
    bool refresh(TrafficSnapshot *snapshot, QString *error = nullptr)
    {
        QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
        QSignalSpy failed(relay.get(), &Relay::failed);
        QMetaObject::invokeMethod(backend, &TrafficBackend::refresh, Qt::QueuedConnection);
        if (!QTest::qWaitFor([&] { return !snap.isEmpty() || !failed.isEmpty(); }, 15000))
            qFatal("no answer to a refresh");
        if (!failed.isEmpty()) {
            if (error)
                *error = failed.first().at(0).toString();
            return false;
        }
        *snapshot = controller->snapshot();
        return true;
    }

    // A change through the controller, and the controller's read after it.
    ChangeResult change(const std::function<void()> &action)
    {
        QSignalSpy done(controller.get(), &TargetController::actionFinished);
        QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
        QSignalSpy failed(relay.get(), &Relay::failed);
        action();
        if (!QTest::qWaitFor([&] { return !done.isEmpty() && (!snap.isEmpty() || !failed.isEmpty()); }, 15000))
            qFatal("no answer to a change");
        return done.first().at(0).value<ChangeResult>();
    }
    ChangeResult set(double percent)
    {
        return change([this, percent] { controller->setCanaryPercent(percent, QStringLiteral("test")); });
    }

    ChangeResult argoAction(void (ArgoRolloutBackend::*slot)(), QString *name)
    {
        QSignalSpy done(relay.get(), &Relay::action);
        auto *argo = qobject_cast<ArgoRolloutBackend *>(backend);
        if (!argo)
            qFatal("not an Argo Rollouts target");
        QMetaObject::invokeMethod(argo, slot, Qt::QueuedConnection);
        if (!done.wait(15000))
            qFatal("no answer to an Argo action");
        *name = done.first().at(0).toString();
        return done.first().at(1).value<ChangeResult>();
    }

    QString error;
    EventLogModel log;
    TrafficBackend *backend = nullptr;
    std::unique_ptr<Relay> relay;
    std::unique_ptr<TargetController> controller;
};

QMap<QString, int> weights(std::initializer_list<std::pair<const char *, int>> list)
{
    QMap<QString, int> m;
    for (const auto &[name, w] : list)
        m.insert(QString::fromLatin1(name), w);
    return m;
}

QList<int> routeWeights(const QJsonObject &route, int rule)
{
    QList<int> out;
    for (const QJsonValue &ref : route[QStringLiteral("spec")][QStringLiteral("rules")][rule][QStringLiteral("backendRefs")].toArray())
        out.append(ref[QStringLiteral("weight")].toInt(-1));
    return out;
}

QList<int> vsWeights(const QJsonObject &vs, int route)
{
    QList<int> out;
    for (const QJsonValue &d : vs[QStringLiteral("spec")][QStringLiteral("http")][route][QStringLiteral("route")].toArray())
        out.append(d[QStringLiteral("weight")].toInt(-1));
    return out;
}

} // namespace

class TestKubeBackends : public QObject
{
    Q_OBJECT
private slots:
    void gatewayReadAndSet_data()
    {
        QTest::addColumn<double>("percent");
        QTest::newRow("0%") << 0.0;
        QTest::newRow("25%") << 25.0;
        QTest::newRow("100%") << 100.0;
    }

    void gatewayReadAndSet()
    {
        QFETCH(double, percent);
        FakeKubeServer server;
        QVERIFY2(server.error().isEmpty(), qPrintable(server.error()));
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));

        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.members.size(), 2);
        QCOMPARE(s.members.at(0).name, QStringLiteral("shop-v1"));
        QCOMPARE(s.members.at(0).version, Version::Stable);
        QCOMPARE(s.members.at(1).name, QStringLiteral("shop-v2"));
        QCOMPARE(s.members.at(1).version, Version::Canary);
        QCOMPARE(s.weights(), weights({{"shop-v1", 90}, {"shop-v2", 10}}));
        QCOMPARE(s.split.canary, 10.0);
        QVERIFY(s.note.isEmpty()); // accepted, refs resolved, TLS verified
        // One request per refresh, authenticated, namespace from the context.
        QList<FakeKubeServer::Request> reqs = server.requests();
        QCOMPARE(reqs.size(), 1);
        QCOMPARE(reqs.first().method, QByteArray("GET"));
        QCOMPARE(reqs.first().path, kRoutePath);
        QCOMPARE(reqs.first().header("authorization"), QByteArray("Bearer " + kToken));

        server.clearRequests();
        const QJsonObject original = json(server.resource(kRoutePath));
        const ChangeResult r = h.set(percent);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        const int p = int(percent);
        QCOMPARE(r.before, weights({{"shop-v1", 90}, {"shop-v2", 10}}));
        QCOMPARE(r.after, weights({{"shop-v1", 100 - p}, {"shop-v2", p}}));
        QVERIFY2(r.message.contains(QStringLiteral("canary %1%").arg(p)), qPrintable(r.message));

        // One GET (the conflict check and plan work on live data), then one guarded patch.
        reqs = server.requests();
        QVERIFY(reqs.size() >= 2);
        QCOMPARE(reqs.at(0).method, QByteArray("GET"));
        QCOMPARE(reqs.at(1).method, QByteArray("PATCH"));
        QCOMPARE(server.requests("PATCH").size(), 1);
        const FakeKubeServer::Request &patch = reqs.at(1);
        QCOMPARE(patch.path, kRoutePath);
        QCOMPARE(patch.header("content-type"), QByteArray("application/merge-patch+json"));
        const QJsonObject body = json(patch.body);
        QCOMPARE(body.keys(), (QStringList{QStringLiteral("metadata"), QStringLiteral("spec")}));
        QCOMPARE(body[QStringLiteral("metadata")].toObject(),
                 (QJsonObject{{QStringLiteral("resourceVersion"), QStringLiteral("1000")}}));
        QCOMPARE(body[QStringLiteral("spec")].toObject().keys(), QStringList{QStringLiteral("rules")});
        // Merge patches replace arrays whole: every rule is sent, the others untouched.
        const QJsonArray rules = body[QStringLiteral("spec")][QStringLiteral("rules")].toArray();
        const QJsonArray originalRules = original[QStringLiteral("spec")][QStringLiteral("rules")].toArray();
        QCOMPARE(rules.size(), 2);
        QCOMPARE(rules.at(0), originalRules.at(0));
        QCOMPARE(routeWeights(body, 1), (QList<int>{100 - p, p}));
        QCOMPARE(rules.at(1)[QStringLiteral("backendRefs")][0][QStringLiteral("port")].toInt(), 8080);
        QCOMPARE(rules.at(1)[QStringLiteral("matches")], originalRules.at(1)[QStringLiteral("matches")]);

        const QJsonObject now = json(server.resource(kRoutePath));
        QCOMPARE(routeWeights(now, 1), (QList<int>{100 - p, p}));
        QCOMPARE(server.resourceVersion(kRoutePath), QStringLiteral("1001"));
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

    void istioReadAndSet_data()
    {
        QTest::addColumn<double>("percent");
        QTest::newRow("0%") << 0.0;
        QTest::newRow("25%") << 25.0;
        QTest::newRow("100%") << 100.0;
    }

    void istioReadAndSet()
    {
        QFETCH(double, percent);
        FakeKubeServer server;
        server.put(kVsPath, virtualService());
        QTemporaryDir dir;
        Harness h(istioTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.weights(), weights({{"reviews/v1", 75}, {"reviews/v2", 25}}));
        QCOMPARE(s.membersOf(Version::Canary).first().name, QStringLiteral("reviews/v2"));
        QCOMPARE(s.split.canary, 25.0);
        QCOMPARE(server.requests().size(), 1);

        server.clearRequests();
        const int p = int(percent);
        const ChangeResult r = h.set(percent);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(r.after, weights({{"reviews/v1", 100 - p}, {"reviews/v2", p}}));
        const QList<FakeKubeServer::Request> reqs = server.requests();
        if (p == 25) {
            // Already there: nothing is written.
            QCOMPARE(server.requests("PATCH").size(), 0);
            QVERIFY2(r.message.contains(QStringLiteral("nothing written")), qPrintable(r.message));
            return;
        }
        QCOMPARE(reqs.at(0).method, QByteArray("GET"));
        QCOMPARE(reqs.at(1).method, QByteArray("PATCH"));
        QCOMPARE(reqs.at(1).header("content-type"), QByteArray("application/merge-patch+json"));
        const QJsonObject body = json(reqs.at(1).body);
        QCOMPARE(body[QStringLiteral("metadata")].toObject(),
                 (QJsonObject{{QStringLiteral("resourceVersion"), QStringLiteral("2000")}}));
        const QJsonArray http = body[QStringLiteral("spec")][QStringLiteral("http")].toArray();
        const QJsonObject original = json(virtualService());
        QCOMPARE(http.size(), 2);
        QCOMPARE(http.at(0), original[QStringLiteral("spec")][QStringLiteral("http")][0]); // the header route is untouched
        QCOMPARE(http.at(1)[QStringLiteral("retries")], original[QStringLiteral("spec")][QStringLiteral("http")][1][QStringLiteral("retries")]);
        QCOMPARE(vsWeights(body, 1), (QList<int>{100 - p, p}));
        QCOMPARE(vsWeights(json(server.resource(kVsPath)), 1), (QList<int>{100 - p, p}));
        QCOMPARE(h.controller->snapshot().split.canary, percent);
    }

    void changeBetweenReadAndWriteIsConflict_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("gateway-api") << QStringLiteral("gateway-api");
        QTest::newRow("istio") << QStringLiteral("istio");
    }

    void changeBetweenReadAndWriteIsConflict()
    {
        QFETCH(QString, kind);
        const bool gateway = kind == QStringLiteral("gateway-api");
        const QString path = gateway ? kRoutePath : kVsPath;
        FakeKubeServer server;
        server.put(path, gateway ? httpRoute() : virtualService());
        QTemporaryDir dir;
        const QString kc = writeKubeconfig(dir.path(), server.url());
        Harness h(gateway ? gatewayTarget(kc) : istioTarget(kc));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));

        // Someone else writes after our GET, just before our PATCH arrives.
        const QByteArray theirs = gateway
            ? QByteArray(R"({"spec":{"rules":[{"backendRefs":[{"name":"shop-v2","port":8080}]},{"backendRefs":[{"name":"shop-v1","port":8080,"weight":50},{"name":"shop-v2","port":8080,"weight":50}]}]}})")
            : QByteArray(R"({"spec":{"http":[{"route":[{"destination":{"host":"reviews","subset":"v2"}}]},{"route":[{"destination":{"host":"reviews","subset":"v1"},"weight":50},{"destination":{"host":"reviews","subset":"v2"},"weight":50}]}]}})");
        std::atomic<bool> once{false};
        server.setOnRequest([&server, &once, &path, &theirs](const FakeKubeServer::Request &req) {
            if (req.method == "PATCH" && !once.exchange(true))
                server.mergePatch(path, theirs);
        });
        server.clearRequests();
        const ChangeResult r = h.set(40);
        server.setOnRequest({});
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("changed on the server after it was read")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("the object has been modified")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 1); // never retried
        // Nothing of ours was written: the other writer's weights hold.
        const QJsonObject now = json(server.resource(path));
        QCOMPARE(gateway ? routeWeights(now, 1) : vsWeights(now, 1), (QList<int>{50, 50}));
        QCOMPARE(server.resourceVersion(path), gateway ? QStringLiteral("1001") : QStringLiteral("2001"));
    }

    void staleViewIsConflictWithoutWriting()
    {
        FakeKubeServer server;
        server.put(kRoutePath, httpRoute());
        QTemporaryDir dir;
        Harness h(gatewayTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s)); // the operator sees 90/10
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
        QTest::newRow("500 on read") << F::ServerError << QByteArray("GET") << 0
                                     << QStringLiteral("HTTP 500 from @ for GET ") + kRoutePath + QStringLiteral(": Internal error occurred: etcdserver: request timed out");
        QTest::newRow("timeout on read") << F::Hang << QByteArray("GET") << 0 << QStringLiteral("no answer from @ within 0.5 s to GET ") + kRoutePath + QStringLiteral(" (timeout)");
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
        server.addFault(fault, method);
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

    void argoRead_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<double>("canary");
        QTest::addColumn<int>("members");
        QTest::addColumn<QStringList>("note");
        QTest::newRow("paused after setWeight 20") << rollout(kPausedStatus) << 20.0 << 2
                                                  << QStringList{QStringLiteral("Paused: CanaryPauseStep"), QStringLiteral("step 1/8"),
                                                                 QStringLiteral("paused (CanaryPauseStep)"),
                                                                 QStringLiteral("weight from the steps' setWeight")};
        QTest::newRow("analysis after setWeight 60") << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << 60.0 << 2
                                                     << QStringList{QStringLiteral("Progressing"), QStringLiteral("step 5/8")};
        QTest::newRow("weights reported by the controller")
            << rollout(R"("phase":"Paused","currentStepIndex":1,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:00:00Z"}],
                       "canary":{"weights":{"canary":{"weight":35,"podTemplateHash":"6f8d9c7b5"},"stable":{"weight":65,"podTemplateHash":"877894d5b"}}})")
            << 35.0 << 2 << QStringList{QStringLiteral("weights from status.canary.weights")};
        QTest::newRow("aborted") << rollout(R"("phase":"Degraded","message":"RolloutAborted: Rollout aborted update to revision 2","abort":true,"currentStepIndex":0,"canary":{})")
                                 << 0.0 << 2 << QStringList{QStringLiteral("Degraded: RolloutAborted"), QStringLiteral("weight 0 while aborted")};
        QTest::newRow("promoting fully") << rollout(R"("phase":"Progressing","promoteFull":true,"currentStepIndex":1,"canary":{})") << 100.0 << 2
                                         << QStringList{QStringLiteral("promoting fully"), QStringLiteral("weight 100 while promoting fully")};
        QTest::newRow("past the last step") << rollout(R"("phase":"Progressing","currentStepIndex":8,"canary":{})") << 100.0 << 2
                                            << QStringList{QStringLiteral("step 8/8"), QStringLiteral("weight 100 after the last step")};
        QByteArray healthy = rollout(R"("phase":"Healthy","currentStepIndex":8,"canary":{})");
        healthy.replace("\"currentPodHash\":\"6f8d9c7b5\"", "\"currentPodHash\":\"877894d5b\"");
        QTest::newRow("fully promoted") << healthy << 0.0 << 1 << QStringList{QStringLiteral("Healthy"), QStringLiteral("one version running")};
        QTest::newRow("blue-green") << rollout(R"("phase":"Paused","pauseConditions":[{"reason":"BlueGreenPause"}],"blueGreen":{})", false, kBlueGreenStrategy)
                                    << 0.0 << 2 << QStringList{QStringLiteral("paused (BlueGreenPause)"), QStringLiteral("blue-green")};
    }

    void argoRead()
    {
        QFETCH(QByteArray, object);
        QFETCH(double, canary);
        QFETCH(int, members);
        QFETCH(QStringList, note);
        FakeKubeServer server;
        server.put(kRolloutPath, object);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.split.canary, canary);
        QCOMPARE(s.members.size(), members);
        QCOMPARE(s.members.first().version, Version::Stable);
        QCOMPARE(s.members.first().name, QStringLiteral("shop-877894d5b"));
        if (members == 2)
            QCOMPARE(s.members.at(1).name, QStringLiteral("shop-6f8d9c7b5"));
        for (const QString &n : note)
            QVERIFY2(s.note.contains(n), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(s.note, n)));
        QVERIFY(!s.members.first().state.isEmpty()); // the phase
        QCOMPARE(server.requests().size(), 1);
    }

    void argoWeightChanges_data()
    {
        QTest::addColumn<QString>("action"); // set-weight, promote, rollback
        QTest::addColumn<double>("percent");
        QTest::addColumn<QByteArray>("body"); // empty: nothing may be sent
        QTest::addColumn<double>("after");
        QTest::newRow("promote --full") << "promote" << 100.0 << QByteArray(R"({"status":{"promoteFull":true}})") << 100.0;
        QTest::newRow("set 100 = promote --full") << "set-weight" << 100.0 << QByteArray(R"({"status":{"promoteFull":true}})") << 100.0;
        QTest::newRow("rollback = abort") << "rollback" << 0.0 << QByteArray(R"({"status":{"abort":true}})") << 0.0;
        QTest::newRow("set 0 = abort") << "set-weight" << 0.0 << QByteArray(R"({"status":{"abort":true}})") << 0.0;
        QTest::newRow("set 25 refused") << "set-weight" << 25.0 << QByteArray() << 20.0;
    }

    void argoWeightChanges()
    {
        QFETCH(QString, action);
        QFETCH(double, percent);
        QFETCH(QByteArray, body);
        QFETCH(double, after);
        FakeKubeServer server;
        server.put(kRolloutPath, rollout(kPausedStatus));
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server.clearRequests();
        ChangeResult r;
        if (action == QStringLiteral("promote"))
            r = h.change([&h] { h.controller->promoteFull(QStringLiteral("test")); });
        else if (action == QStringLiteral("rollback"))
            r = h.change([&h] { h.controller->rollback(QStringLiteral("test")); });
        else
            r = h.set(percent);
        const QList<FakeKubeServer::Request> patches = server.requests("PATCH");
        if (body.isEmpty()) {
            QCOMPARE(r.status, ChangeResult::Status::Failed);
            QCOMPARE(r.message, QStringLiteral("Argo Rollouts sets weights by its steps: use Promote/Abort"));
            QCOMPARE(patches.size(), 0);
        } else {
            QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
            QCOMPARE(patches.size(), 1);
            QCOMPARE(patches.first().path, kRolloutPath + QStringLiteral("/status"));
            QCOMPARE(patches.first().header("content-type"), QByteArray("application/merge-patch+json"));
            QCOMPARE(json(patches.first().body), json(body));
            QCOMPARE(r.before, weights({{"shop-877894d5b", 80}, {"shop-6f8d9c7b5", 20}}));
            QCOMPARE(r.after.value(QStringLiteral("shop-6f8d9c7b5")), int(after));
        }
        QCOMPARE(h.controller->snapshot().split.canary, after);
    }

    void argoActions_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<bool>("statusSubresource");
        QTest::addColumn<QString>("action");
        QTest::addColumn<QStringList>("paths");  // of the PATCH requests, "" = the object, "/status"
        QTest::addColumn<QList<QByteArray>>("bodies");
        const QByteArray statusOnly = R"({"status":{"pauseConditions":null}})";
        QTest::newRow("promote a paused step") << rollout(kPausedStatus) << true << "promote" << QStringList{QStringLiteral("/status")}
                                               << QList<QByteArray>{statusOnly};
        QTest::newRow("promote, spec.paused too") << rollout(kPausedStatus, true) << true << "promote"
                                                  << QStringList{QStringLiteral("/status"), QString()}
                                                  << QList<QByteArray>{statusOnly, R"({"spec":{"paused":false}})"};
        QTest::newRow("promote while analysis runs: skip the step")
            << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << true << "promote" << QStringList{QStringLiteral("/status")}
            << QList<QByteArray>{R"({"status":{"pauseConditions":null,"currentStepIndex":6}})"};
        QTest::newRow("promote, old controller") << rollout(kPausedStatus, true) << false << "promote"
                                                 << QStringList{QStringLiteral("/status"), QString()}
                                                 << QList<QByteArray>{statusOnly, R"({"spec":{"paused":false},"status":{"pauseConditions":null}})"};
        QTest::newRow("promote step, old controller")
            << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << false << "promote"
            << QStringList{QStringLiteral("/status"), QString()}
            << QList<QByteArray>{R"({"status":{"pauseConditions":null,"currentStepIndex":6}})",
                                 R"({"spec":{"paused":false},"status":{"pauseConditions":null,"currentStepIndex":6}})"};
        QTest::newRow("promote --full") << rollout(kPausedStatus) << true << "promote-full" << QStringList{QStringLiteral("/status")}
                                        << QList<QByteArray>{R"({"status":{"promoteFull":true}})"};
        QTest::newRow("abort") << rollout(kPausedStatus) << true << "abort" << QStringList{QStringLiteral("/status")}
                               << QList<QByteArray>{R"({"status":{"abort":true}})"};
        QTest::newRow("abort, old controller") << rollout(kPausedStatus) << false << "abort"
                                               << QStringList{QStringLiteral("/status"), QString()}
                                               << QList<QByteArray>{R"({"status":{"abort":true}})", R"({"status":{"abort":true}})"};
        const QByteArray aborted = rollout(R"("phase":"Degraded","message":"RolloutAborted","abort":true,"currentStepIndex":0,"canary":{})");
        QTest::newRow("retry") << aborted << true << "retry" << QStringList{QStringLiteral("/status")}
                               << QList<QByteArray>{R"({"status":{"abort":false}})"};
        QTest::newRow("retry, old controller") << aborted << false << "retry" << QStringList{QStringLiteral("/status"), QString()}
                                               << QList<QByteArray>{R"({"status":{"abort":false}})", R"({"status":{"abort":false}})"};
    }

    void argoActions()
    {
        QFETCH(QByteArray, object);
        QFETCH(bool, statusSubresource);
        QFETCH(QString, action);
        QFETCH(QStringList, paths);
        QFETCH(QList<QByteArray>, bodies);
        FakeKubeServer server;
        server.put(kRolloutPath, object);
        server.setStatusSubresource(statusSubresource);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        const QMap<QString, void (ArgoRolloutBackend::*)()> actions = {{QStringLiteral("promote"), &ArgoRolloutBackend::promote},
                                                                    {QStringLiteral("promote-full"), &ArgoRolloutBackend::promoteFull},
                                                                    {QStringLiteral("abort"), &ArgoRolloutBackend::abort},
                                                                    {QStringLiteral("retry"), &ArgoRolloutBackend::retry}};
        QString name;
        const ChangeResult r = h.argoAction(actions.value(action), &name);
        QCOMPARE(name, action);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QVERIFY(!r.before.isEmpty());
        if (!statusSubresource)
            QVERIFY2(r.message.contains(QStringLiteral("no status subresource")), qPrintable(r.message));
        const QList<FakeKubeServer::Request> patches = server.requests("PATCH");
        QCOMPARE(patches.size(), paths.size());
        for (qsizetype i = 0; i < patches.size(); ++i) {
            QCOMPARE(patches.at(i).path, kRolloutPath + paths.at(i));
            QCOMPARE(patches.at(i).header("content-type"), QByteArray("application/merge-patch+json"));
            QCOMPARE(json(patches.at(i).body), json(bodies.at(i)));
        }
        // The server holds what was asked (the object patch took status along on old controllers).
        const QJsonObject now = json(server.resource(kRolloutPath));
        const QJsonObject status = now[QStringLiteral("status")].toObject();
        if (action == QStringLiteral("abort"))
            QCOMPARE(status[QStringLiteral("abort")].toBool(), true);
        if (action == QStringLiteral("retry"))
            QCOMPARE(status[QStringLiteral("abort")].toBool(true), false);
        if (action == QStringLiteral("promote-full"))
            QCOMPARE(status[QStringLiteral("promoteFull")].toBool(), true);
        if (action == QStringLiteral("promote")) {
            QVERIFY(!status.contains(QStringLiteral("pauseConditions")));
            QCOMPARE(now[QStringLiteral("spec")][QStringLiteral("paused")].toBool(false), false);
        }
    }

    void argoNothingToDo()
    {
        FakeKubeServer server;
        QByteArray healthy = rollout(R"("phase":"Healthy","currentStepIndex":8,"canary":{})");
        healthy.replace("\"currentPodHash\":\"6f8d9c7b5\"", "\"currentPodHash\":\"877894d5b\"");
        server.put(kRolloutPath, healthy);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        QString name;
        ChangeResult r = h.argoAction(&ArgoRolloutBackend::promote, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("nothing to promote")), qPrintable(r.message));
        r = h.argoAction(&ArgoRolloutBackend::promoteFull, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("runs one version")), qPrintable(r.message));
        r = h.argoAction(&ArgoRolloutBackend::abort, &name); // all traffic is on stable already
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QVERIFY2(r.message.contains(QStringLiteral("nothing written")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 0);
        // A forbidden status patch says who may not do what.
        server.put(kRolloutPath, rollout(kPausedStatus));
        server.addFault(FakeKubeServer::Fault::Forbidden, "PATCH");
        r = h.argoAction(&ArgoRolloutBackend::abort, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("cannot patch resource \"rollouts/status\"")), qPrintable(r.message));
    }

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
        QCOMPARE(seen.first().target, target);
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

QTEST_GUILESS_MAIN(TestKubeBackends)
#include "tst_kube_backends.moc"
