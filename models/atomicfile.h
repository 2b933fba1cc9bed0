#pragma once
// One way to write a whole file the user keeps (a preset, an export): through QSaveFile, which
// writes a temporary file next to it and renames it over the old one on commit, so a reader (or
// a crash) sees the old file or the new one, never a mix. Any thread.

#include <QByteArray>
#include <QString>

namespace Switchboard {

// False with *reason (the device's error string) when the file cannot be written; an existing
// file is then left as it was.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *reason);

} // namespace Switchboard
