// The simulator: traffic follows the weights, is reproducible for a seed, and misbehaves on demand.
#include "backendhost.h"
#include "simmetricssource.h"
#include "simtrafficbackend.h"
#include "simworld.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace Switchboard;

class TestSimulator : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerMetaTypes(); }

    void trafficFollowsWeights()
    {
        SimWorld::Settings s;
        s.initialCanaryPercent = 25;
        SimWorld world(s, 1'000'000'000'000);
        const qint64 t = 1'000'000'000'000;
        const HealthSample st = world.health(Version::Stable, t);
        const HealthSample ca = world.health(Version::Canary, t);
        QCOMPARE(100.0 * ca.rps / (st.rps + ca.rps), 25.0);
        QCOMPARE(world.canaryPercentAt(t), 25.0);
        // Move to 100% stable: the canary has no traffic, so its ratios are unknown, not 0.
        QMap<QString, int> w = world.weights();
        for (const QString &n : s.canary)
            w[n] = 0;
        world.setWeights(w, t + 1000);
        const HealthSample after = world.health(Version::Canary, t + 2000);
        QCOMPARE(after.rps, 0.0);
        QVERIFY(std::isnan(after.errorRatio));
        QVERIFY(std::isnan(after.p99Ms));
        // History before the change is unchanged.
        QCOMPARE(world.health(Version::Canary, t).rps, ca.rps);
    }

    void deterministicForSeed()
    {
        SimWorld::Settings s;
        SimWorld a(s, 1'000'000'000'000);
        SimWorld b(s, 1'000'000'000'000);
        s.seed = 7;
        SimWorld c(s, 1'000'000'000'000);
        for (qint64 t = 1'000'000'000'000; t < 1'000'000'060'000; t += 1000) {
            QCOMPARE(a.health(Version::Canary, t).p99Ms, b.health(Version::Canary, t).p99Ms);
            QCOMPARE(a.health(Version::Stable, t).errorRatio, b.health(Version::Stable, t).errorRatio);
        }
        QVERIFY(a.health(Version::Canary, 1'000'000'000'000).p99Ms != c.health(Version::Canary, 1'000'000'000'000).p99Ms);
    }

    void faultMakesCanaryBad()
    {
        SimWorld world(SimWorld::Settings{}, 1'000'000'000'000);
        const qint64 t = 1'000'000'010'000;
        QVERIFY(world.health(Version::Canary, t).errorRatio < 0.01);
        world.setCanaryFault(0.2, 300, 900, t);
        const HealthSample bad = world.health(Version::Canary, t + 1000);
        QVERIFY(bad.errorRatio > 0.15 && bad.errorRatio < 0.25);
        QVERIFY(bad.p99Ms > 700);
        QVERIFY(world.health(Version::Stable, t + 1000).errorRatio < 0.01); // stable is unaffected
    }

    void settingsFromJson()
    {
        const auto s = SimWorld::settingsFrom(QJsonObject{{QStringLiteral("seed"), 9},
                                                          {QStringLiteral("canaryErrorRatio"), 0.3},
                                                          {QStringLiteral("stable"), QJsonArray{QStringLiteral("x")}}});
        QCOMPARE(s.seed, 9u);
        QCOMPARE(s.canaryErrorRatio, 0.3);
        QCOMPARE(s.stable, QStringList{QStringLiteral("x")});
        QCOMPARE(s.canary.size(), 1); // defaults where not given
    }

    void backendAppliesAndDetectsConflict()
    {
        auto world = std::make_shared<SimWorld>(SimWorld::Settings{}, QDateTime::currentMSecsSinceEpoch());
        BackendHost host(std::make_unique<SimTrafficBackend>(world), std::make_unique<SimMetricsSource>(world),
                         QStringLiteral("sim-test"));
        QSignalSpy done(host.traffic(), &TrafficBackend::changeFinished);
        // The backend answers from its own thread, possibly before wait() starts listening:
        // count what arrived instead of waiting for a new emission.
        int answers = 0;
        auto next = [&done, &answers] {
            ++answers;
            return QTest::qWaitFor([&] { return done.size() >= answers; }, 5000);
        };

        WeightChange c;
        c.canaryPercent = 50;
        c.expected = world->weights();
        QMetaObject::invokeMethod(host.traffic(), [t = host.traffic(), c] { t->apply(c); }); // runs on its thread
        QVERIFY(next());
        auto r = done.at(answers - 1).at(0).value<ChangeResult>();
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(TrafficSplit::fromMembers(world->members()).canary, 50.0);
        QVERIFY(r.before != r.after);

        // Someone else changes the weights; our stale view must be refused, not applied.
        const QMap<QString, int> seen = world->weights();
        QMap<QString, int> other = seen;
        other[QStringLiteral("app-v2-a")] = 10;
        world->setWeights(other, QDateTime::currentMSecsSinceEpoch());
        c.canaryPercent = 80;
        c.expected = seen;
        QMetaObject::invokeMethod(host.traffic(), [t = host.traffic(), c] { t->apply(c); }); // runs on its thread
        QVERIFY(next());
        r = done.at(answers - 1).at(0).value<ChangeResult>();
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY(r.message.contains(QStringLiteral("app-v2-a=10")));
        QCOMPARE(world->weights(), other); // untouched

        c.force = true;
        QMetaObject::invokeMethod(host.traffic(), [t = host.traffic(), c] { t->apply(c); }); // runs on its thread
        QVERIFY(next());
        QCOMPARE(done.at(answers - 1).at(0).value<ChangeResult>().status, ChangeResult::Status::Applied);
        QCOMPARE(TrafficSplit::fromMembers(world->members()).canary, 80.0);
    }

    void perServerWeightsAreCheckedAndApplied()
    {
        // Called on this thread (no host): the answers come synchronously.
        SimWorld::Settings settings;
        settings.downMembers = {QStringLiteral("app-v2-a")};
        auto world = std::make_shared<SimWorld>(settings, QDateTime::currentMSecsSinceEpoch());
        SimTrafficBackend backend(world);
        QSignalSpy done(&backend, &TrafficBackend::changeFinished);
        auto apply = [&](const QMap<QString, int> &weights) {
            WeightChange c;
            c.canaryPercent = 42; // reported back as given, never planned from
            c.memberWeights = weights;
            c.expected = world->weights();
            backend.apply(c);
            return done.takeLast().at(0).value<ChangeResult>();
        };
        const QMap<QString, int> start = world->weights();

        ChangeResult r = apply({{QStringLiteral("app-v9"), 10}});
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("no server named app-v9 (there are: app-v1-a, app-v1-b, app-v2-a)")), qPrintable(r.message));
        r = apply({{QStringLiteral("app-v2-a"), 300}});
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY(r.message.contains(QStringLiteral("outside 0..256")));
        r = apply({{QStringLiteral("app-v1-a"), 0}, {QStringLiteral("app-v1-b"), 0}, {QStringLiteral("app-v2-a"), 0}});
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY(r.message.contains(QStringLiteral("no server with traffic")));
        QCOMPARE(world->weights(), start); // refused changes touch nothing

        // Only the named servers change; the others keep their weights.
        r = apply({{QStringLiteral("app-v1-a"), 0}, {QStringLiteral("app-v2-a"), 200}});
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(r.requestedCanaryPercent, 42.0);
        QCOMPARE(world->weights().value(QStringLiteral("app-v1-a")), 0);
        QCOMPARE(world->weights().value(QStringLiteral("app-v1-b")), start.value(QStringLiteral("app-v1-b")));
        QCOMPARE(world->weights().value(QStringLiteral("app-v2-a")), 200);

        // The simulated health check: down from the settings, back up on demand.
        const auto stateOf = [&world](const QString &name) {
            for (const Member &m : world->members())
                if (m.name == name)
                    return memberHealth(m);
            return MemberHealth::Unchecked;
        };
        QCOMPARE(stateOf(QStringLiteral("app-v2-a")), MemberHealth::Down);
        QCOMPARE(stateOf(QStringLiteral("app-v1-a")), MemberHealth::Healthy);
        world->setMemberDown(QStringLiteral("app-v2-a"), false);
        QCOMPARE(stateOf(QStringLiteral("app-v2-a")), MemberHealth::Healthy);
        QCOMPARE(SimWorld::settingsFrom(QJsonObject{{QStringLiteral("downMembers"), QJsonArray{QStringLiteral("x")}}}).downMembers,
                 QStringList{QStringLiteral("x")});
    }

    void rangeIsOnStepGrid()
    {
        auto world = std::make_shared<SimWorld>(SimWorld::Settings{}, QDateTime::currentMSecsSinceEpoch());
        SimMetricsSource source(world);
        QSignalSpy spy(&source, &MetricsSource::rangeReady);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        source.queryRange(now - 60000, now, 5000, 7);
        QCOMPARE(spy.size(), 1);
        const auto series = spy.at(0).at(0).value<HealthSeries>();
        QCOMPARE(spy.at(0).at(1).toULongLong(), 7ull);
        QVERIFY(series.stable.size() >= 12 && series.stable.size() <= 13);
        QCOMPARE(series.stable.size(), series.canary.size());
        QCOMPARE(series.setCanaryPercent.size(), series.stable.size());
        for (const HealthSample &s : series.stable)
            QCOMPARE(s.timeMs % 5000, 0);
    }
};

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"
