#include "kuberoute.h"

#include <QHostAddress>
#include <QUrl>

#include <curl/curl.h>

namespace Switchboard {

namespace {

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

bool KubeRoute::build(const KubeConfig &config, const QProcessEnvironment &env, KubeRoute *out, QString *error)
{
    KubeRoute r;
    const QString clusterAt = QStringLiteral("cluster \"%1\" in %2").arg(config.clusterName, config.clusterFile);
    UrlParts server;
    if (!parseUrl(config.server.toUtf8(), &server)) {
        *error = QStringLiteral("server %1 of %2 is not a URL libcurl can use").arg(config.server, clusterAt);
        return false;
    }
    r.baseUrl = config.server.toUtf8();
    r.verifyName = unbracketed(server.host);

    const QString &name = config.tlsServerName;
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
    const bool fromKubeconfig = !config.proxyUrl.isEmpty();
    if (fromKubeconfig) {
        text = config.proxyUrl;
        r.proxyOrigin = QStringLiteral("proxy-url of %1").arg(clusterAt);
    } else {
        QString variable;
        text = environmentProxy(env, server, &variable);
        r.proxyOrigin = QStringLiteral("%1 in the environment").arg(variable);
    }
    if (!text.isEmpty()) {
        Proxy p;
        if (proxyForCurl(text, !fromKubeconfig, &p)) {
            r.proxy = p.curl;
            r.proxyName = p.name;
            r.httpsProxy = p.https;
            r.proxyPassword = p.password;
        } else if (fromKubeconfig) {
            // KubeConfig::load checked it already; this is libcurl's reading disagreeing.
            *error = QStringLiteral("proxy-url of %1 is not an http://, https:// or socks5:// URL").arg(clusterAt);
            return false;
        }
        // An environment value that is no proxy URL is dropped without a word by Go, so kubectl
        // goes direct; so do we.
    }
    *out = r;
    return true;
}

} // namespace Switchboard
