#include "rolloutnotifier.h"

#include "targetcontroller.h"

#include <QDateTime>

namespace Switchboard {

namespace {

QString notifierPercent(double v)
{
    return isKnown(v) ? QStringLiteral("%1%").arg(v, 0, 'g', 4) : QStringLiteral("unknown");
}

} // namespace

RolloutNotifier::RolloutNotifier(TargetController *controller, const QString &user, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_user(user)
{
    connect(controller, &TargetController::rolloutStarting, this, &RolloutNotifier::watch);
    connect(controller, &TargetController::changeAnswered, this, &RolloutNotifier::onChangeAnswered);
}

void RolloutNotifier::watch(RolloutEngine *engine)
{
    if (m_engine)
        disconnect(m_engine, nullptr, this, nullptr);
    m_engine = engine;
    m_lastState = engine->state();
    connect(engine, &RolloutEngine::stateChanged, this, &RolloutNotifier::onStateChanged);
    connect(engine, &RolloutEngine::finished, this, &RolloutNotifier::onFinished);
}

QString RolloutNotifier::automatic() const
{
    return QStringLiteral("Switchboard (automatic; rollout run by %1)").arg(m_user);
}

QStringList RolloutNotifier::figures(bool ofRollout) const
{
    QStringList out;
    if (m_engine && ofRollout)
        for (const GateResult &g : m_engine->lastGateResults())
            out.append(QStringLiteral("gate %1").arg(g.text));
    if (m_controller->hasSnapshot())
        out.append(QStringLiteral("canary now %1 of traffic (set)").arg(notifierPercent(m_controller->snapshot().split.canary)));
    return out;
}

Notification RolloutNotifier::make(Notification::Kind kind, const QString &what, const QString &reason, const QString &who,
                                   bool ofRollout) const
{
    Notification n;
    n.kind = kind;
    n.target = m_controller->name();
    n.plan = m_engine && ofRollout ? m_engine->plan().name : QString();
    n.what = what;
    n.reason = reason;
    n.figures = figures(ofRollout);
    n.who = who;
    n.timeMs = QDateTime::currentMSecsSinceEpoch();
    return n;
}

void RolloutNotifier::onStateChanged(RolloutEngine::State state)
{
    const RolloutEngine::State before = m_lastState;
    m_lastState = state;
    // Once per pause: a pause whose reason is reworded while it lasts is still the same pause.
    if (state != RolloutEngine::State::Paused || before == RolloutEngine::State::Paused)
        return;
    const RolloutEngine::PauseKind kind = m_engine->pauseKind();
    if (kind == RolloutEngine::PauseKind::Operator)
        return; // the operator paused it and knows
    const QString who = kind == RolloutEngine::PauseKind::External
                            ? QStringLiteral("someone outside this rollout (another operator or tool)")
                            : automatic();
    Q_EMIT raised(make(Notification::Kind::Paused, QStringLiteral("rollout paused, waiting for the operator"),
                       m_engine->reason(), who));
}

void RolloutNotifier::onFinished(RolloutEngine::Outcome outcome)
{
    const QString reason = m_engine->reason();
    switch (outcome) {
    case RolloutEngine::Outcome::RolledBack: {
        // The engine's reasons say who decided: the operator's abort, a change from outside, or
        // the plan itself (a gate, a health check).
        if (reason.startsWith(QLatin1String("aborted by the operator")))
            return Q_EMIT raised(make(Notification::Kind::RolledBack, QStringLiteral("rolled back by hand"), reason, m_user));
        if (reason.startsWith(QLatin1String("rolled back outside the rollout")))
            return Q_EMIT raised(make(Notification::Kind::RolledBack, QStringLiteral("rolled back outside the rollout"), reason,
                                      QStringLiteral("someone outside this rollout (another operator or tool)")));
        return Q_EMIT raised(make(Notification::Kind::RolledBack, QStringLiteral("rolled back automatically"), reason, automatic()));
    }
    case RolloutEngine::Outcome::Promoted:
        return Q_EMIT raised(make(Notification::Kind::Promoted, QStringLiteral("rollout promoted: the new version takes all traffic"),
                                  reason, automatic()));
    case RolloutEngine::Outcome::Failed:
        return Q_EMIT raised(make(Notification::Kind::Failed, QStringLiteral("rollout failed"), reason, automatic()));
    }
}

void RolloutNotifier::onChangeAnswered(const QString &action, const QString &reason, const ChangeResult &r)
{
    // During a rollout the engine's own end says it, with the plan's reasons: not twice. (The
    // engine may hear the answer first and be finished by now: its ids tell its changes apart.)
    if (m_controller->isRolloutActive() || (m_engine && m_engine->sentChange(r.id)))
        return;
    const QString why = reason.isEmpty() ? r.message : QStringLiteral("%1; %2").arg(reason, r.message);
    if (action == QLatin1String("rollback")) {
        if (r.ok())
            Q_EMIT raised(make(Notification::Kind::RolledBack, QStringLiteral("rolled back by hand"), why, m_user, false));
        else
            Q_EMIT raised(make(Notification::Kind::Failed, QStringLiteral("rollback %1").arg(statusName(r.status)), why, m_user, false));
    } else if (action == QLatin1String("promote") && r.ok() && r.requestedCanaryPercent == 100) {
        Q_EMIT raised(make(Notification::Kind::Promoted, QStringLiteral("promoted to 100% by hand"), why, m_user, false));
    }
}

} // namespace Switchboard
