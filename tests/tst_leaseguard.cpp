// The operator lease inside one Switchboard: a simulated target whose lease another operator
// writes (the same file another process would), and what the controller then does: refuses
// every change but a rollback (and a gradual rollback's steps), refuses a rollout start, takes
// the lease for a rollout and gives it back, pauses a rollout whose lease is taken over, audits
// take, take-over and release, and sees a lapsed lease free again. The panel's lease row shows
// who holds it and turns the action strip off but Rollback.

#include "auditlog.h"
#include "fileleasestore.h"
#include "gradualrollback.h"
#include "leaserowwidget.h"
#include "rolloutengine.h"
#include "rolloutplan.h"
#include "simtarget.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "weightcontrolswidget.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

class TstLeaseGuard : public QObject
{
    Q_OBJECT

    QTemporaryDir m_runtime;
    QTemporaryDir m_data;

    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

    // The lease file of the demo target, as a second process would open it.
    std::unique_ptr<FileLeaseStore> otherProcessStore(const TargetController &c)
    {
        return std::make_unique<FileLeaseStore>(qEnvironmentVariable("XDG_RUNTIME_DIR")
                                                + QStringLiteral("/switchboard/leases/sim-%1.lease").arg(c.name()));
    }
    static LeaseResult bob(LeaseStore *store, LeaseRequest::Op op, bool takeOver = false, int durationS = 30)
    {
        LeaseRequest r;
        r.op = op;
        r.holder = QStringLiteral("bob@ci");
        r.purpose = QStringLiteral("release 9");
        r.durationS = durationS;
        r.takeOver = takeOver;
        return LeaseKeeper::handle(store, r, now());
    }
    static void readNow(TargetController &c)
    {
        QSignalSpy changed(c.lease(), &LeaseGuard::changed);
        c.lease()->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(c.lease()->pendingRequests(), 0, 5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Lease files of the simulated targets and the audit log in folders of this test only.
        qputenv("XDG_RUNTIME_DIR", m_runtime.path().toUtf8());
        qputenv("XDG_DATA_HOME", m_data.path().toUtf8());
        qputenv("SWITCHBOARD_OPERATOR", "alice@laptop");
    }

    void init()
    {
        // Every case starts with nobody's lease (the file another process would share).
        QDir(qEnvironmentVariable("XDG_RUNTIME_DIR") + QStringLiteral("/switchboard/leases")).removeRecursively();
    }

    void othersLeaseRefusesAllButTheWayBack()
    {
        SimTarget t(100);
        TargetController &c = *t.controller;
        QVERIFY(c.lease()->hasStore());
        QCOMPARE(c.lease()->holder(), QStringLiteral("alice@laptop"));
        c.start();
        QSignalSpy done(&c, &TargetController::actionFinished);
        c.setCanaryPercent(40, QStringLiteral("before"));
        QVERIFY(nextResult(done).ok());

        auto store = otherProcessStore(c);
        QCOMPARE(bob(store.get(), LeaseRequest::Op::Take).outcome, LeaseResult::Outcome::Taken);
        readNow(c);
        QVERIFY(c.lease()->isHeldByOther(now()));
        QVERIFY(c.leaseRefusal(now()).contains(QLatin1String("held by bob@ci")));

        c.setCanaryPercent(60, QStringLiteral("while bob holds it"));
        ChangeResult r = nextResult(done);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QLatin1String("bob@ci")), qPrintable(r.message));
        QCOMPARE(t.world->canaryPercentAt(now()), 40.0); // nothing was sent
        c.operatorPromoteFull(QStringLiteral("while bob holds it"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Failed);
        RolloutPlan plan;
        plan.name = QStringLiteral("p");
        plan.steps = {RolloutStep::setWeight(100)};
        QVERIFY(!c.startRollout(plan));

        // A gradual rollback's steps and a rollback go through.
        GradualRollback *g = c.startGradualRollback({20, 0}, 0, QStringLiteral("incident"));
        QVERIFY(g);
        QTRY_VERIFY_WITH_TIMEOUT(g->isFinished(), 10000);
        QCOMPARE(t.world->canaryPercentAt(now()), 0.0);
        c.rollback(QStringLiteral("again"));
        QVERIFY(nextResult(done).ok());
    }

    void takeOverAndReleaseAreAudited()
    {
        AuditLog audit(QDir(m_data.path()).filePath(QStringLiteral("audit-take-over.jsonl")));
        SimTarget t(100, &audit);
        TargetController &c = *t.controller;
        c.start();
        auto store = otherProcessStore(c);
        QVERIFY(bob(store.get(), LeaseRequest::Op::Take, true).ok());
        readNow(c);
        QVERIFY(c.lease()->isHeldByOther(now()));

        QSignalSpy answered(c.lease(), &LeaseGuard::answered);
        c.lease()->take(QStringLiteral("release 10"), false);
        QVERIFY(answered.wait(5000));
        QCOMPARE(answered.takeFirst().at(0).value<LeaseResult>().outcome, LeaseResult::Outcome::HeldByOther);
        c.lease()->take(QStringLiteral("release 10"), true);
        QVERIFY(answered.wait(5000));
        QCOMPARE(answered.takeFirst().at(0).value<LeaseResult>().outcome, LeaseResult::Outcome::TakenOver);
        QVERIFY(c.lease()->isHeldByMe(now()));
        QVERIFY(c.lease()->isKeeping());
        // Bob's own renewal now learns he lost it.
        QCOMPARE(bob(store.get(), LeaseRequest::Op::Renew).outcome, LeaseResult::Outcome::HeldByOther);

        QSignalSpy done(&c, &TargetController::actionFinished);
        c.setCanaryPercent(25, QStringLiteral("mine now"));
        QVERIFY(nextResult(done).ok());
        c.lease()->release();
        QVERIFY(answered.wait(5000));
        QCOMPARE(answered.takeFirst().at(0).value<LeaseResult>().outcome, LeaseResult::Outcome::Released);
        QVERIFY(!c.lease()->lease().isLive(now()));

        QString error;
        QVERIFY2(audit.drain(5000, &error), qPrintable(error));
        QFile f(audit.path());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QStringList actions;
        QJsonObject over;
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty())
                continue;
            actions.append(o.value(QStringLiteral("action")).toString());
            if (actions.constLast() == QLatin1String("lease-take-over"))
                over = o;
        }
        QVERIFY2(actions.contains(QLatin1String("lease-take-over")) && actions.contains(QLatin1String("lease-release")),
                 qPrintable(actions.join(QLatin1Char(','))));
        QCOMPARE(over.value(QStringLiteral("leasePreviousHolder")).toString(), QStringLiteral("bob@ci"));
        QCOMPARE(over.value(QStringLiteral("leaseHolder")).toString(), QStringLiteral("alice@laptop"));
        QCOMPARE(over.value(QStringLiteral("reason")).toString(), QStringLiteral("release 10"));
    }

    void aRolloutHoldsTheLeaseAndPausesWhenTakenOver()
    {
        SimTarget t(100);
        TargetController &c = *t.controller;
        c.start();
        readNow(c);
        RolloutPlan plan;
        plan.name = QStringLiteral("hold");
        plan.steps = {RolloutStep::setWeight(10), RolloutStep::pause(0), RolloutStep::setWeight(100)};
        auto print = [](RolloutEngine *r) {
            QObject::connect(r, &RolloutEngine::logLine, r, [](const QString &l) { qInfo("rollout: %s", qPrintable(l)); });
        };
        RolloutEngine *e = c.startRollout(plan, print);
        QVERIFY(e);
        QTRY_VERIFY_WITH_TIMEOUT(c.lease()->isHeldByMe(now()), 5000);
        QCOMPARE(c.lease()->lease().purpose, QStringLiteral("rollout hold"));
        QVERIFY(c.lease()->isKeeping());
        auto store = otherProcessStore(c);
        QCOMPARE(bob(store.get(), LeaseRequest::Op::Take).outcome, LeaseResult::Outcome::HeldByOther);

        // The rollout waits at its "until resumed" pause; resumed, it goes on. Bob takes over:
        // alice's next renewal learns it and the rollout stops steering at once.
        QTRY_COMPARE_WITH_TIMEOUT(e->state(), RolloutEngine::State::Paused, 5000);
        e->resume();
        QTRY_COMPARE_WITH_TIMEOUT(e->state(), RolloutEngine::State::Promoted, 10000);
        // Ended: the lease it took is given back.
        QTRY_VERIFY_WITH_TIMEOUT(!c.lease()->lease().isLive(now()), 5000);

        RolloutPlan longer;
        longer.name = QStringLiteral("long");
        longer.steps = {RolloutStep::setWeight(10), RolloutStep::pause(600000), RolloutStep::setWeight(100)};
        e = c.startRollout(longer, print);
        QVERIFY(e);
        QTRY_VERIFY_WITH_TIMEOUT(c.lease()->isHeldByMe(now()), 5000);
        QCOMPARE(bob(store.get(), LeaseRequest::Op::Take, true).outcome, LeaseResult::Outcome::TakenOver);
        QSignalSpy lost(c.lease(), &LeaseGuard::lost);
        QVERIFY(lost.wait(LeaseGuard::pollMs + 3000));
        QCOMPARE(e->state(), RolloutEngine::State::Paused);
        QVERIFY2(e->reason().contains(QLatin1String("bob@ci")), qPrintable(e->reason()));
        QVERIFY(c.lease()->isHeldByOther(now()));
        // Resuming against bob's lease is refused: it stays paused, traffic where it was.
        const double before = t.world->canaryPercentAt(now());
        QSignalSpy lines(e, &RolloutEngine::logLine);
        e->resume();
        QCOMPARE(e->state(), RolloutEngine::State::Paused);
        QVERIFY(!lines.isEmpty() && lines.constLast().at(0).toString().startsWith(QLatin1String("resume refused: ")));
        QCOMPARE(t.world->canaryPercentAt(now()), before);
        // The way back still works.
        e->abort(QStringLiteral("incident"));
        QTRY_COMPARE_WITH_TIMEOUT(e->state(), RolloutEngine::State::RolledBack, 5000);
        QCOMPARE(t.world->canaryPercentAt(now()), 0.0);
        QCOMPARE(bob(store.get(), LeaseRequest::Op::Release).outcome, LeaseResult::Outcome::Released);
    }

    void aLapsedLeaseIsFreeAgain()
    {
        SimTarget t(100);
        TargetController &c = *t.controller;
        c.start();
        auto store = otherProcessStore(c);
        QVERIFY(bob(store.get(), LeaseRequest::Op::Take, true, 1).ok());
        readNow(c);
        QVERIFY(c.lease()->isHeldByOther(now()));
        // Bob crashed: nobody renews. Within the lease's second (and the guard's next look) it
        // stops barring us, with no write from anyone.
        QTRY_VERIFY_WITH_TIMEOUT(c.leaseRefusal(now()).isEmpty(), 3000);
        QSignalSpy done(&c, &TargetController::actionFinished);
        c.setCanaryPercent(30, QStringLiteral("after the lapse"));
        QVERIFY(nextResult(done).ok());
    }

    void theRowSaysWhoAndTheStripLeavesOnlyRollback()
    {
        SimTarget t(100);
        TargetController &c = *t.controller;
        c.start();
        auto store = otherProcessStore(c);
        bob(store.get(), LeaseRequest::Op::Take, true);
        std::function<void(bool)> pending;
        LeaseRowWidget row([&pending](const QString &, const QString &, std::function<void(bool)> decided) { pending = decided; });
        WeightControlsWidget strip([](const QString &, const QString &, std::function<void(bool)> decided) { decided(true); });
        row.setController(&c);
        strip.setController(&c);
        readNow(c);
        QSignalSpy done(&c, &TargetController::actionFinished);
        c.setCanaryPercent(30, QStringLiteral("so rollback is on"), true);
        nextResult(done); // refused: bob holds it
        QSignalSpy answered(c.lease(), &LeaseGuard::answered);
        auto *text = row.findChild<QLabel *>(QStringLiteral("leaseText"));
        auto *button = row.findChild<QPushButton *>(QStringLiteral("leaseButton"));
        QVERIFY(text && button);
        QVERIFY2(text->text().contains(QLatin1String("bob@ci")), qPrintable(text->text()));
        QCOMPARE(button->text(), QStringLiteral("Take over…"));
        QVERIFY(!strip.findChild<QSlider *>()->isEnabled());
        QVERIFY(strip.findChild<QSlider *>()->toolTip().contains(QLatin1String("bob@ci")));

        // Take over asks first (inline, nothing modal) and only a yes takes it.
        button->click();
        QVERIFY(pending);
        QVERIFY(answered.isEmpty());
        pending(true);
        QVERIFY(answered.wait(5000));
        QTRY_COMPARE(button->text(), QStringLiteral("Release lease"));
        QVERIFY(strip.findChild<QSlider *>()->isEnabled());
        button->click();
        QVERIFY(answered.wait(5000));
        QTRY_COMPARE(button->text(), QStringLiteral("Take lease"));
    }
};

QTEST_MAIN(TstLeaseGuard)
#include "tst_leaseguard.moc"
