#include "domain.h"

#include <chrono>

namespace Switchboard {

QString versionName(Version v)
{
    return v == Version::Stable ? QStringLiteral("stable") : QStringLiteral("canary");
}

TrafficSplit TrafficSplit::fromMembers(const QList<Member> &members)
{
    qint64 stable = 0;
    qint64 canary = 0;
    for (const Member &m : members)
        (m.version == Version::Stable ? stable : canary) += m.weight;
    TrafficSplit s;
    if (stable + canary <= 0)
        return s;
    s.canary = 100.0 * double(canary) / double(stable + canary);
    s.stable = 100.0 - s.canary;
    return s;
}

MemberHealth memberHealth(const Member &m)
{
    const QString s = m.state.trimmed().toUpper();
    // Admin states first: HAProxy keeps checking a server in maintenance, but its state is
    // someone's decision, not the version's health.
    if (s.startsWith(QLatin1String("MAINT")) || s.startsWith(QLatin1String("DRAIN")) || s.startsWith(QLatin1String("NOLB")))
        return MemberHealth::Maintenance;
    // Without a check result the state is configuration (nginx's "DOWN (config)" is weight 0),
    // not a verdict.
    if (m.checkStatus.isEmpty() || s == QLatin1String("NO CHECK"))
        return MemberHealth::Unchecked;
    if (s == QLatin1String("UP"))
        return MemberHealth::Healthy;
    // "DOWN (CrashLoopBackOff)": down, with the reason (a Kubernetes pod's waiting reason).
    if (s == QLatin1String("DOWN") || s.startsWith(QLatin1String("DOWN (")))
        return MemberHealth::Down;
    // "UP 1/3" (failing, not yet down), "DOWN 1/2" (passing, not yet up), and words we do not
    // know: the checks have not decided.
    return MemberHealth::Pending;
}

QString describeHealth(const Member &m)
{
    QString s = m.name + QLatin1Char(' ') + (m.state.isEmpty() ? QStringLiteral("(no state)") : m.state);
    if (!m.checkStatus.isEmpty())
        s += QStringLiteral(" (check %1)").arg(m.checkStatus);
    return s;
}

QList<Member> TrafficSnapshot::membersOf(Version v) const
{
    QList<Member> out;
    for (const Member &m : members)
        if (m.version == v)
            out.append(m);
    return out;
}

QMap<QString, int> TrafficSnapshot::weights() const
{
    QMap<QString, int> w;
    for (const Member &m : members)
        w.insert(m.name, m.weight);
    return w;
}

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

QString statusName(ChangeResult::Status s)
{
    switch (s) {
    case ChangeResult::Status::Applied: return QStringLiteral("applied");
    case ChangeResult::Status::Conflict: return QStringLiteral("conflict");
    case ChangeResult::Status::Partial: return QStringLiteral("partial");
    case ChangeResult::Status::Failed: return QStringLiteral("failed");
    }
    return {};
}

QString connectionStateName(ConnectionState s)
{
    switch (s) {
    case ConnectionState::Connecting: return QStringLiteral("connecting");
    case ConnectionState::Connected: return QStringLiteral("connected");
    case ConnectionState::Disconnected: return QStringLiteral("disconnected");
    }
    return {};
}

} // namespace Switchboard
