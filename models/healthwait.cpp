#include "healthwait.h"

namespace Switchboard {

namespace {

using Kind = HealthWait::Decision::Kind;

HealthWait::Decision decision(Kind kind, const QString &reason = {})
{
    HealthWait::Decision d;
    d.kind = kind;
    d.reason = reason;
    return d;
}

QString joined(const QStringList &l)
{
    return l.join(QStringLiteral(", "));
}

} // namespace

void HealthWait::reset()
{
    m_waiting = false;
    m_sinceMs = -1;
    m_said.clear();
}

void HealthWait::sayOnce(Decision *d, const QString &step, const QString &what)
{
    if (what != m_said)
        d->line = QStringLiteral("%1: %2").arg(step, what);
    m_said = what;
}

HealthWait::Decision HealthWait::beforeTraffic(const QString &step, const QList<Member> &members, const QStringList &added,
                                               qint64 nowMs)
{
    // No traffic for a server the traffic layer already reports failing: that is the new
    // version failing. Undecided checks are waited for (onTick() bounds it).
    QStringList undecided;
    for (const Member &m : members) {
        if (!added.contains(m.name))
            continue;
        const MemberHealth h = memberHealth(m);
        if (h == MemberHealth::Down)
            return decision(Kind::RollBack, QStringLiteral("health check: %1 fails before getting traffic").arg(describeHealth(m)));
        if (h == MemberHealth::Pending || h == MemberHealth::Maintenance)
            undecided.append(describeHealth(m));
    }
    if (undecided.isEmpty())
        return decision(Kind::Passed);
    if (m_sinceMs < 0)
        m_sinceMs = nowMs;
    Decision d = decision(Kind::Wait);
    sayOnce(&d, step, QStringLiteral("waiting for %1 before giving it traffic").arg(joined(undecided)));
    return d;
}

void HealthWait::start(qint64 nowMs)
{
    m_waiting = true;
    m_sinceMs = nowMs;
    m_said.clear();
}

HealthWait::Decision HealthWait::withTraffic(const QString &step, const QList<Member> &members, bool deciding)
{
    // Every new server with traffic has to pass the traffic layer's health check, for as long
    // as the plan runs (paused included): one failing is the new version failing.
    QStringList undecided;
    QStringList unchecked;
    QStringList healthy;
    for (const Member &m : members) {
        if (m.version != Version::Canary || m.weight <= 0)
            continue;
        switch (memberHealth(m)) {
        case MemberHealth::Down:
            return decision(Kind::RollBack, QStringLiteral("health check: %1 with traffic").arg(describeHealth(m)));
        case MemberHealth::Pending:
        case MemberHealth::Maintenance: undecided.append(describeHealth(m)); break;
        case MemberHealth::Unchecked: unchecked.append(m.name); break;
        case MemberHealth::Healthy: healthy.append(describeHealth(m)); break;
        }
    }
    if (!m_waiting || !deciding)
        return decision(Kind::Idle);
    if (!undecided.isEmpty()) {
        Decision d = decision(Kind::Wait);
        sayOnce(&d, step, QStringLiteral("waiting for health checks: %1").arg(joined(undecided)));
        return d;
    }
    m_waiting = false;
    m_sinceMs = -1;
    QStringList said;
    if (!healthy.isEmpty())
        said.append(QStringLiteral("health checks pass: %1").arg(joined(healthy)));
    if (!unchecked.isEmpty())
        said.append(QStringLiteral("no health check on %1 (the gates judge it)").arg(unchecked.join(QStringLiteral(", "))));
    Decision d = decision(Kind::Passed);
    d.line = QStringLiteral("%1: %2").arg(step, said.join(QStringLiteral("; ")));
    return d;
}

HealthWait::Decision HealthWait::onTick(const QString &step, qint64 nowMs) const
{
    if (m_sinceMs < 0 || nowMs - m_sinceMs <= timeoutMs)
        return decision(Kind::Idle);
    return decision(Kind::Pause, QStringLiteral("%1: health checks undecided after %2 s (%3); resume waits again, rollback goes to 0%")
                                     .arg(step)
                                     .arg(timeoutMs / 1000)
                                     .arg(m_said.isEmpty() ? QStringLiteral("no fresh read of the servers") : m_said));
}

} // namespace Switchboard
