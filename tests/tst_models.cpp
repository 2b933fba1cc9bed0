// Item models: each passes QAbstractItemModelTester while it changes, and holds what it should.
#include "auditlogmodel.h"
#include "downsample.h"
#include "eventlogmodel.h"
#include "timeseriesmodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Switchboard;

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void timeSeriesKeepsOrderAndRetention()
    {
        TimeSeriesModel m({QStringLiteral("a"), QStringLiteral("b")});
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.append(1000, {1, 2});
        m.append(3000, {3, 4});
        m.append(2000, {5, NAN}); // late arrival goes in order
        m.append(3000, {7, 8});   // same instant replaces
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.columnCount(), 3);
        QCOMPARE(m.rows().at(1).timeMs, 2000);
        QCOMPARE(m.data(m.index(2, 1), TimeSeriesModel::TimeRole).toDouble(), 7.0);
        QVERIFY(!m.data(m.index(1, 2)).isValid()); // NaN shows as no value, never 0
        QCOMPARE(m.column(QStringLiteral("b")), 2);
        QCOMPARE(m.column(QStringLiteral("zz")), -1);
        m.setRetentionMs(1500);
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.rows().constFirst().timeMs, 2000);
    }

    void timeSeriesMergeKeepsNewerLiveRows()
    {
        TimeSeriesModel m({QStringLiteral("a")});
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.append(5000, {50});
        m.append(9000, {90});
        m.mergeHistory({{1000, {10}}, {2000, {20}}, {6000, {60}}});
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(m.rows().at(2).timeMs, 6000); // backfill wins up to its newest point
        QCOMPARE(m.rows().at(3).timeMs, 9000); // the live point after it stays
        m.clear();
        QCOMPARE(m.rowCount(), 0);
    }

    void eventLogAppendsAndCaps()
    {
        EventLogModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.add(QStringLiteral("shop"), EventLogModel::Severity::Action, QStringLiteral("rollback"), 1000);
        m.add(QStringLiteral("shop"), EventLogModel::Severity::Error, QStringLiteral("socket refused"));
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.data(m.index(0), EventLogModel::TextRole).toString(), QStringLiteral("rollback"));
        QCOMPARE(m.data(m.index(1), EventLogModel::SeverityRole).toInt(), int(EventLogModel::Severity::Error));
        QVERIFY(m.data(m.index(0)).toString().contains(QStringLiteral("shop")));
        // The cap on a model without the tester: it re-checks every row on every change, which
        // made 6000 adds quadratic (minutes under load, far more under ASan).
        EventLogModel capped;
        for (int i = 0; i < 6000; ++i)
            capped.add(QStringLiteral("t"), EventLogModel::Severity::Info, QString::number(i));
        QCOMPARE(capped.rowCount(), 5000);
        QCOMPARE(capped.data(capped.index(4999), EventLogModel::TextRole).toString(), QStringLiteral("5999"));
        QCOMPARE(capped.data(capped.index(0), EventLogModel::TextRole).toString(), QStringLiteral("1000"));
    }

    void auditLogModelShowsEveryLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"time\":\"2026-11-24T10:00:00Z\",\"user\":\"ana\",\"target\":\"shop\",\"action\":\"set-weight\","
                "\"before\":{\"a\":256},\"after\":{\"a\":96},\"reason\":\"operator\",\"result\":\"applied\"}\n"
                "{not json\n"
                "{\"action\":\"rollback\",\"target\":\"cart\"}\n");
        f.close();
        AuditLogModel m(path);
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy read(&m, &AuditLogModel::readFinished);
        QVERIFY(m.isReading()); // off this thread: the rows come with the event loop
        QCOMPARE(m.rowCount(), 0);
        QVERIFY(read.wait(5000));
        QCOMPARE(read.at(0).at(1).toBool(), true); // restarted: the rows are the file's
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.brokenLines(), 1);
        QCOMPARE(m.index(0, AuditLogModel::User).data().toString(), QStringLiteral("ana"));
        QCOMPARE(m.index(0, AuditLogModel::After).data().toString(), QStringLiteral("a=96"));
        QCOMPARE(m.index(1, AuditLogModel::Action).data().toString(), QStringLiteral("(unreadable line)"));
        QCOMPARE(m.index(2, AuditLogModel::Target).data().toString(), QStringLiteral("cart"));
        AuditLogModel missing(dir.filePath(QStringLiteral("none.jsonl")));
        QSignalSpy none(&missing, &AuditLogModel::readFinished);
        QVERIFY(none.wait(5000));
        QCOMPARE(none.at(0).at(2).toString(), QString()); // no file yet is not an error
        QCOMPARE(missing.rowCount(), 0);
    }

    // The audit view follows the file: appended whole lines become rows, a line still being
    // written waits, and a file cut shorter is read again from the start.
    void auditLogModelFollowsTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        auto append = [&](const QByteArray &bytes) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Append));
            f.write(bytes);
        };
        AuditLogModel m(path); // no file yet
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy read(&m, &AuditLogModel::readFinished);
        // Asks for a read and waits for it; the rows it added.
        auto readAppended = [&m, &read]() -> int {
            read.clear();
            m.readAppended();
            if (!read.wait(5000))
                return -100;
            return read.at(0).at(0).toInt();
        };
        QVERIFY(read.wait(5000)); // the first read
        QCOMPARE(readAppended(), 0);
        append("{\"action\":\"set-weight\",\"target\":\"shop\"}\n");
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QCOMPARE(readAppended(), 1);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(readAppended(), 0); // nothing new
        // Another writer, its line in two pieces: nothing until the line is whole.
        append("{\"action\":\"rollback\",\"tar");
        QCOMPARE(readAppended(), 0);
        QCOMPARE(m.rowCount(), 1);
        append("get\":\"cart\"}\n{not json\n");
        QCOMPARE(readAppended(), 2);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.index(1, AuditLogModel::Target).data().toString(), QStringLiteral("cart"));
        QCOMPARE(m.index(2, AuditLogModel::Action).data().toString(), QStringLiteral("(unreadable line)"));
        QCOMPARE(m.brokenLines(), 1);
        // Asked again while a read is under way: one more read after it, none lost.
        append("{\"action\":\"pause\",\"target\":\"shop\"}\n");
        read.clear();
        m.readAppended();
        QVERIFY(m.isReading());
        m.readAppended();
        QTRY_COMPARE(read.size(), 2);
        QCOMPARE(read.at(0).at(0).toInt() + read.at(1).at(0).toInt(), 1);
        QCOMPARE(m.rowCount(), 4);
        // Cut and rewritten shorter: read again from the start, not from the old offset.
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("{\"action\":\"promote\",\"target\":\"a\"}\n");
        }
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        QVERIFY(readAppended() >= 0);
        QCOMPARE(reset.size(), 1);
        QCOMPARE(read.at(0).at(1).toBool(), true);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.index(0, AuditLogModel::Action).data().toString(), QStringLiteral("promote"));
        QCOMPARE(m.brokenLines(), 0);
        // A file that cannot be read: the rows stay, and the error says which file.
        // (A folder in its place: unreadable as a file even for root, who reads any file.)
        QVERIFY(QFile::remove(path));
        QVERIFY(QDir().mkdir(path));
        read.clear();
        m.reload();
        QVERIFY(read.wait(5000));
        QVERIFY2(read.at(0).at(2).toString().startsWith(path), qPrintable(read.at(0).at(2).toString()));
        QCOMPARE(m.rowCount(), 1);
    }

    void downsampleKeepsExtremes()
    {
        QList<QPointF> pts;
        for (int i = 0; i < 100000; ++i)
            pts.append(QPointF(i, i == 54321 ? 1000.0 : std::sin(i / 100.0)));
        const QList<QPointF> out = downsampleMinMax(pts, 500);
        QVERIFY(out.size() <= 2000);
        QVERIFY(out.size() >= 500);
        bool spike = false;
        for (int i = 0; i < out.size(); ++i) {
            spike |= out.at(i).y() == 1000.0;
            if (i > 0)
                QVERIFY(out.at(i).x() > out.at(i - 1).x()); // still a function of time
        }
        QVERIFY(spike); // a one-second spike survives a 24 h window
        QCOMPARE(out.constFirst(), pts.constFirst());
        QCOMPARE(out.constLast(), pts.constLast());
        QCOMPARE(downsampleMinMax(pts.mid(0, 100), 500).size(), 100); // small series untouched
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
