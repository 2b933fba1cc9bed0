// The rollout engine on the real lab (HAProxy + Prometheus scraping every second, 10 s rate
// window), with gentle background traffic through the frontend all the time, since the gates
// judge request rates and counts: a healthy canary plan walks to 100%, and a canary that starts
// failing 20% of its requests at the 25% step is rolled back by the engine on its own, after
// which the stable path serves every request. On the lab's three-and-three backend "web", a
// rolling plan moves one server at a time (checked against HAProxy's own weights and the answers
// clients get), and a new server whose HAProxy health check starts failing is rolled back.

#include "backendfactory.h"
#include "eventlogmodel.h"
#include "haproxyruntime.h"
#include "labclient.h"
#include "labfixture.h"
#include "labgates.h"
#include "rolloutengine.h"
#include "rolloutplan.h"
#include "targetconfig.h"
#include "targetcontroller.h"
#include "wrkrun.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Switchboard;
using State = RolloutEngine::State;

namespace {

// lab/traffic: one keep-alive connection, paced. 200 req/s gives a 5% canary ~10 req/s, enough
// for the volume check below within a few seconds, and stays light on a shared 2-core machine.
constexpr int backgroundRps = 200;
constexpr int backgroundSeconds = 200; // bounded: outlives both cases, not the test's timeout

// 5 → 25 → 50 → 100 with an analysis after each step; `quarterAnalysisMs` is the one after 25%.
// The first analysis is the longest: the canary's first requests must reach Prometheus' rate
// and add up to minRequests before it ends, or the engine pauses as inconclusive.
RolloutPlan canaryPlan(qint64 quarterAnalysisMs)
{
    RolloutPlan p;
    p.name = QStringLiteral("lab-canary");
    p.gates = {LabGates::errorGate()};
    p.steps = {RolloutStep::setWeight(5),  RolloutStep::analysis(7000, 2),
               RolloutStep::setWeight(25), RolloutStep::analysis(quarterAnalysisMs, 2),
               RolloutStep::setWeight(50), RolloutStep::analysis(5000, 2),
               RolloutStep::setWeight(100)};
    return p;
}
constexpr int quarterStep = 2; // index of setWeight(25) in canaryPlan()

// Rolling: one server at a time on "web" (web-v1-1..3, web-v2-1..3), an operator's pause
// after each move so the test can look.
RolloutPlan rollingPlan()
{
    RolloutPlan p;
    p.name = QStringLiteral("lab-rolling");
    p.strategy = RolloutPlan::Strategy::Rolling;
    for (int k = 1; k <= 3; ++k)
        p.steps += {RolloutStep::moveServers(k), RolloutStep::pause()};
    p.steps.append(RolloutStep::setWeight(100));
    return p;
}

struct Weights
{
    int v1a = -1;
    int v1b = -1;
    int v2a = -1;
};

} // namespace

class TestRolloutLab final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void healthyCanaryIsPromoted();
    void failingCanaryIsRolledBack();
    void fastSignalRollsBackBeforePrometheus();
    void rollingMovesOneServerAtATime();
    void rollingRollsBackWhenANewServerFailsItsCheck();

private:
    // A controller on the lab's own "lab" target, polling, with a first split and a fresh
    // health reading in hand.
    std::unique_ptr<TargetController> connectedController(const TargetConfig &target);
    // Waits until the engine pauses at `step` for the plan's "until resumed".
    bool waitForPlanPause(RolloutEngine *engine, int step, QString *why);
    // HAProxy's weights of web-v1-1..3 and web-v2-1..3, in that order.
    QList<int> rollingWeights(QString *error) const;
    // Waits until the engine has finished; a pause fails at once with its reason, since nothing
    // in these scenarios should need an operator (except the plan's own pauses, with `planPausesOk`).
    bool waitUntilFinished(RolloutEngine *engine, int timeoutMs, QString *why, bool planPausesOk = false);
    bool weights(Weights *out, QString *error) const;
    bool setWeights(int v1, int v2, QString *error) const;

    std::unique_ptr<LabFixture> m_lab;
    std::unique_ptr<HaproxyRuntime> m_admin;
    TargetConfig m_target;
    TargetConfig m_rolling; // "lab-rolling"
    QProcess m_traffic;
    EventLogModel m_log;
    QStringList m_lines; // the engine's log of the current case, printed when it fails
};

void TestRolloutLab::initTestCase()
{
    registerMetaTypes();
    m_lab = std::make_unique<LabFixture>();
    LAB_START_OR_SKIP(*m_lab, QStringLiteral("wrk"));

    // The lab's own targets.json, read the way the app reads it.
    const TargetConfigResult config = loadTargetConfig(m_lab->configDir() + QStringLiteral("/targets.json"));
    QVERIFY2(config.ok(), qPrintable(config.error));
    for (const TargetConfig &t : config.targets) {
        if (t.name == QStringLiteral("lab"))
            m_target = t;
        if (t.name == QStringLiteral("lab-rolling"))
            m_rolling = t;
    }
    QCOMPARE(m_rolling.kind, QStringLiteral("haproxy"));
    QCOMPARE(m_target.kind, QStringLiteral("haproxy"));
    QVERIFY(m_target.pollMs >= 500 && m_target.pollMs <= 1000);

    HaproxyEndpoint e;
    QString error;
    QVERIFY2(HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(m_lab->port("ADMIN_PORT")), &e, &error),
             qPrintable(error));
    m_admin = std::make_unique<HaproxyRuntime>(e);

    m_traffic.setProcessChannelMode(QProcess::MergedChannels);
    m_traffic.start(LabFixture::sourceDir() + QStringLiteral("/lab/traffic"),
                    {m_lab->dir(), QString::number(backgroundSeconds), QString::number(backgroundRps)});
    QVERIFY2(m_traffic.waitForStarted(5000), qPrintable(m_traffic.errorString()));
}

void TestRolloutLab::cleanupTestCase()
{
    if (m_traffic.state() != QProcess::NotRunning) {
        m_traffic.kill();
        m_traffic.waitForFinished(5000);
    }
    m_lab.reset(); // lab/down
}

void TestRolloutLab::init()
{
    m_lines.clear();
    // Each case starts from a healthy canary at 0%, whatever the previous one left.
    QString out;
    QCOMPARE(m_lab->runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0"), QStringLiteral("latency_ms=0"),
                                                        QStringLiteral("health=1")}, &out), 0);
    QString error;
    QVERIFY2(setWeights(256, 0, &error), qPrintable(error));
    QStringList web;
    for (const char *s : {"web-v1-1", "web-v1-2", "web-v1-3", "web-v2-1", "web-v2-2", "web-v2-3"})
        web.append(HaproxyRuntime::setWeightCommand(QStringLiteral("web"), QString::fromLatin1(s), s[5] == '1' ? 256 : 0));
    QString answer;
    QVERIFY2(m_admin->execute(web, &answer, &error), qPrintable(error));
    QCOMPARE(HaproxyRuntime::errorsIn(answer), QString());
    // A health check failed by the previous case takes rise (2) checks to pass again.
    QString stat;
    const bool up = QTest::qWaitFor([&] {
        return m_admin->execute({HaproxyRuntime::showStatCommand(QStringLiteral("web"))}, &stat, &error)
            && stat.count(QStringLiteral(",UP,")) == 6;
    }, 15000);
    QVERIFY2(up, qPrintable(stat + error));
}

std::unique_ptr<TargetController> TestRolloutLab::connectedController(const TargetConfig &target)
{
    QString error;
    std::unique_ptr<BackendHost> host = createBackends(target, &error);
    if (!host) {
        qWarning("createBackends: %s", qPrintable(error));
        return nullptr;
    }
    auto c = std::make_unique<TargetController>(target, std::move(host), &m_log, nullptr);
    QSignalSpy snapshot(c.get(), &TargetController::snapshotChanged);
    QSignalSpy health(c.get(), &TargetController::healthChanged);
    c->start();
    QElapsedTimer t;
    t.start();
    // The first health may be the 15-minute backfill: wait for a fresh instant reading.
    while (t.elapsed() < 15000
           && (!c->hasSnapshot() || c->isHealthStale(QDateTime::currentMSecsSinceEpoch()))) {
        if (snapshot.isEmpty())
            snapshot.wait(1000);
        else
            health.wait(1000);
    }
    if (!c->hasSnapshot() || c->isHealthStale(QDateTime::currentMSecsSinceEpoch())) {
        qWarning("no split or no fresh health from the lab within 15 s: %s %s", qPrintable(c->lastError()),
                 qPrintable(c->metricsError()));
        return nullptr;
    }
    return c;
}

bool TestRolloutLab::waitUntilFinished(RolloutEngine *engine, int timeoutMs, QString *why, bool planPausesOk)
{
    QSignalSpy state(engine, &RolloutEngine::stateChanged);
    QElapsedTimer t;
    t.start();
    auto stuck = [&] {
        return engine->state() == State::Paused && !(planPausesOk && engine->pauseKind() == RolloutEngine::PauseKind::PlanStep);
    };
    while (!engine->isFinished() && !stuck() && t.elapsed() < timeoutMs)
        state.wait(int(std::max<qint64>(1, timeoutMs - t.elapsed())));
    if (engine->isFinished())
        return true;
    *why = engine->state() == State::Paused
        ? QStringLiteral("paused at step %1: %2").arg(engine->currentStep()).arg(engine->reason())
        : QStringLiteral("still %1 at step %2 after %3 ms").arg(RolloutEngine::stateName(engine->state())).arg(engine->currentStep()).arg(timeoutMs);
    *why += QStringLiteral("\nengine log:\n") + m_lines.join(QLatin1Char('\n'));
    return false;
}

bool TestRolloutLab::waitForPlanPause(RolloutEngine *engine, int step, QString *why)
{
    QSignalSpy state(engine, &RolloutEngine::stateChanged);
    QElapsedTimer t;
    t.start();
    auto there = [&] {
        return engine->state() == State::Paused && engine->pauseKind() == RolloutEngine::PauseKind::PlanStep
            && engine->currentStep() == step;
    };
    while (!there() && !engine->isFinished() && t.elapsed() < 30000)
        state.wait(1000);
    if (there())
        return true;
    *why = QStringLiteral("%1 at step %2 (%3), waiting for the pause at step %4\nengine log:\n%5")
               .arg(RolloutEngine::stateName(engine->state())).arg(engine->currentStep())
               .arg(engine->reason()).arg(step).arg(m_lines.join(QLatin1Char('\n')));
    return false;
}

QList<int> TestRolloutLab::rollingWeights(QString *error) const
{
    QStringList cmds;
    for (const char *s : {"web-v1-1", "web-v1-2", "web-v1-3", "web-v2-1", "web-v2-2", "web-v2-3"})
        cmds.append(QStringLiteral("get weight web/%1").arg(QString::fromLatin1(s)));
    QString answer;
    if (!m_admin->execute(cmds, &answer, error))
        return {};
    QList<int> out;
    for (const QString &a : HaproxyRuntime::splitAnswers(answer, int(cmds.size()))) {
        int w = -1;
        HaproxyRuntime::parseWeightAnswer(a, &w);
        out.append(w);
    }
    return out;
}

bool TestRolloutLab::weights(Weights *out, QString *error) const
{
    QString answer;
    if (!m_admin->execute({QStringLiteral("get weight shop/shop-v1-a"), QStringLiteral("get weight shop/shop-v1-b"),
                           QStringLiteral("get weight shop/shop-v2-a")},
                          &answer, error))
        return false;
    const QStringList a = HaproxyRuntime::splitAnswers(answer, 3);
    if (!HaproxyRuntime::parseWeightAnswer(a.at(0), &out->v1a) || !HaproxyRuntime::parseWeightAnswer(a.at(1), &out->v1b)
        || !HaproxyRuntime::parseWeightAnswer(a.at(2), &out->v2a)) {
        *error = QStringLiteral("unexpected answer to get weight: %1").arg(answer);
        return false;
    }
    return true;
}

bool TestRolloutLab::setWeights(int v1, int v2, QString *error) const
{
    QString answer;
    if (!m_admin->execute({HaproxyRuntime::setWeightCommand(QStringLiteral("shop"), QStringLiteral("shop-v1-a"), v1),
                           HaproxyRuntime::setWeightCommand(QStringLiteral("shop"), QStringLiteral("shop-v1-b"), v1),
                           HaproxyRuntime::setWeightCommand(QStringLiteral("shop"), QStringLiteral("shop-v2-a"), v2)},
                          &answer, error))
        return false;
    *error = HaproxyRuntime::errorsIn(answer);
    return error->isEmpty();
}

void TestRolloutLab::healthyCanaryIsPromoted()
{
    std::unique_ptr<TargetController> c = connectedController(m_target);
    QVERIFY(c);
    QElapsedTimer t;
    t.start();
    RolloutEngine *engine = c->startRollout(canaryPlan(5000));
    QVERIFY(engine);
    connect(engine, &RolloutEngine::logLine, this, [this](const QString &l) { m_lines.append(l); });

    // Four weight changes and analyses of 7 + 5 + 5 s: ~18 s on the lab.
    QString why;
    QVERIFY2(waitUntilFinished(engine, 90000, &why), qPrintable(why));
    QVERIFY2(engine->state() == State::Promoted,
             qPrintable(engine->reason() + QStringLiteral("\nengine log:\n") + m_lines.join(QLatin1Char('\n'))));
    qInfo("promoted in %.1f s", double(t.elapsed()) / 1000);

    // HAProxy itself, not the controller's view of it: the canary has everything.
    Weights w;
    QString error;
    QVERIFY2(weights(&w, &error), qPrintable(error));
    QCOMPARE(w.v1a, 0);
    QCOMPARE(w.v1b, 0);
    QVERIFY2(w.v2a > 0, qPrintable(QString::number(w.v2a)));
}

void TestRolloutLab::fastSignalRollsBackBeforePrometheus()
{
    // The lab target reads HAProxy's counters every 250 ms (haproxy.fastSignalMs' default) next
    // to Prometheus' 1 s scrapes and 10 s rate window: an error burst must roll back on the
    // counters, before Prometheus' rate shows it.
    std::unique_ptr<TargetController> c = connectedController(m_target);
    QVERIFY(c);
    QVERIFY(c->hasFastSignal());
    RolloutPlan p;
    p.name = QStringLiteral("lab-fast");
    p.gates = {LabGates::errorGate()};
    p.steps = {RolloutStep::setWeight(25), RolloutStep::pause(600000), RolloutStep::setWeight(100)};
    RolloutEngine *engine = c->startRollout(p);
    QVERIFY(engine);
    connect(engine, &RolloutEngine::logLine, this, [this](const QString &l) { m_lines.append(l); });
    QVERIFY2(QTest::qWaitFor([engine] { return engine->currentStep() >= 1 || engine->isFinished(); }, 20000),
             qPrintable(m_lines.join(QLatin1Char('\n'))));
    QVERIFY2(!engine->isFinished(), qPrintable(engine->reason()));
    // The canary's first requests at 25%, counted by the fast signal too.
    QVERIFY(QTest::qWaitFor([&c] { return c->hasFastHealth() && c->fastHealth().canary.rps > 0; }, 10000));

    double prometheusAtDecision = -1;
    connect(engine, &RolloutEngine::stateChanged, this, [&c, &prometheusAtDecision](State s) {
        if (s == State::RollingBack && prometheusAtDecision < 0)
            prometheusAtDecision = c->health().canary.errorRatio;
    });
    QString out;
    QCOMPARE(m_lab->runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0.3")}, &out), 0);
    QElapsedTimer sinceFault;
    sinceFault.start();
    QString why;
    QVERIFY2(waitUntilFinished(engine, 20000, &why), qPrintable(why));
    const qint64 ms = sinceFault.elapsed();
    QVERIFY2(engine->state() == State::RolledBack,
             qPrintable(RolloutEngine::stateName(engine->state()) + QStringLiteral(": ") + engine->reason()
                        + QStringLiteral("\nengine log:\n") + m_lines.join(QLatin1Char('\n'))));
    qInfo("rolled back %lld ms after the fault (Prometheus' canary error ratio then: %g): %s", ms, prometheusAtDecision,
          qPrintable(engine->reason()));
    QVERIFY2(engine->reason().contains(QStringLiteral("fast signal")), qPrintable(engine->reason()));
    QVERIFY2(engine->reason().contains(QStringLiteral("error-ratio FAIL")), qPrintable(engine->reason()));
    // The counters decided: the reason names the fast signal. (Whether Prometheus' rate had
    // crossed the bound by then is a race with its 1 s scrape, logged above, not asserted: its
    // gate needs two breaching polls a second apart, which the decision came before.)
    QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));
    Weights w;
    QString error;
    QVERIFY2(weights(&w, &error), qPrintable(error));
    QCOMPARE(w.v2a, 0);
}

void TestRolloutLab::failingCanaryIsRolledBack()
{
    std::unique_ptr<TargetController> c = connectedController(m_target);
    QVERIFY(c);
    // A long analysis at 25%: the 10 s rate window needs a few seconds of errors to show them,
    // and the rollback must come from the gates, not from a plan that ran out of steps.
    RolloutEngine *engine = c->startRollout(canaryPlan(30000));
    QVERIFY(engine);
    connect(engine, &RolloutEngine::logLine, this, [this](const QString &l) { m_lines.append(l); });

    QSignalSpy step(engine, &RolloutEngine::stepChanged);
    QElapsedTimer t;
    t.start();
    while (engine->currentStep() < quarterStep && !engine->isFinished() && engine->state() != State::Paused
           && t.elapsed() < 60000)
        step.wait(1000);
    QVERIFY2(engine->currentStep() == quarterStep && !engine->isFinished() && engine->state() != State::Paused,
             qPrintable(QStringLiteral("%1 at step %2 (%3)\nengine log:\n%4")
                            .arg(RolloutEngine::stateName(engine->state()))
                            .arg(engine->currentStep())
                            .arg(engine->reason(), m_lines.join(QLatin1Char('\n')))));
    QString out;
    QCOMPARE(m_lab->runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0.2")}, &out), 0);
    QElapsedTimer sinceFault;
    sinceFault.start();

    // Prometheus needs a scrape and a few seconds of the 10 s window, the gate two breaching
    // polls, HAProxy one command: ~5-10 s on the lab; 45 s leaves room for a loaded machine.
    QString why;
    QVERIFY2(waitUntilFinished(engine, 45000, &why), qPrintable(why));
    QVERIFY2(engine->state() == State::RolledBack,
             qPrintable(RolloutEngine::stateName(engine->state()) + QStringLiteral(": ") + engine->reason()
                        + QStringLiteral("\nengine log:\n") + m_lines.join(QLatin1Char('\n'))));
    qInfo("rolled back %.1f s after the fault: %s", double(sinceFault.elapsed()) / 1000, qPrintable(engine->reason()));
    // The gate's own words: which gate, the canary's value and the bound it broke.
    const QString reason = engine->reason();
    QVERIFY2(reason.contains(QStringLiteral("error-ratio FAIL")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("> 5.00%")), qPrintable(reason));
    // At least the gate's failureLimit (2) breaches in a row; the fast signal may count more
    // before its breach is significant enough to act on.
    const QRegularExpressionMatch consecutive = QRegularExpression(QStringLiteral("\\((\\d+) consecutive\\)")).match(reason);
    QVERIFY2(consecutive.hasMatch() && consecutive.captured(1).toInt() >= 2, qPrintable(reason));
    QVERIFY2(engine->currentStep() >= quarterStep, qPrintable(QString::number(engine->currentStep())));

    Weights w;
    QString error;
    QVERIFY2(weights(&w, &error), qPrintable(error));
    QCOMPARE(w.v2a, 0);
    QCOMPARE(w.v1a, 256);
    QCOMPARE(w.v1b, 256);

    // The canary still fails 20%: every request that reaches it would show. None may.
    WrkRun wrk;
    QVERIFY2(wrk.start(m_lab->frontUrl(), 1, 4, 3), qPrintable(wrk.error()));
    WrkResult r;
    QVERIFY2(wrk.finish(&r, 20000), qPrintable(wrk.error()));
    qInfo("after the rollback: %lld responses in 3 s (%lld v1, %lld v2), %lld non-2xx, %lld socket errors", r.total, r.v1,
          r.v2, r.non2xx, r.socketErrors());
    QVERIFY(r.total > 0);
    QCOMPARE(r.non2xx, 0);
    QCOMPARE(r.socketErrors(), 0);
    QCOMPARE(r.v2, 0);
    QCOMPARE(r.v1, r.total);
}

void TestRolloutLab::rollingMovesOneServerAtATime()
{
    std::unique_ptr<TargetController> c = connectedController(m_rolling);
    QVERIFY(c);
    const quint16 port = quint16(m_lab->port("ROLLING_PORT"));
    // Clients all the way through: every move must be invisible to them.
    WrkRun wrk;
    QVERIFY2(wrk.start(QStringLiteral("http://127.0.0.1:%1/").arg(port), 1, 4, 25), qPrintable(wrk.error()));
    RolloutEngine *engine = c->startRollout(rollingPlan(), [this](RolloutEngine *e) {
        connect(e, &RolloutEngine::logLine, this, [this](const QString &l) { m_lines.append(l); });
    });
    QVERIFY(engine);
    for (int k = 1; k <= 3; ++k) {
        QString why;
        QVERIFY2(waitForPlanPause(engine, 2 * k - 1, &why), qPrintable(why));
        // HAProxy itself: the first k old servers drained, the first k new ones in.
        QString error;
        const QList<int> w = rollingWeights(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QList<int> want;
        for (int i = 1; i <= 3; ++i)
            want.append(i <= k ? 0 : 256);
        for (int i = 1; i <= 3; ++i)
            want.append(i <= k ? 256 : 0);
        QCOMPARE(w, want);
        // And what clients get: k of 3 answers from v2. wrk shares the round robin, so not exact
        // (79% once at k = 2 under a parallel ctest): within 16 points, which still tells the
        // three steps apart (33 points between them); HAProxy's own weights are checked exactly above.
        const SplitCounts split = LabClient::measure(port, 150);
        qInfo("after move %d: %d v1, %d v2, %d other", k, split.v1, split.v2, split.other);
        QCOMPARE(split.other, 0);
        QVERIFY2(std::abs(split.canaryPercent() - 100.0 * k / 3) <= 16, qPrintable(QString::number(split.canaryPercent())));
        engine->resume();
    }
    QString why;
    QVERIFY2(waitUntilFinished(engine, 30000, &why), qPrintable(why));
    QCOMPARE(engine->state(), State::Promoted);
    QVERIFY2(m_lines.contains(QStringLiteral("step 3/7 (2 servers): in web-v2-2; out web-v1-1, web-v1-2 (canary 66.67%)")),
             qPrintable(m_lines.join(QLatin1Char('\n'))));
    WrkResult r;
    QVERIFY2(wrk.finish(&r, 40000), qPrintable(wrk.error()));
    qInfo("during the rolling update: %lld responses (%lld v1, %lld v2), %lld non-2xx, %lld socket errors", r.total, r.v1,
          r.v2, r.non2xx, r.socketErrors());
    QVERIFY(r.v1 > 0 && r.v2 > 0);
    QCOMPARE(r.non2xx, 0);
    QCOMPARE(r.socketErrors(), 0);
}

void TestRolloutLab::rollingRollsBackWhenANewServerFailsItsCheck()
{
    std::unique_ptr<TargetController> c = connectedController(m_rolling);
    QVERIFY(c);
    RolloutEngine *engine = c->startRollout(rollingPlan(), [this](RolloutEngine *e) {
        connect(e, &RolloutEngine::logLine, this, [this](const QString &l) { m_lines.append(l); });
    });
    QVERIFY(engine);
    QString why;
    QVERIFY2(waitForPlanPause(engine, 1, &why), qPrintable(why));
    // web-v2-1 has traffic; its app's /health starts failing, and HAProxy's checks (every 1 s,
    // fall 2) take it DOWN. The paused plan still watches, and rolls back.
    QString out;
    QCOMPARE(m_lab->runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("health=0")}, &out), 0);
    QElapsedTimer sinceFault;
    sinceFault.start();
    QVERIFY2(waitUntilFinished(engine, 30000, &why, true), qPrintable(why));
    QVERIFY2(engine->state() == State::RolledBack, qPrintable(engine->reason() + QStringLiteral("\n") + m_lines.join(QLatin1Char('\n'))));
    qInfo("rolled back %.1f s after /health started failing: %s", double(sinceFault.elapsed()) / 1000, qPrintable(engine->reason()));
    QVERIFY2(engine->reason().contains(QStringLiteral("health check: web-v2-1 DOWN")), qPrintable(engine->reason()));
    QString error;
    QCOMPARE(rollingWeights(&error), (QList<int>{256, 256, 256, 0, 0, 0}));

    WrkRun wrk;
    QVERIFY2(wrk.start(QStringLiteral("http://127.0.0.1:%1/").arg(m_lab->port("ROLLING_PORT")), 1, 4, 3), qPrintable(wrk.error()));
    WrkResult r;
    QVERIFY2(wrk.finish(&r, 20000), qPrintable(wrk.error()));
    QVERIFY(r.total > 0);
    QCOMPARE(r.non2xx, 0);
    QCOMPARE(r.v2, 0);
}

QTEST_GUILESS_MAIN(TestRolloutLab)
#include "tst_rollout_lab.moc"
