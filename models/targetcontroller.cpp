#include "targetcontroller.h"

#include "auditlog.h"
#include "chartmarkermodel.h"
#include "eventlogmodel.h"
#include "gradualrollback.h"
#include "healthhistory.h"
#include "offthread.h"
#include "rolloutengine.h"
#include "targetconfigwriter.h"
#include "timeseriesmodel.h"

#include <QDateTime>
#include <QJsonObject>

#include <algorithm>

namespace Switchboard {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// The ways back: never refused by a lease, and sent ahead of the backend's queued reads.
bool isWayBack(const QString &action)
{
    return action == QLatin1String("rollback") || action == QLatin1String("rollback-step");
}

} // namespace

TargetController::TargetController(const TargetConfig &config, std::unique_ptr<BackendHost> host,
                                   EventLogModel *log, AuditLog *audit, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_host(std::move(host))
    , m_log(log)
    , m_audit(audit)
    , m_history(new HealthHistory(this))
    , m_chartMarkers(new ChartMarkerModel(this))
    , m_changes(new ChangeQueue(config.name, audit, this))
    , m_lease(new LeaseGuard(m_host->traffic()->hasLeaseStore(), currentOperator(), this))
{
    connect(m_changes, &ChangeQueue::sendRequested, this, &TargetController::send);
    connect(m_changes, &ChangeQueue::finished, this, &TargetController::onChangeAnswered);
    TrafficBackend *traffic = m_host->traffic();
    connect(this, &TargetController::requestRefresh, traffic, &TrafficBackend::refresh);
    connect(this, &TargetController::requestApply, traffic, &TrafficBackend::apply);
    connect(this, &TargetController::requestPromoteStep, traffic, &TrafficBackend::promoteStep);
    connect(this, &TargetController::requestEditRoutes, traffic, &TrafficBackend::editRoutes);
    connect(traffic, &TrafficBackend::snapshotReady, this, &TargetController::onSnapshot);
    connect(traffic, &TrafficBackend::refreshFailed, this, &TargetController::onRefreshFailed);
    connect(traffic, &TrafficBackend::changeFinished, this, &TargetController::onChangeFinished);
    // A step is one more kind of change on the wire: the same one-at-a-time bookkeeping.
    connect(traffic, &TrafficBackend::stepPromoted, this, &TargetController::onChangeFinished);
    connect(this, &TargetController::requestDeploy, traffic, &TrafficBackend::deployImage);
    connect(traffic, &TrafficBackend::imageDeployed, this, &TargetController::onImageDeployed);
    connect(m_lease, &LeaseGuard::requestLease, traffic, &TrafficBackend::handleLease);
    connect(traffic, &TrafficBackend::leaseAnswered, m_lease, &LeaseGuard::onAnswer);
    connect(m_lease, &LeaseGuard::changed, this, &TargetController::leaseChanged);
    connect(m_lease, &LeaseGuard::answered, this, &TargetController::onLeaseAnswered);
    connect(m_lease, &LeaseGuard::lost, this, &TargetController::onLeaseLost);
    if (MetricsSource *metrics = m_host->metrics()) {
        connect(this, &TargetController::requestInstant, metrics, &MetricsSource::queryInstant);
        connect(this, &TargetController::requestRange, metrics, &MetricsSource::queryRange);
        connect(metrics, &MetricsSource::instantReady, this, &TargetController::onInstant);
        connect(metrics, &MetricsSource::rangeReady, this, &TargetController::onRange);
        connect(metrics, &MetricsSource::queryFailed, this, &TargetController::onMetricsFailed);
        connect(this, &TargetController::requestTestQuery, metrics, &MetricsSource::runTestQuery);
        connect(metrics, &MetricsSource::testQueryFinished, this, &TargetController::testQueryFinished);
        connect(this, &TargetController::requestReconfigure, metrics, &MetricsSource::reconfigure);
        connect(metrics, &MetricsSource::reconfigured, this, &TargetController::onReconfigured);
    }
    connect(&m_poll, &PhasedTimer::timeout, this, &TargetController::poll);
    if (MetricsSource *fast = m_host->fastMetrics()) {
        connect(this, &TargetController::requestFastInstant, fast, &MetricsSource::queryInstant);
        connect(fast, &MetricsSource::instantReady, this, &TargetController::onFastInstant);
        connect(fast, &MetricsSource::queryFailed, this, &TargetController::onFastFailed);
        m_fastPoll.setInterval(std::max(1, m_host->fastIntervalMs()));
        m_fastPoll.setTimerType(Qt::PreciseTimer);
        connect(&m_fastPoll, &QTimer::timeout, this, &TargetController::pollFast);
    }
    QString verdictError;
    if (!m_verdictWatch.configure(m_config.settings, &verdictError))
        this->log(int(EventLogModel::Severity::Error), QStringLiteral("%1; the default verdict gates apply").arg(verdictError));
}

TargetController::~TargetController() = default;

TimeSeriesModel *TargetController::healthHistory() const
{
    return m_history->health();
}

TimeSeriesModel *TargetController::splitHistory() const
{
    return m_history->split();
}

QString TargetController::readOnlyReason() const
{
    if (m_config.readOnly)
        return m_config.readOnlyReason.isEmpty() ? QStringLiteral("configured read-only") : m_config.readOnlyReason;
    if (m_snapshot && m_snapshot->readOnly)
        return m_snapshot->readOnlyReason.isEmpty() ? QStringLiteral("the traffic layer accepts no changes")
                                                    : m_snapshot->readOnlyReason;
    return {};
}

bool TargetController::isActionInFlight() const
{
    return m_changes->isBusy();
}

quint64 TargetController::nextChangeId() const
{
    return m_changes->nextId();
}

void TargetController::start()
{
    // The first read goes out now; the periodic ones start at a random phase within the
    // interval (PhasedTimer), so targets started together do not poll in lockstep.
    m_poll.start();
    if (m_host->fastMetrics())
        m_fastPoll.start();
    refreshNow();
    backfill(15 * 60 * 1000);
    m_lease->start();
}

void TargetController::stop()
{
    m_poll.stop();
    m_fastPoll.stop();
    m_lease->stop();
}

void TargetController::requestStop()
{
    stop();
    m_host->requestStop();
}

void TargetController::refreshNow()
{
    if (!m_refreshInFlight) {
        m_refreshInFlight = true;
        Q_EMIT requestRefresh(QPrivateSignal());
    }
    if (m_host->metrics() && !m_instantInFlight) {
        m_instantInFlight = true;
        Q_EMIT requestInstant(QPrivateSignal());
    }
}

void TargetController::poll()
{
    // While disconnected, back off instead of hammering a dead socket every tick.
    updateVerdict(); // a metrics layer that went quiet turns the verdict to "no data"
    if (m_state == ConnectionState::Disconnected && nowMs() < m_nextAttemptMs)
        return;
    refreshNow();
}

void TargetController::backfill(qint64 windowMs)
{
    if (!m_host->metrics())
        return;
    m_backfillWindowMs = windowMs;
    const qint64 to = nowMs();
    // At most ~1000 points per series per query: enough for a chart, far under Prometheus' cap.
    const int step = int(std::max<qint64>(m_config.pollMs, windowMs / 1000));
    Q_EMIT requestRange(to - windowMs, to, step, ++m_rangeToken, QPrivateSignal());
}

quint64 TargetController::testQuery(const QString &query)
{
    const quint64 token = ++m_testToken;
    if (!m_host->metrics()) {
        // Answer asynchronously like a real source, so callers have one code path.
        QMetaObject::invokeMethod(this, [this, token] {
            Q_EMIT testQueryFinished(token, false, QStringLiteral("this target has no metrics source"));
        }, Qt::QueuedConnection);
        return token;
    }
    Q_EMIT requestTestQuery(query, token, QPrivateSignal());
    return token;
}

double TargetController::measuredCanaryPercent() const
{
    if (!m_health)
        return unknown();
    return HealthHistory::measuredCanaryPercent(m_health->stable.rps, m_health->canary.rps);
}

qint64 TargetController::dataAgeMs(qint64 now) const
{
    qint64 newest = 0;
    if (m_snapshot)
        newest = m_snapshot->timeMs;
    if (m_health)
        newest = std::max({newest, m_health->stable.timeMs, m_health->canary.timeMs});
    return newest > 0 ? std::max<qint64>(0, now - newest) : -1;
}

qint64 TargetController::staleAfterMs() const
{
    const qint64 configured = m_config.settings.value(QStringLiteral("staleAfterMs")).toInteger(0);
    return configured > 0 ? configured : std::max<qint64>(5000, 3LL * m_config.pollMs);
}

bool TargetController::isHealthStale(qint64 now) const
{
    if (!m_health || !m_metricsError.isEmpty())
        return true;
    const qint64 newest = std::min(m_health->stable.timeMs, m_health->canary.timeMs);
    return newest <= 0 || now - newest > staleAfterMs();
}

void TargetController::setCanaryPercent(double percent, const QString &reason, bool force)
{
    WeightChange c;
    c.canaryPercent = percent;
    c.force = force;
    c.reason = reason;
    if (m_snapshot && !force)
        c.expected = m_snapshot->weights();
    submit(c, QStringLiteral("set-weight"));
}

void TargetController::applySettings(const QJsonObject &settings)
{
    if (!m_host->metrics())
        return Q_EMIT settingsApplied(false, QStringLiteral("target %1 has no metrics layer").arg(name()));
    m_pendingSettings.append(settings);
    Q_EMIT requestReconfigure(settings, QPrivateSignal());
}

void TargetController::onReconfigured(bool ok, const QString &error)
{
    // Answers come in the order the requests went out.
    const QJsonObject settings = m_pendingSettings.isEmpty() ? QJsonObject() : m_pendingSettings.takeFirst();
    if (ok) {
        m_config.settings = settings;
        log(int(EventLogModel::Severity::Info), tr("metrics settings applied"));
        // History read with the old queries would sit next to new points: read the window the
        // charts show again.
        backfill(m_backfillWindowMs);
        refreshNow();
    } else {
        log(int(EventLogModel::Severity::Error), tr("metrics settings not applied (the old ones stay): %1").arg(error));
    }
    Q_EMIT settingsApplied(ok, error);
}

void TargetController::setMemberWeights(const QMap<QString, int> &weights, double canaryPercent, const QString &reason)
{
    WeightChange c;
    c.canaryPercent = canaryPercent;
    c.memberWeights = weights;
    c.reason = reason;
    if (m_snapshot)
        c.expected = m_snapshot->weights();
    submit(c, QStringLiteral("rolling-move"));
}

bool TargetController::isRolloutActive() const
{
    return m_rollout && !m_rollout->isFinished();
}

RolloutEngine *TargetController::startRollout(const RolloutPlan &plan, const std::function<void(RolloutEngine *)> &beforeStart)
{
    if (isRolloutActive())
        return nullptr;
    if (const QString why = leaseRefusal(nowMs()); !why.isEmpty()) {
        log(int(EventLogModel::Severity::Error), QStringLiteral("rollout refused: %1").arg(why));
        return nullptr;
    }
    delete m_rollout;
    m_rollout = new RolloutEngine(this, plan, {}, this);
    connect(m_rollout, &RolloutEngine::stateChanged, this, &TargetController::rolloutChanged);
    connect(m_rollout, &RolloutEngine::stepChanged, this, &TargetController::rolloutChanged);
    connect(m_rollout, &RolloutEngine::gateEvaluated, this, &TargetController::rolloutChanged);
    m_chartMarkers->forgetGateOutcomes(); // a new rollout's first gate results are news again
    connect(m_rollout, &RolloutEngine::gateEvaluated, m_chartMarkers, [this](const QList<GateResult> &results) {
        m_chartMarkers->addGateResults(results, nowMs());
    });
    connect(m_rollout, &RolloutEngine::logLine, this, [this](const QString &line) {
        log(int(EventLogModel::Severity::Info), tr("rollout: %1").arg(line));
    });
    connect(m_rollout, &RolloutEngine::finished, this, &TargetController::onRolloutFinishedForLease);
    // The rollout holds the lease while it runs, unless this operator holds it already (a
    // release they took): then it stays theirs, and stays when the rollout ends.
    m_rolloutTookLease = false;
    if (m_lease->hasStore() && !m_lease->isHeldByMe(nowMs())) {
        m_rolloutTookLease = true;
        m_lease->take(QStringLiteral("rollout %1").arg(plan.name), false);
    }
    Q_EMIT rolloutStarting(m_rollout);
    if (beforeStart)
        beforeStart(m_rollout);
    m_rollout->start();
    Q_EMIT rolloutChanged();
    return m_rollout;
}

QString TargetController::leaseRefusal(qint64 now) const
{
    if (!m_lease->isHeldByOther(now))
        return {};
    return QStringLiteral("the operator lease is %1; take it over to act (a rollback always goes through)")
        .arg(m_lease->lease().describe(now));
}

void TargetController::onLeaseAnswered(const LeaseResult &r)
{
    const qint64 now = nowMs();
    QString action;
    switch (r.outcome) {
    case LeaseResult::Outcome::Taken:
        // A rollout's own take is part of its start (audited as rollout-start): logged only.
        action = r.lease.purpose.startsWith(QLatin1String("rollout ")) ? QString() : QStringLiteral("lease-take");
        log(int(EventLogModel::Severity::Action), QStringLiteral("lease taken by %1 (%2)").arg(r.lease.holder, r.lease.purpose));
        break;
    case LeaseResult::Outcome::TakenOver:
        action = QStringLiteral("lease-take-over");
        log(int(EventLogModel::Severity::Warning),
            QStringLiteral("lease taken over from %1 by %2 (%3)").arg(r.previous.holder, r.lease.holder, r.lease.purpose));
        break;
    case LeaseResult::Outcome::Released:
        action = r.previous.purpose.startsWith(QLatin1String("rollout ")) ? QString() : QStringLiteral("lease-release");
        log(int(EventLogModel::Severity::Info), QStringLiteral("lease released by %1").arg(r.lease.holder));
        break;
    case LeaseResult::Outcome::HeldByOther:
        log(int(EventLogModel::Severity::Error), QStringLiteral("lease not taken: %1").arg(r.message));
        // A rollout that could not get its lease (someone took it between our read and the
        // start) must not go on driving a target that is someone else's now.
        if (r.op == LeaseRequest::Op::Take && m_rolloutTookLease && isRolloutActive()) {
            m_rolloutTookLease = false;
            m_rollout->pauseWith(QStringLiteral("the operator lease is %1").arg(r.lease.describe(now)));
        }
        break;
    case LeaseResult::Outcome::NotHeld:
    case LeaseResult::Outcome::Failed:
        log(int(EventLogModel::Severity::Error), QStringLiteral("lease: %1").arg(r.message));
        break;
    default:
        break;
    }
    if (!action.isEmpty()) {
        QJsonObject extra{{QStringLiteral("leaseHolder"), r.lease.holder},
                          {QStringLiteral("leasePurpose"), r.lease.purpose},
                          {QStringLiteral("leaseWhere"), r.where}};
        if (r.outcome == LeaseResult::Outcome::TakenOver)
            extra.insert(QStringLiteral("leasePreviousHolder"), r.previous.holder);
        auditAction(action, r.outcome == LeaseResult::Outcome::Released ? r.previous.purpose : r.lease.purpose, r.message, extra);
    }
}

void TargetController::onLeaseLost(const LeaseResult &r)
{
    log(int(EventLogModel::Severity::Warning), QStringLiteral("lease lost: %1").arg(r.message));
    // Whoever took the lease for this rollout (it, or `run` before starting it), the rollout
    // runs under it: it stops moving traffic for someone else.
    if (isRolloutActive()) {
        m_rolloutTookLease = false;
        m_rollout->pauseWith(QStringLiteral("the operator lease was taken over: %1").arg(r.lease.describe(nowMs())));
    }
}

void TargetController::onRolloutFinishedForLease()
{
    // Also when its take is still on the way (a plan refused at start): the release queues
    // behind it on the same thread.
    if (m_rolloutTookLease)
        m_lease->release();
    m_rolloutTookLease = false;
}

void TargetController::auditAction(const QString &action, const QString &reason, const QString &result, const QJsonObject &extra)
{
    if (!m_audit)
        return;
    AuditLog::Entry e;
    e.target = m_config.name;
    e.action = action;
    QJsonObject weights;
    const QMap<QString, int> now = snapshot().weights();
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        weights.insert(it.key(), it.value());
    e.before = e.after = weights;
    e.reason = reason;
    e.result = result;
    e.extra = extra;
    QString err;
    if (!m_audit->append(e, &err))
        log(int(EventLogModel::Severity::Error), err);
}

void TargetController::operatorPromoteFull(const QString &reason)
{
    // During a rollout the plan must know, or it would carry on from where it was.
    if (isRolloutActive())
        m_rollout->promoteFull();
    else
        promoteFull(reason);
}

void TargetController::operatorRollback(const QString &reason, bool keepRoutes)
{
    // The immediate rollback takes over from a gradual one: no step of it may follow.
    if (isGradualRollbackActive())
        m_gradual->cancel(QStringLiteral("the operator rolled back at once"));
    // A rollback ends a running rollout: the engine rolls back and stops there.
    if (isRolloutActive())
        m_rollout->abort(reason, keepRoutes);
    else
        rollback(reason, keepRoutes);
}

void TargetController::promoteFull(const QString &reason)
{
    WeightChange c;
    c.canaryPercent = 100;
    c.reason = reason;
    if (m_snapshot)
        c.expected = m_snapshot->weights();
    submit(c, QStringLiteral("promote"));
}

void TargetController::promoteStep(const QString &reason)
{
    WeightChange c;
    c.canaryPercent = unknown(); // the layer's steps decide
    c.reason = reason;
    submit(c, QStringLiteral("promote"), true);
}

void TargetController::rollback(const QString &reason, bool keepRoutes)
{
    WeightChange c;
    c.canaryPercent = 0;
    c.force = true;
    c.reason = reason;
    c.clearRoutes = !keepRoutes;
    submit(c, QStringLiteral("rollback"));
}

void TargetController::rollbackStep(double canaryPercent, const QString &reason)
{
    WeightChange c;
    c.canaryPercent = canaryPercent;
    c.force = true; // a way back: never refused by the conflict check
    c.reason = reason;
    submit(c, QStringLiteral("rollback-step"));
}

bool TargetController::isGradualRollbackActive() const
{
    return m_gradual && !m_gradual->isFinished();
}

GradualRollback *TargetController::startGradualRollback(const QList<double> &steps, qint64 holdMs, const QString &reason,
                                                        const std::function<void(GradualRollback *)> &beforeStart)
{
    if (isGradualRollbackActive())
        return nullptr;
    delete m_gradual;
    const QList<double> plan = steps.isEmpty() ? GradualRollback::defaultSteps(snapshot().split.canary) : steps;
    m_gradual = new GradualRollback(this, plan, holdMs, m_verdictWatch.gates(), {}, this);
    connect(m_gradual, &GradualRollback::logLine, this, [this](const QString &line) {
        log(int(EventLogModel::Severity::Info), line);
    });
    connect(m_gradual, &GradualRollback::stateChanged, this, &TargetController::gradualRollbackChanged);
    if (beforeStart)
        beforeStart(m_gradual);
    m_gradual->start(reason);
    Q_EMIT gradualRollbackChanged();
    return m_gradual;
}

void TargetController::setAutoRollback(bool on, const QString &targetsPath)
{
    if (targetsPath.isEmpty()) {
        onAutoRollbackSaved(on, QString());
        return;
    }
    // The file is written on a pool thread (QSaveFile: atomic); the answer comes back here.
    const QString target = m_config.name;
    runOffThread(
        this,
        [targetsPath, target, on] {
            QString error;
            updateTargetSetting(targetsPath, target, QStringLiteral("verdict"), QStringLiteral("autoRollback"), QJsonValue(on), &error);
            return error;
        },
        [this, on](const QString &error) { onAutoRollbackSaved(on, error); });
}

void TargetController::onAutoRollbackSaved(bool on, const QString &error)
{
    const QString what = on ? QStringLiteral("auto-rollback-on") : QStringLiteral("auto-rollback-off");
    if (error.isEmpty()) {
        m_verdictWatch.setAutoRollback(on);
        QJsonObject verdict = m_config.settings.value(QStringLiteral("verdict")).toObject();
        verdict.insert(QStringLiteral("autoRollback"), on);
        m_config.settings.insert(QStringLiteral("verdict"), verdict);
        log(int(EventLogModel::Severity::Action),
            on ? QStringLiteral("roll back automatically: on (a failing verdict outside a rollout rolls back to 0%)")
               : QStringLiteral("roll back automatically: off (the verdict moves no traffic)"));
    } else {
        log(int(EventLogModel::Severity::Error), QStringLiteral("roll back automatically not changed: %1").arg(error));
    }
    auditAction(what, on ? QStringLiteral("roll back automatically on a failing verdict") : QStringLiteral("verdict moves no traffic"),
                error.isEmpty() ? QStringLiteral("saved") : QStringLiteral("failed: %1").arg(error));
    Q_EMIT autoRollbackChanged(autoRollback(), error.isEmpty(), error);
}

void TargetController::updateVerdict()
{
    const Verdict before = m_verdictWatch.current();
    VerdictWatch::Reading in;
    in.hasSnapshot = m_snapshot.has_value();
    in.canaryPercent = m_snapshot ? m_snapshot->split.canary : unknown();
    in.hasHealth = m_health.has_value();
    if (m_health)
        in.health = *m_health;
    in.metricsError = m_metricsError;
    in.nowMs = nowMs();
    in.staleAfterMs = staleAfterMs();
    in.stale = isHealthStale(in.nowMs);
    const Verdict &v = m_verdictWatch.observe(in);
    if (v == before)
        return;
    if (v.state != before.state || v.applies != before.applies) {
        const auto sev = v.state == Verdict::State::Failing ? EventLogModel::Severity::Error
                         : v.state == Verdict::State::Watch ? EventLogModel::Severity::Warning
                                                            : EventLogModel::Severity::Info;
        log(int(sev), v.applies ? QStringLiteral("verdict %1: %2").arg(Verdict::stateName(v.state), v.reason)
                                : QStringLiteral("verdict: none (%1)").arg(v.reason));
        // Entering and leaving "failing" are on the record with the numbers that decided them.
        if (v.state == Verdict::State::Failing || before.state == Verdict::State::Failing)
            auditAction(QStringLiteral("verdict"), v.reason, Verdict::stateName(v.state),
                        {{QStringLiteral("verdict"), v.toJson()}});
        // Outside a rollout the verdict moves traffic only when the operator said so; a
        // rollout's own gates (and a gradual rollback's) decide while they run.
        if (v.state == Verdict::State::Failing && v.applies && autoRollback() && !isRolloutActive()
            && !isGradualRollbackActive() && snapshot().split.canary > 0) {
            log(int(EventLogModel::Severity::Error), QStringLiteral("automatic rollback: the verdict is failing"));
            rollback(QStringLiteral("automatic rollback (verdict failing): %1").arg(v.reason));
        }
    }
    Q_EMIT verdictChanged();
}

void TargetController::editRoutes(const RouteEdit &edit, const QString &reason)
{
    WeightChange c;
    c.canaryPercent = m_snapshot ? m_snapshot->split.canary : unknown(); // weights stay
    c.reason = reason;
    c.routeEdit = edit;
    if (!c.routeEdit->expected && m_snapshot)
        c.routeEdit->expected = m_snapshot->routes;
    submit(c, QStringLiteral("route"));
}

void TargetController::deployImage(const QString &image, const QString &container, const QString &reason)
{
    auto refuse = [&](const QString &why) {
        DeployResult r;
        r.imageBefore = m_snapshot ? m_snapshot->image : QString();
        r.imageAfter = image;
        r.container = container;
        r.message = why;
        log(int(EventLogModel::Severity::Error), QStringLiteral("deploy refused: %1").arg(why));
        Q_EMIT deployFinished(r);
    };
    if (isReadOnly())
        return refuse(QStringLiteral("target is read-only (%1)").arg(readOnlyReason()));
    if (m_deployInFlight)
        return refuse(QStringLiteral("a deploy is already under way on %1").arg(name()));
    if (const QString why = leaseRefusal(nowMs()); !why.isEmpty())
        return refuse(why);
    m_deployInFlight = true;
    m_deployReason = reason;
    const QString before = m_snapshot ? m_snapshot->image : QString();
    const QString what = QStringLiteral("deploy → %1%2").arg(image, before.isEmpty() ? QString() : QStringLiteral(" (was %1)").arg(before));
    log(int(EventLogModel::Severity::Action), what + (reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason)));
    Q_EMIT actionStarted(what);
    Q_EMIT requestDeploy(image, container, QPrivateSignal());
}

void TargetController::onImageDeployed(const DeployResult &r)
{
    m_deployInFlight = false;
    const auto sev = r.ok() ? EventLogModel::Severity::Info : EventLogModel::Severity::Error;
    log(int(sev), QStringLiteral("deploy %1: %2").arg(statusName(r.status), r.message));
    auditAction(QStringLiteral("deploy"), m_deployReason, statusName(r.status),
                {{QStringLiteral("resource"), r.resource},
                 {QStringLiteral("container"), r.container},
                 {QStringLiteral("imageBefore"), r.imageBefore},
                 {QStringLiteral("imageAfter"), r.imageAfter},
                 {QStringLiteral("message"), r.message}});
    m_refreshInFlight = false;
    refreshNow();
    Q_EMIT deployFinished(r);
}

void TargetController::submit(WeightChange change, const QString &action, bool step)
{
    const bool wayBack = isWayBack(action);
    QString refusal;
    if (isReadOnly()) {
        // A rollback is refused too: whoever may not write cannot roll back either, and saying
        // so plainly beats a PATCH that fails halfway through an incident.
        refusal = action == QLatin1String("rollback")
                      ? QStringLiteral("target is read-only (%1): rollback cannot be sent either; someone with write access must roll back")
                            .arg(readOnlyReason())
                      : QStringLiteral("target is read-only (%1)").arg(readOnlyReason());
    } else if (!wayBack) {
        // A rollback is never refused by a lease; every other action waits for the lease's holder.
        refusal = leaseRefusal(nowMs());
    }
    if (refusal.isEmpty()) {
        m_changes->submit({std::move(change), action, step});
        return;
    }
    ChangeResult r;
    r.status = ChangeResult::Status::Failed;
    r.requestedCanaryPercent = change.canaryPercent;
    r.message = refusal;
    r.id = m_changes->takeId();
    log(int(EventLogModel::Severity::Error), QStringLiteral("%1 refused: %2").arg(action, r.message));
    Q_EMIT changeAnswered(action, change.reason, r);
    Q_EMIT actionFinished(r);
}

void TargetController::send(const ChangeQueue::Change &c)
{
    // The request leaves first: the log line and the views' updates (the wording of the line
    // among them) must not delay a rollback on its way to the traffic layer (its answer is
    // queued back here, after them anyway). The way back goes ahead of any read still queued
    // for the backend: on a thread the targets of one server share, those may be many.
    const bool wayBack = isWayBack(c.action);
    if (c.step)
        Q_EMIT requestPromoteStep(QPrivateSignal());
    else if (c.change.routeEdit)
        Q_EMIT requestEditRoutes(c.change, QPrivateSignal());
    else if (wayBack)
        TrafficBackend::postWayBack(m_host->traffic(), c.change);
    else
        Q_EMIT requestApply(c.change, QPrivateSignal());
    QString what = c.step             ? QStringLiteral("%1 → next step").arg(c.action)
                 : c.change.routeEdit ? QStringLiteral("%1: %2").arg(c.action, c.change.routeEdit->describe())
                                      : QStringLiteral("%1 → canary %2%").arg(c.action).arg(c.change.canaryPercent, 0, 'g', 4);
    if (c.change.clearRoutes && m_snapshot && !m_snapshot->routes.isEmpty())
        what += QStringLiteral(" + clear routes");
    if (!c.change.memberWeights.isEmpty()) {
        QStringList parts;
        for (auto it = c.change.memberWeights.cbegin(); it != c.change.memberWeights.cend(); ++it)
            parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
        what += QStringLiteral(" [%1]").arg(parts.join(QLatin1Char(' ')));
    }
    log(int(EventLogModel::Severity::Action),
        what + (c.change.reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(c.change.reason)));
    Q_EMIT actionStarted(what);
}

void TargetController::onChangeFinished(const ChangeResult &r)
{
    m_changes->finish(r); // answered in onChangeAnswered, then the queued change goes out
    m_refreshInFlight = false; // a fresh read after every change, even if one is under way
    refreshNow();
}

void TargetController::onChangeAnswered(const ChangeQueue::Change &c, const ChangeResult &r, const QString &auditError)
{
    // What the change read back is now the operator's view: without this, a next change sent
    // before the follow-up refresh lands would carry the old weights and meet a false conflict.
    if (m_snapshot && !r.after.isEmpty()) {
        for (Member &m : m_snapshot->members)
            m.weight = r.after.value(m.name, m.weight);
        m_snapshot->split = TrafficSplit::fromMembers(m_snapshot->members);
    }
    if (m_snapshot && r.routesTouched)
        m_snapshot->routes = r.routesAfter;
    if (r.routesTouched && r.routesBefore != r.routesAfter)
        m_chartMarkers->addRouteChange(nowMs(), r.routesBefore, r.routesAfter, r.message);
    if (!c.change.routeEdit)
        m_chartMarkers->addChange(nowMs(), c.action, r, m_snapshot && !r.after.isEmpty() ? m_snapshot->split.canary : unknown());
    const auto sev = r.ok() ? EventLogModel::Severity::Info
                            : (r.status == ChangeResult::Status::Conflict ? EventLogModel::Severity::Warning
                                                                          : EventLogModel::Severity::Error);
    // How fast the traffic layer confirmed it, where the layer times it (HAProxy): in an
    // incident, "the rollback held 0.1 ms after the click" is part of the story.
    const QString confirmed = r.confirmedAfterNs > 0
                                  ? QStringLiteral(" (%1)").arg(tr("confirmed %1 ms after the request").arg(double(r.confirmedAfterNs) / 1e6, 0, 'f', 2))
                                  : QString();
    log(int(sev), QStringLiteral("%1 %2: %3%4").arg(c.action, statusName(r.status), r.message, confirmed));
    m_changeJustFinished = true;
    if (!auditError.isEmpty())
        log(int(EventLogModel::Severity::Error), auditError);
    Q_EMIT changeAnswered(c.action, c.change.reason, r);
    Q_EMIT actionFinished(r);
}

void TargetController::onSnapshot(const TrafficSnapshot &s)
{
    m_refreshInFlight = false;
    m_failures = 0;
    m_lastError.clear();
    noticeExternalChange(s);
    m_snapshot = s;
    m_history->addSplit(s, measuredCanaryPercent());
    setState(ConnectionState::Connected);
    updateVerdict();
    Q_EMIT snapshotChanged();
}

void TargetController::noticeExternalChange(const TrafficSnapshot &s)
{
    // Weights we did not set: another tool, another operator's shell, a hand edit. Only when
    // no change of ours explains them: none on the wire, and this is not the first read after
    // one (a partial or failed change may leave weights other than it read back).
    const bool ours = m_changes->isBusy() || m_changeJustFinished;
    m_changeJustFinished = false;
    if (!m_snapshot || ours)
        return;
    if (s.routes != m_snapshot->routes) {
        log(int(EventLogModel::Severity::Warning),
            QStringLiteral("external change: routes %1 → %2").arg(describeRoutes(m_snapshot->routes), describeRoutes(s.routes)));
        m_chartMarkers->addRouteChange(s.timeMs, m_snapshot->routes, s.routes, QStringLiteral("external change"));
    }
    if (s.weights() == m_snapshot->weights())
        return;
    const QString change = ChartMarkerModel::externalChangeText(m_snapshot->split.canary, s.split.canary);
    log(int(EventLogModel::Severity::Warning), tr("external change: %1").arg(change));
    m_chartMarkers->addExternalChange(s.timeMs, m_snapshot->split.canary, s.split.canary);
}

void TargetController::onRefreshFailed(const QString &error)
{
    m_refreshInFlight = false;
    ++m_failures;
    // Back-off: one poll interval, doubling up to 30 s.
    const qint64 delay = std::min<qint64>(30000, qint64(m_config.pollMs) << std::min(m_failures - 1, 5));
    m_nextAttemptMs = nowMs() + delay;
    const bool changed = m_lastError != error || m_state != ConnectionState::Disconnected;
    m_lastError = error;
    if (changed)
        log(int(EventLogModel::Severity::Error), error);
    setState(ConnectionState::Disconnected);
}

void TargetController::onInstant(const HealthSnapshot &h)
{
    m_instantInFlight = false;
    if (!m_metricsError.isEmpty()) {
        log(int(EventLogModel::Severity::Info), tr("metrics back"));
        m_metricsError.clear();
    }
    m_health = h;
    m_history->addHealth(h);
    updateVerdict();
    Q_EMIT healthChanged();
}

void TargetController::onRange(const HealthSeries &series, quint64 token)
{
    if (token != m_rangeToken)
        return; // an answer to an older window
    m_history->mergeRange(series);
    m_rangeAnswered = true;
    m_verdictWatch.seed(series, m_snapshot ? m_snapshot->split.canary : unknown(), staleAfterMs());
    updateVerdict();
    Q_EMIT healthChanged();
}

void TargetController::onMetricsFailed(const QString &error)
{
    m_instantInFlight = false;
    if (m_metricsError != error)
        log(int(EventLogModel::Severity::Warning), tr("metrics: %1").arg(error));
    m_metricsError = error;
    updateVerdict();
    Q_EMIT healthChanged();
}

qint64 TargetController::fastStaleAfterMs() const
{
    return std::max<qint64>(1000, 4LL * m_host->fastIntervalMs());
}

void TargetController::pollFast()
{
    // One read at a time: a slow socket skips ticks instead of queueing them.
    if (m_fastInFlight)
        return;
    m_fastInFlight = true;
    Q_EMIT requestFastInstant(QPrivateSignal());
}

void TargetController::onFastInstant(const HealthSnapshot &h)
{
    m_fastInFlight = false;
    m_fastError.clear();
    m_fastHealth = h;
    Q_EMIT fastHealthChanged();
}

void TargetController::onFastFailed(const QString &error)
{
    m_fastInFlight = false;
    // Logged by the traffic side's own reads if HAProxy is gone; here it only stops counting.
    m_fastError = error;
    Q_EMIT fastHealthChanged();
}

void TargetController::setState(ConnectionState s)
{
    if (m_state == s)
        return;
    const ConnectionState old = m_state;
    m_state = s;
    if (s == ConnectionState::Connected && old == ConnectionState::Disconnected)
        log(int(EventLogModel::Severity::Info), tr("reconnected"));
    else if (s == ConnectionState::Connected && m_log) // summed up with the other targets' (EventLogModel)
        m_log->addConnected(m_config.name, tr("connected (%1)").arg(m_config.kind));
    Q_EMIT connectionStateChanged(s);
}

// The event log is the GUI's: its own words are translated (tr), what the layers and the
// engine report comes as they say it. The audit log never takes these texts.
void TargetController::log(int severity, const QString &text)
{
    if (m_log)
        m_log->add(m_config.name, EventLogModel::Severity(severity), text);
}

} // namespace Switchboard
