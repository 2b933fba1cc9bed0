#include "auditlog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Switchboard {

QString AuditLog::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/switchboard/audit.jsonl");
}

AuditLog::AuditLog(const QString &path)
    : m_path(path)
{
}

QString AuditLog::currentUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

bool AuditLog::append(const Entry &entry, QString *error)
{
    QJsonObject o = entry.extra;
    o.insert(QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("user"), currentUser());
    // Tells other Switchboard processes following the log (AuditLogWatcher) whose entry it is.
    o.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
    o.insert(QStringLiteral("target"), entry.target);
    o.insert(QStringLiteral("action"), entry.action);
    o.insert(QStringLiteral("before"), entry.before);
    o.insert(QStringLiteral("after"), entry.after);
    o.insert(QStringLiteral("reason"), entry.reason);
    o.insert(QStringLiteral("result"), entry.result);
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';

    QDir().mkpath(QFileInfo(m_path).absolutePath());
    const QByteArray path = QFile::encodeName(m_path);
    const int fd = ::open(path.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (error)
            *error = QStringLiteral("audit log %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // One write: O_APPEND makes it land whole at the end even with several writers.
    const ssize_t n = ::write(fd, line.constData(), size_t(line.size()));
    const int writeErr = errno;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (n != line.size() || !synced) {
        if (error)
            *error = QStringLiteral("audit log %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(writeErr)));
        return false;
    }
    return true;
}

} // namespace Switchboard
