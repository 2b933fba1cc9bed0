#include "backendfactory.h"

#include "simmetricssource.h"
#include "simtrafficbackend.h"
#include "simworld.h"

#include <QDateTime>

namespace Switchboard {

std::unique_ptr<BackendHost> createBackends(const TargetConfig &target, QString *error,
                                            std::shared_ptr<SimWorld> *worldOut)
{
    const QString thread = QStringLiteral("backend:") + target.name;
    if (target.kind == QStringLiteral("sim")) {
        auto world = std::make_shared<SimWorld>(SimWorld::settingsFrom(target.settings.value(QStringLiteral("sim")).toObject()),
                                                QDateTime::currentMSecsSinceEpoch());
        if (worldOut)
            *worldOut = world;
        return std::make_unique<BackendHost>(std::make_unique<SimTrafficBackend>(world),
                                             std::make_unique<SimMetricsSource>(world), thread);
    }
    *error = QStringLiteral("target \"%1\": kind \"%2\" is not supported by this build").arg(target.name, target.kind);
    return nullptr;
}

} // namespace Switchboard
