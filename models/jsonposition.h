#pragma once
// QJsonParseError gives a byte offset; people fix files by line. Shared by every reader of a
// user's JSON file (targets.json, presets).

#include <QByteArray>
#include <QString>

namespace Switchboard {

// "line 3, column 12" for a byte offset into `json`.
QString jsonPosition(const QByteArray &json, int offset);

} // namespace Switchboard
