#pragma once
// A non-emergency rollback chosen by the operator that steps the canary back (say 50 → 25 → 0),
// holding each step for a while with the target's verdict gates watching. A breach on the way
// goes straight to 0%, at once, as every automatic rollback does. Missing data does not hold it
// up: every step goes back towards stable, never forward, so there is nothing to promote.
//
// States: Running (a step on the wire, or holding) ─last step (0%) applied→ Done
//                                                  ─gate fails, a step refused→ straight to 0%
//                                                     → RolledBack (Failed if that fails too)
//                                                  ─cancel(), weights changed by someone else→ Cancelled

#include "analysisgate.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace Switchboard {

class TargetController;

class GradualRollback final : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Running, Done, RolledBack, Cancelled, Failed };
    Q_ENUM(State)
    using Clock = std::function<qint64()>;
    static constexpr qint64 defaultHoldMs = 30000;

    // Steps from the canary's current share: half, a quarter, then 0 (e.g. 50 → 25 → 12.5 → 0
    // from 100; 10 → 5 → 2.5 → 0 from 10).
    static QList<double> defaultSteps(double currentPercent);
    // "50,25,0": descending percents below the current one; 0 is added when missing. False
    // with *error when a value is not a number 0..100 or the list does not descend.
    static bool parseSteps(const QString &text, double currentPercent, QList<double> *out, QString *error);

    // `controller` must outlive this object; `gates` watch every step.
    GradualRollback(TargetController *controller, const QList<double> &steps, qint64 holdMs, const QList<GateSpec> &gates,
                    Clock nowMs = {}, QObject *parent = nullptr);

    State state() const { return m_state; }
    bool isFinished() const { return m_state != State::Idle && m_state != State::Running; }
    QList<double> steps() const { return m_steps; }
    int currentStep() const { return m_step; }
    QString reason() const { return m_reason; }
    static QString stateName(State s);

public Q_SLOTS:
    void start(const QString &reason);
    // Stops stepping and leaves traffic where it is (an immediate rollback takes over).
    void cancel(const QString &why);
    // Moves to the next step once the hold is over. The timer calls it; tests call it after
    // moving their clock.
    void tick();

Q_SIGNALS:
    void logLine(const QString &line);
    void stateChanged(Switchboard::GradualRollback::State state);
    void finished(Switchboard::GradualRollback::State state);

private:
    void sendStep();
    void straightToZero(const QString &why);
    void onActionFinished(const ChangeResult &r);
    void onHealthChanged();
    void finish(State s, const QString &reason);

    TargetController *const m_controller;
    QList<double> m_steps;
    qint64 m_holdMs;
    QList<GateSpec> m_gates;
    Clock m_now;
    QTimer m_tick;
    State m_state = State::Idle;
    QString m_reason;      // why it was started, then why it ended
    int m_step = -1;
    quint64 m_awaitId = 0; // the change awaited, 0 when none
    QList<quint64> m_sent; // ids of every change of ours whose result is still to come
    bool m_emergency = false; // the straight-to-0 rollback is on the wire
    qint64 m_heldSinceMs = -1; // when the current step was applied, -1 while on the wire
    GateWatch m_watch;
    bool m_noDataLogged = false;
};

} // namespace Switchboard
