#include "fileleasestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Switchboard {

namespace {

// Holds flock(LOCK_EX) on PATH.lock for its lifetime; the lock file itself stays (removing it
// would let a waiter lock a file that no longer has a name).
class FileLock
{
public:
    explicit FileLock(const QString &path)
    {
        const QByteArray name = QFile::encodeName(path + QStringLiteral(".lock"));
        m_fd = ::open(name.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) {
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            return;
        }
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno == EINTR)
                continue;
            m_error = QString::fromLocal8Bit(std::strerror(errno));
            ::close(m_fd);
            m_fd = -1;
            return;
        }
    }
    ~FileLock()
    {
        if (m_fd >= 0)
            ::close(m_fd); // releases the lock
    }
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;
    bool ok() const { return m_fd >= 0; }
    QString error() const { return m_error; }

private:
    int m_fd = -1;
    QString m_error;
};

} // namespace

FileLeaseStore::FileLeaseStore(QString path)
    : m_path(std::move(path))
{
}

QString FileLeaseStore::where() const
{
    return QStringLiteral("file %1").arg(m_path);
}

bool FileLeaseStore::readLocked(OperatorLease *out, QString *version, QString *error) const
{
    *out = OperatorLease{};
    version->clear();
    QFile f(m_path);
    if (!f.exists())
        return true; // nobody ever took it
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return false;
    }
    const QString text = QString::fromUtf8(f.readAll()).trimmed();
    if (!text.isEmpty() && !OperatorLease::fromText(text, out)) {
        *error = QStringLiteral("%1 does not hold a lease (\"%2\")").arg(m_path, text.left(60));
        return false;
    }
    *version = text;
    return true;
}

bool FileLeaseStore::read(OperatorLease *out, QString *version, QString *error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    FileLock lock(m_path);
    if (!lock.ok()) {
        *error = QStringLiteral("cannot lock %1.lock: %2").arg(m_path, lock.error());
        return false;
    }
    return readLocked(out, version, error);
}

LeaseStore::Write FileLeaseStore::write(const OperatorLease &lease, const QString &version, QString *error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    FileLock lock(m_path);
    if (!lock.ok()) {
        *error = QStringLiteral("cannot lock %1.lock: %2").arg(m_path, lock.error());
        return Write::Failed;
    }
    OperatorLease now;
    QString current;
    if (!readLocked(&now, &current, error))
        return Write::Failed;
    if (current != version)
        return Write::Conflict;
    QSaveFile out(m_path);
    const QByteArray text = lease.toText().toUtf8() + '\n';
    if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size() || !out.commit()) {
        *error = QStringLiteral("%1: %2").arg(m_path, out.errorString());
        return Write::Failed;
    }
    return Write::Ok;
}

} // namespace Switchboard
