// PrometheusMetricsSource against an in-test HTTP server (support/fakeprometheus.h): query
// templating, durations, settings taken while running, and the mapping of answers onto health
// values. The client itself: tst_prometheusclient.
#include "fakeprometheus.h"
#include "backendhost.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <cmath>
#include <functional>

using namespace Switchboard;

class TestPrometheusMetricsSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
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
};

void TestPrometheusMetricsSource::initTestCase()
{
    registerMetaTypes();
}

void TestPrometheusMetricsSource::expand_data()
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

void TestPrometheusMetricsSource::expand()
{
    QFETCH(QString, stable);
    QFETCH(QString, tmpl);
    QFETCH(QString, version);
    QFETCH(QString, expected);
    PrometheusMetricsSource::Settings s = sourceSettings(QStringLiteral("http://127.0.0.1:1"));
    s.stableLabel = stable;
    QCOMPARE(PrometheusMetricsSource::expand(tmpl, s, version), expected);
}

void TestPrometheusMetricsSource::durations_data()
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

void TestPrometheusMetricsSource::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QCOMPARE(PrometheusMetricsSource::durationMs(text), ms);
}

void TestPrometheusMetricsSource::rangeWidensShortWindows()
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
void TestPrometheusMetricsSource::sourceTakesNewSettings()
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

void TestPrometheusMetricsSource::insecureIsFlagged()
{
    PrometheusClient::Settings s = settingsFor(QStringLiteral("https://prom.example:9090"));
    s.insecureSkipTlsVerify = true;
    QTest::ignoreMessage(QtWarningMsg,
                         "TLS certificate verification is OFF for https://prom.example:9090 (insecureSkipTlsVerify)");
    PrometheusClient client(s);
    Q_UNUSED(client);
}

void TestPrometheusMetricsSource::sourceInstantCombined()
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

void TestPrometheusMetricsSource::sourceInstantPerVersion()
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

void TestPrometheusMetricsSource::sourceFailure()
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

void TestPrometheusMetricsSource::sourceSeriesWithoutVersion()
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

void TestPrometheusMetricsSource::sourceRange()
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

void TestPrometheusMetricsSource::testQueryText()
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

QTEST_GUILESS_MAIN(TestPrometheusMetricsSource)
#include "tst_prometheusmetricssource.moc"
