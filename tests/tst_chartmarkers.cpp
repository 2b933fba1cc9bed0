// ChartMarkerModel: which changes and gate results become markers on the charts' time axis (a
// gate passing on every poll marks once, a failure always marks), the cap, and the
// TargetController filling it on the simulator: actions that moved traffic are marked, refused
// ones are not, and a rollout's gates are marked when their outcome changes.
#include "backendfactory.h"
#include "chartmarkermodel.h"
#include "eventlogmodel.h"
#include "rolloutengine.h"
#include "simtarget.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using Kind = ChartMarkerModel::Kind;
using Outcome = GateResult::Outcome;
using Cause = GateResult::Cause;

namespace {

ChangeResult change(ChangeResult::Status status, double requested)
{
    ChangeResult r;
    r.status = status;
    r.requestedCanaryPercent = requested;
    r.message = QStringLiteral("scripted %1").arg(statusName(status));
    return r;
}

// One gate result; `code` is P pass, F fail, N no data, T too few requests, C confirming a breach.
GateResult gate(QChar code, qint64 timeMs, const QString &name = QStringLiteral("error-ratio"))
{
    GateResult r;
    r.gate = name;
    r.metric = GateSpec::Metric::ErrorRatio;
    r.timeMs = timeMs;
    r.threshold = 0.012;
    r.failureLimit = 2;
    switch (code.toLatin1()) {
    case 'P': r.outcome = Outcome::Pass; r.cause = Cause::None; r.canary = 0.003; break;
    case 'F': r.outcome = Outcome::Fail; r.cause = Cause::None; r.canary = 0.2; r.consecutiveFailures = 2; break;
    case 'N': r.outcome = Outcome::Inconclusive; r.cause = Cause::NoData; break;
    case 'T': r.outcome = Outcome::Inconclusive; r.cause = Cause::TooFewRequests; break;
    case 'C': r.outcome = Outcome::Inconclusive; r.cause = Cause::Confirming; r.canary = 0.2; r.consecutiveFailures = 1; break;
    }
    r.text = QStringLiteral("%1 %2: scripted").arg(r.gate, outcomeName(r.outcome));
    return r;
}

// The markers' kinds as letters (X: external change), oldest first; `only` keeps those letters only.
QString kindCodes(const ChartMarkerModel &m, const QString &only = QStringLiteral("PFIWRX"))
{
    QString out;
    for (const ChartMarkerModel::Marker &marker : m.markers()) {
        switch (marker.kind) {
        case Kind::GatePass: out += QLatin1Char('P'); break;
        case Kind::GateFail: out += QLatin1Char('F'); break;
        case Kind::GateInconclusive: out += QLatin1Char('I'); break;
        case Kind::WeightChange: out += QLatin1Char('W'); break;
        case Kind::Rollback: out += QLatin1Char('R'); break;
        case Kind::External: out += QLatin1Char('X'); break;
        case Kind::Route: out += QLatin1Char('T'); break;
        }
    }
    out.removeIf([&only](QChar c) { return !only.contains(c); });
    return out;
}

struct SimFixture : SimTarget
{
    SimFixture() : SimTarget(100) {}
};

} // namespace

class TestChartMarkers : public QObject
{
    Q_OBJECT
private slots:
    void changesAreMarkedOnlyWhenTheyMovedTraffic_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("status");
        QTest::addColumn<double>("requested");
        QTest::addColumn<double>("after");
        QTest::addColumn<bool>("marked");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("label");
        using S = ChangeResult::Status;
        QTest::newRow("set-weight applied") << QStringLiteral("set-weight") << int(S::Applied) << 25.0 << 25.0 << true << Kind::WeightChange << QStringLiteral("canary 25%");
        QTest::newRow("set-weight partial") << QStringLiteral("set-weight") << int(S::Partial) << 25.0 << 12.5 << true << Kind::WeightChange << QStringLiteral("canary 12.5% (partial)");
        QTest::newRow("set-weight conflict") << QStringLiteral("set-weight") << int(S::Conflict) << 25.0 << 10.0 << false << Kind::WeightChange << QString();
        QTest::newRow("set-weight failed") << QStringLiteral("set-weight") << int(S::Failed) << 25.0 << 10.0 << false << Kind::WeightChange << QString();
        QTest::newRow("promote, weights not read back") << QStringLiteral("promote") << int(S::Applied) << 100.0 << qQNaN() << true << Kind::WeightChange << QStringLiteral("promote → canary 100%");
        QTest::newRow("promote step") << QStringLiteral("promote") << int(S::Applied) << qQNaN() << 40.0 << true << Kind::WeightChange << QStringLiteral("promote → canary 40%");
        QTest::newRow("rollback applied") << QStringLiteral("rollback") << int(S::Applied) << 0.0 << 0.0 << true << Kind::Rollback << QStringLiteral("rollback → canary 0%");
        QTest::newRow("rollback failed") << QStringLiteral("rollback") << int(S::Failed) << 0.0 << 25.0 << false << Kind::Rollback << QString();
    }
    void changesAreMarkedOnlyWhenTheyMovedTraffic()
    {
        QFETCH(QString, action);
        QFETCH(int, status);
        QFETCH(double, requested);
        QFETCH(double, after);
        QFETCH(bool, marked);
        QFETCH(Kind, kind);
        QFETCH(QString, label);
        ChartMarkerModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.addChange(5000, action, change(ChangeResult::Status(status), requested), after);
        QCOMPARE(m.rowCount(), marked ? 1 : 0);
        if (!marked)
            return;
        const ChartMarkerModel::Marker &marker = m.markers().constFirst();
        QCOMPARE(marker.timeMs, 5000);
        QCOMPARE(marker.kind, kind);
        QCOMPARE(marker.label, label);
        QVERIFY2(marker.detail.contains(QStringLiteral("scripted")), qPrintable(marker.detail));
        QCOMPARE(m.data(m.index(0), ChartMarkerModel::KindRole).value<Kind>(), kind);
        QCOMPARE(m.data(m.index(0), ChartMarkerModel::TimeRole).toLongLong(), 5000);
    }

    // The rule: a gate is marked on its first result, whenever its outcome (or, inconclusive,
    // its reason) differs from the previous result, and on every failure.
    void gatesAreMarkedWhenTheirOutcomeChanges_data()
    {
        QTest::addColumn<QString>("sequence");
        QTest::addColumn<QString>("expected");
        QTest::newRow("pass pass fail fail pass") << QStringLiteral("PPFFP") << QStringLiteral("PFFP");
        QTest::newRow("passing every poll marks once") << QStringLiteral("PPPPPPPPPP") << QStringLiteral("P");
        QTest::newRow("too few, then passing") << QStringLiteral("TTTPPP") << QStringLiteral("IP");
        QTest::newRow("a breach confirmed") << QStringLiteral("PPCF") << QStringLiteral("PIF");
        QTest::newRow("inconclusive for another reason") << QStringLiteral("TTNNT") << QStringLiteral("III");
        QTest::newRow("fail every poll") << QStringLiteral("FFF") << QStringLiteral("FFF");
    }
    void gatesAreMarkedWhenTheirOutcomeChanges()
    {
        QFETCH(QString, sequence);
        QFETCH(QString, expected);
        ChartMarkerModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        qint64 t = 1'000'000;
        for (const QChar c : std::as_const(sequence)) {
            t += 1000;
            m.addGateResults({gate(c, t)}, t + 500);
        }
        QCOMPARE(kindCodes(m), expected);
    }

    void gateMarkersHaveTimesAndLabels()
    {
        ChartMarkerModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.addGateResults({gate(QLatin1Char('P'), 1000), gate(QLatin1Char('P'), 1000, QStringLiteral("p99"))}, 1100);
        QCOMPARE(kindCodes(m), QStringLiteral("PP")); // gates are judged each on their own
        m.addGateResults({gate(QLatin1Char('F'), 2000), gate(QLatin1Char('P'), 2000, QStringLiteral("p99"))}, 2100);
        QCOMPARE(kindCodes(m), QStringLiteral("PPF"));
        const ChartMarkerModel::Marker &fail = m.markers().constLast();
        QCOMPARE(fail.timeMs, 2000); // the sample judged, so it lines up with the data drawn
        QCOMPARE(fail.label, QStringLiteral("gate error-ratio FAIL 20.00% > 1.20%"));
        QCOMPARE(fail.detail, QStringLiteral("error-ratio FAIL: scripted"));
        // No data carries an old sample's time: it is marked when it was seen.
        m.addGateResults({gate(QLatin1Char('N'), 2000)}, 9000);
        QCOMPARE(m.markers().constLast().timeMs, 9000);
        QCOMPARE(m.markers().constLast().label, QStringLiteral("gate error-ratio inconclusive (no data)"));
        // A new rollout: its gates' first results are news again.
        m.addGateResults({gate(QLatin1Char('P'), 10000, QStringLiteral("p99"))}, 10100);
        QCOMPARE(m.rowCount(), 4);
        m.forgetGateOutcomes();
        m.addGateResults({gate(QLatin1Char('P'), 11000, QStringLiteral("p99"))}, 11100);
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.markers().constLast().label, QStringLiteral("gate p99 pass 0.30% < 1.20%"));
    }

    void keepsTimeOrderAndTheCap()
    {
        ChartMarkerModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.add({3000, Kind::WeightChange, QStringLiteral("c"), {}});
        m.add({1000, Kind::WeightChange, QStringLiteral("a"), {}});
        m.add({2000, Kind::GatePass, QStringLiteral("b"), {}}); // a late arrival goes in order
        m.add({2000, Kind::GateFail, QStringLiteral("b2"), {}}); // same time: after the earlier one
        QStringList labels;
        for (const auto &marker : m.markers())
            labels.append(marker.label);
        QCOMPARE(labels, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b2"), QStringLiteral("c")}));

        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        for (int i = 0; i < 2 * ChartMarkerModel::Capacity; ++i)
            m.add({10000 + i, Kind::GatePass, QString::number(i), {}});
        QCOMPARE(m.rowCount(), ChartMarkerModel::Capacity);
        QCOMPARE(ChartMarkerModel::Capacity, 500);
        QVERIFY(!removed.isEmpty());
        // The newest are kept.
        QCOMPARE(m.markers().constFirst().timeMs, 10000 + ChartMarkerModel::Capacity);
        QCOMPARE(m.markers().constLast().timeMs, 10000 + 2 * ChartMarkerModel::Capacity - 1);
    }

    // --- filled by the TargetController on the simulator ------------------------------------

    void simulatorActionsThatMovedTrafficAreMarked()
    {
        SimFixture f;
        ChartMarkerModel *markers = f.controller->chartMarkers();
        QVERIFY(markers);
        QAbstractItemModelTester tester(markers, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        f.controller->refreshNow();
        QVERIFY(snap.wait(5000));
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch();

        f.controller->setCanaryPercent(30, QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QCOMPARE(kindCodes(*markers), QStringLiteral("W"));
        QCOMPARE(markers->markers().constLast().label, QStringLiteral("canary 30%"));
        QVERIFY(markers->markers().constLast().timeMs >= t0);
        QVERIFY(markers->markers().constLast().timeMs <= QDateTime::currentMSecsSinceEpoch());

        f.controller->promoteFull(QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QCOMPARE(markers->markers().constLast().label, QStringLiteral("promote → canary 100%"));

        // Another operator moves traffic after we looked: our change is refused, nothing marked.
        QTRY_COMPARE(f.controller->snapshot().weights(), f.world->weights());
        QMap<QString, int> other = f.world->weights();
        other[QStringLiteral("app-v1-a")] = 10;
        f.world->setWeights(other, QDateTime::currentMSecsSinceEpoch());
        f.controller->setCanaryPercent(40, QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Conflict);
        QCOMPARE(kindCodes(*markers), QStringLiteral("WW"));

        f.controller->rollback(QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QCOMPARE(kindCodes(*markers), QStringLiteral("WWR"));
        QCOMPARE(markers->markers().constLast().label, QStringLiteral("rollback → canary 0%"));

        // A change that fails moved nothing either.
        f.world->setReachable(false);
        f.controller->setCanaryPercent(20, QStringLiteral("test"), true);
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Failed);
        QCOMPARE(kindCodes(*markers), QStringLiteral("WWR"));
    }

    void simulatorExternalChangesAreMarkedAndLogged()
    {
        SimFixture f;
        ChartMarkerModel *markers = f.controller->chartMarkers();
        QAbstractItemModelTester tester(markers, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy snap(f.controller.get(), &TargetController::snapshotChanged);
        QSignalSpy done(f.controller.get(), &TargetController::actionFinished);
        auto read = [&f, &snap] {
            snap.clear();
            f.controller->refreshNow();
            return snap.wait(5000);
        };
        QVERIFY(read());
        // Our own change, and the reads after it: not external.
        f.controller->setCanaryPercent(30, QStringLiteral("test"));
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QVERIFY(read());
        QVERIFY(read());
        QCOMPARE(kindCodes(*markers), QStringLiteral("W"));

        // Someone else moves traffic: the next read shows it, once.
        QMap<QString, int> other = f.world->weights();
        other[QStringLiteral("app-v1-a")] = 10;
        const qint64 t = QDateTime::currentMSecsSinceEpoch();
        f.world->setWeights(other, t);
        const double now = TrafficSplit::fromMembers(f.world->members()).canary;
        QVERIFY(now > 30.0);
        const QString change = QStringLiteral("canary 30% → %1%").arg(now, 0, 'g', 4);
        QVERIFY(read());
        QVERIFY(read());
        QCOMPARE(kindCodes(*markers), QStringLiteral("WX"));
        const ChartMarkerModel::Marker &m = markers->markers().constLast();
        QCOMPARE(m.label, QStringLiteral("external: ") + change);
        QVERIFY(m.timeMs >= t);
        int logged = 0;
        for (const auto &e : f.log.events())
            logged += e.text == QStringLiteral("external change: ") + change && e.severity == EventLogModel::Severity::Warning;
        QCOMPARE(logged, 1);

        // A change of ours over it is ours again.
        f.controller->setCanaryPercent(50, QStringLiteral("test"), true);
        QCOMPARE(nextResult(done).status, ChangeResult::Status::Applied);
        QVERIFY(read());
        QCOMPARE(kindCodes(*markers), QStringLiteral("WXW"));
    }

    void simulatorRolloutMarksGateChangesNotEveryPoll()
    {
        SimFixture f;
        GateSpec errors;
        errors.name = QStringLiteral("error-ratio");
        errors.metric = GateSpec::Metric::ErrorRatio;
        errors.max = 0.01;
        errors.minRequests = 5;
        errors.failureLimit = 2;
        RolloutPlan plan;
        plan.name = QStringLiteral("markers");
        plan.steps = {RolloutStep::setWeight(25), RolloutStep::pause(60000), RolloutStep::setWeight(100)};
        plan.gates = {errors};
        f.controller->start();
        QTRY_COMPARE(f.controller->connectionState(), ConnectionState::Connected);
        RolloutEngine *engine = f.controller->startRollout(plan);
        QVERIFY(engine);
        int passes = 0;
        connect(engine, &RolloutEngine::gateEvaluated, engine, [&passes](const QList<GateResult> &results) {
            for (const GateResult &r : results)
                passes += r.outcome == Outcome::Pass;
        });
        ChartMarkerModel *markers = f.controller->chartMarkers();
        QAbstractItemModelTester tester(markers, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(passes >= 5, 10000);
        // Five passes or more, one pass marker (after "inconclusive: too few requests" while the
        // canary's first requests are counted, if that was seen).
        const QString gates = QStringLiteral("PFI");
        QVERIFY2(QRegularExpression(QStringLiteral("^I?P$")).match(kindCodes(*markers, gates)).hasMatch(),
                 qPrintable(kindCodes(*markers)));
        QCOMPARE(kindCodes(*markers, QStringLiteral("WR")), QStringLiteral("W"));
        // Gate markers sit at the time of the sample judged: the first may be a few ms older than
        // the change (a reading taken while the change was on its way), so look the change up.
        const auto change = std::find_if(markers->markers().cbegin(), markers->markers().cend(),
                                         [](const ChartMarkerModel::Marker &m) { return m.kind == Kind::WeightChange; });
        QVERIFY(change != markers->markers().cend());
        QCOMPARE(change->label, QStringLiteral("canary 25%"));

        QSignalSpy finished(engine, &RolloutEngine::finished);
        f.world->setCanaryFault(0.2, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(finished.wait(10000));
        QCOMPARE(engine->state(), RolloutEngine::State::RolledBack);
        // The breach (inconclusive while confirming), the failure, then the rollback it caused.
        QTRY_COMPARE(kindCodes(*markers, QStringLiteral("WR")), QStringLiteral("WR"));
        QVERIFY2(QRegularExpression(QStringLiteral("^I?PIF$")).match(kindCodes(*markers, gates)).hasMatch(),
                 qPrintable(kindCodes(*markers)));
        const auto &all = markers->markers();
        QCOMPARE(all.constLast().kind, Kind::Rollback);
        QCOMPARE(all.constLast().label, QStringLiteral("rollback → canary 0%"));
        const ChartMarkerModel::Marker &fail = all.at(all.size() - 2);
        QCOMPARE(fail.kind, Kind::GateFail);
        QVERIFY2(fail.label.startsWith(QStringLiteral("gate error-ratio FAIL ")) && fail.label.endsWith(QStringLiteral(" > 1.00%")),
                 qPrintable(fail.label));
    }
};

QTEST_GUILESS_MAIN(TestChartMarkers)
#include "tst_chartmarkers.moc"
