// Moving traffic must not cost a single request: wrk keeps the lab's frontend busy while the
// controller walks the canary 0 -> 10 -> 50 -> 100 % and rolls back, and every response must
// be a 2xx with no socket error.

#include "backendfactory.h"
#include "eventlogmodel.h"
#include "labfixture.h"
#include "targetcontroller.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Switchboard;

namespace {

constexpr int stepGapMs = 1000;
constexpr int wrkSeconds = 8; // 1 s before the first step, 5 steps, ~2 s after the last

// wrk counts only status > 399 and says nothing when there were none: count ourselves, per
// thread (wrk runs a Lua state per thread), and print the totals in done().
const char *const wrkScript = R"LUA(
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  total, non2xx, v1, v2 = 0, 0, 0, 0
end
function response(status, headers, body)
  total = total + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if body and body:find("from v1", 1, true) then v1 = v1 + 1 end
  if body and body:find("from v2", 1, true) then v2 = v2 + 1 end
end
function done(summary, latency, requests)
  local t, n, a, b = 0, 0, 0, 0
  for _, th in ipairs(threads) do
    t = t + th:get("total"); n = n + th:get("non2xx"); a = a + th:get("v1"); b = b + th:get("v2")
  end
  local e = summary.errors
  io.write(string.format("SB_RESULT total=%d non2xx=%d v1=%d v2=%d requests=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    t, n, a, b, summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
end
)LUA";

// Paces the scenario (the steps are meant to be seconds apart); not a wait for a condition.
void pace(int ms)
{
    QTimer t;
    t.setSingleShot(true);
    QSignalSpy fired(&t, &QTimer::timeout);
    t.start(ms);
    fired.wait(ms + 5000);
}

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
        if (QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty())
            QSKIP("wrk is not installed");
        if (!m_lab.start()) {
            if (m_lab.error().startsWith(QLatin1String("lab/up exited 2")))
                QSKIP(qPrintable(m_lab.error()));
            QFAIL(qPrintable(m_lab.error()));
        }
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
        QString error;
        std::unique_ptr<BackendHost> host = createBackends(t, &error);
        QVERIFY2(host, qPrintable(error));
        EventLogModel log;
        TargetController c(t, std::move(host), &log, nullptr);
        QSignalSpy snap(&c, &TargetController::snapshotChanged);
        c.refreshNow();
        QVERIFY(snap.wait(5000));

        QTemporaryDir dir;
        QFile script(dir.filePath(QStringLiteral("count.lua")));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(wrkScript);
        script.close();
        QProcess wrk;
        wrk.setProcessChannelMode(QProcess::MergedChannels);
        wrk.start(QStringLiteral("wrk"), {QStringLiteral("-t2"), QStringLiteral("-c16"),
                                          QStringLiteral("-d%1s").arg(wrkSeconds), QStringLiteral("--timeout"),
                                          QStringLiteral("5s"), QStringLiteral("-s"), script.fileName(),
                                          m_lab.frontUrl()});
        QVERIFY(wrk.waitForStarted(5000));
        QSignalSpy finished(&wrk, &QProcess::finished);

        pace(stepGapMs);
        const QList<double> steps{0, 10, 50, 100, -1}; // -1: rollback
        for (double pct : steps) {
            QSignalSpy done(&c, &TargetController::actionFinished);
            QSignalSpy after(&c, &TargetController::snapshotChanged);
            if (pct < 0)
                c.rollback(QStringLiteral("zero-downtime test"));
            else
                c.setCanaryPercent(pct, QStringLiteral("zero-downtime test"));
            QVERIFY(done.wait(10000));
            const ChangeResult r = done.at(0).at(0).value<ChangeResult>();
            QVERIFY2(r.ok(), qPrintable(r.message));
            QVERIFY(!after.isEmpty() || after.wait(5000)); // the controller re-reads after a change
            pace(stepGapMs);
        }
        QCOMPARE(c.snapshot().split.canary, 0.0);

        QVERIFY(finished.size() > 0 || finished.wait((wrkSeconds + 15) * 1000));
        const QString out = QString::fromLocal8Bit(wrk.readAll());
        QCOMPARE(wrk.exitCode(), 0);
        static const QRegularExpression re(QStringLiteral(
            "SB_RESULT total=(\\d+) non2xx=(\\d+) v1=(\\d+) v2=(\\d+) requests=(\\d+) "
            "connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+) status=(\\d+)"));
        const QRegularExpressionMatch m = re.match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        auto n = [&m](int i) { return m.captured(i).toLongLong(); };
        qInfo("wrk: %lld responses (%lld v1, %lld v2) in %d s while moving 0->10->50->100%%->rollback; "
              "%lld non-2xx; socket errors connect %lld read %lld write %lld timeout %lld",
              n(1), n(3), n(4), wrkSeconds, n(2), n(6), n(7), n(8), n(9));
        QVERIFY(n(1) > 0);
        QCOMPARE(n(2), 0);          // non-2xx
        QCOMPARE(n(6) + n(7) + n(8) + n(9), 0); // socket errors
        QCOMPARE(n(10), 0);         // wrk's own status > 399 count agrees
        QVERIFY(n(4) > 0);          // the canary really served during the walk
        QVERIFY(n(3) > 0);
    }
};

QTEST_GUILESS_MAIN(TestZeroDowntime)
#include "tst_zerodowntime.moc"
