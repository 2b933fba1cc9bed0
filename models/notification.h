#pragma once
// What people outside the window are told when a rollout needs them: a rollback (automatic or
// by hand), a pause that waits for the operator, a failure, a promotion. A plain value: the
// model (RolloutNotifier) fills it, the senders (desktop, webhooks) only format it.

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Switchboard {

struct Notification
{
    enum class Kind { RolledBack, Paused, Failed, Promoted };

    Kind kind = Kind::RolledBack;
    QString target;
    QString plan;        // the rollout's plan; empty for an action outside a rollout
    QString what;        // one line: "rolled back automatically", "rollback failed", ...
    QString reason;      // why, as the engine or the traffic layer said it (gate values included)
    QStringList figures; // the numbers behind it: each gate's last result, the canary's share now
    QString who;         // the operator, or "Switchboard (automatic; rollout run by ana)"
    qint64 timeMs = 0;   // wall clock, ms since epoch

    // rolled-back | paused | failed | promoted: the config's "events" filter and the generic
    // webhook's "event" field.
    static QString kindName(Kind k);
    static bool kindFromName(const QString &name, Kind *out);
    QString kindName() const { return kindName(kind); }
    // "shop: rolled back" (English: webhook messages stay English like the CLI's output).
    QString title() const;
    // The lines of a message body, title excluded: what, why, numbers, who, when (UTC).
    QStringList lines() const;
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::Notification)
