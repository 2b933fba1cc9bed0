// The switchboard binary against the real lab (HAProxy + apps + Prometheus on loopback): the
// verbs users script, with their exit codes and the contract's JSON.
#include "clirunner.h"
#include "labclient.h"
#include "labfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCliLab : public QObject
{
    Q_OBJECT

    LabFixture m_lab;
    QTemporaryDir m_home;

    using Run = CliRunner::Result;

    Run run(QStringList args)
    {
        args << QStringLiteral("--config") << m_lab.configDir() << QStringLiteral("--target") << QStringLiteral("lab");
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(args);
    }

    // What HAProxy itself says, straight from its admin socket.
    int haproxyWeight(const QString &server)
    {
        return LabClient::haproxyWeight(quint16(m_lab.port("ADMIN_PORT")), server);
    }

    QJsonObject status()
    {
        const Run r = run({QStringLiteral("status"), QStringLiteral("--json")});
        if (r.code != 0)
            qWarning() << r.err;
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }

private slots:
    void initTestCase()
    {
        LAB_START_OR_SKIP(m_lab);
    }

    void statusReadsHaproxy()
    {
        const QJsonObject o = status();
        QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("haproxy"));
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 0.0);
        const QJsonArray members = o.value(QStringLiteral("members")).toArray();
        QCOMPARE(members.size(), 3);
        for (const QJsonValue &m : members)
            QVERIFY(m.toObject().value(QStringLiteral("state")).toString().startsWith(QStringLiteral("UP")));
    }

    void setWeightAndRollback()
    {
        Run r = run({QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("25")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // Two stable servers and one canary: 25% means the canary's weight is half a stable one's.
        const int a = haproxyWeight(QStringLiteral("shop-v1-a"));
        const int b = haproxyWeight(QStringLiteral("shop-v1-b"));
        const int c = haproxyWeight(QStringLiteral("shop-v2-a"));
        QCOMPARE(a, b);
        QCOMPARE(c * 100, 25 * (a + b + c));
        QCOMPARE(status().value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 25.0);

        r = run({QStringLiteral("rollback")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(haproxyWeight(QStringLiteral("shop-v2-a")), 0);
        QVERIFY(haproxyWeight(QStringLiteral("shop-v1-a")) > 0);
    }

    void deadSocketIsAClearError()
    {
        // A target whose admin socket nobody listens on.
        QTemporaryDir cfg;
        QFile f(cfg.filePath(QStringLiteral("targets.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        // Port 1 (tcpmux) has no listener on these machines: connection refused.
        const QJsonObject target{{QStringLiteral("name"), QStringLiteral("lab")},
                                 {QStringLiteral("kind"), QStringLiteral("haproxy")},
                                 {QStringLiteral("haproxy"), QJsonObject{{QStringLiteral("endpoints"), QJsonArray{QStringLiteral("tcp:127.0.0.1:1")}},
                                                                         {QStringLiteral("backend"), QStringLiteral("shop")},
                                                                         {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1-a")}},
                                                                         {QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2-a")}}}}};
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{target}}}).toJson());
        f.close();
        QProcess p;
        p.start(QStringLiteral(SWITCHBOARD_BINARY), {QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("lab"),
                                                      QStringLiteral("--config"), cfg.path()});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.startsWith(QStringLiteral("switchboard: ")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("127.0.0.1:1")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestCliLab)
#include "tst_cli_lab.moc"
