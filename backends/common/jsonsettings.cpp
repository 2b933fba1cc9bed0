#include "jsonsettings.h"

#include <QJsonValue>

namespace Switchboard {

bool readOptionalString(const QJsonObject &o, const char *key, QString *dest)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString())
        return false;
    *dest = v.toString();
    return true;
}

bool readOptionalInt(const QJsonObject &o, const char *key, int lo, int hi, int *dest)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != double(qint64(d)) || d < lo || d > hi)
        return false;
    *dest = int(d);
    return true;
}

} // namespace Switchboard
