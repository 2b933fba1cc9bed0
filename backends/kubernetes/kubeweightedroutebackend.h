#pragma once
// The common body of the backends that keep per-destination weights in one element of a route
// array of a Kubernetes resource (Gateway API HTTPRoute, Istio VirtualService): one GET per
// refresh, one GET plus one resourceVersion-guarded merge patch per change. A kind supplies only
// what differs: which resource it reads, how to find its members and weights in the JSON, and
// how to write new weights back.

#include "kubeaccessreview.h"
#include "kubetargetsettings.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <QJsonArray>

// Only declarations cross this header; the JSON library stays a private dependency of the
// backends library in everything but the signatures of the two hooks.
#include <nlohmann/json_fwd.hpp>

#include <memory>

namespace Switchboard {

class KubeClient;
struct KubeWeightedRoute;
class KubeTesterRule;

class KubeWeightedRouteBackend : public TrafficBackend
{
    Q_OBJECT
public:
    ~KubeWeightedRouteBackend() override;

    void refresh() final;
    void apply(const Switchboard::WeightChange &change) final;
    // Tester routes as Switchboard's own marked entry (KubeTesterRule), guarded by the
    // resourceVersion like a weight change.
    void editRoutes(const Switchboard::WeightChange &change) final;

public:
    // `stable` / `canary` as users write them: a list, or one string or object on its own (a
    // list of one). Anything else, null included, is an empty list.
    static QJsonArray oneOrMany(const QJsonValue &value);

protected:
    // `kind` names the resource in messages ("HTTPRoute"), `plural` is its name in the API path
    // ("httproutes").
    KubeWeightedRouteBackend(const KubeTargetSettings &target, QString kind, QString plural, QObject *parent);

    // The configured members matched against the names the route has (`present`, in its order,
    // with their `weights`): kinds word the failures differently, so they get the lists, not a
    // message.
    struct MemberMatch
    {
        QList<Member> members; // stable first, then canary, in the configured order
        QStringList missing;   // configured, but not in the route
        QStringList unlisted;  // in the route, but in neither list: it would skew every split
    };
    static MemberMatch matchMembers(const QHash<QString, int> &weights, const QStringList &present,
                                    const QStringList &stable, const QStringList &canary);

    // Settings helpers, so both kinds bound and check alike. The optional index under `key`
    // (a whole number, 0 to 1000); `usage` is the whole message when it is not one.
    static bool indexSetting(const QJsonObject &o, const QString &key, const QString &usage, int *out, QString *error);
    // False with *error = twice.arg(name) for the first name that is listed twice.
    static bool distinctNames(const QStringList &names, const QString &twice, QString *error);

private:
    // Reads the members and weights out of the resource as read; false with *error when it does
    // not have the configured members.
    virtual bool parseRoute(const nlohmann::json &object, KubeWeightedRoute *route, QString *error) const = 0;
    // The merge patch (without the resourceVersion) that gives the members the `target` weights.
    virtual nlohmann::json weightPatch(const KubeWeightedRoute &route, const QMap<QString, int> &target) const = 0;

    // The kind's dialect of the tester rule.
    virtual KubeTesterRule testerRule() const = 0;
    // One GET, the routes edit (or a clear when `edit` is unset), one guarded PATCH; a forced
    // clear (rollback) reads and writes again on 409.
    ChangeResult changeRoutes(const QString &path, const std::optional<RouteEdit> &edit, bool force);

    QString what() const;
    bool ready(QString *path, QString *error);

    KubeTargetSettings m_target;
    QString m_kind;
    QString m_plural;
    std::unique_ptr<KubeClient> m_client;
    KubeAccessReview m_access; // may we patch the route? asked at refresh, before any action
};

} // namespace Switchboard
