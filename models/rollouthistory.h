#pragma once
// Rebuilds the rollouts of every target from the audit log: the entries a RolloutEngine writes
// (rollout-start, -step, -gate, -pause, -resume, -end, all with the rollout's id) and every other
// entry of the same target in between (weight changes, rollbacks, another operator's or a
// script's actions). Whoever ran it, GUI or `switchboard run`, on this machine or another
// writing the same file, it is in the log, so it is here. Pure: no I/O but readFile().

#include "rolloutrecord.h"

#include <QJsonObject>
#include <QList>

namespace Switchboard {

class RolloutHistory final
{
public:
    // Entries in file order (oldest first). Rollouts come out in the order they started.
    static QList<RolloutRecord> fromEntries(const QList<QJsonObject> &entries);
    // Reads an audit log (lines that do not parse are skipped and counted in *broken).
    // False with *error when the file exists but cannot be read; a missing file is empty.
    static bool readFile(const QString &path, QList<QJsonObject> *entries, QString *error, int *broken = nullptr);

    // The rollouts of `target`, oldest first.
    static QList<RolloutRecord> forTarget(const QList<RolloutRecord> &all, const QString &target);
    // By id; null when none.
    static const RolloutRecord *find(const QList<RolloutRecord> &all, const QString &id);
};

} // namespace Switchboard
