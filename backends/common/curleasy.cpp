#include "curleasy.h"

#include <QElapsedTimer>

#include <algorithm>
#include <mutex>

namespace Switchboard {

namespace {

void globalInit()
{
    // curl_global_init is not thread-safe on every build; backends start on several threads.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

CurlEasy::CurlEasy()
{
    globalInit();
    m_curl = curl_easy_init();
}

CurlEasy::~CurlEasy()
{
    releaseLists();
    if (m_curl)
        curl_easy_cleanup(m_curl);
    if (m_multi)
        curl_multi_cleanup(m_multi);
}

size_t CurlEasy::onStreamWrite(char *data, size_t size, size_t count, void *self)
{
    auto *c = static_cast<CurlEasy *>(self);
    const size_t n = size * count;
    if (c->m_received + qint64(n) > c->m_maxBody) {
        c->m_tooLarge = true;
        return 0;
    }
    if (c->m_body.size() < bodyHeadBytes)
        c->m_body.append(data, std::min<qsizetype>(qsizetype(n), bodyHeadBytes - c->m_body.size()));
    c->m_received += qint64(n);
    c->m_pending.append(data, n);
    return n;
}

size_t CurlEasy::onWrite(char *data, size_t size, size_t count, void *self)
{
    auto *c = static_cast<CurlEasy *>(self);
    const size_t n = size * count;
    if (qint64(c->m_body.size()) + qint64(n) > c->m_maxBody) {
        c->m_tooLarge = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    c->m_body.append(data, qsizetype(n));
    return n;
}

int CurlEasy::onProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *c = static_cast<const CurlEasy *>(self);
    return c->m_abort && c->m_abort->load() ? 1 : 0;
}

void CurlEasy::releaseLists()
{
    for (const auto &[option, list] : m_lists) {
        // The handle keeps the pointer; drop it before the list goes.
        if (m_curl)
            curl_easy_setopt(m_curl, option, static_cast<curl_slist *>(nullptr));
        curl_slist_free_all(list);
    }
    m_lists.clear();
}

void CurlEasy::begin(const Request &request)
{
    if (!m_curl)
        return;
    releaseLists();
    // Reset options, keep the connection cache: a poll every second reuses one connection.
    curl_easy_reset(m_curl);
    m_errorBuffer[0] = '\0';
    m_body.clear();
    m_tooLarge = false;
    m_abort = nullptr;
    m_maxBody = request.maxBodyBytes;
    curl_easy_setopt(m_curl, CURLOPT_URL, request.url.constData());
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(m_curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT_MS, long(request.connectTimeoutMs));
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(m_curl, CURLOPT_USERAGENT, "switchboard/" SWITCHBOARD_VERSION);
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_errorBuffer);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &CurlEasy::onWrite);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, this);
    // An announced length over the bound ends the transfer before any of it is read.
    curl_easy_setopt(m_curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes));
}

void CurlEasy::setList(CURLoption option, const QList<QByteArray> &items)
{
    if (!m_curl)
        return;
    curl_slist *list = nullptr;
    for (const QByteArray &item : items)
        list = curl_slist_append(list, item.constData());
    m_lists.emplace_back(option, list);
    curl_easy_setopt(m_curl, option, list);
}

void CurlEasy::setHeaders(const QList<QByteArray> &lines)
{
    setList(CURLOPT_HTTPHEADER, lines);
}

void CurlEasy::setAbortFlag(const std::atomic<bool> *flag)
{
    if (!m_curl)
        return;
    m_abort = flag;
    curl_easy_setopt(m_curl, CURLOPT_XFERINFOFUNCTION, &CurlEasy::onProgress);
    curl_easy_setopt(m_curl, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(m_curl, CURLOPT_NOPROGRESS, 0L);
}

CurlEasy::Result CurlEasy::perform()
{
    Result r;
    if (!m_curl) {
        r.code = CURLE_FAILED_INIT;
        r.curlMessage = QStringLiteral("libcurl could not create a handle");
        return r;
    }
    QElapsedTimer timer;
    timer.start();
    const CURLcode code = curl_easy_perform(m_curl);
    return collect(code, double(timer.nsecsElapsed()) / 1e6);
}

CurlEasy::Result CurlEasy::collect(CURLcode code, double ms)
{
    Result r;
    r.code = code;
    r.transferMs = ms;
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &r.httpStatus);
    curl_easy_getinfo(m_curl, CURLINFO_OS_ERRNO, &r.osErrno);
    curl_off_t connectUs = 0;
    curl_easy_getinfo(m_curl, CURLINFO_CONNECT_TIME_T, &connectUs);
    r.connected = connectUs > 0 || r.httpStatus > 0;
    curl_easy_getinfo(m_curl, CURLINFO_HTTP_CONNECTCODE, &r.proxyConnectStatus);
    curl_easy_getinfo(m_curl, CURLINFO_PROXY_SSL_VERIFYRESULT, &r.proxyVerifyResult);
    const char *type = nullptr;
    curl_easy_getinfo(m_curl, CURLINFO_CONTENT_TYPE, &type);
    r.contentType = type ? QString::fromLatin1(type).section(QLatin1Char(';'), 0, 0).trimmed() : QString();
    r.curlMessage = QString::fromUtf8(m_errorBuffer[0] ? m_errorBuffer : curl_easy_strerror(r.code)).trimmed();
    r.tooLarge = m_tooLarge || r.code == CURLE_FILESIZE_EXCEEDED;
    r.aborted = r.code == CURLE_ABORTED_BY_CALLBACK;
    r.body = std::move(m_body);
    m_body = QByteArray();
    releaseLists();
    m_abort = nullptr;
    return r;
}

CurlEasy::Result CurlEasy::performStreaming(const std::function<void(const Pull &pull)> &consume)
{
    if (!m_curl) {
        Result r;
        r.code = CURLE_FAILED_INIT;
        r.curlMessage = QStringLiteral("libcurl could not create a handle");
        return r;
    }
    if (!m_multi)
        m_multi = curl_multi_init();
    if (!m_multi) {
        Result r;
        r.code = CURLE_FAILED_INIT;
        r.curlMessage = QStringLiteral("libcurl could not create a multi handle");
        return r;
    }
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &CurlEasy::onStreamWrite);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, this);
    m_pending.clear();
    m_received = 0;
    QElapsedTimer timer;
    timer.start();
    curl_multi_add_handle(m_multi, m_curl);
    int running = 1;
    CURLcode code = CURLE_OK;
    bool ended = false;
    double endedMs = 0;
    std::string handed; // the piece the consumer holds
    auto drive = [&] {
        // One step of the transfer: whatever the socket has, or a short wait for it.
        curl_multi_perform(m_multi, &running);
        if (running == 0 && !ended) {
            ended = true;
            endedMs = double(timer.nsecsElapsed()) / 1e6;
            int left = 0;
            while (CURLMsg *m = curl_multi_info_read(m_multi, &left)) {
                if (m->msg == CURLMSG_DONE && m->easy_handle == m_curl)
                    code = m->data.result;
            }
        }
    };
    const Pull pull = [&](const char **data, std::size_t *size) {
        handed.clear();
        while (m_pending.empty() && !ended) {
            drive();
            if (m_pending.empty() && !ended)
                curl_multi_poll(m_multi, nullptr, 0, 100, nullptr);
        }
        if (m_pending.empty())
            return false;
        handed.swap(m_pending);
        *data = handed.data();
        *size = handed.size();
        return true;
    };
    consume(pull);
    // The consumer may stop early (a syntax error): the rest is received and dropped, so the
    // result tells the transfer's own outcome and the connection stays reusable. The body's
    // bound and the timeout still apply.
    while (!ended) {
        m_pending.clear();
        drive();
        if (!ended)
            curl_multi_poll(m_multi, nullptr, 0, 100, nullptr);
    }
    curl_multi_remove_handle(m_multi, m_curl);
    m_pending = std::string();
    Result r = collect(code, endedMs);
    r.transferMs = endedMs;
    return r;
}

QByteArray CurlEasy::escape(const QString &text) const
{
    const QByteArray utf8 = text.toUtf8();
    char *e = m_curl ? curl_easy_escape(m_curl, utf8.constData(), int(utf8.size())) : nullptr;
    const QByteArray out(e ? e : "");
    curl_free(e);
    return out;
}

} // namespace Switchboard
