// Issue 14: which rollout and controller events tell people, with what (RolloutNotifier on a
// scripted target), and the hub that sends them: a failing webhook is reported in the event log
// without its secrets, and a webhook that hangs delays no rollback.
#include "eventlogmodel.h"
#include "fakewebhookserver.h"
#include "notificationhub.h"
#include "rolloutnotifier.h"
#include "scriptedtarget.h"
#include "simtarget.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using namespace ScriptedTarget;
using State = RolloutEngine::State;
using Kind = Notification::Kind;

namespace {

Notification only(const QSignalSpy &spy)
{
    return spy.isEmpty() ? Notification() : spy.constLast().constFirst().value<Notification>();
}

NotificationConfig oneWebhook(const QString &url, int timeoutMs, int retries)
{
    WebhookConfig w;
    w.service = WebhookConfig::Service::DingTalk;
    w.name = QStringLiteral("ops");
    w.url = url;
    w.secret = QStringLiteral("SECdonotshowthis42");
    w.timeoutMs = timeoutMs;
    w.retries = retries;
    w.backoffMs = 20;
    NotificationConfig c;
    c.webhooks = {w};
    return c;
}

bool logHas(const EventLogModel &log, const QString &part)
{
    for (const auto &e : log.events())
        if (e.text.contains(part))
            return true;
    return false;
}

} // namespace

class TestNotifications : public QObject
{
    Q_OBJECT

private slots:
    void gateRollbackIsAutomaticAndCarriesTheNumbers()
    {
        Rig r(plan({RolloutStep::setWeight(25), RolloutStep::analysis(60000), RolloutStep::setWeight(100)}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QVERIFY(r.startAndApply());
        QVERIFY(r.observe(bad));
        QVERIFY(waitFor(finished));
        QCOMPARE(raised.size(), 1); // the engine's rollback, not the controller's change as well
        const Notification n = only(raised);
        QCOMPARE(n.kind, Kind::RolledBack);
        QCOMPARE(n.target, QStringLiteral("scripted"));
        QCOMPARE(n.what, QStringLiteral("rolled back automatically"));
        QVERIFY2(n.reason.contains(QStringLiteral("error-ratio FAIL: canary 20.00% > 1.20%")), qPrintable(n.reason));
        QVERIFY2(n.figures.join(QLatin1Char('|')).contains(QStringLiteral("gate error-ratio FAIL")), qPrintable(n.figures.join(QLatin1Char('|'))));
        QVERIFY2(n.figures.join(QLatin1Char('|')).contains(QStringLiteral("canary now 0%")), qPrintable(n.figures.join(QLatin1Char('|'))));
        QCOMPARE(n.who, QStringLiteral("Switchboard (automatic; rollout run by ana)"));
        QCOMPARE(n.plan, r.engine->plan().name);
        QVERIFY(n.timeMs > 0);
    }

    void operatorAbortIsByHand()
    {
        Rig r(plan({RolloutStep::setWeight(30), RolloutStep::pause(60000), RolloutStep::setWeight(100)}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QVERIFY(r.startAndApply());
        r.engine->abort(QStringLiteral("looks wrong"));
        QVERIFY(waitFor(finished));
        QCOMPARE(raised.size(), 1);
        QCOMPARE(only(raised).kind, Kind::RolledBack);
        QCOMPARE(only(raised).what, QStringLiteral("rolled back by hand"));
        QCOMPARE(only(raised).who, QStringLiteral("ana"));
        QCOMPARE(only(raised).reason, QStringLiteral("aborted by the operator: looks wrong"));
    }

    void pausesThatNeedTheOperatorTellOnce()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::analysis(1000), RolloutStep::setWeight(100)}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QVERIFY(r.startAndApply());
        r.set(QStringLiteral("Prometheus: connection refused"));
        QVERIFY(r.observe());
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(raised.size(), 1);
        QCOMPARE(only(raised).kind, Kind::Paused);
        QVERIFY(only(raised).reason.contains(QStringLiteral("connection refused")));
        QVERIFY(only(raised).who.contains(QStringLiteral("automatic")));
        QVERIFY(r.observe()); // still paused, no second message
        QCOMPARE(raised.size(), 1);
    }

    void operatorPauseTellsNobody()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::pause(60000), RolloutStep::setWeight(100)}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QVERIFY(r.startAndApply());
        r.engine->pause();
        QCOMPARE(r.engine->state(), State::Paused);
        QCOMPARE(raised.size(), 0);
    }

    void planStepPauseTells()
    {
        Rig r(plan({RolloutStep::setWeight(5), RolloutStep::pause(), RolloutStep::setWeight(100)}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QVERIFY(r.startAndApply());
        QCOMPARE(r.engine->pauseKind(), RolloutEngine::PauseKind::PlanStep);
        QCOMPARE(raised.size(), 1);
        QCOMPARE(only(raised).kind, Kind::Paused);
    }

    void promotedTells()
    {
        Rig r(plan({RolloutStep::setWeight(10), RolloutStep::setWeight(100)}, {}));
        RolloutNotifier notifier(r.controller.get(), QStringLiteral("ana"));
        notifier.watch(r.engine.get());
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QSignalSpy finished(r.engine.get(), &RolloutEngine::finished);
        QVERIFY(r.startAndApply());
        QVERIFY(waitFor(finished));
        QCOMPARE(r.engine->state(), State::Promoted);
        QCOMPARE(raised.size(), 1);
        QCOMPARE(only(raised).kind, Kind::Promoted);
        QVERIFY(only(raised).figures.join(QLatin1Char('|')).contains(QStringLiteral("canary now 100%")));
    }

    void actionsByHandOutsideARolloutTell()
    {
        SimTarget t(100);
        RolloutNotifier notifier(t.controller.get(), QStringLiteral("ana"));
        QSignalSpy raised(&notifier, &RolloutNotifier::raised);
        QSignalSpy done(t.controller.get(), &TargetController::actionFinished);
        t.controller->setCanaryPercent(30, QStringLiteral("try"), true);
        QVERIFY(nextResult(done).ok());
        QCOMPARE(raised.size(), 0); // a weight change is no news
        t.controller->promoteFull(QStringLiteral("looks good"));
        QVERIFY(nextResult(done).ok());
        QCOMPARE(raised.size(), 1);
        QCOMPARE(only(raised).kind, Kind::Promoted);
        t.controller->rollback(QStringLiteral("incident 42"));
        QVERIFY(nextResult(done).ok());
        QCOMPARE(raised.size(), 2);
        const Notification n = only(raised);
        QCOMPARE(n.kind, Kind::RolledBack);
        QCOMPARE(n.who, QStringLiteral("ana"));
        QVERIFY(n.plan.isEmpty());
        QVERIFY2(n.reason.startsWith(QStringLiteral("incident 42")), qPrintable(n.reason));
    }

    void failingWebhookIsLoggedWithoutSecrets()
    {
        FakeWebhookServer server;
        for (int i = 0; i < 3; ++i)
            server.push({500, "internal error for access_token=t0kenInTheUrl77", false});
        SimTarget t(100);
        NotificationHub hub(oneWebhook(server.url(QStringLiteral("/robot/send?access_token=t0kenInTheUrl77")), 2000, 2),
                            {t.controller.get()}, &t.log, QStringLiteral("ana"));
        QSignalSpy failed(&hub, &NotificationHub::deliveryFailed);
        QSignalSpy done(t.controller.get(), &TargetController::actionFinished);
        t.controller->rollback(QStringLiteral("by hand"));
        QVERIFY(nextResult(done).ok());
        QVERIFY(failed.wait(10000));
        QCOMPARE(server.requestCount(), 3);
        QVERIFY(logHas(t.log, QStringLiteral("notifying 1 webhook(s): demo: rolled back")));
        QVERIFY(logHas(t.log, QStringLiteral("notification to dingtalk \"ops\" (127.0.0.1) failed after 3 attempt(s): HTTP 500")));
        for (const auto &e : t.log.events()) {
            QVERIFY2(!e.text.contains(QStringLiteral("t0kenInTheUrl77")), qPrintable(e.text));
            QVERIFY2(!e.text.contains(QStringLiteral("SECdonotshowthis42")), qPrintable(e.text));
        }
        QVERIFY(!failed.constFirst().constFirst().toString().contains(QStringLiteral("t0kenInTheUrl77")));
    }

    void hangingWebhookDelaysNoRollback()
    {
        FakeWebhookServer server;
        for (int i = 0; i < 4; ++i)
            server.push({200, {}, true});
        SimTarget t(100);
        auto hub = std::make_unique<NotificationHub>(oneWebhook(server.url(QStringLiteral("/robot/send?access_token=abc123456")), 5000, 1),
                                                     QList<TargetController *>{t.controller.get()}, &t.log, QStringLiteral("ana"));
        QSignalSpy done(t.controller.get(), &TargetController::actionFinished);
        t.controller->rollback(QStringLiteral("first"));
        QVERIFY(nextResult(done).ok());
        QTRY_COMPARE(server.requestCount(), 1); // its notification hangs on the server now
        QCOMPARE(hub->pending(), 1);
        // The next rollback goes out and comes back at the speed of the traffic layer.
        t.controller->setCanaryPercent(20, QStringLiteral("again"), true);
        QVERIFY(nextResult(done).ok());
        QElapsedTimer clock;
        clock.start();
        t.controller->rollback(QStringLiteral("second"));
        QVERIFY(nextResult(done).ok());
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(hub->pending(), 2); // both still waiting for the hanging server
        // Closing does not wait for the server either (the transfers are stopped).
        clock.restart();
        hub.reset();
        QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
    }
};

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
