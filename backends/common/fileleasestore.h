#pragma once
// An operator lease kept in a file (nginx: next to the upstream file, so every Switchboard that
// can rewrite that file sees it; the simulator: in the user's runtime folder). Reads and writes
// happen under an exclusive flock() on "FILE.lock", which makes write() a true compare and swap
// between processes on one machine; the file itself is replaced atomically (QSaveFile), so a
// kill -9 leaves the old lease or the new one, never half of one.

#include "operatorlease.h"

namespace Switchboard {

class FileLeaseStore final : public LeaseStore
{
public:
    explicit FileLeaseStore(QString path);
    QString where() const override;
    bool read(OperatorLease *out, QString *version, QString *error) override;
    Write write(const OperatorLease &lease, const QString &version, QString *error) override;

    QString path() const { return m_path; }

private:
    bool readLocked(OperatorLease *out, QString *version, QString *error) const;

    QString m_path;
};

} // namespace Switchboard
