// RolloutEngine transition by transition on a TargetController over scripted backends and a
// test clock (every state, every pause reason, gate failure on the breaching observation), then
// end to end on the simulator with real time: promoted, rolled back on a fault, paused on
// missing data and never promoted. Rolling plans run on a scripted target with several servers
// per version, whose weights go through the backends' own checkAndPlan.
#include "backendfactory.h"
#include "weightchange.h"
#include "eventlogmodel.h"
#include "rolloutengine.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QMutex>
#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using State = RolloutEngine::State;
using Pause = RolloutEngine::PauseKind;

namespace {

// What the scripted backends answer; shared with their worker thread.
struct Script
{
    QMutex mutex;
    qint64 clock = 1'000'000;
    double canaryPercent = 0;
    QList<ChangeResult::Status> nextResults; // consumed per apply; empty = Applied
    HealthSnapshot health;
    QString metricsError;
    bool trafficUp = true;
    // Server mode (rolling plans): these members, changed with the backends' own checkAndPlan;
    // `applied` records the weights after every change. Empty: the two-member percent mode.
    QList<Member> members;
    QList<QMap<QString, int>> applied;
    // Health-check states (state, check) that take effect with the next change, so a test can
    // place a flip exactly between a move and the read after it.
    QHash<QString, QPair<QString, QString>> onApply;
};

QMap<QString, int> weightsOf(const QList<Member> &members)
{
    QMap<QString, int> w;
    for (const Member &m : members)
        w.insert(m.name, m.weight);
    return w;
}

class ScriptedTraffic final : public TrafficBackend
{
public:
    explicit ScriptedTraffic(std::shared_ptr<Script> s) : m_s(std::move(s)) {}
    void refresh() override
    {
        QMutexLocker lock(&m_s->mutex);
        if (!m_s->trafficUp)
            return Q_EMIT refreshFailed(QStringLiteral("scripted: connection refused"));
        TrafficSnapshot snap;
        snap.timeMs = m_s->clock;
        if (!m_s->members.isEmpty()) {
            snap.members = m_s->members;
            snap.split = TrafficSplit::fromMembers(snap.members);
            return Q_EMIT snapshotReady(snap);
        }
        snap.members = {{QStringLiteral("v1"), Version::Stable, int(1000 - 10 * m_s->canaryPercent), QStringLiteral("UP"), {}},
                        {QStringLiteral("v2"), Version::Canary, int(10 * m_s->canaryPercent), QStringLiteral("UP"), {}}};
        snap.split = TrafficSplit::fromMembers(snap.members);
        Q_EMIT snapshotReady(snap);
    }
    void apply(const WeightChange &change) override
    {
        QMutexLocker lock(&m_s->mutex);
        ChangeResult r;
        r.requestedCanaryPercent = change.canaryPercent;
        if (!m_s->members.isEmpty())
            return applyToMembers(change, r);
        r.before = {{QStringLiteral("v1"), int(1000 - 10 * m_s->canaryPercent)}, {QStringLiteral("v2"), int(10 * m_s->canaryPercent)}};
        r.status = m_s->nextResults.isEmpty() ? ChangeResult::Status::Applied : m_s->nextResults.takeFirst();
        // Like the real backends: a change made against an outdated view is a conflict.
        if (r.ok() && !change.force && !change.expected.isEmpty() && change.expected != r.before)
            r.status = ChangeResult::Status::Conflict;
        r.message = QStringLiteral("scripted %1").arg(statusName(r.status));
        if (r.ok())
            m_s->canaryPercent = change.canaryPercent;
        r.after = {{QStringLiteral("v1"), int(1000 - 10 * m_s->canaryPercent)}, {QStringLiteral("v2"), int(10 * m_s->canaryPercent)}};
        Q_EMIT changeFinished(r);
    }

private:
    void applyToMembers(const WeightChange &change, ChangeResult &r)
    {
        r.before = weightsOf(m_s->members);
        for (Member &m : m_s->members) {
            if (m_s->onApply.contains(m.name))
                std::tie(m.state, m.checkStatus) = m_s->onApply.take(m.name);
        }
        QMap<QString, int> target;
        if (!m_s->nextResults.isEmpty()) {
            r.status = m_s->nextResults.takeFirst();
            r.message = QStringLiteral("scripted %1").arg(statusName(r.status));
        } else if (checkAndPlan(change, m_s->members, r.before, &target, &r)) {
            for (Member &m : m_s->members)
                m.weight = target.value(m.name, m.weight);
            m_s->applied.append(target);
            m_s->canaryPercent = TrafficSplit::fromMembers(m_s->members).canary;
            r.status = ChangeResult::Status::Applied;
            r.message = QStringLiteral("scripted Applied");
        }
        r.after = weightsOf(m_s->members);
        Q_EMIT changeFinished(r);
    }

    std::shared_ptr<Script> m_s;
};

class ScriptedMetrics final : public MetricsSource
{
public:
    explicit ScriptedMetrics(std::shared_ptr<Script> s) : m_s(std::move(s)) {}
    void queryInstant() override
    {
        QMutexLocker lock(&m_s->mutex);
        if (!m_s->metricsError.isEmpty())
            return Q_EMIT queryFailed(m_s->metricsError);
        HealthSnapshot h = m_s->health;
        h.stable.timeMs = h.canary.timeMs = m_s->clock; // a fresh observation at the test clock
        Q_EMIT instantReady(h);
    }
    void queryRange(qint64, qint64, int, quint64 token) override { Q_EMIT rangeReady({}, token); }

private:
    std::shared_ptr<Script> m_s;
};

// The signal may already have come while an earlier wait spun the event loop.
bool waitFor(QSignalSpy &spy, int ms = 5000)
{
    return !spy.isEmpty() || spy.wait(ms);
}

HealthSample sample(double rps, double err, double p99)
{
    HealthSample s;
    s.rps = rps;
    s.errorRatio = err;
    s.p50Ms = p99 / 4;
    s.p99Ms = p99;
    return s;
}

GateSpec errorGate(int failureLimit = 1, double minRequests = 0)
{
    GateSpec g;
    g.name = QStringLiteral("error-ratio");
    g.metric = GateSpec::Metric::ErrorRatio;
    g.max = 0.01;
    g.maxOverStable = 0.01;
    g.combine = GateSpec::Combine::Any;
    g.failureLimit = failureLimit;
    g.minRequests = minRequests;
    return g;
}

RolloutPlan plan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates = {errorGate()})
{
    RolloutPlan p;
    p.name = QStringLiteral("test");
    p.steps = steps;
    p.gates = gates;
    return p;
}

struct Rig
{
    explicit Rig(const RolloutPlan &p, const QList<Member> &members = {})
        : script(std::make_shared<Script>())
    {
        script->members = members;
        TargetConfig t;
        t.name = QStringLiteral("scripted");
        t.kind = QStringLiteral("sim");
        t.pollMs = 100;
        script->health = {sample(760, 0.002, 40), sample(40, 0.003, 45)};
        auto host = std::make_unique<BackendHost>(std::make_unique<ScriptedTraffic>(script),
                                                  std::make_unique<ScriptedMetrics>(script), QStringLiteral("scripted"));
        controller = std::make_unique<TargetController>(t, std::move(host), &log, nullptr);
        engine = std::make_unique<RolloutEngine>(controller.get(), p, [s = script] {
            QMutexLocker lock(&s->mutex);
            return s->clock;
        });
        QObject::connect(engine.get(), &RolloutEngine::logLine, engine.get(), [this](const QString &l) { lines.append(l); });
    }
    void advance(qint64 ms)
    {
        QMutexLocker lock(&script->mutex);
        script->clock += ms;
    }
    // Server mode: what the traffic layer's health check says of `name` from now on.
    void setHealth(const QString &name, const QString &state, const QString &check)
    {
        QMutexLocker lock(&script->mutex);
        for (Member &m : script->members) {
            if (m.name == name) {
                m.state = state;
                m.checkStatus = check;
            }
        }
    }
    // A read of the traffic layer that the controller (and the engine) has seen.
    bool read()
    {
        QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
        controller->refreshNow();
        return snap.wait(5000);
    }
    void set(const QString &metricsError, bool trafficUp = true)
    {
        QMutexLocker lock(&script->mutex);
        script->metricsError = metricsError;
        script->trafficUp = trafficUp;
    }
    // One poll: the clock moves on a bit and the controller reads both backends. Returns once
    // the controller holds this very observation (an answer already on the way is skipped).
    bool observe(const HealthSample &canary = sample(40, 0.003, 45))
    {
        qint64 t = 0;
        QString error;
        {
            QMutexLocker lock(&script->mutex);
            script->clock += 100;
            script->health.canary = canary;
            t = script->clock;
            error = script->metricsError;
        }
        for (int i = 0; i < 20; ++i) {
            QSignalSpy health(controller.get(), &TargetController::healthChanged);
            controller->refreshNow();
            if (!health.wait(5000))
                return false;
            if (error.isEmpty() ? controller->health().canary.timeMs == t && controller->metricsError().isEmpty()
                                : controller->metricsError() == error)
                return true;
        }
        return false;
    }
    // Starts once the controller has read both backends, and returns once the first step's
    // change is applied and the controller's read after it is in, so no old answer is still
    // on its way when a test moves the clock.
    bool startAndApply()
    {
        QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
        QSignalSpy health(controller.get(), &TargetController::healthChanged);
        controller->refreshNow();
        if (!waitFor(snap) || !waitFor(health))
            return false;
        QSignalSpy done(controller.get(), &TargetController::actionFinished);
        QSignalSpy after(controller.get(), &TargetController::healthChanged);
        engine->start();
        return waitFor(done) && waitFor(after);
    }
    std::shared_ptr<Script> script;
    EventLogModel log;
    std::unique_ptr<TargetController> controller;
    std::unique_ptr<RolloutEngine> engine;
    QStringList lines;
};

const HealthSample bad = sample(40, 0.2, 45);

// Three servers per version, the new ones without traffic, all passing their checks.
QList<Member> threeAndThree()
{
    QList<Member> out;
    for (const char *n : {"v1-a", "v1-b", "v1-c"})
        out.append({QString::fromLatin1(n), Version::Stable, 256, QStringLiteral("UP"), QStringLiteral("L7OK")});
    for (const char *n : {"v2-a", "v2-b", "v2-c"})
        out.append({QString::fromLatin1(n), Version::Canary, 0, QStringLiteral("UP"), QStringLiteral("L7OK")});
    return out;
}

RolloutPlan rollingPlan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates = {})
{
    RolloutPlan p = plan(steps, gates);
    p.strategy = RolloutPlan::Strategy::Rolling;
    return p;
}

// "v1-a v1-b | v2-a": who has traffic, old servers first.
QString serving(const QMap<QString, int> &weights)
{
    QStringList old;
    QStringList fresh;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it) {
        if (it.value() > 0)
            (it.key().startsWith(QLatin1String("v1")) ? old : fresh).append(it.key());
    }
    return old.join(QLatin1Char(' ')) + QStringLiteral(" | ") + fresh.join(QLatin1Char(' '));
}


} // namespace

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
        QCOMPARE(r.engine->pauseKind(), Pause::Operator);
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

    // --- end to end on the simulator, real time ---------------------------------------------

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

QTEST_GUILESS_MAIN(TestRolloutEngine)
#include "tst_rolloutengine.moc"
