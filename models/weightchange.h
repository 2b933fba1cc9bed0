#pragma once
// Steps every traffic backend takes for a change, whatever the wire protocol: the conflict
// check against what the operator last saw, and the percent-to-weights plan.

#include "domain.h"
#include "weightplan.h"

namespace Switchboard {

QString describeWeights(const QMap<QString, int> &weights);

// Fills *target with the new weight of every member and returns true; or fills *result
// (Conflict when `live` differs from `change.expected`, Failed when no plan fits) and returns false.
// With change.memberWeights the plan is those weights over the live ones, checked (known
// names, 0..maxMemberWeight, someone left serving) but not derived from the percent.
bool checkAndPlan(const WeightChange &change, const QList<Member> &members, const QMap<QString, int> &live,
                  QMap<QString, int> *target, ChangeResult *result);

// "canary 25% · stable 75% (shop-v1-a=96 shop-v1-b=96 shop-v2-a=64)"
QString describeApplied(const QList<Member> &members, const QMap<QString, int> &after);

} // namespace Switchboard
