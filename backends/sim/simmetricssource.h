#pragma once
// The simulator as a metrics layer: health computed from the SimWorld.

#include "metricssource.h"
#include "simworld.h"

#include <memory>

namespace Switchboard {

class SimMetricsSource final : public MetricsSource
{
    Q_OBJECT
public:
    explicit SimMetricsSource(std::shared_ptr<SimWorld> world, QObject *parent = nullptr);

    void queryInstant() override;
    void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) override;

private:
    std::shared_ptr<SimWorld> m_world;
};

} // namespace Switchboard
