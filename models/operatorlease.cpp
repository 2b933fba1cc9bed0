#include "operatorlease.h"

#include "auditlog.h"

#include <QStringList>
#include <QSysInfo>
#include <QTimeZone>
#include <QUrl>

namespace Switchboard {

namespace {

QString clock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss 'UTC'"));
}

QString enc(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

QString dec(const QString &s)
{
    return QUrl::fromPercentEncoding(s.toLatin1());
}

QString readWrote(LeaseStore::Write w)
{
    return w == LeaseStore::Write::Conflict ? QStringLiteral("someone wrote the lease at the same moment") : QString();
}

} // namespace

QString OperatorLease::describe(qint64 nowMs) const
{
    if (isLive(nowMs)) {
        return QStringLiteral("held by %1 since %2%3, expires in %4 s")
            .arg(holder, clock(acquiredMs), purpose.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(purpose))
            .arg((expiresMs() - nowMs + 999) / 1000);
    }
    if (!holder.isEmpty() && durationS > 0)
        return QStringLiteral("free (%1's lease expired at %2)").arg(holder, clock(expiresMs()));
    return QStringLiteral("free");
}

QString OperatorLease::toText() const
{
    return QStringList{QStringLiteral("v1"), enc(holder), enc(purpose), QString::number(acquiredMs), QString::number(renewedMs),
                       QString::number(durationS), QString::number(transitions)}
        .join(QLatin1Char(','));
}

bool OperatorLease::fromText(const QString &text, OperatorLease *out)
{
    const QStringList f = text.trimmed().split(QLatin1Char(','));
    if (f.size() != 7 || f.at(0) != QLatin1String("v1"))
        return false;
    OperatorLease l;
    bool ok[4] = {};
    l.holder = dec(f.at(1));
    l.purpose = dec(f.at(2));
    l.acquiredMs = f.at(3).toLongLong(&ok[0]);
    l.renewedMs = f.at(4).toLongLong(&ok[1]);
    l.durationS = f.at(5).toInt(&ok[2]);
    l.transitions = f.at(6).toInt(&ok[3]);
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3] || l.durationS < 0)
        return false;
    *out = l;
    return true;
}

QString currentOperator()
{
    const QString set = qEnvironmentVariable("SWITCHBOARD_OPERATOR").trimmed();
    if (!set.isEmpty())
        return set;
    const QString host = QSysInfo::machineHostName();
    return host.isEmpty() ? AuditLog::currentUser() : AuditLog::currentUser() + QLatin1Char('@') + host;
}

LeaseResult LeaseKeeper::handle(LeaseStore *store, const LeaseRequest &request, qint64 nowMs)
{
    LeaseResult r;
    r.op = request.op;
    if (!store) {
        r.outcome = LeaseResult::Outcome::NoStore;
        r.message = QStringLiteral("this target keeps no operator lease");
        return r;
    }
    r.where = store->where();
    // Two tries: a write that met another writer re-reads and decides again on what it sees.
    for (int attempt = 0; attempt < 2; ++attempt) {
        OperatorLease now;
        QString version;
        QString error;
        if (!store->read(&now, &version, &error)) {
            r.outcome = LeaseResult::Outcome::Failed;
            r.message = QStringLiteral("cannot read the lease (%1): %2").arg(r.where, error);
            return r;
        }
        r.previous = now;
        r.lease = now;
        const bool live = now.isLive(nowMs);
        const bool mine = now.isHeldBy(request.holder, nowMs);
        OperatorLease next;
        switch (request.op) {
        case LeaseRequest::Op::Read:
            r.outcome = LeaseResult::Outcome::Read;
            r.message = now.describe(nowMs);
            return r;
        case LeaseRequest::Op::Take:
            if (live && !mine && !request.takeOver) {
                r.outcome = LeaseResult::Outcome::HeldByOther;
                r.message = now.describe(nowMs);
                return r;
            }
            next.holder = request.holder;
            next.purpose = request.purpose;
            next.acquiredMs = mine ? now.acquiredMs : nowMs;
            next.renewedMs = nowMs;
            next.durationS = std::max(1, request.durationS);
            next.transitions = now.transitions + (now.holder != request.holder && !now.holder.isEmpty() ? 1 : 0);
            break;
        case LeaseRequest::Op::Renew:
            if (live && !mine) {
                r.outcome = LeaseResult::Outcome::HeldByOther;
                r.message = QStringLiteral("the lease was taken over: %1").arg(now.describe(nowMs));
                return r;
            }
            // Ours, or gone (expired, or a load balancer reload dropped it): ours again.
            next = now.holder == request.holder ? now : OperatorLease{};
            next.holder = request.holder;
            if (next.acquiredMs == 0)
                next.acquiredMs = nowMs;
            if (next.purpose.isEmpty())
                next.purpose = request.purpose;
            next.renewedMs = nowMs;
            next.durationS = std::max(1, request.durationS);
            break;
        case LeaseRequest::Op::Release:
            if (!mine) {
                r.outcome = LeaseResult::Outcome::NotHeld;
                r.message = QStringLiteral("not held by %1: %2").arg(request.holder, now.describe(nowMs));
                return r;
            }
            // Kept as an expired record (who held it last), as Kubernetes' leader election does.
            next = now;
            next.renewedMs = nowMs;
            next.durationS = 0;
            break;
        }
        const LeaseStore::Write w = store->write(next, version, &error);
        if (w == LeaseStore::Write::Conflict && attempt == 0)
            continue;
        if (w != LeaseStore::Write::Ok) {
            r.outcome = LeaseResult::Outcome::Failed;
            r.message = QStringLiteral("cannot write the lease (%1): %2").arg(r.where, error.isEmpty() ? readWrote(w) : error);
            return r;
        }
        r.lease = next;
        switch (request.op) {
        case LeaseRequest::Op::Take:
            r.outcome = live && !mine ? LeaseResult::Outcome::TakenOver : LeaseResult::Outcome::Taken;
            r.message = live && !mine ? QStringLiteral("taken over from %1").arg(now.holder) : QStringLiteral("taken");
            break;
        case LeaseRequest::Op::Renew:
            r.outcome = LeaseResult::Outcome::Renewed;
            r.message = QStringLiteral("renewed");
            break;
        default:
            r.outcome = LeaseResult::Outcome::Released;
            r.message = QStringLiteral("released");
            break;
        }
        return r;
    }
    r.outcome = LeaseResult::Outcome::Failed;
    r.message = QStringLiteral("the lease kept changing under us (%1)").arg(r.where);
    return r;
}

} // namespace Switchboard
