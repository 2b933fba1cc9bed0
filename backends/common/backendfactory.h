#pragma once
// Builds the backends a target's kind asks for.

#include "backendhost.h"
#include "domain.h"

#include <memory>

namespace Switchboard {

class SimWorld;

// Returns null and sets *error if the target's settings are unusable. `world`, when given,
// receives the simulator's world for sim targets (tests and the demo use it to inject faults).
std::unique_ptr<BackendHost> createBackends(const TargetConfig &target, QString *error,
                                            std::shared_ptr<SimWorld> *world = nullptr);

// The metrics source of a target: Prometheus whenever the target has a "prometheus" object,
// whatever its kind; else the traffic layer's own (the simulator's source shares its world and
// is built by createBackends). Null without an error when the target has no metrics layer;
// null with *error set when its metrics settings are unusable.
std::unique_ptr<MetricsSource> createMetricsSource(const TargetConfig &target, QString *error);

} // namespace Switchboard
