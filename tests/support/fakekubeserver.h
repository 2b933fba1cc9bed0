#pragma once
// Test scaffolding: an in-process Kubernetes API server on 127.0.0.1:0, running on its own
// thread so blocking clients can call it from the test thread. It holds resources as JSON by API
// path, answers GET, applies merge patches (RFC 7386) to an object or its status subresource,
// enforces metadata.resourceVersion (409 with a Status body when stale, a new resourceVersion on
// every write), checks the patch Content-Type, records every request, and can answer 401, 403,
// 404, 409, 500 or not at all. With TLS it serves HTTPS (QSslServer) and can require a client
// certificate. It answers SelfSubjectAccessReviews (allowed unless a test denies a verb); those
// are recorded apart (accessReviews()), not in requests(). The HTTP parsing is the minimum curl needs.

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QThread>

#include "fakedeploymentcontroller.h"

#include <functional>
#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace Switchboard::Test {

class FakeKubeServer final : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QString path;
        QString query; // after '?', percent-decoded
        QMap<QByteArray, QByteArray> headers; // names in lower case
        QByteArray body;
        QString clientCertificateCn; // the TLS client certificate's CN, when one was presented

        QByteArray header(const char *name) const { return headers.value(QByteArray(name).toLower()); }
    };

    enum class Fault { Unauthorized, Forbidden, NotFound, Conflict, ServerError, Hang };

    struct Tls
    {
        QString certFile;
        QString keyFile;
        QString clientCaFile; // non-empty: a client certificate signed by this CA is required
    };

    // Files made by `openssl` for TLS tests: a CA, a server certificate for 127.0.0.1 signed by
    // it, a client certificate (CN switchboard-test) signed by it, and an unrelated CA.
    struct Pki
    {
        QString caCert, caKey, serverCert, serverKey, clientCert, clientKey, otherCaCert;
    };
    static bool opensslAvailable();
    static bool makePki(const QString &dir, Pki *out, QString *error);
    // One more server certificate from `pki`'s CA, valid only for `subjectAltName` (openssl
    // syntax, e.g. "DNS:kube.internal"), written next to the CA as <stem>.crt and <stem>.key.
    static bool issueServerCertificate(const Pki &pki, const QString &stem, const QString &subjectAltName, QString *cert,
                                       QString *key, QString *error);

    explicit FakeKubeServer(const std::optional<Tls> &tls = std::nullopt);
    ~FakeKubeServer() override;

    QString url() const;
    QString error() const { return m_error; } // why it does not listen, if it does not

    // Stores a resource (JSON) under its API path; metadata.resourceVersion "1" when absent.
    void put(const QString &path, const QByteArray &json);
    QByteArray resource(const QString &path) const;
    QString resourceVersion(const QString &path) const;
    // A write by someone else: applies the merge patch and bumps the resourceVersion.
    void mergePatch(const QString &path, const QByteArray &patch);

    // Off: PATCH .../status answers 404 and object patches may change status too (Argo Rollouts
    // before v0.10). On (default): object patches leave status alone, as for CRDs with the
    // status subresource.
    void setStatusSubresource(bool enabled);
    // Non-empty: requests without "Authorization: Bearer <token>" get 401.
    void setRequiredBearer(const QByteArray &token);
    // The next `times` requests whose method matches (empty: any) and whose path ends with
    // `pathSuffix` (empty: any) get the fault instead of an answer.
    void addFault(Fault fault, const QByteArray &method = {}, const QString &pathSuffix = {}, int times = 1);
    // Runs on the server thread before a request is handled (e.g. to change a resource between
    // a client's read and its write). May call put() and mergePatch().
    void setOnRequest(std::function<void(const Request &)> hook);
    // Another writer: the next `times` PATCH requests on `path` (or its status) find the resource
    // changed by `patch` (a merge patch, which bumps the resourceVersion) just before they are
    // handled, as when a controller or a colleague writes between a client's read and its write.
    void changeBeforePatches(const QString &path, const QByteArray &patch, int times = 1);
    // How many of those changes have been made.
    int changesBeforePatches() const;

    // SelfSubjectAccessReview answers: `verb` on `resource` ("httproutes", "rollouts/status";
    // empty: any resource) is allowed or not, with `reason` as status.reason. Default: allowed.
    void setAccess(const QString &verb, bool allowed, const QString &reason = {}, const QString &resource = {});
    // The SelfSubjectAccessReviews received (POST bodies), oldest first.
    QList<Request> accessReviews() const;

    // apps/v1 Deployments (see FakeDeploymentController): run at every request, so pods become
    // Ready as time passes between a client's reads. Collections answer lists (GET of
    // /api/v1/namespaces/NS/pods?labelSelector=a=b), deployments have the scale subresource,
    // and PATCH takes merge, strategic merge (lists merged by name) and JSON patches; a write
    // to a Deployment's spec bumps metadata.generation.
    void setPodReadyDelayMs(int ms);
    void setPods(const QString &image, FakeDeploymentController::Pods behaviour);
    // Every write and every change of Ready pods, oldest first (FakeDeploymentController::Moment).
    QList<FakeDeploymentController::Moment> deploymentHistory() const;
    // Runs the controllers now (a test reading resources directly sees them current).
    void reconcileNow();

    QList<Request> requests() const;
    QList<Request> requests(const QByteArray &method) const;
    void clearRequests();

private:
    struct State;
    void listen(const std::optional<Tls> &tls);
    void shutdown();
    void accept();
    void read(QTcpSocket *socket);
    void accessReview(QTcpSocket *socket, const Request &req);
    void respond(QTcpSocket *socket, int status, const QByteArray &body);

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    QString m_url;
    QString m_error;
    std::unique_ptr<State> m_state;
};

} // namespace Switchboard::Test
