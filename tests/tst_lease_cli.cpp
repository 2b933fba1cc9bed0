// Operator leases between two Switchboard processes (two operators: SWITCHBOARD_OPERATOR differs)
// on a simulated target (the lease file in the shared runtime folder) and on a Gateway API
// target against the in-test Kubernetes API server (a coordination.k8s.io/v1 Lease created with
// POST and replaced with PUT at its resourceVersion): the holder's lease refuses the other's
// changes (exit 5) and `run`, never a rollback; take-over is explicit and audited; a lease that
// is not renewed expires; `release` gives it back. tst_lease_lab does the same on the lab's
// HAProxy.

#include "clirunner.h"
#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard::Test;

namespace {

const QString kLeasePath = QStringLiteral("/apis/coordination.k8s.io/v1/namespaces/shop/leases/switchboard-gateway-api-shop");

} // namespace

class TstLeaseCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QTemporaryDir m_config;
    std::unique_ptr<FakeKubeServer> m_server;

    CliRunner::Result as(const QString &who, QStringList args, const QString &target)
    {
        CliRunner runner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path());
        runner.setOperator(who);
        args << QStringLiteral("--config") << m_config.path() << QStringLiteral("--target") << target;
        return runner.run(args, 30000);
    }

    QList<QJsonObject> audit(const QString &action) const
    {
        QFile f(QDir(m_home.path()).filePath(QStringLiteral("data/switchboard/audit.jsonl")));
        QList<QJsonObject> out;
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("action")).toString() == action)
                out.append(o);
        }
        return out;
    }

    // The whole story, the same on every kind that keeps a lease.
    void story(const QString &target)
    {
        const QString alice = QStringLiteral("alice@laptop");
        const QString bob = QStringLiteral("bob@ci");
        CliRunner::Result r = as(bob, {QStringLiteral("lease"), QStringLiteral("--take"), QStringLiteral("--for"), QStringLiteral("60"),
                                       QStringLiteral("--purpose"), QStringLiteral("release 7")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("held by bob@ci")) && r.out.contains(QLatin1String("release 7")), qPrintable(r.out));

        // Alice's changes wait for Bob (exit 5, saying who and how to take it over) ...
        r = as(alice, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("30")}, target);
        QCOMPARE(r.code, 5);
        QVERIFY2(r.err.contains(QLatin1String("held by bob@ci")) && r.err.contains(QLatin1String("--take-over")), qPrintable(r.err));
        r = as(alice, {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("canary-5-25-50-100")}, target);
        QCOMPARE(r.code, 5);
        QVERIFY2(r.err.contains(QLatin1String("held by bob@ci")), qPrintable(r.err));
        // ... but the way back is never refused by a lease.
        r = as(alice, {QStringLiteral("rollback"), QStringLiteral("--reason"), QStringLiteral("incident")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // Everyone sees who holds it, since when and what for.
        r = as(alice, {QStringLiteral("lease"), QStringLiteral("--json")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QJsonObject lease = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(lease.value(QStringLiteral("holder")).toString(), bob);
        QCOMPARE(lease.value(QStringLiteral("purpose")).toString(), QStringLiteral("release 7"));
        QVERIFY(lease.value(QStringLiteral("live")).toBool());
        QVERIFY(lease.value(QStringLiteral("acquired")).isString());
        QCOMPARE(lease.value(QStringLiteral("you")).toString(), alice);
        r = as(alice, {QStringLiteral("status"), QStringLiteral("--json")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("lease")).toObject().value(QStringLiteral("holder")).toString(), bob);

        // Taking it needs an explicit take-over, which is audited with the previous holder.
        r = as(alice, {QStringLiteral("lease"), QStringLiteral("--take")}, target);
        QCOMPARE(r.code, 5);
        r = as(alice, {QStringLiteral("lease"), QStringLiteral("--take"), QStringLiteral("--take-over"), QStringLiteral("--for"), QStringLiteral("60"),
                       QStringLiteral("--reason"), QStringLiteral("bob is on holiday")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QList<QJsonObject> overs = audit(QStringLiteral("lease-take-over"));
        QVERIFY(!overs.isEmpty());
        QCOMPARE(overs.constLast().value(QStringLiteral("target")).toString(), target);
        QCOMPARE(overs.constLast().value(QStringLiteral("leasePreviousHolder")).toString(), bob);
        QCOMPARE(overs.constLast().value(QStringLiteral("leaseHolder")).toString(), alice);
        r = as(bob, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("20")}, target);
        QCOMPARE(r.code, 5);
        r = as(alice, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("20")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // Released, it is everyone's again; a release by someone who does not hold it is refused.
        r = as(bob, {QStringLiteral("lease"), QStringLiteral("--release")}, target);
        QVERIFY(r.code != 0);
        r = as(alice, {QStringLiteral("lease"), QStringLiteral("--release")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("free")), qPrintable(r.out));
        QVERIFY(!audit(QStringLiteral("lease-release")).isEmpty());
        r = as(bob, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("10")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // A holder that never renews (a crashed one) loses it when it lapses.
        r = as(bob, {QStringLiteral("lease"), QStringLiteral("--take"), QStringLiteral("--for"), QStringLiteral("2")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = as(alice, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("5")}, target);
        QCOMPARE(r.code, 5);
        QTRY_COMPARE_WITH_TIMEOUT(as(alice, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("5")}, target).code, 0, 10000);
        r = as(alice, {QStringLiteral("rollback")}, target);
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void writeTargets(const QJsonObject &target)
    {
        QFile f(QDir(m_config.path()).filePath(QStringLiteral("targets.json")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{target}}}).toJson());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(m_config.isValid());
    }

    void simulatorBetweenTwoProcesses()
    {
        writeTargets(QJsonObject{{QStringLiteral("name"), QStringLiteral("shop")}, {QStringLiteral("kind"), QStringLiteral("sim")},
                                 {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 3}}}});
        story(QStringLiteral("shop"));
    }

    void gatewayApiAgainstTheKubernetesApi()
    {
        m_server = std::make_unique<FakeKubeServer>();
        QVERIFY2(m_server->error().isEmpty(), qPrintable(m_server->error()));
        m_server->setRequiredBearer(kToken);
        m_server->put(kRoutePath, httpRoute());
        const QString kubeconfig = writeKubeconfig(m_config.path(), m_server->url());
        QJsonObject t = gatewayTarget(kubeconfig);
        t.insert(QStringLiteral("name"), QStringLiteral("shop"));
        writeTargets(t);
        story(QStringLiteral("shop"));

        // The Lease is a real coordination.k8s.io/v1 object: created once (POST), then replaced
        // at its resourceVersion (PUT); released, it keeps its last holder and no duration.
        QVERIFY(!m_server->requests("POST").isEmpty());
        QVERIFY(!m_server->requests("PUT").isEmpty());
        const QJsonObject lease = json(m_server->resource(kLeasePath));
        QCOMPARE(lease.value(QStringLiteral("kind")).toString(), QStringLiteral("Lease"));
        const QJsonObject spec = lease.value(QStringLiteral("spec")).toObject();
        QCOMPARE(spec.value(QStringLiteral("holderIdentity")).toString(), QStringLiteral("bob@ci")); // its last holder, lapsed
        QVERIFY(spec.value(QStringLiteral("leaseTransitions")).toInt() >= 2);
        QVERIFY(spec.value(QStringLiteral("renewTime")).toString().endsWith(QLatin1Char('Z')));
    }
};

QTEST_GUILESS_MAIN(TstLeaseCli)
#include "tst_lease_cli.moc"
