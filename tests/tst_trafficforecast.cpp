// TrafficForecast: which analysis gates the current request rate cannot feed their minRequests,
// per kind of plan (windows after timed and untimed pauses, own gates, moves, blue-green bake),
// the lab's default traffic against the built-in presets, and the warning text.
#include "presetstore.h"
#include "trafficforecast.h"

#include <QJsonDocument>
#include <QTest>

using namespace Switchboard;

namespace {

RolloutPlan parse(const QByteArray &json)
{
    RolloutPlan p;
    QString error;
    if (!RolloutPlan::fromJson(json, QStringLiteral("test"), &p, &error))
        qFatal("bad plan in test: %s", qPrintable(error));
    return p;
}

// "step:gate:expected" per shortfall, expected rounded down.
QStringList summary(const QList<TrafficForecast::Shortfall> &s)
{
    QStringList out;
    for (const auto &x : s)
        out.append(QStringLiteral("%1:%2:%3").arg(x.step).arg(x.gate).arg(std::floor(x.expected + 1e-9), 0, 'f', 0));
    return out;
}

RolloutPlan builtIn(const QString &name)
{
    for (const RolloutPlan &p : PresetStore::builtIns())
        if (p.name == name)
            return p;
    qFatal("no built-in %s", qPrintable(name));
    return {};
}

const QByteArray gates50 = R"("gates":[{"name":"err","metric":"errorRatio","max":0.01,"minRequests":50},
                                       {"name":"p99","metric":"p99Ms","max":500}])";

} // namespace

class TestTrafficForecast final : public QObject
{
    Q_OBJECT
private slots:
    void shortfalls_data()
    {
        QTest::addColumn<QByteArray>("plan");
        QTest::addColumn<double>("rps");
        QTest::addColumn<qint64>("unseenMs");
        QTest::addColumn<QStringList>("expected");

        const auto canary = [](const QByteArray &steps) -> QByteArray {
            return QByteArray(R"({"strategy":"canary",)") + gates50 + R"(,"steps":)" + steps + "}";
        };
        // Issue 11: 50 requests in 30 s at 5% of the lab's 40 req/s; 6 s of them not yet shown.
        QTest::newRow("lab traffic, 50 in 30 s at 5%")
            << canary(R"([{"setWeight":5},{"analysis":{"durationMs":30000}},{"setWeight":100}])") << 40.0 << qint64(6000)
            << QStringList{QStringLiteral("1:err:48")};
        QTest::newRow("enough traffic") << canary(R"([{"setWeight":5},{"analysis":{"durationMs":30000}},{"setWeight":100}])")
                                        << 200.0 << qint64(6000) << QStringList{};
        QTest::newRow("later weights are judged at theirs")
            << canary(R"([{"setWeight":1},{"analysis":{"durationMs":30000}},{"setWeight":10},{"analysis":{"durationMs":30000}},{"setWeight":100}])")
            << 10.0 << qint64(0) << QStringList{QStringLiteral("1:err:3"), QStringLiteral("3:err:30")};
        QTest::newRow("no traffic at all") << canary(R"([{"setWeight":5},{"analysis":{"durationMs":30000}},{"setWeight":100}])")
                                           << 0.0 << qint64(0) << QStringList{QStringLiteral("1:err:0")};
        QTest::newRow("rate unknown: nothing to say")
            << canary(R"([{"setWeight":5},{"analysis":{"durationMs":30000}},{"setWeight":100}])") << unknown() << qint64(0) << QStringList{};
        QTest::newRow("a timed pause before the analysis counts")
            << canary(R"([{"setWeight":5},{"pause":{"durationMs":30000}},{"analysis":{"durationMs":30000}},{"setWeight":100}])")
            << 40.0 << qint64(6000) << QStringList{};
        QTest::newRow("after an untimed pause: no bound")
            << canary(R"([{"setWeight":5},{"pause":{}},{"analysis":{"durationMs":1000}},{"setWeight":100}])") << 40.0 << qint64(0)
            << QStringList{};
        QTest::newRow("unseen longer than the window") << canary(R"([{"setWeight":50},{"analysis":{"durationMs":5000}},{"setWeight":100}])")
                                                       << 1000.0 << qint64(6000) << QStringList{QStringLiteral("1:err:0")};
        QTest::newRow("an analysis' own gates")
            << QByteArray(R"({"strategy":"canary","steps":[{"setWeight":5},{"analysis":{"durationMs":10000,
                              "gates":[{"name":"own","metric":"errorRatio","max":0.01,"minRequests":30}]}},{"setWeight":100}]})")
            << 40.0 << qint64(0) << QStringList{QStringLiteral("1:own:20")};
        QTest::newRow("no analysis: background gates never pause")
            << canary(R"([{"setWeight":5},{"pause":{"durationMs":1000}},{"setWeight":100}])") << 1.0 << qint64(0) << QStringList{};
        QTest::newRow("after a move: share unknown")
            << QByteArray(R"({"strategy":"rolling",)") + gates50 + R"(,"steps":[{"moveServers":1},{"analysis":{"durationMs":1000}},{"setWeight":100}]})"
            << 1.0 << qint64(0) << QStringList{};
        QTest::newRow("blue-green bake at 100%")
            << QByteArray(R"({"strategy":"blueGreen",)") + gates50 + R"(,"steps":[{"setWeight":0},{"pause":{}},{"setWeight":100},{"analysis":{"durationMs":20000}}]})"
            << 2.0 << qint64(0) << QStringList{QStringLiteral("3:err:40")};
    }
    void shortfalls()
    {
        QFETCH(QByteArray, plan);
        QFETCH(double, rps);
        QFETCH(qint64, unseenMs);
        QFETCH(QStringList, expected);
        const RolloutPlan p = parse(plan);
        const auto s = TrafficForecast::shortfalls(p, rps, unseenMs);
        QCOMPARE(summary(s), expected);
        for (const auto &x : s) {
            QCOMPARE(p.steps.at(x.step).kind, RolloutStep::Kind::Analysis);
            QVERIFY(x.expected < x.minRequests);
        }
    }

    // Issue 11: every built-in gets enough at the lab's default 40 req/s (lab/traffic) with the
    // lab's lag (staleness limit 5 s + a 1 s poll), and the canary one says so at a quarter of it.
    void builtInsFitTheLabsDefaultTraffic()
    {
        const qint64 unseen = TrafficForecast::unseenAfterChangeMs(5000, 1000);
        for (const RolloutPlan &p : PresetStore::builtIns())
            QVERIFY2(TrafficForecast::shortfalls(p, 40, unseen).isEmpty(), qPrintable(p.name));
        const RolloutPlan canary = builtIn(QStringLiteral("canary-5-25-50-100"));
        QCOMPARE(summary(TrafficForecast::shortfalls(canary, 10, unseen)),
                 (QStringList{QStringLiteral("1:error-ratio:12"), QStringLiteral("1:p99-latency:12")}));
    }

    void describesEachShortfall()
    {
        const RolloutPlan canary = builtIn(QStringLiteral("canary-5-25-50-100"));
        const auto s = TrafficForecast::shortfalls(canary, 10, 6000);
        const QStringList lines = TrafficForecast::describe(canary, s, 10);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.constFirst(), QStringLiteral("step 2/10 (analysis 0:30 at 5%): gate error-ratio needs 20 canary requests; "
                                                    "10.0 req/s now gives it about 12, so it will pause as inconclusive"));
        QVERIFY(TrafficForecast::describe(canary, {}, 10).isEmpty());
    }

    void totalRate()
    {
        HealthSnapshot h;
        QVERIFY(!isKnown(TrafficForecast::totalRps(h)));
        h.stable.rps = 38;
        QCOMPARE(TrafficForecast::totalRps(h), 38.0); // canary unknown before it has traffic
        h.canary.rps = 2;
        QCOMPARE(TrafficForecast::totalRps(h), 40.0);
    }
};

QTEST_GUILESS_MAIN(TestTrafficForecast)
#include "tst_trafficforecast.moc"
