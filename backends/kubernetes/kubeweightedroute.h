#pragma once
// The read and the guarded write that the Gateway API and Istio backends share: both keep
// per-destination weights in one array element of a route object, so both read the object with
// one GET, and change it with one merge patch carrying the whole route array (merge patches
// replace arrays whole) plus the metadata.resourceVersion it was based on, so the API server
// refuses with 409 when anyone changed the object in between. (A JSON patch with a "test" op
// on the resourceVersion would guard the write too; the resourceVersion precondition is the one
// the API server answers with 409 Conflict, which maps straight onto a Conflict result.)
// Internal to the backends library.

#include "domain.h"
#include "kubeclient.h"

#include <nlohmann/json.hpp>

#include <functional>

namespace Switchboard {

struct KubeWeightedRoute
{
    nlohmann::json object; // the whole resource as read
    std::string resourceVersion;
    QList<Member> members; // stable first, then canary, in the configured order
    QString note;          // what the resource's status says, for the operator
    QMap<QString, int> weights() const;
};

// Reads the members and weights out of a resource; false with *error when the resource does not
// have the configured members.
using KubeRouteParser = std::function<bool(const nlohmann::json &object, KubeWeightedRoute *route, QString *error)>;
// The merge patch that gives the members the `target` weights (without the resourceVersion,
// which kubeApplyRoute adds).
using KubeRoutePatcher = std::function<nlohmann::json(const KubeWeightedRoute &route, const QMap<QString, int> &target)>;

// Per-member weights for a change on a proportional-weight API: the stable members share
// 100 - P, the canary members P (P rounded to a whole percent), so the weights sum to 100 and
// the share is exact; within a version the first members get the remainder. The conflict check
// and the plan's sanity (range, a version without members) are checkAndPlan's. Returns false
// with *result filled (Conflict or Failed) as checkAndPlan does.
bool planKubeWeights(const WeightChange &change, const QList<Member> &members, const QMap<QString, int> &live,
                     QMap<QString, int> *target, ChangeResult *result);

// One GET; `what` is e.g. "HTTPRoute shop/web" for messages. With `listMaxAgeMs` > 0 (a periodic
// refresh) the object may come out of the thread's list of its collection that young
// (KubeListReader); *readAtMs (may be null) gets when it was read.
bool kubeReadRoute(KubeClient &client, const QString &path, const QString &what, const KubeRouteParser &parse,
                   KubeWeightedRoute *route, QString *error, int listMaxAgeMs = 0, qint64 *readAtMs = nullptr);
TrafficSnapshot kubeSnapshot(const KubeWeightedRoute &route, const QStringList &warnings);
// One GET, the conflict check and plan, one PATCH; the PATCH answer is the read-back. A forced
// change (rollback, set-weight --force) refused with 409 reads and writes again, up to
// kubeForcedAttempts times in all, and says "after N conflicts"; an unforced one stays a Conflict.
constexpr int kubeForcedAttempts = 5;
ChangeResult kubeApplyRoute(KubeClient &client, const QString &path, const QString &what, const KubeRouteParser &parse,
                            const KubeRoutePatcher &patcher, const WeightChange &change);

// A JSON member as an int weight, `fallback` when absent; false when present but not a whole number.
bool kubeWeight(const nlohmann::json &holder, int fallback, int *out);
QString kubeText(const nlohmann::json &holder, const char *key);
// The warnings joined for the end of a message, or empty.
QString kubeWarningSuffix(const QStringList &warnings);

} // namespace Switchboard
