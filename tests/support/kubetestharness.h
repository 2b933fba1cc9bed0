#pragma once
// Test scaffolding shared by the tst_kube_* tests: resources shaped as in the Gateway API,
// Istio and Argo Rollouts documentation, kubeconfig and targets.json writers, and Harness, one
// target run as the app runs it (createBackends -> BackendHost -> TargetController) with the
// backend's signals relayed to the test thread.

#include "argorolloutbackend.h"
#include "domain.h"
#include "eventlogmodel.h"
#include "fakekubeserver.h"
#include "targetcontroller.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Switchboard::Test {

inline const QString kRoutePath = QStringLiteral("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/shop");
inline const QString kVsPath = QStringLiteral("/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices/reviews");
inline const QString kRolloutPath = QStringLiteral("/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/shop");
inline const QByteArray kToken = "kube-s3cr3t-token";

QByteArray httpRoute(const QByteArray &backendRefs = R"([{"name":"shop-v1","port":8080,"weight":90},{"name":"shop-v2","port":8080,"weight":10}])");
QByteArray virtualService();

extern const QByteArray kCanaryStrategy;
extern const QByteArray kBlueGreenStrategy;
extern const QByteArray kPausedStatus; // paused at step 1 (setWeight 20) by the controller
// `status` is the inside of the status object after the common fields.
QByteArray rollout(const QByteArray &status, bool specPaused = false, const QByteArray &strategy = kCanaryStrategy);

QJsonObject json(const QByteArray &text);
QString writeFile(const QString &path, const QByteArray &content, bool executable = false);
// A kubeconfig with context "test" (user "ci", namespace "shop") for `server`; `cluster` and
// `user` are extra YAML lines of those maps.
QString writeKubeconfig(const QString &dir, const QString &server, const QByteArray &cluster = {},
                        const QByteArray &user = "    token: " + kToken + "\n");

// A targets.json entry of `kind` with `settings` (and the kubeconfig), polling off.
QJsonObject target(const QString &kind, const QString &kubeconfig, QJsonObject settings);
QJsonObject gatewayTarget(const QString &kubeconfig, QJsonObject extra = {});
QJsonObject istioTarget(const QString &kubeconfig);
QJsonObject argoTarget(const QString &kubeconfig);

// A port nothing listens on (it did a moment ago).
quint16 deadPort();
QString portOf(const QString &url);

// The test CA plus a server certificate valid only for kube.internal (not for 127.0.0.1, where
// the server really is).
struct NamedPki
{
    FakeKubeServer::Pki pki;
    QString cert;
    QString key;
};
bool makeNamedPki(const QString &dir, NamedPki *out, QString *error);

// Sets process environment variables for a scope and puts the old values back.
class ProcessEnvGuard final
{
public:
    ProcessEnvGuard(const QList<QByteArray> &names, const QByteArray &value);
    ~ProcessEnvGuard();
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

// Brings the backend's own signals (emitted on its worker thread) to the test thread.
class Relay final : public QObject
{
    Q_OBJECT
public:
    explicit Relay(TrafficBackend *backend);
Q_SIGNALS:
    void snapshot(const Switchboard::TrafficSnapshot &snapshot);
    void failed(const QString &error);
    void action(const QString &name, const Switchboard::ChangeResult &result);
};

// One target as the app runs it: createBackends -> BackendHost -> TargetController.
struct Harness
{
    explicit Harness(const QJsonObject &t);

    // Asks the backend for a reading; true with the controller's snapshot, false with *error.
    bool refresh(TrafficSnapshot *snapshot, QString *error = nullptr);
    // A change through the controller, and the controller's read after it.
    ChangeResult change(const std::function<void()> &action);
    ChangeResult set(double percent, bool force = false);
    ChangeResult rollback();
    ChangeResult argoAction(void (ArgoRolloutBackend::*slot)(), QString *name);

    QString error;
    EventLogModel log;
    TrafficBackend *backend = nullptr;
    std::unique_ptr<Relay> relay;
    std::unique_ptr<TargetController> controller;
};

QMap<QString, int> weights(std::initializer_list<std::pair<const char *, int>> list);
// The weights of element `index` of spec.<arrayKey>, from its `weightsKey` list (-1 for none).
QList<int> weightsAt(const QJsonObject &resource, const QString &arrayKey, int index, const QString &weightsKey);
QList<int> routeWeights(const QJsonObject &route, int rule);
QList<int> vsWeights(const QJsonObject &vs, int route);

} // namespace Switchboard::Test
