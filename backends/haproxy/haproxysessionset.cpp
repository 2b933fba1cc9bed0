#include "haproxysessionset.h"

#include "threadshared.h"

namespace Switchboard {

HaproxySessionSet::HaproxySessionSet(QList<HaproxyEndpoint> endpoints, const HaproxyTimeouts &timeouts)
    : m_endpoints(std::move(endpoints))
    , m_timeouts(timeouts)
{
}

const std::vector<std::shared_ptr<HaproxySession>> &HaproxySessionSet::sessions() const
{
    if (m_sessions.empty()) {
        for (const HaproxyEndpoint &e : m_endpoints)
            m_sessions.push_back(forThread(e, m_timeouts));
    }
    return m_sessions;
}

std::shared_ptr<HaproxySession> HaproxySessionSet::forThread(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts)
{
    // Per thread: a session is used by one thread at a time.
    const QString key = QStringLiteral("%1 %2 %3").arg(endpoint.toString()).arg(timeouts.connectMs).arg(timeouts.commandMs);
    return threadShared<HaproxySession>(key, [&] { return std::make_shared<HaproxySession>(endpoint, timeouts); });
}

} // namespace Switchboard
