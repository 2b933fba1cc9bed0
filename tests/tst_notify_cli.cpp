// Issue 14: `switchboard run` and `rollback` tell the webhooks of targets.json and
// notifications.json like the GUI does; a webhook that fails is reported on stderr without its
// secrets and changes neither the exit code nor the rollout.
#include "clirunner.h"
#include "fakewebhookserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

QJsonObject bodyOf(const FakeWebhookServer::Request &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

} // namespace

class TestNotifyCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;

    CliRunner::Result run(const QStringList &args)
    {
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(args, 60000);
    }

    // targets.json with one simulated target "shop" carrying `notifications`, in a folder of its own.
    QString writeConfig(const QJsonObject &notifications, const QJsonObject &besideFile = {})
    {
        const QString dir = m_home.filePath(QStringLiteral("cfg-%1").arg(++m_configs));
        QDir().mkpath(dir);
        const QJsonObject shop{{QStringLiteral("name"), QStringLiteral("shop")}, {QStringLiteral("kind"), QStringLiteral("sim")},
                               {QStringLiteral("pollMs"), 200}, {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 7}}},
                               {QStringLiteral("notifications"), notifications}};
        QFile f(dir + QStringLiteral("/targets.json"));
        f.open(QIODevice::WriteOnly);
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{shop}}}).toJson());
        if (!besideFile.isEmpty()) {
            QFile n(dir + QStringLiteral("/notifications.json"));
            n.open(QIODevice::WriteOnly);
            n.write(QJsonDocument(besideFile).toJson());
        }
        return dir;
    }
    int m_configs = 0;

    static QJsonObject webhooks(const QJsonArray &hooks) { return QJsonObject{{QStringLiteral("webhooks"), hooks}}; }

private slots:
    void initTestCase()
    {
        // Two steps and no gates: the run ends promoted within a second or two.
        const QString presets = m_home.filePath(QStringLiteral("config/switchboard/presets"));
        QDir().mkpath(presets);
        QFile f(presets + QStringLiteral("/quick.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"strategy":"canary","steps":[{"setWeight":10},{"setWeight":100}]})");
    }

    void runAndRollbackNotify()
    {
        FakeWebhookServer server;
        const QString dir = writeConfig(
            webhooks({QJsonObject{{QStringLiteral("service"), QStringLiteral("generic")}, {QStringLiteral("url"), server.url(QStringLiteral("/target-hook"))}}}),
            webhooks({QJsonObject{{QStringLiteral("service"), QStringLiteral("slack")},
                                  {QStringLiteral("url"), server.url(QStringLiteral("/services/T01/B02/sLaCkT0kenXYZ"))}}}));
        const auto r = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                            QStringLiteral("quick"), QStringLiteral("--config"), dir});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        // Both the target's webhook and notifications.json's heard of it before the CLI exited.
        QCOMPARE(server.requestCount(), 2);
        QJsonObject generic;
        QJsonObject slack;
        for (const auto &req : server.requests())
            (req.path == "/target-hook" ? generic : slack) = bodyOf(req);
        QCOMPARE(generic.value(QStringLiteral("event")).toString(), QStringLiteral("promoted"));
        QCOMPARE(generic.value(QStringLiteral("target")).toString(), QStringLiteral("shop"));
        QCOMPARE(generic.value(QStringLiteral("plan")).toString(), QStringLiteral("quick"));
        QVERIFY(slack.value(QStringLiteral("text")).toString().contains(QStringLiteral("shop: promoted")));

        const auto back = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir,
                               QStringLiteral("--reason"), QStringLiteral("incident 7")});
        QVERIFY2(back.code == 0, qPrintable(back.err));
        QCOMPARE(server.requestCount(), 4);
        QJsonObject rolledBack;
        for (const auto &req : server.requests().mid(2))
            if (req.path == "/target-hook")
                rolledBack = bodyOf(req);
        QCOMPARE(rolledBack.value(QStringLiteral("event")).toString(), QStringLiteral("rolled-back"));
        QVERIFY(rolledBack.value(QStringLiteral("reason")).toString().contains(QStringLiteral("incident 7")));
        QVERIFY(!rolledBack.value(QStringLiteral("who")).toString().isEmpty());
    }

    void failingWebhookIsReportedWithoutSecretsAndChangesNothing()
    {
        FakeWebhookServer server;
        server.push({500, "boom", false});
        const QString dir = writeConfig(webhooks({QJsonObject{
            {QStringLiteral("service"), QStringLiteral("dingtalk")}, {QStringLiteral("name"), QStringLiteral("ops")},
            {QStringLiteral("url"), server.url(QStringLiteral("/robot/send?access_token=v3rySecretT0ken"))},
            {QStringLiteral("secret"), QStringLiteral("SECsigning0secret")}, {QStringLiteral("retries"), 0}}}));
        const auto r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0); // the rollback happened; the webhook is not its business
        QVERIFY2(r.out.contains(QStringLiteral("applied")), qPrintable(r.out));
        QVERIFY2(r.err.contains(QStringLiteral("switchboard: shop: notification to dingtalk \"ops\" (127.0.0.1) failed after 1 attempt(s): HTTP 500")),
                 qPrintable(r.err));
        QVERIFY(!r.err.contains(QStringLiteral("v3rySecretT0ken")));
        QVERIFY(!r.err.contains(QStringLiteral("SECsigning0secret")));
        QVERIFY(!r.out.contains(QStringLiteral("v3rySecretT0ken")));
    }

    void brokenWebhookEntryIsNamedAndTheRestWorks()
    {
        FakeWebhookServer server;
        const QString dir = writeConfig(webhooks({QJsonObject{{QStringLiteral("service"), QStringLiteral("teams")},
                                                              {QStringLiteral("url"), server.url()}},
                                                  QJsonObject{{QStringLiteral("service"), QStringLiteral("generic")},
                                                              {QStringLiteral("url"), server.url()}}}));
        const auto r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("targets[0].notifications.webhooks[0]: service: \"teams\" is not one of")), qPrintable(r.err));
        QCOMPARE(server.requestCount(), 1);
    }
};

QTEST_GUILESS_MAIN(TestNotifyCli)
#include "tst_notify_cli.moc"
