#pragma once
// Tester-route edits through a TargetController, the way the route integration tests make
// them: one edit, its result, and the read the controller does after it.

#include "domain.h"

namespace Switchboard {
class TargetController;
}

namespace RouteStepper {

// Sends `edit` (expected: the routes last read) and waits for its result and the read after it.
// A default (failed) result when it does not come within `timeoutMs`.
Switchboard::ChangeResult edit(Switchboard::TargetController *c, Switchboard::RouteEdit edit, int timeoutMs = 20000);
Switchboard::RouteEdit add(Switchboard::TrafficRoute::Match match, const QString &name, const QString &value);
Switchboard::RouteEdit clear();

} // namespace RouteStepper
