#include "cli.h"

#include "gradualrollback.h"
#include "presetstore.h"
#include "rolloutengine.h"
#include "statusreport.h"
#include "targetlistmodel.h"
#include "trafficforecast.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <cmath>
#include <csignal>
#include <cstdio>

namespace Switchboard::Cli {

namespace {

const QStringList kVerbs{QStringLiteral("status"), QStringLiteral("set-weight"), QStringLiteral("promote"),
                         QStringLiteral("rollback"), QStringLiteral("run"), QStringLiteral("route"),
                         QStringLiteral("deploy"), QStringLiteral("lease")};

// The kinds that run images (deploy) and wait for pods to get Ready inside a change.
bool runsPods(const TargetController *c)
{
    const QString kind = c->config().kind;
    return kind == QLatin1String("deployments") || kind == QLatin1String("deployment");
}

// A change on those kinds waits for pods (readyTimeoutMs of the kind's object, else its default):
// the CLI waits that long and a little more, so it reports the change's own outcome.
int podWaitMs(const TargetController *c)
{
    const QString kind = c->config().kind;
    const int fallback = kind == QLatin1String("deployment") ? 600000 : 300000;
    const int ready = c->config().settings.value(kind).toObject().value(QStringLiteral("readyTimeoutMs")).toInt(fallback);
    return ready + 30000;
}

// How long the CLI waits, before it exits, for its audit entries to be written.
constexpr int kAuditDrainMs = 30000;

int fail(const QString &message, int code = Error)
{
    std::fprintf(stderr, "switchboard: %s\n", qPrintable(message));
    return code;
}

void out(const QString &text)
{
    std::fprintf(stdout, "%s\n", qPrintable(text));
    std::fflush(stdout);
}

// Runs the event loop until `done` turns true or the time is up.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&loop, &done] {
        if (done())
            loop.quit();
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    if (done())
        return true;
    tick.start(20);
    deadline.start(timeoutMs);
    loop.exec();
    return done();
}

// How long a read waits: the traffic layer's answer within `trafficMs`, the metrics layer's
// within `metricsMs` (from the same start; the metrics layer may need its whole timeout and
// retries, which can be longer than the traffic read).
struct Wait
{
    int trafficMs = 10000;
    int metricsMs = 10000;
};

// First read of the traffic layer (and metrics, when configured). False with *error set when
// the target does not answer in time. *metricsWaitedMs is set when the metrics layer had not
// answered when the wait for it ended.
bool readTarget(TargetController *c, bool wantHealth, const Wait &wait, QString *error, int *metricsWaitedMs = nullptr)
{
    QElapsedTimer clock;
    clock.start();
    c->refreshNow();
    waitFor([c] { return c->connectionState() == ConnectionState::Disconnected || c->hasSnapshot(); }, wait.trafficMs);
    if (c->connectionState() == ConnectionState::Disconnected) {
        *error = QStringLiteral("target %1: %2").arg(c->name(), c->lastError());
        return false;
    }
    if (!c->hasSnapshot()) {
        *error = QStringLiteral("target %1: no answer within %2 ms").arg(c->name()).arg(wait.trafficMs);
        return false;
    }
    if (!wantHealth || !c->hasMetrics())
        return true;
    const auto answered = [c] { return c->hasHealth() || !c->metricsError().isEmpty(); };
    const int left = int(std::max<qint64>(0, wait.metricsMs - clock.elapsed()));
    if (!waitFor(answered, std::max(left, 1)) && metricsWaitedMs)
        *metricsWaitedMs = wait.metricsMs;
    return true;
}

// Reads the operator lease once and waits for the answer. True when the target keeps none or
// the read answered; false with *error when the store failed or did not answer in time.
bool readLease(TargetController *c, int timeoutMs, QString *error)
{
    LeaseGuard *g = c->lease();
    if (!g->hasStore())
        return true;
    g->refresh();
    if (!waitFor([g] { return g->pendingRequests() == 0; }, timeoutMs)) {
        *error = QStringLiteral("target %1: the operator lease did not answer within %2 ms").arg(c->name()).arg(timeoutMs);
        return false;
    }
    if (!g->error().isEmpty()) {
        *error = QStringLiteral("target %1: %2").arg(c->name(), g->error());
        return false;
    }
    return true;
}

int status(TargetController *c, bool json, const Wait &wait)
{
    QString error;
    int metricsWaitedMs = 0;
    if (!readTarget(c, true, wait, &error, &metricsWaitedMs))
        return fail(error);
    QString ignored;
    readLease(c, wait.trafficMs, &ignored); // its failure is in the report (lease null + note)
    // The verdict judges a window of readings: read it from history rather than wait it out.
    if (c->hasMetrics() && metricsWaitedMs == 0 && c->metricsError().isEmpty()) {
        c->backfill(c->verdictWindowMs());
        waitFor([c] { return c->hasRangeAnswer() || !c->metricsError().isEmpty(); }, wait.metricsMs);
    }
    const StatusReport report(*c, QDateTime::currentMSecsSinceEpoch(), metricsWaitedMs);
    if (json)
        out(QString::fromUtf8(QJsonDocument(report.json()).toJson(QJsonDocument::Compact)));
    else
        for (const QString &line : report.lines())
            out(line);
    return Ok;
}

// Every verb that writes asks this after its fresh read (the layer finds out there whether we
// may write) and before anything is sent.
bool refuseReadOnly(TargetController *c, int *code)
{
    if (!c->isReadOnly())
        return false;
    *code = fail(QStringLiteral("target %1 is read-only: %2").arg(c->name(), c->readOnlyReason()));
    return true;
}

// Sends a take or a release and waits for its answer.
std::optional<LeaseResult> leaseWrite(TargetController *c, const std::function<void()> &act, int timeoutMs)
{
    std::optional<LeaseResult> result;
    const QMetaObject::Connection conn =
        QObject::connect(c->lease(), &LeaseGuard::answered, c, [&result](const LeaseResult &r) { result = r; });
    act();
    waitFor([&result] { return result.has_value(); }, timeoutMs);
    QObject::disconnect(conn);
    return result;
}

// Before a change other than a rollback: someone else's lease refuses it (exit 5). The lease is
// read fresh, not trusted from a poll.
bool refuseLeased(TargetController *c, int timeoutMs, int *code)
{
    QString error;
    if (!readLease(c, timeoutMs, &error)) {
        *code = fail(error);
        return true;
    }
    const QString why = c->leaseRefusal(QDateTime::currentMSecsSinceEpoch());
    if (why.isEmpty())
        return false;
    *code = fail(QStringLiteral("target %1: %2 (switchboard lease --target %1 --take --take-over)").arg(c->name(), why), Leased);
    return true;
}

// `lease`: shows the lease; --take [--take-over] [--for S] [--purpose P] takes it (it lasts S
// seconds, default an hour: this process does not stay to renew it); --release gives it back.
int leaseVerb(TargetController *c, bool take, bool takeOver, bool release, int durationS, const QString &purpose, bool json, int timeoutMs)
{
    if (!c->lease()->hasStore())
        return fail(QStringLiteral("target %1 (kind %2) keeps no operator lease%3").arg(c->name(), c->config().kind,
                    c->config().kind == QLatin1String("haproxy") ? QStringLiteral(": set \"leaseMap\" in its haproxy settings") : QString()));
    QString error;
    if (!readLease(c, timeoutMs, &error))
        return fail(error);
    int code = Ok;
    if (take || release) {
        const auto r = leaseWrite(c, [&] {
            if (take)
                c->lease()->take(purpose, takeOver, durationS);
            else
                c->lease()->release();
        }, timeoutMs);
        if (!r)
            return fail(QStringLiteral("target %1: the lease store did not answer within %2 ms").arg(c->name()).arg(timeoutMs));
        // Refused (held by another, or not ours to release): the lease as it stands is printed too.
        if (r->outcome == LeaseResult::Outcome::HeldByOther)
            code = fail(QStringLiteral("target %1: the operator lease is %2 (add --take-over to take it)").arg(c->name(), r->message), Leased);
        else if (r->outcome == LeaseResult::Outcome::NotHeld)
            code = fail(QStringLiteral("target %1: %2").arg(c->name(), r->message));
        else if (!r->ok())
            return fail(QStringLiteral("target %1: %2").arg(c->name(), r->message));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (json) {
        QJsonObject o = leaseJson(*c, now);
        o.insert(QStringLiteral("target"), c->name());
        out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    }
    else
        out(QStringLiteral("%1: lease %2 [%3]").arg(c->name(), c->lease()->lease().describe(now), c->lease()->where()));
    return code;
}

int change(TargetController *c, const std::function<void()> &act, int timeoutMs)
{
    std::optional<ChangeResult> result;
    QObject::connect(c, &TargetController::actionFinished, c, [&result](const ChangeResult &r) { result = r; });
    act();
    if (!waitFor([&result] { return result.has_value(); }, timeoutMs))
        return fail(QStringLiteral("target %1: the change did not finish within %2 ms; check the target's weights")
                        .arg(c->name()).arg(timeoutMs));
    switch (result->status) {
    case ChangeResult::Status::Applied:
        out(QStringLiteral("%1: applied: %2").arg(c->name(), result->message));
        return Ok;
    case ChangeResult::Status::Conflict:
        return fail(QStringLiteral("target %1: conflict: %2").arg(c->name(), result->message), Conflict);
    case ChangeResult::Status::Partial:
        return fail(QStringLiteral("target %1: partially applied: %2").arg(c->name(), result->message));
    case ChangeResult::Status::Failed:
        break;
    }
    return fail(QStringLiteral("target %1: failed: %2").arg(c->name(), result->message));
}

int deploy(TargetController *c, const QString &image, const QString &container, const QString &why, int timeoutMs)
{
    std::optional<DeployResult> result;
    QObject::connect(c, &TargetController::deployFinished, c, [&result](const DeployResult &r) { result = r; });
    out(QStringLiteral("%1: deploying %2 (was %3)").arg(c->name(), image, c->snapshot().image.isEmpty() ? QStringLiteral("?") : c->snapshot().image));
    c->deployImage(image, container, why);
    if (!waitFor([&result] { return result.has_value(); }, timeoutMs))
        return fail(QStringLiteral("target %1: the deploy did not finish within %2 ms; check the rollout").arg(c->name()).arg(timeoutMs));
    if (result->ok()) {
        out(QStringLiteral("%1: deployed: %2").arg(c->name(), result->message));
        return Ok;
    }
    return fail(QStringLiteral("target %1: deploy %2: %3").arg(c->name(), statusName(result->status), result->message));
}

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void onInterrupt(int)
{
    g_interrupted = true; // only a flag here: the event loop does the rest safely
}

// Ctrl-C and SIGTERM only set the flag while it lives. Installed before the rollout starts: the
// first step's change goes out from inside startRollout(), and a signal then must not kill the
// process with that change on the wire.
struct InterruptHandlers final
{
    InterruptHandlers()
    {
        std::signal(SIGINT, onInterrupt);
        std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptHandlers()
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
    InterruptHandlers(const InterruptHandlers &) = delete;
    InterruptHandlers &operator=(const InterruptHandlers &) = delete;
};

// Runs a preset to its end. Headless, nobody can resume a pause: any pause (missing data, a
// refused change, a step that waits for the operator) ends the run with exit 2 and leaves
// traffic where it is, saying so. Ctrl-C and SIGTERM do the same on purpose, once a change
// already sent has finished.
int runPreset(TargetController *c, const QString &presetName, const Wait &wait, bool takeOver)
{
    PresetStore presets;
    RolloutPlan plan;
    QString error;
    if (!presets.load(presetName, &plan, &error))
        return fail(error);
    if (!readTarget(c, true, wait, &error))
        return fail(error);
    if (int code = 0; refuseReadOnly(c, &code))
        return code;
    // The run holds the target's lease (taken here, so a holder makes it exit 5 before any
    // change) and gives it back at the end; a lease this operator held before stays theirs.
    bool tookLease = false;
    if (c->lease()->hasStore()) {
        if (!readLease(c, wait.trafficMs, &error))
            return fail(error);
        if (!c->lease()->isHeldByMe(QDateTime::currentMSecsSinceEpoch())) {
            const auto r = leaseWrite(c, [c, &plan, takeOver] { c->lease()->take(QStringLiteral("rollout %1").arg(plan.name), takeOver); },
                                      wait.trafficMs);
            if (!r)
                return fail(QStringLiteral("target %1: the lease store did not answer within %2 ms").arg(c->name()).arg(wait.trafficMs));
            if (r->outcome == LeaseResult::Outcome::HeldByOther)
                return fail(QStringLiteral("target %1: the operator lease is %2 (run --take-over to take it)").arg(c->name(), r->message), Leased);
            if (!r->ok())
                return fail(QStringLiteral("target %1: %2").arg(c->name(), r->message));
            tookLease = true;
        }
    }
    struct LeaseBack final
    {
        TargetController *c;
        bool took;
        int timeoutMs;
        ~LeaseBack()
        {
            if (took && c->lease()->isKeeping() && !leaseWrite(c, [this] { c->lease()->release(); }, timeoutMs))
                fail(QStringLiteral("target %1: the lease was not given back in time; it expires by itself").arg(c->name()));
        }
    } leaseBack{c, tookLease, std::min(wait.trafficMs, 5000)};
    c->start(); // polling feeds the gates
    out(QStringLiteral("%1: running %2: %3").arg(c->name(), plan.name, plan.summary()));
    for (const QString &w : TrafficForecast::warnings(plan, c->health(), c->staleAfterMs(), c->config().pollMs))
        out(QStringLiteral("warning: ") + w);
    const InterruptHandlers handlers;
    // Connected before it starts: the first step's lines come during start().
    RolloutEngine *engine = c->startRollout(plan, [](RolloutEngine *e) {
        QObject::connect(e, &RolloutEngine::logLine, e, [](const QString &line) { out(line); });
    });
    if (!engine)
        return fail(QStringLiteral("target %1: a rollout is already running").arg(c->name()));

    int code = -1;
    bool interruptSeen = false;
    auto where = [c] {
        const double pct = c->snapshot().split.canary;
        return std::isfinite(pct) ? QStringLiteral("traffic left at canary %1%").arg(pct, 0, 'g', 4)
                                  : QStringLiteral("traffic left as it is");
    };
    // A change already sent (a step's weight, a rollback) cannot be taken back: the backend
    // finishes it even while the process ends. So after an interrupt or a pause, wait for it and report
    // the weights it left (and let the controller audit it) instead of the ones from before it.
    auto changeUnderWay = [c, engine] {
        return c->isActionInFlight() || engine->state() == RolloutEngine::State::RollingBack;
    };
    waitFor([&] {
        // waitFor() asks once more after its loop ends: the outcome is decided (and printed) once.
        if (code >= 0)
            return true;
        const RolloutEngine::State state = engine->state();
        if (state == RolloutEngine::State::Promoted)
            code = Ok;
        else if (state == RolloutEngine::State::RolledBack)
            code = RolledBack;
        else if (state == RolloutEngine::State::Failed)
            code = fail(QStringLiteral("rollout failed: %1").arg(engine->reason()));
        else if (g_interrupted) {
            if (!interruptSeen) {
                interruptSeen = true;
                // A rollback under way is left to finish (exit 3, or 2 if it fails): never
                // abandoned halfway, and never reported as a pause.
                if (state == RolloutEngine::State::Running || state == RolloutEngine::State::Analysing)
                    engine->pause();
                if (changeUnderWay())
                    out(QStringLiteral("interrupted: waiting for the change under way to finish"));
            }
            if (!changeUnderWay())
                code = fail(QStringLiteral("interrupted: rollout paused at step %1, %2").arg(engine->currentStep() + 1).arg(where()));
        } else if (state == RolloutEngine::State::Paused && !changeUnderWay()) {
            // Same as after an interrupt: report the weights the change on the wire left.
            code = fail(QStringLiteral("rollout paused (%1); %2").arg(engine->reason(), where()));
        }
        return code >= 0;
    }, std::numeric_limits<int>::max());
    if (code == Ok)
        out(QStringLiteral("%1: promoted: %2").arg(c->name(), where()));
    else if (code == RolledBack)
        out(QStringLiteral("%1: rolled back: %2").arg(c->name(), engine->reason()));
    return code;
}

// Steps the canary back (rollback --gradual) with the verdict gates watching; a breach goes
// straight to 0%. Ends at 0% either way: exit 0. Interrupted (Ctrl-C, SIGTERM), it rolls the
// rest of the way back at once rather than leave traffic halfway. Exit 2 when someone else
// moved traffic meanwhile or the rollback failed.
int rollbackGradually(TargetController *c, const QString &stepsText, qint64 holdMs, const QString &why, const Wait &wait)
{
    QString error;
    if (!readTarget(c, true, wait, &error))
        return fail(error);
    if (int code = 0; refuseReadOnly(c, &code))
        return code;
    const double now = c->snapshot().split.canary;
    QList<double> steps = GradualRollback::defaultSteps(now);
    if (!stepsText.isEmpty() && !GradualRollback::parseSteps(stepsText, now, &steps, &error))
        return fail(error);
    c->start(); // polling feeds the gates (and the verdict's window gets its history)
    const InterruptHandlers handlers;
    GradualRollback *g = c->startGradualRollback(steps, holdMs, why, [](GradualRollback *r) {
        QObject::connect(r, &GradualRollback::logLine, r, [](const QString &line) { out(line); });
    });
    if (!g)
        return fail(QStringLiteral("target %1: a gradual rollback is already running").arg(c->name()));
    bool interrupted = false;
    waitFor([&] {
        if (g_interrupted && !interrupted && !g->isFinished()) {
            interrupted = true;
            out(QStringLiteral("interrupted: rolling back the rest of the way at once"));
            c->operatorRollback(QStringLiteral("%1 (gradual rollback interrupted)").arg(why));
        }
        if (interrupted)
            return !c->isActionInFlight();
        return g->isFinished();
    }, std::numeric_limits<int>::max());
    if (interrupted) {
        const double left = c->snapshot().split.canary;
        if (left == 0)
            return Ok;
        return fail(QStringLiteral("interrupted: the rollback did not reach 0%; check the target's weights"));
    }
    switch (g->state()) {
    case GradualRollback::State::Done:
    case GradualRollback::State::RolledBack:
        out(QStringLiteral("%1: rolled back: %2").arg(c->name(), g->reason()));
        return Ok;
    default:
        return fail(QStringLiteral("target %1: gradual rollback %2: %3").arg(c->name(), GradualRollback::stateName(g->state()), g->reason()));
    }
}

// `route`'s options as one edit: --header/--cookie NAME=VALUE adds; --clear removes all, or with
// --header/--cookie NAME (or NAME=VALUE) only those.
bool routeEditFrom(const QString &header, const QString &cookie, bool clear, RouteEdit *out, QString *error)
{
    if (!header.isEmpty() && !cookie.isEmpty()) {
        *error = QStringLiteral("route takes one of --header or --cookie, not both");
        return false;
    }
    const QString text = header.isEmpty() ? cookie : header;
    const TrafficRoute::Match match = header.isEmpty() ? TrafficRoute::Match::Cookie : TrafficRoute::Match::Header;
    if (clear) {
        out->op = text.isEmpty() ? RouteEdit::Op::Clear : RouteEdit::Op::Remove;
        if (text.isEmpty())
            return true;
        const QString withValue = text.contains(QLatin1Char('=')) ? text : text + QStringLiteral("=x");
        if (!TrafficRoute::parse(match, withValue, &out->route, error))
            return false;
        if (!text.contains(QLatin1Char('=')))
            out->route.value.clear(); // every value of that header or cookie
        return true;
    }
    if (text.isEmpty()) {
        *error = QStringLiteral("route needs --header 'NAME=VALUE', --cookie 'NAME=VALUE' or --clear");
        return false;
    }
    out->op = RouteEdit::Op::Add;
    return TrafficRoute::parse(match, text, &out->route, error);
}

} // namespace

bool isCliVerb(const QString &arg)
{
    return kVerbs.contains(arg);
}

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Switchboard command line"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("verb"), kVerbs.join(QStringLiteral(" | ")));
    const QCommandLineOption target(QStringLiteral("target"), QStringLiteral("Target name from targets.json."), QStringLiteral("NAME"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Folder holding targets.json."), QStringLiteral("DIR"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("status: print JSON."));
    const QCommandLineOption canary(QStringLiteral("canary"), QStringLiteral("set-weight: canary percent (0-100)."), QStringLiteral("PCT"));
    const QCommandLineOption full(QStringLiteral("full"),
                                  QStringLiteral("promote: straight to 100% canary (without it: the traffic layer's next step)."));
    const QCommandLineOption force(QStringLiteral("force"), QStringLiteral("set-weight: apply even if the weights changed meanwhile."));
    const QCommandLineOption reason(QStringLiteral("reason"), QStringLiteral("Reason recorded in the audit log."), QStringLiteral("TEXT"));
    const QCommandLineOption preset(QStringLiteral("preset"), QStringLiteral("run: preset name."), QStringLiteral("NAME"));
    const QCommandLineOption timeout(QStringLiteral("timeout-ms"),
                                     QStringLiteral("How long to wait for the target (default 10000; for its metrics, what the "
                                                    "target's Prometheus timeouts and retries need, when longer)."),
                                     QStringLiteral("MS"));
    const QCommandLineOption image(QStringLiteral("image"), QStringLiteral("deploy: the new version's image."), QStringLiteral("IMAGE"));
    const QCommandLineOption container(QStringLiteral("container"), QStringLiteral("deploy: the container (default: the target's, else the first)."),
                                       QStringLiteral("NAME"));
    const QCommandLineOption readOnly(QStringLiteral("read-only"), QStringLiteral("Refuse every action (exit 2); status still works."));
    const QCommandLineOption gradual(QStringLiteral("gradual"),
                                     QStringLiteral("rollback: step back (default: half, a quarter, 0) with the verdict gates "
                                                    "watching; a breach goes straight to 0%."));
    const QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("rollback --gradual: the percents to step through, e.g. 50,25,0."),
                                   QStringLiteral("LIST"));
    const QCommandLineOption hold(QStringLiteral("hold-ms"),
                                  QStringLiteral("rollback --gradual: how long each step is held (default 30000)."), QStringLiteral("MS"));
    const QCommandLineOption header(QStringLiteral("header"),
                                    QStringLiteral("route: requests with this header value go to the canary (with --clear: NAME)."),
                                    QStringLiteral("NAME=VALUE"));
    const QCommandLineOption cookie(QStringLiteral("cookie"),
                                    QStringLiteral("route: requests with this cookie value go to the canary (with --clear: NAME)."),
                                    QStringLiteral("NAME=VALUE"));
    const QCommandLineOption clear(QStringLiteral("clear"), QStringLiteral("route: remove every route, or those of --header/--cookie NAME."));
    const QCommandLineOption keepRoutes(QStringLiteral("keep-routes"),
                                        QStringLiteral("rollback: keep the tester routes (by default they are removed too)."));
    // Accepted for symmetry with the GUI and ignored: the verbs' output stays English (scripts read it).
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Ignored by the verbs: their output is always English."),
                                  QStringLiteral("LANG"));
    const QCommandLineOption takeOpt(QStringLiteral("take"), QStringLiteral("lease: take the target's operator lease."));
    const QCommandLineOption releaseOpt(QStringLiteral("release"), QStringLiteral("lease: give the lease back."));
    const QCommandLineOption takeOverOpt(QStringLiteral("take-over"),
                                         QStringLiteral("lease --take, run: also when another operator holds the lease (audited)."));
    const QCommandLineOption forOpt(QStringLiteral("for"), QStringLiteral("lease --take: how long it lasts (default 3600)."), QStringLiteral("S"));
    const QCommandLineOption purposeOpt(QStringLiteral("purpose"), QStringLiteral("lease --take: what for (default: --reason, else \"release\")."),
                                        QStringLiteral("TEXT"));
    parser.addOptions({takeOpt, releaseOpt, takeOverOpt, forOpt, purposeOpt});
    parser.addOptions({target, config, json, canary, full, force, reason, preset, timeout, readOnly, gradual, steps, hold, header, cookie, clear, keepRoutes, image, container, lang});
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return Ok;
    }
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1 || !isCliVerb(pos.first()))
        return fail(QStringLiteral("expected one verb: %1").arg(kVerbs.join(QStringLiteral(", "))));
    const QString verb = pos.first();
    if (!parser.isSet(target))
        return fail(QStringLiteral("%1 needs --target NAME").arg(verb));
    Wait wait;
    if (parser.isSet(timeout)) {
        bool ok = false;
        wait.trafficMs = wait.metricsMs = parser.value(timeout).toInt(&ok);
        if (!ok || wait.trafficMs <= 0)
            return fail(QStringLiteral("--timeout-ms must be a positive number of milliseconds"));
    }

    Workspace::Options opts;
    opts.configDir = parser.value(config);
    opts.readOnly = parser.isSet(readOnly);
    Workspace ws(opts);
    const QString name = parser.value(target);
    // The target is in the file but could not be built: its own error, not "no such target".
    if (const QString error = ws.targetError(name); !error.isEmpty())
        return fail(QStringLiteral("%1 (%2)").arg(error, ws.targetsPath()));
    // A headless run must not act on the simulator when the user's file is broken or missing.
    if (ws.usedFallback() && !ws.problems().isEmpty())
        return fail(ws.problems().constFirst());
    TargetController *c = ws.find(name);
    if (!c) {
        QStringList names;
        for (TargetController *t : ws.controllers())
            names.append(t->name());
        return fail(QStringLiteral("no target named \"%1\" in %2 (targets: %3)")
                        .arg(name, ws.targetsPath(), names.join(QStringLiteral(", "))));
    }
    if (!parser.isSet(timeout))
        wait.metricsMs = defaultMetricsWaitMs(c->config().settings, wait.trafficMs);
    NotificationHub *notify = ws.notifications();
    for (const QString &p : notify->config().problems)
        fail(QStringLiteral("notifications: %1").arg(p));
    QObject::connect(notify, &NotificationHub::deliveryFailed, notify, [](const QString &text) { fail(text); });
    const QString why = parser.isSet(reason) ? parser.value(reason) : QStringLiteral("cli");

    const int code = [&]() -> int {
        if (verb == QStringLiteral("status"))
            return status(c, parser.isSet(json), wait);

        if (verb == QStringLiteral("lease")) {
            int forS = 3600;
            if (parser.isSet(forOpt)) {
                bool ok = false;
                forS = parser.value(forOpt).toInt(&ok);
                if (!ok || forS <= 0)
                    return fail(QStringLiteral("--for must be a positive number of seconds"));
            }
            if (parser.isSet(takeOpt) && parser.isSet(releaseOpt))
                return fail(QStringLiteral("lease takes one of --take or --release"));
            if (parser.isSet(takeOpt) && c->isReadOnly())
                return fail(QStringLiteral("target %1 is read-only: %2").arg(c->name(), c->readOnlyReason()));
            const QString purpose = parser.isSet(purposeOpt) ? parser.value(purposeOpt) : why == QStringLiteral("cli") ? QStringLiteral("release") : why;
            return leaseVerb(c, parser.isSet(takeOpt), parser.isSet(takeOverOpt), parser.isSet(releaseOpt), forS, purpose,
                             parser.isSet(json), wait.trafficMs);
        }
        if (verb == QStringLiteral("run")) {
            if (!parser.isSet(preset))
                return fail(QStringLiteral("run needs --preset NAME"));
            return runPreset(c, parser.value(preset), wait, parser.isSet(takeOverOpt));
        }

        if (verb == QStringLiteral("rollback") && parser.isSet(gradual)) {
            qint64 holdMs = GradualRollback::defaultHoldMs;
            if (parser.isSet(hold)) {
                bool ok = false;
                holdMs = parser.value(hold).toLongLong(&ok);
                if (!ok || holdMs < 0)
                    return fail(QStringLiteral("--hold-ms must be a number of milliseconds >= 0"));
            }
            return rollbackGradually(c, parser.value(steps), holdMs, why, wait);
        }
        if (parser.isSet(steps) || parser.isSet(hold))
            return fail(QStringLiteral("--steps and --hold-ms go with rollback --gradual"));

        // Every change starts from a fresh read, so the conflict check compares against what is
        // live now, and the audit log gets the real "before".
        QString error;
        if (!readTarget(c, false, wait, &error))
            return fail(error);
        if (int code = 0; refuseReadOnly(c, &code))
            return code;
        // A rollback goes through whoever holds the lease; every other change waits for them.
        if (int code = 0; verb != QStringLiteral("rollback") && refuseLeased(c, wait.trafficMs, &code))
            return code;
        const int timeoutMs = runsPods(c) && !parser.isSet(timeout) ? podWaitMs(c) : wait.trafficMs;
        if (verb == QStringLiteral("deploy")) {
            if (!parser.isSet(image) || parser.value(image).trimmed().isEmpty())
                return fail(QStringLiteral("deploy needs --image IMAGE"));
            if (!runsPods(c))
                return fail(QStringLiteral("target %1 is of kind %2: deploy applies to the kinds deployments and deployment")
                                .arg(c->name(), c->config().kind));
            return deploy(c, parser.value(image).trimmed(), parser.value(container), why, timeoutMs);
        }
        if (verb == QStringLiteral("set-weight")) {
            if (!parser.isSet(canary))
                return fail(QStringLiteral("set-weight needs --canary PCT"));
            bool ok = false;
            const double pct = parser.value(canary).toDouble(&ok);
            if (!ok || !(pct >= 0 && pct <= 100))
                return fail(QStringLiteral("--canary must be a number from 0 to 100, got \"%1\"").arg(parser.value(canary)));
            return change(c, [c, pct, why, &parser, &force] { c->setCanaryPercent(pct, why, parser.isSet(force)); }, timeoutMs);
        }
        if (verb == QStringLiteral("promote")) {
            if (parser.isSet(full))
                return change(c, [c, why] { c->promoteFull(why); }, timeoutMs);
            // A plan started by `run` lives in that process, so "the next step" here can only be the
            // traffic layer's own (Argo Rollouts); a layer without steps says so in one line.
            return change(c, [c, why] { c->promoteStep(why); }, timeoutMs);
        }
        if (verb == QStringLiteral("route")) {
            RouteEdit edit;
            if (!routeEditFrom(parser.value(header), parser.value(cookie), parser.isSet(clear), &edit, &error))
                return fail(error);
            return change(c, [c, edit, why] { c->editRoutes(edit, why); }, timeoutMs);
        }
        const bool keep = parser.isSet(keepRoutes);
        return change(c, [c, why, keep] { c->rollback(why, keep); }, timeoutMs);
    }();

    // Webhooks are told on their own threads while the change or rollout goes on; what is still
    // being sent gets its bounded time now, after the outcome is printed and the rollback done.
    if (notify->pending() > 0)
        waitFor([notify] { return notify->pending() == 0; }, notify->worstCaseMs() + 1000);

    // The audit log writes on its own thread: what this run did must be on disk before the
    // process ends. Bounded, so a stuck disk cannot hang a script forever; the change itself
    // has happened, so the exit code stays the change's.
    QString auditError;
    if (!ws.audit()->drain(kAuditDrainMs, &auditError))
        fail(auditError);
    return code;
}

} // namespace Switchboard::Cli
