// The continuous verdict: the default verdict gates on the simulator's default traffic (a
// healthy canary is never flagged over ten minutes and several seeds; the issue's failing canary,
// 4.7% errors against stable's 0.24%, and a slow one are), the mapping from gate results to
// healthy / watch / failing / no data (no data is never healthy), the judge gates' JSON, and the
// window filled from history.
#include "simworld.h"
#include "statjudge.h"
#include "verdictwatch.h"

#include <QJsonDocument>
#include <QTest>

using namespace Switchboard;
using VState = Verdict::State;

namespace {

constexpr qint64 kStart = 1'800'000'000'000;

VerdictWatch::Reading readingAt(const SimWorld &world, qint64 t)
{
    VerdictWatch::Reading r;
    r.hasSnapshot = true;
    r.canaryPercent = world.canaryPercentAt(t);
    r.hasHealth = true;
    r.health = {world.health(Version::Stable, t), world.health(Version::Canary, t)};
    r.nowMs = t;
    r.staleAfterMs = 5000;
    return r;
}

GateSpec gateFrom(const QByteArray &json, QString *error)
{
    GateSpec g;
    GateSpec::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("g"), &g, error);
    return g;
}

} // namespace

class TestVerdictWatch final : public QObject
{
    Q_OBJECT
private slots:
    void defaultsStayHealthyOnDefaultTraffic_data()
    {
        QTest::addColumn<quint64>("seed");
        for (quint64 seed : {1, 42, 7, 2026, 99})
            QTest::newRow(qPrintable(QStringLiteral("seed %1").arg(seed))) << seed;
    }
    void defaultsStayHealthyOnDefaultTraffic()
    {
        QFETCH(quint64, seed);
        SimWorld::Settings s;
        s.seed = seed;
        const SimWorld world(s, kStart, 3600 * 1000);
        VerdictWatch watch;
        int healthy = 0;
        // Ten minutes of one-second polls: never watch, never failing; healthy once judged.
        for (qint64 t = kStart; t < kStart + 600 * 1000; t += 1000) {
            const Verdict &v = watch.observe(readingAt(world, t));
            QVERIFY(v.applies);
            QVERIFY2(v.state == VState::Healthy || v.state == VState::NoData, qPrintable(v.details()));
            if (t > kStart + 30 * 1000)
                QVERIFY2(v.state == VState::Healthy, qPrintable(v.details())); // 20 points are in by then
            healthy += v.state == VState::Healthy;
        }
        QVERIFY(healthy > 550);
    }

    void defaultsFlagTheIssuesFailingCanary()
    {
        SimWorld::Settings s;
        s.stableErrorRatio = 0.0024;
        s.canaryErrorRatio = 0.047;
        const SimWorld world(s, kStart, 3600 * 1000);
        VerdictWatch watch;
        VState last = VState::NoData;
        qint64 failingAt = -1;
        for (qint64 t = kStart; t < kStart + 60 * 1000 && failingAt < 0; t += 1000) {
            const Verdict &v = watch.observe(readingAt(world, t));
            QVERIFY2(v.state != VState::Healthy, qPrintable(v.details()));
            if (v.state == VState::Failing)
                failingAt = t;
            last = v.state;
        }
        QCOMPARE(last, VState::Failing);
        // Ten readings to judge, a second breach to confirm: failing within a quarter minute.
        QVERIFY(failingAt - kStart <= 15 * 1000);
        const Verdict &v = watch.current();
        QVERIFY2(v.reason.contains(QStringLiteral("error-ratio FAIL")), qPrintable(v.reason));
        QVERIFY2(v.reason.contains(QStringLiteral("z-test")) && v.reason.contains(QStringLiteral(", p ")), qPrintable(v.reason));
        const GateResult &r = v.results.constFirst();
        QCOMPARE(r.stats.test, QStringLiteral("z-test"));
        QVERIFY(r.stats.pValue < 1e-6);
        QVERIFY(r.stats.effect > 0.03 && r.stats.effect < 0.06); // about 4.5 points
        // The JSON the audit and status --json carry has the numbers.
        const QJsonObject stats = v.toJson().value(QStringLiteral("gates")).toArray().at(0).toObject().value(QStringLiteral("stats")).toObject();
        QVERIFY(stats.value(QStringLiteral("pValue")).toDouble() < 1e-6);
        QCOMPARE(v.toJson().value(QStringLiteral("state")).toString(), QStringLiteral("failing"));
    }

    void defaultsFlagASlowCanary()
    {
        SimWorld::Settings s;
        s.canaryP99Ms = 200; // stable 48 ms
        const SimWorld world(s, kStart, 3600 * 1000);
        VerdictWatch watch;
        for (qint64 t = kStart; t < kStart + 60 * 1000; t += 1000)
            watch.observe(readingAt(world, t));
        QCOMPARE(watch.current().state, VState::Failing);
        QVERIFY2(watch.current().reason.contains(QStringLiteral("p99 FAIL: mann-whitney")), qPrintable(watch.current().reason));
    }

    void oneBreachIsWatchAndNoDataIsNeverHealthy()
    {
        SimWorld::Settings s;
        const SimWorld world(s, kStart, 3600 * 1000);
        VerdictWatch watch;
        QString error;
        QVERIFY(watch.configure(QJsonDocument::fromJson(R"({"verdict": {"gates": [
            {"name": "err", "metric": "errorRatio", "max": 0.0031, "failureLimit": 3}]}})").object(), &error));
        VerdictWatch::Reading r = readingAt(world, kStart);
        r.health.canary.errorRatio = 0.01;
        QCOMPARE(watch.observe(r).state, VState::Watch); // one breach of three
        // What decided it, for the window to word in its reader's language: the breached gate.
        QCOMPARE(watch.current().why, Verdict::Why::Gate);
        QCOMPARE(watch.current().results.at(watch.current().gate).cause, GateResult::Cause::Confirming);
        QCOMPARE(watch.current().results.at(watch.current().gate).consecutiveFailures, 1);
        r = readingAt(world, kStart + 1000);
        r.health.canary.errorRatio = 0.001;
        QCOMPARE(watch.observe(r).state, VState::Healthy);
        QCOMPARE(watch.current().why, Verdict::Why::GatesPass);
        // Stale, failing metrics, no health at all: no data, whatever came before.
        r = readingAt(world, kStart + 2000);
        r.stale = true;
        QCOMPARE(watch.observe(r).state, VState::NoData);
        QCOMPARE(watch.current().why, Verdict::Why::Stale);
        QCOMPARE(watch.current().staleAfterS, 5.0);
        r.stale = false;
        r.metricsError = QStringLiteral("Prometheus: connection refused");
        QCOMPARE(watch.observe(r).state, VState::NoData);
        QVERIFY(watch.current().reason.contains(QStringLiteral("connection refused")));
        QCOMPARE(watch.current().why, Verdict::Why::MetricsError);
        QCOMPARE(watch.current().metricsError, QStringLiteral("Prometheus: connection refused"));
        // No canary traffic: nothing to judge at all.
        r = readingAt(world, kStart + 3000);
        r.metricsError.clear();
        r.canaryPercent = 0;
        r.health.canary.rps = 0;
        QVERIFY(!watch.observe(r).applies);
        QCOMPARE(watch.current().why, Verdict::Why::NoTraffic);
    }

    void configureRefusesBadSettingsAndKeepsDefaults()
    {
        VerdictWatch watch;
        QString error;
        QVERIFY(!watch.configure(QJsonDocument::fromJson(R"({"verdict": {"autoRollback": "yes"}})").object(), &error));
        QVERIFY(error.contains(QStringLiteral("verdict.autoRollback")));
        QVERIFY(!watch.autoRollback());
        QCOMPARE(watch.gates().size(), qsizetype(2));
        QVERIFY(!watch.configure(QJsonDocument::fromJson(R"({"verdict": {"gates": [{"metric": "p99Ms", "judge": "t-test"}]}})").object(), &error));
        QVERIFY2(error.contains(QStringLiteral("verdict.gates[0].judge")), qPrintable(error));
        QVERIFY(watch.configure(QJsonDocument::fromJson(R"({"verdict": {"autoRollback": true, "windowMs": 30000}})").object(), &error));
        QVERIFY(watch.autoRollback());
        QCOMPARE(watch.windowMs(), qint64(30000));
    }

    void judgeGateJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("two-proportion") << QByteArray(R"({"metric":"errorRatio","judge":"two-proportion","confidence":0.95})") << QString();
        QTest::newRow("mann-whitney with floor") << QByteArray(R"({"metric":"p99Ms","judge":"mann-whitney","floorOverStable":20})") << QString();
        QTest::newRow("two-proportion on latency") << QByteArray(R"({"metric":"p99Ms","judge":"two-proportion"})") << QStringLiteral("g.judge: two-proportion compares error ratios");
        QTest::newRow("mann-whitney on rps") << QByteArray(R"({"metric":"rps","judge":"mann-whitney"})") << QStringLiteral("not rps");
        QTest::newRow("judge with bounds") << QByteArray(R"({"metric":"errorRatio","judge":"two-proportion","max":0.01})") << QStringLiteral("takes no max*/min* bounds");
        QTest::newRow("confidence 1") << QByteArray(R"({"metric":"p50Ms","judge":"mann-whitney","confidence":1})") << QStringLiteral("g.confidence");
        QTest::newRow("confidence without judge") << QByteArray(R"({"metric":"p50Ms","max":10,"confidence":0.9})") << QStringLiteral("g.confidence: goes with a \"judge\"");
        QTest::newRow("minPoints 1") << QByteArray(R"({"metric":"p50Ms","judge":"mann-whitney","minPoints":1})") << QStringLiteral("g.minPoints");
    }
    void judgeGateJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        QString got;
        const GateSpec g = gateFrom(json, &got);
        if (error.isEmpty()) {
            QVERIFY2(got.isEmpty(), qPrintable(got));
            // And back: the JSON form round-trips.
            QString again;
            const GateSpec back = gateFrom(QJsonDocument(g.toJson()).toJson(), &again);
            QVERIFY2(again.isEmpty(), qPrintable(again));
            QCOMPARE(back.judge, g.judge);
            QCOMPARE(back.confidence, g.confidence);
        } else {
            QVERIFY2(got.contains(error), qPrintable(got));
        }
    }

    void judgeNeedsPointsOnBothSides()
    {
        QString error;
        GateSpec g = gateFrom(R"({"metric":"p99Ms","judge":"mann-whitney","minPoints":5})", &error);
        StatWindow w;
        for (int i = 0; i < 4; ++i) {
            HealthSnapshot h;
            h.stable = {kStart + i * 1000, 100, 0.0, 10, 12, 40 + double(i)};
            h.canary = {kStart + i * 1000, 10, 0.0, 10, 12, 400 + double(i)};
            w.add(h, 5000);
        }
        StatJudge::Decision d = StatJudge::judge(g, w);
        QVERIFY(!d.enough);
        QVERIFY2(d.why.contains(QStringLiteral("4 canary and 4 stable")), qPrintable(d.why));
        HealthSnapshot h;
        h.stable = {kStart + 4000, 100, 0.0, 10, 12, 44};
        h.canary = {kStart + 4000, 10, 0.0, 10, 12, 404};
        w.add(h, 5000);
        d = StatJudge::judge(g, w);
        QVERIFY(d.enough);
        QVERIFY(d.worse); // U = 25 of 25: p = 0.0061 < 0.02, ten times slower
        QCOMPARE(d.stats.statistic, 25.0);
        QVERIFY(qAbs(d.stats.pValue - 0.0061) < 0.0005);
        QVERIFY(qAbs(d.stats.shift - 360) < 1e-9);
        // Counts come from rates over the time each reading covers: the first one stands for one
        // gap (5 s), the others for the second since the one before: 10 req/s × 9 s.
        QCOMPARE(w.counts(Version::Canary).requests, 90.0);
        QCOMPARE(w.counts(Version::Canary).readings, 5);
    }

    void seedFromHistoryGivesAVerdictAtOnce()
    {
        SimWorld::Settings s;
        s.canaryErrorRatio = 0.05;
        const SimWorld world(s, kStart, 3600 * 1000);
        HealthSeries series;
        for (qint64 t = kStart - 120 * 1000; t <= kStart; t += 1000) {
            series.stable.append(world.health(Version::Stable, t));
            series.canary.append(world.health(Version::Canary, t));
        }
        VerdictWatch watch;
        watch.seed(series, 10, 5000);
        // The next live reading is judged on a full window: failing at once, confirmed over history.
        QCOMPARE(watch.observe(readingAt(world, kStart + 1000)).state, VState::Failing);
    }
};

QTEST_GUILESS_MAIN(TestVerdictWatch)
#include "tst_verdictwatch.moc"
