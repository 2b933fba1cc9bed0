#pragma once
// The simulator as a traffic layer: weights live in a SimWorld.

#include "simworld.h"
#include "trafficbackend.h"

#include <memory>

namespace Switchboard {

class SimTrafficBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    explicit SimTrafficBackend(std::shared_ptr<SimWorld> world, QObject *parent = nullptr);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;

private:
    std::shared_ptr<SimWorld> m_world;
};

} // namespace Switchboard
