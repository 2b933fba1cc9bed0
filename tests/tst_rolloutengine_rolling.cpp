// RolloutEngine's rolling plans on a scripted target with several servers per version
// (support/scriptedtarget.h), whose weights go through the backends' own checkAndPlan: server by
// server, waiting for the health checks, rolled back on a failed one.
#include "scriptedtarget.h"

#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using namespace ScriptedTarget;
using State = RolloutEngine::State;
using Pause = RolloutEngine::PauseKind;

class TestRolloutEngineRolling : public QObject
{
    Q_OBJECT

private slots:
    void rollingMovesServerByServer()
    {
        Rig r(rollingPlan({RolloutStep::moveServers(1), RolloutStep::moveServers(2), RolloutStep::moveServers(3),
                           RolloutStep::setWeight(100)}),
              threeAndThree());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QVERIFY(r.startAndApply());
        QVERIFY(waitFor(finished));
        QCOMPARE(r.engine->state(), State::Promoted);
        QStringList seen;
        for (const auto &w : std::as_const(r.script->applied))
            seen.append(serving(w));
        // One in, one out per move, in the target's order; the last setWeight 100 finds
        // nothing left to do but is still applied (and checked) like any change.
        QCOMPARE(seen, (QStringList{QStringLiteral("v1-b v1-c | v2-a"), QStringLiteral("v1-c | v2-a v2-b"),
                                    QStringLiteral(" | v2-a v2-b v2-c"), QStringLiteral(" | v2-a v2-b v2-c")}));
        QCOMPARE(r.script->canaryPercent, 100.0);
        QVERIFY2(r.lines.contains(QStringLiteral("step 1/4 (1 server): in v2-a; out v1-a (canary 33.33%)")), qPrintable(r.lines.join(u'\n')));
        QVERIFY(r.lines.contains(QStringLiteral("step 2/4 (2 servers): health checks pass: v2-a UP (check L7OK), v2-b UP (check L7OK)")));
        // Every change went through the audit action for moves, not as a percent.
        int moves = 0;
        for (const auto &e : r.log.events())
            moves += e.text.startsWith(QStringLiteral("rolling-move applied: "));
        QCOMPARE(moves, 3);
    }

    void rollingWaitsForTheHealthCheckBetweenMoves()
    {
        Rig r(rollingPlan({RolloutStep::moveServers(1), RolloutStep::moveServers(2), RolloutStep::setWeight(100)}),
              threeAndThree());
        r.setHealth(QStringLiteral("v2-a"), QStringLiteral("DOWN 1/2"), QStringLiteral("L7OK")); // coming up
        QVERIFY(r.read());
        QVERIFY(r.read());
        r.engine->start();
        QVERIFY(r.read());
        // Not given traffic while its checks have not decided.
        QCOMPARE(r.engine->state(), State::Running);
        QCOMPARE(r.engine->currentStep(), 0);
        QVERIFY(r.script->applied.isEmpty());
        QVERIFY(r.lines.contains(QStringLiteral("step 1/3 (1 server): waiting for v2-a DOWN 1/2 (check L7OK) before giving it traffic")));
        r.setHealth(QStringLiteral("v2-a"), QStringLiteral("UP"), QStringLiteral("L7OK"));
        // Its check flips to "going down" as the move lands: the read after it shows that.
        r.script->onApply.insert(QStringLiteral("v2-a"), {QStringLiteral("UP 1/3"), QStringLiteral("L7STS")});
        QSignalSpy done(r.controller.get(), &TargetController::actionFinished);
        QVERIFY(r.read());
        QVERIFY(waitFor(done));
        QCOMPARE(serving(r.script->applied.constFirst()), QStringLiteral("v1-b v1-c | v2-a"));
        QTRY_VERIFY(r.lines.contains(QStringLiteral("step 1/3 (1 server): waiting for health checks: v2-a UP 1/3 (check L7STS)")));
        QCOMPARE(r.engine->currentStep(), 0);
        // Undecided for longer than the limit: a person has to look; traffic stays.
        r.advance(RolloutEngine::healthTimeoutMs + 1);
        r.engine->tick();
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::NoData);
        QVERIFY2(r.engine->reason().contains(QStringLiteral("health checks undecided after 30 s (waiting for health checks: v2-a UP 1/3")),
                 qPrintable(r.engine->reason()));
        QCOMPARE(r.script->applied.size(), 1);
        // Back up: resume checks again and moves on.
        r.setHealth(QStringLiteral("v2-a"), QStringLiteral("UP"), QStringLiteral("L7OK"));
        QVERIFY(r.read());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        r.engine->resume();
        QVERIFY(waitFor(finished));
        QCOMPARE(r.engine->state(), State::Promoted);
        QVERIFY(r.lines.contains(QStringLiteral("step 1/3 (1 server): already in place (new in: v2-a; old out: v1-a)")));
    }

    void rollingRollsBackOnAFailedHealthCheck_data()
    {
        QTest::addColumn<bool>("beforeTraffic");
        QTest::newRow("server about to get traffic") << true;
        QTest::newRow("server with traffic") << false;
    }
    void rollingRollsBackOnAFailedHealthCheck()
    {
        QFETCH(bool, beforeTraffic);
        Rig r(rollingPlan({RolloutStep::moveServers(1), RolloutStep::pause(), RolloutStep::moveServers(2),
                           RolloutStep::setWeight(100)}),
              threeAndThree());
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QVERIFY(r.startAndApply());
        QTRY_COMPARE(r.engine->state(), State::Paused); // the plan's "until resumed" after move 1
        QCOMPARE(r.engine->currentStep(), 1);
        r.setHealth(beforeTraffic ? QStringLiteral("v2-b") : QStringLiteral("v2-a"), QStringLiteral("DOWN"), QStringLiteral("L7STS"));
        if (beforeTraffic) {
            QVERIFY(r.read()); // v2-b has no traffic yet: nothing to roll back for...
            QCOMPARE(r.engine->state(), State::Paused);
            r.engine->resume(); // ...until the next move would give it some
        } else {
            QVERIFY(r.read()); // a paused plan still watches
        }
        QVERIFY(waitFor(finished));
        QCOMPARE(r.engine->state(), State::RolledBack);
        QVERIFY2(r.engine->reason().contains(beforeTraffic ? QStringLiteral("health check: v2-b DOWN (check L7STS) fails before getting traffic")
                                                           : QStringLiteral("health check: v2-a DOWN (check L7STS) with traffic")),
                 qPrintable(r.engine->reason()));
        QCOMPARE(serving(r.script->applied.constLast()), QStringLiteral("v1-a v1-b v1-c | "));
        QCOMPARE(r.script->applied.size(), 2); // move 1, then the rollback: v2-b never got traffic
    }

    void rollingOnALayerWithoutServerWeightsPauses()
    {
        // What the Kubernetes and Argo backends answer to a move (tst_kube_routes checks that they
        // do): the plan pauses on the failed action, traffic untouched.
        Rig r(rollingPlan({RolloutStep::moveServers(1), RolloutStep::setWeight(100)}), threeAndThree());
        r.script->nextResults = {ChangeResult::Status::Failed};
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(r.engine->pauseKind(), Pause::ActionFailed);
        QVERIFY(r.script->applied.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRolloutEngineRolling)
#include "tst_rolloutengine_rolling.moc"
