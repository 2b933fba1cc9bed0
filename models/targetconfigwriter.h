#pragma once
// Changes one target's settings in targets.json in place, atomically (QSaveFile), keeping the
// order of keys and every key it does not touch. Refuses to touch a file it cannot parse.

#include <QJsonValue>
#include <QString>

namespace Switchboard {

// Sets targets[name=target].<section>.<key> = value (creating section if needed). False with
// *error naming the file when it is missing, broken, has no such target, or cannot be written;
// the file is then unchanged.
bool updateTargetSetting(const QString &path, const QString &target, const QString &section, const QString &key,
                         const QJsonValue &value, QString *error);

} // namespace Switchboard
