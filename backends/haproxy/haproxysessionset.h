#pragma once
// The sessions to one target's HAProxy endpoints, shared with every other user of the same
// endpoint on the same thread. HAProxy's runtime API accepts 10 connections at once by
// default (`stats maxconn`); a connection per endpoint for each target's traffic backend,
// lease store and counters ran out of them at a few targets, and the rest waited for a free
// one until their timeout. The targets on one HAProxy share a traffic thread and a counters
// thread (BackendHost), so each process holds two connections per endpoint, whatever the
// number of targets. The sessions are taken on first use, on the thread that uses them (a
// backend is built on the GUI thread and then moved to its worker thread).

#include "haproxysession.h"

#include <memory>
#include <vector>

namespace Switchboard {

class HaproxySessionSet final
{
public:
    HaproxySessionSet(QList<HaproxyEndpoint> endpoints, const HaproxyTimeouts &timeouts);

    // One per endpoint, in the endpoints' order; call on the thread that runs the batches.
    const std::vector<std::shared_ptr<HaproxySession>> &sessions() const;
    qsizetype size() const { return m_endpoints.size(); }

    // The calling thread's session to `endpoint`, made on first use; kept while a user holds it.
    static std::shared_ptr<HaproxySession> forThread(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts);

private:
    QList<HaproxyEndpoint> m_endpoints;
    HaproxyTimeouts m_timeouts;
    mutable std::vector<std::shared_ptr<HaproxySession>> m_sessions;
};

} // namespace Switchboard
