// Argo Rollouts as a traffic layer against FakeKubeServer: what a Rollout reads as (weight,
// step, one coherent phase), weight changes as promote --full / abort, the kubectl plugin's
// promote/abort/retry patches, each guarded by the resourceVersion it was decided on; a 409
// shows the operator the new state, except for a rollback (abort), which reads again and goes on.

#include "fakekubeserver.h"
#include "kubetestharness.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

// A patch's body without its metadata, and the resourceVersion that metadata held.
QJsonObject unguarded(const QByteArray &body, QString *resourceVersion)
{
    QJsonObject o = json(body);
    *resourceVersion = o[QStringLiteral("metadata")][QStringLiteral("resourceVersion")].toString();
    QJsonObject meta = o[QStringLiteral("metadata")].toObject();
    meta.remove(QStringLiteral("resourceVersion"));
    if (meta.isEmpty())
        o.remove(QStringLiteral("metadata"));
    else
        o[QStringLiteral("metadata")] = meta;
    return o;
}

// The controller moved on between our read and our write: paused again at step 3 (setWeight 40).
const QByteArray kSteppedOn = R"({"status":{"currentStepIndex":3,"message":"CanaryPauseStep",
    "pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:20:00Z"}]}})";

} // namespace

class TestKubeArgo : public QObject
{
    Q_OBJECT
private slots:
    void argoRead_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<double>("canary");
        QTest::addColumn<int>("members");
        QTest::addColumn<QStringList>("note");
        QTest::newRow("paused after setWeight 20") << rollout(kPausedStatus) << 20.0 << 2
                                                  << QStringList{QStringLiteral("Paused: CanaryPauseStep"), QStringLiteral("step 1/8"),
                                                                 QStringLiteral("paused (CanaryPauseStep)"),
                                                                 QStringLiteral("weight from the steps' setWeight")};
        QTest::newRow("analysis after setWeight 60") << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << 60.0 << 2
                                                     << QStringList{QStringLiteral("Progressing"), QStringLiteral("step 5/8")};
        QTest::newRow("weights reported by the controller")
            << rollout(R"("phase":"Paused","currentStepIndex":1,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-05-01T10:00:00Z"}],
                       "canary":{"weights":{"canary":{"weight":35,"podTemplateHash":"6f8d9c7b5"},"stable":{"weight":65,"podTemplateHash":"877894d5b"}}})")
            << 35.0 << 2 << QStringList{QStringLiteral("weights from status.canary.weights")};
        QTest::newRow("aborted") << rollout(R"("phase":"Degraded","message":"RolloutAborted: Rollout aborted update to revision 2","abort":true,"currentStepIndex":0,"canary":{})")
                                 << 0.0 << 2 << QStringList{QStringLiteral("Degraded: RolloutAborted"), QStringLiteral("weight 0 while aborted")};
        QTest::newRow("promoting fully") << rollout(R"("phase":"Progressing","promoteFull":true,"currentStepIndex":1,"canary":{})") << 100.0 << 2
                                         << QStringList{QStringLiteral("promoting fully"), QStringLiteral("weight 100 while promoting fully")};
        QTest::newRow("past the last step") << rollout(R"("phase":"Progressing","currentStepIndex":8,"canary":{})") << 100.0 << 2
                                            << QStringList{QStringLiteral("step 8/8"), QStringLiteral("weight 100 after the last step")};
        QByteArray healthy = rollout(R"("phase":"Healthy","currentStepIndex":8,"canary":{})");
        healthy.replace("\"currentPodHash\":\"6f8d9c7b5\"", "\"currentPodHash\":\"877894d5b\"");
        QTest::newRow("fully promoted") << healthy << 0.0 << 1 << QStringList{QStringLiteral("Healthy"), QStringLiteral("one version running")};
        QTest::newRow("blue-green") << rollout(R"("phase":"Paused","pauseConditions":[{"reason":"BlueGreenPause"}],"blueGreen":{})", false, kBlueGreenStrategy)
                                    << 0.0 << 2 << QStringList{QStringLiteral("paused (BlueGreenPause)"), QStringLiteral("blue-green")};
    }

    void argoRead()
    {
        QFETCH(QByteArray, object);
        QFETCH(double, canary);
        QFETCH(int, members);
        QFETCH(QStringList, note);
        FakeKubeServer server;
        server.put(kRolloutPath, object);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.split.canary, canary);
        QCOMPARE(s.members.size(), members);
        QCOMPARE(s.members.first().version, Version::Stable);
        QCOMPARE(s.members.first().name, QStringLiteral("shop-877894d5b"));
        if (members == 2)
            QCOMPARE(s.members.at(1).name, QStringLiteral("shop-6f8d9c7b5"));
        for (const QString &n : note)
            QVERIFY2(s.note.contains(n), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(s.note, n)));
        QVERIFY(!s.members.first().state.isEmpty()); // the phase
        QCOMPARE(server.requests().size(), 1);
    }

    void argoWeightChanges_data()
    {
        QTest::addColumn<QString>("action"); // set-weight, promote, rollback
        QTest::addColumn<double>("percent");
        QTest::addColumn<QByteArray>("body"); // empty: nothing may be sent
        QTest::addColumn<double>("after");
        QTest::newRow("promote --full") << "promote" << 100.0 << QByteArray(R"({"status":{"promoteFull":true}})") << 100.0;
        QTest::newRow("set 100 = promote --full") << "set-weight" << 100.0 << QByteArray(R"({"status":{"promoteFull":true}})") << 100.0;
        QTest::newRow("rollback = abort") << "rollback" << 0.0 << QByteArray(R"({"status":{"abort":true}})") << 0.0;
        QTest::newRow("set 0 = abort") << "set-weight" << 0.0 << QByteArray(R"({"status":{"abort":true}})") << 0.0;
        QTest::newRow("set 25 refused") << "set-weight" << 25.0 << QByteArray() << 20.0;
    }

    void argoWeightChanges()
    {
        QFETCH(QString, action);
        QFETCH(double, percent);
        QFETCH(QByteArray, body);
        QFETCH(double, after);
        FakeKubeServer server;
        server.put(kRolloutPath, rollout(kPausedStatus));
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server.clearRequests();
        ChangeResult r;
        if (action == QStringLiteral("promote"))
            r = h.change([&h] { h.controller->promoteFull(QStringLiteral("test")); });
        else if (action == QStringLiteral("rollback"))
            r = h.change([&h] { h.controller->rollback(QStringLiteral("test")); });
        else
            r = h.set(percent);
        const QList<FakeKubeServer::Request> patches = server.requests("PATCH");
        if (body.isEmpty()) {
            QCOMPARE(r.status, ChangeResult::Status::Failed);
            QCOMPARE(r.message, QStringLiteral("Argo Rollouts sets weights by its steps: use Promote/Abort"));
            QCOMPARE(patches.size(), 0);
        } else {
            QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
            QCOMPARE(patches.size(), 1);
            QCOMPARE(patches.first().path, kRolloutPath + QStringLiteral("/status"));
            QCOMPARE(patches.first().header("content-type"), QByteArray("application/merge-patch+json"));
            QString version;
            QCOMPARE(unguarded(patches.first().body, &version), json(body));
            QCOMPARE(version, QStringLiteral("3000")); // guarded by what was read
            QCOMPARE(r.before, weights({{"shop-877894d5b", 80}, {"shop-6f8d9c7b5", 20}}));
            QCOMPARE(r.after.value(QStringLiteral("shop-6f8d9c7b5")), int(after));
        }
        QCOMPARE(h.controller->snapshot().split.canary, after);
    }

    void argoActions_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<bool>("statusSubresource");
        QTest::addColumn<QString>("action");
        QTest::addColumn<QStringList>("paths");  // of the PATCH requests, "" = the object, "/status"
        QTest::addColumn<QList<QByteArray>>("bodies");
        const QByteArray statusOnly = R"({"status":{"pauseConditions":null}})";
        QTest::newRow("promote a paused step") << rollout(kPausedStatus) << true << "promote" << QStringList{QStringLiteral("/status")}
                                               << QList<QByteArray>{statusOnly};
        QTest::newRow("promote, spec.paused too") << rollout(kPausedStatus, true) << true << "promote"
                                                  << QStringList{QStringLiteral("/status"), QString()}
                                                  << QList<QByteArray>{statusOnly, R"({"spec":{"paused":false}})"};
        QTest::newRow("promote while analysis runs: skip the step")
            << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << true << "promote" << QStringList{QStringLiteral("/status")}
            << QList<QByteArray>{R"({"status":{"pauseConditions":null,"currentStepIndex":6}})"};
        QTest::newRow("promote, old controller") << rollout(kPausedStatus, true) << false << "promote"
                                                 << QStringList{QStringLiteral("/status"), QString()}
                                                 << QList<QByteArray>{statusOnly, R"({"spec":{"paused":false},"status":{"pauseConditions":null}})"};
        QTest::newRow("promote step, old controller")
            << rollout(R"("phase":"Progressing","currentStepIndex":5,"canary":{})") << false << "promote"
            << QStringList{QStringLiteral("/status"), QString()}
            << QList<QByteArray>{R"({"status":{"pauseConditions":null,"currentStepIndex":6}})",
                                 R"({"spec":{"paused":false},"status":{"pauseConditions":null,"currentStepIndex":6}})"};
        QTest::newRow("promote --full") << rollout(kPausedStatus) << true << "promote-full" << QStringList{QStringLiteral("/status")}
                                        << QList<QByteArray>{R"({"status":{"promoteFull":true}})"};
        QTest::newRow("abort") << rollout(kPausedStatus) << true << "abort" << QStringList{QStringLiteral("/status")}
                               << QList<QByteArray>{R"({"status":{"abort":true}})"};
        QTest::newRow("abort, old controller") << rollout(kPausedStatus) << false << "abort"
                                               << QStringList{QStringLiteral("/status"), QString()}
                                               << QList<QByteArray>{R"({"status":{"abort":true}})", R"({"status":{"abort":true}})"};
        const QByteArray aborted = rollout(R"("phase":"Degraded","message":"RolloutAborted","abort":true,"currentStepIndex":0,"canary":{})");
        QTest::newRow("retry") << aborted << true << "retry" << QStringList{QStringLiteral("/status")}
                               << QList<QByteArray>{R"({"status":{"abort":false}})"};
        QTest::newRow("retry, old controller") << aborted << false << "retry" << QStringList{QStringLiteral("/status"), QString()}
                                               << QList<QByteArray>{R"({"status":{"abort":false}})", R"({"status":{"abort":false}})"};
    }

    void argoActions()
    {
        QFETCH(QByteArray, object);
        QFETCH(bool, statusSubresource);
        QFETCH(QString, action);
        QFETCH(QStringList, paths);
        QFETCH(QList<QByteArray>, bodies);
        FakeKubeServer server;
        server.put(kRolloutPath, object);
        server.setStatusSubresource(statusSubresource);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        const QMap<QString, void (ArgoRolloutBackend::*)()> actions = {{QStringLiteral("promote"), &ArgoRolloutBackend::promote},
                                                                    {QStringLiteral("promote-full"), &ArgoRolloutBackend::promoteFull},
                                                                    {QStringLiteral("abort"), &ArgoRolloutBackend::abort},
                                                                    {QStringLiteral("retry"), &ArgoRolloutBackend::retry}};
        QString name;
        const ChangeResult r = h.argoAction(actions.value(action), &name);
        QCOMPARE(name, action);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QVERIFY(!r.before.isEmpty());
        if (!statusSubresource)
            QVERIFY2(r.message.contains(QStringLiteral("no status subresource")), qPrintable(r.message));
        const QList<FakeKubeServer::Request> patches = server.requests("PATCH");
        QCOMPARE(patches.size(), paths.size());
        for (qsizetype i = 0; i < patches.size(); ++i) {
            QCOMPARE(patches.at(i).path, kRolloutPath + paths.at(i));
            QCOMPARE(patches.at(i).header("content-type"), QByteArray("application/merge-patch+json"));
            QString version;
            QCOMPARE(unguarded(patches.at(i).body, &version), json(bodies.at(i)));
            // Guarded: the first by what was read, an object patch after a status patch by our own write.
            QCOMPARE(version, i > 0 && statusSubresource ? QStringLiteral("3001") : QStringLiteral("3000"));
        }
        // The server holds what was asked (the object patch took status along on old controllers).
        const QJsonObject now = json(server.resource(kRolloutPath));
        const QJsonObject status = now[QStringLiteral("status")].toObject();
        if (action == QStringLiteral("abort"))
            QCOMPARE(status[QStringLiteral("abort")].toBool(), true);
        if (action == QStringLiteral("retry"))
            QCOMPARE(status[QStringLiteral("abort")].toBool(true), false);
        if (action == QStringLiteral("promote-full"))
            QCOMPARE(status[QStringLiteral("promoteFull")].toBool(), true);
        if (action == QStringLiteral("promote")) {
            QVERIFY(!status.contains(QStringLiteral("pauseConditions")));
            QCOMPARE(now[QStringLiteral("spec")][QStringLiteral("paused")].toBool(false), false);
        }
    }

    void argoNothingToDo()
    {
        FakeKubeServer server;
        QByteArray healthy = rollout(R"("phase":"Healthy","currentStepIndex":8,"canary":{})");
        healthy.replace("\"currentPodHash\":\"6f8d9c7b5\"", "\"currentPodHash\":\"877894d5b\"");
        server.put(kRolloutPath, healthy);
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        QString name;
        ChangeResult r = h.argoAction(&ArgoRolloutBackend::promote, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("nothing to promote")), qPrintable(r.message));
        r = h.argoAction(&ArgoRolloutBackend::promoteFull, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("runs one version")), qPrintable(r.message));
        r = h.argoAction(&ArgoRolloutBackend::abort, &name); // all traffic is on stable already
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QVERIFY2(r.message.contains(QStringLiteral("nothing written")), qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 0);
        // A forbidden status patch says who may not do what.
        server.put(kRolloutPath, rollout(kPausedStatus));
        server.addFault(FakeKubeServer::Fault::Forbidden, "PATCH");
        r = h.argoAction(&ArgoRolloutBackend::abort, &name);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("cannot patch resource \"rollouts/status\"")), qPrintable(r.message));
    }

    // Issue 11: an aborted rollout that still carries promoteFull read "aborted · promoting fully".
    void argoAbortedIsOnePhase()
    {
        FakeKubeServer server;
        server.put(kRolloutPath, rollout(R"("abort":true,"promoteFull":true,"currentStepIndex":1,"canary":{})"));
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QString error;
        QVERIFY2(h.refresh(&s, &error), qPrintable(error));
        QCOMPARE(s.split.canary, 0.0);
        QVERIFY2(s.note.startsWith(QStringLiteral("Degraded")), qPrintable(s.note));
        QVERIFY2(s.note.contains(QStringLiteral("aborted")), qPrintable(s.note));
        QVERIFY2(!s.note.contains(QStringLiteral("promoting")), qPrintable(s.note));
        QCOMPARE(s.members.first().state, QStringLiteral("Degraded"));
        // As the plugin: promote --full sends promoteFull again (the old request is void while aborted).
        QString name;
        const ChangeResult r = h.argoAction(&ArgoRolloutBackend::promoteFull, &name);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(server.requests("PATCH").size(), 1);
        QString version;
        QCOMPARE(unguarded(server.requests("PATCH").first().body, &version), json(R"({"status":{"promoteFull":true}})"));
    }

    void conflicts_data()
    {
        QTest::addColumn<QString>("action"); // promote, promote-full, retry, set-100, force-100, abort, rollback
        QTest::addColumn<int>("interferences");
        QTest::addColumn<int>("status");     // ChangeResult::Status
        QTest::addColumn<int>("patches");    // PATCH requests sent
        const int conflict = int(ChangeResult::Status::Conflict);
        const int applied = int(ChangeResult::Status::Applied);
        const int failed = int(ChangeResult::Status::Failed);
        // The operator decided on step 1: Argo's step 3 is theirs to look at first.
        QTest::newRow("promote") << "promote" << 1 << conflict << 1;
        QTest::newRow("promote --full") << "promote-full" << 1 << conflict << 1;
        QTest::newRow("retry") << "retry" << 1 << conflict << 1;
        QTest::newRow("set-weight 100") << "set-100" << 1 << conflict << 1;
        // The way back, and a forced change, read again and go on (bounded).
        QTest::newRow("set-weight --force 100") << "force-100" << 2 << applied << 3;
        QTest::newRow("abort") << "abort" << 2 << applied << 3;
        QTest::newRow("rollback") << "rollback" << 4 << applied << 5;
        QTest::newRow("rollback, the API keeps refusing") << "rollback" << 50 << failed << 5;
    }

    void conflicts()
    {
        QFETCH(QString, action);
        QFETCH(int, interferences);
        QFETCH(int, status);
        QFETCH(int, patches);
        FakeKubeServer server;
        const bool aborted = action == QStringLiteral("retry");
        server.put(kRolloutPath, aborted ? rollout(R"("phase":"Degraded","message":"RolloutAborted","abort":true,"currentStepIndex":1,"canary":{})")
                                         : rollout(kPausedStatus));
        QTemporaryDir dir;
        Harness h(argoTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.controller, qPrintable(h.error));
        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        server.changeBeforePatches(kRolloutPath, kSteppedOn, interferences);
        server.clearRequests();
        const QMap<QString, void (ArgoRolloutBackend::*)()> verbs = {{QStringLiteral("promote"), &ArgoRolloutBackend::promote},
                                                                    {QStringLiteral("promote-full"), &ArgoRolloutBackend::promoteFull},
                                                                    {QStringLiteral("abort"), &ArgoRolloutBackend::abort},
                                                                    {QStringLiteral("retry"), &ArgoRolloutBackend::retry}};
        ChangeResult r;
        QString name;
        if (verbs.contains(action))
            r = h.argoAction(verbs.value(action), &name);
        else if (action == QStringLiteral("rollback"))
            r = h.rollback();
        else
            r = h.set(100, action == QStringLiteral("force-100"));
        QVERIFY2(int(r.status) == status, qPrintable(r.message));
        QCOMPARE(int(server.requests("PATCH").size()), patches);
        // Every patch is guarded, and each attempt read first.
        for (const FakeKubeServer::Request &p : server.requests("PATCH")) {
            QString version;
            unguarded(p.body, &version);
            QVERIFY(!version.isEmpty());
        }
        const QJsonObject now = json(server.resource(kRolloutPath));
        const QJsonObject st = now[QStringLiteral("status")].toObject();
        if (r.status == ChangeResult::Status::Conflict) {
            // Nothing of ours was written; the operator sees where Argo is now.
            QVERIFY2(r.message.contains(QStringLiteral("changed after it was read")), qPrintable(r.message));
            QVERIFY2(r.message.contains(QStringLiteral("step 3/8")), qPrintable(r.message));
            QCOMPARE(st[QStringLiteral("currentStepIndex")].toInt(), 3);
            QVERIFY(st.contains(QStringLiteral("pauseConditions"))); // the pause at step 3 holds
            QVERIFY(!st.contains(QStringLiteral("promoteFull")));
            QCOMPARE(st[QStringLiteral("abort")].toBool(false), aborted);
            QCOMPARE(r.after.value(QStringLiteral("shop-6f8d9c7b5")), aborted ? 0 : 40);
        } else if (r.status == ChangeResult::Status::Applied) {
            QVERIFY2(r.message.contains(QStringLiteral("after %1 conflicts").arg(interferences)), qPrintable(r.message));
            if (action == QStringLiteral("force-100"))
                QCOMPARE(st[QStringLiteral("promoteFull")].toBool(), true);
            else
                QCOMPARE(st[QStringLiteral("abort")].toBool(), true);
        } else {
            QVERIFY2(r.message.contains(QStringLiteral("gave up after 5 conflicts")), qPrintable(r.message));
            QVERIFY(!st.contains(QStringLiteral("abort")));
        }
    }
};

QTEST_GUILESS_MAIN(TestKubeArgo)
#include "tst_kube_argo.moc"
