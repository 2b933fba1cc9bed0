#include "haproxysessionset.h"

#include <map>

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
    // Per thread: a session is used by one thread at a time. Entries of sessions no one holds
    // any more are dropped on the way.
    thread_local std::map<QString, std::weak_ptr<HaproxySession>> sessions;
    for (auto it = sessions.begin(); it != sessions.end();)
        it = it->second.expired() ? sessions.erase(it) : std::next(it);
    const QString key = QStringLiteral("%1 %2 %3").arg(endpoint.toString()).arg(timeouts.connectMs).arg(timeouts.commandMs);
    std::weak_ptr<HaproxySession> &slot = sessions[key];
    std::shared_ptr<HaproxySession> session = slot.lock();
    if (!session) {
        session = std::make_shared<HaproxySession>(endpoint, timeouts);
        slot = session;
    }
    return session;
}

} // namespace Switchboard
