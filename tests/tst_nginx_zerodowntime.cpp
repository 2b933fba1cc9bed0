// Moving traffic through nginx must not cost a request: wrk keeps the lab's nginx frontend
// busy while the controller walks the canary 0 -> 10 -> 50 -> 100 % and rolls back, each step
// a rewrite of the upstream include, `nginx -t` and `nginx -s reload`.

#include "controllerdriver.h"
#include "labfixture.h"
#include "targetcontroller.h"
#include "wrkrun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Switchboard;

Q_DECLARE_METATYPE(QStringList)

namespace {

constexpr int stepGapMs = 1000;
constexpr int wrkSeconds = 8; // 1 s before the first step, 5 steps, ~2 s after the last
constexpr int connections = 16;

} // namespace

class TestNginxZeroDowntime final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;
    QJsonObject m_labTarget;

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab, QStringLiteral("wrk"));
        QFile f(m_lab.configDir() + QStringLiteral("/targets.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonArray targets = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("targets")).toArray();
        for (const QJsonValue &t : targets)
            if (t.toObject().value(QStringLiteral("name")) == QStringLiteral("lab-nginx"))
                m_labTarget = t.toObject();
        QVERIFY2(!m_labTarget.isEmpty(), "lab/up wrote no lab-nginx target");
    }

    void noRequestLostWhileMovingTraffic_data()
    {
        QTest::addColumn<QStringList>("wrkOptions");
        QTest::addColumn<bool>("keepAlive");
        // Each request on a new connection: every one is accepted by a worker that then answers
        // it, old or new, so a reload may cost nothing at all.
        QTest::newRow("connection per request") << QStringList{QStringLiteral("-H"), QStringLiteral("Connection: close")} << false;
        // wrk's default, keep-alive. An nginx worker told to quit by a reload closes its idle
        // keep-alive connections at once; a request the client sent on one at that instant is
        // not answered, and wrk, unlike browsers and most HTTP libraries, does not resend it
        // (RFC 9112 9.3.1 allows resending a request like this GET). Those show as read errors.
        QTest::newRow("keep-alive") << QStringList() << true;
    }
    void noRequestLostWhileMovingTraffic()
    {
        QFETCH(QStringList, wrkOptions);
        QFETCH(bool, keepAlive);

        TargetConfig t;
        t.name = m_labTarget.value(QStringLiteral("name")).toString();
        t.kind = m_labTarget.value(QStringLiteral("kind")).toString();
        t.settings = QJsonObject{{QStringLiteral("nginx"), m_labTarget.value(QStringLiteral("nginx"))}};
        ControllerDriver driver(20000);
        QString error;
        const std::unique_ptr<TargetController> c = driver.controller(t, &error);
        QVERIFY2(c, qPrintable(error));
        QVERIFY(ControllerDriver::refreshed(c.get()));
        QCOMPARE(c->snapshot().split.canary, 0.0); // the lab's start, and where the last row ended

        WrkRun wrk;
        QVERIFY2(wrk.start(QStringLiteral("http://127.0.0.1:%1/").arg(m_lab.port("NGINX_PORT")), 2, connections, wrkSeconds,
                           wrkOptions),
                 qPrintable(wrk.error()));

        QList<ChangeResult> changes;
        driver.walkAndRollBack(c.get(), stepGapMs, &changes);
        if (QTest::currentTestFailed())
            return;
        int reloads = 0;
        for (const ChangeResult &r : std::as_const(changes))
            reloads += r.message.contains(QStringLiteral("(nginx reloaded)"));
        QCOMPARE(c->snapshot().split.canary, 0.0);
        QCOMPARE(reloads, 4); // 0% was already configured

        WrkResult w;
        QVERIFY2(wrk.finish(&w, (wrkSeconds + 15) * 1000), qPrintable(wrk.error()));
        qInfo("wrk %s: %lld responses (%lld v1, %lld v2) in %d s across %d reloads (0->10->50->100%%->rollback); "
              "%lld non-2xx; socket errors connect %lld read %lld write %lld timeout %lld",
              keepAlive ? "keep-alive" : "connection per request", w.total, w.v1, w.v2, wrkSeconds, reloads, w.non2xx,
              w.connectErrors, w.readErrors, w.writeErrors, w.timeouts);
        QVERIFY(w.total > 0);
        QVERIFY(w.v1 > 0);
        QVERIFY(w.v2 > 0);     // the canary really served during the walk
        QCOMPARE(w.non2xx, 0); // every answer nginx gave was a success: no 502 from a reload
        QCOMPARE(w.status, 0); // wrk's own count of status > 399 agrees
        QCOMPARE(w.connectErrors + w.writeErrors + w.timeouts, 0);
        if (!keepAlive) {
            QCOMPARE(w.readErrors, 0);
        } else {
            // At most one unanswered request per client connection and reload.
            QVERIFY2(w.readErrors <= qint64(connections) * reloads, qPrintable(QString::number(w.readErrors)));
        }
    }
};

QTEST_GUILESS_MAIN(TestNginxZeroDowntime)
#include "tst_nginx_zerodowntime.moc"
