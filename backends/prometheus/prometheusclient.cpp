#include "prometheusclient.h"

#include "jsonsettings.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string>

Q_LOGGING_CATEGORY(lcPrometheus, "switchboard.prometheus")

namespace Switchboard {

namespace {

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
QString snippet(const std::string &body)
{
    QString s = QString::fromUtf8(body.data(), qsizetype(std::min<std::size_t>(body.size(), 400)));
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

// One HTTP exchange, filled by attemptOnce and the curl callbacks.
struct Attempt
{
    std::string body;
    qint64 cap = 0;
    bool tooLarge = false;
    const std::atomic<bool> *cancelled = nullptr;
    QString bearer;   // read for this call
    QString password; // idem
    CURLcode code = CURLE_OK;
    long httpStatus = 0;
    long osErrno = 0;
    bool connected = false;
    QString contentType;
    QString curlMessage;
    double transferMs = 0;
};

size_t onWrite(char *data, size_t size, size_t count, void *userData)
{
    auto *a = static_cast<Attempt *>(userData);
    const size_t n = size * count;
    if (qint64(a->body.size() + n) > a->cap) {
        a->tooLarge = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    a->body.append(data, n);
    return n;
}

int onProgress(void *userData, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *a = static_cast<const Attempt *>(userData);
    return a->cancelled->load() ? 1 : 0;
}

void attemptOnce(CURL *c, const PrometheusClient::Settings &settings, const QByteArray &url, Attempt *a);

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
    curlGlobalInit();
    m_curl = curl_easy_init();
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

PrometheusClient::~PrometheusClient()
{
    curl_easy_cleanup(handle(m_curl));
}

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

namespace {

// Percent-encodes everything but RFC 3986's unreserved characters: PromQL is full of + & { " =.
QByteArray escaped(CURL *c, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    char *e = curl_easy_escape(c, utf8.constData(), int(utf8.size()));
    const QByteArray out(e ? e : "");
    curl_free(e);
    return out;
}

} // namespace

PrometheusClient::Reply PrometheusClient::query(const QString &promql, qint64 timeMs)
{
    QByteArray path = QByteArrayLiteral("/api/v1/query?query=") + escaped(handle(m_curl), promql);
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
    QByteArray path = QByteArrayLiteral("/api/v1/query_range?query=") + escaped(handle(m_curl), promql);
    path += QByteArrayLiteral("&start=") + secondsText(startMs) + QByteArrayLiteral("&end=") + secondsText(endMs)
          + QByteArrayLiteral("&step=") + secondsText(stepMs);
    return get(path);
}

namespace {

void attemptOnce(CURL *c, const PrometheusClient::Settings &settings, const QByteArray &url, Attempt *a)
{
    // Reset options, keep the connection cache: a poll every second reuses one connection.
    curl_easy_reset(c);
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); // we run on a worker thread: no SIGALRM
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); // a redirect could carry credentials elsewhere
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(settings.connectTimeoutMs));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(settings.timeoutMs));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); // whatever this libcurl decodes; big matrices shrink ~10x
    curl_easy_setopt(c, CURLOPT_USERAGENT, "switchboard/" SWITCHBOARD_VERSION);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &onWrite);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxResponseBytes));
    if (settings.insecureSkipTlsVerify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!settings.caFile.isEmpty())
        curl_easy_setopt(c, CURLOPT_CAINFO, QFile::encodeName(settings.caFile).constData());

    curl_slist *headers = curl_slist_append(nullptr, "Accept: application/json");
    for (const auto &[name, value] : std::as_const(settings.headers))
        headers = curl_slist_append(headers, QByteArray(name + ": " + value).constData());
    if (!a->bearer.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Authorization: Bearer " + a->bearer.toUtf8()).constData());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    const QByteArray user = settings.basicUser.toUtf8();
    const QByteArray password = a->password.toUtf8();
    if (!user.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }

    QElapsedTimer timer;
    timer.start();
    a->code = curl_easy_perform(c);
    a->transferMs = double(timer.nsecsElapsed()) / 1e6;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->httpStatus);
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &a->osErrno);
    curl_off_t connectUs = 0;
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connectUs);
    a->connected = connectUs > 0 || a->httpStatus > 0;
    const char *type = nullptr;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
    a->contentType = type ? QString::fromLatin1(type).section(QLatin1Char(';'), 0, 0) : QString();
    a->curlMessage = QString::fromUtf8(errbuf[0] ? errbuf : curl_easy_strerror(a->code)).trimmed();
    // The handle keeps pointers to these; drop them before they go out of scope.
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);
}

} // namespace

PrometheusClient::Reply PrometheusClient::get(const QByteArray &pathAndQuery)
{
    Reply reply;
    if (!m_curl) {
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
        Attempt a;
        a.cap = m_settings.maxResponseBytes;
        a.cancelled = &m_cancelled;
        a.bearer = bearer;
        a.password = password;
        if (m_cancelled) {
            reply.error = QStringLiteral("Prometheus: cancelled");
            return reply;
        }
        attemptOnce(handle(m_curl), m_settings, url, &a);
        reply.attempts = attempt;
        reply.httpStatus = int(a.httpStatus);
        reply.transferMs = a.transferMs;
        reply.error.clear();
        bool retry = false;

        if (a.code == CURLE_ABORTED_BY_CALLBACK) {
            reply.error = QStringLiteral("Prometheus: cancelled");
        } else if (a.tooLarge || a.code == CURLE_FILESIZE_EXCEEDED) {
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
            QElapsedTimer timer;
            timer.start();
            reply.response = PromResponse::parse(a.body);
            reply.parseMs = double(timer.nsecsElapsed()) / 1e6;
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
