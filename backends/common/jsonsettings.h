#pragma once
// Readers for optional keys of a target's settings object: absent or null leaves the default,
// a value of the wrong type (or out of range) is an error the caller names.

#include <QJsonObject>
#include <QString>

namespace Switchboard {

// False when `key` holds something other than a string.
bool readOptionalString(const QJsonObject &o, const char *key, QString *dest);
// False when `key` holds something other than a whole number in [lo, hi].
bool readOptionalInt(const QJsonObject &o, const char *key, int lo, int hi, int *dest);

} // namespace Switchboard
