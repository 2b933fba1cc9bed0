// targets.json: valid files load, broken ones give an error naming file and line and are
// never modified.
#include "targetconfig.h"
#include "targetconfigwriter.h"

#include <QDir>
#include <QJsonDocument>

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

class TestTargetConfig : public QObject
{
    Q_OBJECT
private slots:
    void loadsContractExample()
    {
        const QByteArray json = "{\n"
"  \"targets\": [\n"
"    {\"name\": \"shop\", \"kind\": \"haproxy\",\n"
"     \"haproxy\": {\"endpoints\": [\"unix:/run/haproxy/admin.sock\"], \"backend\": \"shop\",\n"
"                 \"stable\": [\"shop-v1-a\", \"shop-v1-b\"], \"canary\": [\"shop-v2-a\"]},\n"
"     \"prometheus\": {\"url\": \"http://127.0.0.1:9090\", \"stableLabel\": \"v1\", \"canaryLabel\": \"v2\"},\n"
"     \"pollMs\": 1000, \"futureKey\": {\"kept\": true}},\n"
"    { \"name\": \"demo\", \"kind\": \"sim\", \"sim\": { \"seed\": 42 } }\n"
"  ]\n"
"}";
        const TargetConfigResult r = parseTargetConfig(json, QStringLiteral("t.json"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.targets.size(), 2);
        QCOMPARE(r.targets.at(0).name, QStringLiteral("shop"));
        QCOMPARE(r.targets.at(0).kind, QStringLiteral("haproxy"));
        QCOMPARE(r.targets.at(0).pollMs, 1000);
        // Unknown keys are kept for whoever understands them.
        QVERIFY(r.targets.at(0).settings.value(QStringLiteral("futureKey")).isObject());
        QCOMPARE(r.targets.at(1).kind, QStringLiteral("sim"));
    }

    void reportsErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax on line 3") << QByteArray("{\n  \"targets\": [\n    {\"name\": \"a\",, }\n]}")
                                          << QStringLiteral("line 3");
        QTest::newRow("truncated") << QByteArray("{\"targets\": [{\"name\": \"a\"") << QStringLiteral("line 1");
        QTest::newRow("comment") << QByteArray("{\n// no comments\n\"targets\": []}") << QStringLiteral("line 2");
        QTest::newRow("no targets") << QByteArray("{\"target\": []}") << QStringLiteral("\"targets\" array");
        QTest::newRow("empty") << QByteArray("{\"targets\": []}") << QStringLiteral("empty");
        QTest::newRow("no name") << QByteArray("{\"targets\": [{\"kind\": \"sim\"}]}") << QStringLiteral("targets[0].name");
        QTest::newRow("dup name") << QByteArray("{\"targets\": [{\"name\":\"a\",\"kind\":\"sim\"},{\"name\":\"a\",\"kind\":\"sim\"}]}")
                                  << QStringLiteral("used twice");
        QTest::newRow("bad kind") << QByteArray("{\"targets\": [{\"name\":\"a\",\"kind\":\"f5\"}]}")
                                  << QStringLiteral("targets[0].kind");
        QTest::newRow("missing section") << QByteArray("{\"targets\": [{\"name\":\"a\",\"kind\":\"haproxy\"}]}")
                                         << QStringLiteral("targets[0].haproxy");
        QTest::newRow("bad poll") << QByteArray("{\"targets\": [{\"name\":\"a\",\"kind\":\"sim\",\"pollMs\":5}]}")
                                  << QStringLiteral("pollMs");
    }
    void reportsErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const TargetConfigResult r = parseTargetConfig(json, QStringLiteral("/x/targets.json"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error.startsWith(QStringLiteral("/x/targets.json")), qPrintable(r.error));
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
    }

    void brokenFileIsLeftUntouched()
    {
        QTemporaryDir dir;
        const QString path = targetsFilePath(dir.path());
        const QByteArray broken("{\n  \"targets\": [\n    {\"name\": \"shop\", \"kind\": \"haproxy\"\n");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(broken);
        }
        const QDateTime mtime = QFileInfo(path).lastModified();
        const TargetConfigResult r = loadTargetConfig(path);
        QVERIFY(!r.ok());
        QVERIFY(r.fileFound);
        QVERIFY(r.error.contains(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), broken);
        QCOMPARE(QFileInfo(path).lastModified(), mtime);
    }

    void writerKeepsOrderAndUnknownKeys()
    {
        QTemporaryDir dir;
        const QString path = targetsFilePath(dir.path());
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"targets\": [{\"name\": \"shop\", \"kind\": \"sim\", \"zeta\": 1, \"alpha\": {\"x\": 2},"
                    " \"prometheus\": {\"url\": \"http://127.0.0.1:9\"}}], \"mine\": true}");
        }
        QString error;
        QVERIFY2(updateTargetSetting(path, QStringLiteral("shop"), QStringLiteral("prometheus"), QStringLiteral("queries"),
                                     QJsonObject{{QStringLiteral("rps"), QStringLiteral("sum(rate(x[1m]))")}}, &error),
                 qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.indexOf("zeta") < text.indexOf("alpha")); // the user's order, not sorted
        const TargetConfigResult r = parseTargetConfig(text, path);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const QJsonObject prom = r.targets.at(0).settings.value(QStringLiteral("prometheus")).toObject();
        QCOMPARE(prom.value(QStringLiteral("url")).toString(), QStringLiteral("http://127.0.0.1:9"));
        QCOMPARE(prom.value(QStringLiteral("queries")).toObject().value(QStringLiteral("rps")).toString(),
                 QStringLiteral("sum(rate(x[1m]))"));
        QVERIFY(QJsonDocument::fromJson(text).object().value(QStringLiteral("mine")).toBool());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("targets.json")}); // no temp left
    }

    void writerRefusesBrokenFileAndUnknownTarget()
    {
        QTemporaryDir dir;
        const QString path = targetsFilePath(dir.path());
        const QByteArray broken("{\"targets\": [ {\"name\": \"shop\"");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(broken);
        }
        QString error;
        QVERIFY(!updateTargetSetting(path, QStringLiteral("shop"), QStringLiteral("prometheus"), QStringLiteral("queries"), {}, &error));
        QVERIFY(error.contains(QStringLiteral("left unchanged")));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), broken);
        f.close();
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"targets\": [{\"name\": \"a\", \"kind\": \"sim\"}]}");
        f.close();
        QVERIFY(!updateTargetSetting(path, QStringLiteral("b"), QStringLiteral("prometheus"), QStringLiteral("queries"), {}, &error));
        QVERIFY(error.contains(QStringLiteral("no target named \"b\"")));
    }

    void missingFile()
    {
        QTemporaryDir dir;
        const TargetConfigResult r = loadTargetConfig(targetsFilePath(dir.path()));
        QVERIFY(!r.ok());
        QVERIFY(!r.fileFound);
        QVERIFY(r.error.contains(QStringLiteral("no such file")));
        QVERIFY(!QFile::exists(targetsFilePath(dir.path()))); // never created for the user
    }
};

QTEST_GUILESS_MAIN(TestTargetConfig)
#include "tst_targetconfig.moc"
