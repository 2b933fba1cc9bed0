#include "notification.h"

#include <QDateTime>

namespace Switchboard {

QString Notification::kindName(Kind k)
{
    switch (k) {
    case Kind::RolledBack: return QStringLiteral("rolled-back");
    case Kind::Paused: return QStringLiteral("paused");
    case Kind::Failed: return QStringLiteral("failed");
    case Kind::Promoted: return QStringLiteral("promoted");
    }
    return {};
}

bool Notification::kindFromName(const QString &name, Kind *out)
{
    for (Kind k : {Kind::RolledBack, Kind::Paused, Kind::Failed, Kind::Promoted}) {
        if (kindName(k) == name) {
            *out = k;
            return true;
        }
    }
    return false;
}

QString Notification::title() const
{
    switch (kind) {
    case Kind::RolledBack: return QStringLiteral("%1: rolled back").arg(target);
    case Kind::Paused: return QStringLiteral("%1: rollout paused, needs the operator").arg(target);
    case Kind::Failed: return QStringLiteral("%1: failed").arg(target);
    case Kind::Promoted: return QStringLiteral("%1: promoted").arg(target);
    }
    return target;
}

QStringList Notification::lines() const
{
    QStringList out;
    out.append(plan.isEmpty() ? what : QStringLiteral("%1 (plan %2)").arg(what, plan));
    if (!reason.isEmpty())
        out.append(QStringLiteral("why: %1").arg(reason));
    for (const QString &f : figures)
        out.append(f);
    out.append(QStringLiteral("who: %1").arg(who));
    out.append(QStringLiteral("at: %1").arg(QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODate)));
    return out;
}

} // namespace Switchboard
