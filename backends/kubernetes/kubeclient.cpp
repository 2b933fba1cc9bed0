#include "kubeclient.h"

#include "curleasy.h"
#include "kubeerrormessage.h"
#include "kubeexeccredential.h"
#include "kubelistreader.h"
#include "kuberoute.h"

#include <QFile>

namespace Switchboard {

namespace {

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

// A blob libcurl copies when the option is set.
curl_blob blob(const QByteArray &data)
{
    return curl_blob{const_cast<char *>(data.constData()), size_t(data.size()), CURL_BLOB_COPY};
}

} // namespace

KubeClient::KubeClient(Settings settings)
    : m_settings(std::move(settings))
    , m_route(std::make_unique<KubeRoute>())
    , m_curl(std::make_unique<CurlEasy>())
{
}

KubeClient::~KubeClient() = default;

bool KubeClient::ensureConfig(QString *error)
{
    if (m_loaded)
        return true;
    KubeConfig c;
    if (!KubeConfig::load(m_settings.kubeconfig, m_settings.context, m_settings.env, &c, error))
        return false;
    m_config = c;
    m_exec.reset();
    if (m_config.exec && m_config.token.isEmpty() && m_config.tokenFile.isEmpty())
        m_exec = std::make_unique<KubeExecCredential>(m_config, m_settings.env, m_settings.execTimeoutMs);
    m_secrets.clear();
    KubeRoute route;
    if (!KubeRoute::build(m_config, m_settings.env, &route, error))
        return false;
    for (const QString &s : {m_config.token, m_config.password, route.proxyPassword}) {
        if (s.size() >= 3)
            m_secrets.append(s);
    }
    *m_route = route;
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

KubeClient::Reply KubeClient::post(const QString &path, const QByteArray &body)
{
    return perform("POST", path, body, QByteArrayLiteral("application/json"));
}

KubeClient::Reply KubeClient::put(const QString &path, const QByteArray &body)
{
    return perform("PUT", path, body, QByteArrayLiteral("application/json"));
}

bool KubeClient::credentials(Credentials *out, QString *error)
{
    Credentials c{m_config.token, m_config.clientCertData, m_config.clientKeyData};
    if (c.bearer.isEmpty() && !m_config.tokenFile.isEmpty() && !readToken(m_config.tokenFile, m_config.userName, &c.bearer, error))
        return false;
    if (m_exec) {
        KubeExecCredential::Credential issued;
        if (!m_exec->get(&issued, error))
            return false;
        if (c.bearer.isEmpty())
            c.bearer = issued.token;
        if (!issued.clientCertData.isEmpty()) {
            c.certData = issued.clientCertData;
            c.keyData = issued.clientKeyData;
        }
    }
    if (c.bearer.size() >= 3 && !m_secrets.contains(c.bearer))
        m_secrets.append(c.bearer);
    *out = c;
    return true;
}

// The cluster's trust for the server (and an https:// proxy) and the user's client certificate.
void KubeClient::setTls(const Credentials &credentials)
{
    CURL *c = m_curl->handle();
    if (m_config.insecureSkipTlsVerify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    // With a cluster CA, trust only it, as kubectl does, not the system's store as well.
    curl_blob caBlob = blob(m_config.caData);
    if (!m_config.caData.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &caBlob);
    } else if (!m_config.caFile.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(c, CURLOPT_CAINFO, QFile::encodeName(m_config.caFile).constData());
    }
    if (m_route->httpsProxy) {
        // kubectl (Go's transport) checks an https:// proxy's certificate with the cluster's TLS
        // settings: its CA when it has one (else the system's), insecure-skip-tls-verify too.
        // The client certificate is not offered to the proxy.
        if (m_config.insecureSkipTlsVerify) {
            curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYHOST, 0L);
        }
        if (!m_config.caData.isEmpty()) {
            curl_easy_setopt(c, CURLOPT_PROXY_CAPATH, nullptr);
            curl_easy_setopt(c, CURLOPT_PROXY_CAINFO, nullptr);
            curl_easy_setopt(c, CURLOPT_PROXY_CAINFO_BLOB, &caBlob);
        } else if (!m_config.caFile.isEmpty()) {
            curl_easy_setopt(c, CURLOPT_PROXY_CAPATH, nullptr);
            curl_easy_setopt(c, CURLOPT_PROXY_CAINFO, QFile::encodeName(m_config.caFile).constData());
        }
    }
    curl_blob certBlob = blob(credentials.certData);
    curl_blob keyBlob = blob(credentials.keyData);
    if (!credentials.certData.isEmpty()) {
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
}

KubeClient::Reply KubeClient::perform(const char *method, const QString &path, const QByteArray &body,
                                      const QByteArray &contentType)
{
    // A write (whatever its outcome) makes the thread's cached list of its collection old: the
    // next refresh reads the server (KubeListReader).
    if (qstrcmp(method, "GET") != 0)
        KubeListReader::noteWrite(path);
    Reply r;
    if (!m_curl->isValid()) {
        r.error = Reply::Error::Network;
        r.message = QStringLiteral("libcurl could not create a handle");
        return r;
    }
    Credentials credentials;
    if (!ensureConfig(&r.message) || !this->credentials(&credentials, &r.message)) {
        r.error = Reply::Error::Config;
        return r;
    }

    m_curl->begin({m_route->baseUrl + path.toUtf8(), m_settings.connectTimeoutMs, m_settings.timeoutMs,
                   m_settings.maxResponseBytes});
    CURL *c = m_curl->handle();
    if (qstrcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.constData()); // `body` outlives perform()
    }
    if (!m_route->connectTo.isEmpty())
        m_curl->setList(CURLOPT_CONNECT_TO, {m_route->connectTo});
    // Always set, so libcurl never picks a proxy from the process environment on its own: the
    // route decided which proxy (if any) kubectl would use. An empty NOPROXY keeps no_proxy from
    // exempting hosts from proxy-url, which kubectl applies to every request.
    curl_easy_setopt(c, CURLOPT_PROXY, m_route->proxy.constData());
    curl_easy_setopt(c, CURLOPT_NOPROXY, "");
    setTls(credentials);
    const QByteArray user = m_config.username.toUtf8();
    const QByteArray password = m_config.password.toUtf8();
    if (!user.isEmpty() && credentials.bearer.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }
    // No "Expect: 100-continue" round trip before a patch body.
    QList<QByteArray> headers{QByteArrayLiteral("Accept: application/json"), QByteArrayLiteral("Expect:")};
    if (!contentType.isEmpty())
        headers.append("Content-Type: " + contentType);
    if (!credentials.bearer.isEmpty())
        headers.append("Authorization: Bearer " + credentials.bearer.toUtf8());
    if (!m_route->hostHeader.isEmpty())
        headers.append(m_route->hostHeader);
    m_curl->setHeaders(headers);

    const CurlEasy::Result result = m_curl->perform();
    const KubeErrorMessage context{
        .config = m_config,
        .route = *m_route,
        .method = QByteArray(method),
        .path = path,
        .clientCertificate = !credentials.certData.isEmpty() || !m_config.clientCertFile.isEmpty(),
        .connectTimeoutMs = m_settings.connectTimeoutMs,
        .timeoutMs = m_settings.timeoutMs,
        .maxResponseBytes = m_settings.maxResponseBytes,
    };
    r = context.reply(result);
    r.message = redact(r.message);
    if (r.error == Reply::Error::Unauthorized && m_exec)
        m_exec->invalidate(); // as client-go: the next request asks the plugin again
    return r;
}

} // namespace Switchboard
