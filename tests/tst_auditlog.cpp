// The audit log: one complete JSON object per line, appended, with the contract's fields;
// written off the caller's thread in append() order; a drained entry survives SIGKILL.
#include "auditlog.h"
#include "auditlogwatcher.h"
#include "eventlogmodel.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace Switchboard;

namespace {

QList<QJsonObject> readEntries(const QString &path)
{
    QFile f(path);
    QList<QJsonObject> out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.isEmpty())
            out.append(QJsonDocument::fromJson(line).object());
    return out;
}

AuditLog::Entry entry(const QString &reason)
{
    AuditLog::Entry e;
    e.target = QStringLiteral("shop");
    e.action = QStringLiteral("set-weight");
    e.reason = reason;
    e.result = QStringLiteral("applied");
    return e;
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT
private slots:
    void appendsCompleteLines()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/audit.jsonl")); // folder created on demand
        AuditLog log(path);
        AuditLog::Entry e;
        e.target = QStringLiteral("shop");
        e.action = QStringLiteral("rollback");
        e.before = QJsonObject{{QStringLiteral("shop-v2-a"), 64}};
        e.after = QJsonObject{{QStringLiteral("shop-v2-a"), 0}};
        e.reason = QStringLiteral("operator");
        e.result = QStringLiteral("applied");
        QString error;
        QVERIFY2(log.append(e, &error), qPrintable(error));
        e.action = QStringLiteral("set-weight");
        QVERIFY(log.append(e, &error));
        QVERIFY2(log.drain(10000, &error), qPrintable(error)); // both written and fsync'd now

        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.size(), 3); // two lines and the final newline
        QVERIFY(lines.at(2).isEmpty());
        const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
        for (const char *key : {"time", "user", "target", "action", "before", "after", "reason", "result"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
        QCOMPARE(first.value(QStringLiteral("action")).toString(), QStringLiteral("rollback"));
        QCOMPARE(first.value(QStringLiteral("after")).toObject().value(QStringLiteral("shop-v2-a")).toInt(), 0);
        QVERIFY(QDateTime::fromString(first.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(first.value(QStringLiteral("time")).toString().endsWith(QLatin1Char('Z'))); // UTC
        QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("action")).toString(),
                 QStringLiteral("set-weight"));
    }

    // A completed entry is one whose drain() returned: the writer prints "drained N" after each,
    // and every entry a killed writer reported must be in the file, whole and in order.
    void killedWriterLosesAndCorruptsNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        QMap<QString, qint64> lastDrained; // writer tag -> last index it reported drained
        for (int round = 0; round < 3; ++round) {
            const QString tag = QStringLiteral("round-%1").arg(round);
            QProcess writer;
            writer.start(QStringLiteral(AUDITWRITER), {path, tag});
            QVERIFY(writer.waitForReadyRead(10000)); // "drained 0": it is appending now
            QTRY_VERIFY(QFileInfo(path).size() > (round + 1) * 50000);
            writer.kill(); // SIGKILL, at whatever point it has reached
            QVERIFY(writer.waitForFinished(10000));
            // Only whole lines count: the last one may have been cut by the kill.
            const QByteArray out = writer.readAllStandardOutput();
            const QList<QByteArray> reported = out.left(out.lastIndexOf('\n')).split('\n');
            QVERIFY(reported.constLast().startsWith("drained "));
            lastDrained.insert(tag, reported.constLast().mid(8).toLongLong());
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.endsWith('\n')); // no half line at the end
        const QList<QByteArray> lines = text.split('\n');
        int entries = 0;
        QMap<QString, qint64> next; // writer tag -> index expected next
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            QJsonParseError err;
            const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
            QVERIFY2(err.error == QJsonParseError::NoError, line.left(80).constData());
            QCOMPARE(o.value(QStringLiteral("action")).toString(), QStringLiteral("set-weight"));
            const QString tag = o.value(QStringLiteral("writer")).toString();
            QCOMPARE(o.value(QStringLiteral("index")).toInteger(), next.value(tag)); // none lost, none out of order
            next[tag] = next.value(tag) + 1;
            ++entries;
        }
        for (auto it = lastDrained.cbegin(); it != lastDrained.cend(); ++it)
            QVERIFY2(next.value(it.key()) > it.value(), qPrintable(it.key())); // every drained entry is there
        QVERIFY(entries > 300);
        qInfo("%d complete entries across 3 killed writers", entries);
    }

    void unwritableLocationIsAnError()
    {
        AuditLog log(QStringLiteral("/proc/switchboard-cannot-write/audit.jsonl"));
        QString error;
        log.append({}); // queued: the write fails on the worker, and drain() says so
        QVERIFY(!log.drain(10000, &error));
        QVERIFY(error.contains(QStringLiteral("audit log")));
        QVERIFY(error.contains(QStringLiteral("/proc/switchboard-cannot-write/audit.jsonl")));
        QVERIFY(log.drain(10000)); // reported once
    }

    // Without an error handler, the caller hears of a failed write on its next append().
    void failureIsReportedByTheNextAppend()
    {
        AuditLog log(QStringLiteral("/proc/switchboard-cannot-write/audit.jsonl"));
        QString error;
        QVERIFY(log.append(entry(QStringLiteral("first")), &error));
        // Appends until one reports the failure (the write happens meanwhile on the worker).
        bool reported = false;
        QTRY_VERIFY((reported = reported || !log.append(entry(QStringLiteral("next")), &error)));
        QVERIFY(error.contains(QStringLiteral("audit log")));
    }

    void failureGoesToTheErrorHandler()
    {
        AuditLog log(QStringLiteral("/proc/switchboard-cannot-write/audit.jsonl"));
        auto seen = std::make_shared<QAtomicInt>(0);
        auto thread = std::make_shared<QThread *>(nullptr);
        log.setErrorHandler([seen, thread](const QString &message) {
            if (message.contains(QStringLiteral("audit log")))
                seen->ref();
            *thread = QThread::currentThread();
        });
        log.append(entry(QStringLiteral("first")));
        QVERIFY(!log.drain(10000));
        QCOMPARE(seen->loadAcquire(), 1);
        QVERIFY(*thread != QThread::currentThread()); // told from the writer, not the caller's thread
        QString error;
        QVERIFY(log.append(entry(QStringLiteral("next")), &error)); // the handler told it already
    }

    // The contract's "user" names the operator even where the environment does not (cron,
    // systemd units, `env -i`): the account of the effective user.
    void userWithoutEnvironment()
    {
        const QByteArray user = qgetenv("USER");
        const QByteArray logname = qgetenv("LOGNAME");
        const bool hadUser = qEnvironmentVariableIsSet("USER");
        const bool hadLogname = qEnvironmentVariableIsSet("LOGNAME");
        auto restore = qScopeGuard([&] {
            if (hadUser)
                qputenv("USER", user);
            if (hadLogname)
                qputenv("LOGNAME", logname);
        });
        qunsetenv("USER");
        qunsetenv("LOGNAME");
        const passwd *pw = ::getpwuid(::geteuid());
        QVERIFY(pw && pw->pw_name);
        const QString account = QString::fromLocal8Bit(pw->pw_name);
        QCOMPARE(AuditLog::currentUser(), account);

        QTemporaryDir dir;
        AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")));
        log.append(entry(QStringLiteral("no USER")));
        QVERIFY(log.drain(10000));
        const QList<QJsonObject> entries = readEntries(log.path());
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.constFirst().value(QStringLiteral("user")).toString(), account);

        qputenv("USER", "ana"); // the environment still wins when it names someone
        QCOMPARE(AuditLog::currentUser(), QStringLiteral("ana"));
    }

    // Many threads appending at once: every entry lands once, each thread's in the order it
    // appended them, and the file's order is the order of the times.
    void concurrentAppendsKeepTheirOrder()
    {
        QTemporaryDir dir;
        AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")));
        constexpr int kThreads = 8;
        constexpr int kEach = 250;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back(QThread::create([&log, t] {
                for (int i = 0; i < kEach; ++i) {
                    AuditLog::Entry e = entry(QStringLiteral("t%1 #%2").arg(t).arg(i));
                    e.extra.insert(QStringLiteral("thread"), t);
                    e.extra.insert(QStringLiteral("seq"), i);
                    log.append(e);
                }
            }));
            threads.back()->start();
        }
        for (auto &t : threads)
            QVERIFY(t->wait(30000));
        QString error;
        QVERIFY2(log.drain(30000, &error), qPrintable(error));
        const QList<QJsonObject> entries = readEntries(log.path());
        QCOMPARE(entries.size(), kThreads * kEach);
        QList<int> next(kThreads, 0);
        QDateTime previous;
        for (const QJsonObject &o : entries) {
            const int t = o.value(QStringLiteral("thread")).toInt();
            QCOMPARE(o.value(QStringLiteral("seq")).toInt(), next[t]);
            ++next[t];
            const QDateTime time = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
            QVERIFY(time.isValid());
            QVERIFY(!previous.isValid() || previous <= time);
            previous = time;
        }
        for (int t = 0; t < kThreads; ++t)
            QCOMPARE(next[t], kEach);
    }

    // append() never waits for the disk: with the file a FIFO nobody reads, the writer blocks
    // in open() while append() has long returned, and drain() gives up after its time.
    void appendDoesNotWaitForTheDisk()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.fifo"));
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        AuditLog log(path);
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 3; ++i)
            QVERIFY(log.append(entry(QStringLiteral("queued %1").arg(i))));
        QVERIFY(timer.elapsed() < 1000);
        QString error;
        QVERIFY(!log.drain(200, &error));
        QVERIFY2(error.contains(QStringLiteral("3 entries not written within 200 ms")), qPrintable(error));
        // A reader lets the writer through; the lines arrive whole and in order.
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY);
        QVERIFY(fd >= 0);
        QByteArray got;
        char buf[4096];
        while (got.count('\n') < 3) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            QVERIFY(n > 0);
            got.append(buf, n);
        }
        ::close(fd);
        const QList<QByteArray> lines = got.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(QJsonDocument::fromJson(lines.at(i)).object().value(QStringLiteral("reason")).toString(),
                     QStringLiteral("queued %1").arg(i));
        log.drain(10000); // fsync on a FIFO fails (EINVAL); what matters here is that it ends
    }

    void entriesCarryTheWritersPid()
    {
        QTemporaryDir dir;
        AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(log.append({}));
        QVERIFY(log.drain(5000)); // written on the log's own thread
        QFile f(log.path());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("pid")).toInteger(),
                 QCoreApplication::applicationPid());
    }

    void watcherShowsOtherProcessesEntries()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        AuditLog log(path);
        AuditLog::Entry old;
        old.action = QStringLiteral("history");
        QVERIFY(log.append(old)); // there before the watcher: history, not news
        QVERIFY(log.drain(5000));
        auto foreignLine = [](const QString &user, qint64 pid) -> QByteArray {
            const QJsonObject o{{QStringLiteral("time"), QStringLiteral("2026-01-01T10:00:00.000Z")},
                                {QStringLiteral("user"), user},
                                {QStringLiteral("target"), QStringLiteral("shop")},
                                {QStringLiteral("action"), QStringLiteral("set-weight")},
                                {QStringLiteral("before"), QJsonObject()},
                                {QStringLiteral("after"), QJsonObject()},
                                {QStringLiteral("reason"), QStringLiteral("release")},
                                {QStringLiteral("result"), QStringLiteral("applied")},
                                {QStringLiteral("canaryPercent"), 40},
                                {QStringLiteral("pid"), pid}};
            return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        };
        EventLogModel events;
        AuditLogWatcher watcher(path, &events);
        QSignalSpy foreign(&watcher, &AuditLogWatcher::foreignEntry);
        watcher.checkNow();
        QCOMPARE(foreign.size(), 0);

        AuditLog::Entry mine;
        mine.target = QStringLiteral("shop");
        mine.action = QStringLiteral("rollback");
        QVERIFY(log.append(mine)); // ours: already in our log, not repeated
        // Written before the other writer's lines below, not (on a slow run) into the middle
        // of its half-written one.
        QVERIFY(log.drain(5000));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Append));
        const QByteArray other = foreignLine(QStringLiteral("alice"), AuditLogWatcher::ownPid() + 1);
        f.write(other);
        f.write(other.left(40)); // another writer's line, half written so far
        f.flush();
        watcher.checkNow();
        QCOMPARE(foreign.size(), 1);
        QCOMPARE(foreign.at(0).at(0).toJsonObject().value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
        QCOMPARE(events.events().size(), 1);
        const EventLogModel::Event &e = events.events().constFirst();
        QCOMPARE(e.target, QStringLiteral("shop"));
        QCOMPARE(e.severity, EventLogModel::Severity::Action);
        QCOMPARE(e.text, QStringLiteral("by alice (pid %1) elsewhere: set-weight applied → canary 40% (release)")
                             .arg(AuditLogWatcher::ownPid() + 1));
        QCOMPARE(e.timeMs, QDateTime::fromString(QStringLiteral("2026-01-01T10:00:00.000Z"), Qt::ISODateWithMs).toMSecsSinceEpoch());

        // The rest of the half line comes, on the watcher's own timer this time.
        f.write(other.mid(40));
        f.flush();
        watcher.start(20);
        QVERIFY(foreign.wait(5000));
        QCOMPARE(foreign.size(), 2);
        QCOMPARE(events.events().size(), 2);
    }

    void watcherSeesARealOtherProcess()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        AuditLogWatcher watcher(path, nullptr); // the file does not exist yet
        QSignalSpy foreign(&watcher, &AuditLogWatcher::foreignEntry);
        QProcess writer;
        writer.start(QStringLiteral(AUDITWRITER), {path, QStringLiteral("other")});
        QVERIFY(writer.waitForReadyRead(10000));
        const qint64 pid = writer.processId();
        writer.kill();
        QVERIFY(writer.waitForFinished(10000));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qsizetype lines = f.readAll().count('\n');
        QVERIFY(lines >= 1);
        for (int i = 0; i < 100 && foreign.size() < lines; ++i)
            watcher.checkNow(); // a big burst is read over several looks
        QCOMPARE(foreign.size(), lines);
        for (const auto &args : std::as_const(foreign))
            QCOMPARE(args.at(0).toJsonObject().value(QStringLiteral("pid")).toInteger(), pid);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
