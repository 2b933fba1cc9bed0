#pragma once
// One target's operator lease as this process sees it: reads it every few seconds (others'
// takes show up), takes, renews and releases it through the traffic backend's thread (the
// store's I/O never runs here), and says whether someone else holds it now. The controller
// asks isHeldByOther() before every action except a rollback.

#include "operatorlease.h"
#include "phasedtimer.h"

#include <QObject>

namespace Switchboard {

class LeaseGuard final : public QObject
{
    Q_OBJECT
public:
    // How often the lease is read (or, while we keep it, renewed).
    static constexpr int pollMs = 5000;
    // A lease this process keeps lasts this long past each renewal: a crashed holder's lease
    // expires within it. Renewed every pollMs, so two renewals may fail before it lapses.
    static constexpr int keepDurationS = 20;

    // `hasStore`: the target's layer keeps a lease (else every question answers "free").
    // `holder`: who this process acts as (currentOperator()).
    LeaseGuard(bool hasStore, const QString &holder, QObject *parent = nullptr);

    bool hasStore() const { return m_hasStore; }
    QString holder() const { return m_holder; }
    // A read (or write) answered at least once.
    bool isKnown() const { return m_known; }
    const OperatorLease &lease() const { return m_lease; }
    // Where the lease lives ("HAProxy map ... key shop"), once known.
    QString where() const { return m_where; }
    // The last read or write failure, empty after a success.
    QString error() const { return m_error; }
    bool isHeldByMe(qint64 nowMs) const { return m_lease.isHeldBy(m_holder, nowMs); }
    bool isHeldByOther(qint64 nowMs) const { return m_lease.isLive(nowMs) && m_lease.holder != m_holder; }
    // This process renews it (taken here, not released, not lost).
    bool isKeeping() const { return m_keeping; }
    int pendingRequests() const { return m_pending; }

    void start();
    void stop();

public Q_SLOTS:
    void refresh();
    // Takes it for `purpose` and keeps it (renewed every pollMs) until release() or until
    // someone takes it over. `takeOver`: also from a live holder (the operator confirmed).
    // `durationS` (0: keepDurationS) is how long it lasts past each renewal: a command-line
    // take that outlives its process asks for longer.
    void take(const QString &purpose, bool takeOver, int durationS = 0);
    void release();
    // The traffic backend's answer to a request of ours.
    void onAnswer(const Switchboard::LeaseResult &result);

Q_SIGNALS:
    void changed();
    // The answer to take() or release() (not to reads and renewals).
    void answered(const Switchboard::LeaseResult &result);
    // We kept it and someone took it over (a renewal found them holding it).
    void lost(const Switchboard::LeaseResult &result);
    // To the traffic backend's thread (TrafficBackend::handleLease).
    void requestLease(const Switchboard::LeaseRequest &request);

private:
    void send(LeaseRequest::Op op, const QString &purpose, bool takeOver, int durationS = 0);
    void tick();

    const bool m_hasStore;
    const QString m_holder;
    PhasedTimer m_timer{pollMs}; // the periodic reads and renewals
    OperatorLease m_lease;
    QString m_where;
    QString m_error;
    QString m_purpose;
    int m_durationS = keepDurationS;
    bool m_known = false;
    bool m_keeping = false;
    bool m_wantKeep = false; // take() asked and no release() since
    bool m_lastOther = false;
    int m_pending = 0;
};

} // namespace Switchboard
