#pragma once
// Reads targets.json (see shared CONTRACTS.md). Never writes it: the file is the user's.

#include "domain.h"

#include <QList>
#include <QString>

namespace Switchboard {

struct TargetConfigResult
{
    QString path;
    bool fileFound = false;
    QList<TargetConfig> targets;
    QString error; // empty when the file was read and valid; names the file and line otherwise
    bool ok() const { return error.isEmpty(); }
};

// Kinds this build knows how to drive.
QStringList knownTargetKinds();

// Default location: $XDG_CONFIG_HOME/switchboard (QStandardPaths::GenericConfigLocation).
QString defaultConfigDir();
QString targetsFilePath(const QString &configDir);

TargetConfigResult loadTargetConfig(const QString &path);
TargetConfigResult parseTargetConfig(const QByteArray &json, const QString &pathForMessages);

// The embedded default when nothing is configured: one simulated target.
TargetConfig demoTarget();

} // namespace Switchboard
