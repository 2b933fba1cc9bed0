#include "jsonposition.h"

namespace Switchboard {

QString jsonPosition(const QByteArray &json, int offset)
{
    int line = 1;
    int col = 1;
    for (int i = 0; i < offset && i < json.size(); ++i) {
        if (json.at(i) == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(col);
}

} // namespace Switchboard
