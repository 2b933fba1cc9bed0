// PrometheusClient and PrometheusMetricsSource against an in-test HTTP server (a QTcpServer on
// 127.0.0.1:0 speaking just enough HTTP/1.1) on its own thread, so the blocking client can call
// it from the test thread: API errors, retries, timeouts, auth headers, secrets kept out of
// messages, query templating and the mapping of answers onto health values.

#include "prometheusclient.h"
#include "backendhost.h"
#include "prometheusmetricssource.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <cmath>
#include <functional>

using namespace Switchboard;

namespace {

// Test scaffolding: a scripted HTTP server. Each request gets the next queued response, or the
// responder's answer when one is set, or an empty vector.
class FakePrometheus final : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QUrlQuery query;
        QMap<QByteArray, QByteArray> headers; // names in lower case
        QString param(const char *key) const { return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded); }
    };
    struct Response
    {
        enum class Mode { Answer, Hang, Close };
        int status = 200;
        QByteArray body = R"({"status":"success","data":{"resultType":"vector","result":[]}})";
        QByteArray contentType = "application/json";
        Mode mode = Mode::Answer;
    };
    using Responder = std::function<Response(const Request &)>;

    FakePrometheus()
    {
        moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(this, &FakePrometheus::listen, Qt::BlockingQueuedConnection);
    }
    ~FakePrometheus() override
    {
        QMetaObject::invokeMethod(this, &FakePrometheus::shutdown, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    int port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    void push(const Response &r)
    {
        QMutexLocker lock(&m_mutex);
        m_queue.append(r);
    }
    void setResponder(Responder r)
    {
        QMutexLocker lock(&m_mutex);
        m_responder = std::move(r);
    }
    // Runs on the server thread when a request arrives (e.g. to cancel the client meanwhile).
    void setOnRequest(std::function<void()> f)
    {
        QMutexLocker lock(&m_mutex);
        m_onRequest = std::move(f);
    }
    QList<Request> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }

private:
    void listen()
    {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &FakePrometheus::accept);
        m_server->listen(QHostAddress::LocalHost, 0);
        m_port = m_server->serverPort();
    }
    void shutdown()
    {
        delete m_server; // and with it every socket still open (hanging answers)
        m_server = nullptr;
    }
    void accept()
    {
        while (QTcpSocket *s = m_server->nextPendingConnection())
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
    }
    void read(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        buf.remove(0, end + 4);
        Request req;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        const QByteArray target = first.value(1);
        req.path = target.left(target.indexOf('?'));
        if (target.contains('?'))
            req.query = QUrlQuery(QString::fromLatin1(target.mid(target.indexOf('?') + 1)));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        Response resp;
        std::function<void()> onRequest;
        {
            QMutexLocker lock(&m_mutex);
            m_requests.append(req);
            if (!m_queue.isEmpty())
                resp = m_queue.takeFirst();
            else if (m_responder)
                resp = m_responder(req);
            onRequest = m_onRequest;
        }
        if (onRequest)
            onRequest();
        if (resp.mode == Response::Mode::Hang)
            return;
        if (resp.mode == Response::Mode::Close) {
            s->abort();
            return;
        }
        QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + " X\r\n";
        out += "Content-Type: " + resp.contentType + "\r\n";
        out += "Content-Length: " + QByteArray::number(resp.body.size()) + "\r\n";
        out += "Connection: close\r\n\r\n";
        out += resp.body;
        s->write(out);
        s->disconnectFromHost();
    }

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    std::atomic<int> m_port{0};
    QHash<QTcpSocket *, QByteArray> m_buffers;
    mutable QMutex m_mutex;
    QList<Response> m_queue;
    Responder m_responder;
    std::function<void()> m_onRequest;
    QList<Request> m_requests;
};

using Response = FakePrometheus::Response;

} // namespace

Q_DECLARE_METATYPE(QList<Response>)

namespace {

Response answer(int status, const QByteArray &body, const QByteArray &type = "application/json")
{
    Response r;
    r.status = status;
    r.body = body;
    r.contentType = type;
    return r;
}

Response mode(Response::Mode m)
{
    Response r;
    r.mode = m;
    return r;
}

const QByteArray kVector = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"version":"v1"},"value":[1700000000,"12.5"]}]}})";

PrometheusClient::Settings settingsFor(const QString &url)
{
    PrometheusClient::Settings s;
    s.url = url;
    s.backoffMs = 20; // keep retry tests quick; the doubling is what matters
    s.timeoutMs = 3000;
    return s;
}

// A vector answer with one series per (version, value).
QByteArray vectorOf(const QList<QPair<QString, QString>> &points, qint64 timeMs = 1700000000000)
{
    QByteArray items;
    for (const auto &[version, value] : points) {
        if (!items.isEmpty())
            items += ',';
        items += R"({"metric":{"version":")" + version.toUtf8() + R"("},"value":[)" + QByteArray::number(double(timeMs) / 1000, 'f', 3)
                 + R"(,")" + value.toUtf8() + R"("]})";
    }
    return R"({"status":"success","data":{"resultType":"vector","result":[)" + items + "]}}";
}

PrometheusMetricsSource::Settings sourceSettings(const QString &url, const QJsonObject &extra = {})
{
    QJsonObject p{{QStringLiteral("url"), url}, {QStringLiteral("stableLabel"), QStringLiteral("v1")},
                  {QStringLiteral("canaryLabel"), QStringLiteral("v2")}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        p.insert(it.key(), it.value());
    TargetConfig t;
    t.name = QStringLiteral("shop");
    t.kind = QStringLiteral("haproxy");
    t.settings = QJsonObject{{QStringLiteral("prometheus"), p},
                             {QStringLiteral("haproxy"), QJsonObject{{QStringLiteral("backend"), QStringLiteral("shop")}}}};
    PrometheusMetricsSource::Settings s;
    QString error;
    if (!PrometheusMetricsSource::Settings::fromTarget(t, &s, &error))
        qFatal("settings: %s", qPrintable(error));
    s.client.backoffMs = 20;
    return s;
}

} // namespace

class TestPrometheusClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void queryEncodesParameters();
    void rangeParameters();
    void errors_data();
    void errors();
    void retryThenSuccess();
    void timeoutIsBounded();
    void refusedPort();
    void cancelStopsACall();
    void auth_data();
    void auth();
    void secretsStayOutOfMessages();
    void warningsPassThrough();
    void settings_data();
    void settings();

    void expand_data();
    void expand();
    void durations_data();
    void durations();
    void rangeWidensShortWindows();
    void sourceTakesNewSettings();
    void insecureIsFlagged();
    void sourceInstantCombined();
    void sourceInstantPerVersion();
    void sourceFailure();
    void sourceSeriesWithoutVersion();
    void sourceRange();
    void testQueryText();

private:
    QTemporaryDir m_tmp;
};

void TestPrometheusClient::initTestCase()
{
    registerMetaTypes();
    QVERIFY(m_tmp.isValid());
}

void TestPrometheusClient::queryEncodesParameters()
{
    FakePrometheus server;
    server.push(answer(200, kVector));
    PrometheusClient client(settingsFor(server.url() + QStringLiteral("/")));
    // Characters that break a hand-built URL: + & # spaces quotes braces.
    const QString promql = QStringLiteral("sum by (version) (rate(x{a=\"b c\",code=~\"5..\"}[10s])) + 1 & #2 / ü");
    const PrometheusClient::Reply r = client.query(promql, 1700000000500);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.attempts, 1);
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(r.response.series.size(), std::size_t(1));
    QCOMPARE(r.response.series[0].samples[0].value, 12.5);
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 1);
    QCOMPARE(reqs[0].method, QByteArray("GET"));
    QCOMPARE(reqs[0].path, QByteArray("/api/v1/query")); // the trailing slash of the base URL is not doubled
    QCOMPARE(reqs[0].param("query"), promql);
    QCOMPARE(reqs[0].param("time"), QStringLiteral("1700000000.5"));
    QVERIFY(reqs[0].headers.value("user-agent").startsWith("switchboard/"));
}

void TestPrometheusClient::rangeParameters()
{
    FakePrometheus server;
    server.push(answer(200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})"));
    PrometheusClient client(settingsFor(server.url() + QStringLiteral("/prom")));
    const PrometheusClient::Reply r = client.queryRange(QStringLiteral("up"), 1700000000000, 1700000060000, 1500);
    QVERIFY2(r.ok(), qPrintable(r.error));
    const auto req = server.requests().value(0);
    QCOMPARE(req.path, QByteArray("/prom/api/v1/query_range"));
    QCOMPARE(req.param("start"), QStringLiteral("1700000000"));
    QCOMPARE(req.param("end"), QStringLiteral("1700000060"));
    QCOMPARE(req.param("step"), QStringLiteral("1.5"));
    QVERIFY(!client.queryRange(QStringLiteral("up"), 2, 1, 1).ok());
    QCOMPARE(server.requests().size(), 1); // a bad range never reaches the server
}

void TestPrometheusClient::errors_data()
{
    QTest::addColumn<QList<Response>>("responses");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<QString>("error"); // regex; %URL is the server's base URL
    QTest::addColumn<int>("requests");

    const qint64 big = qint64(256) << 20;
    QTest::newRow("400 bad_data")
        << QList<Response>{answer(400, R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""})")}
        << big << "^Prometheus: bad_data: 1:5: parse error: unexpected \"\\}\" \\(HTTP 400\\)$" << 1;
    QTest::newRow("422 execution")
        << QList<Response>{answer(422, R"({"status":"error","errorType":"execution","error":"many-to-many matching not allowed"})")}
        << big << "^Prometheus: execution: many-to-many matching not allowed \\(HTTP 422\\)$" << 1;
    QTest::newRow("404 no retry") << QList<Response>{answer(404, "404 page not found\n", "text/plain")} << big
                                  << "^Prometheus: HTTP 404 from %URL/api/v1/query: 404 page not found$" << 1;
    QTest::newRow("401 html") << QList<Response>{answer(401, "<html>\n<h1>Login</h1></html>", "text/html")} << big
                              << "^Prometheus: HTTP 401 from %URL/api/v1/query: <html>$" << 1;
    QTest::newRow("503 three times")
        << QList<Response>{answer(503, "busy"), answer(503, "busy"), answer(503, "busy"), answer(200, kVector)} << big
        << "^Prometheus: HTTP 503 from %URL/api/v1/query: busy \\(after 3 attempts\\)$" << 3;
    QTest::newRow("503 api timeout")
        << QList<Response>{answer(503, R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})"),
                           answer(503, R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})"),
                           answer(503, R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})")}
        << big << "^Prometheus: timeout: query timed out in expression evaluation \\(HTTP 503\\) \\(after 3 attempts\\)$" << 3;
    QTest::newRow("200 not JSON") << QList<Response>{answer(200, "<!DOCTYPE html><title>Grafana</title>", "text/html")} << big
                                  << "^Prometheus: unreadable answer from %URL/api/v1/query \\(HTTP 200, text/html\\): not JSON: " << 1;
    QTest::newRow("200 truncated") << QList<Response>{answer(200, R"({"status":"success","data":{"resultType":"vec)")} << big
                                   << "^Prometheus: unreadable answer from .*: truncated JSON: the body ends after \\d+ bytes" << 1;
    QTest::newRow("200 wrong type") << QList<Response>{answer(200, R"({"status":"success","data":[]})")} << big
                                    << "\\(HTTP 200, application/json\\): data: expected an object, got array$" << 1;
    QTest::newRow("302 redirect") << QList<Response>{answer(302, "")} << big
                                  << "^Prometheus: HTTP 302 redirect from %URL/api/v1/query: redirects are not followed" << 1;
    QTest::newRow("closed without answer")
        << QList<Response>{mode(Response::Mode::Close), mode(Response::Mode::Close), mode(Response::Mode::Close)} << big
        << "^Prometheus: %URL closed the connection without answering \\(after 3 attempts\\)$" << 3;
    QTest::newRow("closed once") << QList<Response>{mode(Response::Mode::Close), answer(200, kVector)} << big << QString() << 2;
    QTest::newRow("too large") << QList<Response>{answer(200, QByteArray(10000, ' ') + kVector)} << qint64(1024)
                               << "^Prometheus: answer from %URL/api/v1/query is larger than 1024 bytes: aborted" << 1;
}

void TestPrometheusClient::errors()
{
    QFETCH(QList<Response>, responses);
    QFETCH(qint64, maxBytes);
    QFETCH(QString, error);
    QFETCH(int, requests);
    FakePrometheus server;
    for (const Response &r : responses)
        server.push(r);
    PrometheusClient::Settings s = settingsFor(server.url());
    s.maxResponseBytes = maxBytes;
    PrometheusClient client(s);
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    if (error.isEmpty()) {
        QVERIFY2(r.ok(), qPrintable(r.error));
    } else {
        QVERIFY(!r.ok());
        const QString re = QString(error).replace(QStringLiteral("%URL"), QRegularExpression::escape(server.url()));
        QVERIFY2(QRegularExpression(re).match(r.error).hasMatch(), qPrintable(r.error));
        QVERIFY(!r.error.contains(QLatin1Char('\n')));
    }
    QCOMPARE(server.requests().size(), requests);
    QCOMPARE(r.attempts, requests);
}

void TestPrometheusClient::retryThenSuccess()
{
    FakePrometheus server;
    server.push(answer(503, "overloaded"));
    server.push(answer(502, "bad gateway"));
    server.push(answer(200, kVector));
    PrometheusClient::Settings s = settingsFor(server.url());
    s.backoffMs = 100;
    PrometheusClient client(s);
    QElapsedTimer t;
    t.start();
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.attempts, 3);
    QCOMPARE(server.requests().size(), 3);
    QVERIFY2(t.elapsed() >= 100 + 200, "back-off doubles: 100 ms, then 200 ms");
}

void TestPrometheusClient::timeoutIsBounded()
{
    FakePrometheus server;
    server.push(mode(Response::Mode::Hang));
    server.push(mode(Response::Mode::Hang));
    server.push(mode(Response::Mode::Hang));
    PrometheusClient::Settings s = settingsFor(server.url());
    s.timeoutMs = 600;
    PrometheusClient client(s);
    QElapsedTimer t;
    t.start();
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error, QStringLiteral("Prometheus: no complete answer from %1/api/v1/query within 0.6 s (timeout)").arg(server.url()));
    // A slow query is not retried: it already used the whole budget, the next poll retries.
    QCOMPARE(server.requests().size(), 1);
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
}

void TestPrometheusClient::refusedPort()
{
    int port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed: nothing listens there now
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    PrometheusClient client(settingsFor(url));
    QElapsedTimer t;
    t.start();
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QCOMPARE(r.error, QStringLiteral("Prometheus: connection refused by %1 (is Prometheus running there?) (after 3 attempts)").arg(url));
    QCOMPARE(r.attempts, 3);
    QVERIFY(t.elapsed() < 2000);
}

void TestPrometheusClient::cancelStopsACall()
{
    FakePrometheus server;
    server.push(mode(Response::Mode::Hang));
    PrometheusClient::Settings s = settingsFor(server.url());
    s.timeoutMs = 20000;
    PrometheusClient client(s);
    // The server thread cancels the client once the request is in: a call from another thread.
    server.setOnRequest([&client] { client.cancel(); });
    QElapsedTimer t;
    t.start();
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QCOMPARE(r.error, QStringLiteral("Prometheus: cancelled"));
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    client.resetCancel();
    server.setOnRequest({});
    QVERIFY(client.query(QStringLiteral("up")).ok());
}

void TestPrometheusClient::auth_data()
{
    QTest::addColumn<QJsonObject>("json"); // added to {"url": ...}
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("secret"); // must reach the server, must not reach a message

    const QString tokenFile = m_tmp.filePath(QStringLiteral("token"));
    const QString passFile = m_tmp.filePath(QStringLiteral("pass"));
    QFile tf(tokenFile);
    QVERIFY(tf.open(QIODevice::WriteOnly));
    tf.write("file-token-8c1f2e\n");
    tf.close();
    QFile pf(passFile);
    QVERIFY(pf.open(QIODevice::WriteOnly));
    pf.write("file-pass-77aa\n");
    pf.close();

    QTest::newRow("bearerToken") << QJsonObject{{QStringLiteral("bearerToken"), QStringLiteral("s3cr3t-t0ken-abc")}}
                                 << QByteArray("authorization") << QByteArray("Bearer s3cr3t-t0ken-abc")
                                 << QByteArray("s3cr3t-t0ken-abc");
    QTest::newRow("bearerTokenFile") << QJsonObject{{QStringLiteral("bearerTokenFile"), tokenFile}} << QByteArray("authorization")
                                     << QByteArray("Bearer file-token-8c1f2e") << QByteArray("file-token-8c1f2e");
    QTest::newRow("basicAuth") << QJsonObject{{QStringLiteral("basicAuth"),
                                               QJsonObject{{QStringLiteral("username"), QStringLiteral("grafana")},
                                                           {QStringLiteral("password"), QStringLiteral("hunter2-pw")}}}}
                               << QByteArray("authorization") << QByteArray("Basic " + QByteArray("grafana:hunter2-pw").toBase64())
                               << QByteArray("hunter2-pw");
    QTest::newRow("basicAuth passwordFile")
        << QJsonObject{{QStringLiteral("basicAuth"), QJsonObject{{QStringLiteral("username"), QStringLiteral("grafana")},
                                                                 {QStringLiteral("passwordFile"), passFile}}}}
        << QByteArray("authorization") << QByteArray("Basic " + QByteArray("grafana:file-pass-77aa").toBase64()) << QByteArray("file-pass-77aa");
    QTest::newRow("tenant header") << QJsonObject{{QStringLiteral("headers"),
                                                   QJsonObject{{QStringLiteral("X-Scope-OrgID"), QStringLiteral("tenant-1")}}}}
                                   << QByteArray("x-scope-orgid") << QByteArray("tenant-1") << QByteArray();
    QTest::newRow("api key header") << QJsonObject{{QStringLiteral("headers"),
                                                    QJsonObject{{QStringLiteral("X-Api-Key"), QStringLiteral("key-9f9f9f")}}}}
                                    << QByteArray("x-api-key") << QByteArray("key-9f9f9f") << QByteArray("key-9f9f9f");
}

void TestPrometheusClient::auth()
{
    QFETCH(QJsonObject, json);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, secret);
    FakePrometheus server;
    // A careless proxy that echoes the credentials it rejected: they must not reach a message.
    server.setResponder([](const FakePrometheus::Request &req) {
        QByteArray echo;
        for (auto it = req.headers.begin(); it != req.headers.end(); ++it)
            echo += it.key() + "=" + it.value() + " ";
        return answer(401, "denied: " + echo, "text/plain");
    });
    json.insert(QStringLiteral("url"), server.url());
    PrometheusClient::Settings s;
    QString error;
    QVERIFY2(PrometheusClient::Settings::fromJson(json, &s, &error), qPrintable(error));
    PrometheusClient client(s);
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QVERIFY(!r.ok());
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 1); // 401 is not retried
    QCOMPARE(reqs[0].headers.value(header), value);
    QVERIFY2(r.error.startsWith(QStringLiteral("Prometheus: HTTP 401 from ")), qPrintable(r.error));
    if (!secret.isEmpty()) {
        QVERIFY2(!r.error.contains(QString::fromUtf8(secret)), qPrintable(r.error));
        QVERIFY2(!r.error.contains(QString::fromLatin1(value)), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("***")), qPrintable(r.error));
    }
}

void TestPrometheusClient::secretsStayOutOfMessages()
{
    // Credentials in the URL itself: used by libcurl, never shown.
    FakePrometheus server;
    server.setResponder([](const FakePrometheus::Request &req) {
        return answer(500, "failed for " + req.headers.value("authorization"), "text/plain");
    });
    const QString url = QStringLiteral("http://ops:url-pass-5150@127.0.0.1:%1").arg(server.port());
    PrometheusClient::Settings s = settingsFor(url);
    s.bearerToken.clear();
    PrometheusClient client(s);
    QCOMPARE(client.displayUrl(), server.url());
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QCOMPARE(server.requests().value(0).headers.value("authorization"), QByteArray("Basic " + QByteArray("ops:url-pass-5150").toBase64()));
    QVERIFY(!r.ok());
    QVERIFY2(!r.error.contains(QStringLiteral("url-pass-5150")), qPrintable(r.error));
    QVERIFY2(!r.error.contains(QString::fromLatin1(QByteArray("ops:url-pass-5150").toBase64())), qPrintable(r.error));
    QVERIFY2(r.error.contains(server.url()), qPrintable(r.error));
    QCOMPARE(r.attempts, 3);

    // A refused connection with a token configured: the token is nowhere in the message.
    int port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    PrometheusClient::Settings t = settingsFor(QStringLiteral("http://127.0.0.1:%1").arg(port));
    t.bearerToken = QStringLiteral("tok-REFUSED-123");
    PrometheusClient refused(t);
    const PrometheusClient::Reply rr = refused.query(QStringLiteral("up"));
    QVERIFY(!rr.ok());
    QVERIFY(!rr.error.contains(QStringLiteral("tok-REFUSED-123")));
}

void TestPrometheusClient::warningsPassThrough()
{
    FakePrometheus server;
    server.push(answer(200, R"({"status":"success","warnings":["partial response: store 3 down"],"data":{"resultType":"vector","result":[]}})"));
    PrometheusClient client(settingsFor(server.url()));
    const PrometheusClient::Reply r = client.query(QStringLiteral("up"));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.warnings, QStringList{QStringLiteral("partial response: store 3 down")});
}

void TestPrometheusClient::settings_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    QTest::newRow("minimal") << QByteArray(R"({"url":"http://127.0.0.1:9090"})") << QString();
    QTest::newRow("everything")
        << QByteArray(R"({"url":"https://prom.example/prometheus/","bearerToken":"t0k","insecureSkipTlsVerify":true,)"
                      R"("headers":{"X-Scope-OrgID":"a"},"connectTimeoutMs":500,"timeoutMs":3000,"retries":0})")
        << QString();
    QTest::newRow("no url") << QByteArray(R"({})") << "prometheus.url: expected a URL";
    QTest::newRow("url number") << QByteArray(R"({"url":9090})") << "prometheus.url: expected a URL";
    QTest::newRow("ftp") << QByteArray(R"({"url":"ftp://h/"})") << "prometheus.url: expected an http:// or https:// URL";
    QTest::newRow("url query") << QByteArray(R"({"url":"http://h:9090/?x=1"})") << "prometheus.url: must not carry a query";
    QTest::newRow("token twice") << QByteArray(R"({"url":"http://h","bearerToken":"a","bearerTokenFile":"/f"})")
                                 << "bearerToken and bearerTokenFile: give one";
    QTest::newRow("token newline") << QByteArray(R"({"url":"http://h","bearerToken":"a\r\nX-Evil: 1"})") << "bearerToken: must be one line";
    QTest::newRow("basic no user") << QByteArray(R"({"url":"http://h","basicAuth":{"password":"p"}})") << "basicAuth.username";
    QTest::newRow("basic both") << QByteArray(R"({"url":"http://h","basicAuth":{"username":"u","password":"p","passwordFile":"/f"}})")
                                << "basicAuth: give a string \"password\" or \"passwordFile\"";
    QTest::newRow("basic and bearer") << QByteArray(R"({"url":"http://h","bearerToken":"t","basicAuth":{"username":"u","password":"p"}})")
                                      << "basicAuth and bearerToken";
    QTest::newRow("header injection") << QByteArray(R"({"url":"http://h","headers":{"X-A":"v\r\nHost: evil"}})")
                                      << "headers.X-A: expected a one-line string";
    QTest::newRow("header name") << QByteArray(R"({"url":"http://h","headers":{"Bad Name":"v"}})") << "\"Bad Name\" is not a valid header name";
    QTest::newRow("headers array") << QByteArray(R"({"url":"http://h","headers":["a"]})") << "headers: expected an object";
    QTest::newRow("timeout string") << QByteArray(R"({"url":"http://h","timeoutMs":"10s"})") << "timeoutMs: expected milliseconds";
    QTest::newRow("timeout fraction") << QByteArray(R"({"url":"http://h","timeoutMs":1.5})") << "timeoutMs: expected milliseconds";
    QTest::newRow("retries 99") << QByteArray(R"({"url":"http://h","retries":99})") << "retries: expected a whole number";
    QTest::newRow("caFile missing") << QByteArray(R"({"url":"https://h","caFile":"/nonexistent/ca.pem"})") << "caFile: cannot read";
    QTest::newRow("insecure string") << QByteArray(R"({"url":"https://h","insecureSkipTlsVerify":"yes"})")
                                     << "insecureSkipTlsVerify: expected true or false";
}

void TestPrometheusClient::settings()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    PrometheusClient::Settings s;
    QString got;
    const bool ok = PrometheusClient::Settings::fromJson(QJsonDocument::fromJson(json).object(), &s, &got);
    if (error.isEmpty()) {
        QVERIFY2(ok, qPrintable(got));
    } else {
        QVERIFY(!ok);
        QVERIFY2(got.contains(error), qPrintable(got));
        QVERIFY2(!got.contains(QStringLiteral("X-Evil")) && !got.contains(QStringLiteral("evil")), qPrintable(got));
    }
}

void TestPrometheusClient::expand_data()
{
    QTest::addColumn<QString>("stable");
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("expected");

    const QString v1 = QStringLiteral("v1");
    QTest::newRow("version") << v1 << QStringLiteral(R"(sum(rate(x{version="{{version}}"}[{{window}}])))") << v1
                             << QStringLiteral(R"(sum(rate(x{version="v1"}[10s])))");
    QTest::newRow("versions") << v1 << QStringLiteral(R"(sum by (version) (x{version=~"{{versions}}"}))") << QString()
                              << QStringLiteral(R"(sum by (version) (x{version=~"v1|v2"}))");
    QTest::newRow("backend") << v1 << QStringLiteral(R"(haproxy_backend_up{proxy="{{backend}}"})") << QString()
                             << QStringLiteral(R"(haproxy_backend_up{proxy="shop"})");
    QTest::newRow("twice") << v1 << QStringLiteral("{{version}}-{{version}}") << QStringLiteral("v2") << QStringLiteral("v2-v2");
    // Label values with regex and string metacharacters are escaped for where they land.
    QTest::newRow("dotted") << QStringLiteral("1.2.3") << QStringLiteral(R"(x{v=~"{{versions}}"} + y{v="{{version}}"})")
                            << QStringLiteral("1.2.3") << QStringLiteral(R"(x{v=~"1\\.2\\.3|v2"} + y{v="1.2.3"})");
    QTest::newRow("quote") << QStringLiteral("a\"b") << QStringLiteral(R"(y{v="{{version}}"})") << QStringLiteral("a\"b")
                           << QStringLiteral(R"(y{v="a\"b"})");
}

void TestPrometheusClient::expand()
{
    QFETCH(QString, stable);
    QFETCH(QString, tmpl);
    QFETCH(QString, version);
    QFETCH(QString, expected);
    PrometheusMetricsSource::Settings s = sourceSettings(QStringLiteral("http://127.0.0.1:1"));
    s.stableLabel = stable;
    QCOMPARE(PrometheusMetricsSource::expand(tmpl, s, version), expected);
}

void TestPrometheusClient::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("10s") << QStringLiteral("10s") << qint64(10000);
    QTest::newRow("500ms") << QStringLiteral("500ms") << qint64(500);
    QTest::newRow("1m30s") << QStringLiteral("1m30s") << qint64(90000);
    QTest::newRow("2h") << QStringLiteral("2h") << qint64(7200000);
    QTest::newRow("1d") << QStringLiteral("1d") << qint64(86400000);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("no unit") << QStringLiteral("10") << qint64(-1);
    QTest::newRow("junk") << QStringLiteral("10s junk") << qint64(-1);
}

void TestPrometheusClient::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QCOMPARE(PrometheusMetricsSource::durationMs(text), ms);
}

void TestPrometheusClient::rangeWidensShortWindows()
{
    FakePrometheus server;
    server.setResponder([](const FakePrometheus::Request &) {
        return answer(200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
    });
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy ready(&source, &MetricsSource::rangeReady);
    source.queryRange(1700000000000, 1700000000000 + 3600000, 60000, 1); // 1 h, one point a minute
    source.queryRange(1700000000000, 1700000000000 + 60000, 2000, 2);    // 1 min, one point every 2 s
    QCOMPARE(ready.size(), 2);
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 10); // rps, errorRatio, p50, p95, p99 for each of the two ranges
    QVERIFY2(reqs[0].param("query").contains(QStringLiteral("[60000ms]")), qPrintable(reqs[0].param("query")));
    QVERIFY2(reqs[5].param("query").contains(QStringLiteral("[10s]")), qPrintable(reqs[5].param("query")));
}

// The settings dialog's Save: new queries apply to the running source; unusable ones are
// refused with the key named, and the source keeps what it had.
void TestPrometheusClient::sourceTakesNewSettings()
{
    FakePrometheus server;
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy done(&source, &MetricsSource::reconfigured);
    QSignalSpy answered(&source, &MetricsSource::instantReady);
    auto prometheus = [&server](const QString &rateWindow) {
        const QJsonObject queries{{QStringLiteral("rps"), QStringLiteral("my_rps{version=\"{{version}}\"}")},
                                  {QStringLiteral("errorRatio"), QString()}, {QStringLiteral("p50"), QString()},
                                  {QStringLiteral("p95"), QString()}, {QStringLiteral("p99"), QString()},
                                  {QStringLiteral("sampleTime"), QString()}};
        return QJsonObject{{QStringLiteral("prometheus"),
                            QJsonObject{{QStringLiteral("url"), server.url()}, {QStringLiteral("stableLabel"), QStringLiteral("v1")},
                                        {QStringLiteral("canaryLabel"), QStringLiteral("v2")},
                                        {QStringLiteral("rateWindow"), rateWindow}, {QStringLiteral("queries"), queries}}}};
    };
    auto queriesSent = [&server, &source, &answered] {
        const qsizetype before = server.requests().size();
        source.queryInstant();
        QStringList out;
        for (const auto &r : server.requests().mid(before))
            out.append(r.param("query"));
        return answered.isEmpty() ? QStringList{QStringLiteral("no answer")} : out;
    };
    QCOMPARE(queriesSent().size(), 6); // the built-ins: rps, error ratio, p50, p95, p99, sample time

    source.reconfigure(prometheus(QStringLiteral("30s")));
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.constLast().at(0).toBool(), true);
    // {{version}}: one query per version.
    QCOMPARE(queriesSent(), (QStringList{QStringLiteral("my_rps{version=\"v1\"}"), QStringLiteral("my_rps{version=\"v2\"}")}));

    source.reconfigure(prometheus(QStringLiteral("ten seconds")));
    QCOMPARE(done.size(), 2);
    QCOMPARE(done.constLast().at(0).toBool(), false);
    QCOMPARE(done.constLast().at(1).toString(), QStringLiteral("prometheus.rateWindow: expected a Prometheus duration such as \"10s\" or \"1m\""));
    QCOMPARE(queriesSent().size(), 2); // still the ones that worked
}

void TestPrometheusClient::insecureIsFlagged()
{
    PrometheusClient::Settings s = settingsFor(QStringLiteral("https://prom.example:9090"));
    s.insecureSkipTlsVerify = true;
    QTest::ignoreMessage(QtWarningMsg,
                         "TLS certificate verification is OFF for https://prom.example:9090 (insecureSkipTlsVerify)");
    PrometheusClient client(s);
    Q_UNUSED(client);
}

void TestPrometheusClient::sourceInstantCombined()
{
    FakePrometheus server;
    const qint64 sampleMs = 1700000000250;
    server.setResponder([sampleMs](const FakePrometheus::Request &req) {
        const QString q = req.param("query");
        if (q.startsWith(QStringLiteral("(sum by (version)")))
            return answer(200, vectorOf({{QStringLiteral("v1"), QStringLiteral("0")}, {QStringLiteral("v2"), QStringLiteral("0.1")}}));
        if (q.startsWith(QStringLiteral("sum by (version)")))
            return answer(200, vectorOf({{QStringLiteral("v2"), QStringLiteral("5")}, {QStringLiteral("v1"), QStringLiteral("10")},
                                         {QStringLiteral("v3"), QStringLiteral("99")}}));
        if (q.startsWith(QStringLiteral("histogram_quantile(0.5,")))
            return answer(200, vectorOf({{QStringLiteral("v1"), QStringLiteral("3.5")}, {QStringLiteral("v2"), QStringLiteral("NaN")}}));
        if (q.startsWith(QStringLiteral("histogram_quantile(0.95,")))
            return answer(200, vectorOf({{QStringLiteral("v1"), QStringLiteral("4.75")}, {QStringLiteral("v2"), QStringLiteral("242.5")}}));
        if (q.startsWith(QStringLiteral("histogram_quantile(0.99,")))
            return answer(200, vectorOf({{QStringLiteral("v1"), QStringLiteral("+Inf")}, {QStringLiteral("v2"), QStringLiteral("248.5")}}));
        if (q.startsWith(QStringLiteral("max by (version) (timestamp(")))
            return answer(200, vectorOf({{QStringLiteral("v1"), QString::number(double(sampleMs) / 1000, 'f', 3)}}));
        return answer(400, R"({"status":"error","errorType":"bad_data","error":"unexpected query"})");
    });
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy ready(&source, &MetricsSource::instantReady);
    QSignalSpy failed(&source, &MetricsSource::queryFailed);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    source.queryInstant();
    QCOMPARE(failed.size(), 0);
    QCOMPARE(ready.size(), 1);
    const HealthSnapshot h = ready.at(0).at(0).value<HealthSnapshot>();
    QCOMPARE(h.stable.rps, 10.0);
    QCOMPARE(h.canary.rps, 5.0); // the v3 series is someone else's
    QCOMPARE(h.stable.errorRatio, 0.0);
    QCOMPARE(h.canary.errorRatio, 0.1);
    QCOMPARE(h.stable.p50Ms, 3.5);
    QVERIFY(std::isnan(h.canary.p50Ms)); // NaN stays unknown
    QVERIFY(std::isnan(h.stable.p99Ms)); // +Inf is unknown too
    QCOMPARE(h.canary.p99Ms, 248.5);
    QCOMPARE(h.stable.p95Ms, 4.75);
    QCOMPARE(h.canary.p95Ms, 242.5);
    QCOMPARE(h.stable.timeMs, sampleMs); // the newest sample's time: staleness is real
    QVERIFY(h.canary.timeMs >= before);  // no sample time: the evaluation time

    // Six requests (one per metric for both versions, plus sampleTime), one evaluation time.
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 6);
    const QString time = reqs[0].param("time");
    QVERIFY(!time.isEmpty());
    for (const auto &r : reqs) {
        QCOMPARE(r.param("time"), time);
        QVERIFY2(r.param("query").contains(QStringLiteral("version=~\"v1|v2\"")), qPrintable(r.param("query")));
        QVERIFY2(r.param("query").contains(QStringLiteral("[10s]")) || r.param("query").contains(QStringLiteral("timestamp(")),
                 qPrintable(r.param("query")));
    }
}

void TestPrometheusClient::sourceInstantPerVersion()
{
    FakePrometheus server;
    server.setResponder([](const FakePrometheus::Request &req) {
        const bool canary = req.param("query").contains(QStringLiteral("\"v2\""));
        return answer(200, vectorOf({{QString(), canary ? QStringLiteral("7") : QStringLiteral("70")}}));
    });
    PrometheusMetricsSource::Settings s = sourceSettings(
        server.url(), QJsonObject{{QStringLiteral("rateWindow"), QStringLiteral("30s")},
                                  {QStringLiteral("queries"),
                                   QJsonObject{{QStringLiteral("rps"), QStringLiteral("sum(rate(http_requests_total{track=\"{{version}}\"}[{{window}}]))")},
                                               {QStringLiteral("errorRatio"), QString()},
                                               {QStringLiteral("p50"), QString()},
                                               {QStringLiteral("p95"), QString()},
                                               {QStringLiteral("p99"), QString()},
                                               {QStringLiteral("sampleTime"), QString()}}}});
    PrometheusMetricsSource source(s);
    QSignalSpy ready(&source, &MetricsSource::instantReady);
    source.queryInstant();
    QCOMPARE(ready.size(), 1);
    const HealthSnapshot h = ready.at(0).at(0).value<HealthSnapshot>();
    QCOMPARE(h.stable.rps, 70.0);
    QCOMPARE(h.canary.rps, 7.0);
    QVERIFY(std::isnan(h.stable.errorRatio)); // not configured: unknown, never 0
    QVERIFY(std::isnan(h.canary.p99Ms));
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 2);
    QCOMPARE(reqs[0].param("query"), QStringLiteral("sum(rate(http_requests_total{track=\"v1\"}[30s]))"));
    QCOMPARE(reqs[1].param("query"), QStringLiteral("sum(rate(http_requests_total{track=\"v2\"}[30s]))"));
}

void TestPrometheusClient::sourceFailure()
{
    FakePrometheus server;
    server.push(answer(400, R"({"status":"error","errorType":"bad_data","error":"unknown function \"rat\""})"));
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy ready(&source, &MetricsSource::instantReady);
    QSignalSpy failed(&source, &MetricsSource::queryFailed);
    source.queryInstant();
    QCOMPARE(ready.size(), 0);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("rps query: Prometheus: bad_data: unknown function \"rat\" (HTTP 400)"));
    QCOMPARE(server.requests().size(), 1); // the first failure ends the poll
}

void TestPrometheusClient::sourceSeriesWithoutVersion()
{
    FakePrometheus server;
    server.setResponder([](const FakePrometheus::Request &) {
        return answer(200, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"3"]}]}})");
    });
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy failed(&source, &MetricsSource::queryFailed);
    source.queryInstant();
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(),
             QStringLiteral("rps query: none of its 1 series has version=\"v1\" or \"v2\"; group it by (version), or use {{version}}"));
}

void TestPrometheusClient::sourceRange()
{
    FakePrometheus server;
    // Answers every range query with the grid it was asked for, v1 = 1 per point, v2 missing
    // the second point (a gap) and one point off the grid that must be ignored.
    server.setResponder([](const FakePrometheus::Request &req) {
        const double start = req.param("start").toDouble();
        const double end = req.param("end").toDouble();
        const double step = req.param("step").toDouble();
        QByteArray v1, v2;
        int i = 0;
        for (double t = start; t <= end + 1e-9; t += step, ++i) {
            const QByteArray point = "[" + QByteArray::number(t, 'f', 3) + ",\"" + QByteArray::number(i) + "\"]";
            v1 += (v1.isEmpty() ? "" : ",") + point;
            if (i != 1)
                v2 += (v2.isEmpty() ? "" : ",") + point;
        }
        v2 += ",[" + QByteArray::number(start + 0.25, 'f', 3) + ",\"999\"]";
        return answer(200, R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"version":"v1"},"values":[)" + v1
                               + R"(]},{"metric":{"version":"v2"},"values":[)" + v2 + "]}]}}");
    });
    PrometheusMetricsSource source(sourceSettings(server.url()));
    QSignalSpy ready(&source, &MetricsSource::rangeReady);
    QSignalSpy failed(&source, &MetricsSource::queryFailed);
    const qint64 from = 1700000000300; // not on the 2 s grid: the first point is at ...002000
    const qint64 to = 1700000020000;
    source.queryRange(from, to, 2000, 42);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.at(0).at(1).toULongLong(), quint64(42));
    const HealthSeries series = ready.at(0).at(0).value<HealthSeries>();
    QCOMPARE(series.stable.size(), 10); // 002 .. 020 every 2 s
    QCOMPARE(series.canary.size(), 10);
    for (int i = 0; i < series.stable.size(); ++i) {
        QCOMPARE(series.stable[i].timeMs, 1700000002000 + i * 2000);
        QCOMPARE(series.stable[i].timeMs % 2000, 0);
        QCOMPARE(series.canary[i].timeMs, series.stable[i].timeMs);
        QCOMPARE(series.stable[i].rps, double(i));
    }
    QVERIFY(std::isnan(series.canary[1].rps)); // the gap stays unknown
    QCOMPARE(series.canary[2].rps, 2.0);
    const auto reqs = server.requests();
    QCOMPARE(reqs.size(), 5); // one range query per metric (rps, errorRatio, p50, p95, p99)
    QCOMPARE(reqs[0].path, QByteArray("/api/v1/query_range"));
    QCOMPARE(reqs[0].param("start"), QStringLiteral("1700000002"));
    QCOMPARE(reqs[0].param("end"), QStringLiteral("1700000020"));
    QCOMPARE(reqs[0].param("step"), QStringLiteral("2"));

    // Too many points for Prometheus: refused before asking.
    source.queryRange(0, 20000000, 1000, 43);
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("more than Prometheus' 11000")));
    QCOMPARE(server.requests().size(), 5); // nothing more was sent
}

void TestPrometheusClient::testQueryText()
{
    FakePrometheus server;
    server.push(answer(200, vectorOf({{QStringLiteral("v1"), QStringLiteral("812.4")}, {QStringLiteral("v2"), QStringLiteral("NaN")}})));
    server.push(answer(400, R"({"status":"error","errorType":"bad_data","error":"parse error"})"));
    const PrometheusMetricsSource::Settings s = sourceSettings(server.url());
    bool ok = false;
    QCOMPARE(PrometheusMetricsSource::testQuery(s, QStringLiteral("up{v=\"{{version}}\"}"), &ok),
             QStringLiteral("2 series: {version=\"v1\"} 812.4; {version=\"v2\"} NaN"));
    QVERIFY(ok);
    QCOMPARE(server.requests().value(0).param("query"), QStringLiteral("up{v=\"v1\"}"));
    QCOMPARE(PrometheusMetricsSource::testQuery(s, QStringLiteral("up{"), &ok),
             QStringLiteral("Prometheus: bad_data: parse error (HTTP 400)"));
    QVERIFY(!ok);
    QCOMPARE(PrometheusMetricsSource::testQuery(s, QStringLiteral("{{nope}}"), &ok),
             QStringLiteral("unknown placeholder {{nope}} (known: {{version}}, {{versions}}, {{window}}, {{backend}})"));
    QVERIFY(!ok);

    // The member slot answers through a signal with the caller's token.
    server.push(answer(200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})"));
    PrometheusMetricsSource source(s);
    QSignalSpy done(&source, &MetricsSource::testQueryFinished);
    source.runTestQuery(QStringLiteral("1+1"), 7);
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.at(0).at(0).toULongLong(), quint64(7));
    QCOMPARE(done.at(0).at(1).toBool(), true);
    QCOMPARE(done.at(0).at(2).toString(), QStringLiteral("scalar 2"));
}

QTEST_GUILESS_MAIN(TestPrometheusClient)
#include "tst_prometheusclient.moc"
