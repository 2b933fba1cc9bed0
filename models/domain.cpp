#include "domain.h"

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
