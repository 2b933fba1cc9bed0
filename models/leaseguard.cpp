#include "leaseguard.h"

#include <QDateTime>

#include <algorithm>

namespace Switchboard {

LeaseGuard::LeaseGuard(bool hasStore, const QString &holder, QObject *parent)
    : QObject(parent)
    , m_hasStore(hasStore)
    , m_holder(holder)
{
    connect(&m_timer, &PhasedTimer::timeout, this, &LeaseGuard::tick);
}

void LeaseGuard::start()
{
    if (!m_hasStore)
        return;
    m_timer.start(); // at a random phase: a fleet starts all its guards at once
    refresh();
}

void LeaseGuard::stop()
{
    m_timer.stop();
}

void LeaseGuard::refresh()
{
    // Asked for: sent even with a request on the way, so the answer is at least as new as the ask.
    if (m_hasStore)
        send(LeaseRequest::Op::Read, {}, false);
}

void LeaseGuard::tick()
{
    // Expiry changes nothing stored: say so when the lease stops (or starts) barring us.
    const bool other = isHeldByOther(QDateTime::currentMSecsSinceEpoch());
    if (other != m_lastOther) {
        m_lastOther = other;
        Q_EMIT changed();
    }
    // One request at a time from the timer: a slow store must not pile reads up behind it.
    if (m_pending > 0)
        return;
    if (m_keeping)
        send(LeaseRequest::Op::Renew, m_purpose, false, m_durationS);
    else
        send(LeaseRequest::Op::Read, {}, false);
}

void LeaseGuard::take(const QString &purpose, bool takeOver, int durationS)
{
    m_purpose = purpose;
    m_wantKeep = true;
    m_durationS = durationS > 0 ? durationS : keepDurationS;
    send(LeaseRequest::Op::Take, purpose, takeOver, m_durationS);
}

void LeaseGuard::release()
{
    // Also when the take is still on its way: its answer must not start renewing again.
    m_wantKeep = false;
    m_keeping = false;
    send(LeaseRequest::Op::Release, {}, false);
}

void LeaseGuard::send(LeaseRequest::Op op, const QString &purpose, bool takeOver, int durationS)
{
    LeaseRequest r;
    r.op = op;
    r.holder = m_holder;
    r.purpose = purpose;
    r.durationS = durationS > 0 ? durationS : keepDurationS;
    r.takeOver = takeOver;
    ++m_pending;
    Q_EMIT requestLease(r);
}

void LeaseGuard::onAnswer(const LeaseResult &r)
{
    m_pending = std::max(0, m_pending - 1);
    if (!r.where.isEmpty())
        m_where = r.where;
    const OperatorLease before = m_lease;
    const QString errorBefore = m_error;
    const bool keepingBefore = m_keeping;
    if (r.outcome == LeaseResult::Outcome::Failed || r.outcome == LeaseResult::Outcome::NoStore) {
        m_error = r.message;
    } else {
        m_error.clear();
        m_known = true;
        m_lease = r.lease;
    }
    switch (r.outcome) {
    case LeaseResult::Outcome::Taken:
    case LeaseResult::Outcome::TakenOver:
        if (r.op == LeaseRequest::Op::Take)
            m_keeping = m_wantKeep;
        break;
    case LeaseResult::Outcome::Released:
        m_keeping = false;
        break;
    case LeaseResult::Outcome::HeldByOther:
        if (r.op == LeaseRequest::Op::Renew && m_keeping) {
            m_keeping = false;
            Q_EMIT lost(r);
        }
        break;
    default:
        break;
    }
    if (r.op == LeaseRequest::Op::Take || r.op == LeaseRequest::Op::Release)
        Q_EMIT answered(r);
    m_lastOther = isHeldByOther(QDateTime::currentMSecsSinceEpoch());
    if (!(before == m_lease) || errorBefore != m_error || keepingBefore != m_keeping)
        Q_EMIT changed();
}

} // namespace Switchboard
