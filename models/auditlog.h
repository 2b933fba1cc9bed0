#pragma once
// Append-only audit trail of every action, one JSON object per line (CONTRACTS.md). Each line
// is written with a single write() on an O_APPEND descriptor and fsync'd before the call
// returns, so a crash can lose at most the entry being written, never a completed one, and
// never leaves a half line in the middle of the file.
// Besides the contract's fields each entry carries the writer's `pid`, so a process following
// the file (AuditLogWatcher) can tell its own entries from other processes'.

#include <QJsonObject>
#include <QString>

namespace Switchboard {

class AuditLog final
{
public:
    // Default: $XDG_DATA_HOME/switchboard/audit.jsonl
    static QString defaultPath();

    explicit AuditLog(const QString &path);

    struct Entry
    {
        QString target;
        QString action;
        QJsonObject before;
        QJsonObject after;
        QString reason;
        QString result;
        QJsonObject extra; // e.g. gate values
    };

    // Returns false and sets *error if the entry could not be made durable.
    bool append(const Entry &entry, QString *error = nullptr);
    QString path() const { return m_path; }
    static QString currentUser();

private:
    QString m_path;
};

} // namespace Switchboard
