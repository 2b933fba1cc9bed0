#pragma once
// Gateway API as a traffic layer: reads and sets the weights of the stable and canary
// backendRefs of one rule of an HTTPRoute (gateway.networking.k8s.io/v1), one GET per refresh,
// one GET plus one resourceVersion-guarded merge patch per change.

#include "kubetargetsettings.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class KubeClient;

class GatewayRouteBackend final : public TrafficBackend
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
    ~GatewayRouteBackend() override;

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;

private:
    QString what() const;
    bool ready(QString *path, QString *error);

    Settings m_settings;
    std::unique_ptr<KubeClient> m_client;
};

} // namespace Switchboard
