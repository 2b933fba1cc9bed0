// TargetController on the real simulator backends through their worker thread: polling,
// actions and their queueing, conflicts, disconnects with back-off and recovery, audit.
#include "auditlog.h"
#include "backendfactory.h"
#include "eventlogmodel.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"
#include "simtarget.h"
#include "timeseriesmodel.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

// The simulator target with an audit log of its own (built first: the controller writes to it).
struct AuditFile
{
    AuditFile() : audit(dir.filePath(QStringLiteral("audit.jsonl"))) {}
    QTemporaryDir dir;
    AuditLog audit;
};

struct Fixture : AuditFile, SimTarget
{
    explicit Fixture(int pollMs = 200) : SimTarget(pollMs, &audit) {}
};

} // namespace

class TestController : public QObject
{
    Q_OBJECT
private slots:
    void pollsAndBackfills()
    {
        Fixture f;
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy health(f.controller.get(), &TargetController::healthChanged);
        f.controller->start();
        QVERIFY(snap.wait(5000));
        QCOMPARE(f.controller->connectionState(), ConnectionState::Connected);
        QCOMPARE(f.controller->snapshot().split.canary, 10.0);
        QTRY_VERIFY(f.controller->healthHistory()->rowCount() > 800); // 15 min backfill at 1 s
        QVERIFY(f.controller->splitHistory()->rowCount() > 800);
        QVERIFY(f.controller->dataAgeMs(QDateTime::currentMSecsSinceEpoch()) >= 0);
        QVERIFY(std::abs(f.controller->measuredCanaryPercent() - 10.0) < 2.0);
        // Polling keeps going.
        const int before = int(snap.size());
        QTRY_VERIFY(snap.size() > before + 2);
    }

    void staleHealthIsNoData()
    {
        Fixture f;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(f.controller->isHealthStale(now)); // nothing yet is not "healthy"
        QSignalSpy health(f.controller.get(), &TargetController::healthChanged);
        f.controller->refreshNow();
        QTRY_VERIFY(f.controller->hasHealth());
        QCOMPARE(f.controller->staleAfterMs(), 5000); // 3 x 200 ms, at least 5 s
        const qint64 t = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(!f.controller->isHealthStale(t));
        QVERIFY(f.controller->isHealthStale(t + 6000)); // the clock moved on, the data did not
    }

    void setWeightRollbackAndAudit()
    {
        Fixture f;
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->refreshNow();
        QVERIFY(snap.wait(5000));
        f.controller->setCanaryPercent(30, QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QTRY_COMPARE(f.controller->snapshot().split.canary, 30.0);
        f.controller->rollback(QStringLiteral("test rollback"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QCOMPARE(TrafficSplit::fromMembers(f.world->members()).canary, 0.0);
        QVERIFY(f.audit.drain(10000)); // the audit log writes on its own thread
        QFile log(f.audit.path());
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QCOMPARE(text.count('\n'), 2);
        QVERIFY(text.contains("\"action\":\"rollback\""));
        QVERIFY(text.contains("\"reason\":\"test rollback\""));
    }

    void conflictIsReportedNotApplied()
    {
        Fixture f;
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->refreshNow();
        QVERIFY(snap.wait(5000));
        // Another operator moves traffic after we looked.
        QMap<QString, int> other = f.world->weights();
        other[QStringLiteral("app-v2-a")] = 128;
        f.world->setWeights(other, QDateTime::currentMSecsSinceEpoch());
        f.controller->setCanaryPercent(40, QStringLiteral("test"));
        const ChangeResult r = nextResult(done);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QCOMPARE(f.world->weights(), other);
        // Rollback never asks: it goes through whatever the others did.
        f.controller->rollback(QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QCOMPARE(TrafficSplit::fromMembers(f.world->members()).canary, 0.0);
    }

    void rollbackWinsTheQueue()
    {
        Fixture f;
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->refreshNow();
        QVERIFY(snap.wait(5000));
        // Three requests in one go: the first is on the wire, a later set-weight must not
        // replace the queued rollback.
        f.controller->setCanaryPercent(60, QStringLiteral("a"));
        f.controller->rollback(QStringLiteral("b"));
        f.controller->setCanaryPercent(70, QStringLiteral("c"));
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(TrafficSplit::fromMembers(f.world->members()).canary, 0.0);
        QVERIFY(!f.controller->isActionInFlight());
    }

    void resultsCarryTheirChangesId()
    {
        Fixture f;
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->refreshNow();
        QVERIFY(snap.wait(5000));
        // Two changes to the same percent, the second queued behind the first: each result
        // names its own change.
        const quint64 first = f.controller->nextChangeId();
        f.controller->setCanaryPercent(20, QStringLiteral("a"));
        QCOMPARE(f.controller->nextChangeId(), first + 1);
        f.controller->setCanaryPercent(20, QStringLiteral("b"));
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(done.at(0).at(0).value<ChangeResult>().id, first);
        QCOMPARE(done.at(1).at(0).value<ChangeResult>().id, first + 1);
        QCOMPARE(done.at(1).at(0).value<ChangeResult>().status, ChangeResult::Status::Applied);
    }

    void disconnectBacksOffAndRecovers()
    {
        Fixture f(100);
        QSignalSpy state(f.controller.get(), &TargetController::connectionStateChanged);
        f.controller->start();
        QTRY_COMPARE(f.controller->connectionState(), ConnectionState::Connected);
        f.world->setReachable(false);
        QTRY_COMPARE(f.controller->connectionState(), ConnectionState::Disconnected);
        QVERIFY(f.controller->lastError().contains(QStringLiteral("unreachable")));
        bool logged = false;
        for (const auto &e : f.log.events())
            logged |= e.severity == EventLogModel::Severity::Error && e.text.contains(QStringLiteral("unreachable"));
        QVERIFY(logged);
        // Actions fail clearly while the layer is unreachable.
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->rollback(QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Failed);
        f.world->setReachable(true);
        QTRY_COMPARE_WITH_TIMEOUT(f.controller->connectionState(), ConnectionState::Connected, 10000);
        QCOMPARE(f.log.events().constLast().text.contains(QStringLiteral("reconnected"))
                     || std::any_of(f.log.events().cbegin(), f.log.events().cend(),
                                    [](const auto &e) { return e.text == QStringLiteral("reconnected"); }),
                 true);
    }
};

QTEST_GUILESS_MAIN(TestController)
#include "tst_controller.moc"
