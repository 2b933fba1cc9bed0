#include "auditlog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QStringList>

#include <condition_variable>
#include <deque>
#include <mutex>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

namespace Switchboard {

namespace {

// How long destroying the log waits for queued entries before it leaves them to the worker:
// quitting must not hang on a stuck disk, and the app drains explicitly before it gets here.
constexpr int kShutdownWaitMs = 5000;

QString accountName()
{
    // The account does not change while the process runs; the lookup may go to NSS (LDAP...).
    static const QString name = [] {
        const uid_t uid = ::geteuid();
        long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
        QByteArray buf(qsizetype(size > 0 ? size : 16384), Qt::Uninitialized);
        passwd pw{};
        passwd *found = nullptr;
        if (::getpwuid_r(uid, &pw, buf.data(), size_t(buf.size()), &found) == 0 && found && found->pw_name && *found->pw_name)
            return QString::fromLocal8Bit(found->pw_name);
        return QStringLiteral("uid %1").arg(uid);
    }();
    return name;
}

} // namespace

struct AuditLog::Queue
{
    struct Item
    {
        Entry entry;
        QDateTime time;
    };

    QString path;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Item> items;
    quint64 appended = 0; // entries queued so far
    quint64 finished = 0; // entries the worker is done with (written and fsync'd, or failed)
    bool stop = false;
    QString unreported;       // a failure nobody has been told of yet (no handler)
    QString failedSinceDrain; // what the next drain() reports
    std::function<void(const QString &)> handler;

    static QByteArray line(const Item &item);
    QString write(const std::deque<Item> &batch) const;
    void run();
};

QByteArray AuditLog::Queue::line(const Item &item)
{
    const Entry &entry = item.entry;
    QJsonObject o = entry.extra;
    o.insert(QStringLiteral("time"), item.time.toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("user"), currentUser());
    // Tells other Switchboard processes following the log (AuditLogWatcher) whose entry it is.
    o.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
    o.insert(QStringLiteral("target"), entry.target);
    o.insert(QStringLiteral("action"), entry.action);
    o.insert(QStringLiteral("before"), entry.before);
    o.insert(QStringLiteral("after"), entry.after);
    o.insert(QStringLiteral("reason"), entry.reason);
    o.insert(QStringLiteral("result"), entry.result);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// Writes `batch` in order, one write() per line, then one fsync for all of them. Empty on
// success, else the first error.
QString AuditLog::Queue::write(const std::deque<Item> &batch) const
{
    auto failure = [this](int err) { return QStringLiteral("audit log %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(err))); };
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QByteArray name = QFile::encodeName(path);
    // Opened per batch: the file may have been moved away (rotated) meanwhile.
    const int fd = ::open(name.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure(errno);
    QString error;
    for (const Item &item : batch) {
        const QByteArray text = line(item);
        // One write: O_APPEND makes it land whole at the end even with several writers.
        const ssize_t n = ::write(fd, text.constData(), size_t(text.size()));
        if (n != text.size() && error.isEmpty())
            error = failure(n < 0 ? errno : ENOSPC);
    }
    if (::fsync(fd) != 0 && error.isEmpty())
        error = failure(errno);
    ::close(fd);
    return error;
}

void AuditLog::Queue::run()
{
    for (;;) {
        std::deque<Item> batch;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [this] { return stop || !items.empty(); });
            if (items.empty())
                return; // stopped, and nothing left to write
            batch.swap(items);
        }
        const QString error = write(batch);
        std::lock_guard lock(mutex);
        finished += batch.size();
        if (!error.isEmpty()) {
            failedSinceDrain = error;
            // Called under the lock, so once the destructor has cleared it no call is under way.
            if (handler)
                handler(error);
            else
                unreported = error;
        }
        changed.notify_all();
    }
}

QString AuditLog::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/switchboard/audit.jsonl");
}

AuditLog::AuditLog(const QString &path)
    : m_path(path)
    , m_queue(std::make_shared<Queue>())
{
    m_queue->path = path;
    m_worker = std::thread([queue = m_queue] { queue->run(); });
}

AuditLog::~AuditLog()
{
    drain(kShutdownWaitMs);
    bool idle = false;
    {
        std::lock_guard lock(m_queue->mutex);
        m_queue->stop = true;
        m_queue->handler = nullptr; // its captures may die with our owner
        idle = m_queue->finished == m_queue->appended;
        m_queue->changed.notify_all();
    }
    // A worker stuck on the disk keeps the queue alive by itself and ends after its writes.
    if (idle)
        m_worker.join();
    else
        m_worker.detach();
}

QString AuditLog::currentUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    return user.isEmpty() ? accountName() : user;
}

bool AuditLog::append(const Entry &entry, QString *error)
{
    std::lock_guard lock(m_queue->mutex);
    // Timed under the lock, so the file's order (the queue's) is also the order of the times.
    m_queue->items.push_back({entry, QDateTime::currentDateTimeUtc()});
    ++m_queue->appended;
    m_queue->changed.notify_all();
    if (m_queue->unreported.isEmpty())
        return true;
    if (error)
        *error = m_queue->unreported;
    m_queue->unreported.clear();
    return false;
}

bool AuditLog::drain(int timeoutMs, QString *error)
{
    std::unique_lock lock(m_queue->mutex);
    const quint64 target = m_queue->appended;
    const auto written = [this, target] { return m_queue->finished >= target; };
    bool done = true;
    if (timeoutMs < 0)
        m_queue->changed.wait(lock, written);
    else
        done = m_queue->changed.wait_for(lock, std::chrono::milliseconds(timeoutMs), written);
    QStringList failures;
    if (!done)
        failures.append(QStringLiteral("audit log %1: %2 entries not written within %3 ms")
                            .arg(m_path).arg(target - m_queue->finished).arg(timeoutMs));
    if (!m_queue->failedSinceDrain.isEmpty())
        failures.append(m_queue->failedSinceDrain);
    // Told now (every failure not yet reported is also one since the previous drain).
    m_queue->failedSinceDrain.clear();
    m_queue->unreported.clear();
    if (failures.isEmpty())
        return true;
    if (error)
        *error = failures.join(QStringLiteral("; "));
    return false;
}

void AuditLog::setErrorHandler(std::function<void(const QString &)> handler)
{
    std::lock_guard lock(m_queue->mutex);
    m_queue->handler = std::move(handler);
}

} // namespace Switchboard
