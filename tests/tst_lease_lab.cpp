// Operator leases in a real HAProxy (the lab loads haproxy.leaseMap): what one Switchboard takes
// through one endpoint the other sees through the other, refusal, take-over, expiry, release;
// and a configuration that does not load the map gives a clear error.

#include "clirunner.h"
#include "haproxyleasestore.h"
#include "labfixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <QTest>

using namespace Switchboard;

class TstLeaseLab : public QObject
{
    Q_OBJECT
    LabFixture m_lab;

    QList<HaproxyEndpoint> endpoint(const QString &spec)
    {
        HaproxyEndpoint e;
        QString error;
        HaproxyEndpoint::parse(spec, &e, &error);
        return {e};
    }
    QString mapFile() const { return m_lab.dir() + QStringLiteral("/switchboard-leases.map"); }

private Q_SLOTS:
    void initTestCase() { LAB_START_OR_SKIP(m_lab, QStringLiteral("haproxy")); }

    void twoSwitchboardsShareTheLease()
    {
        // Alice reaches HAProxy through the unix socket, Bob through TCP: two processes' views.
        HaproxyLeaseStore alice(endpoint(QStringLiteral("unix:") + m_lab.value("ADMIN_SOCK")), {}, mapFile(), QStringLiteral("shop"));
        HaproxyLeaseStore bob(endpoint(QStringLiteral("tcp:127.0.0.1:%1").arg(m_lab.port("ADMIN_PORT"))), {}, mapFile(),
                              QStringLiteral("shop"));
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
        LeaseRequest take{LeaseRequest::Op::Take, QStringLiteral("alice@laptop"), QStringLiteral("rollout canary"), 30, false};
        LeaseResult r = LeaseKeeper::handle(&alice, take, t0);
        QVERIFY2(r.outcome == LeaseResult::Outcome::Taken, qPrintable(r.message));

        LeaseRequest bobTakes{LeaseRequest::Op::Take, QStringLiteral("bob@ci"), QStringLiteral("run"), 30, false};
        r = LeaseKeeper::handle(&bob, bobTakes, t0 + 1000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::HeldByOther);
        QVERIFY2(r.message.contains(QLatin1String("held by alice@laptop")), qPrintable(r.message));

        bobTakes.takeOver = true;
        r = LeaseKeeper::handle(&bob, bobTakes, t0 + 2000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::TakenOver);
        QCOMPARE(r.previous.holder, QStringLiteral("alice@laptop"));

        // Alice's renewal learns it; the entry in HAProxy is Bob's.
        r = LeaseKeeper::handle(&alice, LeaseRequest{LeaseRequest::Op::Renew, QStringLiteral("alice@laptop"), {}, 30, false}, t0 + 3000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::HeldByOther);
        OperatorLease stored;
        QString version;
        QString error;
        QVERIFY2(alice.read(&stored, &version, &error), qPrintable(error));
        QCOMPARE(stored.holder, QStringLiteral("bob@ci"));

        // Bob never renews (crashed): 30 s later Alice takes it without a take-over.
        take.takeOver = false;
        r = LeaseKeeper::handle(&alice, take, t0 + 2000 + 30001);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Taken);
        r = LeaseKeeper::handle(&alice, LeaseRequest{LeaseRequest::Op::Release, QStringLiteral("alice@laptop"), {}, 30, false},
                                t0 + 40000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Released);
        QVERIFY(bob.read(&stored, &version, &error));
        QVERIFY(!stored.isLive(t0 + 40001));
    }

    // Two Switchboard processes (two operators) on the lab's target "lab": the lease in HAProxy's
    // map refuses the other's change (exit 5) but never a rollback, which empties the canary;
    // take-over is explicit; a lease nobody renews lapses.
    void twoProcessesOnTheLab()
    {
        QTemporaryDir home;
        auto as = [&](const QString &who, QStringList args) {
            CliRunner runner(QStringLiteral(SWITCHBOARD_BINARY), home.path());
            runner.setOperator(who);
            args << QStringLiteral("--config") << m_lab.configDir() << QStringLiteral("--target") << QStringLiteral("lab");
            return runner.run(args, 30000);
        };
        const QString alice = QStringLiteral("alice@laptop");
        const QString bob = QStringLiteral("bob@ci");
        CliRunner::Result r = as(bob, {QStringLiteral("lease"), QStringLiteral("--take"), QStringLiteral("--for"), QStringLiteral("60")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains(QLatin1String("HAProxy map")), qPrintable(r.out));
        r = as(bob, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("30")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = as(alice, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("60")});
        QCOMPARE(r.code, 5);
        QVERIFY2(r.err.contains(QLatin1String("held by bob@ci")), qPrintable(r.err));
        r = as(alice, {QStringLiteral("rollback")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = as(alice, {QStringLiteral("status"), QStringLiteral("--json")});
        const QJsonObject status = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(status.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 0.0);
        QCOMPARE(status.value(QStringLiteral("lease")).toObject().value(QStringLiteral("holder")).toString(), bob);

        r = as(alice, {QStringLiteral("lease"), QStringLiteral("--take"), QStringLiteral("--take-over"), QStringLiteral("--for"), QStringLiteral("2")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = as(bob, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("10")});
        QCOMPARE(r.code, 5);
        // Alice's lease lapses (nobody renews a command line's lease): Bob may act again.
        QTRY_COMPARE_WITH_TIMEOUT(as(bob, {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("10")}).code, 0, 10000);
        r = as(bob, {QStringLiteral("rollback")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void aMapTheConfigurationDoesNotLoadIsAClearError()
    {
        HaproxyLeaseStore s(endpoint(QStringLiteral("tcp:127.0.0.1:%1").arg(m_lab.port("ADMIN_PORT"))), {},
                            QStringLiteral("/nonexistent/leases.map"), QStringLiteral("shop"));
        const LeaseResult r = LeaseKeeper::handle(&s, LeaseRequest{LeaseRequest::Op::Read, QStringLiteral("a"), {}, 30, false},
                                                  QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(r.outcome, LeaseResult::Outcome::Failed);
        QVERIFY2(r.message.contains(QLatin1String("does the configuration load map")), qPrintable(r.message));
    }
};

QTEST_GUILESS_MAIN(TstLeaseLab)
#include "tst_lease_lab.moc"
