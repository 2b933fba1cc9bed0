#include "istiovirtualservicebackend.h"

#include "kubeleasestore.h"

#include "kubeclient.h"
#include "kubetesterrule.h"
#include "kubeweightedroute.h"

#include <QJsonArray>

namespace Switchboard {

using json = nlohmann::json;

namespace {

QString destinationKey(const QString &host, const QString &subset)
{
    return subset.isEmpty() ? host : host + QLatin1Char('/') + subset;
}

QString destinationKey(const json &destination)
{
    return destinationKey(kubeText(destination, "host"), kubeText(destination, "subset"));
}

bool destinationList(const QJsonObject &o, const char *key, bool required, QStringList *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() && !required)
        return true;
    const QString usage = QStringLiteral("istio.%1: expected a list of destinations, \"host/subset\" or {\"host\": ..., \"subset\": ...}, "
                                         "or one of them").arg(QLatin1String(key));
    // One destination on its own is a list of one: users write "stable": "reviews/v1".
    const QJsonArray destinations = KubeWeightedRouteBackend::oneOrMany(v);
    if (destinations.isEmpty() && (required || !v.isArray())) {
        *error = usage;
        return false;
    }
    for (const QJsonValue &d : destinations) {
        QString host;
        QString subset;
        if (d.isString()) {
            host = d.toString().section(QLatin1Char('/'), 0, 0);
            subset = d.toString().section(QLatin1Char('/'), 1);
        } else if (d.isObject()) {
            const QJsonObject obj = d.toObject();
            if (!obj.value(QStringLiteral("host")).isString()
                || !(obj.value(QStringLiteral("subset")).isString() || obj.value(QStringLiteral("subset")).isUndefined())) {
                *error = usage;
                return false;
            }
            host = obj.value(QStringLiteral("host")).toString();
            subset = obj.value(QStringLiteral("subset")).toString();
        }
        if (host.isEmpty() || subset.contains(QLatin1Char('/'))) {
            *error = usage;
            return false;
        }
        out->append(destinationKey(host, subset));
    }
    return true;
}

} // namespace

bool IstioVirtualServiceBackend::Settings::fromJson(const QJsonObject &o, Settings *out, QString *error)
{
    Settings s;
    if (!KubeTargetSettings::fromJson(o, QStringLiteral("istio"),
                                      {QStringLiteral("networking.istio.io/v1beta1"), QStringLiteral("networking.istio.io/v1"),
                                       QStringLiteral("networking.istio.io/v1alpha3")},
                                      &s.target, error))
        return false;
    if (!indexSetting(o, QStringLiteral("route"),
                      QStringLiteral("istio.route: expected the index of an entry of spec.http (0, 1, ...)"), &s.route, error))
        return false;
    if (!destinationList(o, "stable", true, &s.stable, error) || !destinationList(o, "canary", false, &s.canary, error))
        return false;
    if (!distinctNames(s.stable + s.canary, QStringLiteral("istio: destination %1 is listed twice"), error))
        return false;
    *out = s;
    return true;
}

bool IstioVirtualServiceBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    Settings s;
    if (!Settings::fromJson(settings, &s, error))
        return false;
    out->lease = std::make_unique<KubeLeaseStore>(s.target, QStringLiteral("istio"));
    out->sharedServerKey = s.target.sharedServerKey();
    out->traffic = std::make_unique<IstioVirtualServiceBackend>(std::move(s));
    return true;
}

IstioVirtualServiceBackend::IstioVirtualServiceBackend(Settings settings, QObject *parent)
    : KubeWeightedRouteBackend(settings.target, QStringLiteral("VirtualService"), QStringLiteral("virtualservices"), parent)
    , m_settings(std::move(settings))
{
}

bool IstioVirtualServiceBackend::parseRoute(const json &object, KubeWeightedRoute *route, QString *error) const
{
    const Settings &s = m_settings;
    const QString kind = kubeText(object, "kind");
    if (!kind.isEmpty() && kind != QStringLiteral("VirtualService")) {
        *error = QStringLiteral("the resource is a %1, not a VirtualService").arg(kind);
        return false;
    }
    const auto spec = object.find("spec");
    if (spec == object.end() || !spec->contains("http") || !(*spec)["http"].is_array()) {
        *error = QStringLiteral("spec.http is missing (only http routes are supported)");
        return false;
    }
    const json &http = (*spec)["http"];
    if (s.route >= int(http.size())) {
        *error = QStringLiteral("has %1 http route(s); \"route\": %2 does not exist").arg(http.size()).arg(s.route);
        return false;
    }
    const json &rule = http[size_t(s.route)];
    if (!rule.contains("route") || !rule["route"].is_array()) {
        *error = QStringLiteral("http[%1] has no route destinations").arg(s.route);
        return false;
    }
    const json &destinations = rule["route"];
    QHash<QString, int> weights;
    QStringList present;
    for (const json &d : destinations) {
        const QString key = d.contains("destination") ? destinationKey(d["destination"]) : QString();
        int weight = 0;
        // Istio: a lone destination takes everything; among several, an absent weight is 0.
        if (key.isEmpty() || !kubeWeight(d, destinations.size() == 1 ? 100 : 0, &weight)) {
            *error = QStringLiteral("http[%1] has a destination without a host or with a weight that is not a whole number").arg(s.route);
            return false;
        }
        if (weights.contains(key)) {
            *error = QStringLiteral("http[%1] routes to %2 twice (different ports?): cannot tell them apart").arg(s.route).arg(key);
            return false;
        }
        weights.insert(key, weight);
        present.append(key);
    }
    const MemberMatch match = matchMembers(weights, present, s.stable, s.canary);
    if (!match.missing.isEmpty()) {
        *error = QStringLiteral("http[%1] has no destination %2 (it has: %3)")
                     .arg(s.route)
                     .arg(match.missing.join(QStringLiteral(", ")), present.isEmpty() ? QStringLiteral("none") : present.join(QStringLiteral(", ")));
        return false;
    }
    if (!match.unlisted.isEmpty()) {
        *error = QStringLiteral("http[%1] also routes to %2, which is in neither \"stable\" nor \"canary\": list it")
                     .arg(s.route)
                     .arg(match.unlisted.join(QStringLiteral(", ")));
        return false;
    }
    route->members = match.members;
    return true;
}

json IstioVirtualServiceBackend::weightPatch(const KubeWeightedRoute &route, const QMap<QString, int> &target) const
{
    // A merge patch replaces arrays whole: send every http route, as read, with new weights.
    json http = route.object["spec"]["http"];
    for (json &d : http[size_t(m_settings.route)]["route"]) {
        const QString key = destinationKey(d["destination"]);
        if (target.contains(key))
            d["weight"] = target.value(key);
    }
    return json{{"spec", {{"http", http}}}};
}

KubeTesterRule IstioVirtualServiceBackend::testerRule() const
{
    const QStringList canary = m_settings.canary;
    return KubeTesterRule(KubeTesterRule::Dialect::Istio, m_settings.route, [canary](const json &ref) {
        return canary.contains((ref.contains("destination") ? destinationKey(ref["destination"]) : QString()));
    });
}

} // namespace Switchboard
