#pragma once
// Append-only audit trail of every action, one JSON object per line (CONTRACTS.md), written by
// one worker thread so the caller (the GUI thread) never waits on the disk.
//
// append() queues the entry and returns at once; the worker writes entries in the order their
// append() calls were made (one write() per line on an O_APPEND descriptor, so lines from
// several processes never interleave) and fsyncs before it counts them as written. An entry is
// *completed* once drain() has returned true after its append(): from then on no crash can
// lose it. A crash (even SIGKILL) loses at most entries still queued, never a completed one,
// and never leaves a half line in the middle of the file.
// Besides the contract's fields each entry carries the writer's `pid`, so a process following
// the file (AuditLogWatcher) can tell its own entries from other processes'.

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <thread>

namespace Switchboard {

class AuditLog final
{
public:
    // Default: $XDG_DATA_HOME/switchboard/audit.jsonl
    static QString defaultPath();

    explicit AuditLog(const QString &path);
    // Waits a bounded time for the queue (see drain()); entries still queued after it are left
    // to the worker, which finishes them unless the process ends first.
    ~AuditLog();
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

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

    // Queues `entry` (its time is taken now). Returns false with *error when an earlier entry
    // could not be written and no error handler has reported that yet: the caller hears of a
    // failure on its next append() if not before.
    bool append(const Entry &entry, QString *error = nullptr);
    // Waits until every entry appended before this call is written and fsync'd, at most
    // `timeoutMs` (negative: no limit). False with *error when the time ran out or a write
    // failed since the previous drain().
    bool drain(int timeoutMs = -1, QString *error = nullptr);
    // Called on the writer thread with the message of each failed write (post it on to the
    // thread that shows it). Set it before the first append().
    void setErrorHandler(std::function<void(const QString &)> handler);

    QString path() const { return m_path; }
    // $USER, else $LOGNAME, else the name of the effective user's account, else "uid N".
    static QString currentUser();

private:
    struct Queue;
    QString m_path;
    std::shared_ptr<Queue> m_queue; // shared with the worker, which may outlive this object
    std::thread m_worker;
};

} // namespace Switchboard
