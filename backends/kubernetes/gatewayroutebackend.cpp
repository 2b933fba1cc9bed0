#include "gatewayroutebackend.h"

#include "kubeleasestore.h"

#include "kubeclient.h"
#include "kubetesterrule.h"
#include "kubeweightedroute.h"

#include <QJsonArray>

namespace Switchboard {

using json = nlohmann::json;

namespace {

// Reads the names under `key`: a list of non-empty names, or one name on its own.
bool nameList(const QJsonObject &o, const char *key, bool required, QStringList *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() && !required)
        return true;
    const QJsonArray names = KubeWeightedRouteBackend::oneOrMany(v);
    if (names.isEmpty() && (required || !v.isArray())) {
        *error = QStringLiteral("gateway-api.%1: expected a list of backendRef names, or one name").arg(QLatin1String(key));
        return false;
    }
    for (const QJsonValue &n : names) {
        if (!n.isString() || n.toString().isEmpty()) {
            *error = QStringLiteral("gateway-api.%1: expected backendRef names (strings)").arg(QLatin1String(key));
            return false;
        }
        out->append(n.toString());
    }
    return true;
}

// The parents' conditions that are not fine (route not accepted, backends not resolved).
QString routeNote(const json &object)
{
    QStringList problems;
    const auto status = object.find("status");
    if (status == object.end() || !status->is_object() || !status->contains("parents") || !(*status)["parents"].is_array())
        return {};
    for (const json &parent : (*status)["parents"]) {
        const QString gateway = parent.contains("parentRef") ? kubeText(parent["parentRef"], "name") : QString();
        if (!parent.contains("conditions") || !parent["conditions"].is_array())
            continue;
        for (const json &c : parent["conditions"]) {
            if (kubeText(c, "status") != QStringLiteral("False"))
                continue;
            problems.append(QStringLiteral("%1 %2 False: %3 %4")
                                .arg(gateway, kubeText(c, "type"), kubeText(c, "reason"), kubeText(c, "message"))
                                .simplified());
        }
    }
    return problems.join(QStringLiteral("; "));
}

} // namespace

bool GatewayRouteBackend::Settings::fromJson(const QJsonObject &o, Settings *out, QString *error)
{
    Settings s;
    if (!KubeTargetSettings::fromJson(o, QStringLiteral("gateway-api"),
                                      {QStringLiteral("gateway.networking.k8s.io/v1"), QStringLiteral("gateway.networking.k8s.io/v1beta1")},
                                      &s.target, error))
        return false;
    if (!indexSetting(o, QStringLiteral("rule"),
                      QStringLiteral("gateway-api.rule: expected the index of a rule in spec.rules (0, 1, ...)"), &s.rule, error))
        return false;
    if (!nameList(o, "stable", true, &s.stable, error) || !nameList(o, "canary", false, &s.canary, error))
        return false;
    if (!distinctNames(s.stable + s.canary, QStringLiteral("gateway-api: backendRef %1 is listed twice"), error))
        return false;
    *out = s;
    return true;
}

bool GatewayRouteBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    Settings s;
    if (!Settings::fromJson(settings, &s, error))
        return false;
    out->lease = std::make_unique<KubeLeaseStore>(s.target, QStringLiteral("gateway-api"));
    out->sharedServerKey = s.target.sharedServerKey();
    out->traffic = std::make_unique<GatewayRouteBackend>(std::move(s));
    return true;
}

GatewayRouteBackend::GatewayRouteBackend(Settings settings, QObject *parent)
    : KubeWeightedRouteBackend(settings.target, QStringLiteral("HTTPRoute"), QStringLiteral("httproutes"), parent)
    , m_settings(std::move(settings))
{
}

bool GatewayRouteBackend::parseRoute(const json &object, KubeWeightedRoute *route, QString *error) const
{
    const Settings &s = m_settings;
    const QString kind = kubeText(object, "kind");
    if (!kind.isEmpty() && kind != QStringLiteral("HTTPRoute")) {
        *error = QStringLiteral("the resource is a %1, not an HTTPRoute").arg(kind);
        return false;
    }
    const auto spec = object.find("spec");
    if (spec == object.end() || !spec->contains("rules") || !(*spec)["rules"].is_array()) {
        *error = QStringLiteral("spec.rules is missing");
        return false;
    }
    const json &rules = (*spec)["rules"];
    if (s.rule >= int(rules.size())) {
        *error = QStringLiteral("has %1 rule(s); \"rule\": %2 does not exist").arg(rules.size()).arg(s.rule);
        return false;
    }
    const json &rule = rules[size_t(s.rule)];
    if (!rule.contains("backendRefs") || !rule["backendRefs"].is_array()) {
        *error = QStringLiteral("rule %1 has no backendRefs").arg(s.rule);
        return false;
    }
    QHash<QString, int> weights;
    QStringList present;
    for (const json &ref : rule["backendRefs"]) {
        const QString name = kubeText(ref, "name");
        int weight = 0;
        // Gateway API: an absent weight is 1.
        if (name.isEmpty() || !kubeWeight(ref, 1, &weight)) {
            *error = QStringLiteral("rule %1 has a backendRef without a name or with a weight that is not a whole number").arg(s.rule);
            return false;
        }
        if (weights.contains(name)) {
            *error = QStringLiteral("rule %1 names backendRef %2 twice: cannot tell them apart").arg(s.rule).arg(name);
            return false;
        }
        weights.insert(name, weight);
        present.append(name);
    }
    const MemberMatch match = matchMembers(weights, present, s.stable, s.canary);
    if (!match.missing.isEmpty()) {
        *error = QStringLiteral("rule %1 has no backendRef named %2 (it has: %3)")
                     .arg(s.rule)
                     .arg(match.missing.join(QStringLiteral(", ")), present.isEmpty() ? QStringLiteral("none") : present.join(QStringLiteral(", ")));
        return false;
    }
    if (!match.unlisted.isEmpty()) {
        // It takes a share of the traffic, so no split we report or set would be true.
        *error = QStringLiteral("rule %1 also sends traffic to %2, which is in neither \"stable\" nor \"canary\": list it")
                     .arg(s.rule)
                     .arg(match.unlisted.join(QStringLiteral(", ")));
        return false;
    }
    route->members = match.members;
    route->note = routeNote(object);
    return true;
}

json GatewayRouteBackend::weightPatch(const KubeWeightedRoute &route, const QMap<QString, int> &target) const
{
    // A merge patch replaces arrays whole: send every rule, as read, with new weights.
    json rules = route.object["spec"]["rules"];
    for (json &ref : rules[size_t(m_settings.rule)]["backendRefs"]) {
        const QString name = kubeText(ref, "name");
        if (target.contains(name))
            ref["weight"] = target.value(name);
    }
    return json{{"spec", {{"rules", rules}}}};
}

KubeTesterRule GatewayRouteBackend::testerRule() const
{
    const QStringList canary = m_settings.canary;
    return KubeTesterRule(KubeTesterRule::Dialect::GatewayApi, m_settings.rule, [canary](const json &ref) {
        return canary.contains(kubeText(ref, "name"));
    });
}

} // namespace Switchboard
