// Kind "deployment" (one Deployment rolled by Kubernetes) against FakeKubeServer and its
// Deployment controller: `kubectl rollout status`'s decision table, old versus new pods by
// ReplicaSet revision, deploy followed to Ready or to its progress deadline, Pause/Resume, and
// `rollout undo` picking the previous revision (a JSON patch without pod-template-hash).

#include "deploymentrolloutbackend.h"
#include "kubedeployment.h"
#include "kubedeploymenttestdata.h"
#include "kuberolloutstatus.h"
#include "kubetestharness.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Switchboard;
using namespace Switchboard::Test;

Q_DECLARE_METATYPE(KubeRolloutStatus::State)

class TestKubeDeployment : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::unique_ptr<FakeKubeServer> cluster(int replicas, int deadlineSeconds = 600)
    {
        auto server = std::make_unique<FakeKubeServer>();
        server->setRequiredBearer(kToken);
        server->setPodReadyDelayMs(120);
        server->setPods(QStringLiteral("shop:v3-never"), FakeDeploymentController::Pods::NeverReady);
        server->put(deploymentPath(QStringLiteral("shop")),
                    deploymentJson(QStringLiteral("shop"), QStringLiteral("web"), replicas, QStringLiteral("shop:v1"), deadlineSeconds));
        if (!waitForReady(*server, QStringLiteral("shop"), replicas))
            qFatal("the fake controller did not make the pods Ready");
        return server;
    }

    DeployResult deploy(Harness &h, const QString &image)
    {
        QSignalSpy done(h.controller.get(), &TargetController::deployFinished);
        h.controller->deployImage(image, QString(), QStringLiteral("test"));
        if (!done.wait(20000))
            qFatal("no answer to a deploy");
        return done.first().at(0).value<DeployResult>();
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // kubectl's order: observation, deadline, updated, old terminating, available, done.
    void rolloutStatusTable_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<KubeRolloutStatus::State>("state");
        QTest::addColumn<QString>("message");
        auto d = [](int generation, int observed, int spec, int replicas, int updated, int available, const char *reason) {
            return QStringLiteral(R"({"kind":"Deployment","metadata":{"name":"shop","generation":%1},"spec":{"replicas":%3},
                "status":{"observedGeneration":%2,"replicas":%4,"updatedReplicas":%5,"availableReplicas":%6,
                "conditions":[{"type":"Progressing","status":"True","reason":"%7"}]}})")
                .arg(generation).arg(observed).arg(spec).arg(replicas).arg(updated).arg(available).arg(QLatin1String(reason))
                .toUtf8();
        };
        using S = KubeRolloutStatus::State;
        QTest::newRow("not observed") << d(3, 2, 4, 4, 4, 4, "NewReplicaSetAvailable") << S::WaitingForObservation
                                      << QStringLiteral("Waiting for deployment spec update to be observed...");
        QTest::newRow("deadline before counts") << d(2, 2, 4, 5, 1, 3, "ProgressDeadlineExceeded") << S::Failed
                                                << QStringLiteral("deployment \"shop\" exceeded its progress deadline");
        QTest::newRow("updating") << d(2, 2, 4, 5, 1, 3, "ReplicaSetUpdated") << S::Updating
                                  << QStringLiteral("Waiting for deployment \"shop\" rollout to finish: 1 out of 4 new replicas have been updated...");
        QTest::newRow("old terminating") << d(2, 2, 4, 6, 4, 4, "ReplicaSetUpdated") << S::OldTerminating
                                         << QStringLiteral("Waiting for deployment \"shop\" rollout to finish: 2 old replicas are pending termination...");
        QTest::newRow("not available") << d(2, 2, 4, 4, 4, 3, "ReplicaSetUpdated") << S::Unavailable
                                       << QStringLiteral("Waiting for deployment \"shop\" rollout to finish: 3 of 4 updated replicas are available...");
        QTest::newRow("done") << d(2, 2, 4, 4, 4, 4, "NewReplicaSetAvailable") << S::Done
                              << QStringLiteral("deployment \"shop\" successfully rolled out");
    }
    void rolloutStatusTable()
    {
        QFETCH(QByteArray, object);
        QFETCH(KubeRolloutStatus::State, state);
        QFETCH(QString, message);
        KubeDeployment d;
        QString error;
        QVERIFY2(KubeDeployment::parse(nlohmann::json::parse(object.toStdString()), &d, &error), qPrintable(error));
        const KubeRolloutStatus s = KubeRolloutStatus::of(d);
        QCOMPARE(s.state, state);
        QCOMPARE(s.message, message);
    }

    void readsStrategyAndOneVersion()
    {
        auto server = cluster(4);
        Harness h(deploymentTarget(writeKubeconfig(m_dir.path(), server->url())));
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.membersOf(Version::Stable).size(), 4);
        QCOMPARE(s.split.canary, 0.0); // rolled out: one version
        for (const char *part : {"successfully rolled out", "revision 1", "maxSurge 25%", "maxUnavailable 25%", "readiness httpGet :8080/health every 2s"})
            QVERIFY2(s.note.contains(QLatin1String(part)), qPrintable(s.note));
        QCOMPARE(s.image, QStringLiteral("shop:v1"));
    }

    // A new image rolls to Ready; one whose pods never get Ready shows old versus new pods and
    // fails at the progress deadline; undo then goes back to the previous revision (v2, not v1).
    void deployAndUndo()
    {
        auto server = cluster(4, 1);
        Harness h(deploymentTarget(writeKubeconfig(m_dir.path(), server->url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        DeployResult r = deploy(h, QStringLiteral("shop:v2"));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.imageBefore, QStringLiteral("shop:v1"));
        QVERIFY2(r.message.contains(QStringLiteral("rolled out, 4 of 4 pods Ready")), qPrintable(r.message));

        r = deploy(h, QStringLiteral("shop:v3-never"));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("exceeded its progress deadline")), qPrintable(r.message));
        QVERIFY(h.refresh(&s));
        QVERIFY(!s.membersOf(Version::Canary).isEmpty()); // new pods (revision 3), not Ready
        QVERIFY(!s.membersOf(Version::Stable).isEmpty()); // old pods still serving
        for (const Member &m : s.membersOf(Version::Canary))
            QCOMPARE(m.weight, 0);
        QVERIFY2(s.note.contains(QStringLiteral("revision 3")), qPrintable(s.note));

        server->clearRequests();
        const ChangeResult back = h.rollback();
        QVERIFY2(back.ok(), qPrintable(back.message));
        QVERIFY2(back.message.contains(QStringLiteral("back to revision 2's template (was revision 3)")), qPrintable(back.message));
        const QList<FakeKubeServer::Request> patches = server->requests("PATCH");
        QCOMPARE(patches.size(), 1);
        QCOMPARE(patches.first().header("content-type"), QByteArray("application/json-patch+json"));
        QVERIFY(!patches.first().body.contains("pod-template-hash"));
        QVERIFY(patches.first().body.contains("\"/metadata/resourceVersion\""));
        QCOMPARE(imageOf(*server, QStringLiteral("shop")), QStringLiteral("shop:v2"));
        QVERIFY(waitForReady(*server, QStringLiteral("shop"), 4));
        QVERIFY(h.refresh(&s));
        QVERIFY2(s.note.contains(QStringLiteral("revision 4")), qPrintable(s.note)); // v2's ReplicaSet is the newest again
    }

    void pauseResumeAndRefusals()
    {
        auto server = cluster(2);
        Harness h(deploymentTarget(writeKubeconfig(m_dir.path(), server->url())));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        auto *backend = qobject_cast<DeploymentRolloutBackend *>(h.backend);
        QVERIFY(backend);
        QSignalSpy action(backend, &DeploymentRolloutBackend::rolloutActionFinished);
        QMetaObject::invokeMethod(backend, &DeploymentRolloutBackend::pauseRollout, Qt::QueuedConnection);
        QVERIFY(action.wait(10000));
        QVERIFY2(action.first().at(1).value<ChangeResult>().ok(), qPrintable(action.first().at(1).value<ChangeResult>().message));
        QCOMPARE(json(server->resource(deploymentPath(QStringLiteral("shop"))))[QStringLiteral("spec")][QStringLiteral("paused")].toBool(), true);
        QVERIFY(h.refresh(&s));
        QVERIFY2(s.note.contains(QStringLiteral("paused (spec.paused)")), qPrintable(s.note));
        const ChangeResult full = h.change([&h] { h.controller->promoteFull(QStringLiteral("test")); });
        QVERIFY2(full.ok(), qPrintable(full.message));
        QCOMPARE(json(server->resource(deploymentPath(QStringLiteral("shop"))))[QStringLiteral("spec")][QStringLiteral("paused")].toBool(), false);

        server->clearRequests();
        const ChangeResult half = h.set(50);
        QCOMPARE(half.status, ChangeResult::Status::Failed);
        QVERIFY2(half.message.contains(QStringLiteral("maxSurge/maxUnavailable")), qPrintable(half.message));
        const ChangeResult undo = h.rollback(); // one revision only
        QVERIFY2(undo.ok() && undo.message.contains(QStringLiteral("nothing to undo")), qPrintable(undo.message));
        QCOMPARE(server->requests("PATCH").size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKubeDeployment)
#include "tst_kube_deployment.moc"
