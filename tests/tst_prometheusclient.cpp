// PrometheusClient against an in-test HTTP server (support/fakeprometheus.h): API errors,
// retries, timeouts, auth headers, secrets kept out of messages, settings. Query templating and
// the mapping of answers onto health values: tst_prometheusmetricssource.
#include "fakeprometheus.h"
#include "backendhost.h"

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

QTEST_GUILESS_MAIN(TestPrometheusClient)
#include "tst_prometheusclient.moc"
