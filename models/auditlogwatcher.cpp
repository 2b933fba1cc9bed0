#include "auditlogwatcher.h"

#include "eventlogmodel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>

namespace Switchboard {

namespace {

// A burst (another process replaying a long script) is read over several polls instead of
// stalling the GUI thread in one.
constexpr qint64 maxReadPerCheck = 1 << 20;

} // namespace

AuditLogWatcher::AuditLogWatcher(const QString &path, EventLogModel *log, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_log(log)
{
    const QFileInfo info(m_path);
    m_offset = info.exists() ? info.size() : 0;
    connect(&m_timer, &QTimer::timeout, this, &AuditLogWatcher::checkNow);
}

void AuditLogWatcher::start(int intervalMs)
{
    m_timer.start(intervalMs);
}

void AuditLogWatcher::stop()
{
    m_timer.stop();
}

qint64 AuditLogWatcher::ownPid()
{
    return QCoreApplication::applicationPid();
}

void AuditLogWatcher::checkNow()
{
    const QFileInfo info(m_path);
    const qint64 size = info.exists() ? info.size() : 0;
    if (size < m_offset) {
        // Truncated or replaced (log rotation): whatever is there now is new.
        m_offset = 0;
        m_partial.clear();
    }
    if (size == m_offset)
        return;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(m_offset))
        return; // tried again on the next poll
    const QByteArray data = file.read(std::min(size - m_offset, maxReadPerCheck));
    m_offset += data.size();
    m_partial += data;
    const qsizetype end = m_partial.lastIndexOf('\n');
    if (end < 0)
        return;
    const QByteArray complete = m_partial.left(end);
    m_partial.remove(0, end + 1);
    for (const QByteArray &line : complete.split('\n')) {
        if (!line.trimmed().isEmpty())
            handleLine(line);
    }
}

void AuditLogWatcher::handleLine(const QByteArray &line)
{
    const QJsonObject e = QJsonDocument::fromJson(line).object();
    if (e.isEmpty())
        return; // not an entry; the audit view shows broken lines as such
    Q_EMIT entryAdded(e);
    if (e.value(QStringLiteral("pid")).toInteger(-1) == ownPid())
        return;
    Q_EMIT foreignEntry(e);
    if (!m_log)
        return;
    const QString user = e.value(QStringLiteral("user")).toString(QStringLiteral("unknown"));
    const QString who = e.contains(QStringLiteral("pid"))
        ? QStringLiteral("%1 (pid %2)").arg(user).arg(e.value(QStringLiteral("pid")).toInteger())
        : user;
    QString what = QStringLiteral("%1 %2").arg(e.value(QStringLiteral("action")).toString(),
                                               e.value(QStringLiteral("result")).toString());
    if (e.value(QStringLiteral("canaryPercent")).isDouble())
        what += QStringLiteral(" → canary %1%").arg(e.value(QStringLiteral("canaryPercent")).toDouble(), 0, 'g', 4);
    const QString reason = e.value(QStringLiteral("reason")).toString();
    if (!reason.isEmpty())
        what += QStringLiteral(" (%1)").arg(reason);
    QString target = e.value(QStringLiteral("target")).toString();
    if (target.isEmpty())
        target = QStringLiteral("switchboard");
    const QDateTime time = QDateTime::fromString(e.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    m_log->add(target, EventLogModel::Severity::Action, QStringLiteral("by %1 elsewhere: %2").arg(who, what),
               time.isValid() ? time.toMSecsSinceEpoch() : 0);
}

} // namespace Switchboard
