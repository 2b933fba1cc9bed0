#pragma once
// The headless verbs (CONTRACTS.md): status, set-weight, promote, rollback, run.
// Errors go to stderr as one line starting with "switchboard: ".

#include <QStringList>

namespace Switchboard::Cli {

// 5: another operator holds the target's lease (an extension of CONTRACTS.md's codes).
enum Exit { Ok = 0, Error = 2, RolledBack = 3, Conflict = 4, Leased = 5 };

bool isCliVerb(const QString &arg);
// Needs a QCoreApplication; returns the process exit code.
int run(const QStringList &arguments);

} // namespace Switchboard::Cli
