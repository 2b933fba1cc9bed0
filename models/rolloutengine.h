#pragma once
// Runs one RolloutPlan against one target: walks its steps through the TargetController's
// public slots, judges the gates on every new health observation and rolls back on the
// observation that breaches. A state machine with no widgets and no sockets: the GUI timeline
// and `switchboard run` both drive and read it.
//
// States:  Idle ─start→ Running(step i: setWeight waiting for "applied"; moveServers waiting for
//                              "applied" and then for the health checks; or a timed pause)
//                      ⇄ Analysing (analysis step)
//                      ⇄ Paused (operator | plan step "until resumed" | no data | action failed)
//          any of those ─gate fails / abort→ RollingBack → RolledBack
//                       ─last step done / promoteFull applied→ Promoted
//                       ─unusable plan, read-only target, rollback keeps failing→ Failed
// A change made outside the engine while it runs (the GUI's Rollback button, another shell)
// is respected: to 0% it ends the rollout as RolledBack, to anything else it pauses it. (Better
// still, route actions through the engine while a rollout runs.)
// Pausing never stops the watch: a gate failing while paused still rolls back. Nothing resumes
// by itself: once paused for missing data the engine stays paused until the operator resumes,
// even when the data is back, because nobody has looked at what happened meanwhile.
// With a fast signal (HAProxy's counters every 250 ms) the error-ratio gates are judged on it
// too, and a breach there rolls back at once; passes and missing data there decide nothing.
// Rolling plans also watch the traffic layer's health checks: a new server that fails its check
// before or after getting traffic rolls back; one whose checks have not decided within
// healthTimeoutMs of a move pauses the plan.

#include "analysisgate.h"
#include "healthwait.h"
#include "rolloutplan.h"

#include <QJsonObject>

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace Switchboard {

class TargetController;

class RolloutEngine final : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Analysing, RollingBack, RolledBack, Promoted, Failed };
    Q_ENUM(State)
    // External: traffic was moved outside the rollout (another shell, a colleague).
    enum class PauseKind { None, Operator, PlanStep, NoData, ActionFailed, External };
    Q_ENUM(PauseKind)
    enum class Outcome { Promoted, RolledBack, Failed };
    Q_ENUM(Outcome)
    using Clock = std::function<qint64()>;

    // `controller` (not null) must outlive the engine. `nowMs` defaults to the wall clock;
    // tests pass their own and call tick() after moving it.
    RolloutEngine(TargetController *controller, const RolloutPlan &plan, Clock nowMs = {}, QObject *parent = nullptr);
    ~RolloutEngine() override;

    const RolloutPlan &plan() const { return m_plan; }
    State state() const { return m_state; }
    PauseKind pauseKind() const { return m_pauseKind; }
    // Why it is paused, rolled back or failed; empty otherwise.
    QString reason() const { return m_reason; }
    bool isFinished() const;
    // Whether the change with this id was sent by this engine (answered or not).
    bool sentChange(quint64 id) const { return id != 0 && m_everSent.contains(id); }
    // -1 before start, plan().steps.size() once promoted.
    int currentStep() const { return m_step; }
    // Time left of the current timed pause or analysis (frozen while paused), -1 when untimed.
    qint64 remainingMs() const;
    // The canary percent the engine last saw applied, NaN before its first change.
    double appliedCanaryPercent() const { return m_applied; }
    // How long a move waits for its new servers' health checks to pass before pausing.
    static constexpr qint64 healthTimeoutMs = HealthWait::timeoutMs;
    // Latest result of each gate being watched, in plan order.
    QList<GateResult> lastGateResults() const { return m_lastResults; }

    static QString stateName(State s);
    // Names this rollout in the audit log ("20261201-104203-3fa2"); empty before start().
    QString id() const { return m_id; }

public Q_SLOTS:
    void start();
    void pause();
    // Pauses (Running or Analysing only) for a reason that is not the operator's button: the
    // operator lease went to someone else.
    void pauseWith(const QString &reason);
    // Continues the current step (a timed pause keeps its remaining time, an analysis starts
    // its window again, a failed setWeight is sent again, an "until resumed" pause ends).
    void resume();
    // Skips to the next step.
    void promote();
    // Straight to 100% canary; Promoted once applied.
    void promoteFull();
    // Rolls back to 0% canary (always goes through: no conflict check).
    // `keepRoutes`: the tester routes stay (by default the rollback removes them too).
    void abort(const QString &why = {}, bool keepRoutes = false);
    // Re-checks timed conditions (pause and analysis ends, missing health updates). The
    // internal timer calls it; tests with their own clock call it after moving the clock.
    void tick();

Q_SIGNALS:
    // Also when only the pause kind or the reason changed.
    void stateChanged(Switchboard::RolloutEngine::State state);
    void stepChanged(int step);
    void gateEvaluated(const QList<Switchboard::GateResult> &results);
    // One line per step, gate outcome change, action and decision; `switchboard run` prints them.
    void logLine(const QString &line);
    void finished(Switchboard::RolloutEngine::Outcome outcome);

private:
    enum class Awaiting { None, Step, PromoteFull, Rollback };

    void enterStep(int step);
    void sendStepWeight();
    void sendMove();
    void sendRouteStep();
    void onRouteStepFinished(const ChangeResult &r);
    void startHealthWait();
    void checkServers();
    void sendPromoteFull();
    void onHealthChanged();
    // Judges the error-ratio gates on the traffic layer's fast signal; rolls back on a breach.
    void onFastHealthChanged();
    void onActionFinished(const ChangeResult &r);
    void onSnapshotChanged();
    void onConnectionStateChanged();
    void evaluate();
    void checkAnalysisDone();
    bool watching() const;
    void setState(State s, PauseKind kind = PauseKind::None, const QString &reason = {});
    void pauseFor(PauseKind kind, const QString &reason);
    void rollBack(const QString &reason);
    void sendRollback();
    void finish(State s, Outcome o, const QString &reason);
    void log(const QString &line);
    // Writes the operator's start and resume to the target's audit log ("rollout-start", "rollout-resume").
    // Also each step entered, gate outcome change, pause and the end ("rollout-step", "rollout-gate",
    // "rollout-pause", "rollout-end"), all carrying the rollout's id: the evidence of the rollout.
    void audit(const QString &action, const QString &reason, const QString &result, QJsonObject extra = {});
    void auditGate(const GateResult &r);
    void ignored(const QString &action);
    QString stepName(int step) const;
    qint64 now() const { return m_now(); }

    TargetController *const m_controller;
    RolloutPlan m_plan;
    Clock m_now;
    QTimer m_tick;

    QString m_id;
    State m_state = State::Idle;
    PauseKind m_pauseKind = PauseKind::None;
    QString m_reason;
    int m_step = -1;
    qint64 m_stepStartMs = 0;   // start of the current pause or analysis window
    qint64 m_frozenElapsedMs = -1; // a timed step's elapsed time while paused by the operator
    int m_passes = 0;           // all-pass observations in the current analysis window
    bool m_stepApplied = false; // the current setWeight step's change was applied
    Awaiting m_sendOnSnapshot = Awaiting::None; // a change waiting for a fresh read of the weights
    bool m_snapshotOutdated = true; // the controller's snapshot predates our last change

    Awaiting m_awaiting = Awaiting::None;
    quint64 m_awaitId = 0; // id of the change awaited (ChangeResult::id)
    int m_awaitStep = -1;
    int m_rollbackAttempts = 0;
    bool m_keepRoutes = false; // the operator's abort keeps the tester routes
    qint64 m_weightChangedMs = 0; // when the engine's last weight change was applied
    QList<quint64> m_sent; // ids of the engine's changes whose results are still to come
    QSet<quint64> m_everSent; // every id it sent, for listeners that hear the answer after it

    double m_applied;
    GateWatch m_watch;
    GateWatch m_fastWatch; // the fast signal's own counts and consecutive breaches
    QList<GateResult> m_lastResults;
    QHash<QString, QString> m_logged; // gate -> outcome last logged in this step
    HealthWait m_healthWait; // a move step's wait for its new servers' health checks
};

} // namespace Switchboard
