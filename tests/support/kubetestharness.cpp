#include "kubetestharness.h"

#include "backendfactory.h"
#include "targetconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

namespace Switchboard::Test {

// Shapes as in the Gateway API, Istio and Argo Rollouts documentation.
QByteArray httpRoute(const QByteArray &backendRefs)
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
QByteArray rollout(const QByteArray &status, bool specPaused, const QByteArray &strategy)
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

QString writeFile(const QString &path, const QByteArray &content, bool executable)
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
QString writeKubeconfig(const QString &dir, const QString &server, const QByteArray &cluster, const QByteArray &user)
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

QJsonObject gatewayTarget(const QString &kubeconfig, QJsonObject extra)
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

bool makeNamedPki(const QString &dir, NamedPki *out, QString *error)
{
    return FakeKubeServer::makePki(dir, &out->pki, error)
        && FakeKubeServer::issueServerCertificate(out->pki, QStringLiteral("kube-internal"), QStringLiteral("DNS:kube.internal"),
                                                  &out->cert, &out->key, error);
}

ProcessEnvGuard::ProcessEnvGuard(const QList<QByteArray> &names, const QByteArray &value)
{
    for (const QByteArray &name : names) {
        m_old.append({name, qgetenv(name.constData()), qEnvironmentVariableIsSet(name.constData())});
        qputenv(name.constData(), value);
    }
}

ProcessEnvGuard::~ProcessEnvGuard()
{
    for (const Old &o : std::as_const(m_old)) {
        if (o.wasSet)
            qputenv(o.name.constData(), o.value);
        else
            qunsetenv(o.name.constData());
    }
}

QString portOf(const QString &url)
{
    return url.section(QLatin1Char(':'), -1);
}

Relay::Relay(TrafficBackend *backend)
{
    connect(backend, &TrafficBackend::snapshotReady, this, &Relay::snapshot);
    connect(backend, &TrafficBackend::refreshFailed, this, &Relay::failed);
    if (auto *argo = qobject_cast<ArgoRolloutBackend *>(backend))
        connect(argo, &ArgoRolloutBackend::rolloutActionFinished, this, &Relay::action);
}

// One target as the app runs it: createBackends -> BackendHost -> TargetController.
Harness::Harness(const QJsonObject &t)
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

bool Harness::refresh(TrafficSnapshot *snapshot, QString *error)
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

ChangeResult Harness::change(const std::function<void()> &action)
{
    QSignalSpy done(controller.get(), &TargetController::actionFinished);
    QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
    QSignalSpy failed(relay.get(), &Relay::failed);
    action();
    // A change refused before it reaches the backend (read-only) is answered at once, and no
    // re-read follows it; any other is followed by one.
    const bool refusedAtOnce = !done.isEmpty();
    if (!QTest::qWaitFor([&] { return !done.isEmpty() && (refusedAtOnce || !snap.isEmpty() || !failed.isEmpty()); }, 15000))
        qFatal("no answer to a change");
    return done.first().at(0).value<ChangeResult>();
}

ChangeResult Harness::set(double percent, bool force)
{
    return change([this, percent, force] { controller->setCanaryPercent(percent, QStringLiteral("test"), force); });
}

ChangeResult Harness::rollback()
{
    return change([this] { controller->rollback(QStringLiteral("test")); });
}

ChangeResult Harness::argoAction(void (ArgoRolloutBackend::*slot)(), QString *name)
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

QMap<QString, int> weights(std::initializer_list<std::pair<const char *, int>> list)
{
    QMap<QString, int> m;
    for (const auto &[name, w] : list)
        m.insert(QString::fromLatin1(name), w);
    return m;
}

QList<int> weightsAt(const QJsonObject &resource, const QString &arrayKey, int index, const QString &weightsKey)
{
    QList<int> out;
    for (const QJsonValue &ref : resource[QStringLiteral("spec")][arrayKey][index][weightsKey].toArray())
        out.append(ref[QStringLiteral("weight")].toInt(-1));
    return out;
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

} // namespace Switchboard::Test
