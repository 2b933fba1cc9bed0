#include "targetcontroller.h"

#include "auditlog.h"
#include "chartmarkermodel.h"
#include "eventlogmodel.h"
#include "rolloutengine.h"
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

QJsonObject toJson(const QMap<QString, int> &weights)
{
    QJsonObject o;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QList<double> healthRow(const HealthSnapshot &h)
{
    return {h.stable.rps, h.canary.rps, h.stable.errorRatio * 100, h.canary.errorRatio * 100,
            h.stable.p50Ms, h.canary.p50Ms, h.stable.p99Ms, h.canary.p99Ms};
}

double measured(double stableRps, double canaryRps)
{
    if (!isKnown(stableRps) || !isKnown(canaryRps) || stableRps + canaryRps <= 0)
        return unknown();
    return 100.0 * canaryRps / (stableRps + canaryRps);
}

} // namespace

TargetController::TargetController(const TargetConfig &config, std::unique_ptr<BackendHost> host,
                                   EventLogModel *log, AuditLog *audit, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_host(std::move(host))
    , m_log(log)
    , m_audit(audit)
    , m_healthHistory(new TimeSeriesModel({QStringLiteral("stableRps"), QStringLiteral("canaryRps"),
                                           QStringLiteral("stableErrorPct"), QStringLiteral("canaryErrorPct"),
                                           QStringLiteral("stableP50Ms"), QStringLiteral("canaryP50Ms"),
                                           QStringLiteral("stableP99Ms"), QStringLiteral("canaryP99Ms")},
                                          this))
    , m_splitHistory(new TimeSeriesModel({QStringLiteral("setCanaryPct"), QStringLiteral("measuredCanaryPct")}, this))
    , m_chartMarkers(new ChartMarkerModel(this))
{
    TrafficBackend *traffic = m_host->traffic();
    connect(this, &TargetController::requestRefresh, traffic, &TrafficBackend::refresh);
    connect(this, &TargetController::requestApply, traffic, &TrafficBackend::apply);
    connect(this, &TargetController::requestPromoteStep, traffic, &TrafficBackend::promoteStep);
    connect(traffic, &TrafficBackend::snapshotReady, this, &TargetController::onSnapshot);
    connect(traffic, &TrafficBackend::refreshFailed, this, &TargetController::onRefreshFailed);
    connect(traffic, &TrafficBackend::changeFinished, this, &TargetController::onChangeFinished);
    // A step is one more kind of change on the wire: the same one-at-a-time bookkeeping.
    connect(traffic, &TrafficBackend::stepPromoted, this, &TargetController::onChangeFinished);
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
    m_poll.setInterval(m_config.pollMs);
    connect(&m_poll, &QTimer::timeout, this, &TargetController::poll);
}

TargetController::~TargetController() = default;

void TargetController::start()
{
    m_poll.start();
    refreshNow();
    backfill(15 * 60 * 1000);
}

void TargetController::stop()
{
    m_poll.stop();
}

void TargetController::requestStop()
{
    m_poll.stop();
    m_host->requestStop();
}

void TargetController::refreshNow()
{
    if (!m_refreshInFlight) {
        m_refreshInFlight = true;
        Q_EMIT requestRefresh();
    }
    if (m_host->metrics() && !m_instantInFlight) {
        m_instantInFlight = true;
        Q_EMIT requestInstant();
    }
}

void TargetController::poll()
{
    // While disconnected, back off instead of hammering a dead socket every tick.
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
    Q_EMIT requestRange(to - windowMs, to, step, ++m_rangeToken);
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
    Q_EMIT requestTestQuery(query, token);
    return token;
}

double TargetController::measuredCanaryPercent() const
{
    if (!m_health)
        return unknown();
    return measured(m_health->stable.rps, m_health->canary.rps);
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
    submit({c, QStringLiteral("set-weight")});
}

void TargetController::applySettings(const QJsonObject &settings)
{
    if (!m_host->metrics())
        return Q_EMIT settingsApplied(false, QStringLiteral("target %1 has no metrics layer").arg(name()));
    m_pendingSettings.append(settings);
    Q_EMIT requestReconfigure(settings);
}

void TargetController::onReconfigured(bool ok, const QString &error)
{
    // Answers come in the order the requests went out.
    const QJsonObject settings = m_pendingSettings.isEmpty() ? QJsonObject() : m_pendingSettings.takeFirst();
    if (ok) {
        m_config.settings = settings;
        log(int(EventLogModel::Severity::Info), QStringLiteral("metrics settings applied"));
        // History read with the old queries would sit next to new points: read the window the
        // charts show again.
        backfill(m_backfillWindowMs);
        refreshNow();
    } else {
        log(int(EventLogModel::Severity::Error), QStringLiteral("metrics settings not applied (the old ones stay): %1").arg(error));
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
    submit({c, QStringLiteral("rolling-move")});
}

bool TargetController::isRolloutActive() const
{
    return m_rollout && !m_rollout->isFinished();
}

RolloutEngine *TargetController::startRollout(const RolloutPlan &plan, const std::function<void(RolloutEngine *)> &beforeStart)
{
    if (isRolloutActive())
        return nullptr;
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
        log(int(EventLogModel::Severity::Info), QStringLiteral("rollout: ") + line);
    });
    if (beforeStart)
        beforeStart(m_rollout);
    m_rollout->start();
    Q_EMIT rolloutChanged();
    return m_rollout;
}

void TargetController::auditAction(const QString &action, const QString &reason, const QString &result, const QJsonObject &extra)
{
    if (!m_audit)
        return;
    AuditLog::Entry e;
    e.target = m_config.name;
    e.action = action;
    e.before = e.after = toJson(snapshot().weights());
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

void TargetController::operatorRollback(const QString &reason)
{
    // A rollback ends a running rollout: the engine rolls back and stops there.
    if (isRolloutActive())
        m_rollout->abort(reason);
    else
        rollback(reason);
}

void TargetController::promoteFull(const QString &reason)
{
    WeightChange c;
    c.canaryPercent = 100;
    c.reason = reason;
    if (m_snapshot)
        c.expected = m_snapshot->weights();
    submit({c, QStringLiteral("promote")});
}

void TargetController::promoteStep(const QString &reason)
{
    Pending p;
    p.change.canaryPercent = unknown(); // the layer's steps decide
    p.change.reason = reason;
    p.action = QStringLiteral("promote");
    p.step = true;
    submit(std::move(p));
}

void TargetController::rollback(const QString &reason)
{
    WeightChange c;
    c.canaryPercent = 0;
    c.force = true;
    c.reason = reason;
    submit({c, QStringLiteral("rollback")});
}

void TargetController::submit(Pending p)
{
    if (isReadOnly()) {
        ChangeResult r;
        r.status = ChangeResult::Status::Failed;
        r.requestedCanaryPercent = p.change.canaryPercent;
        r.message = QStringLiteral("target is read-only");
        log(int(EventLogModel::Severity::Error), QStringLiteral("%1 refused: target is read-only").arg(p.action));
        Q_EMIT actionFinished(r);
        return;
    }
    if (m_inFlight) {
        // One change at a time on the wire; the newest request wins the queue, but a rollback
        // is never replaced by something else.
        if (!(m_queued && m_queued->action == QStringLiteral("rollback") && p.action != QStringLiteral("rollback")))
            m_queued = std::move(p);
        return;
    }
    send(p);
}

void TargetController::send(const Pending &p)
{
    m_inFlight = p;
    QString what = p.step ? QStringLiteral("%1 → next step").arg(p.action)
                          : QStringLiteral("%1 → canary %2%").arg(p.action).arg(p.change.canaryPercent, 0, 'g', 4);
    if (!p.change.memberWeights.isEmpty()) {
        QStringList parts;
        for (auto it = p.change.memberWeights.cbegin(); it != p.change.memberWeights.cend(); ++it)
            parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
        what += QStringLiteral(" [%1]").arg(parts.join(QLatin1Char(' ')));
    }
    log(int(EventLogModel::Severity::Action),
        what + (p.change.reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(p.change.reason)));
    Q_EMIT actionStarted(what);
    if (p.step)
        Q_EMIT requestPromoteStep();
    else
        Q_EMIT requestApply(p.change);
}

void TargetController::onChangeFinished(const ChangeResult &r)
{
    const Pending done = m_inFlight.value_or(Pending{});
    m_inFlight.reset();
    // What the change read back is now the operator's view: without this, a next change sent
    // before the follow-up refresh lands would carry the old weights and meet a false conflict.
    if (m_snapshot && !r.after.isEmpty()) {
        for (Member &m : m_snapshot->members)
            m.weight = r.after.value(m.name, m.weight);
        m_snapshot->split = TrafficSplit::fromMembers(m_snapshot->members);
    }
    m_chartMarkers->addChange(nowMs(), done.action, r, m_snapshot && !r.after.isEmpty() ? m_snapshot->split.canary : unknown());
    const auto sev = r.ok() ? EventLogModel::Severity::Info
                            : (r.status == ChangeResult::Status::Conflict ? EventLogModel::Severity::Warning
                                                                          : EventLogModel::Severity::Error);
    log(int(sev), QStringLiteral("%1 %2: %3").arg(done.action, statusName(r.status), r.message));
    if (m_audit) {
        AuditLog::Entry e;
        e.target = m_config.name;
        e.action = done.action;
        e.before = toJson(r.before);
        e.after = toJson(r.after);
        e.reason = done.change.reason.isEmpty() ? QStringLiteral("operator") : done.change.reason;
        e.result = statusName(r.status);
        if (done.step)
            e.extra.insert(QStringLiteral("step"), true);
        else
            e.extra.insert(QStringLiteral("canaryPercent"), done.change.canaryPercent);
        e.extra.insert(QStringLiteral("message"), r.message);
        QString err;
        if (!m_audit->append(e, &err))
            log(int(EventLogModel::Severity::Error), err);
    }
    Q_EMIT actionFinished(r);
    if (m_queued) {
        Pending next = std::move(*m_queued);
        m_queued.reset();
        // A queued change was made against a view that is now outdated by this change.
        if (!next.change.expected.isEmpty() && !r.after.isEmpty())
            next.change.expected = r.after;
        send(next);
    }
    m_refreshInFlight = false; // a fresh read after every change, even if one is under way
    refreshNow();
}

void TargetController::onSnapshot(const TrafficSnapshot &s)
{
    m_refreshInFlight = false;
    m_failures = 0;
    m_lastError.clear();
    m_snapshot = s;
    m_splitHistory->append(s.timeMs, {s.split.canary, measuredCanaryPercent()});
    setState(ConnectionState::Connected);
    Q_EMIT snapshotChanged();
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
        log(int(EventLogModel::Severity::Info), QStringLiteral("metrics back"));
        m_metricsError.clear();
    }
    m_health = h;
    const qint64 t = std::max(h.stable.timeMs, h.canary.timeMs);
    m_healthHistory->append(t, healthRow(h));
    Q_EMIT healthChanged();
}

void TargetController::onRange(const HealthSeries &series, quint64 token)
{
    if (token != m_rangeToken)
        return; // an answer to an older window
    // Samples of both versions share timestamps when they come from one range query.
    QMap<qint64, QList<double>> rows;
    auto put = [&rows](const QList<HealthSample> &samples, int offset) {
        for (const HealthSample &s : samples) {
            QList<double> &row = rows[s.timeMs];
            row.resize(8, unknown());
            row[0 + offset] = s.rps;
            row[2 + offset] = s.errorRatio * 100;
            row[4 + offset] = s.p50Ms;
            row[6 + offset] = s.p99Ms;
        }
    };
    put(series.stable, 0);
    put(series.canary, 1);
    QList<TimeSeriesModel::Row> out;
    out.reserve(rows.size());
    for (auto it = rows.cbegin(); it != rows.cend(); ++it)
        out.append({it.key(), it.value()});
    m_healthHistory->mergeHistory(out);

    // The weight chart's history: the set split when the source knows it, and the measured
    // split from the request rates.
    QMap<qint64, QList<double>> split;
    for (const auto &[t, pct] : series.setCanaryPercent)
        split[t] = {pct, unknown()};
    for (const TimeSeriesModel::Row &r : std::as_const(out)) {
        QList<double> &row = split[r.timeMs];
        row.resize(2, unknown());
        row[1] = measured(r.values.at(0), r.values.at(1));
    }
    QList<TimeSeriesModel::Row> splitRows;
    for (auto it = split.cbegin(); it != split.cend(); ++it)
        splitRows.append({it.key(), it.value()});
    m_splitHistory->mergeHistory(splitRows);
    Q_EMIT healthChanged();
}

void TargetController::onMetricsFailed(const QString &error)
{
    m_instantInFlight = false;
    if (m_metricsError != error)
        log(int(EventLogModel::Severity::Warning), QStringLiteral("metrics: %1").arg(error));
    m_metricsError = error;
    Q_EMIT healthChanged();
}

void TargetController::setState(ConnectionState s)
{
    if (m_state == s)
        return;
    const ConnectionState old = m_state;
    m_state = s;
    if (s == ConnectionState::Connected)
        log(int(EventLogModel::Severity::Info),
            old == ConnectionState::Disconnected ? QStringLiteral("reconnected")
                                                 : QStringLiteral("connected (%1)").arg(m_config.kind));
    Q_EMIT connectionStateChanged(s);
}

void TargetController::log(int severity, const QString &text)
{
    if (m_log)
        m_log->add(m_config.name, EventLogModel::Severity(severity), text);
}

} // namespace Switchboard
