// The audit log: one complete JSON object per line, appended, with the contract's fields.
#include "auditlog.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
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
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
