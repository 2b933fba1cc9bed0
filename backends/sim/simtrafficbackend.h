#pragma once
// The simulator as a traffic layer: weights live in a SimWorld.

#include "simworld.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class SimTrafficBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    explicit SimTrafficBackend(std::shared_ptr<SimWorld> world, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "sim" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;
    void editRoutes(const Switchboard::WeightChange &change) override;

private:
    std::shared_ptr<SimWorld> m_world;
};

} // namespace Switchboard
