// Moving traffic must not cost a single request: wrk keeps the lab's frontend busy while the
// controller walks the canary 0 -> 10 -> 50 -> 100 % and rolls back, and every response must
// be a 2xx with no socket error.

#include "controllerdriver.h"
#include "labfixture.h"
#include "targetcontroller.h"
#include "wrkrun.h"

#include <QJsonArray>
#include <QTest>

using namespace Switchboard;

namespace {

constexpr int stepGapMs = 1000;
constexpr int wrkSeconds = 8; // 1 s before the first step, 5 steps, ~2 s after the last

} // namespace

class TestZeroDowntime final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab, QStringLiteral("wrk"));
    }

    void noRequestLostWhileMovingTraffic()
    {
        TargetConfig t;
        t.name = QStringLiteral("lab");
        t.kind = QStringLiteral("haproxy");
        t.settings = QJsonObject{
            {QStringLiteral("haproxy"),
             QJsonObject{{QStringLiteral("endpoints"),
                          QJsonArray{QString(QStringLiteral("unix:") + m_lab.value("ADMIN_SOCK")),
                                     QStringLiteral("tcp:127.0.0.1:%1").arg(m_lab.port("ADMIN_PORT"))}},
                         {QStringLiteral("backend"), QStringLiteral("shop")},
                         {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1-a"), QStringLiteral("shop-v1-b")}},
                         {QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2-a")}}}}};
        ControllerDriver driver(10000);
        QString error;
        const std::unique_ptr<TargetController> c = driver.controller(t, &error);
        QVERIFY2(c, qPrintable(error));
        QVERIFY(ControllerDriver::refreshed(c.get()));

        WrkRun wrk;
        QVERIFY2(wrk.start(m_lab.frontUrl(), 2, 16, wrkSeconds), qPrintable(wrk.error()));

        QList<ChangeResult> changes;
        driver.walkAndRollBack(c.get(), stepGapMs, &changes);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(c->snapshot().split.canary, 0.0);

        // finish() fails unless wrk exited 0 and printed its result line.
        WrkResult w;
        QVERIFY2(wrk.finish(&w, (wrkSeconds + 15) * 1000), qPrintable(wrk.error()));
        qInfo("wrk: %lld responses (%lld v1, %lld v2) in %d s while moving 0->10->50->100%%->rollback; "
              "%lld non-2xx; socket errors connect %lld read %lld write %lld timeout %lld",
              w.total, w.v1, w.v2, wrkSeconds, w.non2xx, w.connectErrors, w.readErrors, w.writeErrors, w.timeouts);
        QVERIFY(w.total > 0);
        QCOMPARE(w.non2xx, 0);      // non-2xx
        QCOMPARE(w.socketErrors(), 0); // socket errors
        QCOMPARE(w.status, 0);      // wrk's own status > 399 count agrees
        QVERIFY(w.v2 > 0);          // the canary really served during the walk
        QVERIFY(w.v1 > 0);
    }
};

QTEST_GUILESS_MAIN(TestZeroDowntime)
#include "tst_zerodowntime.moc"
