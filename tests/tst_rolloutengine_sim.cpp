// RolloutEngine end to end on the simulator with real time: promoted, rolled back on a fault,
// paused on missing data and never promoted.
#include "backendfactory.h"
#include "simworld.h"
#include "targetconfig.h"
#include "scriptedtarget.h"

#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using namespace ScriptedTarget;
using State = RolloutEngine::State;
using Pause = RolloutEngine::PauseKind;

class TestRolloutEngineSim : public QObject
{
    Q_OBJECT

private slots:
    void simulatorHealthyPlanIsPromoted_data() { simData(); }
    void simulatorHealthyPlanIsPromoted()
    {
        QFETCH(bool, blueGreen);
        SimRig s(blueGreen ? RolloutPlan::blueGreen(QStringLiteral("bg"), 200, 600, simGates())
                           : plan({RolloutStep::setWeight(5), RolloutStep::analysis(300, 2), RolloutStep::pause(200),
                                   RolloutStep::setWeight(50), RolloutStep::analysis(300, 2), RolloutStep::setWeight(100)},
                                  simGates()));
        QSignalSpy finished(s.engine.get(), &RolloutEngine::finished);
        s.engine->start();
        QVERIFY2(waitFor(finished, 20000), qPrintable(s.lines.join(QLatin1Char('\n'))));
        QCOMPARE(s.engine->state(), State::Promoted);
        QCOMPARE(TrafficSplit::fromMembers(s.world->members()).canary, 100.0);
        QTRY_COMPARE(s.controller->snapshot().split.canary, 100.0);
    }

    void simulatorFaultRollsBack()
    {
        SimRig s(plan({RolloutStep::setWeight(25), RolloutStep::pause(60000), RolloutStep::setWeight(100)}, simGates()));
        QSignalSpy finished(s.engine.get(), &RolloutEngine::finished);
        s.engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(s.engine->currentStep(), 1, 10000);
        s.world->setCanaryFault(0.2, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(waitFor(finished, 10000));
        QCOMPARE(s.engine->state(), State::RolledBack);
        QVERIFY2(s.engine->reason().contains(QStringLiteral("error-ratio FAIL")), qPrintable(s.engine->reason()));
        QCOMPARE(TrafficSplit::fromMembers(s.world->members()).canary, 0.0);
    }

    void simulatorOutagePausesAndNeverPromotes_data()
    {
        QTest::addColumn<bool>("metrics");
        QTest::newRow("metrics down") << true;
        QTest::newRow("traffic layer down") << false;
    }
    void simulatorOutagePausesAndNeverPromotes()
    {
        QFETCH(bool, metrics);
        SimRig s(plan({RolloutStep::setWeight(5), RolloutStep::analysis(1500), RolloutStep::setWeight(100)}, simGates()));
        s.engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(s.engine->state(), State::Analysing, 10000);
        metrics ? s.world->setMetricsReachable(false) : s.world->setReachable(false);
        QTRY_COMPARE_WITH_TIMEOUT(s.engine->state(), State::Paused, 10000);
        QCOMPARE(s.engine->pauseKind(), Pause::NoData);
        QVERIFY2(s.engine->reason().contains(metrics ? QStringLiteral("no data: simulator: metrics unreachable")
                                                     : QStringLiteral("traffic layer unreachable: simulator")),
                 qPrintable(s.engine->reason()));
        metrics ? s.world->setMetricsReachable(true) : s.world->setReachable(true);
        QSignalSpy state(s.engine.get(), &RolloutEngine::stateChanged);
        QVERIFY(!state.wait(2000)); // data back: still paused, never promoted on its own
        QCOMPARE(s.engine->state(), State::Paused);
        QCOMPARE(TrafficSplit::fromMembers(s.world->members()).canary, 5.0);
    }

private:
    struct SimRig
    {
        explicit SimRig(const RolloutPlan &p)
        {
            TargetConfig t = demoTarget();
            t.pollMs = 100;
            QString error;
            controller = std::make_unique<TargetController>(t, createBackends(t, &error, &world), &log, nullptr);
            engine = std::make_unique<RolloutEngine>(controller.get(), p);
            QObject::connect(engine.get(), &RolloutEngine::logLine, engine.get(), [this](const QString &l) { lines.append(l); });
            controller->start();
        }
        EventLogModel log;
        std::shared_ptr<SimWorld> world;
        std::unique_ptr<TargetController> controller;
        std::unique_ptr<RolloutEngine> engine;
        QStringList lines;
    };
    static QList<GateSpec> simGates()
    {
        GateSpec p99;
        p99.name = QStringLiteral("p99-latency");
        p99.metric = GateSpec::Metric::P99Ms;
        p99.maxTimesStable = 2.0;
        p99.minRequests = 5;
        p99.failureLimit = 2;
        return {errorGate(2, 5), p99};
    }
    static void simData()
    {
        QTest::addColumn<bool>("blueGreen");
        QTest::newRow("canary") << false;
        QTest::newRow("blue-green, relative gates against the stable baseline") << true;
    }
};

QTEST_GUILESS_MAIN(TestRolloutEngineSim)
#include "tst_rolloutengine_sim.moc"
