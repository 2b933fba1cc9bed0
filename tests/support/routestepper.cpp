#include "routestepper.h"

#include "controllerdriver.h"
#include "targetcontroller.h"

#include <QSignalSpy>

using namespace Switchboard;

namespace RouteStepper {

ChangeResult edit(TargetController *c, RouteEdit edit, int timeoutMs)
{
    QSignalSpy finished(c, &TargetController::actionFinished);
    const quint64 id = c->nextChangeId();
    c->editRoutes(edit, QStringLiteral("test"));
    while (finished.isEmpty() || finished.constLast().at(0).value<ChangeResult>().id != id) {
        if (!finished.wait(timeoutMs))
            return {};
    }
    const ChangeResult r = finished.constLast().at(0).value<ChangeResult>();
    ControllerDriver::refreshed(c);
    return r;
}

RouteEdit add(TrafficRoute::Match match, const QString &name, const QString &value)
{
    RouteEdit e;
    e.op = RouteEdit::Op::Add;
    e.route = {match, name, value};
    return e;
}

RouteEdit clear()
{
    RouteEdit e;
    e.op = RouteEdit::Op::Clear;
    return e;
}

} // namespace RouteStepper
