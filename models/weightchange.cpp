#include "weightchange.h"

#include "weightplan.h"

namespace Switchboard {

QString describeWeights(const QMap<QString, int> &weights)
{
    QStringList parts;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it)
        parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    return parts.join(QLatin1Char(' '));
}

bool checkAndPlan(const WeightChange &change, const QList<Member> &members, const QMap<QString, int> &live,
                  QMap<QString, int> *target, ChangeResult *result)
{
    if (!change.force && !change.expected.isEmpty() && change.expected != live) {
        result->status = ChangeResult::Status::Conflict;
        result->message = QStringLiteral("weights changed since you last looked: you saw %1, now %2")
                              .arg(describeWeights(change.expected), describeWeights(live));
        result->after = live;
        return false;
    }
    if (!change.memberWeights.isEmpty()) {
        // Per-member weights (a rolling move): every name must be one of ours, and the result
        // must leave someone serving.
        QStringList names;
        for (const Member &m : members)
            names.append(m.name);
        QMap<QString, int> next;
        for (const Member &m : members)
            next.insert(m.name, live.value(m.name, m.weight));
        for (auto it = change.memberWeights.cbegin(); it != change.memberWeights.cend(); ++it) {
            QString why;
            if (!names.contains(it.key()))
                why = QStringLiteral("no server named %1 (there are: %2)").arg(it.key(), names.join(QStringLiteral(", ")));
            else if (it.value() < 0 || it.value() > maxMemberWeight)
                why = QStringLiteral("weight %1 for %2 is outside 0..%3").arg(it.value()).arg(it.key()).arg(maxMemberWeight);
            if (!why.isEmpty()) {
                result->status = ChangeResult::Status::Failed;
                result->message = QStringLiteral("nothing changed: ") + why;
                result->after = live;
                return false;
            }
            next.insert(it.key(), it.value());
        }
        bool anyone = false;
        for (int w : std::as_const(next))
            anyone |= w > 0;
        if (!anyone) {
            result->status = ChangeResult::Status::Failed;
            result->message = QStringLiteral("nothing changed: these weights would leave no server with traffic");
            result->after = live;
            return false;
        }
        *target = next;
        return true;
    }
    int stable = 0;
    int canary = 0;
    for (const Member &m : members)
        ++(m.version == Version::Stable ? stable : canary);
    WeightPlan plan;
    QString error;
    if (!planWeights(stable, canary, change.canaryPercent, &plan, &error)) {
        result->status = ChangeResult::Status::Failed;
        result->message = error;
        result->after = live;
        return false;
    }
    target->clear();
    for (const Member &m : members)
        target->insert(m.name, m.version == Version::Stable ? plan.stableWeight : plan.canaryWeight);
    return true;
}

QString describeApplied(const QList<Member> &members, const QMap<QString, int> &after)
{
    QList<Member> now = members;
    for (Member &m : now)
        m.weight = after.value(m.name, m.weight);
    const TrafficSplit split = TrafficSplit::fromMembers(now);
    return QStringLiteral("canary %1% · stable %2% (%3)")
        .arg(split.canary, 0, 'g', 4)
        .arg(split.stable, 0, 'g', 4)
        .arg(describeWeights(after));
}

} // namespace Switchboard
