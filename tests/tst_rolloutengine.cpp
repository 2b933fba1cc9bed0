// RolloutEngine transition by transition on a TargetController over scripted backends and a
// test clock (support/scriptedtarget.h): every state, every pause reason, gate failure on the
// breaching observation. Rolling plans: tst_rolloutengine_rolling; the simulator:
// tst_rolloutengine_sim.
#include "scriptedtarget.h"

#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using namespace ScriptedTarget;
using State = RolloutEngine::State;
using Pause = RolloutEngine::PauseKind;

class TestRolloutEngine : public QObject
{
    Q_OBJECT
private slots:
    void walksEveryStepToPromoted()
    {
        Rig r(plan({RolloutStep::setWeight(10), RolloutStep::pause(1000), RolloutStep::analysis(500, 2),
                    RolloutStep::setWeight(100)}));
        QSignalSpy steps(r.engine.get(), &RolloutEngine::stepChanged);
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QCOMPARE(r.engine->state(), State::Idle);
        QCOMPARE(r.engine->currentStep(), -1);
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->state(), State::Running);
        QCOMPARE(r.engine->currentStep(), 1);
        QCOMPARE(r.engine->appliedCanaryPercent(), 10.0);
        QCOMPARE(r.engine->remainingMs(), 1000);
        r.advance(999);
        r.engine->tick();
        QCOMPARE(r.engine->currentStep(), 1);
        QVERIFY(r.observe()); // background gate watched during the pause
        QCOMPARE(r.engine->lastGateResults().size(), 1);
        QCOMPARE(r.engine->lastGateResults().constFirst().outcome, GateResult::Outcome::Pass);
        r.engine->tick();
        QCOMPARE(r.engine->state(), State::Analysing);
        QCOMPARE(r.engine->currentStep(), 2);
        for (int i = 0; i < 10 && r.engine->state() == State::Analysing; ++i)
            QVERIFY(r.observe());
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.constFirst().constFirst().value<RolloutEngine::Outcome>(), RolloutEngine::Outcome::Promoted);
        QCOMPARE(r.engine->state(), State::Promoted);
        QCOMPARE(r.engine->currentStep(), 4);
        QCOMPARE(r.script->canaryPercent, 100.0);
        QList<int> seen;
        for (const auto &args : std::as_const(steps))
            seen.append(args.constFirst().toInt());
        QCOMPARE(seen, (QList<int>{0, 1, 2, 3, 4}));
        QVERIFY(r.lines.constFirst().startsWith(QStringLiteral("rollout \"test\" (canary) on scripted: 10% → pause")));
        QCOMPARE(r.lines.constLast(), QStringLiteral("promoted"));
    }

    void gateFailureRollsBackOnTheBreachingObservation_data()
    {
        QTest::addColumn<int>("stepKind"); // where the breach is seen
        QTest::newRow("analysis") << int(RolloutStep::Kind::Analysis);
        QTest::newRow("timed pause") << int(RolloutStep::Kind::Pause);
    }
    void gateFailureRollsBackOnTheBreachingObservation()
    {
        QFETCH(int, stepKind);
        const RolloutStep second = stepKind == int(RolloutStep::Kind::Pause) ? RolloutStep::pause(60000) : RolloutStep::analysis(60000);
        Rig r(plan({RolloutStep::setWeight(25), second, RolloutStep::setWeight(100)}, {errorGate(2)}));
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QSignalSpy gates(r.engine.get(), &RolloutEngine::gateEvaluated);
        QVERIFY(r.startAndApply());
        QVERIFY(r.observe());
        QVERIFY(r.observe(bad)); // breach 1 of 2: confirming
        QCOMPARE(r.engine->lastGateResults().constFirst().cause, GateResult::Cause::Confirming);
        QVERIFY(r.engine->state() != State::RollingBack);
        QVERIFY(r.observe(bad)); // breach 2 of 2: rolls back now
        QCOMPARE(r.engine->state(), State::RollingBack);
        QVERIFY(waitFor(finished, 5000));
        QCOMPARE(finished.constFirst().constFirst().value<RolloutEngine::Outcome>(), RolloutEngine::Outcome::RolledBack);
        QCOMPARE(r.engine->state(), State::RolledBack);
        QCOMPARE(r.script->canaryPercent, 0.0);
        QVERIFY2(r.engine->reason().contains(QStringLiteral("error-ratio FAIL: canary 20.00% > 1.20%")), qPrintable(r.engine->reason()));
        QCOMPARE(gates.constLast().constFirst().value<QList<GateResult>>().constFirst().outcome, GateResult::Outcome::Fail);
        QVERIFY(r.lines.contains(QStringLiteral("ROLLBACK: ") + r.engine->reason()));
        // The audit trail carries the gate values through the controller's rollback reason.
        bool logged = false;
        for (const auto &e : r.log.events())
            logged |= e.text.contains(QStringLiteral("rollback")) && e.text.contains(QStringLiteral("20.00%"));
        QVERIFY(logged);
    }

    void gateFailureWhilePausedStillRollsBack()
    {
        Rig r(plan({RolloutStep::setWeight(25), RolloutStep::pause(), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::PlanStep);
        QVERIFY(r.observe(bad));
        QTRY_COMPARE(r.engine->state(), State::RolledBack);
    }

    void missingDataPausesUntilTheOperatorResumes_data()
    {
        QTest::addColumn<int>("how");
        QTest::addColumn<QString>("reason");
        QTest::newRow("metrics error") << 0 << QStringLiteral("no data: Prometheus: connection refused (gate error-ratio)");
        QTest::newRow("NaN") << 1 << QStringLiteral("no data: canary errorRatio unknown");
        QTest::newRow("silence") << 2 << QStringLiteral("no data: newest health sample is 5.1 s old (stale after 5.0 s)");
        QTest::newRow("too few requests") << 3 << QStringLiteral("inconclusive after 1.1 s: canary served 4 of the 1000000 requests needed");
        QTest::newRow("traffic layer down") << 4 << QStringLiteral("traffic layer unreachable: scripted: connection refused");
    }
    void missingDataPausesUntilTheOperatorResumes()
    {
        QFETCH(int, how);
        QFETCH(QString, reason);
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::analysis(1000), RolloutStep::setWeight(100)},
                   {errorGate(1, how == 3 ? 1e6 : 0)}));
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->state(), State::Analysing);
        switch (how) {
        case 0:
            r.set(QStringLiteral("Prometheus: connection refused"));
            QVERIFY(r.observe());
            break;
        case 1:
            // Right after a weight change no value is "wait": the new version has no rate yet.
            QVERIFY(r.observe(sample(40, unknown(), 45)));
            QCOMPARE(r.engine->state(), State::Analysing);
            // Still nothing once the staleness limit has passed since the change: pause.
            r.advance(5100);
            QVERIFY(r.observe(sample(40, unknown(), 45)));
            break;
        case 2: r.advance(5100); r.engine->tick(); break;
        case 3:
            QVERIFY(r.observe());
            r.advance(1000);
            r.engine->tick();
            break;
        case 4: {
            r.set({}, false);
            // A read already on its way may still succeed; the next one fails.
            QTRY_VERIFY((r.controller->refreshNow(), r.controller->connectionState() == ConnectionState::Disconnected));
            break;
        }
        }
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::NoData);
        QVERIFY2(r.engine->reason().contains(reason), qPrintable(r.engine->reason()));
        QVERIFY(r.engine->reason().contains(QStringLiteral("stays paused until the operator resumes")));
        // Data back: still paused, nobody has looked yet.
        r.set({});
        QVERIFY(r.observe());
        r.engine->tick();
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.script->canaryPercent, 5.0);
        r.engine->resume();
        QCOMPARE(r.engine->state(), State::Analysing);
        QCOMPARE(r.engine->reason(), QString());
    }

    void failedWeightChangePauses_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("conflict") << int(ChangeResult::Status::Conflict);
        QTest::newRow("failed") << int(ChangeResult::Status::Failed);
        QTest::newRow("partial") << int(ChangeResult::Status::Partial);
    }
    void failedWeightChangePauses()
    {
        QFETCH(int, status);
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::setWeight(100)}));
        r.script->nextResults = {ChangeResult::Status(status)};
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::ActionFailed);
        QCOMPARE(r.engine->currentStep(), 0);
        const QString expected = QStringLiteral("step 1/2 (5%): %1: scripted %1; resume sends it again").arg(statusName(ChangeResult::Status(status)));
        QVERIFY2(r.engine->reason().startsWith(expected), qPrintable(r.engine->reason()));
        // Resume sends the step again (after a fresh read of the weights), then goes on.
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->resume();
        QVERIFY(waitFor(finished, 5000));
        QCOMPARE(r.engine->state(), State::Promoted);
        QCOMPARE(r.script->canaryPercent, 100.0);
    }

    void operatorPauseKeepsTheRemainingTime()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::pause(1000), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        r.advance(400);
        r.engine->pause();
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::Operator);
        QCOMPARE(r.engine->reason(), QStringLiteral("paused by the operator"));
        r.advance(10000);
        r.engine->tick();
        QCOMPARE(r.engine->remainingMs(), 600);
        QCOMPARE(r.engine->currentStep(), 1);
        r.engine->resume();
        QCOMPARE(r.engine->state(), State::Running);
        QCOMPARE(r.engine->remainingMs(), 600);
        QVERIFY(r.observe()); // fresh data, or the pause would end on 10 s old data
        QCOMPARE(r.engine->remainingMs(), 500);
        r.advance(500);
        QSignalSpy done(r.controller.get(), &TargetController::actionFinished);
        r.engine->tick();
        QCOMPARE(r.engine->currentStep(), 2);
        QVERIFY(waitFor(done, 5000));
        QCOMPARE(r.engine->state(), State::Promoted);
    }

    void untimedPauseWaitsForResume()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::pause(), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->pauseKind(), Pause::PlanStep);
        QCOMPARE(r.engine->remainingMs(), -1);
        r.advance(3600 * 1000);
        r.engine->tick();
        QCOMPARE(r.engine->state(), State::Paused);
        QVERIFY(r.observe());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->resume();
        QVERIFY2(waitFor(finished, 5000), qPrintable(r.lines.join(QLatin1Char('\n'))));
        QCOMPARE(r.engine->state(), State::Promoted);
    }

    void promoteSkipsAStep()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::pause(60000), RolloutStep::setWeight(50), RolloutStep::pause(60000),
                    RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QSignalSpy done(r.controller.get(), &TargetController::actionFinished);
        r.engine->promote();
        QCOMPARE(r.engine->currentStep(), 2);
        QVERIFY(waitFor(done, 5000));
        QCOMPARE(r.engine->currentStep(), 3);
        QCOMPARE(r.script->canaryPercent, 50.0);
    }

    void promoteFullGoesTo100()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::analysis(60000), RolloutStep::setWeight(50), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->promoteFull();
        QVERIFY(waitFor(finished, 5000));
        QCOMPARE(r.engine->state(), State::Promoted);
        QCOMPARE(r.engine->currentStep(), 4);
        QCOMPARE(r.script->canaryPercent, 100.0);
    }

    void abortRollsBack()
    {
        Rig r(plan({RolloutStep::setWeight(30), RolloutStep::pause(60000), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->abort(QStringLiteral("looks wrong"));
        QCOMPARE(r.engine->state(), State::RollingBack);
        QVERIFY(waitFor(finished, 5000));
        QCOMPARE(r.engine->state(), State::RolledBack);
        QCOMPARE(r.engine->reason(), QStringLiteral("aborted by the operator: looks wrong"));
        QCOMPARE(r.script->canaryPercent, 0.0);
        r.engine->resume(); // finished: nothing moves any more
        QCOMPARE(r.engine->state(), State::RolledBack);
    }

    void changesOutsideTheRolloutAreRespected_data()
    {
        QTest::addColumn<double>("percent");
        QTest::addColumn<int>("state");
        QTest::newRow("rollback button") << 0.0 << int(State::RolledBack);
        QTest::newRow("set-weight elsewhere") << 40.0 << int(State::Paused);
    }
    void changesOutsideTheRolloutAreRespected()
    {
        QFETCH(double, percent);
        QFETCH(int, state);
        Rig r(plan({RolloutStep::setWeight(10), RolloutStep::pause(1000), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QSignalSpy done(r.controller.get(), &TargetController::actionFinished);
        if (percent == 0)
            r.controller->rollback(QStringLiteral("operator"));
        else
            r.controller->setCanaryPercent(percent, QStringLiteral("operator"), true);
        QVERIFY(waitFor(done));
        QCOMPARE(int(r.engine->state()), state);
        QCOMPARE(r.engine->appliedCanaryPercent(), percent);
        r.advance(2000);
        r.engine->tick(); // the pause's time is up, but the plan does not go on by itself
        QCOMPARE(r.script->canaryPercent, percent);
    }

    void operatorChangeToTheSamePercentIsNotTheEngines()
    {
        // The operator sets the very percent of the engine's next step just before the engine
        // sends it: the operator's result comes first. Matched by percent it would pass for the
        // engine's and the plan would carry on; matched by id it is a change outside the plan.
        Rig r(plan({RolloutStep::setWeight(10), RolloutStep::pause(1000), RolloutStep::setWeight(30),
                    RolloutStep::pause(60000), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        QVERIFY(r.read()); // the engine has seen the weights after its first change
        QSignalSpy done(r.controller.get(), &TargetController::actionFinished);
        const quint64 operatorsId = r.controller->nextChangeId();
        r.controller->setCanaryPercent(30, QStringLiteral("operator"), true);
        QVERIFY(r.controller->isActionInFlight());
        r.advance(1000);
        r.engine->tick(); // the pause is over: the engine sends 30% behind the operator's
        QCOMPARE(r.engine->currentStep(), 2);
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(done.at(0).at(0).value<ChangeResult>().id, operatorsId);
        QCOMPARE(done.at(1).at(0).value<ChangeResult>().id, operatorsId + 1);
        QCOMPARE(done.at(0).at(0).value<ChangeResult>().requestedCanaryPercent,
                 done.at(1).at(0).value<ChangeResult>().requestedCanaryPercent);
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::External);
        QVERIFY2(r.engine->reason().contains(QStringLiteral("outside the rollout")), qPrintable(r.engine->reason()));
        QCOMPARE(r.engine->currentStep(), 2); // not taken as step 3's go-ahead
        QCOMPARE(r.script->canaryPercent, 30.0);
    }

    void rollbackIsRetried_data()
    {
        QTest::addColumn<int>("failures");
        QTest::addColumn<int>("expected");
        QTest::newRow("second attempt works") << 1 << int(State::RolledBack);
        QTest::newRow("gives up after three") << 3 << int(State::Failed);
    }
    void rollbackIsRetried()
    {
        QFETCH(int, failures);
        QFETCH(int, expected);
        Rig r(plan({RolloutStep::setWeight(30), RolloutStep::pause(60000), RolloutStep::setWeight(100)}));
        QVERIFY(r.startAndApply());
        for (int i = 0; i < failures; ++i)
            r.script->nextResults.append(ChangeResult::Status::Failed);
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->abort();
        QVERIFY(waitFor(finished, 5000));
        QCOMPARE(int(r.engine->state()), expected);
        if (expected == int(State::Failed))
            QVERIFY2(r.engine->reason().contains(QStringLiteral("roll back by hand")), qPrintable(r.engine->reason()));
    }

    void unusablePlanOrTargetFails()
    {
        Rig r(plan({RolloutStep::setWeight(5)}));
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->start();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(r.engine->state(), State::Failed);
        QVERIFY2(r.engine->reason().contains(QStringLiteral("the last setWeight must be 100")), qPrintable(r.engine->reason()));
        QCOMPARE(r.script->canaryPercent, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestRolloutEngine)
#include "tst_rolloutengine.moc"
