#include "rolloutengine.h"

#include "rollingmove.h"
#include "stattests.h"
#include "targetcontroller.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

constexpr int tickMs = 200;
constexpr int rollbackAttempts = 3;
// How unlikely a fast-signal breach must be under the gate's own bound before it rolls back.
constexpr double kFastSignalAlpha = 1e-3;

QString pct(double v)
{
    return QString::number(v, 'g', 4) + QLatin1Char('%');
}

} // namespace

RolloutEngine::RolloutEngine(TargetController *controller, const RolloutPlan &plan, Clock nowMs, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_plan(plan)
    , m_now(nowMs ? std::move(nowMs) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
    , m_applied(unknown())
{
    qRegisterMetaType<GateResult>();
    qRegisterMetaType<QList<GateResult>>();
    m_tick.setInterval(tickMs);
    connect(&m_tick, &QTimer::timeout, this, &RolloutEngine::tick);
    connect(controller, &TargetController::healthChanged, this, &RolloutEngine::onHealthChanged);
    connect(controller, &TargetController::fastHealthChanged, this, &RolloutEngine::onFastHealthChanged);
    connect(controller, &TargetController::actionFinished, this, &RolloutEngine::onActionFinished);
    connect(controller, &TargetController::snapshotChanged, this, &RolloutEngine::onSnapshotChanged);
    connect(controller, &TargetController::connectionStateChanged, this, &RolloutEngine::onConnectionStateChanged);
}

RolloutEngine::~RolloutEngine() = default;

QString RolloutEngine::stateName(State s)
{
    switch (s) {
    case State::Idle: return QStringLiteral("idle");
    case State::Running: return QStringLiteral("running");
    case State::Paused: return QStringLiteral("paused");
    case State::Analysing: return QStringLiteral("analysing");
    case State::RollingBack: return QStringLiteral("rolling back");
    case State::RolledBack: return QStringLiteral("rolled back");
    case State::Promoted: return QStringLiteral("promoted");
    case State::Failed: return QStringLiteral("failed");
    }
    return {};
}

bool RolloutEngine::isFinished() const
{
    return m_state == State::RolledBack || m_state == State::Promoted || m_state == State::Failed;
}

qint64 RolloutEngine::remainingMs() const
{
    if (m_step < 0 || m_step >= m_plan.steps.size())
        return -1;
    const RolloutStep &s = m_plan.steps.at(m_step);
    if (s.kind == RolloutStep::Kind::SetWeight || s.kind == RolloutStep::Kind::Route || s.durationMs <= 0 || isFinished())
        return -1;
    const qint64 elapsed = m_frozenElapsedMs >= 0 ? m_frozenElapsedMs : now() - m_stepStartMs;
    return std::max<qint64>(0, s.durationMs - elapsed);
}

QString RolloutEngine::stepName(int step) const
{
    return QStringLiteral("step %1/%2 (%3)").arg(step + 1).arg(m_plan.steps.size()).arg(m_plan.steps.at(step).label());
}

void RolloutEngine::log(const QString &line)
{
    Q_EMIT logLine(line);
}

void RolloutEngine::audit(const QString &action, const QString &reason, const QString &result, QJsonObject extra)
{
    extra.insert(QStringLiteral("plan"), m_plan.name);
    extra.insert(QStringLiteral("strategy"), strategyName(m_plan.strategy));
    if (!m_id.isEmpty())
        extra.insert(QStringLiteral("rollout"), m_id);
    if (m_step >= 0 && m_step < m_plan.steps.size())
        extra.insert(QStringLiteral("step"), m_step + 1);
    m_controller->auditAction(action, reason, result, extra);
}

void RolloutEngine::auditGate(const GateResult &r)
{
    QJsonObject gate{{QStringLiteral("gate"), r.gate},
                     {QStringLiteral("metric"), metricName(r.metric)},
                     {QStringLiteral("outcome"), outcomeName(r.outcome)},
                     {QStringLiteral("why"), r.why},
                     {QStringLiteral("consecutiveFailures"), r.consecutiveFailures},
                     {QStringLiteral("failureLimit"), r.failureLimit}};
    // Unknown numbers are left out (null in spirit), never written as 0.
    const std::pair<const char *, double> numbers[] = {
        {"canary", r.canary}, {"stable", r.stable}, {"threshold", r.threshold}, {"canaryRequests", r.canaryRequests}};
    for (const auto &[key, value] : numbers)
        if (isKnown(value))
            gate.insert(QLatin1String(key), value);
    if (r.timeMs > 0)
        gate.insert(QStringLiteral("sampleTime"), QDateTime::fromMSecsSinceEpoch(r.timeMs, Qt::UTC).toString(Qt::ISODateWithMs));
    audit(QStringLiteral("rollout-gate"), r.text, outcomeName(r.outcome), QJsonObject{{QStringLiteral("gateResult"), gate}});
}

void RolloutEngine::ignored(const QString &action)
{
    log(QStringLiteral("%1 ignored: the rollout is %2").arg(action, stateName(m_state)));
}

void RolloutEngine::setState(State s, PauseKind kind, const QString &reason)
{
    if (s == m_state && kind == m_pauseKind && reason == m_reason)
        return;
    m_state = s;
    m_pauseKind = kind;
    m_reason = reason;
    Q_EMIT stateChanged(s);
}

void RolloutEngine::start()
{
    if (m_state != State::Idle)
        return ignored(QStringLiteral("start"));
    QString refused;
    // Names this rollout in the audit log, so its evidence can be gathered later (RolloutHistory).
    m_id = QStringLiteral("%1-%2").arg(QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC).toString(QStringLiteral("yyyyMMdd-HHmmss")))
               .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
    if (const QString e = m_plan.validate(); !e.isEmpty())
        refused = QStringLiteral("plan \"%1\": %2").arg(m_plan.name, e);
    else if (m_controller->isReadOnly())
        refused = QStringLiteral("target %1 is read-only: %2").arg(m_controller->name(), m_controller->readOnlyReason());
    audit(QStringLiteral("rollout-start"), refused.isEmpty() ? QStringLiteral("plan \"%1\": %2").arg(m_plan.name, m_plan.summary()) : refused,
          refused.isEmpty() ? QStringLiteral("started") : QStringLiteral("failed"),
          QJsonObject{{QStringLiteral("planJson"), m_plan.toJson()}});
    if (!refused.isEmpty())
        return finish(State::Failed, Outcome::Failed, refused);
    log(QStringLiteral("rollout \"%1\" (%2) on %3: %4")
            .arg(m_plan.name, strategyName(m_plan.strategy), m_controller->name(), m_plan.summary()));
    // The first change waits for a read of the live weights, so it is checked against them.
    m_snapshotOutdated = !m_controller->hasSnapshot();
    m_tick.start();
    enterStep(0);
    if (m_controller->connectionState() == ConnectionState::Disconnected)
        onConnectionStateChanged();
}

void RolloutEngine::enterStep(int step)
{
    m_step = step;
    m_stepApplied = false;
    m_sendOnSnapshot = Awaiting::None;
    m_frozenElapsedMs = -1;
    m_passes = 0;
    m_stepStartMs = now();
    m_healthWait.reset();
    m_logged.clear(); // each step logs its first result per gate
    Q_EMIT stepChanged(step);
    if (step >= m_plan.steps.size())
        return finish(State::Promoted, Outcome::Promoted, {});
    const RolloutStep &s = m_plan.steps.at(step);
    audit(QStringLiteral("rollout-step"), stepName(step), QStringLiteral("entered"), QJsonObject{{QStringLiteral("label"), s.label()}});
    switch (s.kind) {
    case RolloutStep::Kind::SetWeight:
        setState(State::Running);
        log(QStringLiteral("%1: set canary to %2").arg(stepName(step), pct(s.weight)));
        sendStepWeight();
        break;
    case RolloutStep::Kind::MoveServers:
        setState(State::Running);
        log(QStringLiteral("%1: %2 new server(s) in, as many old ones out").arg(stepName(step)).arg(s.servers));
        sendStepWeight();
        break;
    case RolloutStep::Kind::Route:
        setState(State::Running);
        log(QStringLiteral("%1: %2").arg(stepName(step), s.route ? QStringLiteral("testers: ") + s.route->describe()
                                                                 : QStringLiteral("remove every tester route")));
        sendStepWeight();
        break;
    case RolloutStep::Kind::Pause:
        log(stepName(step));
        if (s.durationMs > 0)
            setState(State::Running);
        else
            pauseFor(PauseKind::PlanStep, QStringLiteral("the plan pauses here until the operator resumes"));
        break;
    case RolloutStep::Kind::Analysis: {
        QStringList names;
        for (const GateSpec &g : m_plan.gatesFor(step))
            names.append(g.name);
        log(QStringLiteral("%1: gates %2, at least %3 passing observation(s)")
                .arg(stepName(step), names.join(QStringLiteral(", ")))
                .arg(s.intervals));
        setState(State::Analysing);
        break;
    }
    }
}

void RolloutEngine::sendStepWeight()
{
    // A change checked against weights read before our previous change would be refused as a
    // conflict with ourselves: wait for the read the controller makes after every change.
    if (m_snapshotOutdated) {
        m_sendOnSnapshot = Awaiting::Step;
        return;
    }
    if (m_plan.steps.at(m_step).kind == RolloutStep::Kind::MoveServers)
        return sendMove();
    if (m_plan.steps.at(m_step).kind == RolloutStep::Kind::Route)
        return sendRouteStep();
    const double w = m_plan.steps.at(m_step).weight;
    m_awaiting = Awaiting::Step;
    m_awaitId = m_controller->nextChangeId();
    m_awaitStep = m_step;
    m_sent.append(m_awaitId);
    m_everSent.insert(m_awaitId);
    m_controller->setCanaryPercent(w, QStringLiteral("rollout %1 %2").arg(m_plan.name, stepName(m_step)));
}

void RolloutEngine::sendMove()
{
    const TrafficSnapshot snap = m_controller->snapshot();
    RollingMove move;
    QString error;
    if (!planRollingMove(snap.members, m_plan.steps.at(m_step).servers, &move, &error))
        return pauseFor(PauseKind::ActionFailed, QStringLiteral("%1: %2; resume tries again, rollback goes to 0%").arg(stepName(m_step), error));
    const HealthWait::Decision before = m_healthWait.beforeTraffic(stepName(m_step), snap.members, move.added, now());
    if (before.kind == HealthWait::Decision::Kind::RollBack)
        return rollBack(before.reason);
    if (before.kind == HealthWait::Decision::Kind::Wait) {
        if (!before.line.isEmpty())
            log(before.line);
        m_sendOnSnapshot = Awaiting::Step; // look again on the next read
        return;
    }
    if (move.noChange) {
        log(QStringLiteral("%1: already in place (new in: %2; old out: %3)")
                .arg(stepName(m_step), move.serving.join(QStringLiteral(", ")),
                     move.drained.isEmpty() ? QStringLiteral("none") : move.drained.join(QStringLiteral(", "))));
        m_stepApplied = true;
        return startHealthWait();
    }
    log(QStringLiteral("%1: in %2; out %3 (canary %4)")
            .arg(stepName(m_step), move.added.isEmpty() ? QStringLiteral("-") : move.added.join(QStringLiteral(", ")),
                 move.drained.isEmpty() ? QStringLiteral("-") : move.drained.join(QStringLiteral(", ")), pct(move.canaryPercent)));
    m_awaiting = Awaiting::Step;
    m_awaitId = m_controller->nextChangeId();
    m_awaitStep = m_step;
    m_sent.append(m_awaitId);
    m_everSent.insert(m_awaitId);
    m_controller->setMemberWeights(move.weights, move.canaryPercent,
                                   QStringLiteral("rollout %1 %2").arg(m_plan.name, stepName(m_step)));
}

void RolloutEngine::sendRouteStep()
{
    const RolloutStep &s = m_plan.steps.at(m_step);
    RouteEdit edit;
    edit.op = s.route ? RouteEdit::Op::Add : RouteEdit::Op::Clear;
    if (s.route)
        edit.route = *s.route;
    m_awaiting = Awaiting::Step;
    m_awaitId = m_controller->nextChangeId();
    m_awaitStep = m_step;
    m_sent.append(m_awaitId);
    m_everSent.insert(m_awaitId);
    m_controller->editRoutes(edit, QStringLiteral("rollout %1 %2").arg(m_plan.name, stepName(m_step)));
}

void RolloutEngine::onRouteStepFinished(const ChangeResult &r)
{
    if (m_awaitStep != m_step)
        return; // the operator skipped that step meanwhile
    if (r.ok()) {
        log(QStringLiteral("routes now %1: %2").arg(describeRoutes(r.routesAfter), r.message));
        m_stepApplied = true;
        if (m_state == State::Running)
            enterStep(m_step + 1);
        return;
    }
    pauseFor(PauseKind::ActionFailed, QStringLiteral("%1: %2: %3; resume sends it again, rollback goes to 0% and removes the routes")
                                          .arg(stepName(m_step), statusName(r.status), r.message));
}

void RolloutEngine::startHealthWait()
{
    m_healthWait.start(now());
    checkServers();
}

void RolloutEngine::checkServers()
{
    if (m_plan.strategy != RolloutPlan::Strategy::Rolling || m_state == State::Idle || m_state == State::RollingBack
        || isFinished() || m_snapshotOutdated)
        return;
    const HealthWait::Decision d = m_healthWait.withTraffic(stepName(m_step), m_controller->snapshot().members,
                                                             m_state == State::Running);
    if (!d.line.isEmpty())
        log(d.line);
    if (d.kind == HealthWait::Decision::Kind::RollBack)
        return rollBack(d.reason);
    if (d.kind == HealthWait::Decision::Kind::Passed)
        enterStep(m_step + 1);
}

void RolloutEngine::onSnapshotChanged()
{
    m_snapshotOutdated = false;
    const Awaiting pending = m_sendOnSnapshot;
    m_sendOnSnapshot = Awaiting::None;
    if (pending == Awaiting::Step && m_state == State::Running)
        sendStepWeight();
    else if (pending == Awaiting::PromoteFull && m_awaiting == Awaiting::PromoteFull && !isFinished())
        sendPromoteFull();
    checkServers();
}

void RolloutEngine::onConnectionStateChanged()
{
    if (m_controller->connectionState() == ConnectionState::Disconnected
        && (m_state == State::Running || m_state == State::Analysing))
        pauseFor(PauseKind::NoData, QStringLiteral("traffic layer unreachable: %1; stays paused until the operator resumes")
                                        .arg(m_controller->lastError()));
}

void RolloutEngine::onActionFinished(const ChangeResult &r)
{
    const Awaiting kind = m_awaiting;
    // Recognised by id, not by percent: an operator's change to the same percent, or a
    // promote-step result (no percent), is not the engine's.
    const bool ours = r.id != 0 && m_sent.removeOne(r.id);
    // An operator's route edit moves no weights: the plan carries on (the routes are theirs).
    const bool routesOnly = r.routesTouched && r.before == r.after;
    if (!ours && r.ok() && !routesOnly && m_state != State::Idle && !isFinished()) {
        // Someone moved traffic behind the plan's back (the GUI's Rollback button, a set-weight
        // from another shell): never undo that by carrying on with the next step.
        m_applied = r.requestedCanaryPercent;
        if (r.requestedCanaryPercent == 0)
            return finish(State::RolledBack, Outcome::RolledBack, QStringLiteral("rolled back outside the rollout: %1").arg(r.message));
        if (m_state == State::RollingBack)
            return; // our rollback is queued behind it and always goes through
        // It may have replaced our own queued change, whose result then never comes: resume
        // sends the step again.
        m_awaiting = Awaiting::None;
        return pauseFor(PauseKind::External, QStringLiteral("traffic changed outside the rollout (canary %1); resume continues the plan")
                                                 .arg(pct(r.requestedCanaryPercent)));
    }
    // Results the engine is not waiting for (an earlier change of its own still on the wire)
    // are not ours to judge.
    if (kind == Awaiting::None || !ours || r.id != m_awaitId)
        return;
    m_awaiting = Awaiting::None;
    m_snapshotOutdated = true;
    if (kind == Awaiting::Rollback) {
        if (r.ok()) {
            m_applied = 0;
            log(QStringLiteral("rollback applied: %1").arg(r.message));
            return finish(State::RolledBack, Outcome::RolledBack, m_reason);
        }
        if (m_rollbackAttempts < rollbackAttempts) {
            const int delay = m_controller->config().pollMs;
            log(QStringLiteral("rollback attempt %1 %2: %3; trying again in %4 ms")
                    .arg(m_rollbackAttempts).arg(statusName(r.status), r.message).arg(delay));
            m_awaiting = Awaiting::Rollback; // nothing else may claim the next result meanwhile
            QTimer::singleShot(delay, this, &RolloutEngine::sendRollback);
            return;
        }
        return finish(State::Failed, Outcome::Failed,
                      QStringLiteral("rollback %1 %2 times (%3); the canary may still get traffic: roll back by hand")
                          .arg(statusName(r.status)).arg(m_rollbackAttempts).arg(r.message));
    }
    if (kind == Awaiting::Step && m_awaitStep >= 0 && m_awaitStep < m_plan.steps.size()
        && m_plan.steps.at(m_awaitStep).kind == RolloutStep::Kind::Route)
        return onRouteStepFinished(r);
    if (r.ok() || r.status == ChangeResult::Status::Partial) {
        // Partial: some load balancers already send the new share, so watch the larger one.
        m_applied = r.ok() || !isKnown(m_applied) ? r.requestedCanaryPercent : std::max(m_applied, r.requestedCanaryPercent);
        m_watch.resetVolume();
        m_fastWatch.resetVolume();
        m_weightChangedMs = now();
    }
    if (r.ok()) {
        log(QStringLiteral("canary at %1: %2").arg(pct(r.requestedCanaryPercent), r.message));
        if (kind == Awaiting::PromoteFull)
            return finish(State::Promoted, Outcome::Promoted, {});
        if (m_awaitStep != m_step)
            return; // the operator skipped that step meanwhile
        m_stepApplied = true;
        if (m_state != State::Running)
            return;
        if (m_plan.steps.at(m_step).kind == RolloutStep::Kind::MoveServers)
            return startHealthWait(); // checked on the read that follows every change
        enterStep(m_step + 1);
        return;
    }
    if (kind == Awaiting::Step && m_awaitStep != m_step)
        return;
    // The layer found the new version's pods failing (crash loop, image not pulled, never
    // Ready): waiting for the operator would change nothing, the way back is due.
    if (r.newVersionFailing && (m_state == State::Running || m_state == State::Analysing))
        return rollBack(QStringLiteral("%1: the new version did not become Ready: %2").arg(stepName(m_step), r.message));
    const bool full = kind == Awaiting::PromoteFull;
    pauseFor(PauseKind::ActionFailed, QStringLiteral("%1: %2: %3; %4, rollback goes to 0%")
                                          .arg(full ? QStringLiteral("promote to 100%") : stepName(m_step), statusName(r.status), r.message,
                                               full ? QStringLiteral("resume continues the plan") : QStringLiteral("resume sends it again")));
}

void RolloutEngine::onHealthChanged()
{
    if (m_controller->hasHealth() && !m_controller->isHealthStale(now()))
        m_watch.record(m_controller->health(), m_controller->staleAfterMs());
    evaluate();
}

void RolloutEngine::onFastHealthChanged()
{
    const TargetController *c = m_controller;
    if (!c->hasFastHealth())
        return;
    const HealthSnapshot h = c->fastHealth();
    if (c->fastSignalError().isEmpty() && now() - h.canary.timeMs <= c->fastStaleAfterMs())
        m_fastWatch.record(h, c->fastStaleAfterMs());
    if (!watching())
        return;
    // The counters give request and error counts, not percentiles: only error-ratio gates are
    // judged here. And only a breach acts: a pass or no data from the fast signal neither
    // promotes nor pauses anything, which stays the metrics layer's judgement alone.
    QList<GateSpec> gates;
    for (const GateSpec &g : m_plan.gatesFor(m_step)) {
        if (g.metric == GateSpec::Metric::ErrorRatio)
            gates.append(g);
    }
    QList<GateResult> results;
    if (gates.isEmpty()
        || !m_fastWatch.judge(gates, h, c->fastSignalError(), now(), c->fastStaleAfterMs(), &results))
        return;
    for (const GateResult &r : std::as_const(results)) {
        if (r.outcome != GateResult::Outcome::Fail)
            continue;
        // A second of counters holds few responses: a healthy canary's 0.3% errors give two
        // errors in a hundred responses now and then, over a 1.2% bound. Act only when so many
        // errors are very unlikely if the true ratio were at the bound (binomial tail < 0.1%);
        // a breach short of that is left to the metrics layer's gates.
        const double n = h.canary.responses;
        if (!isKnown(n) || n <= 0 || !isKnown(r.threshold) || !isKnown(r.canary))
            continue;
        const double bound = std::clamp(r.threshold, 1e-9, 1.0 - 1e-9);
        const double pValue = StatTests::binomialSf(std::round(r.canary * n), n, bound);
        if (pValue < kFastSignalAlpha)
            return rollBack(QStringLiteral("gate %1 (fast signal: HAProxy's counters, %2 responses, p = %3)")
                                .arg(r.text).arg(n, 0, 'f', 0).arg(pValue, 0, 'g', 2));
    }
}

bool RolloutEngine::watching() const
{
    if (m_state != State::Running && m_state != State::Analysing && m_state != State::Paused)
        return false;
    const bool analysing = m_step >= 0 && m_step < m_plan.steps.size()
        && m_plan.steps.at(m_step).kind == RolloutStep::Kind::Analysis;
    // The plan's gates start once the engine has given the canary traffic; before that there is
    // nothing of ours to judge (and "no traffic" would only pause a preview at 0%).
    return analysing || (isKnown(m_applied) && m_applied > 0 && !m_plan.gates.isEmpty());
}

void RolloutEngine::evaluate()
{
    if (!watching())
        return;
    const TargetController *c = m_controller;
    const QString error = c->metricsError();
    if (!c->hasHealth() && error.isEmpty())
        return;
    QList<GateResult> results;
    if (!m_watch.judge(m_plan.gatesFor(m_step), c->health(), error, now(), c->staleAfterMs(), &results))
        return;
    m_lastResults = results;
    Q_EMIT gateEvaluated(results);

    const GateResult *failed = nullptr;
    const GateResult *noData = nullptr;
    bool allPass = !results.isEmpty();
    for (const GateResult &r : results) {
        const QString seen = outcomeName(r.outcome) + QString::number(int(r.cause));
        if (m_logged.value(r.gate) != seen || r.outcome == GateResult::Outcome::Fail) {
            log(QStringLiteral("gate %1").arg(r.text));
            auditGate(r);
        }
        m_logged.insert(r.gate, seen);
        if (r.outcome == GateResult::Outcome::Fail && !failed)
            failed = &r;
        if (r.isNoData() && !noData)
            noData = &r;
        allPass &= r.outcome == GateResult::Outcome::Pass;
    }
    // A breach rolls back on the observation that shows it, whatever else is going on.
    if (failed)
        return rollBack(QStringLiteral("gate %1").arg(failed->text));
    if (m_state == State::Paused || m_awaiting == Awaiting::PromoteFull)
        return;
    // A version that just got (more) traffic has no rate yet: the metrics layer needs a few
    // scrapes inside its rate window. Until the staleness limit has passed since the change,
    // "no value" means "wait", not "pause"; a failing metrics layer still pauses at once.
    if (noData && error.isEmpty() && now() - m_weightChangedMs < c->staleAfterMs())
        return;
    if (noData)
        return pauseFor(PauseKind::NoData, QStringLiteral("%1 (gate %2); stays paused until the operator resumes, even once data is back")
                                               .arg(noData->why, noData->gate));
    if (m_state == State::Analysing) {
        if (allPass)
            ++m_passes;
        checkAnalysisDone();
    }
}

void RolloutEngine::checkAnalysisDone()
{
    if (m_state != State::Analysing)
        return;
    const RolloutStep &s = m_plan.steps.at(m_step);
    const qint64 elapsed = now() - m_stepStartMs;
    if (elapsed < s.durationMs)
        return;
    bool allPass = !m_lastResults.isEmpty();
    const GateResult *thin = nullptr;
    for (const GateResult &r : std::as_const(m_lastResults)) {
        allPass &= r.outcome == GateResult::Outcome::Pass;
        if (r.cause == GateResult::Cause::TooFewRequests && !thin)
            thin = &r;
    }
    if (allPass && m_passes >= s.intervals) {
        log(QStringLiteral("%1 passed after %2 s and %3 passing observation(s)")
                .arg(stepName(m_step)).arg(double(elapsed) / 1000, 0, 'f', 1).arg(m_passes));
        return enterStep(m_step + 1);
    }
    // Out of time and still too little traffic to judge: a person has to decide.
    if (thin)
        pauseFor(PauseKind::NoData, QStringLiteral("inconclusive after %1 s: %2 (gate %3); stays paused until the operator resumes")
                                        .arg(double(elapsed) / 1000, 0, 'f', 1)
                                        .arg(thin->why, thin->gate));
}

void RolloutEngine::tick()
{
    if (m_state == State::Idle || isFinished() || m_awaiting == Awaiting::PromoteFull)
        return;
    // A metrics layer that stops answering sends no failure either: notice the silence, before
    // letting a pause or an analysis end on data that old.
    if ((m_state == State::Running || m_state == State::Analysing) && watching()) {
        // Each step gives the data one stale interval to arrive before its silence counts.
        const qint64 staleAfter = m_controller->staleAfterMs();
        const qint64 newest = std::max(m_controller->hasHealth() ? m_controller->health().canary.timeMs : 0, m_stepStartMs);
        const qint64 quiet = now() - newest;
        if (quiet > staleAfter)
            return pauseFor(PauseKind::NoData, QStringLiteral("no data: newest health sample is %1 s old (stale after %2 s); stays paused until the operator resumes")
                                                   .arg(double(quiet) / 1000, 0, 'f', 1)
                                                   .arg(double(staleAfter) / 1000, 0, 'f', 1));
    }
    const RolloutStep &s = m_plan.steps.at(m_step);
    if (m_state == State::Running && s.kind == RolloutStep::Kind::MoveServers) {
        if (const HealthWait::Decision d = m_healthWait.onTick(stepName(m_step), now()); d.kind == HealthWait::Decision::Kind::Pause)
            return pauseFor(PauseKind::NoData, d.reason);
    }
    if (m_state == State::Running && s.kind == RolloutStep::Kind::Pause && now() - m_stepStartMs >= s.durationMs) {
        log(QStringLiteral("%1 done").arg(stepName(m_step)));
        return enterStep(m_step + 1);
    }
    if (m_state == State::Analysing)
        checkAnalysisDone();
}

void RolloutEngine::pauseFor(PauseKind kind, const QString &reason)
{
    if (m_state == State::Paused && m_pauseKind == kind && m_reason == reason)
        return;
    const RolloutStep *s = m_step >= 0 && m_step < m_plan.steps.size() ? &m_plan.steps.at(m_step) : nullptr;
    // The countdown stops while paused (a timed pause keeps its remaining time on resume).
    if ((m_state == State::Running || m_state == State::Analysing) && s && s->kind != RolloutStep::Kind::SetWeight
        && s->durationMs > 0)
        m_frozenElapsedMs = now() - m_stepStartMs;
    setState(State::Paused, kind, reason);
    log(QStringLiteral("paused: %1").arg(reason));
    audit(QStringLiteral("rollout-pause"), reason, QStringLiteral("paused"));
}

void RolloutEngine::pause()
{
    if (m_state != State::Running && m_state != State::Analysing)
        return ignored(QStringLiteral("pause"));
    pauseFor(PauseKind::Operator, QStringLiteral("paused by the operator"));
}

void RolloutEngine::pauseWith(const QString &reason)
{
    if (m_state != State::Running && m_state != State::Analysing)
        return;
    pauseFor(PauseKind::Operator, reason);
}

void RolloutEngine::resume()
{
    if (m_state != State::Paused)
        return ignored(QStringLiteral("resume"));
    // Someone else drives the target now: resuming would steer it under their feet.
    if (const QString why = m_controller->leaseRefusal(QDateTime::currentMSecsSinceEpoch()); !why.isEmpty()) {
        log(QStringLiteral("resume refused: %1").arg(why));
        return;
    }
    log(QStringLiteral("resumed by the operator at %1").arg(stepName(m_step)));
    audit(QStringLiteral("rollout-resume"), QStringLiteral("resumed by the operator at %1; was paused: %2").arg(stepName(m_step), m_reason),
          QStringLiteral("resumed"));
    if (m_awaiting == Awaiting::PromoteFull)
        return setState(State::Running);
    const RolloutStep &s = m_plan.steps.at(m_step);
    switch (s.kind) {
    case RolloutStep::Kind::MoveServers:
        if (m_awaiting == Awaiting::Step && m_awaitStep == m_step)
            return setState(State::Running); // still on the wire: wait for it
        return enterStep(m_step); // plans again from the live weights and checks health again
    case RolloutStep::Kind::SetWeight:
    case RolloutStep::Kind::Route:
        if (m_stepApplied)
            return enterStep(m_step + 1);
        if (m_awaiting == Awaiting::Step && m_awaitStep == m_step)
            return setState(State::Running); // still on the wire: wait for it
        return enterStep(m_step);
    case RolloutStep::Kind::Pause:
        if (s.durationMs <= 0)
            return enterStep(m_step + 1);
        m_stepStartMs = now() - std::max<qint64>(0, m_frozenElapsedMs);
        m_frozenElapsedMs = -1;
        return setState(State::Running);
    case RolloutStep::Kind::Analysis:
        // The window starts again: what happened while paused was not watched as a whole.
        m_stepStartMs = now();
        m_frozenElapsedMs = -1;
        m_passes = 0;
        return setState(State::Analysing);
    }
}

void RolloutEngine::promote()
{
    if (m_state == State::Idle || isFinished() || m_state == State::RollingBack)
        return ignored(QStringLiteral("promote"));
    log(QStringLiteral("promoted by the operator: skipping %1").arg(stepName(m_step)));
    enterStep(m_step + 1);
}

void RolloutEngine::promoteFull()
{
    if (m_state == State::Idle || isFinished() || m_state == State::RollingBack)
        return ignored(QStringLiteral("promote to 100%"));
    log(QStringLiteral("promote to 100% by the operator"));
    m_awaiting = Awaiting::PromoteFull;
    m_awaitId = 0; // known once it is sent
    m_awaitStep = m_step;
    m_sendOnSnapshot = Awaiting::None;
    setState(State::Running);
    sendPromoteFull();
}

void RolloutEngine::sendPromoteFull()
{
    if (m_snapshotOutdated) {
        m_sendOnSnapshot = Awaiting::PromoteFull;
        return;
    }
    m_awaitId = m_controller->nextChangeId();
    m_sent.append(m_awaitId);
    m_everSent.insert(m_awaitId);
    m_controller->promoteFull(QStringLiteral("rollout %1: promote full by the operator").arg(m_plan.name));
}

void RolloutEngine::abort(const QString &why, bool keepRoutes)
{
    if (isFinished())
        return ignored(QStringLiteral("rollback"));
    m_keepRoutes = keepRoutes;
    rollBack(why.isEmpty() ? QStringLiteral("aborted by the operator") : QStringLiteral("aborted by the operator: %1").arg(why));
}

void RolloutEngine::rollBack(const QString &reason)
{
    if (m_state == State::RollingBack || isFinished())
        return;
    m_rollbackAttempts = 0;
    setState(State::RollingBack, PauseKind::None, reason);
    log(QStringLiteral("ROLLBACK: %1").arg(reason));
    sendRollback();
}

void RolloutEngine::sendRollback()
{
    if (m_state != State::RollingBack)
        return;
    m_awaiting = Awaiting::Rollback;
    m_awaitId = m_controller->nextChangeId();
    ++m_rollbackAttempts;
    m_sent.append(m_awaitId);
    m_everSent.insert(m_awaitId);
    m_controller->rollback(QStringLiteral("rollout %1: %2").arg(m_plan.name, m_reason), m_keepRoutes);
}

void RolloutEngine::finish(State s, Outcome o, const QString &reason)
{
    m_tick.stop();
    m_awaiting = Awaiting::None;
    if (s == State::Promoted && m_step != m_plan.steps.size()) {
        m_step = int(m_plan.steps.size());
        Q_EMIT stepChanged(m_step);
    }
    setState(s, PauseKind::None, reason);
    log(reason.isEmpty() ? stateName(s) : QStringLiteral("%1: %2").arg(stateName(s), reason));
    if (m_step >= 0) // a refused start has its one entry already
        audit(QStringLiteral("rollout-end"), reason.isEmpty() ? stateName(s) : reason, stateName(s));
    Q_EMIT finished(o);
}

} // namespace Switchboard
