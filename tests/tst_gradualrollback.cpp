// Gradual rollback on the simulator: the steps are walked and end at 0%, a breach on the way goes
// straight to 0%, ROLLBACK takes over at once; its step list as the CLI reads it. And the
// controller's verdict: it moves no traffic unless "roll back automatically" is on, which is
// saved into targets.json (atomically, other keys kept) and audited.
#include "auditlog.h"
#include "backendfactory.h"
#include "eventlogmodel.h"
#include "gradualrollback.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using GState = GradualRollback::State;

namespace {

// A simulator target whose targets.json object carries `extra` keys (a "verdict" object).
struct Rig
{
    explicit Rig(const QJsonObject &extra = {}, AuditLog *audit = nullptr)
    {
        TargetConfig t = demoTarget();
        t.pollMs = 100;
        for (auto it = extra.begin(); it != extra.end(); ++it)
            t.settings.insert(it.key(), it.value());
        QString error;
        controller = std::make_unique<TargetController>(t, createBackends(t, &error, &world), &log, audit);
        QObject::connect(controller.get(), &TargetController::actionFinished, controller.get(),
                         [this](const ChangeResult &r) { applied.append(r.requestedCanaryPercent); });
        controller->start();
    }
    double worldCanary() const { return TrafficSplit::fromMembers(world->members()).canary; }
    bool logged(const QString &fragment) const
    {
        for (const auto &e : log.events())
            if (e.text.contains(fragment))
                return true;
        return false;
    }
    EventLogModel log;
    std::shared_ptr<SimWorld> world;
    std::unique_ptr<TargetController> controller;
    QList<double> applied;
};

QJsonObject thresholdVerdict(bool autoRollback)
{
    // One threshold gate that a 30% error canary breaches on its first reading.
    return QJsonDocument::fromJson(QByteArray(R"({"verdict": {"gates": [{"name": "err", "metric": "errorRatio", "max": 0.05}],
                                               "autoRollback": )") + (autoRollback ? "true" : "false") + "}}").object();
}

} // namespace

class TestGradualRollback final : public QObject
{
    Q_OBJECT
private slots:
    void stepsAsTheCliReadsThem_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("current");
        QTest::addColumn<QList<double>>("steps");
        QTest::addColumn<QString>("error");
        QTest::newRow("as given") << QStringLiteral("50,25,0") << 100.0 << QList<double>{50, 25, 0} << QString();
        QTest::newRow("0 added") << QStringLiteral("50,25") << 100.0 << QList<double>{50, 25, 0} << QString();
        QTest::newRow("steps at or above now dropped") << QStringLiteral("50,25,10") << 30.0 << QList<double>{25, 10, 0} << QString();
        QTest::newRow("not descending") << QStringLiteral("25,50,0") << 100.0 << QList<double>{} << QStringLiteral("must go down");
        QTest::newRow("not a percent") << QStringLiteral("50,x,0") << 100.0 << QList<double>{} << QStringLiteral("\"x\" is not a percent");
        QTest::newRow("above 100") << QStringLiteral("150,0") << 100.0 << QList<double>{} << QStringLiteral("\"150\"");
        QTest::newRow("empty") << QStringLiteral(",") << 100.0 << QList<double>{} << QStringLiteral("at least one");
    }
    void stepsAsTheCliReadsThem()
    {
        QFETCH(QString, text);
        QFETCH(double, current);
        QFETCH(QList<double>, steps);
        QFETCH(QString, error);
        QList<double> got;
        QString why;
        QCOMPARE(GradualRollback::parseSteps(text, current, &got, &why), error.isEmpty());
        if (error.isEmpty())
            QCOMPARE(got, steps);
        else
            QVERIFY2(why.contains(error), qPrintable(why));
        QCOMPARE(GradualRollback::defaultSteps(40), (QList<double>{20, 10, 0}));
        QCOMPARE(GradualRollback::defaultSteps(0), (QList<double>{0}));
    }

    void walksTheStepsToZero()
    {
        Rig r;
        QTRY_VERIFY(r.controller->hasSnapshot());
        r.controller->setCanaryPercent(40, QStringLiteral("test"));
        QTRY_COMPARE(r.controller->snapshot().split.canary, 40.0);
        r.applied.clear();
        GradualRollback *g = r.controller->startGradualRollback({20, 10, 0}, 300, QStringLiteral("test"));
        QVERIFY(g);
        QVERIFY(!r.controller->startGradualRollback({0}, 300, QStringLiteral("twice"))); // one at a time
        QTRY_VERIFY_WITH_TIMEOUT(g->isFinished(), 10000);
        QCOMPARE(g->state(), GState::Done);
        QCOMPARE(r.applied, (QList<double>{20, 10, 0}));
        QCOMPARE(r.worldCanary(), 0.0);
        QVERIFY(r.logged(QStringLiteral("gradual rollback: 20% → 10% → 0%")));
    }

    void breachGoesStraightToZero()
    {
        Rig r(thresholdVerdict(false));
        QTRY_VERIFY(r.controller->hasSnapshot());
        r.controller->setCanaryPercent(40, QStringLiteral("test"));
        QTRY_COMPARE(r.controller->snapshot().split.canary, 40.0);
        r.applied.clear();
        GradualRollback *g = r.controller->startGradualRollback({20, 10, 0}, 60000, QStringLiteral("test"));
        QTRY_COMPARE(r.applied.size(), qsizetype(1));
        r.world->setCanaryFault(0.3, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QTRY_VERIFY_WITH_TIMEOUT(g->isFinished(), 10000);
        QCOMPARE(g->state(), GState::RolledBack);
        QCOMPARE(r.applied, (QList<double>{20, 0})); // 10% was never sent
        QVERIFY2(g->reason().contains(QStringLiteral("err FAIL")), qPrintable(g->reason()));
        QCOMPARE(r.worldCanary(), 0.0);
    }

    void rollbackTakesOverAtOnce()
    {
        Rig r;
        QTRY_VERIFY(r.controller->hasSnapshot());
        r.controller->setCanaryPercent(40, QStringLiteral("test"));
        QTRY_COMPARE(r.controller->snapshot().split.canary, 40.0);
        GradualRollback *g = r.controller->startGradualRollback({20, 10, 0}, 60000, QStringLiteral("test"));
        QTRY_COMPARE(r.controller->snapshot().split.canary, 20.0);
        r.controller->operatorRollback(QStringLiteral("now"));
        QCOMPARE(g->state(), GState::Cancelled);
        QTRY_COMPARE(r.worldCanary(), 0.0);
    }

    void verdictMovesNothingUnlessAsked()
    {
        Rig r(thresholdVerdict(false));
        QTRY_COMPARE_WITH_TIMEOUT(r.controller->verdict().state, Verdict::State::Healthy, 5000);
        r.world->setCanaryFault(0.3, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QTRY_COMPARE_WITH_TIMEOUT(r.controller->verdict().state, Verdict::State::Failing, 5000);
        QVERIFY(r.logged(QStringLiteral("verdict failing: gate err FAIL")));
        QSignalSpy changes(r.controller.get(), &TargetController::actionFinished);
        QVERIFY(!changes.wait(1500));
        QCOMPARE(r.worldCanary(), 10.0);
    }

    void autoRollbackRollsBackAndIsAudited()
    {
        QTemporaryDir dir;
        AuditLog audit(dir.filePath(QStringLiteral("audit.jsonl")));
        Rig r(thresholdVerdict(true), &audit);
        QVERIFY(r.controller->autoRollback());
        QTRY_COMPARE_WITH_TIMEOUT(r.controller->verdict().state, Verdict::State::Healthy, 5000);
        r.world->setCanaryFault(0.3, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QTRY_COMPARE_WITH_TIMEOUT(r.worldCanary(), 0.0, 5000);
        QVERIFY(r.logged(QStringLiteral("automatic rollback")));
        // The world has the weights as soon as the backend set them; the rollback's audit entry
        // is written when its answer reaches the controller, a moment later.
        QTRY_VERIFY_WITH_TIMEOUT(!r.controller->isActionInFlight(), 5000);
        QVERIFY(audit.drain(5000));
        QFile f(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        QVERIFY2(all.contains("\"action\":\"verdict\""), all.constData());
        QVERIFY2(all.contains("automatic rollback (verdict failing): gate err FAIL"), all.constData());
    }

    void autoRollbackIsSavedAtomicallyKeepingTheRest()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("targets.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"targets": [{"zeta": 1, "name": "demo", "kind": "sim", "verdict": {"windowMs": 30000}}]})");
        f.close();
        AuditLog audit(dir.filePath(QStringLiteral("audit.jsonl")));
        Rig r({}, &audit);
        QSignalSpy saved(r.controller.get(), &TargetController::autoRollbackChanged);
        r.controller->setAutoRollback(true, path);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 5000);
        QCOMPARE(saved.at(0).at(0).toBool(), true);
        QCOMPARE(saved.at(0).at(1).toBool(), true);
        QVERIFY(r.controller->autoRollback());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        f.close();
        const QJsonObject target = QJsonDocument::fromJson(text).object().value(QStringLiteral("targets")).toArray().at(0).toObject();
        QCOMPARE(target.value(QStringLiteral("verdict")).toObject().value(QStringLiteral("autoRollback")).toBool(), true);
        QCOMPARE(target.value(QStringLiteral("verdict")).toObject().value(QStringLiteral("windowMs")).toInt(), 30000);
        QVERIFY2(text.indexOf("zeta") < text.indexOf("name"), text.constData()); // key order kept
        QVERIFY(audit.drain(5000));
        QFile log(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("\"action\":\"auto-rollback-on\""));
        // A file that cannot be written: not switched on, and said so.
        r.controller->setAutoRollback(false, dir.filePath(QStringLiteral("missing/targets.json")));
        // (The answer may come before a wait() could start: the failure is found at once.)
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 2, 5000);
        QCOMPARE(saved.at(1).at(1).toBool(), false);
        QVERIFY(r.controller->autoRollback()); // unchanged
    }
};

QTEST_GUILESS_MAIN(TestGradualRollback)
#include "tst_gradualrollback.moc"
