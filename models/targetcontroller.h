#pragma once
// One target as the operator sees it: polls its backends (backing off while the traffic layer
// is unreachable), keeps the latest split and health, and owns the target's rollout. Its parts:
// the change queue (the operator's actions, one at a time, audited, each result matched to its
// change by id) and the chart history (HealthHistory).

#include "backendhost.h"
#include "changequeue.h"
#include "domain.h"
#include "leaseguard.h"
#include "phasedtimer.h"
#include "verdictwatch.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace Switchboard {

class AuditLog;
class ChartMarkerModel;
class EventLogModel;
class GradualRollback;
class HealthHistory;
class RolloutEngine;
struct RolloutPlan;
class TimeSeriesModel;

class TargetController final : public QObject
{
    Q_OBJECT
public:
    // `log` and `audit` are shared with other targets and must outlive this object; `audit` may be null.
    TargetController(const TargetConfig &config, std::unique_ptr<BackendHost> host, EventLogModel *log,
                     AuditLog *audit, QObject *parent = nullptr);
    ~TargetController() override;

    const TargetConfig &config() const { return m_config; }
    QString name() const { return m_config.name; }

    ConnectionState connectionState() const { return m_state; }
    QString lastError() const { return m_lastError; }
    QString metricsError() const { return m_metricsError; }
    bool hasSnapshot() const { return m_snapshot.has_value(); }
    TrafficSnapshot snapshot() const { return m_snapshot.value_or(TrafficSnapshot{}); }
    bool hasHealth() const { return m_health.has_value(); }
    HealthSnapshot health() const { return m_health.value_or(HealthSnapshot{}); }
    // Canary share of the measured request rate, NaN when unknown.
    double measuredCanaryPercent() const;
    // Age of the newest data (split or health), -1 when there is none yet.
    qint64 dataAgeMs(qint64 nowMs) const;
    // Data older than this is stale: shown grey, and to the rollout engine it is no data.
    // targets.json "staleAfterMs"; default 3 poll intervals, at least 5 s.
    qint64 staleAfterMs() const;
    // True when there is no fresh health to decide on: none yet, the metrics layer failing, or
    // the newest sample older than staleAfterMs().
    bool isHealthStale(qint64 nowMs) const;
    bool isActionInFlight() const;
    // The id the next change asked of this controller will carry (ChangeResult::id of its
    // answer). Read it before asking: a refusal is answered before the call returns.
    quint64 nextChangeId() const;
    // Read-only: targets.json or --read-only says so, or the traffic layer found we may not
    // write (checked at refresh, before any action). Every action is then refused unsent.
    bool isReadOnly() const { return m_config.readOnly || (m_snapshot && m_snapshot->readOnly); }
    // Why, one line for badges, tooltips and refusals; empty when not read-only.
    QString readOnlyReason() const;
    bool hasMetrics() const { return m_host->metrics() != nullptr; }
    // A range (history) answer arrived since start: the verdict's window has its history.
    bool hasRangeAnswer() const { return m_rangeAnswered; }

    // The fast signal: the traffic layer's own counters (HAProxy's `show stat`) read every
    // fastSignalMs next to the metrics layer, for the rollout's gates only (not the charts).
    bool hasFastSignal() const { return m_host->fastMetrics() != nullptr; }
    bool hasFastHealth() const { return m_fastHealth.has_value(); }
    HealthSnapshot fastHealth() const { return m_fastHealth.value_or(HealthSnapshot{}); }
    QString fastSignalError() const { return m_fastError; }
    // A fast sample older than this is no data: four intervals, at least one second.
    qint64 fastStaleAfterMs() const;

    // Columns: stableRps canaryRps stableErrorPct canaryErrorPct stableP50Ms canaryP50Ms stableP99Ms canaryP99Ms
    TimeSeriesModel *healthHistory() const;
    // Columns: setCanaryPct measuredCanaryPct
    TimeSeriesModel *splitHistory() const;
    // Weight changes that took effect (ours, and External ones: weights that changed
    // without us) and gate results that changed, for the charts' time axis.
    ChartMarkerModel *chartMarkers() const { return m_chartMarkers; }

    void start();
    void stop();
    // Any thread: stops polling and asks the backends to end what they are doing now (closing
    // the target or quitting); nothing is sent after it.
    void requestStop();

    // The rollout running (or last run) on this target, null if none. Owned by the controller.
    RolloutEngine *rollout() const { return m_rollout; }
    bool isRolloutActive() const;
    // Starts `plan` on this target; refuses (null) while another rollout is active.
    // `beforeStart` sees the engine before it starts, to connect to the lines start() logs.
    RolloutEngine *startRollout(const RolloutPlan &plan, const std::function<void(RolloutEngine *)> &beforeStart = {});

    // The continuous verdict of canary against stable (rollout or not) and its gates.
    const Verdict &verdict() const { return m_verdictWatch.current(); }
    const QList<GateSpec> &verdictGates() const { return m_verdictWatch.gates(); }
    // "Roll back automatically" (targets.json verdict.autoRollback): a failing verdict outside a
    // rollout rolls back to 0% at once. Off by default: otherwise the verdict moves nothing.
    bool autoRollback() const { return m_verdictWatch.autoRollback(); }
    // Sets it, saves it into `targetsPath` (atomically, off the GUI thread; empty: this run
    // only) and audits it. Answers autoRollbackChanged once saved (or not).
    void setAutoRollback(bool on, const QString &targetsPath);

    // The gradual rollback running (or last run), null if none. Owned by the controller.
    GradualRollback *gradualRollback() const { return m_gradual; }
    bool isGradualRollbackActive() const;
    // Steps back (e.g. 50 → 25 → 0), holding each step holdMs with the verdict gates watching;
    // a breach goes straight to 0%. Ends a running rollout the way any outside change does.
    // Empty `steps`: GradualRollback::defaultSteps. Refused (null) while one runs.
    // `beforeStart` sees it before it starts, to connect to the lines start() logs.
    GradualRollback *startGradualRollback(const QList<double> &steps, qint64 holdMs, const QString &reason,
                                          const std::function<void(GradualRollback *)> &beforeStart = {});
    qint64 verdictWindowMs() const { return m_verdictWatch.windowMs(); }

    // The operator lease: who drives this target now. Others' leases refuse every action but
    // a rollback (the way back is never refused); take() it over to act. A rollout takes it
    // when it starts (unless this operator holds it already) and gives it back when it ends;
    // a rollout whose lease is taken over pauses. Takes, take-overs and releases are audited
    // (lease-take, lease-take-over, lease-release).
    LeaseGuard *lease() const { return m_lease; }
    // One line for a refusal, empty when nobody else holds the lease.
    QString leaseRefusal(qint64 nowMs) const;

public Q_SLOTS:
    void refreshNow();
    void setCanaryPercent(double percent, const QString &reason, bool force = false);
    // Per-server weights (a rolling move); members not named keep theirs. `canaryPercent` is
    // what they give the new version: the result reports it back (see WeightChange).
    void setMemberWeights(const QMap<QString, int> &weights, double canaryPercent, const QString &reason);
    // What the operator's buttons call: routed through the running rollout, if any, so the
    // plan stops (rollback) or finishes (promote) instead of carrying on from where it was.
    void operatorPromoteFull(const QString &reason);
    // `keepRoutes`: the tester routes stay (by default a rollback removes them too, so no
    // request is left on the canary).
    void operatorRollback(const QString &reason, bool keepRoutes = false);
    // The raw actions (the rollout engine uses these).
    void promoteFull(const QString &reason);
    // The traffic layer's own next step (Argo Rollouts' promote); layers without steps answer
    // Failed. Queued, logged and audited ("promote") like the other actions.
    void promoteStep(const QString &reason);
    // Always goes through: no conflict check (the way back must never be refused), and it
    // replaces any change still waiting to be sent.
    // One step of a gradual rollback: like a rollback, never refused by the conflict check.
    void rollbackStep(double canaryPercent, const QString &reason);
    void rollback(const QString &reason, bool keepRoutes = false);
    // Adds, removes or clears tester routes (header/cookie → canary). Queued, logged, audited
    // ("route") and answered like the other actions; without edit.expected, the routes last
    // read are the operator's view (a difference is a conflict).
    void editRoutes(const Switchboard::RouteEdit &edit, const QString &reason);
    // Sets the new version's image and follows its pods to Ready (the Kubernetes Deployment
    // kinds; other layers answer Failed). Logged and audited ("deploy", image before -> after);
    // answers deployFinished once. Refused unsent when read-only or while a deploy is under way.
    void deployImage(const QString &image, const QString &container, const QString &reason);
    bool isDeployInFlight() const { return m_deployInFlight; }
    void backfill(qint64 windowMs);
    // Runs a query on the metrics layer's thread; the answer comes as testQueryFinished(token).
    quint64 testQuery(const QString &query);
    // The target's settings object changed (the settings dialog saved it): the metrics layer
    // takes the new one without a restart. Answers settingsApplied; config() has it once ok.
    void applySettings(const QJsonObject &settings);
    // Audits an operator's action that moves no weights by itself (a rollout started or
    // resumed): the current weights are both before and after. Does nothing without an audit log.
    void auditAction(const QString &action, const QString &reason, const QString &result, const QJsonObject &extra = {});

Q_SIGNALS:
    void snapshotChanged();
    void healthChanged();
    void fastHealthChanged();
    void connectionStateChanged(Switchboard::ConnectionState state);
    void actionStarted(const QString &description);
    void actionFinished(const Switchboard::ChangeResult &result);
    void testQueryFinished(quint64 token, bool ok, const QString &text);
    void settingsApplied(bool ok, const QString &error);
    void rolloutChanged(); // a rollout started, or the current one changed state or step
    void verdictChanged();
    void autoRollbackChanged(bool on, bool saved, const QString &error);
    void gradualRollbackChanged(); // one started, or the current one changed state
    void deployFinished(const Switchboard::DeployResult &result);
    void leaseChanged();
    // A rollout is about to start (before its first step goes out), so watchers see all of it.
    void rolloutStarting(Switchboard::RolloutEngine *engine);
    // A change ended: `action` is set-weight, rolling-move, promote or rollback; `reason` is
    // what the caller gave. Emitted just before actionFinished, also for refused changes.
    void changeAnswered(const QString &action, const QString &reason, const Switchboard::ChangeResult &result);

    // Requests to the backends' thread (queued connections). Private: a change reaches the
    // traffic layer only through the change queue.
    void requestRefresh(QPrivateSignal);
    void requestApply(const Switchboard::WeightChange &change, QPrivateSignal);
    void requestPromoteStep(QPrivateSignal);
    void requestEditRoutes(const Switchboard::WeightChange &change, QPrivateSignal);
    void requestDeploy(const QString &image, const QString &container, QPrivateSignal);
    void requestInstant(QPrivateSignal);
    void requestFastInstant(QPrivateSignal);
    void requestRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token, QPrivateSignal);
    void requestTestQuery(const QString &query, quint64 token, QPrivateSignal);
    void requestReconfigure(const QJsonObject &settings, QPrivateSignal);

private:
    void submit(WeightChange change, const QString &action, bool step = false);
    void send(const ChangeQueue::Change &c);
    void onChangeAnswered(const ChangeQueue::Change &c, const ChangeResult &r, const QString &auditError);
    void poll();
    void onSnapshot(const TrafficSnapshot &s);
    void noticeExternalChange(const TrafficSnapshot &s);
    void onRefreshFailed(const QString &error);
    void onChangeFinished(const ChangeResult &r);
    void onInstant(const HealthSnapshot &h);
    void onRange(const HealthSeries &series, quint64 token);
    void onMetricsFailed(const QString &error);
    void pollFast();
    void onFastInstant(const HealthSnapshot &h);
    void onFastFailed(const QString &error);
    void onReconfigured(bool ok, const QString &error);
    void onImageDeployed(const DeployResult &r);
    void setState(ConnectionState s);
    void log(int severity, const QString &text);
    void updateVerdict();
    void onAutoRollbackSaved(bool on, const QString &error);
    void onLeaseAnswered(const LeaseResult &r);
    void onLeaseLost(const LeaseResult &r);
    void onRolloutFinishedForLease();

    TargetConfig m_config;
    std::unique_ptr<BackendHost> m_host;
    EventLogModel *m_log;
    AuditLog *m_audit; // for actions outside the change queue (rollout start, resume); may be null
    HealthHistory *m_history;
    ChartMarkerModel *m_chartMarkers;
    ChangeQueue *m_changes;
    PhasedTimer m_poll{m_config.pollMs};
    // In step for all targets (not phased): the reads of one HAProxy's targets then fall within
    // one shared `show stat` (HaproxyStatReader); each answer is small.
    QTimer m_fastPoll;

    ConnectionState m_state = ConnectionState::Connecting;
    QString m_lastError;
    QString m_metricsError;
    std::optional<TrafficSnapshot> m_snapshot;
    std::optional<HealthSnapshot> m_health;
    bool m_refreshInFlight = false;
    bool m_instantInFlight = false;
    bool m_fastInFlight = false;
    std::optional<HealthSnapshot> m_fastHealth;
    QString m_fastError;
    bool m_changeJustFinished = false; // a change of ours ended since the last read
    int m_failures = 0;
    qint64 m_nextAttemptMs = 0; // back-off while disconnected
    quint64 m_rangeToken = 0;
    qint64 m_backfillWindowMs = 15 * 60 * 1000; // the last window backfilled (the charts')
    quint64 m_testToken = 0;
    QList<QJsonObject> m_pendingSettings; // sent to the metrics layer, answer still to come
    RolloutEngine *m_rollout = nullptr;
    GradualRollback *m_gradual = nullptr;
    bool m_rangeAnswered = false;
    VerdictWatch m_verdictWatch;
    bool m_deployInFlight = false;
    QString m_deployReason;
    LeaseGuard *m_lease;
    bool m_rolloutTookLease = false; // the running rollout took the lease and gives it back
};

} // namespace Switchboard
