#include "atomicfile.h"

#include <QSaveFile>

namespace Switchboard {

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *reason)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *reason = f.errorString();
        f.cancelWriting();
        return false;
    }
    return true;
}

} // namespace Switchboard
