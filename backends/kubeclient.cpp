#include "kubeclient.h"

#include "kubeexeccredential.h"

#include <QFile>

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <mutex>
#include <string>

namespace Switchboard {

namespace {

using json = nlohmann::json;

void curlGlobalInit()
{
    // curl_global_init is not thread-safe on every build; backends start on several threads.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CURL *handle(void *p)
{
    return static_cast<CURL *>(p);
}

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
}

struct Exchange
{
    std::string body;
    qint64 cap = 0;
    bool tooLarge = false;
};

size_t onWrite(char *data, size_t size, size_t count, void *userData)
{
    auto *x = static_cast<Exchange *>(userData);
    const size_t n = size * count;
    if (qint64(x->body.size() + n) > x->cap) {
        x->tooLarge = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    x->body.append(data, n);
    return n;
}

// The message and reason of a Kubernetes Status answer ({"kind":"Status","message":...}).
void statusOf(const std::string &body, QString *message, QString *reason)
{
    const json doc = json::parse(body, nullptr, false);
    if (!doc.is_object())
        return;
    auto str = [&doc](const char *key) {
        const auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
    };
    if (str("kind") != QStringLiteral("Status"))
        return;
    *message = str("message").simplified();
    *reason = str("reason");
}

// The first line of a non-JSON error body (a proxy's HTML page), bounded.
QString snippet(const std::string &body)
{
    QString s = QString::fromUtf8(body.data(), qsizetype(std::min<std::size_t>(body.size(), 300)));
    s = s.section(QLatin1Char('\n'), 0, 0).simplified();
    return s.size() > 160 ? s.left(160) + QStringLiteral("...") : s;
}

bool readToken(const QString &path, const QString &user, QString *token, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read tokenFile %1 of user \"%2\": %3").arg(path, user, f.errorString());
        return false;
    }
    *token = QString::fromUtf8(f.read(64 * 1024)).trimmed();
    if (token->isEmpty() || token->contains(QLatin1Char('\n'))) {
        *error = QStringLiteral("tokenFile %1 of user \"%2\" is empty or holds more than one line").arg(path, user);
        return false;
    }
    return true;
}

} // namespace

KubeClient::KubeClient(Settings settings)
    : m_settings(std::move(settings))
{
    curlGlobalInit();
    m_curl = curl_easy_init();
}

KubeClient::~KubeClient()
{
    curl_easy_cleanup(handle(m_curl));
}

bool KubeClient::ensureConfig(QString *error)
{
    if (m_loaded)
        return true;
    KubeConfig c;
    if (!KubeConfig::load(m_settings.kubeconfig, m_settings.context, m_settings.env, &c, error))
        return false;
    if (!c.tlsServerName.isEmpty())
        c.warnings.append(QStringLiteral("tls-server-name of cluster \"%1\" is ignored: the server certificate must be valid for %2")
                              .arg(c.clusterName, c.server));
    m_config = c;
    m_exec.reset();
    if (m_config.exec && m_config.token.isEmpty() && m_config.tokenFile.isEmpty())
        m_exec = std::make_unique<KubeExecCredential>(m_config, m_settings.env, m_settings.execTimeoutMs);
    m_secrets.clear();
    for (const QString &s : {m_config.token, m_config.password}) {
        if (s.size() >= 3)
            m_secrets.append(s);
    }
    m_loaded = true;
    return true;
}

QString KubeClient::redact(QString text) const
{
    for (const QString &s : m_secrets)
        text.replace(s, QStringLiteral("***"));
    return text;
}

KubeClient::Reply KubeClient::get(const QString &path)
{
    return perform("GET", path, {}, {});
}

KubeClient::Reply KubeClient::patch(const QString &path, const QByteArray &body, const QByteArray &contentType)
{
    return perform("PATCH", path, body, contentType);
}

KubeClient::Reply KubeClient::perform(const char *method, const QString &path, const QByteArray &body,
                                      const QByteArray &contentType)
{
    Reply r;
    if (!m_curl) {
        r.error = Reply::Error::Network;
        r.message = QStringLiteral("libcurl could not create a handle");
        return r;
    }
    if (!ensureConfig(&r.message)) {
        r.error = Reply::Error::Config;
        return r;
    }

    // Credentials are gathered per request: a token file may have been rotated, an exec
    // credential may have expired.
    QString bearer = m_config.token;
    QByteArray certData = m_config.clientCertData;
    QByteArray keyData = m_config.clientKeyData;
    if (bearer.isEmpty() && !m_config.tokenFile.isEmpty() && !readToken(m_config.tokenFile, m_config.userName, &bearer, &r.message)) {
        r.error = Reply::Error::Config;
        return r;
    }
    if (m_exec) {
        KubeExecCredential::Credential c;
        if (!m_exec->get(&c, &r.message)) {
            r.error = Reply::Error::Config;
            return r;
        }
        if (bearer.isEmpty())
            bearer = c.token;
        if (!c.clientCertData.isEmpty()) {
            certData = c.clientCertData;
            keyData = c.clientKeyData;
        }
    }
    if (bearer.size() >= 3 && !m_secrets.contains(bearer))
        m_secrets.append(bearer);

    CURL *c = handle(m_curl);
    // Reset options, keep the connection cache: a poll every second reuses one connection.
    curl_easy_reset(c);
    char errbuf[CURL_ERROR_SIZE] = {};
    const QByteArray url = m_config.server.toUtf8() + path.toUtf8();
    Exchange x;
    x.cap = m_settings.maxResponseBytes;
    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); // we run on a worker thread: no SIGALRM
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); // a redirect could carry the token elsewhere
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(m_settings.connectTimeoutMs));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(m_settings.timeoutMs));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "switchboard/" SWITCHBOARD_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &onWrite);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    if (qstrcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.constData());
    }

    if (m_config.insecureSkipTlsVerify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    // With a cluster CA, trust only it, as kubectl does, not the system's store as well.
    curl_blob caBlob{const_cast<char *>(m_config.caData.constData()), size_t(m_config.caData.size()), CURL_BLOB_COPY};
    if (!m_config.caData.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &caBlob);
    } else if (!m_config.caFile.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO, QFile::encodeName(m_config.caFile).constData());
    }
    curl_blob certBlob{const_cast<char *>(certData.constData()), size_t(certData.size()), CURL_BLOB_COPY};
    curl_blob keyBlob{const_cast<char *>(keyData.constData()), size_t(keyData.size()), CURL_BLOB_COPY};
    if (!certData.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &certBlob);
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &keyBlob);
    } else if (!m_config.clientCertFile.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLCERT, QFile::encodeName(m_config.clientCertFile).constData());
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLKEY, QFile::encodeName(m_config.clientKeyFile).constData());
    }
    const QByteArray user = m_config.username.toUtf8();
    const QByteArray password = m_config.password.toUtf8();
    if (!user.isEmpty() && bearer.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }

    curl_slist *headers = curl_slist_append(nullptr, "Accept: application/json");
    // No "Expect: 100-continue" round trip before a patch body.
    headers = curl_slist_append(headers, "Expect:");
    if (!contentType.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Content-Type: " + contentType).constData());
    if (!bearer.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Authorization: Bearer " + bearer.toUtf8()).constData());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    const CURLcode code = curl_easy_perform(c);
    long status = 0;
    long osErrno = 0;
    curl_off_t connectUs = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &osErrno);
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connectUs);
    const QString curlMessage = QString::fromUtf8(errbuf[0] ? errbuf : curl_easy_strerror(code)).trimmed();
    // The handle keeps pointers to these; drop them before they go out of scope.
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);

    const QString server = m_config.server;
    const QString ctx = QStringLiteral("context \"%1\"").arg(m_config.contextName);
    const QString request = QStringLiteral("%1 %2").arg(QLatin1String(method), path);
    r.httpStatus = int(status);
    if (x.tooLarge) {
        r.error = Reply::Error::Network;
        r.message = QStringLiteral("answer to %1 is larger than %2 MiB: aborted").arg(request).arg(m_settings.maxResponseBytes >> 20);
        return r;
    }
    if (code != CURLE_OK) {
        switch (code) {
        case CURLE_COULDNT_CONNECT:
            r.error = Reply::Error::Network;
            r.message = osErrno == ECONNREFUSED
                ? QStringLiteral("connection refused by %1 (%2): is the API server up and reachable?").arg(server, ctx)
                : QStringLiteral("cannot connect to %1 (%2): %3").arg(server, ctx, curlMessage);
            break;
        case CURLE_COULDNT_RESOLVE_HOST:
            r.error = Reply::Error::Network;
            r.message = QStringLiteral("cannot resolve the host of %1 (%2)").arg(server, ctx);
            break;
        case CURLE_OPERATION_TIMEDOUT:
            r.error = Reply::Error::Timeout;
            r.message = connectUs > 0 || status > 0
                ? QStringLiteral("no answer from %1 within %2 to %3 (timeout)").arg(server, seconds(m_settings.timeoutMs), request)
                : QStringLiteral("cannot connect to %1 within %2 (timeout, %3)").arg(server, seconds(m_settings.connectTimeoutMs), ctx);
            break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
            r.error = Reply::Error::Tls;
            r.message = QStringLiteral("TLS certificate of %1 not trusted (%2): check certificate-authority(-data) of cluster \"%3\" in %4")
                            .arg(server, curlMessage, m_config.clusterName, m_config.clusterFile);
            break;
        case CURLE_SSL_CERTPROBLEM:
            r.error = Reply::Error::Tls;
            r.message = QStringLiteral("client certificate of user \"%1\" (%2) is unusable: %3")
                            .arg(m_config.userName, m_config.userFile, curlMessage);
            break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CIPHER:
            r.error = Reply::Error::Tls;
            r.message = QStringLiteral("TLS handshake with %1 failed (%2): %3").arg(server, ctx, curlMessage);
            break;
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
            r.error = Reply::Error::Network;
            r.message = QStringLiteral("connection to %1 lost during %2: %3").arg(server, request, curlMessage);
            // What a server that wants a client certificate looks like from here under TLS 1.3:
            // the handshake "works", then the server hangs up.
            if (server.startsWith(QStringLiteral("https://")) && certData.isEmpty() && m_config.clientCertFile.isEmpty())
                r.message += QStringLiteral(" (if the server requires a client certificate: user \"%1\" has none)").arg(m_config.userName);
            break;
        default:
            r.error = Reply::Error::Network;
            r.message = QStringLiteral("%1 to %2 failed: %3").arg(request, server, curlMessage);
            break;
        }
        r.message = redact(r.message);
        return r;
    }

    r.body = QByteArray::fromStdString(x.body);
    if (status >= 200 && status < 300)
        return r;
    QString message;
    statusOf(x.body, &message, &r.reason);
    message = redact(message);
    switch (status) {
    case 401:
        r.error = Reply::Error::Unauthorized;
        r.message = QStringLiteral("unauthorized: check the credentials of %1").arg(m_config.describe());
        if (m_exec)
            m_exec->invalidate(); // as client-go: the next request asks the plugin again
        break;
    case 403:
        r.error = Reply::Error::Forbidden;
        r.message = QStringLiteral("forbidden: %1").arg(message.isEmpty() ? request : message);
        break;
    case 404:
        r.error = Reply::Error::NotFound;
        r.message = QStringLiteral("not found: %1").arg(path) + (message.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(message));
        break;
    case 409:
        r.error = Reply::Error::Conflict;
        r.message = QStringLiteral("conflict: %1").arg(message.isEmpty() ? QStringLiteral("the object changed on the server") : message);
        break;
    default:
        r.error = Reply::Error::Http;
        if (message.isEmpty())
            message = redact(snippet(x.body));
        r.message = status >= 300 && status < 400
            ? QStringLiteral("HTTP %1 redirect from %2 for %3: redirects are not followed, check the server of cluster \"%4\"")
                  .arg(status).arg(server, request, m_config.clusterName)
            : QStringLiteral("HTTP %1 from %2 for %3%4").arg(status).arg(server, request,
                                                                          message.isEmpty() ? QString() : QStringLiteral(": ") + message);
        break;
    }
    return r;
}

} // namespace Switchboard
