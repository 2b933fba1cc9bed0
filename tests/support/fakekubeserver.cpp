#include "fakekubeserver.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace Switchboard::Test {

using json = nlohmann::json;

struct FakeKubeServer::State
{
    struct FaultRule
    {
        Fault fault;
        QByteArray method;
        QString suffix;
        int times;
    };
    mutable QMutex mutex;
    std::map<QString, json> objects;
    bool statusSubresource = true;
    QByteArray bearer;
    QList<FaultRule> faults;
    std::function<void(const Request &)> hook;
    QString interferencePath;
    json interference;
    int interferences = 0; // still to make
    int interfered = 0;    // made
    QList<Request> requests;
    QList<Request> accessReviews;
    struct Access
    {
        QString verb;
        QString resource; // "plural" or "plural/subresource"; empty: any
        bool allowed;
        QString reason;
    };
    QList<Access> access; // the newest matching rule decides
    QHash<QTcpSocket *, QByteArray> buffers; // server thread only
    FakeDeploymentController deployments;
};

namespace {

std::string text(const QString &s)
{
    return s.toStdString();
}

void bump(json *object)
{
    json &meta = (*object)["metadata"];
    const std::string rv = meta.value("resourceVersion", std::string("0"));
    meta["resourceVersion"] = std::to_string(std::stoll(rv.empty() ? std::string("0") : rv) + 1);
}

// /apis/GROUP/VERSION/namespaces/NS/PLURAL/NAME[/status]
struct PathParts
{
    QString group, ns, plural, name;
    bool status = false;
    bool scale = false;
};

PathParts partsOf(const QString &path)
{
    const QStringList p = path.split(QLatin1Char('/'));
    PathParts out;
    // /api/v1/namespaces/NS/PLURAL/NAME (the core group) is one segment shorter.
    const int shift = p.value(1) == QLatin1String("api") ? -1 : 0;
    out.group = shift ? QString() : p.value(2);
    out.ns = p.value(5 + shift);
    out.plural = p.value(6 + shift);
    out.name = p.value(7 + shift);
    out.status = p.value(8 + shift) == QStringLiteral("status");
    out.scale = p.value(8 + shift) == QStringLiteral("scale");
    return out;
}

// Strategic merge patch, as far as Deployments need it: objects merge as in RFC 7386; lists of
// objects that carry "name" (containers, ports, env) merge element by element on it.
void strategicMerge(json &target, const json &patch)
{
    if (!patch.is_object() || !target.is_object()) {
        target = patch;
        return;
    }
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it->is_null()) {
            target.erase(it.key());
        } else if (it->is_array() && target.contains(it.key()) && target[it.key()].is_array() && !it->empty()
                   && (*it)[0].is_object() && (*it)[0].contains("name")) {
            json &list = target[it.key()];
            for (const json &item : *it) {
                auto same = std::find_if(list.begin(), list.end(), [&item](const json &e) { return e.value("name", json()) == item["name"]; });
                if (same == list.end())
                    list.push_back(item);
                else
                    strategicMerge(*same, item);
            }
        } else if (it->is_object() && target.contains(it.key()) && target[it.key()].is_object()) {
            strategicMerge(target[it.key()], *it);
        } else {
            target[it.key()] = *it;
        }
    }
}

bool labelsMatch(const json &object, const QString &selector)
{
    const json labels = object["metadata"].value("labels", json::object());
    for (const QString &term : selector.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString key = term.section(QLatin1Char('='), 0, 0);
        const QString value = term.section(QLatin1Char('='), 1);
        if (labels.value(key.toStdString(), std::string("\x01")) != value.toStdString())
            return false;
    }
    return true;
}

QByteArray statusBody(int code, const QString &reason, const QString &message, const PathParts &parts)
{
    const json body = {{"kind", "Status"},
                       {"apiVersion", "v1"},
                       {"metadata", json::object()},
                       {"status", "Failure"},
                       {"message", text(message)},
                       {"reason", text(reason)},
                       {"details", {{"name", text(parts.name)}, {"group", text(parts.group)}, {"kind", text(parts.plural)}}},
                       {"code", code}};
    return QByteArray::fromStdString(body.dump());
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 422: return "Unprocessable Entity";
    }
    return "Status";
}

bool run(const QStringList &args, const QString &dir, QString *error)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForStarted(10000) || !p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("openssl %1 failed: %2 %3")
                     .arg(args.join(QLatin1Char(' ')), p.errorString(), QString::fromUtf8(p.readAllStandardError()).simplified());
        return false;
    }
    return true;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

bool FakeKubeServer::opensslAvailable()
{
    return !QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty();
}

bool FakeKubeServer::makePki(const QString &dir, Pki *out, QString *error)
{
    const QDir d(dir);
    Pki p;
    p.caCert = d.filePath(QStringLiteral("ca.crt"));
    p.caKey = d.filePath(QStringLiteral("ca.key"));
    p.serverCert = d.filePath(QStringLiteral("server.crt"));
    p.serverKey = d.filePath(QStringLiteral("server.key"));
    p.clientCert = d.filePath(QStringLiteral("client.crt"));
    p.clientKey = d.filePath(QStringLiteral("client.key"));
    p.otherCaCert = d.filePath(QStringLiteral("other-ca.crt"));
    const QStringList ec = {QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    if (!writeFile(d.filePath(QStringLiteral("server.ext")),
                   "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        || !writeFile(d.filePath(QStringLiteral("client.ext")), "extendedKeyUsage=clientAuth\n")) {
        *error = QStringLiteral("cannot write into %1").arg(dir);
        return false;
    }
    auto sign = [&](const QString &csr, const QString &cert, const char *ext) {
        return run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr, QStringLiteral("-CA"), p.caCert,
                    QStringLiteral("-CAkey"), p.caKey, QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), cert,
                    QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), QLatin1String(ext)},
                   dir, error);
    };
    const bool ok =
        run(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                + QStringList{QStringLiteral("-keyout"), p.caKey, QStringLiteral("-out"), p.caCert, QStringLiteral("-days"),
                              QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=fake-kube-ca")},
            dir, error)
        && run(QStringList{QStringLiteral("req")} + ec
                   + QStringList{QStringLiteral("-keyout"), p.serverKey, QStringLiteral("-out"), QStringLiteral("server.csr"),
                                 QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")},
               dir, error)
        && sign(QStringLiteral("server.csr"), p.serverCert, "server.ext")
        && run(QStringList{QStringLiteral("req")} + ec
                   + QStringList{QStringLiteral("-keyout"), p.clientKey, QStringLiteral("-out"), QStringLiteral("client.csr"),
                                 QStringLiteral("-subj"), QStringLiteral("/O=system:masters/CN=switchboard-test")},
               dir, error)
        && sign(QStringLiteral("client.csr"), p.clientCert, "client.ext")
        && run(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                   + QStringList{QStringLiteral("-keyout"), d.filePath(QStringLiteral("other-ca.key")), QStringLiteral("-out"),
                                 p.otherCaCert, QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                                 QStringLiteral("/CN=other-ca")},
               dir, error);
    if (ok)
        *out = p;
    return ok;
}

bool FakeKubeServer::issueServerCertificate(const Pki &pki, const QString &stem, const QString &subjectAltName,
                                            QString *cert, QString *key, QString *error)
{
    const QDir d = QFileInfo(pki.caCert).absoluteDir();
    const QString ext = d.filePath(stem + QStringLiteral(".ext"));
    const QString csr = d.filePath(stem + QStringLiteral(".csr"));
    const QString crtPath = d.filePath(stem + QStringLiteral(".crt"));
    const QString keyPath = d.filePath(stem + QStringLiteral(".key"));
    if (!writeFile(ext, "subjectAltName=" + subjectAltName.toUtf8() + "\nextendedKeyUsage=serverAuth\n")) {
        *error = QStringLiteral("cannot write %1").arg(ext);
        return false;
    }
    const bool ok =
        run({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
             QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), keyPath,
             QStringLiteral("-out"), csr, QStringLiteral("-subj"), QStringLiteral("/CN=") + stem},
            d.path(), error)
        && run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr, QStringLiteral("-CA"), pki.caCert,
                QStringLiteral("-CAkey"), pki.caKey, QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), crtPath,
                QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), ext},
               d.path(), error);
    if (ok) {
        *cert = crtPath;
        *key = keyPath;
    }
    return ok;
}

FakeKubeServer::FakeKubeServer(const std::optional<Tls> &tls)
    : m_state(std::make_unique<State>())
{
    moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("fake-kube-apiserver"));
    m_thread.start();
    QMetaObject::invokeMethod(this, [this, tls] { listen(tls); }, Qt::BlockingQueuedConnection);
}

FakeKubeServer::~FakeKubeServer()
{
    QMetaObject::invokeMethod(this, &FakeKubeServer::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString FakeKubeServer::url() const
{
    return m_url;
}

void FakeKubeServer::listen(const std::optional<Tls> &tls)
{
    if (tls) {
        auto *server = new QSslServer(this);
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(tls->certFile);
        QFile keyFile(tls->keyFile);
        const QSslKey key(keyFile.open(QIODevice::ReadOnly) ? keyFile.readAll() : QByteArray(), QSsl::Ec);
        if (certs.isEmpty() || key.isNull()) {
            m_error = QStringLiteral("cannot load %1 / %2").arg(tls->certFile, tls->keyFile);
            return;
        }
        conf.setLocalCertificate(certs.first());
        conf.setPrivateKey(key);
        if (!tls->clientCaFile.isEmpty()) {
            conf.setCaCertificates(QSslCertificate::fromPath(tls->clientCaFile));
            conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
        } else {
            conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        }
        server->setSslConfiguration(conf);
        m_server = server;
    } else {
        m_server = new QTcpServer(this);
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &FakeKubeServer::accept);
    if (!m_server->listen(QHostAddress::LocalHost, 0)) {
        m_error = m_server->errorString();
        return;
    }
    m_url = QStringLiteral("%1://127.0.0.1:%2").arg(tls ? QStringLiteral("https") : QStringLiteral("http")).arg(m_server->serverPort());
}

void FakeKubeServer::shutdown()
{
    delete m_server; // and with it every socket still open (hanging answers)
    m_server = nullptr;
}

void FakeKubeServer::accept()
{
    while (QTcpSocket *s = m_server->nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            m_state->buffers.remove(s);
            s->deleteLater();
        });
        if (s->bytesAvailable() > 0)
            read(s);
    }
}

void FakeKubeServer::respond(QTcpSocket *socket, int status, const QByteArray &body)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += body;
    socket->write(out);
    socket->disconnectFromHost();
}

void FakeKubeServer::read(QTcpSocket *socket)
{
    QByteArray &buf = m_state->buffers[socket];
    buf += socket->readAll();
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    Request req;
    const QList<QByteArray> lines = buf.left(end).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    req.method = first.value(0);
    const QByteArray target = first.value(1);
    req.path = QString::fromUtf8(target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')));
    if (target.indexOf('?') >= 0)
        req.query = QString::fromUtf8(QByteArray::fromPercentEncoding(target.mid(target.indexOf('?') + 1)));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    const qsizetype length = req.headers.value("content-length", "0").toLongLong();
    if (buf.size() < end + 4 + length)
        return; // the body is still coming
    req.body = buf.mid(end + 4, length);
    buf.clear();
    if (auto *ssl = qobject_cast<QSslSocket *>(socket); ssl && !ssl->peerCertificate().isNull())
        req.clientCertificateCn = ssl->peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0);

    if (req.method == "POST" && req.path == QLatin1String("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"))
        return accessReview(socket, req);

    std::function<void(const Request &)> hook;
    {
        QMutexLocker lock(&m_state->mutex);
        m_state->requests.append(req);
        hook = m_state->hook;
    }
    if (hook)
        hook(req);

    QMutexLocker lock(&m_state->mutex);
    State &st = *m_state;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    st.deployments.reconcile(st.objects, nowMs);
    if (req.method == "PATCH" && st.interferences > 0
        && (req.path == st.interferencePath || req.path == st.interferencePath + QStringLiteral("/status"))) {
        if (const auto other = st.objects.find(st.interferencePath); other != st.objects.end()) {
            other->second.merge_patch(st.interference);
            bump(&other->second);
            --st.interferences;
            ++st.interfered;
        }
    }
    const PathParts parts = partsOf(req.path);
    const QString resource = parts.plural + QLatin1Char('.') + parts.group;
    const bool patching = req.method == "PATCH";
    auto fail = [&](int code, const char *reason, const QString &message) {
        respond(socket, code, statusBody(code, QLatin1String(reason), message, parts));
    };

    for (qsizetype i = 0; i < st.faults.size(); ++i) {
        State::FaultRule &f = st.faults[i];
        if ((!f.method.isEmpty() && f.method != req.method) || (!f.suffix.isEmpty() && !req.path.endsWith(f.suffix)))
            continue;
        const Fault fault = f.fault;
        if (--f.times <= 0)
            st.faults.removeAt(i);
        switch (fault) {
        case Fault::Hang:
            return; // never answers; the socket dies with the server
        case Fault::Unauthorized:
            return fail(401, "Unauthorized", QStringLiteral("Unauthorized"));
        case Fault::Forbidden:
            return fail(403, "Forbidden",
                        QStringLiteral("%1 \"%2\" is forbidden: User \"system:serviceaccount:ci:switchboard\" cannot %3 resource \"%4%5\" "
                                       "in API group \"%6\" in the namespace \"%7\"")
                            .arg(resource, parts.name, patching ? QStringLiteral("patch") : QStringLiteral("get"), parts.plural,
                                 parts.status ? QStringLiteral("/status") : QString(), parts.group, parts.ns));
        case Fault::NotFound:
            return fail(404, "NotFound", QStringLiteral("%1 \"%2\" not found").arg(resource, parts.name));
        case Fault::Conflict:
            return fail(409, "Conflict",
                        QStringLiteral("Operation cannot be fulfilled on %1 \"%2\": the object has been modified; please apply "
                                       "your changes to the latest version and try again").arg(resource, parts.name));
        case Fault::ServerError:
            return fail(500, "InternalError", QStringLiteral("Internal error occurred: etcdserver: request timed out"));
        }
    }

    if (!st.bearer.isEmpty() && req.header("authorization") != "Bearer " + st.bearer)
        return fail(401, "Unauthorized", QStringLiteral("Unauthorized"));

    const QString objectPath = parts.status ? req.path.left(req.path.size() - int(qstrlen("/status")))
                               : parts.scale ? req.path.left(req.path.size() - int(qstrlen("/scale")))
                                             : req.path;
    const auto conflict = [&] {
        fail(409, "Conflict",
             QStringLiteral("Operation cannot be fulfilled on %1 \"%2\": the object has been modified; please apply "
                            "your changes to the latest version and try again").arg(resource, parts.name));
    };
    if (req.method == "POST" && parts.name.isEmpty() && !parts.plural.isEmpty()) {
        // Create: the name comes from the body; an existing name is AlreadyExists (409), and
        // the server sets resourceVersion, uid and creationTimestamp.
        json created = json::parse(req.body.toStdString(), nullptr, false);
        if (!created.is_object() || !created.contains("metadata") || !created["metadata"].is_object()
            || !created["metadata"].contains("name") || !created["metadata"]["name"].is_string())
            return fail(400, "BadRequest", QStringLiteral("the body of the request is not a valid object with metadata.name"));
        if (created["metadata"].contains("resourceVersion"))
            return fail(422, "Invalid", QStringLiteral("metadata.resourceVersion: Invalid value: must be empty on create"));
        const QString name = QString::fromStdString(created["metadata"]["name"].get<std::string>());
        const QString path = req.path + QLatin1Char('/') + name;
        if (st.objects.count(path))
            return fail(409, "AlreadyExists", QStringLiteral("%1 \"%2\" already exists").arg(resource, name));
        created["metadata"]["namespace"] = parts.ns.toStdString();
        created["metadata"]["resourceVersion"] = "1";
        created["metadata"]["uid"] = QStringLiteral("uid-%1").arg(qHash(path), 0, 16).toStdString();
        created["metadata"]["creationTimestamp"] =
            QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC).toString(Qt::ISODate).toStdString();
        st.objects[path] = created;
        st.deployments.recordWrite(st.objects, QStringLiteral("POST %1 %2").arg(req.path, QString::fromUtf8(req.body)), nowMs);
        return respond(socket, 201, QByteArray::fromStdString(created.dump()));
    }
    if (req.method == "PUT" && !parts.name.isEmpty() && !parts.status && !parts.scale) {
        // Replace: resourceVersion is required and must be the current one (optimistic
        // concurrency, as the API server does for Leases).
        const auto existing = st.objects.find(objectPath);
        if (existing == st.objects.end())
            return fail(404, "NotFound", QStringLiteral("%1 \"%2\" not found").arg(resource, parts.name));
        json replaced = json::parse(req.body.toStdString(), nullptr, false);
        if (!replaced.is_object() || !replaced.contains("metadata") || !replaced["metadata"].is_object())
            return fail(400, "BadRequest", QStringLiteral("the body of the request is not a valid object"));
        const json rv = replaced["metadata"].value("resourceVersion", json());
        if (!rv.is_string() || rv.get<std::string>().empty())
            return fail(422, "Invalid",
                        QStringLiteral("%1 \"%2\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
                            .arg(resource, parts.name));
        if (rv.get<std::string>() != existing->second["metadata"].value("resourceVersion", std::string()))
            return conflict();
        for (const char *kept : {"uid", "creationTimestamp", "namespace", "name"})
            if (existing->second["metadata"].contains(kept))
                replaced["metadata"][kept] = existing->second["metadata"][kept];
        existing->second = replaced;
        bump(&existing->second);
        st.deployments.recordWrite(st.objects, QStringLiteral("PUT %1 %2").arg(req.path, QString::fromUtf8(req.body)), nowMs);
        return respond(socket, 200, QByteArray::fromStdString(existing->second.dump()));
    }
    const auto it = st.objects.find(objectPath);
    if (it == st.objects.end() && req.method == "GET" && parts.name.isEmpty()) {
        // A collection: the objects one segment below it, filtered by labelSelector.
        QString selector;
        for (const QString &kv : req.query.split(QLatin1Char('&')))
            if (kv.startsWith(QLatin1String("labelSelector=")))
                selector = kv.mid(int(qstrlen("labelSelector=")));
        // As the API server answers: a <Kind>List of the collection's group and version, the
        // newest resourceVersion in its metadata; the items of built-in kinds (core, apps) carry
        // no kind and apiVersion of their own, those of custom resources do.
        json items = json::array();
        const QString prefix = req.path + QLatin1Char('/');
        const bool builtIn = req.path.startsWith(QLatin1String("/api/")) || req.path.startsWith(QLatin1String("/apis/apps/"));
        std::string kind;
        long long newest = 0;
        for (const auto &[p, o] : st.objects) {
            if (!p.startsWith(prefix) || p.mid(prefix.size()).contains(QLatin1Char('/')) || !labelsMatch(o, selector))
                continue;
            json item = o;
            if (kind.empty())
                kind = item.value("kind", std::string());
            const std::string rv = item["metadata"].value("resourceVersion", std::string("0"));
            newest = std::max(newest, std::atoll(rv.c_str()));
            if (builtIn) {
                item.erase("kind");
                item.erase("apiVersion");
            }
            items.push_back(std::move(item));
        }
        const QStringList segments = req.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        const QString apiVersion = segments.value(0) == QLatin1String("api") ? segments.value(1)
                                                                            : segments.value(1) + QLatin1Char('/') + segments.value(2);
        const json list = {{"kind", kind.empty() ? std::string("List") : kind + "List"},
                           {"apiVersion", apiVersion.toStdString()},
                           {"metadata", {{"resourceVersion", std::to_string(newest)}}},
                           {"items", items}};
        return respond(socket, 200, QByteArray::fromStdString(list.dump()));
    }
    if (it == st.objects.end() || (parts.status && !st.statusSubresource)) {
        if (it != st.objects.end())
            return fail(404, "NotFound", QStringLiteral("the server could not find the requested resource"));
        return fail(404, "NotFound", QStringLiteral("%1 \"%2\" not found").arg(resource, parts.name));
    }
    json &object = it->second;
    auto scaleOf = [&object, &parts] {
        return json{{"kind", "Scale"},
                    {"apiVersion", "autoscaling/v1"},
                    {"metadata", {{"name", parts.name.toStdString()}, {"namespace", parts.ns.toStdString()},
                                  {"resourceVersion", object["metadata"].value("resourceVersion", std::string())}}},
                    {"spec", {{"replicas", object["spec"].value("replicas", 1)}}},
                    {"status", {{"replicas", object["status"].value("replicas", 0)}}}};
    };
    if (req.method == "GET")
        return respond(socket, 200, QByteArray::fromStdString(parts.scale ? scaleOf().dump() : object.dump()));
    if (!patching)
        return fail(405, "MethodNotAllowed", QStringLiteral("the server does not allow this method on the requested resource"));

    const QByteArray type = req.header("content-type").split(';').value(0).trimmed();
    const bool strategic = type == "application/strategic-merge-patch+json";
    const bool jsonPatch = type == "application/json-patch+json";
    if (type != "application/merge-patch+json" && !strategic && !jsonPatch)
        return fail(415, "UnsupportedMediaType",
                    QStringLiteral("the body of the request was in an unknown format - accepted media types include: "
                                   "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    // Custom resources take no strategic merge patch, and no JSON patch here (the adapters of
    // those kinds send merge patches only); built-in kinds (apps/v1, core) take all three.
    const bool builtIn = parts.group.isEmpty() || parts.group == QLatin1String("apps");
    if ((strategic || jsonPatch) && !builtIn)
        return fail(415, "UnsupportedMediaType",
                    QStringLiteral("the body of the request was in an unknown format - accepted media types include: "
                                   "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    json patch = json::parse(req.body.toStdString(), nullptr, false);
    if (jsonPatch) {
        // RFC 6902 on the whole object; a resourceVersion it sets makes the write conditional.
        if (!patch.is_array())
            return fail(400, "BadRequest", QStringLiteral("error decoding patch: a JSON patch is an array"));
        json patched;
        try {
            patched = object.patch(patch);
        } catch (const json::exception &e) {
            return fail(422, "Invalid", QStringLiteral("the server rejected our request: %1").arg(QString::fromUtf8(e.what())));
        }
        if (patched["metadata"].value("resourceVersion", std::string()) != object["metadata"].value("resourceVersion", std::string()))
            return fail(409, "Conflict",
                        QStringLiteral("Operation cannot be fulfilled on %1 \"%2\": the object has been modified; please apply "
                                       "your changes to the latest version and try again").arg(resource, parts.name));
        const bool specChanged = patched.value("spec", json()) != object.value("spec", json());
        object = patched;
        if (specChanged)
            object["metadata"]["generation"] = object["metadata"].value("generation", 1) + 1;
        bump(&object);
        st.deployments.recordWrite(st.objects, QStringLiteral("PATCH %1 %2").arg(req.path, QString::fromUtf8(req.body)), nowMs);
        const json answer = object;
        st.deployments.reconcile(st.objects, nowMs);
        return respond(socket, 200, QByteArray::fromStdString(answer.dump()));
    }
    if (!patch.is_object())
        return fail(400, "BadRequest", QStringLiteral("error decoding patch: invalid JSON"));
    const std::string current = object["metadata"].value("resourceVersion", std::string());
    if (patch.contains("metadata") && patch["metadata"].is_object() && patch["metadata"].contains("resourceVersion")) {
        const json &rv = patch["metadata"]["resourceVersion"];
        if (!rv.is_string() || rv.get<std::string>() != current)
            return fail(409, "Conflict",
                        QStringLiteral("Operation cannot be fulfilled on %1 \"%2\": the object has been modified; please apply "
                                       "your changes to the latest version and try again").arg(resource, parts.name));
        patch["metadata"].erase("resourceVersion");
    }
    json effective = patch;
    if (parts.scale) {
        // The scale subresource takes spec.replicas only, into the Deployment.
        effective = json::object();
        if (patch.contains("spec") && patch["spec"].contains("replicas"))
            effective["spec"]["replicas"] = patch["spec"]["replicas"];
    } else if (parts.status) {
        // The status subresource takes status only.
        effective = json::object();
        if (patch.contains("status"))
            effective["status"] = patch["status"];
    } else if (st.statusSubresource) {
        effective.erase("status"); // CRDs with a status subresource ignore it on the object
    }
    const json specBefore = object.value("spec", json());
    if (strategic)
        strategicMerge(object, effective);
    else
        object.merge_patch(effective);
    if (parts.plural == QLatin1String("deployments") && object.value("spec", json()) != specBefore)
        object["metadata"]["generation"] = object["metadata"].value("generation", 1) + 1;
    bump(&object);
    st.deployments.recordWrite(st.objects, QStringLiteral("PATCH %1 %2").arg(req.path, QString::fromUtf8(req.body)), nowMs);
    const QByteArray answer = QByteArray::fromStdString(parts.scale ? scaleOf().dump() : object.dump());
    st.deployments.reconcile(st.objects, nowMs);
    respond(socket, 200, answer);
}

void FakeKubeServer::accessReview(QTcpSocket *socket, const Request &req)
{
    QMutexLocker lock(&m_state->mutex);
    State &st = *m_state;
    st.accessReviews.append(req);
    // Only a fault aimed at the reviews hits them: the existing fault rules target resources.
    for (qsizetype i = 0; i < st.faults.size(); ++i) {
        State::FaultRule &f = st.faults[i];
        if (!f.suffix.endsWith(QLatin1String("selfsubjectaccessreviews")) || !req.path.endsWith(f.suffix))
            continue;
        const Fault fault = f.fault;
        if (--f.times <= 0)
            st.faults.removeAt(i);
        if (fault == Fault::Hang)
            return;
        return respond(socket, 500, "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":500}");
    }
    if (!st.bearer.isEmpty() && req.header("authorization") != "Bearer " + st.bearer)
        return respond(socket, 401, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Unauthorized\",\"code\":401}");
    json review = json::parse(req.body.toStdString(), nullptr, false);
    if (!review.is_object() || !review.contains("spec") || !review["spec"].contains("resourceAttributes"))
        return respond(socket, 400, "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":400}");
    const json &attrs = review["spec"]["resourceAttributes"];
    const QString verb = QString::fromStdString(attrs.value("verb", std::string()));
    QString resource = QString::fromStdString(attrs.value("resource", std::string()));
    const std::string sub = attrs.value("subresource", std::string());
    if (!sub.empty())
        resource += QLatin1Char('/') + QString::fromStdString(sub);
    bool allowed = true;
    QString reason;
    for (const State::Access &a : std::as_const(st.access)) {
        if (a.verb == verb && (a.resource.isEmpty() || a.resource == resource)) {
            allowed = a.allowed;
            reason = a.reason;
        }
    }
    review["status"] = {{"allowed", allowed}};
    if (!reason.isEmpty())
        review["status"]["reason"] = reason.toStdString();
    respond(socket, 201, QByteArray::fromStdString(review.dump()));
}

void FakeKubeServer::setAccess(const QString &verb, bool allowed, const QString &reason, const QString &resource)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->access.append({verb, resource, allowed, reason});
}

QList<FakeKubeServer::Request> FakeKubeServer::accessReviews() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->accessReviews;
}

void FakeKubeServer::put(const QString &path, const QByteArray &data)
{
    json object = json::parse(data.toStdString());
    if (!object["metadata"].contains("resourceVersion"))
        object["metadata"]["resourceVersion"] = "1";
    if (path.contains(QLatin1String("/deployments/")) && !object["metadata"].contains("generation"))
        object["metadata"]["generation"] = 1;
    QMutexLocker lock(&m_state->mutex);
    m_state->objects[path] = object;
}

QByteArray FakeKubeServer::resource(const QString &path) const
{
    QMutexLocker lock(&m_state->mutex);
    const auto it = m_state->objects.find(path);
    return it == m_state->objects.end() ? QByteArray() : QByteArray::fromStdString(it->second.dump());
}

QString FakeKubeServer::resourceVersion(const QString &path) const
{
    QMutexLocker lock(&m_state->mutex);
    const auto it = m_state->objects.find(path);
    return it == m_state->objects.end() ? QString()
                                        : QString::fromStdString(it->second["metadata"].value("resourceVersion", std::string()));
}

void FakeKubeServer::mergePatch(const QString &path, const QByteArray &patch)
{
    QMutexLocker lock(&m_state->mutex);
    json &object = m_state->objects.at(path);
    object.merge_patch(json::parse(patch.toStdString()));
    bump(&object);
}

void FakeKubeServer::setStatusSubresource(bool enabled)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->statusSubresource = enabled;
}

void FakeKubeServer::setRequiredBearer(const QByteArray &token)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->bearer = token;
}

void FakeKubeServer::addFault(Fault fault, const QByteArray &method, const QString &pathSuffix, int times)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->faults.append({fault, method, pathSuffix, times});
}

void FakeKubeServer::changeBeforePatches(const QString &path, const QByteArray &patch, int times)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->interferencePath = path;
    m_state->interference = json::parse(patch.toStdString());
    m_state->interferences = times;
    m_state->interfered = 0;
}

int FakeKubeServer::changesBeforePatches() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->interfered;
}

void FakeKubeServer::setOnRequest(std::function<void(const Request &)> hook)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->hook = std::move(hook);
}

void FakeKubeServer::setPodReadyDelayMs(int ms)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->deployments.setReadyDelayMs(ms);
}

void FakeKubeServer::setPods(const QString &image, FakeDeploymentController::Pods behaviour)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->deployments.setPods(image, behaviour);
}

QList<FakeDeploymentController::Moment> FakeKubeServer::deploymentHistory() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->deployments.history();
}

void FakeKubeServer::reconcileNow()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->deployments.reconcile(m_state->objects, QDateTime::currentMSecsSinceEpoch());
}

QList<FakeKubeServer::Request> FakeKubeServer::requests() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests;
}

QList<FakeKubeServer::Request> FakeKubeServer::requests(const QByteArray &method) const
{
    QList<Request> out;
    for (const Request &r : requests()) {
        if (r.method == method)
            out.append(r);
    }
    return out;
}

void FakeKubeServer::clearRequests()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
}

} // namespace Switchboard::Test
