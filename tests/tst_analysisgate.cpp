// Analysis gates: every outcome of one evaluation (pass, fail, inconclusive for no data, too few
// requests and a breach still being confirmed), the consecutive-failure limit over a sequence,
// and the JSON form with its error messages.
#include "analysisgate.h"

#include <QJsonDocument>
#include <QTest>

using namespace Switchboard;

namespace {

GateSpec gate(const QByteArray &json)
{
    GateSpec g;
    QString error;
    if (!GateSpec::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("gates[0]"), &g, &error))
        qFatal("bad gate in test: %s", qPrintable(error));
    return g;
}

HealthSample sample(qint64 t, double rps, double errorRatio, double p99)
{
    HealthSample s;
    s.timeMs = t;
    s.rps = rps;
    s.errorRatio = errorRatio;
    s.p50Ms = isKnown(p99) ? p99 / 4 : unknown();
    s.p99Ms = p99;
    return s;
}

GateInput input(double canaryErr, double stableErr, double canaryP99 = 50, double stableP99 = 40, double canaryRps = 40,
                double requests = 1000)
{
    GateInput in;
    in.canary = sample(10000, canaryRps, canaryErr, canaryP99);
    in.stable = sample(10000, 760, stableErr, stableP99);
    in.canaryRequests = requests;
    in.nowMs = 10500;
    in.staleAfterMs = 5000;
    return in;
}

using Outcome = GateResult::Outcome;
using Cause = GateResult::Cause;

} // namespace

class TestAnalysisGate : public QObject
{
    Q_OBJECT
private slots:
    void evaluates_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<double>("canaryErr");
        QTest::addColumn<double>("stableErr");
        QTest::addColumn<double>("canaryP99");
        QTest::addColumn<double>("canaryRps");
        QTest::addColumn<double>("requests");
        QTest::addColumn<int>("failuresBefore");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<int>("cause");
        QTest::addColumn<int>("failuresAfter");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<QString>("text");

        const QByteArray abs = R"({"metric":"errorRatio","max":0.01})";
        const QByteArray over = R"({"metric":"errorRatio","maxOverStable":0.01})";
        const QByteArray times = R"({"metric":"p99Ms","maxTimesStable":1.5})";
        const QByteArray any = R"({"name":"err","metric":"errorRatio","max":0.01,"maxOverStable":0.01,"combine":"any"})";
        const QByteArray all = R"({"metric":"errorRatio","max":0.05,"maxTimesStable":2})";
        const QByteArray minRps = R"({"metric":"rps","min":10})";
        const QByteArray floored = R"({"metric":"p99Ms","maxTimesStable":1.5,"floorOverStable":30})";
        const QByteArray lowFloor = R"({"metric":"p99Ms","maxTimesStable":1.5,"floorOverStable":5})";
        const QByteArray flooredAll = R"({"metric":"p99Ms","max":65,"maxTimesStable":1.5,"floorOverStable":30})";
        const QByteArray volume = R"({"metric":"errorRatio","max":0.01,"minRequests":50})";
        const QByteArray rate = R"({"metric":"errorRatio","max":0.01,"minRps":5})";
        const QByteArray twice = R"({"metric":"errorRatio","max":0.01,"failureLimit":2})";
        const double nan = unknown();
        const int P = int(Outcome::Pass), F = int(Outcome::Fail), I = int(Outcome::Inconclusive);
        const int none = int(Cause::None), noData = int(Cause::NoData), few = int(Cause::TooFewRequests),
                  confirming = int(Cause::Confirming);

        QTest::newRow("absolute pass") << abs << 0.005 << 0.002 << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.01 << QStringLiteral("errorRatio pass: canary 0.50% <= 1.00%");
        QTest::newRow("absolute equal passes") << abs << 0.01 << 0.002 << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.01 << QStringLiteral("<= 1.00%");
        QTest::newRow("absolute fail") << abs << 0.02 << 0.002 << 50.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 0.01 << QStringLiteral("errorRatio FAIL: canary 2.00% > 1.00% (1 consecutive)");
        QTest::newRow("over stable pass") << over << 0.014 << 0.005 << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.015 << QStringLiteral("= stable 0.50% + 1.00%");
        QTest::newRow("over stable fail") << over << 0.016 << 0.005 << 50.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 0.015 << QStringLiteral("canary 1.60% > 1.50%");
        QTest::newRow("times stable pass") << times << 0.0 << 0.0 << 59.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 60.0 << QStringLiteral("stable 40.0 ms × 1.5");
        QTest::newRow("times stable fail") << times << 0.0 << 0.0 << 61.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 60.0 << QStringLiteral("canary 61.0 ms > 60.0 ms");
        QTest::newRow("floor over stable pass") << floored << 0.0 << 0.0 << 69.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 70.0 << QStringLiteral("canary 69.0 ms <= 70.0 ms = max(stable 40.0 ms × 1.5, stable 40.0 ms + 30.0 ms)");
        QTest::newRow("floor over stable fail") << floored << 0.0 << 0.0 << 71.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 70.0 << QStringLiteral("canary 71.0 ms > 70.0 ms");
        QTest::newRow("times stable above the floor") << lowFloor << 0.0 << 0.0 << 61.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 60.0 << QStringLiteral("max(stable 40.0 ms × 1.5, stable 40.0 ms + 5.0 ms)");
        QTest::newRow("floor, all: absolute still wins") << flooredAll << 0.0 << 0.0 << 66.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 65.0 << QStringLiteral("min(65.0 ms, max(stable 40.0 ms × 1.5, stable 40.0 ms + 30.0 ms))");
        QTest::newRow("any: absolute floor") << any << 0.009 << 0.0 << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.01 << QStringLiteral("max(1.00%, stable 0.00% + 1.00%)");
        QTest::newRow("any: relative above floor") << any << 0.025 << 0.02 << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.03 << QStringLiteral("err pass");
        QTest::newRow("any: both breached") << any << 0.02 << 0.001 << 50.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 0.011 << QStringLiteral("err FAIL");
        QTest::newRow("all: tightest wins") << all << 0.03 << 0.01 << 50.0 << 40.0 << 1000.0 << 0 << F << none << 1 << 0.02 << QStringLiteral("min(5.00%, stable 1.00% × 2)");
        QTest::newRow("min rps pass") << minRps << 0.0 << 0.0 << 50.0 << 12.0 << 1000.0 << 0 << P << none << 0 << 10.0 << QStringLiteral(">= 10.0 req/s");
        QTest::newRow("min rps fail") << minRps << 0.0 << 0.0 << 50.0 << 8.0 << 1000.0 << 0 << F << none << 1 << 10.0 << QStringLiteral("< 10.0 req/s");
        QTest::newRow("too few requests") << volume << 0.5 << 0.0 << 50.0 << 40.0 << 20.0 << 1 << I << few << 1 << nan << QStringLiteral("canary served 20 of the 50 requests needed");
        QTest::newRow("enough requests") << volume << 0.5 << 0.0 << 50.0 << 40.0 << 60.0 << 0 << F << none << 1 << 0.01 << QStringLiteral("FAIL");
        QTest::newRow("request count unknown") << volume << 0.0 << 0.0 << 50.0 << 40.0 << nan << 0 << I << few << 0 << nan << QStringLiteral("served ? of");
        QTest::newRow("rate too low") << rate << 0.5 << 0.0 << 50.0 << 2.0 << 1000.0 << 0 << I << few << 0 << nan << QStringLiteral("canary at 2.0 req/s, needs 5.0 req/s");
        QTest::newRow("canary NaN") << abs << nan << 0.0 << 50.0 << 40.0 << 1000.0 << 0 << I << noData << 0 << nan << QStringLiteral("no data: canary errorRatio unknown");
        QTest::newRow("stable NaN, relative") << over << 0.0 << nan << 50.0 << 40.0 << 1000.0 << 0 << I << noData << 0 << nan << QStringLiteral("no data: stable errorRatio unknown");
        QTest::newRow("stable NaN, absolute") << abs << 0.0 << nan << 50.0 << 40.0 << 1000.0 << 0 << P << none << 0 << 0.01 << QStringLiteral("pass");
        QTest::newRow("canary without traffic") << abs << nan << 0.0 << nan << 0.0 << 1000.0 << 0 << I << noData << 0 << nan << QStringLiteral("no data: canary has no traffic");
        QTest::newRow("breach below limit") << twice << 0.02 << 0.0 << 50.0 << 40.0 << 1000.0 << 0 << I << confirming << 1 << 0.01 << QStringLiteral("breach 1 of 2 needed to fail");
        QTest::newRow("breach at limit") << twice << 0.02 << 0.0 << 50.0 << 40.0 << 1000.0 << 1 << F << none << 2 << 0.01 << QStringLiteral("(2 consecutive)");
        QTest::newRow("pass resets count") << twice << 0.0 << 0.0 << 50.0 << 40.0 << 1000.0 << 1 << P << none << 0 << 0.01 << QStringLiteral("pass");
        QTest::newRow("no data keeps count") << twice << nan << 0.0 << 50.0 << 40.0 << 1000.0 << 1 << I << noData << 1 << nan << QStringLiteral("no data");
    }
    void evaluates()
    {
        QFETCH(QByteArray, spec);
        QFETCH(double, canaryErr);
        QFETCH(double, stableErr);
        QFETCH(double, canaryP99);
        QFETCH(double, canaryRps);
        QFETCH(double, requests);
        QFETCH(int, failuresBefore);
        QFETCH(int, outcome);
        QFETCH(int, cause);
        QFETCH(int, failuresAfter);
        QFETCH(double, threshold);
        QFETCH(QString, text);
        const GateResult r = evaluateGate(gate(spec), input(canaryErr, stableErr, canaryP99, 40, canaryRps, requests), failuresBefore);
        QVERIFY2(r.text.contains(text), qPrintable(r.text));
        QCOMPARE(int(r.outcome), outcome);
        QCOMPARE(int(r.cause), cause);
        QCOMPARE(r.consecutiveFailures, failuresAfter);
        if (isKnown(threshold))
            QVERIFY2(qAbs(r.threshold - threshold) < 1e-12, qPrintable(QString::number(r.threshold)));
        QVERIFY(r.text.startsWith(r.gate + QLatin1Char(' ')));
        QVERIFY(!r.text.contains(QLatin1Char('\n')));
    }

    void numbersAreReported()
    {
        const GateResult r = evaluateGate(gate(R"({"metric":"errorRatio","maxOverStable":0.01})"), input(0.03, 0.004), 0);
        QCOMPARE(r.canary, 0.03);
        QCOMPARE(r.stable, 0.004);
        QVERIFY(qAbs(r.threshold - 0.014) < 1e-12);
        QCOMPARE(r.canaryRequests, 1000.0);
        QCOMPARE(r.timeMs, 10000);
        QCOMPARE(r.metric, GateSpec::Metric::ErrorRatio);
    }

    void missingDataIsNeverAPass_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("text");
        QTest::newRow("metrics error") << 0 << QStringLiteral("no data: Prometheus: connection refused");
        QTest::newRow("stale canary") << 1 << QStringLiteral("no data: newest sample is 8.0 s old (stale after 5.0 s)");
        QTest::newRow("stale stable, relative gate") << 2 << QStringLiteral("s old");
        QTest::newRow("no sample yet") << 3 << QStringLiteral("no data: no canary sample yet");
    }
    void missingDataIsNeverAPass()
    {
        QFETCH(int, which);
        QFETCH(QString, text);
        GateInput in = input(0.0, 0.0); // values that would pass
        switch (which) {
        case 0: in.metricsError = QStringLiteral("Prometheus: connection refused"); break;
        case 1: in.nowMs = in.canary.timeMs + 8000; break;
        case 2: in.stable.timeMs = in.nowMs - 9000; break;
        case 3: in.canary.timeMs = 0; break;
        }
        const GateResult r = evaluateGate(gate(R"({"metric":"errorRatio","maxOverStable":0.01})"), in, 0);
        QCOMPARE(r.outcome, Outcome::Inconclusive);
        QCOMPARE(r.cause, Cause::NoData);
        QVERIFY(r.isNoData());
        QVERIFY2(r.text.contains(text), qPrintable(r.text));
        QVERIFY2(r.why.startsWith(QStringLiteral("no data: ")), qPrintable(r.why));
    }

    void baselineMayBeOld()
    {
        // Blue-green bake: stable has had no traffic since the switch; its last values stand in.
        GateInput in = input(0.001, 0.002);
        in.stable.timeMs = in.nowMs - 600000;
        in.stableIsBaseline = true;
        const GateResult r = evaluateGate(gate(R"({"metric":"errorRatio","maxOverStable":0.01})"), in, 0);
        QCOMPARE(r.outcome, Outcome::Pass);
        QVERIFY2(r.text.contains(QStringLiteral("stable baseline 0.20%")), qPrintable(r.text));
    }

    void consecutiveFailureLimit_data()
    {
        QTest::addColumn<QString>("sequence"); // b = breach, p = pass, n = no data, f = too few requests
        QTest::addColumn<QString>("expected"); // outcome per observation: P, F, C (confirming), N, T
        QTest::newRow("two in a row fail") << QStringLiteral("bb") << QStringLiteral("CF");
        QTest::newRow("a pass resets") << QStringLiteral("bpbpb") << QStringLiteral("CPCPC");
        QTest::newRow("no data does not reset") << QStringLiteral("bnb") << QStringLiteral("CNF");
        QTest::newRow("too few does not reset") << QStringLiteral("bfb") << QStringLiteral("CTF");
        QTest::newRow("keeps failing") << QStringLiteral("bbb") << QStringLiteral("CFF");
    }
    void consecutiveFailureLimit()
    {
        QFETCH(QString, sequence);
        QFETCH(QString, expected);
        const QList<GateSpec> specs{gate(R"({"name":"e","metric":"errorRatio","max":0.01,"failureLimit":2,"minRequests":10})")};
        QHash<QString, int> failures;
        QString got;
        for (QChar c : sequence) {
            GateInput in = input(c == QLatin1Char('b') ? 0.05 : 0.001, 0.001);
            if (c == QLatin1Char('n'))
                in.metricsError = QStringLiteral("down");
            if (c == QLatin1Char('f'))
                in.canaryRequests = 3;
            const GateResult r = evaluateGates(specs, in, &failures).constFirst();
            got += r.outcome == Outcome::Pass ? QLatin1Char('P')
                 : r.outcome == Outcome::Fail ? QLatin1Char('F')
                 : r.cause == Cause::Confirming ? QLatin1Char('C')
                 : r.cause == Cause::NoData ? QLatin1Char('N') : QLatin1Char('T');
        }
        QCOMPARE(got, expected);
    }

    void watchCountsRequestsBetweenObservations()
    {
        GateWatch w;
        HealthSnapshot h{sample(1000, 760, 0.001, 40), sample(1000, 40, 0.001, 45)};
        w.record(h, 5000);
        QCOMPARE(w.canaryRequests(), 0.0); // one sample is a rate, not a count
        h.canary.timeMs = 1500;
        w.record(h, 5000);
        QCOMPARE(w.canaryRequests(), 20.0);
        w.record(h, 5000); // the same sample again adds nothing
        QCOMPARE(w.canaryRequests(), 20.0);
        h.canary.timeMs = 61500; // a minute without samples counts one gap at most
        w.record(h, 5000);
        QCOMPARE(w.canaryRequests(), 220.0);
        w.resetVolume();
        QCOMPARE(w.canaryRequests(), 0.0);
    }

    void watchJudgesEachReadingOnceAndUsesTheBaseline()
    {
        const QList<GateSpec> gates{gate(R"({"name":"p99","metric":"p99Ms","maxTimesStable":1.5})")};
        GateWatch w;
        QList<GateResult> out;
        HealthSnapshot h{sample(1000, 760, 0.001, 40), sample(1000, 40, 0.001, 45)};
        w.record(h, 5000);
        QVERIFY(w.hasBaseline());
        QVERIFY(w.judge(gates, h, {}, 1100, 5000, &out));
        QCOMPARE(out.constFirst().outcome, Outcome::Pass);
        QVERIFY(!w.judge(gates, h, {}, 1200, 5000, &out)); // announced again: not a new observation
        QVERIFY(w.judge(gates, h, QStringLiteral("down"), 1200, 5000, &out)); // the failure is news
        QVERIFY(out.constFirst().isNoData());
        // Canary at 100%: stable has no traffic and no values; its last ones stand in.
        h = {sample(2000, 0, unknown(), unknown()), sample(2000, 800, 0.001, 61)};
        w.record(h, 5000);
        QVERIFY(w.judge(gates, h, {}, 2100, 5000, &out));
        QCOMPARE(out.constFirst().outcome, Outcome::Fail);
        QVERIFY2(out.constFirst().text.contains(QStringLiteral("stable baseline 40.0 ms × 1.5")), qPrintable(out.constFirst().text));
        // Without a baseline there is nothing to compare with: no data, never a pass.
        GateWatch fresh;
        QVERIFY(fresh.judge(gates, h, {}, 2100, 5000, &out));
        QVERIFY(out.constFirst().isNoData());
    }

    void jsonErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown key") << QByteArray(R"({"metric":"errorRatio","maxx":0.01})") << QStringLiteral("gates[0].maxx: unknown key");
        QTest::newRow("no metric") << QByteArray(R"({"max":0.01})") << QStringLiteral("gates[0].metric: missing");
        QTest::newRow("bad metric") << QByteArray(R"({"metric":"errors","max":0.01})") << QStringLiteral("gates[0].metric: unknown metric");
        QTest::newRow("no bound") << QByteArray(R"({"metric":"p99Ms"})") << QStringLiteral("gates[0]: needs a bound");
        QTest::newRow("both directions") << QByteArray(R"({"metric":"rps","max":5,"min":1})") << QStringLiteral("gates[0]: use either max* or min*");
        QTest::newRow("ratio as percent") << QByteArray(R"({"metric":"errorRatio","max":5})") << QStringLiteral("gates[0].max: errorRatio is a ratio");
        QTest::newRow("negative") << QByteArray(R"({"metric":"p99Ms","max":-1})") << QStringLiteral("gates[0].max: must be a number >= 0");
        QTest::newRow("string number") << QByteArray(R"({"metric":"p99Ms","max":"50"})") << QStringLiteral("gates[0].max: must be a number");
        QTest::newRow("limit zero") << QByteArray(R"({"metric":"p99Ms","max":50,"failureLimit":0})") << QStringLiteral("gates[0].failureLimit");
        QTest::newRow("limit fraction") << QByteArray(R"({"metric":"p99Ms","max":50,"failureLimit":1.5})") << QStringLiteral("gates[0].failureLimit");
        QTest::newRow("combine") << QByteArray(R"({"metric":"p99Ms","max":50,"combine":"either"})") << QStringLiteral("gates[0].combine");
        QTest::newRow("floor alone") << QByteArray(R"({"metric":"p99Ms","floorOverStable":20})") << QStringLiteral("gates[0].floorOverStable: goes with maxTimesStable");
        QTest::newRow("floor with another bound") << QByteArray(R"({"metric":"p99Ms","maxOverStable":5,"floorOverStable":20})") << QStringLiteral("gates[0].floorOverStable: goes with maxTimesStable");
        QTest::newRow("negative floor") << QByteArray(R"({"metric":"p99Ms","maxTimesStable":1.5,"floorOverStable":-1})") << QStringLiteral("gates[0].floorOverStable: must be a number >= 0");
        QTest::newRow("empty name") << QByteArray(R"({"metric":"p99Ms","max":50,"name":""})") << QStringLiteral("gates[0].name");
    }
    void jsonErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        GateSpec g;
        QString e;
        QVERIFY(!GateSpec::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("gates[0]"), &g, &e));
        QVERIFY2(e.startsWith(error), qPrintable(e));
    }

    void jsonRoundTrip()
    {
        const GateSpec g = gate(R"({"name":"err","metric":"errorRatio","max":0.01,"maxOverStable":0.01,"combine":"any","minRequests":50,"minRps":1,"failureLimit":2})");
        GateSpec back;
        QString e;
        QVERIFY2(GateSpec::fromJson(g.toJson(), QStringLiteral("g"), &back, &e), qPrintable(e));
        QCOMPARE(back.toJson(), g.toJson());
        QCOMPARE(back.combine, GateSpec::Combine::Any);
        QCOMPARE(back.failureLimit, 2);
        QCOMPARE(back.minRequests, 50.0);
        QCOMPARE(gate(R"({"metric":"p50Ms","max":9})").name, QStringLiteral("p50Ms")); // default name
        const GateSpec floored = gate(R"({"metric":"p99Ms","maxTimesStable":1.5,"floorOverStable":20})");
        QCOMPARE(floored.floorOverStable, 20.0);
        QVERIFY2(GateSpec::fromJson(floored.toJson(), QStringLiteral("g"), &back, &e), qPrintable(e));
        QCOMPARE(back.floorOverStable, 20.0);
        QVERIFY(!isKnown(gate(R"({"metric":"p99Ms","maxTimesStable":1.5})").floorOverStable));
        QVERIFY(!gate(R"({"metric":"p99Ms","maxTimesStable":1.5})").toJson().contains(QStringLiteral("floorOverStable")));
    }

    // Issue 11: on a lab answering in a few ms, 1.5 × stable is noise (3.9 ms > 3.6 ms rolled a
    // healthy canary back); the floor keeps that a pass and still fails a really slow canary.
    void floorKeepsMillisecondNoiseFromFailing()
    {
        const GateSpec bare = gate(R"({"metric":"p99Ms","maxTimesStable":1.5})");
        const GateSpec floored = gate(R"({"metric":"p99Ms","maxTimesStable":1.5,"floorOverStable":20})");
        QCOMPARE(evaluateGate(bare, input(0, 0, 3.9, 2.4), 0).outcome, Outcome::Fail);
        const GateResult noise = evaluateGate(floored, input(0, 0, 3.9, 2.4), 0);
        QCOMPARE(noise.outcome, Outcome::Pass);
        QVERIFY(qAbs(noise.threshold - 22.4) < 1e-9);
        const GateResult slow = evaluateGate(floored, input(0, 0, 25, 2.4), 0);
        QCOMPARE(slow.outcome, Outcome::Fail);
        // On a slow service the relative bound is the larger one and keeps its meaning.
        const GateResult relative = evaluateGate(floored, input(0, 0, 301, 200), 0);
        QCOMPARE(relative.outcome, Outcome::Fail);
        QVERIFY(qAbs(relative.threshold - 300) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(TestAnalysisGate)
#include "tst_analysisgate.moc"
