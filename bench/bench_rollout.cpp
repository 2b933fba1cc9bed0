// How fast does a rollout catch a failing canary, and does it ever roll back a healthy one?
// Starts the lab (HAProxy + Prometheus, 1 s scrape, 10 s rate window) with gentle background
// traffic through the frontend (lab/traffic, 200 req/s), drives the lab's own "lab" target
// through TargetController::startRollout, twice side by side: with the fast signal (HAProxy's
// own counters every haproxy.fastSignalMs, 250 ms by default, next to Prometheus) and with
// Prometheus alone (the same target with "fastSignalMs": 0), and measures:
//   (a) detection to rollback: a plan sets the canary to 25% and pauses with the plan gates
//       watched; once the rate window holds only healthy 25% traffic, at T0 the canary app is
//       switched to 30% errors (its /admin endpoint, answered before T0 is taken), and T1 is
//       the moment HAProxy's runtime API reports the canary at weight 0 (a thread polls
//       `get weight` on a persistent admin TCP session every 5 ms). T1 - T0 is split into: the first
//       scraped sample showing errors, Switchboard's first poll that shows them, the gate
//       failing (rollback decided), HAProxy at 0%.
//   (b) false rollbacks: healthy runs of a short plan (10% → analysis → 100%) back to back;
//       every outcome but "promoted" is counted, pauses for missing data separately (the bench
//       resumes those as an operator would, so a run still ends in a verdict).
//
// Usage: bench_rollout [DETECTION_RUNS] [HEALTHY_RUNS]   (default 20 and 20; DETECTION_RUNS per
//        mode; the healthy runs use the fast signal, the mode that could roll back falsely)
//        BENCH_VERBOSE=1 prints every engine's log lines under its run.

#include "backendfactory.h"
#include "eventlogmodel.h"
#include "haproxyruntime.h"
#include "haproxysession.h"
#include "labfixture.h"
#include "presetstore.h"
#include "verdict.h"
#include "labgates.h"
#include "rolloutengine.h"
#include "rolloutplan.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>

using namespace Switchboard;
using State = RolloutEngine::State;

namespace {

constexpr int backgroundRps = 200;
constexpr int pollWeightMs = 5;
constexpr double faultErrorRatio = 0.3;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Runs the event loop for `ms` (the controller and the engine live on this thread). Precise:
// a coarse timer of seconds is aligned to whole seconds, like the controller's poll timer, which
// would lock every run to the same phase of the poll.
void pace(int ms)
{
    QTimer t;
    t.setSingleShot(true);
    t.setTimerType(Qt::PreciseTimer);
    QSignalSpy fired(&t, &QTimer::timeout);
    t.start(ms);
    fired.wait(ms + 5000);
}

// Waits, event loop running, until `done` holds or `timeoutMs` passed.
template<typename F>
bool waitUntil(F done, int timeoutMs)
{
    const qint64 until = nowMs() + timeoutMs;
    while (!done()) {
        if (nowMs() >= until)
            return false;
        pace(20);
    }
    return true;
}

// Sets the canary app's error fraction through its /admin endpoint; returns once it answered,
// i.e. once the app fails requests.
bool setCanaryErrors(int appPort, double ratio, QString *error)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(appPort));
    if (!s.waitForConnected(3000)) {
        *error = s.errorString();
        return false;
    }
    s.write(QStringLiteral("GET /admin?error=%1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").arg(ratio).toLatin1());
    QByteArray answer;
    while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
        answer += s.readAll();
    answer += s.readAll();
    if (!answer.startsWith("HTTP/1.1 200") && !answer.startsWith("HTTP/1.0 200")) {
        *error = QString::fromUtf8(answer.left(200));
        return false;
    }
    return true;
}

// Polls HAProxy's canary weight on its own thread, so the main thread's event loop (controller,
// engine) never waits for it. Once armed, records the first time the canary is at weight 0.
class WeightWatcher final
{
public:
    explicit WeightWatcher(const HaproxyEndpoint &e)
        : m_session(e)
    {
        m_thread.reset(QThread::create([this] { run(); }));
        m_thread->start();
    }
    ~WeightWatcher()
    {
        m_stop = true;
        m_thread->wait();
    }
    void arm()
    {
        m_zeroAtMs = 0;
        m_armed = true;
    }
    qint64 zeroAtMs() const { return m_zeroAtMs; }
    int lastWeight() const { return m_last; }

private:
    void run()
    {
        while (!m_stop) {
            int w = -1;
            QString error;
            QStringList answers;
            if (m_session.execute({QStringLiteral("get weight shop/shop-v2-a")}, &answers, &error)
                && HaproxyRuntime::parseWeightAnswer(answers.value(0), &w)) {
                m_last = w;
                if (m_armed && w == 0) {
                    m_zeroAtMs = nowMs();
                    m_armed = false;
                }
            }
            QThread::msleep(pollWeightMs);
        }
    }
    HaproxySession m_session; // used by the watcher's thread only
    std::unique_ptr<QThread> m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_armed{false};
    std::atomic<qint64> m_zeroAtMs{0};
    std::atomic<int> m_last{-1};
};

struct Detection
{
    bool ok = false;
    QString note;
    qint64 scrapeMs = -1;   // first scraped sample with canary errors, from T0
    qint64 seenMs = -1;     // Switchboard's first poll showing them
    qint64 fastSeenMs = -1; // the fast signal's first reading showing them (-1: none or off)
    qint64 decidedMs = -1;  // gate failed: rollback decided
    qint64 haproxyMs = -1;  // HAProxy reports the canary at 0
    double errorAtDecision = std::nan("");
};

struct Healthy
{
    QString outcome;
    int noDataPauses = 0;
    qint64 ms = 0;
    QString note;
    QString verdictFailing; // the continuous verdict's reason when it said "failing" (default gates)
};

double median(QList<qint64> v)
{
    if (v.isEmpty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const qsizetype n = v.size();
    return n % 2 ? double(v.at(n / 2)) : (double(v.at(n / 2 - 1)) + double(v.at(n / 2))) / 2;
}

void printStats(const char *what, QList<qint64> v)
{
    if (v.isEmpty()) {
        std::printf("| %-46s | %7s | %7s | %7s |\n", what, "-", "-", "-");
        return;
    }
    std::sort(v.begin(), v.end());
    std::printf("| %-46s | %7lld | %7.0f | %7lld |\n", what, v.constFirst(), median(v), v.constLast());
}

class Bench
{
public:
    Bench(LabFixture *lab, TargetController *c, WeightWatcher *watcher)
        : m_lab(lab)
        , m_c(c)
        , m_watcher(watcher)
    {
    }

    // Back to 0% canary through the controller (its view stays right), the fault cleared.
    bool reset(QString *error)
    {
        if (!setCanaryErrors(m_lab->port("APP_V2_PORT"), 0, error))
            return false;
        if (m_c->hasSnapshot() && m_c->snapshot().split.canary == 0)
            return true;
        QSignalSpy done(m_c, &TargetController::actionFinished);
        QSignalSpy snap(m_c, &TargetController::snapshotChanged);
        m_c->rollback(QStringLiteral("bench reset"));
        if (!done.wait(10000) || !done.at(0).at(0).value<ChangeResult>().ok()) {
            *error = QStringLiteral("reset to 0% failed");
            return false;
        }
        // The engine's first change is checked against the controller's next read.
        return !snap.isEmpty() || snap.wait(5000);
    }

    Detection detect(int run)
    {
        Detection d;
        QString error;
        if (!reset(&error)) {
            d.note = error;
            return d;
        }
        // Errors of the previous run must leave the 10 s window first, or the new run would
        // roll back on them.
        if (!waitUntil([this] { return !(m_c->health().canary.errorRatio > 0); }, 30000)) {
            d.note = QStringLiteral("old canary errors still in the rate window after 30 s");
            return d;
        }
        RolloutPlan p;
        p.name = QStringLiteral("bench-detect-%1").arg(run);
        p.gates = {LabGates::errorGate()};
        p.steps = {RolloutStep::setWeight(25), RolloutStep::pause(600000), RolloutStep::setWeight(100)};
        RolloutEngine *e = m_c->startRollout(p);
        if (!e) {
            d.note = QStringLiteral("startRollout refused");
            return d;
        }
        // Context of every connection to this function's locals: they end with it.
        QObject scope;
        QStringList lines;
        QObject::connect(e, &RolloutEngine::logLine, &scope, [&lines, this](const QString &l) {
            lines.append(l);
            if (m_verbose)
                std::printf("      %s\n", qPrintable(l));
        });
        auto fail = [&d, e](const QString &note) {
            d.note = note;
            if (!e->isFinished())
                e->abort(QStringLiteral("bench run failed"));
            return d;
        };
        if (!waitUntil([e] { return e->currentStep() >= 1 || e->isFinished(); }, 20000) || e->isFinished())
            return fail(QStringLiteral("25% not reached: %1 %2").arg(RolloutEngine::stateName(e->state()), e->reason()));
        // A full rate window of healthy 25% traffic, so T0 starts from a clean window; plus a
        // random part of a second, or every run would meet the 1 s scrape and poll grids at the
        // same phase and the spread would hide.
        pace(11000 + int(QRandomGenerator::global()->bounded(1000)));
        if (e->isFinished())
            return fail(QStringLiteral("FALSE ROLLBACK before the fault: %1").arg(e->reason()));
        // The engine may have paused for missing data at the start; the watch goes on anyway.
        const QString pausedBefore = e->state() == State::Paused ? e->reason().section(QLatin1Char(';'), 0, 0) : QString();

        qint64 seenAt = 0;
        qint64 fastSeenAt = 0;
        qint64 scrapedAt = 0;
        QObject::connect(m_c, &TargetController::fastHealthChanged, &scope, [&fastSeenAt, this] {
            if (!fastSeenAt && m_c->fastHealth().canary.errorRatio > 0)
                fastSeenAt = nowMs();
        });
        qint64 decidedAt = 0;
        QObject::connect(m_c, &TargetController::healthChanged, &scope, [&seenAt, &scrapedAt, this] {
            const HealthSample s = m_c->health().canary;
            if (!seenAt && s.errorRatio > 0 && !m_c->isHealthStale(nowMs())) {
                seenAt = nowMs();
                scrapedAt = s.timeMs;
            }
        });
        QObject::connect(e, &RolloutEngine::stateChanged, &scope, [&decidedAt](State s) {
            if (s == State::RollingBack && !decidedAt)
                decidedAt = nowMs();
        });
        m_watcher->arm();
        if (!setCanaryErrors(m_lab->port("APP_V2_PORT"), faultErrorRatio, &error))
            return fail(error);
        const qint64 t0 = nowMs();
        const bool done = waitUntil([this, e] { return e->isFinished() && m_watcher->zeroAtMs() > 0; }, 60000);
        setCanaryErrors(m_lab->port("APP_V2_PORT"), 0, &error);
        if (!done || e->state() != State::RolledBack)
            return fail(QStringLiteral("no rollback within 60 s: %1 %2\n%3")
                            .arg(RolloutEngine::stateName(e->state()), e->reason(), lines.join(QLatin1Char('\n'))));
        for (const GateResult &r : e->lastGateResults())
            d.errorAtDecision = r.canary;
        d.ok = true;
        d.scrapeMs = scrapedAt ? scrapedAt - t0 : -1;
        d.seenMs = seenAt ? seenAt - t0 : -1;
        d.fastSeenMs = fastSeenAt ? fastSeenAt - t0 : -1;
        d.decidedMs = decidedAt ? decidedAt - t0 : -1;
        d.haproxyMs = m_watcher->zeroAtMs() - t0;
        if (!pausedBefore.isEmpty())
            d.note = QStringLiteral("paused before T0: %1").arg(pausedBefore);
        return d;
    }

    // `gates`: the plan's gates (the lab's error gate, or a built-in preset's).
    Healthy healthy(int run, const QList<GateSpec> &gates)
    {
        Healthy h;
        QString error;
        if (!reset(&error)) {
            h.outcome = QStringLiteral("error");
            h.note = error;
            return h;
        }
        RolloutPlan p;
        p.name = QStringLiteral("bench-healthy-%1").arg(run);
        p.gates = gates;
        p.steps = {RolloutStep::setWeight(10), RolloutStep::analysis(3000, 2), RolloutStep::setWeight(100)};
        // The target's continuous verdict (its default verdict gates) watches the same canary:
        // on a healthy one it must never say "failing" either.
        QObject verdictScope;
        QObject::connect(m_c, &TargetController::verdictChanged, &verdictScope, [this, &h] {
            if (m_c->verdict().state == Verdict::State::Failing && h.verdictFailing.isEmpty())
                h.verdictFailing = m_c->verdict().reason;
        });
        const qint64 start = nowMs();
        RolloutEngine *e = m_c->startRollout(p);
        if (!e) {
            h.outcome = QStringLiteral("error");
            h.note = QStringLiteral("startRollout refused");
            return h;
        }
        QObject scope;
        if (m_verbose)
            QObject::connect(e, &RolloutEngine::logLine, &scope, [](const QString &l) { std::printf("      %s\n", qPrintable(l)); });
        while (!e->isFinished() && nowMs() - start < 60000) {
            waitUntil([e] { return e->isFinished() || e->state() == State::Paused; }, int(60000 - (nowMs() - start)));
            if (e->state() == State::Paused) {
                if (e->pauseKind() == RolloutEngine::PauseKind::NoData) {
                    ++h.noDataPauses;
                    if (h.note.isEmpty())
                        h.note = e->reason().section(QLatin1Char(';'), 0, 0);
                } else {
                    h.note = e->reason();
                }
                // What an operator would do on a healthy canary: look, then resume.
                pace(1000);
                e->resume();
            }
        }
        h.ms = nowMs() - start;
        h.outcome = e->isFinished() ? RolloutEngine::stateName(e->state()) : QStringLiteral("timeout");
        if (!e->isFinished())
            e->abort(QStringLiteral("bench run timed out"));
        if (e->state() == State::RolledBack || e->state() == State::Failed)
            h.note = e->reason();
        return h;
    }

private:
    LabFixture *m_lab;
    TargetController *m_c;
    WeightWatcher *m_watcher;
    const bool m_verbose = qEnvironmentVariableIntValue("BENCH_VERBOSE") != 0; // print the engines' logs
};

// The detection runs of one mode, printed as they go.
struct Mode
{
    QString name;
    QList<qint64> total, fastSeen, seen, decided, tail;
    int failures = 0;
};

std::unique_ptr<TargetController> connectController(const TargetConfig &target, EventLogModel *log)
{
    QString error;
    std::unique_ptr<BackendHost> host = createBackends(target, &error);
    if (!host) {
        std::fprintf(stderr, "bench_rollout: target \"%s\": %s\n", qPrintable(target.name), qPrintable(error));
        return nullptr;
    }
    auto c = std::make_unique<TargetController>(target, std::move(host), log, nullptr);
    c->start();
    TargetController *raw = c.get();
    if (!waitUntil([raw] { return raw->hasSnapshot() && !raw->isHealthStale(nowMs()) && raw->health().stable.rps > 0; }, 30000)) {
        std::fprintf(stderr, "bench_rollout: no fresh split and health from the lab: %s %s\n", qPrintable(c->lastError()),
                     qPrintable(c->metricsError()));
        return nullptr;
    }
    return c;
}

Mode detections(Bench &bench, const QString &name, int runs)
{
    Mode m;
    m.name = name;
    std::printf("\n(a) %s: %d detection runs: 25%% canary, pause with the gates watched; at T0 canary error=%.1f\n",
                qPrintable(name), runs, faultErrorRatio);
    std::printf("| run | fast signal sees | scrape shows errors | Prometheus poll sees | rollback decided | HAProxy 0%% (T1) | engine+HAProxy | note\n");
    std::printf("|-----|------------------|---------------------|----------------------|------------------|-----------------|----------------|-----\n");
    std::fflush(stdout);
    for (int i = 1; i <= runs; ++i) {
        const Detection d = bench.detect(i);
        if (!d.ok) {
            ++m.failures;
            std::printf("| %3d | FAILED: %s\n", i, qPrintable(d.note));
            std::fflush(stdout);
            continue;
        }
        std::printf("| %3d | %13lld ms | %16lld ms | %17lld ms | %13lld ms | %12lld ms | %11lld ms | %s\n", i, d.fastSeenMs,
                    d.scrapeMs, d.seenMs, d.decidedMs, d.haproxyMs, d.haproxyMs - d.decidedMs, qPrintable(d.note));
        std::fflush(stdout);
        m.total.append(d.haproxyMs);
        if (d.fastSeenMs >= 0)
            m.fastSeen.append(d.fastSeenMs);
        if (d.seenMs >= 0)
            m.seen.append(d.seenMs);
        m.decided.append(d.decidedMs);
        m.tail.append(d.haproxyMs - d.decidedMs);
    }
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    registerMetaTypes();
    const int detectionRuns = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 20;
    const int healthyRuns = argc > 2 ? std::max(0, QString::fromLocal8Bit(argv[2]).toInt()) : 20;

    LabFixture lab;
    if (!lab.start()) {
        std::fprintf(stderr, "bench_rollout: %s\n", qPrintable(lab.error()));
        return 2;
    }
    const TargetConfigResult config = loadTargetConfig(lab.configDir() + QStringLiteral("/targets.json"));
    TargetConfig fast;
    for (const TargetConfig &t : config.targets) {
        if (t.name == QStringLiteral("lab"))
            fast = t;
    }
    if (fast.name.isEmpty()) {
        std::fprintf(stderr, "bench_rollout: no target \"lab\": %s\n", qPrintable(config.error));
        return 2;
    }
    // The same target with the fast signal switched off: Prometheus alone.
    TargetConfig slow = fast;
    QJsonObject haproxy = slow.settings.value(QStringLiteral("haproxy")).toObject();
    haproxy.insert(QStringLiteral("fastSignalMs"), 0);
    slow.settings.insert(QStringLiteral("haproxy"), haproxy);

    QString error;
    HaproxyEndpoint endpoint;
    HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(lab.port("ADMIN_PORT")), &endpoint, &error);
    WeightWatcher watcher(endpoint);

    // Bounded like everything the lab runs: long enough for the default runs, killed at the end.
    QProcess traffic;
    traffic.start(LabFixture::sourceDir() + QStringLiteral("/lab/traffic"),
                  {lab.dir(), QString::number(3600), QString::number(backgroundRps)});
    if (!traffic.waitForStarted(5000)) {
        std::fprintf(stderr, "bench_rollout: lab/traffic: %s\n", qPrintable(traffic.errorString()));
        return 2;
    }

    EventLogModel log;
    std::unique_ptr<TargetController> c = connectController(fast, &log);
    if (!c)
        return 1;
    // Let the 10 s rate window fill with the background traffic before the first run.
    TargetController *raw = c.get();
    waitUntil([raw] { return raw->health().stable.rps >= 0.8 * backgroundRps; }, 15000);
    HaproxyTargetSettings fastSettings;
    HaproxyTargetSettings::fromJson(fast.settings.value(QStringLiteral("haproxy")).toObject(), &fastSettings, &error);
    std::printf("bench_rollout: lab target \"lab\" (pollMs %d, Prometheus scrape 1 s, rate window 10 s; fast signal: "
                "HAProxy show stat every %d ms over a %d ms window), background lab/traffic %d req/s (Prometheus sees %.0f req/s)\n",
                fast.pollMs, c->hasFastSignal() ? fastSettings.fastSignalMs : 0, fastSettings.fastWindowMs, backgroundRps,
                c->health().stable.rps);
    // Worded from the shared gate, so the report says what was measured.
    const GateSpec gate = LabGates::errorGate();
    std::printf("gate: errorRatio max %g%%, minRequests %g, failureLimit %d; fault: canary error=%.1f\n\n", gate.max * 100,
                gate.minRequests, gate.failureLimit, faultErrorRatio);
    std::fflush(stdout);

    // (b) first: its healthy runs must not meet errors (a) left in the rate window.
    int falseRollbacks = 0;
    int otherOutcomes = 0;
    int pausedRuns = 0;
    QList<qint64> healthyMs;
    int falseVerdicts = 0;
    {
        Bench bench(&lab, c.get(), &watcher);
        // The lab's error gate, then the built-in presets' gates (error ratio and p99 against
        // stable, PresetStore::builtIns); the target's default verdict gates watch throughout.
        const QList<std::pair<QString, QList<GateSpec>>> gateSets{
            {QStringLiteral("the lab's error gate"), {LabGates::errorGate()}},
            {QStringLiteral("the built-in presets' gates"), PresetStore::builtIns().constFirst().gates}};
        for (const auto &[gateName, gates] : gateSets) {
            std::printf("(b) %d healthy runs of 10%% -> analysis 3 s (2 passes) -> 100%%, with the fast signal, %s\n", healthyRuns,
                        qPrintable(gateName));
            std::printf("| run | outcome      | duration s | no-data pauses | verdict failing | note\n");
            std::printf("|-----|--------------|------------|----------------|-----------------|-----\n");
            std::fflush(stdout);
            for (int i = 1; i <= healthyRuns; ++i) {
                const Healthy h = bench.healthy(i, gates);
                std::printf("| %3d | %-12s | %10.1f | %14d | %-15s | %s\n", i, qPrintable(h.outcome), double(h.ms) / 1000, h.noDataPauses,
                            h.verdictFailing.isEmpty() ? "no" : "YES", qPrintable(h.verdictFailing.isEmpty() ? h.note : h.verdictFailing));
                std::fflush(stdout);
                if (h.outcome == RolloutEngine::stateName(State::RolledBack))
                    ++falseRollbacks;
                else if (h.outcome != RolloutEngine::stateName(State::Promoted))
                    ++otherOutcomes;
                else
                    healthyMs.append(h.ms);
                pausedRuns += h.noDataPauses > 0;
                falseVerdicts += !h.verdictFailing.isEmpty();
            }
        }
    }

    QList<Mode> modes;
    {
        Bench bench(&lab, c.get(), &watcher);
        modes.append(detections(bench, QStringLiteral("fast signal + Prometheus"), detectionRuns));
        QString ignore;
        bench.reset(&ignore);
    }
    c.reset();
    c = connectController(slow, &log);
    if (!c)
        return 1;
    {
        Bench bench(&lab, c.get(), &watcher);
        modes.append(detections(bench, QStringLiteral("Prometheus alone"), detectionRuns));
        QString ignore;
        bench.reset(&ignore);
    }
    traffic.kill();
    traffic.waitForFinished(5000);

    std::printf("\nSummary (ms; min / median / worst), side by side\n");
    std::printf("| %-46s | %7s | %7s | %7s |\n", "stage", "min", "median", "worst");
    std::printf("|------------------------------------------------|---------|---------|---------|\n");
    for (const Mode &m : std::as_const(modes)) {
        std::printf("| %-46s |         |         |         |\n", qPrintable(m.name));
        printStats("(a) T1 - T0: fault to HAProxy at 0% canary", m.total);
        printStats("    T0 -> fast signal shows errors", m.fastSeen);
        printStats("    T0 -> Prometheus poll shows errors", m.seen);
        printStats("    T0 -> rollback decided", m.decided);
        printStats("    decided -> HAProxy at 0% (engine+HAProxy)", m.tail);
    }
    printStats("(b) healthy run duration (promoted runs)", healthyMs);
    int detectionFailures = 0;
    for (const Mode &m : std::as_const(modes)) {
        std::printf("\n(a) %s: detection runs failed: %d of %d", qPrintable(m.name), m.failures, detectionRuns);
        detectionFailures += m.failures;
    }
    std::printf("\n(b) false rollbacks: %d of %d healthy runs; other non-promoted outcomes: %d; runs that paused for "
                "missing data (resumed by the bench): %d; runs where the default verdict gates said failing: %d\n",
                falseRollbacks, 2 * healthyRuns, otherOutcomes, pausedRuns, falseVerdicts);
    return falseRollbacks == 0 && detectionFailures == 0 && otherOutcomes == 0 && falseVerdicts == 0 ? 0 : 1;
}
