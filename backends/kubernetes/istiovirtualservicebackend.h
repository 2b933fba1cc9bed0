#pragma once
// Istio as a traffic layer: reads and sets the weights of the stable and canary destinations of
// one http route of a VirtualService (networking.istio.io), one GET per refresh, one GET plus
// one resourceVersion-guarded merge patch per change. Weights are whole percent summing to 100,
// which every Istio version accepts.

#include "kubeweightedroutebackend.h"

namespace Switchboard {

class IstioVirtualServiceBackend final : public KubeWeightedRouteBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        KubeTargetSettings target;
        int route = 0; // index into spec.http
        // Destinations as "host/subset" ("host" alone when the destination has no subset);
        // host compared as written in the VirtualService.
        QStringList stable;
        QStringList canary;

        // The "istio" object: the KubeTargetSettings keys plus route, stable, canary. A
        // destination is "shop/v1" or {"host": "shop", "subset": "v1"}.
        static bool fromJson(const QJsonObject &o, Settings *out, QString *error);
    };

    explicit IstioVirtualServiceBackend(Settings settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "istio" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

private:
    bool parseRoute(const nlohmann::json &object, KubeWeightedRoute *route, QString *error) const override;
    nlohmann::json weightPatch(const KubeWeightedRoute &route, const QMap<QString, int> &target) const override;
    KubeTesterRule testerRule() const override;

    Settings m_settings;
};

} // namespace Switchboard
