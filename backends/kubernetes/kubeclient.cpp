#include "kubeclient.h"

#include "kubeexeccredential.h"

#include <QFile>
#include <QHostAddress>
#include <QUrl>

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

// A URL's parts as libcurl reads them: the host it connects to (IPv6 in brackets), the port as
// written (empty when none) and the port it uses.
struct UrlParts
{
    QByteArray scheme;
    QByteArray host;
    QByteArray port;
    QByteArray effectivePort;
};

QByteArray urlPart(CURLU *u, CURLUPart part, unsigned int flags = 0)
{
    char *value = nullptr;
    if (curl_url_get(u, part, &value, flags) != CURLUE_OK)
        return {};
    QByteArray out(value);
    curl_free(value);
    return out;
}

bool parseUrl(const QByteArray &url, UrlParts *out)
{
    CURLU *u = curl_url();
    const bool ok = u && curl_url_set(u, CURLUPART_URL, url.constData(), 0) == CURLUE_OK;
    if (ok) {
        out->scheme = urlPart(u, CURLUPART_SCHEME);
        out->host = urlPart(u, CURLUPART_HOST);
        out->port = urlPart(u, CURLUPART_PORT);
        out->effectivePort = urlPart(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    }
    curl_url_cleanup(u);
    return ok && !out->host.isEmpty() && !out->effectivePort.isEmpty();
}

// `url` with another host, as libcurl writes it back; the trailing '/' it adds is dropped, as the
// kubeconfig's server URL has none and API paths start with one.
bool replaceHost(const QByteArray &url, const QByteArray &host, QByteArray *out)
{
    CURLU *u = curl_url();
    bool ok = u && curl_url_set(u, CURLUPART_URL, url.constData(), 0) == CURLUE_OK
        && curl_url_set(u, CURLUPART_HOST, host.constData(), 0) == CURLUE_OK;
    if (ok) {
        *out = urlPart(u, CURLUPART_URL);
        while (out->endsWith('/'))
            out->chop(1);
        ok = !out->isEmpty();
    }
    curl_url_cleanup(u);
    return ok;
}

QString unbracketed(const QByteArray &host)
{
    const QString h = QString::fromUtf8(host);
    return h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')) ? h.mid(1, h.size() - 2) : h;
}

// NO_PROXY as kubectl reads it (Go's golang.org/x/net/http/httpproxy): "*"; an IP or CIDR; a
// domain, matching itself and its subdomains; ".domain" or "*.domain", subdomains only; each
// optionally with ":port". libcurl's own matcher differs (a leading dot, ports), hence this.
bool noProxyMatches(const QString &list, const QString &host, const QString &port)
{
    const QString h = host.toLower();
    const QHostAddress ip(h);
    for (QString entry : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        entry = entry.trimmed().toLower();
        if (entry.isEmpty())
            continue;
        if (entry == QStringLiteral("*"))
            return true;
        if (entry.contains(QLatin1Char('/'))) {
            const auto subnet = QHostAddress::parseSubnet(entry);
            if (!ip.isNull() && subnet.second >= 0 && ip.isInSubnet(subnet))
                return true;
            continue;
        }
        QString entryHost = entry;
        QString entryPort;
        if (entry.startsWith(QLatin1Char('['))) {
            const qsizetype close = entry.indexOf(QLatin1Char(']'));
            if (close < 0)
                continue;
            entryHost = entry.mid(1, close - 1);
            if (entry.mid(close + 1).startsWith(QLatin1Char(':')))
                entryPort = entry.mid(close + 2);
        } else if (entry.count(QLatin1Char(':')) == 1) {
            entryHost = entry.section(QLatin1Char(':'), 0, 0);
            entryPort = entry.section(QLatin1Char(':'), 1);
        }
        if (entryHost.isEmpty())
            continue;
        const bool portMatches = entryPort.isEmpty() || entryPort == port;
        if (const QHostAddress entryIp(entryHost); !entryIp.isNull()) {
            if (!ip.isNull() && ip.isEqual(entryIp) && portMatches)
                return true;
            continue;
        }
        if (entryHost.startsWith(QStringLiteral("*.")))
            entryHost = entryHost.mid(1);
        const bool matchesItself = !entryHost.startsWith(QLatin1Char('.'));
        const QString suffix = matchesItself ? QLatin1Char('.') + entryHost : entryHost;
        if ((h.endsWith(suffix) || (matchesItself && h == entryHost)) && portMatches)
            return true;
    }
    return false;
}

// The proxy kubectl takes from the environment for the server (Go's ProxyFromEnvironment):
// HTTPS_PROXY / https_proxy for an https server, HTTP_PROXY / http_proxy for an http one (upper
// case first), never for localhost or a loopback address, not for hosts NO_PROXY / no_proxy
// names. Empty: go direct.
QString environmentProxy(const QProcessEnvironment &env, const UrlParts &server, QString *variable)
{
    const bool https = server.scheme == "https";
    const QStringList names = https ? QStringList{QStringLiteral("HTTPS_PROXY"), QStringLiteral("https_proxy")}
                                    : QStringList{QStringLiteral("HTTP_PROXY"), QStringLiteral("http_proxy")};
    QString value;
    for (const QString &name : names) {
        value = env.value(name);
        if (!value.isEmpty()) {
            *variable = name;
            break;
        }
    }
    if (value.isEmpty())
        return {};
    const QString host = unbracketed(server.host);
    if (host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0 || QHostAddress(host).isLoopback())
        return {};
    QString noProxy = env.value(QStringLiteral("NO_PROXY"));
    if (noProxy.isEmpty())
        noProxy = env.value(QStringLiteral("no_proxy"));
    if (noProxyMatches(noProxy, host, QString::fromUtf8(server.effectivePort)))
        return {};
    return value;
}

struct Proxy
{
    QByteArray curl;  // for CURLOPT_PROXY, credentials included
    QString name;     // without credentials
    QString password; // to keep out of messages
    bool https = false;
};

// A proxy URL as libcurl must get it to behave like kubectl: Go's default ports written out
// (libcurl would take 1080 for an http:// proxy without one), and socks5 as socks5h, since Go's
// SOCKS5 dialer lets the proxy resolve the server's name. `lenient`: an environment value,
// which Go also accepts as a bare "host:port" (meaning http://).
bool proxyForCurl(const QString &text, bool lenient, Proxy *out)
{
    auto usable = [](const QUrl &u) {
        const QString scheme = u.scheme().toLower();
        return u.isValid() && !u.host().isEmpty()
            && (scheme == QStringLiteral("http") || scheme == QStringLiteral("https") || scheme == QStringLiteral("socks5"));
    };
    QUrl url(text, QUrl::StrictMode);
    if (lenient && !usable(url))
        url = QUrl(QStringLiteral("http://") + text, QUrl::StrictMode);
    if (!usable(url))
        return false;
    const QString scheme = url.scheme().toLower();
    url.setScheme(scheme);
    if (url.port() < 0)
        url.setPort(scheme == QStringLiteral("https") ? 443 : scheme == QStringLiteral("socks5") ? 1080 : 80);
    url.setPath(QString());
    out->name = url.toString(QUrl::RemoveUserInfo);
    out->password = url.password();
    out->https = scheme == QStringLiteral("https");
    if (scheme == QStringLiteral("socks5"))
        url.setScheme(QStringLiteral("socks5h"));
    out->curl = url.toEncoded();
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
    m_config = c;
    m_exec.reset();
    if (m_config.exec && m_config.token.isEmpty() && m_config.tokenFile.isEmpty())
        m_exec = std::make_unique<KubeExecCredential>(m_config, m_settings.env, m_settings.execTimeoutMs);
    m_secrets.clear();
    for (const QString &s : {m_config.token, m_config.password}) {
        if (s.size() >= 3)
            m_secrets.append(s);
    }
    if (!buildRoute(error))
        return false;
    m_loaded = true;
    return true;
}

bool KubeClient::buildRoute(QString *error)
{
    Route r;
    const QString clusterAt = QStringLiteral("cluster \"%1\" in %2").arg(m_config.clusterName, m_config.clusterFile);
    UrlParts server;
    if (!parseUrl(m_config.server.toUtf8(), &server)) {
        *error = QStringLiteral("server %1 of %2 is not a URL libcurl can use").arg(m_config.server, clusterAt);
        return false;
    }
    r.baseUrl = m_config.server.toUtf8();
    r.verifyName = unbracketed(server.host);

    const QString &name = m_config.tlsServerName;
    if (!name.isEmpty() && server.scheme == "https" && name.compare(r.verifyName, Qt::CaseInsensitive) != 0) {
        // kubectl connects to the server URL's host and port but checks the certificate against,
        // and sends SNI for, tls-server-name. libcurl takes both from the URL's host, so the URL
        // gets tls-server-name as its host and CONNECT_TO sends the TCP connection to the real
        // host and port; nothing resolves tls-server-name. What else the swap changes: libcurl
        // would send "Host: <tls-server-name>:PORT", so the header is set back to the server's
        // host[:port] as kubectl sends it (the API server and anything in front of it see what
        // they see from kubectl); through an HTTP proxy, CONNECT names the real host too (libcurl
        // tunnels to the CONNECT_TO target), again as kubectl; libcurl's own error texts name
        // tls-server-name, ours name the server URL.
        const QByteArray urlName = name.contains(QLatin1Char(':')) ? '[' + name.toUtf8() + ']' : name.toUtf8();
        if (!replaceHost(r.baseUrl, urlName, &r.baseUrl)) {
            *error = QStringLiteral("tls-server-name \"%1\" of %2 is not a host name libcurl accepts").arg(name, clusterAt);
            return false;
        }
        r.connectTo = urlName + ':' + server.effectivePort + ':' + server.host + ':' + server.effectivePort;
        r.hostHeader = "Host: " + server.host + (server.port.isEmpty() ? QByteArray() : ':' + server.port);
        r.verifyName = name;
    }

    // kubectl: the cluster's proxy-url for every request when set (NO_PROXY does not apply to
    // it); otherwise the environment's proxy.
    QString text;
    const bool fromKubeconfig = !m_config.proxyUrl.isEmpty();
    if (fromKubeconfig) {
        text = m_config.proxyUrl;
        r.proxyOrigin = QStringLiteral("proxy-url of %1").arg(clusterAt);
    } else {
        QString variable;
        text = environmentProxy(m_settings.env, server, &variable);
        r.proxyOrigin = QStringLiteral("%1 in the environment").arg(variable);
    }
    if (!text.isEmpty()) {
        Proxy p;
        if (proxyForCurl(text, !fromKubeconfig, &p)) {
            r.proxy = p.curl;
            r.proxyName = p.name;
            r.httpsProxy = p.https;
            if (p.password.size() >= 3)
                m_secrets.append(p.password);
        } else if (fromKubeconfig) {
            // KubeConfig::load checked it already; this is libcurl's reading disagreeing.
            *error = QStringLiteral("proxy-url of %1 is not an http://, https:// or socks5:// URL").arg(clusterAt);
            return false;
        }
        // An environment value that is no proxy URL is dropped without a word by Go, so kubectl
        // goes direct; so do we.
    }
    m_route = r;
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
    const QByteArray url = m_route.baseUrl + path.toUtf8();
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

    curl_slist *connectTo = nullptr;
    if (!m_route.connectTo.isEmpty()) {
        connectTo = curl_slist_append(nullptr, m_route.connectTo.constData());
        curl_easy_setopt(c, CURLOPT_CONNECT_TO, connectTo);
    }
    // Always set, so libcurl never picks a proxy from the process environment on its own: the
    // route decided which proxy (if any) kubectl would use. An empty NOPROXY keeps no_proxy from
    // exempting hosts from proxy-url, which kubectl applies to every request.
    curl_easy_setopt(c, CURLOPT_PROXY, m_route.proxy.constData());
    curl_easy_setopt(c, CURLOPT_NOPROXY, "");

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
    if (m_route.httpsProxy) {
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
    if (!m_route.hostHeader.isEmpty())
        headers = curl_slist_append(headers, m_route.hostHeader.constData());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    const CURLcode code = curl_easy_perform(c);
    long status = 0;
    long osErrno = 0;
    curl_off_t connectUs = 0;
    long connectStatus = 0; // the proxy's answer to CONNECT
    long proxyVerify = 0;   // X509 result for an https:// proxy's certificate
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &osErrno);
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connectUs);
    curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &connectStatus);
    curl_easy_getinfo(c, CURLINFO_PROXY_SSL_VERIFYRESULT, &proxyVerify);
    const QString curlMessage = QString::fromUtf8(errbuf[0] ? errbuf : curl_easy_strerror(code)).trimmed();
    // The handle keeps pointers to these; drop them before they go out of scope.
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, nullptr);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);
    curl_slist_free_all(connectTo);

    const QString server = m_config.server;
    const QString ctx = QStringLiteral("context \"%1\"").arg(m_config.contextName);
    const QString request = QStringLiteral("%1 %2").arg(QLatin1String(method), path);
    r.httpStatus = int(status);
    if (x.tooLarge) {
        r.error = Reply::Error::Network;
        r.message = QStringLiteral("answer to %1 is larger than %2 MiB: aborted").arg(request).arg(m_settings.maxResponseBytes >> 20);
        return r;
    }
    const bool viaProxy = !m_route.proxy.isEmpty();
    const QString proxy = QStringLiteral("proxy %1 (%2)").arg(m_route.proxyName, m_route.proxyOrigin);
    if (code != CURLE_OK && viaProxy) {
        // Failures on the way through the proxy name the proxy and where it was configured:
        // "connection refused by https://api..." would send the operator to the wrong machine.
        // connectUs stays 0 when not even the TCP connection to the proxy was made.
        Reply::Error error = Reply::Error::Network;
        QString m;
        if (code == CURLE_COULDNT_RESOLVE_PROXY) {
            m = QStringLiteral("cannot resolve the host of %1").arg(proxy);
        } else if (code == CURLE_COULDNT_CONNECT && connectUs == 0) {
            m = osErrno == ECONNREFUSED ? QStringLiteral("connection refused by %1: is the proxy up and reachable?").arg(proxy)
                                        : QStringLiteral("cannot connect to %1: %2").arg(proxy, curlMessage);
        } else if (code == CURLE_OPERATION_TIMEDOUT && connectUs == 0) {
            error = Reply::Error::Timeout;
            m = QStringLiteral("cannot connect to %1 within %2 (timeout)").arg(proxy, seconds(m_settings.connectTimeoutMs));
        } else if (connectStatus == 407) {
            m = QStringLiteral("%1 wants credentials (HTTP 407 to CONNECT): give them as user:password@ in the proxy URL").arg(proxy);
        } else if (connectStatus >= 300) {
            m = QStringLiteral("%1 refused the tunnel to %2: HTTP %3 to CONNECT").arg(proxy, server).arg(connectStatus);
        } else if (code == CURLE_PROXY) {
            m = QStringLiteral("%1 could not connect to %2: %3").arg(proxy, server, curlMessage);
        } else if (m_route.httpsProxy && proxyVerify != 0) {
            error = Reply::Error::Tls;
            m = QStringLiteral("TLS certificate of %1 not trusted (%2): kubectl checks it against the cluster's certificate-authority, or the system's when the cluster has none")
                    .arg(proxy, curlMessage);
        }
        if (!m.isEmpty()) {
            r.error = error;
            r.message = redact(m);
            return r;
        }
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
            // libcurl (OpenSSL) says "... target host name 'X'" when the certificate is trusted
            // but issued for other names; certificate-authority is then the wrong place to look.
            if (curlMessage.contains(QStringLiteral("target host name")))
                r.message = m_config.tlsServerName.isEmpty()
                    ? QStringLiteral("TLS certificate of %1 is not valid for \"%2\" (%3): if the certificate names the server differently, set tls-server-name of cluster \"%4\" in %5")
                          .arg(server, m_route.verifyName, curlMessage, m_config.clusterName, m_config.clusterFile)
                    : QStringLiteral("TLS certificate of %1 is not valid for \"%2\" (%3): check tls-server-name of cluster \"%4\" in %5")
                          .arg(server, m_route.verifyName, curlMessage, m_config.clusterName, m_config.clusterFile);
            else
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
    if (viaProxy && status == 407) {
        // An http:// server is reached through the proxy without a tunnel: the 407 is the proxy's.
        r.error = Reply::Error::Http;
        r.message = QStringLiteral("%1 wants credentials (HTTP 407): give them as user:password@ in the proxy URL").arg(proxy);
        return r;
    }
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
        // A 502 or 504 may be the proxy's own answer about the server.
        if (viaProxy)
            r.message += QStringLiteral(" (through %1)").arg(proxy);
        break;
    }
    return r;
}

} // namespace Switchboard
