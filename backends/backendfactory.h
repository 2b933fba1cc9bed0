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

} // namespace Switchboard
