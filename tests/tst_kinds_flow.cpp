// Issue 6: the GUI and the CLI work unchanged on every target kind. One flow, driven the same
// way on each kind: sim, haproxy and nginx (the real lab), gateway-api, istio and argo-rollouts
// (FakeKubeServer on its own thread in this process; the CLI child process reaches it over HTTP
// on 127.0.0.1 through a kubeconfig). Each step is checked from the traffic layer's own side
// where it has one: HAProxy's admin socket, nginx's upstream file, the API server's object.

#include "backendfactory.h"
#include "clirunner.h"
#include "confirmbarwidget.h"
#include "eventlogmodel.h"
#include "fakekubeserver.h"
#include "labclient.h"
#include "labfixture.h"
#include "mainwindow.h"
#include "presetlibrary.h"
#include "simworld.h"
#include "splitbarwidget.h"
#include "targetconfig.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"
#include "targetpanelwidget.h"

#include <QDir>
#include <QElapsedTimer>
#include <QThread>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <memory>

using namespace Switchboard;
using Switchboard::Test::FakeKubeServer;

namespace {

const QString kRoutePath = QStringLiteral("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/shop");
const QString kVsPath = QStringLiteral("/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices/reviews");
const QString kRolloutPath = QStringLiteral("/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/shop");
const QByteArray kToken = "flow-token";

// Shapes as in the Gateway API, Istio and Argo Rollouts documentation; 10% canary (Argo: paused
// after its first step, setWeight 20).
const QByteArray kHttpRoute = R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
  "metadata":{"name":"shop","namespace":"shop","resourceVersion":"1000","generation":4},
  "spec":{"parentRefs":[{"name":"shop-gw","namespace":"infra"}],"hostnames":["shop.example.com"],
    "rules":[{"matches":[{"headers":[{"name":"x-canary","value":"always"}]}],"backendRefs":[{"name":"shop-v2","port":8080}]},
             {"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
              "backendRefs":[{"name":"shop-v1","port":8080,"weight":90},{"name":"shop-v2","port":8080,"weight":10}]}]},
  "status":{"parents":[{"parentRef":{"name":"shop-gw","namespace":"infra"},"controllerName":"example.net/gateway-controller",
    "conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"Route is accepted"},
                  {"type":"ResolvedRefs","status":"True","reason":"ResolvedRefs","message":"Resolved all the Object references"}]}]}})";

const QByteArray kVirtualService = R"({"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService",
  "metadata":{"name":"reviews","namespace":"shop","resourceVersion":"2000","generation":2},
  "spec":{"hosts":["reviews"],"http":[
    {"name":"jason","match":[{"headers":{"end-user":{"exact":"jason"}}}],"route":[{"destination":{"host":"reviews","subset":"v2"}}]},
    {"name":"split","route":[{"destination":{"host":"reviews","subset":"v1"},"weight":90},
                             {"destination":{"host":"reviews","subset":"v2"},"weight":10}]}]}})";

const QByteArray kPausedRollout = R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
  "metadata":{"name":"shop","namespace":"shop","resourceVersion":"3000","generation":3},
  "spec":{"replicas":5,"selector":{"matchLabels":{"app":"shop"}},
    "strategy":{"canary":{"canaryService":"shop-canary","stableService":"shop-stable","steps":[
      {"setWeight":20},{"pause":{}},{"setWeight":40},{"pause":{"duration":"10m"}},{"setWeight":80}]}},
    "template":{"metadata":{"labels":{"app":"shop"}},"spec":{"containers":[{"name":"shop","image":"registry.example/shop:2.0"}]}}},
  "status":{"replicas":5,"updatedReplicas":1,"readyReplicas":5,"availableReplicas":5,
    "currentPodHash":"6f8d9c7b5","stableRS":"877894d5b",
    "phase":"Paused","message":"CanaryPauseStep","currentStepIndex":1,"controllerPause":true,
    "pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:00:00Z"}],"canary":{}}})";

const QString kStablePath = QStringLiteral("/apis/apps/v1/namespaces/shop/deployments/shop-v1");
const QString kCanaryPath = QStringLiteral("/apis/apps/v1/namespaces/shop/deployments/shop-v2");
const QString kDeploymentPath = QStringLiteral("/apis/apps/v1/namespaces/shop/deployments/shop");

// An apps/v1 Deployment in namespace shop, pods labelled app=shop, track=`track`.
QByteArray deployment(const QString &name, const QString &track, int replicas, const QString &image)
{
    return QStringLiteral(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"%1","namespace":"shop","resourceVersion":"100","generation":1},
      "spec":{"replicas":%3,"selector":{"matchLabels":{"app":"shop","track":"%2"}},
        "template":{"metadata":{"labels":{"app":"shop","track":"%2"}},
          "spec":{"containers":[{"name":"app","image":"%4","readinessProbe":{"httpGet":{"path":"/health","port":8080}}}]}}},
      "status":{}})")
        .arg(name, track).arg(replicas).arg(image)
        .toUtf8();
}

bool isKube(const QString &kind)
{
    return kind == QStringLiteral("gateway-api") || kind == QStringLiteral("istio") || kind == QStringLiteral("argo-rollouts")
           || kind == QStringLiteral("deployments") || kind == QStringLiteral("deployment");
}

bool isLab(const QString &kind)
{
    return kind == QStringLiteral("haproxy") || kind == QStringLiteral("nginx");
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject jsonObject(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

// Canary share of integer weights, exact when the weights give it exactly; NaN without weights.
double share(int canary, int total)
{
    return total > 0 ? 100.0 * canary / total : unknown();
}

// One kind's target, set up for the flow: a folder with targets.json naming it, and a way to read
// the split from the traffic layer's own side.
class KindTarget final
{
public:
    KindTarget(const QString &kind, const LabFixture &lab)
        : m_kind(kind)
        , m_lab(lab)
    {
    }

    bool setUp(QString *error)
    {
        if (isLab(m_kind)) {
            // The lab's own targets.json, as lab/up wrote it.
            m_configDir = m_lab.configDir();
            m_target = m_kind == QStringLiteral("haproxy") ? QStringLiteral("lab") : QStringLiteral("lab-nginx");
            return true;
        }
        if (!m_dir.isValid()) {
            *error = QStringLiteral("no temporary folder");
            return false;
        }
        m_configDir = m_dir.path();
        m_target = QStringLiteral("flow");
        QJsonObject target{{QStringLiteral("name"), m_target}, {QStringLiteral("kind"), m_kind}, {QStringLiteral("pollMs"), 1000}};
        if (m_kind == QStringLiteral("sim")) {
            target.insert(QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 7}});
        } else if (isKube(m_kind)) {
            m_server = std::make_unique<FakeKubeServer>();
            if (!m_server->error().isEmpty()) {
                *error = m_server->error();
                return false;
            }
            m_server->setRequiredBearer(kToken);
            const QString kubeconfig = m_dir.filePath(QStringLiteral("kubeconfig"));
            if (!writeFile(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                                       "clusters:\n- name: fake\n  cluster:\n    server: " + m_server->url().toUtf8() + "\n"
                                       "users:\n- name: ci\n  user:\n    token: " + kToken + "\n"
                                       "contexts:\n- name: test\n  context:\n    cluster: fake\n    user: ci\n    namespace: shop\n")) {
                *error = QStringLiteral("cannot write %1").arg(kubeconfig);
                return false;
            }
            QJsonObject s{{QStringLiteral("kubeconfig"), kubeconfig}, {QStringLiteral("timeoutMs"), 5000}};
            if (m_kind == QStringLiteral("gateway-api")) {
                m_server->put(kRoutePath, kHttpRoute);
                s.insert(QStringLiteral("name"), QStringLiteral("shop")); // namespace from the context
                s.insert(QStringLiteral("rule"), 1);
                s.insert(QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1")});
                s.insert(QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2")});
            } else if (m_kind == QStringLiteral("istio")) {
                m_server->put(kVsPath, kVirtualService);
                s.insert(QStringLiteral("namespace"), QStringLiteral("shop"));
                s.insert(QStringLiteral("name"), QStringLiteral("reviews"));
                s.insert(QStringLiteral("route"), 1);
                s.insert(QStringLiteral("stable"), QJsonArray{QStringLiteral("reviews/v1")});
                s.insert(QStringLiteral("canary"), QJsonArray{QStringLiteral("reviews/v2")});
            } else if (m_kind == QStringLiteral("deployments")) {
                m_server->setPodReadyDelayMs(100);
                m_server->put(kStablePath, deployment(QStringLiteral("shop-v1"), QStringLiteral("stable"), 4, QStringLiteral("shop:v1")));
                m_server->put(kCanaryPath, deployment(QStringLiteral("shop-v2"), QStringLiteral("canary"), 0, QStringLiteral("shop:v2")));
                s.insert(QStringLiteral("namespace"), QStringLiteral("shop"));
                s.insert(QStringLiteral("stable"), QStringLiteral("shop-v1"));
                s.insert(QStringLiteral("canary"), QStringLiteral("shop-v2"));
                s.insert(QStringLiteral("pollMs"), 50);
                s.insert(QStringLiteral("readyTimeoutMs"), 10000);
            } else if (m_kind == QStringLiteral("deployment")) {
                m_server->setPodReadyDelayMs(100);
                m_server->put(kDeploymentPath, deployment(QStringLiteral("shop"), QStringLiteral("web"), 4, QStringLiteral("shop:v1")));
                s.insert(QStringLiteral("namespace"), QStringLiteral("shop"));
                s.insert(QStringLiteral("name"), QStringLiteral("shop"));
                s.insert(QStringLiteral("pollMs"), 50);
                s.insert(QStringLiteral("readyTimeoutMs"), 10000);
            } else {
                m_server->put(kRolloutPath, kPausedRollout);
                s.insert(QStringLiteral("namespace"), QStringLiteral("shop"));
                s.insert(QStringLiteral("name"), QStringLiteral("shop"));
            }
            target.insert(m_kind, s);
        } else {
            *error = QStringLiteral("unknown kind %1").arg(m_kind);
            return false;
        }
        if (m_kind == QStringLiteral("deployments") || m_kind == QStringLiteral("deployment")) {
            // The fake controller makes the pods Ready; the flow starts from a settled cluster.
            const QString name = m_kind == QStringLiteral("deployments") ? QStringLiteral("shop-v1") : QStringLiteral("shop");
            QElapsedTimer clock;
            clock.start();
            for (;;) {
                m_server->reconcileNow();
                const auto history = m_server->deploymentHistory();
                if (!history.isEmpty() && history.constLast().ready.value(name) == 4)
                    break;
                if (clock.elapsed() > 10000) {
                    *error = QStringLiteral("the fake Deployment controller did not make %1's pods Ready").arg(name);
                    return false;
                }
                QThread::msleep(20);
            }
        }
        const QByteArray file = QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{target}}}).toJson();
        if (!writeFile(QDir(m_configDir).filePath(QStringLiteral("targets.json")), file)) {
            *error = QStringLiteral("cannot write targets.json");
            return false;
        }
        return true;
    }

    QString kind() const { return m_kind; }
    QString configDir() const { return m_configDir; }
    QString target() const { return m_target; }
    FakeKubeServer *server() const { return m_server.get(); }

    // The target as the app reads it from targets.json.
    bool config(TargetConfig *out, QString *error) const
    {
        const QString path = QDir(m_configDir).filePath(QStringLiteral("targets.json"));
        const TargetConfigResult r = parseTargetConfig(readFile(path), path);
        if (!r.ok()) {
            *error = r.error;
            return false;
        }
        for (const TargetConfig &t : r.targets) {
            if (t.name == m_target) {
                *out = t;
                return true;
            }
        }
        *error = QStringLiteral("no target %1 in %2").arg(m_target, path);
        return false;
    }

    // The canary share as the traffic layer itself holds it, NaN when this kind has no such
    // place outside the process driving it (the simulator; Argo, whose weights its controller
    // sets: see rolloutStatus()).
    double layerCanary() const
    {
        if (m_kind == QStringLiteral("haproxy")) {
            const int a = haproxyWeight(QStringLiteral("shop-v1-a"));
            const int b = haproxyWeight(QStringLiteral("shop-v1-b"));
            const int c = haproxyWeight(QStringLiteral("shop-v2-a"));
            return a < 0 || b < 0 || c < 0 ? unknown() : share(c, a + b + c);
        }
        if (m_kind == QStringLiteral("nginx"))
            return nginxCanary();
        if (m_kind == QStringLiteral("gateway-api")) {
            const QJsonArray refs = jsonObject(m_server->resource(kRoutePath))[QStringLiteral("spec")][QStringLiteral("rules")][1]
                                        [QStringLiteral("backendRefs")].toArray();
            int canary = 0, total = 0;
            for (const QJsonValue &r : refs) {
                const int w = r[QStringLiteral("weight")].toInt(1);
                total += w;
                canary += r[QStringLiteral("name")].toString() == QStringLiteral("shop-v2") ? w : 0;
            }
            return share(canary, total);
        }
        if (m_kind == QStringLiteral("istio")) {
            const QJsonArray route = jsonObject(m_server->resource(kVsPath))[QStringLiteral("spec")][QStringLiteral("http")][1]
                                         [QStringLiteral("route")].toArray();
            int canary = 0, total = 0;
            for (const QJsonValue &d : route) {
                const int w = d[QStringLiteral("weight")].toInt(0);
                total += w;
                canary += d[QStringLiteral("destination")][QStringLiteral("subset")].toString() == QStringLiteral("v2") ? w : 0;
            }
            return share(canary, total);
        }
        if (m_kind == QStringLiteral("deployments")) {
            // The set split: the Deployments' replicas.
            const int stable = jsonObject(m_server->resource(kStablePath))[QStringLiteral("spec")][QStringLiteral("replicas")].toInt();
            const int canary = jsonObject(m_server->resource(kCanaryPath))[QStringLiteral("spec")][QStringLiteral("replicas")].toInt();
            return share(canary, stable + canary);
        }
        return unknown();
    }

    // The image of the Deployment the kind deploys to (deployments: the canary).
    QString layerImage() const
    {
        const QString path = m_kind == QStringLiteral("deployments") ? kCanaryPath : kDeploymentPath;
        return jsonObject(m_server->resource(path))[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")]
            [QStringLiteral("containers")][0][QStringLiteral("image")].toString();
    }

    // Argo Rollouts: the stored Rollout's status, as its controller would find it.
    QJsonObject rolloutStatus() const
    {
        return jsonObject(m_server->resource(kRolloutPath))[QStringLiteral("status")].toObject();
    }

private:
    // What HAProxy itself says, straight from its admin socket.
    int haproxyWeight(const QString &server) const
    {
        return LabClient::haproxyWeight(quint16(m_lab.port("ADMIN_PORT")), server);
    }

    // What nginx is told: the server lines of the lab's upstream include (weight=N, or down).
    double nginxCanary() const
    {
        const QString text = QString::fromUtf8(readFile(m_lab.value("NGINX_UPSTREAM_FILE")));
        const QString canaryAddress = QStringLiteral("127.0.0.1:%1").arg(m_lab.port("APP_V2_PORT"));
        static const QRegularExpression serverLine(QStringLiteral(R"(^\s*server\s+(\S+)([^;]*);)"),
                                                   QRegularExpression::MultilineOption);
        static const QRegularExpression weightParam(QStringLiteral(R"(\bweight=(\d+))"));
        static const QRegularExpression downParam(QStringLiteral(R"(\bdown\b)"));
        int canary = 0, total = 0;
        for (auto it = serverLine.globalMatch(text); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            const QString params = m.captured(2);
            const QRegularExpressionMatch w = weightParam.match(params);
            const int weight = downParam.match(params).hasMatch() ? 0 : (w.hasMatch() ? w.captured(1).toInt() : 1);
            total += weight;
            canary += m.captured(1) == canaryAddress ? weight : 0;
        }
        return share(canary, total);
    }

    QString m_kind;
    const LabFixture &m_lab;
    QTemporaryDir m_dir;
    QString m_configDir;
    QString m_target;
    std::unique_ptr<FakeKubeServer> m_server;
};

} // namespace

class TestKindsFlow : public QObject
{
    Q_OBJECT

    LabFixture m_lab;
    LabFixture::Outcome m_labOutcome = LabFixture::Outcome::Failed;
    QTemporaryDir m_home;

    using Run = CliRunner::Result;

    // The binary as a user's script runs it. Blocking here is fine: the fake API server and the
    // lab answer from their own threads and processes.
    Run cli(const KindTarget &t, QStringList args)
    {
        args << QStringLiteral("--config") << t.configDir() << QStringLiteral("--target") << t.target();
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(args);
    }

    // `status --json`, checked against the contract's keys; the canary share through *canary.
    bool statusJson(const KindTarget &t, double *canary)
    {
        const Run r = cli(t, {QStringLiteral("status"), QStringLiteral("--json")});
        if (r.code != 0) {
            qWarning("status exited %d: %s", r.code, qPrintable(r.err));
            return false;
        }
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &err).object();
        auto expect = [&r](bool ok, const char *what) {
            if (!ok)
                qWarning("status --json: %s: %s", what, qPrintable(r.out));
            return ok;
        };
        if (!expect(err.error == QJsonParseError::NoError, "not JSON")
            || !expect(o.value(QStringLiteral("target")).toString() == t.target(), "target")
            || !expect(o.value(QStringLiteral("kind")).toString() == t.kind(), "kind")
            || !expect(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("stable")).isDouble(), "split.stable")
            || !expect(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).isDouble(), "split.canary")
            || !expect(o.value(QStringLiteral("members")).isArray() && !o.value(QStringLiteral("members")).toArray().isEmpty(), "members")
            || !expect(o.value(QStringLiteral("dataAgeMs")).isDouble(), "dataAgeMs"))
            return false;
        for (const QJsonValue &m : o.value(QStringLiteral("members")).toArray()) {
            for (const char *key : {"name", "version", "weight", "state"})
                if (!expect(m.toObject().contains(QLatin1String(key)), key))
                    return false;
        }
        const QJsonObject health = o.value(QStringLiteral("health")).toObject();
        for (const char *version : {"stable", "canary"}) {
            const QJsonObject h = health.value(QLatin1String(version)).toObject();
            for (const char *key : {"rps", "errorRatio", "p50Ms", "p99Ms"})
                if (!expect(h.contains(QLatin1String(key)) && (h.value(QLatin1String(key)).isDouble() || h.value(QLatin1String(key)).isNull()),
                            key))
                    return false;
        }
        *canary = o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble();
        return true;
    }

    QJsonObject lastAuditEntry() const
    {
        const QList<QByteArray> lines = readFile(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl"))).trimmed().split('\n');
        return jsonObject(lines.constLast());
    }

    // A command that moves the split on `t`: it succeeds, and the canary is then at `percent` as
    // the traffic layer holds it and as `status --json` reports it. Argo's own controller moves
    // its weights: there the command sets `argoField` in the Rollout's status. The simulator's
    // world lives in the CLI process and ends with it: its command's own answer tells.
    void expectMoved(const KindTarget &t, const Run &r, double percent, const QString &argoField)
    {
        const bool argo = t.kind() == QStringLiteral("argo-rollouts");
        const bool persistent = t.kind() != QStringLiteral("sim");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        if (argo)
            QCOMPARE(t.rolloutStatus().value(argoField).toBool(), true);
        else if (persistent)
            QCOMPARE(t.layerCanary(), percent); // never NaN here: every persistent non-Argo kind has a layer to read
        else
            QVERIFY2(r.out.contains(QStringLiteral("canary %1%").arg(percent)), qPrintable(r.out));
        if (persistent) {
            double canary = NAN;
            QVERIFY(statusJson(t, &canary));
            QCOMPARE(canary, percent);
        }
    }

    // A command the kind refuses by design: exit 2 and one line on stderr that names `why`.
    static void expectRefused(const Run &r, const QString &why)
    {
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: ")) && r.err.contains(why), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    }

    static void addKinds()
    {
        QTest::addColumn<QString>("kind");
        for (const char *kind : {"sim", "haproxy", "nginx", "gateway-api", "istio", "argo-rollouts", "deployments", "deployment"})
            QTest::newRow(kind) << QString::fromLatin1(kind);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // Without the lab only its two rows skip (programs missing) or fail; the other kinds still run.
        m_labOutcome = m_lab.startUnlessMissing();
    }

    void cliFlow_data() { addKinds(); }

    // status, set-weight 25, promote (a step), promote --full, rollback: the same commands on
    // every kind, each answered the way that kind documents.
    void cliFlow()
    {
        QFETCH(QString, kind);
        if (isLab(kind) && m_labOutcome == LabFixture::Outcome::NotInstalled)
            QSKIP(qPrintable(m_lab.error()));
        if (isLab(kind) && m_labOutcome != LabFixture::Outcome::Started)
            QFAIL(qPrintable(m_lab.error()));
        KindTarget t(kind, m_lab);
        QString error;
        QVERIFY2(t.setUp(&error), qPrintable(error));
        const bool argo = kind == QStringLiteral("argo-rollouts");
        if (kind == QStringLiteral("deployment"))
            return rolledByKubernetesCliFlow(t);
        // The simulator's world lives in the process that drives it: each CLI run starts anew, so
        // its state is read from the command's own answer instead of a later status.
        const bool persistent = kind != QStringLiteral("sim");

        double canary = NAN;
        QVERIFY(statusJson(t, &canary));
        if (argo)
            QCOMPARE(canary, 20.0); // paused after its first step, setWeight 20
        else if (persistent)
            QCOMPARE(canary, t.layerCanary());
        else
            QCOMPARE(canary, 10.0); // the simulator's default start

        Run r = cli(t, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("25")});
        if (argo) {
            // Argo sets weights by its steps: refused, nothing written, as documented.
            expectRefused(r, QStringLiteral("use Promote/Abort"));
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(t.server()->requests("PATCH").size(), 0);
        } else {
            expectMoved(t, r, 25, QString());
            if (QTest::currentTestFailed())
                return;
        }

        // The next step of the traffic layer's own rollout: Argo's promote; the others have none.
        r = cli(t, {QStringLiteral("promote")});
        if (argo) {
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains(QStringLiteral("promote sent: pause (CanaryPauseStep) cleared at step 1/5")), qPrintable(r.out));
            const QJsonObject status = t.rolloutStatus();
            QVERIFY(!status.contains(QStringLiteral("pauseConditions")));
            QCOMPARE(status.value(QStringLiteral("currentStepIndex")).toInt(), 1); // the controller moves on, not us
            const QJsonObject audit = lastAuditEntry();
            QCOMPARE(audit.value(QStringLiteral("action")).toString(), QStringLiteral("promote"));
            QCOMPARE(audit.value(QStringLiteral("target")).toString(), t.target());
            QCOMPARE(audit.value(QStringLiteral("result")).toString(), QStringLiteral("applied"));
        } else {
            expectRefused(r, QStringLiteral("no steps of its own"));
            if (QTest::currentTestFailed())
                return;
            if (persistent)
                QCOMPARE(t.layerCanary(), 25.0); // nothing moved
        }

        expectMoved(t, cli(t, {QStringLiteral("promote"), QStringLiteral("--full")}), 100, QStringLiteral("promoteFull"));
        if (QTest::currentTestFailed())
            return;
        expectMoved(t, cli(t, {QStringLiteral("rollback")}), 0, QStringLiteral("abort"));
        if (QTest::currentTestFailed() || kind != QStringLiteral("deployments"))
            return;
        // deploy: the canary's image, followed to Ready; a bad reference changes nothing.
        r = cli(t, {QStringLiteral("deploy"), QStringLiteral("--image"), QStringLiteral("shop:v3")});
        QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("deployed")), qPrintable(r.err + r.out));
        QCOMPARE(t.layerImage(), QStringLiteral("shop:v3"));
        QCOMPARE(lastAuditEntry().value(QStringLiteral("action")).toString(), QStringLiteral("deploy"));
        QCOMPARE(lastAuditEntry().value(QStringLiteral("imageBefore")).toString(), QStringLiteral("shop:v2"));
        expectRefused(cli(t, {QStringLiteral("deploy"), QStringLiteral("--image"), QStringLiteral("Shop V4")}),
                      QStringLiteral("not a valid image reference"));
        QCOMPARE(t.layerImage(), QStringLiteral("shop:v3"));
    }

    // Kubernetes rolls this kind itself: set-weight is refused, promote resumes, deploy sets the
    // image and follows it to Ready, rollback is `rollout undo` to the previous revision.
    void rolledByKubernetesCliFlow(const KindTarget &t)
    {
        double canary = NAN;
        QVERIFY(statusJson(t, &canary));
        QCOMPARE(canary, 0.0); // one version running
        expectRefused(cli(t, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("25")}),
                      QStringLiteral("maxSurge/maxUnavailable"));
        if (QTest::currentTestFailed())
            return;
        Run r = cli(t, {QStringLiteral("promote")});
        QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("already resumed")), qPrintable(r.err + r.out));
        r = cli(t, {QStringLiteral("deploy"), QStringLiteral("--image"), QStringLiteral("shop:v2")});
        QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("rolled out")), qPrintable(r.err + r.out));
        QCOMPARE(t.layerImage(), QStringLiteral("shop:v2"));
        r = cli(t, {QStringLiteral("promote"), QStringLiteral("--full")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli(t, {QStringLiteral("rollback")});
        QVERIFY2(r.code == 0 && r.out.contains(QStringLiteral("back to revision 1")), qPrintable(r.err + r.out));
        QCOMPARE(t.layerImage(), QStringLiteral("shop:v1"));
        QVERIFY(statusJson(t, &canary));
    }

    void guiFlow_data() { addKinds(); }

    // The real widgets offscreen on one controller of that kind: Apply at 25%, then Rollback.
    void guiFlow()
    {
        QFETCH(QString, kind);
        if (isLab(kind) && m_labOutcome == LabFixture::Outcome::NotInstalled)
            QSKIP(qPrintable(m_lab.error()));
        if (isLab(kind) && m_labOutcome != LabFixture::Outcome::Started)
            QFAIL(qPrintable(m_lab.error()));
        KindTarget t(kind, m_lab);
        QString error;
        QVERIFY2(t.setUp(&error), qPrintable(error));
        TargetConfig config;
        QVERIFY2(t.config(&config, &error), qPrintable(error));
        const bool argo = kind == QStringLiteral("argo-rollouts");
        const bool rolledByKubernetes = kind == QStringLiteral("deployment");

        std::shared_ptr<SimWorld> world;
        std::unique_ptr<BackendHost> host = createBackends(config, &error, &world);
        QVERIFY2(host, qPrintable(error));
        // The traffic layer's side: the simulator's world is in this process.
        auto layerCanary = [&t, world] {
            return world ? TrafficSplit::fromMembers(world->members()).canary : t.layerCanary();
        };

        EventLogModel log;
        QTemporaryDir presetDir;
        PresetLibrary presets(presetDir.path());
        auto controller = std::make_unique<TargetController>(config, std::move(host), &log, nullptr);
        TargetListModel targets;
        targets.setControllers({controller.get()});
        auto window = std::make_unique<MainWindow>(&targets, &log, &presets);
        QSignalSpy confirmations(window->panel()->confirmBar(), &ConfirmBarWidget::asked); // inline questions
        controller->start();
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(controller->hasSnapshot(), 15000);

        auto *bar = window->findChild<SplitBarWidget *>(QStringLiteral("splitBar"));
        auto *spin = window->findChild<QSpinBox *>(QStringLiteral("canarySpin"));
        auto *apply = window->findChild<QPushButton *>(QStringLiteral("applyButton"));
        auto *rollback = window->findChild<QPushButton *>(QStringLiteral("rollbackButton"));
        QVERIFY(bar && spin && apply && rollback);

        if (argo) {
            // Argo's weight is its step's: paused after setWeight 20. No Apply here (refused by design).
            QTRY_COMPARE(bar->text(), QStringLiteral("stable 80% · canary 20%"));
        } else if (rolledByKubernetes) {
            // Kubernetes sets this split: one version, all traffic on it; the way back has
            // nothing to take back (Rollback is enabled only while the canary has traffic).
            QTRY_COMPARE_WITH_TIMEOUT(bar->text(), QStringLiteral("stable 100% · canary 0%"), 15000);
            QVERIFY(!rollback->isEnabled());
            QCOMPARE(confirmations.size(), 0);
            return;
        } else {
            QTRY_VERIFY(apply->isEnabled());
            spin->setValue(25);
            QTest::mouseClick(apply, Qt::LeftButton);
            QTRY_COMPARE_WITH_TIMEOUT(layerCanary(), 25.0, 15000);
            QTRY_COMPARE_WITH_TIMEOUT(bar->text(), QStringLiteral("stable 75% · canary 25%"), 15000);
        }

        QTRY_VERIFY(rollback->isEnabled());
        QTest::mouseClick(rollback, Qt::LeftButton);
        if (argo)
            QTRY_COMPARE_WITH_TIMEOUT(t.rolloutStatus().value(QStringLiteral("abort")).toBool(), true, 15000);
        else
            QTRY_COMPARE_WITH_TIMEOUT(layerCanary(), 0.0, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(bar->text(), QStringLiteral("stable 100% · canary 0%"), 15000);
        QCOMPARE(confirmations.size(), 0); // 25% and the way back ask nothing
    }
};

QTEST_MAIN(TestKindsFlow)
#include "tst_kinds_flow.moc"
