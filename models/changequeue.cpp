#include "changequeue.h"

#include "auditlog.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Switchboard {

namespace {

QJsonObject toJson(const QMap<QString, int> &weights)
{
    QJsonObject o;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

bool isRollback(const ChangeQueue::Change &c)
{
    return c.action == QStringLiteral("rollback");
}

} // namespace

ChangeQueue::ChangeQueue(const QString &target, AuditLog *audit, QObject *parent)
    : QObject(parent)
    , m_target(target)
    , m_audit(audit)
{
}

quint64 ChangeQueue::submit(Change c)
{
    c.change.id = takeId();
    c.change.requestedAtNs = steadyNowNs();
    const quint64 id = c.change.id;
    if (m_inFlight || m_finishing) {
        // One change at a time on the wire; the newest request wins the queue, but a rollback
        // is never replaced by something else.
        if (!(m_queued && isRollback(*m_queued) && !isRollback(c)))
            m_queued = std::move(c);
        return id;
    }
    send(std::move(c));
    return id;
}

void ChangeQueue::send(Change c)
{
    m_inFlight = std::move(c);
    Q_EMIT sendRequested(*m_inFlight);
}

void ChangeQueue::finish(const ChangeResult &result)
{
    const std::optional<Change> done = m_inFlight;
    m_inFlight.reset();
    ChangeResult r = result;
    r.id = done ? done->change.id : 0;
    const QString auditError = done ? writeAudit(*done, r) : QString();
    // A queued change was made against a view that is now outdated by this change.
    if (m_queued && !m_queued->change.expected.isEmpty() && !r.after.isEmpty())
        m_queued->change.expected = r.after;
    // Changes submitted by those who hear of this result queue by the usual rules (a rollback
    // among them replaces a queued change) instead of jumping onto the wire next to it.
    m_finishing = true;
    Q_EMIT finished(done.value_or(Change{}), r, auditError);
    m_finishing = false;
    if (m_queued) {
        Change next = std::move(*m_queued);
        m_queued.reset();
        send(std::move(next));
    }
}

QString ChangeQueue::writeAudit(const Change &c, const ChangeResult &r)
{
    if (!m_audit)
        return {};
    AuditLog::Entry e;
    e.target = m_target;
    e.action = c.action;
    e.before = toJson(r.before);
    e.after = toJson(r.after);
    e.reason = c.change.reason.isEmpty() ? QStringLiteral("operator") : c.change.reason;
    e.result = statusName(r.status);
    if (c.step)
        e.extra.insert(QStringLiteral("step"), true);
    else if (c.change.routeEdit)
        e.extra.insert(QStringLiteral("route"), c.change.routeEdit->describe());
    else
        e.extra.insert(QStringLiteral("canaryPercent"), c.change.canaryPercent);
    if (r.routesTouched) {
        QJsonArray before;
        for (const TrafficRoute &t : r.routesBefore)
            before.append(t.toJson());
        QJsonArray after;
        for (const TrafficRoute &t : r.routesAfter)
            after.append(t.toJson());
        e.extra.insert(QStringLiteral("routesBefore"), before);
        e.extra.insert(QStringLiteral("routesAfter"), after);
    }
    e.extra.insert(QStringLiteral("message"), r.message);
    if (r.confirmedAfterNs > 0) // milliseconds, to the microsecond
        e.extra.insert(QStringLiteral("confirmedAfterMs"), double(r.confirmedAfterNs / 1000) / 1000.0);
    QString err;
    return m_audit->append(e, &err) ? QString() : err;
}

} // namespace Switchboard
