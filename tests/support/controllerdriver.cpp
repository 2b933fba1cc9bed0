#include "controllerdriver.h"

#include "backendfactory.h"
#include "labclient.h"
#include "pace.h"
#include "targetcontroller.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace Switchboard;

ControllerDriver::ControllerDriver(int changeTimeoutMs)
    : m_changeTimeoutMs(changeTimeoutMs)
{
}

std::unique_ptr<TargetController> ControllerDriver::controller(const TargetConfig &target, QString *error)
{
    QString why;
    std::unique_ptr<BackendHost> host = createBackends(target, &why);
    if (!host) {
        if (error)
            *error = why;
        else
            qWarning("%s", qPrintable(why));
        return nullptr;
    }
    return std::make_unique<TargetController>(target, std::move(host), &m_log, nullptr);
}

bool ControllerDriver::refreshed(TargetController *c)
{
    QSignalSpy snap(c, &TargetController::snapshotChanged);
    c->refreshNow();
    return snap.wait(5000);
}

ControllerDriver::Step ControllerDriver::step(TargetController *c, double percent, const QString &reason, bool force,
                                              bool rollback) const
{
    // Both spies before the action: its signals may come before the first wait.
    QSignalSpy done(c, &TargetController::actionFinished);
    QSignalSpy snap(c, &TargetController::snapshotChanged);
    if (rollback)
        c->rollback(reason);
    else
        c->setCanaryPercent(percent, reason, force);
    Step s;
    s.finished = done.wait(m_changeTimeoutMs);
    if (!s.finished)
        return s;
    s.reread = !snap.isEmpty() || snap.wait(5000);
    s.result = done.at(0).at(0).value<ChangeResult>();
    return s;
}

ChangeResult ControllerDriver::change(TargetController *c, double percent, bool force, bool rollback) const
{
    const Step s = step(c, percent, QStringLiteral("test"), force, rollback);
    return s.finished ? s.result : ChangeResult();
}

void ControllerDriver::walkAndRollBack(TargetController *c, int gapMs, QList<ChangeResult> *results) const
{
    pace(gapMs);
    const QList<double> steps{0, 10, 50, 100, -1}; // -1: rollback
    for (double pct : steps) {
        const Step s = step(c, pct, QStringLiteral("zero-downtime test"), false, pct < 0);
        QVERIFY(s.finished);
        QVERIFY2(s.result.ok(), qPrintable(s.result.message));
        results->append(s.result);
        QVERIFY(s.reread); // the controller re-reads after a change
        pace(gapMs);
    }
}

void ControllerDriver::addSplitRows()
{
    QTest::addColumn<double>("canary");
    QTest::newRow("0%") << 0.0;
    QTest::newRow("10%") << 10.0;
    QTest::newRow("50%") << 50.0;
    QTest::newRow("100%") << 100.0;
}

void ControllerDriver::verifySplit(quint16 port, double canary, int requests, double tolerance, const QString &detail)
{
    const SplitCounts n = LabClient::measure(port, requests);
    if (detail.isEmpty())
        qInfo("canary %g%%: %d v1, %d v2, %d other -> measured %.1f%%", canary, n.v1, n.v2, n.other, n.canaryPercent());
    else
        qInfo("canary %g%%: %d v1, %d v2, %d other -> measured %.1f%% (%s)", canary, n.v1, n.v2, n.other,
              n.canaryPercent(), qPrintable(detail));
    QCOMPARE(n.other, 0);
    if (canary == 0.0)
        QCOMPARE(n.v2, 0);
    else if (canary == 100.0)
        QCOMPARE(n.v1, 0);
    else
        QVERIFY2(std::abs(n.canaryPercent() - canary) <= tolerance,
                 qPrintable(QStringLiteral("measured %1%, set %2%").arg(n.canaryPercent()).arg(canary)));
}

void ControllerDriver::verifyAllStable(quint16 port, int requests)
{
    const SplitCounts n = LabClient::measure(port, requests);
    QCOMPARE(n.v2, 0);
    QCOMPARE(n.other, 0);
    QCOMPARE(n.v1, requests);
}
