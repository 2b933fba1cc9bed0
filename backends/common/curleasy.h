#pragma once
// One libcurl easy handle as the HTTP clients of the layers (Prometheus, Kubernetes) use it: one
// per client on its worker thread, reused across requests so keep-alive connections are too,
// with the options every request shares set by begin() and one perform() that answers a small
// result struct. Clients add their own options (TLS, auth, proxy) between begin() and perform().
// Included only by the clients' .cpp files: it brings <curl/curl.h> along.

#include <QByteArray>
#include <QList>
#include <QString>

#include <curl/curl.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace Switchboard {

class CurlEasy final
{
public:
    // What every request here shares, besides no signals, http/https only and no redirects.
    struct Request
    {
        QByteArray url;
        int connectTimeoutMs = 5000;
        int timeoutMs = 10000;              // the whole transfer
        qint64 maxBodyBytes = qint64(32) << 20; // the answer's body, bounded: aborted beyond
    };

    // One transfer's outcome.
    struct Result
    {
        CURLcode code = CURLE_OK;
        long httpStatus = 0;      // 0 when no HTTP answer came
        long osErrno = 0;         // of a failed connect
        bool connected = false;   // a connection was made (or an answer came)
        bool tooLarge = false;    // the body went over Request::maxBodyBytes
        bool aborted = false;     // the abort flag stopped it
        long proxyConnectStatus = 0; // a proxy's answer to CONNECT
        long proxyVerifyResult = 0;  // X509 result for an https:// proxy's certificate
        QString contentType;      // without parameters
        QString curlMessage;      // libcurl's error buffer, else its text for `code`
        double transferMs = 0;    // perform() from start to end
        QByteArray body;

        bool transferred() const { return code == CURLE_OK && !tooLarge; }
    };

    CurlEasy();
    ~CurlEasy();
    CurlEasy(const CurlEasy &) = delete;
    CurlEasy &operator=(const CurlEasy &) = delete;

    // False when libcurl could not make a handle; nothing else works then.
    bool isValid() const { return m_curl != nullptr; }
    // For the client's own curl_easy_setopt calls between begin() and perform().
    CURL *handle() const { return m_curl; }

    // Resets the handle's options (its connection cache stays) and sets the shared ones: URL,
    // no signals (worker threads: no SIGALRM), http and https only, no redirects (one could
    // carry credentials elsewhere), the timeouts, the user agent, the error buffer, the body sink.
    void begin(const Request &request);
    // Request headers, kept alive until perform() returns.
    void setHeaders(const QList<QByteArray> &lines);
    // Any string-list option (CURLOPT_CONNECT_TO, ...), kept alive the same way.
    void setList(CURLoption option, const QList<QByteArray> &items);
    // While *flag is true the transfer stops (CURLE_ABORTED_BY_CALLBACK, Result::aborted). For
    // this request only; the flag must outlive perform().
    void setAbortFlag(const std::atomic<bool> *flag);

    Result perform();

    // Gives the next piece of the body as it arrives; false once the transfer has ended (then
    // the Result says how). The piece stays valid until the next call.
    using Pull = std::function<bool(const char **data, std::size_t *size)>;
    // perform(), but the body goes to `consume` while it arrives instead of into Result::body:
    // `consume` pulls it, and each pull drives the transfer on this thread (libcurl's multi
    // interface) until a piece came, so parsing and receiving take turns without a second
    // thread or a copy of the whole body. Result::body keeps only the first bodyHeadBytes
    // (for error messages). What `consume` leaves unread is received and dropped.
    Result performStreaming(const std::function<void(const Pull &pull)> &consume);
    static constexpr qsizetype bodyHeadBytes = 4096;

    // Percent-encodes all but RFC 3986's unreserved characters.
    QByteArray escape(const QString &text) const;

private:
    static size_t onWrite(char *data, size_t size, size_t count, void *self);
    static size_t onStreamWrite(char *data, size_t size, size_t count, void *self);
    Result collect(CURLcode code, double ms);
    static int onProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
    void releaseLists();

    CURL *m_curl = nullptr;
    CURLM *m_multi = nullptr; // for performStreaming; keeps its own connection cache
    char m_errorBuffer[CURL_ERROR_SIZE] = {};
    std::vector<std::pair<CURLoption, curl_slist *>> m_lists;
    const std::atomic<bool> *m_abort = nullptr;
    QByteArray m_body;
    std::string m_pending; // streamed: arrived, not yet pulled
    qint64 m_received = 0; // streamed: body bytes so far
    qint64 m_maxBody = 0;
    bool m_tooLarge = false;
};

} // namespace Switchboard
