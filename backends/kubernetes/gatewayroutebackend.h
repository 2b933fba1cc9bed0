#pragma once
// Gateway API as a traffic layer: reads and sets the weights of the stable and canary
// backendRefs of one rule of an HTTPRoute (gateway.networking.k8s.io/v1), one GET per refresh,
// one GET plus one resourceVersion-guarded merge patch per change.

#include "kubeweightedroutebackend.h"

namespace Switchboard {

class GatewayRouteBackend final : public KubeWeightedRouteBackend
{
    Q_OBJECT
public:
    struct Settings
    {
        KubeTargetSettings target;
        int rule = 0;       // index into spec.rules
        QStringList stable; // backendRef names
        QStringList canary;

        // The "gateway-api" object: the KubeTargetSettings keys plus rule, stable, canary.
        static bool fromJson(const QJsonObject &o, Settings *out, QString *error);
    };

    explicit GatewayRouteBackend(Settings settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "gateway-api" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

private:
    bool parseRoute(const nlohmann::json &object, KubeWeightedRoute *route, QString *error) const override;
    nlohmann::json weightPatch(const KubeWeightedRoute &route, const QMap<QString, int> &target) const override;
    KubeTesterRule testerRule() const override;

    Settings m_settings;
};

} // namespace Switchboard
