#include "prometheusclient.h"

#include "curleasy.h"
#include "jsonsettings.h"
#include "promcurlsource.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cerrno>
#include <string>

Q_LOGGING_CATEGORY(lcPrometheus, "switchboard.prometheus")

namespace Switchboard {

namespace {

// Prometheus takes times as (fractional) Unix seconds; milliseconds are its precision.
QByteArray secondsText(qint64 ms)
{
    QByteArray out;
    if (ms < 0) {
        out += '-';
        ms = -ms;
    }
    out += QByteArray::number(ms / 1000);
    if (const qint64 frac = ms % 1000; frac != 0) {
        out += '.' + QByteArray::number(frac).rightJustified(3, '0');
        while (out.endsWith('0'))
            out.chop(1);
    }
    return out;
}

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
}

// The first line of a non-JSON error body (a proxy's HTML, "404 page not found"), bounded.
QString snippet(const QByteArray &body)
{
    QString s = QString::fromUtf8(body.left(400));
    s = s.section(QLatin1Char('\n'), 0, 0).trimmed();
    for (QChar &c : s) {
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    }
    if (s.size() > 160)
        s = s.left(160) + QStringLiteral("...");
    return s;
}

bool isHeaderToken(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    return re.match(name).hasMatch();
}

bool hasControlChars(const QString &s)
{
    return std::any_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

// Header names whose values are credentials in practice; they are kept out of messages.
bool isSensitiveHeader(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("auth|token|key|secret|pass|cookie|session"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re.match(name).hasMatch();
}

bool readSecretFile(const QString &path, const char *key, QString *value, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Prometheus: cannot read %1 %2: %3").arg(QLatin1String(key), path, f.errorString());
        return false;
    }
    *value = QString::fromUtf8(f.read(64 * 1024)).trimmed();
    if (value->isEmpty() || hasControlChars(*value)) {
        *error = QStringLiteral("Prometheus: %1 %2 is empty or holds more than one line").arg(QLatin1String(key), path);
        return false;
    }
    return true;
}

// Sets up one attempt on the handle: what only Prometheus requests carry (compression, TLS
// options, headers, credentials); CurlEasy::begin set the rest.
void prepareAttempt(CurlEasy &curl, const PrometheusClient::Settings &settings, const QByteArray &url,
                    const QString &bearer, const QString &password, const std::atomic<bool> *cancelled);

} // namespace

bool PrometheusClient::Settings::fromJson(const QJsonObject &p, Settings *out, QString *error)
{
    Settings s;
    auto bad = [error](const QString &message) {
        *error = QStringLiteral("prometheus.") + message;
        return false;
    };
    auto string = [&p](const char *key, QString *dest) { return readOptionalString(p, key, dest); };
    auto integer = [&p](const char *key, int lo, int hi, int *dest) { return readOptionalInt(p, key, lo, hi, dest); };

    if (!string("url", &s.url) || s.url.trimmed().isEmpty())
        return bad(QStringLiteral("url: expected a URL such as \"http://127.0.0.1:9090\""));
    s.url = s.url.trimmed();
    const QUrl url(s.url, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QStringLiteral("http") && url.scheme() != QStringLiteral("https"))
        || url.host().isEmpty())
        return bad(QStringLiteral("url: expected an http:// or https:// URL, got \"%1\"")
                       .arg(url.toDisplayString(QUrl::RemoveUserInfo)));
    if (url.hasQuery() || url.hasFragment())
        return bad(QStringLiteral("url: must not carry a query or fragment (put tenant ids in \"headers\")"));

    if (!string("bearerToken", &s.bearerToken) || !string("bearerTokenFile", &s.bearerTokenFile))
        return bad(QStringLiteral("bearerToken / bearerTokenFile: expected a string"));
    if (!s.bearerToken.isEmpty() && !s.bearerTokenFile.isEmpty())
        return bad(QStringLiteral("bearerToken and bearerTokenFile: give one, not both"));
    if (hasControlChars(s.bearerToken))
        return bad(QStringLiteral("bearerToken: must be one line"));

    const QJsonValue basic = p.value(QStringLiteral("basicAuth"));
    if (!basic.isUndefined() && !basic.isNull()) {
        if (!basic.isObject())
            return bad(QStringLiteral("basicAuth: expected {\"username\": ..., \"password\" or \"passwordFile\": ...}"));
        const QJsonObject b = basic.toObject();
        const QJsonValue user = b.value(QStringLiteral("username"));
        const QJsonValue pass = b.value(QStringLiteral("password"));
        const QJsonValue passFile = b.value(QStringLiteral("passwordFile"));
        if (!user.isString() || user.toString().isEmpty() || user.toString().contains(QLatin1Char(':')))
            return bad(QStringLiteral("basicAuth.username: expected a non-empty string without ':'"));
        if ((pass.isString() == passFile.isString()) || (!pass.isUndefined() && !pass.isString())
            || (!passFile.isUndefined() && !passFile.isString()))
            return bad(QStringLiteral("basicAuth: give a string \"password\" or \"passwordFile\", one of them"));
        if (!s.bearerToken.isEmpty() || !s.bearerTokenFile.isEmpty())
            return bad(QStringLiteral("basicAuth and bearerToken: give one kind of authentication"));
        s.basicUser = user.toString();
        s.basicPassword = pass.toString();
        s.basicPasswordFile = passFile.toString();
    }

    if (!string("caFile", &s.caFile))
        return bad(QStringLiteral("caFile: expected a path"));
    if (!s.caFile.isEmpty() && !QFileInfo(s.caFile).isReadable())
        return bad(QStringLiteral("caFile: cannot read %1").arg(s.caFile));
    const QJsonValue insecure = p.value(QStringLiteral("insecureSkipTlsVerify"));
    if (!insecure.isUndefined() && !insecure.isBool())
        return bad(QStringLiteral("insecureSkipTlsVerify: expected true or false"));
    s.insecureSkipTlsVerify = insecure.toBool(false);

    const QJsonValue headers = p.value(QStringLiteral("headers"));
    if (!headers.isUndefined() && !headers.isNull()) {
        if (!headers.isObject())
            return bad(QStringLiteral("headers: expected an object {\"Header-Name\": \"value\"}"));
        const QJsonObject h = headers.toObject();
        for (auto it = h.begin(); it != h.end(); ++it) {
            if (!isHeaderToken(it.key()))
                return bad(QStringLiteral("headers: \"%1\" is not a valid header name").arg(it.key()));
            if (!it.value().isString() || hasControlChars(it.value().toString()))
                return bad(QStringLiteral("headers.%1: expected a one-line string").arg(it.key()));
            s.headers.append({it.key().toLatin1(), it.value().toString().toUtf8()});
        }
    }

    if (!integer("connectTimeoutMs", 1, 600000, &s.connectTimeoutMs))
        return bad(QStringLiteral("connectTimeoutMs: expected milliseconds, 1..600000"));
    if (!integer("timeoutMs", 1, 3600000, &s.timeoutMs))
        return bad(QStringLiteral("timeoutMs: expected milliseconds, 1..3600000"));
    if (!integer("retries", 0, 10, &s.retries))
        return bad(QStringLiteral("retries: expected a whole number, 0..10"));

    *out = s;
    return true;
}

PrometheusClient::PrometheusClient(Settings settings)
    : m_settings(std::move(settings))
{
    m_curl = std::make_unique<CurlEasy>();
    m_baseUrl = m_settings.url.toUtf8();
    while (m_baseUrl.endsWith('/'))
        m_baseUrl.chop(1);
    const QUrl url(m_settings.url);
    m_displayUrl = url.toDisplayString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);

    auto secret = [this](const QString &s) {
        if (s.size() >= 3) // shorter ones would garble messages and hide next to nothing
            m_secrets.append(s);
    };
    secret(m_settings.bearerToken);
    secret(m_settings.basicPassword);
    secret(url.password());
    secret(url.password(QUrl::FullyEncoded));
    // libcurl turns user info in the URL into a Basic header, which a proxy may echo back.
    if (!url.password().isEmpty())
        secret(QString::fromLatin1((url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64()));
    if (!m_settings.basicUser.isEmpty() && !m_settings.basicPassword.isEmpty())
        secret(QString::fromLatin1((m_settings.basicUser + QLatin1Char(':') + m_settings.basicPassword).toUtf8().toBase64()));
    for (const auto &[name, value] : std::as_const(m_settings.headers)) {
        if (isSensitiveHeader(QString::fromLatin1(name)))
            secret(QString::fromUtf8(value));
    }
    if (m_settings.insecureSkipTlsVerify && url.scheme() == QStringLiteral("https"))
        qCWarning(lcPrometheus, "TLS certificate verification is OFF for %s (insecureSkipTlsVerify)",
                  qUtf8Printable(m_displayUrl));
}

PrometheusClient::~PrometheusClient() = default;

QString PrometheusClient::displayUrl() const
{
    return m_displayUrl;
}

void PrometheusClient::cancel()
{
    m_cancelled = true;
}

void PrometheusClient::resetCancel()
{
    m_cancelled = false;
}

QString PrometheusClient::redact(QString text) const
{
    for (const QString &s : m_secrets)
        text.replace(s, QStringLiteral("***"));
    return text;
}

PrometheusClient::Reply PrometheusClient::query(const QString &promql, qint64 timeMs)
{
    QByteArray path = QByteArrayLiteral("/api/v1/query?query=") + m_curl->escape(promql);
    if (timeMs != 0)
        path += QByteArrayLiteral("&time=") + secondsText(timeMs);
    return get(path);
}

PrometheusClient::Reply PrometheusClient::queryRange(const QString &promql, qint64 startMs, qint64 endMs, qint64 stepMs)
{
    if (stepMs <= 0 || endMs < startMs) {
        Reply r;
        r.error = QStringLiteral("Prometheus: bad range (start %1 ms, end %2 ms, step %3 ms)").arg(startMs).arg(endMs).arg(stepMs);
        return r;
    }
    QByteArray path = QByteArrayLiteral("/api/v1/query_range?query=") + m_curl->escape(promql);
    path += QByteArrayLiteral("&start=") + secondsText(startMs) + QByteArrayLiteral("&end=") + secondsText(endMs)
          + QByteArrayLiteral("&step=") + secondsText(stepMs);
    return get(path);
}

namespace {

void prepareAttempt(CurlEasy &curl, const PrometheusClient::Settings &settings, const QByteArray &url,
                    const QString &bearer, const QString &password, const std::atomic<bool> *cancelled)
{
    curl.begin({url, settings.connectTimeoutMs, settings.timeoutMs, settings.maxResponseBytes});
    curl.setAbortFlag(cancelled);
    CURL *c = curl.handle();
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); // whatever this libcurl decodes; big matrices shrink ~10x
    if (settings.insecureSkipTlsVerify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!settings.caFile.isEmpty())
        curl_easy_setopt(c, CURLOPT_CAINFO, QFile::encodeName(settings.caFile).constData());

    QList<QByteArray> headers{QByteArrayLiteral("Accept: application/json")};
    for (const auto &[name, value] : std::as_const(settings.headers))
        headers.append(name + ": " + value);
    if (!bearer.isEmpty())
        headers.append("Authorization: Bearer " + bearer.toUtf8());
    curl.setHeaders(headers);
    if (!settings.basicUser.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, settings.basicUser.toUtf8().constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.toUtf8().constData());
    }
}

} // namespace

PrometheusClient::Reply PrometheusClient::get(const QByteArray &pathAndQuery)
{
    Reply reply;
    if (!m_curl->isValid()) {
        reply.error = QStringLiteral("Prometheus: libcurl could not create a handle");
        return reply;
    }
    // Credentials from files are read per call, so a rotated token works without a restart.
    QString bearer = m_settings.bearerToken;
    QString password = m_settings.basicPassword;
    if (!m_settings.bearerTokenFile.isEmpty()
        && !readSecretFile(m_settings.bearerTokenFile, "bearerTokenFile", &bearer, &reply.error))
        return reply;
    if (!m_settings.basicPasswordFile.isEmpty()
        && !readSecretFile(m_settings.basicPasswordFile, "basicAuth.passwordFile", &password, &reply.error))
        return reply;
    for (const QString &s : {bearer, password}) {
        if (s.size() >= 3 && !m_secrets.contains(s))
            m_secrets.append(s);
    }
    if (!password.isEmpty()) {
        const QString basic = QString::fromLatin1((m_settings.basicUser + QLatin1Char(':') + password).toUtf8().toBase64());
        if (!m_secrets.contains(basic))
            m_secrets.append(basic);
    }

    const QByteArray url = m_baseUrl + pathAndQuery;
    const QString where = m_displayUrl + QString::fromLatin1(pathAndQuery.left(pathAndQuery.indexOf('?')));
    for (int attempt = 1;; ++attempt) {
        if (m_cancelled) {
            reply.error = QStringLiteral("Prometheus: cancelled");
            return reply;
        }
        prepareAttempt(*m_curl, m_settings, url, bearer, password, &m_cancelled);
        // The answer is parsed while it arrives: by the time the last byte is in, only the
        // last piece is left to parse (a range answer can be tens of MB).
        QElapsedTimer wall;
        wall.start();
        double parsedAtMs = 0;
        const CurlEasy::Result a = m_curl->performStreaming([&reply, &wall, &parsedAtMs](const CurlEasy::Pull &pull) {
            PromCurlSource source(pull);
            reply.response = PromResponse::parseStream(source);
            parsedAtMs = double(wall.nsecsElapsed()) / 1e6;
        });
        // What parsing cost beyond the transfer: the part that did not overlap it.
        const double parseTailMs = std::max(0.0, parsedAtMs - a.transferMs);
        reply.attempts = attempt;
        reply.httpStatus = int(a.httpStatus);
        reply.transferMs = a.transferMs;
        reply.error.clear();
        bool retry = false;

        if (a.aborted) {
            reply.error = QStringLiteral("Prometheus: cancelled");
        } else if (a.tooLarge) {
            const qint64 cap = m_settings.maxResponseBytes;
            const QString size = cap % (1 << 20) == 0 ? QStringLiteral("%1 MiB").arg(cap >> 20) : QStringLiteral("%1 bytes").arg(cap);
            reply.error = QStringLiteral("Prometheus: answer from %1 is larger than %2: aborted (narrow the query or use a larger step)")
                              .arg(where, size);
        } else if (a.code != CURLE_OK) {
            switch (a.code) {
            case CURLE_COULDNT_CONNECT:
                reply.error = a.osErrno == ECONNREFUSED
                    ? QStringLiteral("Prometheus: connection refused by %1 (is Prometheus running there?)").arg(m_displayUrl)
                    : QStringLiteral("Prometheus: cannot connect to %1: %2").arg(m_displayUrl, a.curlMessage);
                retry = true;
                break;
            case CURLE_COULDNT_RESOLVE_HOST:
                reply.error = QStringLiteral("Prometheus: cannot resolve the host of %1").arg(m_displayUrl);
                retry = true;
                break;
            case CURLE_OPERATION_TIMEDOUT:
                // A connect timeout is worth another try; a slow query already used the whole
                // budget, and the next poll is the retry.
                if (a.connected) {
                    reply.error = QStringLiteral("Prometheus: no complete answer from %1 within %2 (timeout)")
                                      .arg(where, seconds(m_settings.timeoutMs));
                } else {
                    reply.error = QStringLiteral("Prometheus: cannot connect to %1 within %2 (timeout)")
                                      .arg(m_displayUrl, seconds(m_settings.connectTimeoutMs));
                    retry = true;
                }
                break;
            case CURLE_PEER_FAILED_VERIFICATION:
            case CURLE_SSL_CACERT_BADFILE:
                reply.error = QStringLiteral("Prometheus: TLS certificate of %1 not trusted (%2); set caFile to its CA")
                                  .arg(m_displayUrl, a.curlMessage);
                break;
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_SSL_CERTPROBLEM:
            case CURLE_SSL_CIPHER:
                reply.error = QStringLiteral("Prometheus: TLS handshake with %1 failed: %2").arg(m_displayUrl, a.curlMessage);
                break;
            case CURLE_GOT_NOTHING:
                reply.error = QStringLiteral("Prometheus: %1 closed the connection without answering").arg(m_displayUrl);
                retry = true;
                break;
            case CURLE_SEND_ERROR:
            case CURLE_RECV_ERROR:
            case CURLE_PARTIAL_FILE:
                reply.error = QStringLiteral("Prometheus: connection to %1 lost: %2").arg(m_displayUrl, a.curlMessage);
                retry = true;
                break;
            default:
                reply.error = QStringLiteral("Prometheus: request to %1 failed: %2").arg(where, a.curlMessage);
                break;
            }
        } else {
            reply.parseMs = parseTailMs;
            const PromResponse &r = reply.response;
            const QString status = QStringLiteral("HTTP %1").arg(a.httpStatus);
            if (r.error == PromResponse::Error::ApiError) {
                reply.error = QStringLiteral("Prometheus: %1 (%2)").arg(QString::fromStdString(r.message), status);
                retry = a.httpStatus >= 500;
            } else if (a.httpStatus >= 300 && a.httpStatus < 400) {
                reply.error = QStringLiteral("Prometheus: %1 redirect from %2: redirects are not followed, set url to the final address")
                                  .arg(status, where);
            } else if (a.httpStatus >= 400 || a.httpStatus < 200) {
                const QString text = snippet(a.body);
                reply.error = QStringLiteral("Prometheus: %1 from %2%3").arg(status, where,
                                                                          text.isEmpty() ? QString() : QStringLiteral(": ") + text);
                retry = a.httpStatus >= 500;
            } else if (!r.ok()) {
                const QString type = a.contentType.isEmpty() ? QString() : QStringLiteral(", ") + a.contentType;
                reply.error = QStringLiteral("Prometheus: unreadable answer from %1 (%2%3): %4")
                                  .arg(where, status, type, QString::fromStdString(r.message));
            }
            for (const std::string &w : r.warnings)
                reply.warnings.append(redact(QString::fromStdString(w)));
        }

        if (reply.ok()) {
            reply.response.warnings.clear(); // now in reply.warnings, redacted
            return reply;
        }
        if (!retry || attempt > m_settings.retries || m_cancelled) {
            if (attempt > 1)
                reply.error += QStringLiteral(" (after %1 attempts)").arg(attempt);
            reply.error = redact(reply.error);
            return reply;
        }
        // Exponential back-off, in small steps so cancel() is honoured quickly.
        const qint64 pause = std::min<qint64>(qint64(m_settings.backoffMs) << (attempt - 1), 5000);
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < pause && !m_cancelled)
            QThread::msleep(std::min<qint64>(20, pause - waited.elapsed()));
        qCDebug(lcPrometheus, "retrying %s (attempt %d): %s", qUtf8Printable(where), attempt + 1,
                qUtf8Printable(redact(reply.error)));
    }
}

} // namespace Switchboard
