#include "simtarget.h"

#include "backendfactory.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QSignalSpy>

using namespace Switchboard;

SimTarget::SimTarget(int pollMs, AuditLog *audit)
{
    TargetConfig t = demoTarget();
    t.pollMs = pollMs;
    QString error;
    std::unique_ptr<BackendHost> host = createBackends(t, &error, &world);
    if (!host)
        qFatal("simulator backends: %s", qPrintable(error));
    controller = std::make_unique<TargetController>(t, std::move(host), &log, audit);
}

SimTarget::~SimTarget() = default;

ChangeResult nextResult(QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(5000))
        return {};
    return spy.takeFirst().at(0).value<ChangeResult>();
}
