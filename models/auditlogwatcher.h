#pragma once
// Follows the audit log for entries that other Switchboard processes add (another operator's
// GUI, a CLI in a script) and shows them in the event log with their user. It reads only the
// bytes added since it last looked, and between additions costs one stat per poll, so it can
// run on the GUI thread.
//
// Entries carry the writer's pid (AuditLog adds it); one with another pid, or none (an older
// Switchboard, another tool), is not ours. Entries already in the file when the watcher starts
// are history, not news: they are skipped.

#include <QJsonObject>
#include <QObject>
#include <QTimer>

namespace Switchboard {

class EventLogModel;

class AuditLogWatcher final : public QObject
{
    Q_OBJECT
public:
    // `log` (may be null) must outlive the watcher.
    AuditLogWatcher(const QString &path, EventLogModel *log, QObject *parent = nullptr);

    // Looks every `intervalMs` from now on.
    void start(int intervalMs = 1000);
    void stop();
    // The pid entries of this process carry (AuditLog writes it).
    static qint64 ownPid();

public Q_SLOTS:
    // Reads what was appended since the last look.
    void checkNow();

Q_SIGNALS:
    // An entry another process wrote, as it is in the file.
    void foreignEntry(const QJsonObject &entry);
    // Every entry added since the watcher started, ours included (the fleet's last action).
    void entryAdded(const QJsonObject &entry);

private:
    void handleLine(const QByteArray &line);

    QString m_path;
    EventLogModel *m_log;
    QTimer m_timer;
    qint64 m_offset = 0;  // bytes of the file already looked at
    QByteArray m_partial; // the start of a line whose end is not written yet
};

} // namespace Switchboard
