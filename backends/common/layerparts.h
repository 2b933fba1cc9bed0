#pragma once
// What one traffic layer builds for a target: its backend and, where the layer counts requests
// itself, a metrics source of its own (used when the target has no "prometheus" object).

#include "metricssource.h"
#include "trafficbackend.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace Switchboard {

class SimWorld;

struct LayerParts
{
    std::unique_ptr<TrafficBackend> traffic;
    std::unique_ptr<MetricsSource> ownMetrics;
    // The layer's own counters read at a short interval next to the metrics layer, for the
    // gates only (HAProxy's `show stat`); null when the layer has none or it is switched off.
    std::unique_ptr<MetricsSource> fastMetrics;
    int fastSignalMs = 0;
    // Where the target's operator lease is kept; null: the layer keeps none.
    std::unique_ptr<LeaseStore> lease;
    std::shared_ptr<SimWorld> simWorld; // sim only: tests and the demo inject faults through it
    // Not empty: the targets of this layer with the same key (one load balancer) share their
    // worker threads for the traffic backend, the layer's own metrics and the fast signal
    // (BackendHost::SharedThreads), and with them the layer's connections.
    QString sharedServerKey;
};

// Each layer's entry point: reads the target's object named after its kind (`settings`) and fills
// *out, or returns false with *error (without the target's name: the factory adds it).
using LayerCreateFn = bool (*)(const QJsonObject &settings, LayerParts *out, QString *error);

} // namespace Switchboard
