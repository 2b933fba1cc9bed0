// The audit log: one complete JSON object per line, appended, with the contract's fields.
#include "auditlog.h"
#include "auditlogwatcher.h"
#include "eventlogmodel.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

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

    void killedWriterLosesAndCorruptsNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        for (int round = 0; round < 3; ++round) {
            QProcess writer;
            writer.start(QStringLiteral(AUDITWRITER), {path});
            QVERIFY(writer.waitForReadyRead(10000)); // "started": it is appending now
            QTRY_VERIFY(QFileInfo(path).size() > (round + 1) * 50000);
            writer.kill(); // SIGKILL, at whatever point it has reached
            QVERIFY(writer.waitForFinished(10000));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.endsWith('\n')); // no half line at the end
        const QList<QByteArray> lines = text.split('\n');
        int entries = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            QJsonParseError err;
            const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
            QVERIFY2(err.error == QJsonParseError::NoError, line.left(80).constData());
            QCOMPARE(o.value(QStringLiteral("action")).toString(), QStringLiteral("set-weight"));
            ++entries;
        }
        QVERIFY(entries > 300);
        qInfo("%d complete entries across 3 killed writers", entries);
    }

    void unwritableLocationIsAnError()
    {
        AuditLog log(QStringLiteral("/proc/switchboard-cannot-write/audit.jsonl"));
        QString error;
        QVERIFY(!log.append({}, &error));
        QVERIFY(error.contains(QStringLiteral("audit log")));
    }

    void entriesCarryTheWritersPid()
    {
        QTemporaryDir dir;
        AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(log.append({}));
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
        writer.start(QStringLiteral(AUDITWRITER), {path});
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
