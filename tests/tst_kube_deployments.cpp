// Kind "deployments" (two Deployments behind one Service) against FakeKubeServer and its
// Deployment controller: the split by pods, percent to whole pods, make-before-break order of
// every change (the server records each write and the Ready pods at every moment: never fewer
// than before), rollback while the canary is not Ready, a crash-looping canary rolled back by a
// running preset, 409s, 403s and bad input.

#include "deploymentpairbackend.h"
#include "kubedeploymenttestdata.h"
#include "kubetestharness.h"
#include "rolloutengine.h"
#include "rolloutplan.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

class TestKubeDeployments : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // Stable shop-v1 with `stable` pods of shop:v1, canary shop-v2 with `canary` pods of
    // `canaryImage`, all Ready except what the image's behaviour says.
    std::unique_ptr<FakeKubeServer> cluster(int stable, int canary, const QString &canaryImage = QStringLiteral("shop:v2"))
    {
        auto server = std::make_unique<FakeKubeServer>();
        server->setRequiredBearer(kToken);
        server->setPodReadyDelayMs(150);
        server->setPods(QStringLiteral("shop:v2-never"), FakeDeploymentController::Pods::NeverReady);
        server->setPods(QStringLiteral("shop:v2-crash"), FakeDeploymentController::Pods::CrashLoop);
        server->setPods(QStringLiteral("shop:v2-nopull"), FakeDeploymentController::Pods::ImagePullBackOff);
        server->put(deploymentPath(QStringLiteral("shop-v1")), deploymentJson(QStringLiteral("shop-v1"), QStringLiteral("stable"), stable, QStringLiteral("shop:v1")));
        server->put(deploymentPath(QStringLiteral("shop-v2")), deploymentJson(QStringLiteral("shop-v2"), QStringLiteral("canary"), canary, canaryImage));
        if (!waitForReady(*server, QStringLiteral("shop-v1"), stable))
            qFatal("the fake controller did not make the stable pods Ready");
        return server;
    }

    QString kubeconfig(const FakeKubeServer &server) { return writeKubeconfig(m_dir.path(), server.url()); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void percentToPods_data()
    {
        QTest::addColumn<double>("percent");
        QTest::addColumn<int>("total");
        QTest::addColumn<int>("pods");
        QTest::addColumn<QString>("text");
        QTest::newRow("25% of 10") << 25.0 << 10 << 3 << QStringLiteral("25% of 10 pods is 3 pods (30%)");
        QTest::newRow("30% of 10 exact") << 30.0 << 10 << 3 << QString();
        QTest::newRow("5% of 10") << 5.0 << 10 << 1 << QStringLiteral("5% of 10 pods is 1 pod (10%)");
        QTest::newRow("4% of 10") << 4.0 << 10 << 0 << QStringLiteral("4% of 10 pods is 0 pods (0%)");
        QTest::newRow("50% of 3") << 50.0 << 3 << 2 << QStringLiteral("50% of 3 pods is 2 pods (66.67%)");
        QTest::newRow("100% of 4") << 100.0 << 4 << 4 << QString();
    }
    void percentToPods()
    {
        QFETCH(double, percent);
        QFETCH(int, total);
        QFETCH(int, pods);
        QFETCH(QString, text);
        QCOMPARE(DeploymentPairBackend::canaryPods(percent, total), pods);
        QCOMPARE(DeploymentPairBackend::roundingText(percent, total), text);
    }

    void readsPodsAndSplit()
    {
        auto server = cluster(3, 1);
        QVERIFY(waitForReady(*server, QStringLiteral("shop-v2"), 1));
        Harness h(deploymentsTarget(kubeconfig(*server)));
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.split.canary, 25.0);
        QCOMPARE(s.membersOf(Version::Stable).size(), 3);
        QCOMPARE(s.membersOf(Version::Canary).size(), 1);
        for (const Member &m : s.members) {
            QCOMPARE(m.weight, 1); // Ready: serving
            QCOMPARE(memberHealth(m), MemberHealth::Healthy);
        }
        QVERIFY2(s.note.contains(QStringLiteral("Ready: stable 3/3, canary 1/1")), qPrintable(s.note));
        QCOMPARE(s.image, QStringLiteral("shop:v2"));
        QCOMPARE(s.imageContainer, QStringLiteral("app"));
        QVERIFY(!s.readOnly);
    }

    // Every change grows one side first and shrinks the other only once the new pods are Ready;
    // at no moment are fewer pods Ready than when the change began.
    void makeBeforeBreak()
    {
        auto server = cluster(10, 0);
        Harness h(deploymentsTarget(kubeconfig(*server), {{QStringLiteral("replicas"), 10}}));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QCOMPARE(s.split.canary, 0.0);
        struct Step
        {
            double percent;
            bool rollback;
            int canary;
            QString first;
        };
        for (const Step &step : {Step{25, false, 3, QStringLiteral("shop-v2/scale")}, Step{50, false, 5, QStringLiteral("shop-v2/scale")},
                                 Step{20, false, 2, QStringLiteral("shop-v1/scale")}, Step{0, true, 0, QStringLiteral("shop-v1/scale")}}) {
            const qsizetype from = server->deploymentHistory().size();
            const int readyBefore = server->deploymentHistory().constLast().total();
            const ChangeResult r = step.rollback ? h.rollback() : h.set(step.percent);
            QVERIFY2(r.ok(), qPrintable(r.message));
            QCOMPARE(specReplicas(*server, QStringLiteral("shop-v2")), step.canary);
            QCOMPARE(specReplicas(*server, QStringLiteral("shop-v1")), 10 - step.canary);
            const QStringList writes = writesSince(*server, from);
            QCOMPARE(writes.size(), 2);
            QVERIFY2(writes.first().contains(step.first), qPrintable(writes.join(QLatin1Char('\n'))));
            QVERIFY2(fewestReady(*server, from) >= readyBefore,
                     qPrintable(QStringLiteral("%1 Ready at some moment, %2 before").arg(fewestReady(*server, from)).arg(readyBefore)));
            if (step.percent == 25)
                QVERIFY2(r.message.contains(QStringLiteral("25% of 10 pods is 3 pods (30%)")), qPrintable(r.message));
        }
    }

    // A canary that never gets Ready stops the change with its pods and why; stable untouched.
    // Rollback then puts the canary at 0 at once: no Ready pod of it was serving.
    void rollbackWhileCanaryNotReady()
    {
        auto server = cluster(4, 0, QStringLiteral("shop:v2-never"));
        Harness h(deploymentsTarget(kubeconfig(*server), {{QStringLiteral("readyTimeoutMs"), 800}}));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        const ChangeResult stuck = h.set(50);
        QCOMPARE(stuck.status, ChangeResult::Status::Failed);
        QVERIFY2(stuck.message.contains(QStringLiteral("readiness probe not passing yet"))
                     && stuck.message.contains(QStringLiteral("shop-v1 left at 4")),
                 qPrintable(stuck.message));
        QVERIFY(stuck.newVersionFailing);
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v1")), 4);
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v2")), 2);
        QVERIFY(h.refresh(&s));
        QCOMPARE(s.membersOf(Version::Canary).size(), 2);
        QCOMPARE(s.membersOf(Version::Canary).first().weight, 0); // not Ready: no traffic
        QCOMPARE(memberHealth(s.membersOf(Version::Canary).first()), MemberHealth::Pending);

        const qsizetype from = server->deploymentHistory().size();
        const ChangeResult back = h.rollback();
        QVERIFY2(back.ok(), qPrintable(back.message));
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v2")), 0);
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v1")), 4);
        QCOMPARE(writesSince(*server, from).size(), 1); // stable already whole: only the canary shrinks
        QVERIFY(fewestReady(*server, from) >= 4);
    }

    // A running preset on a crash-looping canary: the step fails with CrashLoopBackOff and the
    // engine rolls back instead of pausing.
    void crashLoopRolledBackByPreset()
    {
        auto server = cluster(4, 0, QStringLiteral("shop:v2-crash"));
        Harness h(deploymentsTarget(kubeconfig(*server), {{QStringLiteral("readyTimeoutMs"), 5000}}));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        RolloutPlan plan;
        QString error;
        QVERIFY2(RolloutPlan::fromJson(R"({"strategy":"canary","steps":[{"setWeight":25},{"pause":{}},{"setWeight":100}]})",
                                       QStringLiteral("test"), &plan, &error),
                 qPrintable(error));
        RolloutEngine *engine = h.controller->startRollout(plan);
        QVERIFY(engine);
        QTRY_VERIFY_WITH_TIMEOUT(engine->isFinished(), 15000);
        QCOMPARE(engine->state(), RolloutEngine::State::RolledBack);
        QVERIFY2(engine->reason().contains(QStringLiteral("CrashLoopBackOff")), qPrintable(engine->reason()));
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v2")), 0);
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v1")), 4);
    }

    // Someone scaled between our reading and the change: a conflict, nothing written. A
    // rollback meeting 409s reads again and goes on.
    void conflicts()
    {
        auto server = cluster(4, 0);
        Harness h(deploymentsTarget(kubeconfig(*server)));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server->mergePatch(deploymentPath(QStringLiteral("shop-v1")), R"({"spec":{"replicas":6}})");
        server->clearRequests();
        const ChangeResult c = h.set(50);
        QCOMPARE(c.status, ChangeResult::Status::Conflict);
        QVERIFY2(c.message.contains(QStringLiteral("stable 4 → 6")), qPrintable(c.message));
        QCOMPARE(server->requests("PATCH").size(), 0);

        QVERIFY(waitForReady(*server, QStringLiteral("shop-v1"), 6));
        QVERIFY(h.refresh(&s));
        QVERIFY(h.set(50).ok());
        QVERIFY(waitForReady(*server, QStringLiteral("shop-v2"), 3));
        // Two writes by another client land just before ours: 409, read again, go on.
        int bumps = 2;
        const QString scalePath = deploymentPath(QStringLiteral("shop-v2")) + QStringLiteral("/scale");
        FakeKubeServer *raw = server.get();
        server->setOnRequest([raw, &bumps, scalePath](const FakeKubeServer::Request &req) {
            if (req.method == "PATCH" && req.path == scalePath && bumps > 0) {
                --bumps;
                raw->mergePatch(deploymentPath(QStringLiteral("shop-v2")), R"({"metadata":{"annotations":{"touched":"yes"}}})");
            }
        });
        const ChangeResult back = h.rollback();
        QVERIFY2(back.ok(), qPrintable(back.message));
        QVERIFY2(back.message.contains(QStringLiteral("after 2 conflicts")), qPrintable(back.message));
        QCOMPARE(specReplicas(*server, QStringLiteral("shop-v2")), 0);
        server->setOnRequest({});
    }

    // A user who may not scale is read-only before acting; nothing is sent.
    void forbiddenIsReadOnly()
    {
        auto server = cluster(2, 0);
        server->setAccess(QStringLiteral("patch"), false, QStringLiteral("RBAC: view only"), QStringLiteral("deployments/scale"));
        Harness h(deploymentsTarget(kubeconfig(*server)));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QVERIFY(s.readOnly);
        QVERIFY2(s.readOnlyReason.contains(QStringLiteral("RBAC: view only")), qPrintable(s.readOnlyReason));
        const ChangeResult r = h.set(50);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QCOMPARE(server->requests("PATCH").size(), 0);
    }

    void badInput()
    {
        // A missing Deployment is named with the key that names it.
        {
            auto server = cluster(2, 0);
            Harness h(deploymentsTarget(kubeconfig(*server), {{QStringLiteral("canary"), QStringLiteral("shop-v3")}}));
            TrafficSnapshot s;
            QString error;
            QVERIFY(!h.refresh(&s, &error));
            QVERIFY2(error.contains(QStringLiteral("shop/shop-v3 not found (deployments.canary)")), qPrintable(error));
        }
        // Zero replicas in all: said, nothing written.
        {
            auto server = cluster(0, 0);
            Harness h(deploymentsTarget(kubeconfig(*server)));
            TrafficSnapshot s;
            QVERIFY(h.refresh(&s));
            QVERIFY2(s.note.contains(QStringLiteral("scaled to 0")), qPrintable(s.note));
            const ChangeResult r = h.set(50);
            QCOMPARE(r.status, ChangeResult::Status::Failed);
            QVERIFY2(r.message.contains(QStringLiteral("zero total replicas")), qPrintable(r.message));
            QCOMPARE(server->requests("PATCH").size(), 0);
        }
        // Pods that share no label cannot be behind one Service: a warning.
        {
            auto server = cluster(2, 0);
            QByteArray other = deploymentJson(QStringLiteral("shop-v2"), QStringLiteral("canary"), 0, QStringLiteral("shop:v2"));
            other.replace(R"("app":"shop","track":"canary")", R"("app":"shop-next","track":"canary")");
            server->put(deploymentPath(QStringLiteral("shop-v2")), other);
            Harness h(deploymentsTarget(kubeconfig(*server)));
            TrafficSnapshot s;
            QVERIFY(h.refresh(&s));
            QVERIFY2(s.note.contains(QStringLiteral("share no label")), qPrintable(s.note));
        }
        // Settings: the same name twice, a bad name.
        {
            QString error;
            DeploymentPairBackend::Settings out;
            QVERIFY(!DeploymentPairBackend::Settings::fromJson(json(R"({"stable":"a","canary":"a"})"), &out, &error));
            QVERIFY2(error.startsWith(QStringLiteral("deployments.canary")), qPrintable(error));
            QVERIFY(!DeploymentPairBackend::Settings::fromJson(json(R"({"stable":"A/..","canary":"b"})"), &out, &error));
            QVERIFY2(error.startsWith(QStringLiteral("deployments.stable")), qPrintable(error));
        }
    }

    // Deploy sets the canary's image, follows it to Ready, and refuses a bad reference unsent.
    void deploy()
    {
        auto server = cluster(3, 2);
        QVERIFY(waitForReady(*server, QStringLiteral("shop-v2"), 2));
        Harness h(deploymentsTarget(kubeconfig(*server)));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QSignalSpy done(h.controller.get(), &TargetController::deployFinished);
        h.controller->deployImage(QStringLiteral("Shop:V3 latest"), QString(), QStringLiteral("test"));
        QVERIFY(done.wait(15000));
        DeployResult r = done.takeFirst().at(0).value<DeployResult>();
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("not a valid image reference")), qPrintable(r.message));
        QCOMPARE(server->requests("PATCH").size(), 0);

        h.controller->deployImage(QStringLiteral("registry.example:5000/shop:v3"), QString(), QStringLiteral("test"));
        QVERIFY(done.wait(15000));
        r = done.takeFirst().at(0).value<DeployResult>();
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.imageBefore, QStringLiteral("shop:v2"));
        QCOMPARE(r.imageAfter, QStringLiteral("registry.example:5000/shop:v3"));
        QVERIFY2(r.message.contains(QStringLiteral("rolled out, 2 of 2 pods Ready")), qPrintable(r.message));
        QCOMPARE(imageOf(*server, QStringLiteral("shop-v2")), QStringLiteral("registry.example:5000/shop:v3"));
        const QList<FakeKubeServer::Request> patches = server->requests("PATCH");
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches.first().header("content-type"), QByteArray("application/strategic-merge-patch+json"));

        // An image whose pods cannot be pulled: the deploy fails and says why.
        h.controller->deployImage(QStringLiteral("shop:v2-nopull"), QString(), QStringLiteral("test"));
        QVERIFY(done.wait(15000));
        r = done.takeFirst().at(0).value<DeployResult>();
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("ImagePullBackOff")), qPrintable(r.message));
    }
};

QTEST_GUILESS_MAIN(TestKubeDeployments)
#include "tst_kube_deployments.moc"
