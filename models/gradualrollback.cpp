#include "gradualrollback.h"

#include "targetcontroller.h"

#include <QDateTime>
#include <QStringList>

#include <cmath>

namespace Switchboard {

namespace {

QString gradualPct(double v)
{
    return QString::number(v, 'g', 4) + QLatin1Char('%');
}

} // namespace

QList<double> GradualRollback::defaultSteps(double currentPercent)
{
    QList<double> out;
    if (isKnown(currentPercent) && currentPercent > 0) {
        out.append(currentPercent / 2);
        out.append(currentPercent / 4);
    }
    out.append(0);
    return out;
}

bool GradualRollback::parseSteps(const QString &text, double currentPercent, QList<double> *out, QString *error)
{
    QList<double> steps;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok || !(v >= 0 && v <= 100)) {
            *error = QStringLiteral("--steps: \"%1\" is not a percent from 0 to 100").arg(part.trimmed());
            return false;
        }
        if (!steps.isEmpty() && v >= steps.constLast()) {
            *error = QStringLiteral("--steps: must go down, step by step, towards 0 (%1 after %2)").arg(v).arg(steps.constLast());
            return false;
        }
        steps.append(v);
    }
    if (steps.isEmpty()) {
        *error = QStringLiteral("--steps: give at least one percent, e.g. 50,25,0");
        return false;
    }
    // A step at or above the current share would not be a step back.
    if (isKnown(currentPercent))
        steps.removeIf([currentPercent](double v) { return v > 0 && v >= currentPercent; });
    if (steps.isEmpty() || steps.constLast() != 0)
        steps.append(0);
    *out = steps;
    return true;
}

QString GradualRollback::stateName(State s)
{
    switch (s) {
    case State::Idle: return QStringLiteral("idle");
    case State::Running: return QStringLiteral("running");
    case State::Done: return QStringLiteral("done");
    case State::RolledBack: return QStringLiteral("rolled back at once");
    case State::Cancelled: return QStringLiteral("cancelled");
    case State::Failed: return QStringLiteral("failed");
    }
    return {};
}

GradualRollback::GradualRollback(TargetController *controller, const QList<double> &steps, qint64 holdMs,
                                 const QList<GateSpec> &gates, Clock nowMs, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_steps(steps)
    , m_holdMs(holdMs)
    , m_gates(gates)
    , m_now(nowMs ? std::move(nowMs) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
    if (m_steps.isEmpty() || m_steps.constLast() != 0)
        m_steps.append(0);
    m_tick.setInterval(200);
    connect(&m_tick, &QTimer::timeout, this, &GradualRollback::tick);
    connect(controller, &TargetController::actionFinished, this, &GradualRollback::onActionFinished);
    connect(controller, &TargetController::healthChanged, this, &GradualRollback::onHealthChanged);
}

void GradualRollback::start(const QString &reason)
{
    if (m_state != State::Idle)
        return;
    m_reason = reason;
    m_state = State::Running;
    Q_EMIT stateChanged(m_state);
    QStringList steps;
    for (double s : std::as_const(m_steps))
        steps.append(gradualPct(s));
    Q_EMIT logLine(QStringLiteral("gradual rollback: %1, holding each step %2 s with gates watching; a breach goes straight to 0%")
                       .arg(steps.join(QStringLiteral(" → "))).arg(double(m_holdMs) / 1000, 0, 'g', 4));
    m_step = 0;
    m_tick.start();
    sendStep();
}

void GradualRollback::sendStep()
{
    const double pct = m_steps.at(m_step);
    m_heldSinceMs = -1;
    m_awaitId = m_controller->nextChangeId();
    m_sent.append(m_awaitId);
    const QString why = QStringLiteral("gradual rollback step %1/%2%3")
                            .arg(m_step + 1).arg(m_steps.size())
                            .arg(m_reason.isEmpty() ? QString() : QStringLiteral(": ") + m_reason);
    // The last step is a rollback like any other (audited as one, never refused by a conflict).
    if (pct == 0)
        m_controller->rollback(why);
    else
        m_controller->rollbackStep(pct, why);
}

void GradualRollback::straightToZero(const QString &why)
{
    if (m_emergency)
        return;
    m_emergency = true;
    m_reason = why;
    Q_EMIT logLine(QStringLiteral("gradual rollback: %1: straight to 0%").arg(why));
    m_heldSinceMs = -1;
    m_awaitId = m_controller->nextChangeId();
    m_sent.append(m_awaitId);
    m_controller->rollback(QStringLiteral("gradual rollback: %1").arg(why));
}

void GradualRollback::onActionFinished(const ChangeResult &r)
{
    if (m_state != State::Running)
        return;
    const bool ours = r.id != 0 && m_sent.removeOne(r.id);
    if (ours && r.id != m_awaitId)
        return; // a step overtaken by the straight-to-0 rollback
    if (!ours) {
        // Someone else moved traffic (the immediate ROLLBACK, another shell): not ours to undo.
        if (r.ok() && r.id != 0) {
            if (r.requestedCanaryPercent == 0)
                return finish(State::Cancelled, QStringLiteral("rolled back to 0% outside the gradual rollback"));
            return finish(State::Cancelled, QStringLiteral("traffic changed outside the gradual rollback (canary %1)")
                                                .arg(gradualPct(r.requestedCanaryPercent)));
        }
        return;
    }
    m_awaitId = 0;
    if (m_emergency) {
        if (r.ok())
            return finish(State::RolledBack, m_reason);
        return finish(State::Failed, QStringLiteral("%1; the rollback to 0% %2: %3: roll back by hand")
                                         .arg(m_reason, statusName(r.status), r.message));
    }
    if (!r.ok())
        return straightToZero(QStringLiteral("step to %1 %2 (%3)").arg(gradualPct(m_steps.at(m_step)), statusName(r.status), r.message));
    Q_EMIT logLine(QStringLiteral("gradual rollback: canary at %1").arg(gradualPct(m_steps.at(m_step))));
    if (m_step == m_steps.size() - 1)
        return finish(State::Done, QStringLiteral("canary at 0% in %1 step(s)").arg(m_steps.size()));
    m_watch.resetVolume();
    m_heldSinceMs = m_now();
}

void GradualRollback::onHealthChanged()
{
    if (m_state != State::Running || m_emergency)
        return;
    const bool stale = m_controller->isHealthStale(m_now());
    if (m_controller->hasHealth() && !stale)
        m_watch.record(m_controller->health(), m_controller->staleAfterMs());
    QList<GateResult> results;
    if (!m_watch.judge(m_gates, m_controller->health(), m_controller->metricsError(), m_now(), m_controller->staleAfterMs(), &results))
        return;
    for (const GateResult &r : std::as_const(results)) {
        if (r.outcome == GateResult::Outcome::Fail)
            return straightToZero(QStringLiteral("gate %1").arg(r.text));
        if (r.isNoData() && !m_noDataLogged) {
            m_noDataLogged = true;
            Q_EMIT logLine(QStringLiteral("gradual rollback: gate %1; stepping on (every step goes back towards stable)").arg(r.text));
        }
    }
}

void GradualRollback::tick()
{
    if (m_state != State::Running || m_emergency || m_heldSinceMs < 0 || m_now() - m_heldSinceMs < m_holdMs)
        return;
    ++m_step;
    sendStep();
}

void GradualRollback::cancel(const QString &why)
{
    if (m_state != State::Running || m_emergency)
        return;
    finish(State::Cancelled, why);
}

void GradualRollback::finish(State s, const QString &reason)
{
    m_tick.stop();
    m_state = s;
    m_reason = reason;
    Q_EMIT logLine(QStringLiteral("gradual rollback %1: %2").arg(stateName(s), reason));
    Q_EMIT stateChanged(s);
    Q_EMIT finished(s);
}

} // namespace Switchboard
