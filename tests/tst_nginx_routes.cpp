// Tester routes on the real nginx of the lab: the routes include is rewritten, tested and
// reloaded; with the canary at 0%, requests carrying the header or cookie are all answered by
// v2 and every other one by v1; clearing sends them back; a failed config test leaves the file
// as it was; adding and clearing under wrk load loses nothing (connection per request: see
// tst_nginx_zerodowntime for what a reload does to idle keep-alive connections).

#include "controllerdriver.h"
#include "labclient.h"
#include "labfixture.h"
#include "routestepper.h"
#include "targetcontroller.h"
#include "wrkrun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Switchboard;

namespace {

constexpr int kRequests = 300;
const QByteArray kHeader = "X-Canary: always";
const QByteArray kCookie = "Cookie: theme=dark; canary=always";

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestNginxRoutes final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;
    QJsonObject m_nginx;
    ControllerDriver m_driver{20000};
    std::unique_ptr<TargetController> m_c;
    quint16 m_front = 0;

    std::unique_ptr<TargetController> controllerWith(const QJsonObject &nginx)
    {
        TargetConfig t;
        t.name = QStringLiteral("lab-nginx");
        t.kind = QStringLiteral("nginx");
        t.settings = QJsonObject{{QStringLiteral("nginx"), nginx}};
        QString error;
        auto c = m_driver.controller(t, &error);
        if (!c)
            qWarning("%s", qPrintable(error));
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab, QStringLiteral("wrk"));
        const QJsonArray targets = QJsonDocument::fromJson(fileBytes(m_lab.configDir() + QStringLiteral("/targets.json")))
                                       .object().value(QStringLiteral("targets")).toArray();
        for (const QJsonValue &t : targets)
            if (t.toObject().value(QStringLiteral("name")) == QStringLiteral("lab-nginx"))
                m_nginx = t.toObject().value(QStringLiteral("nginx")).toObject();
        QVERIFY2(!m_nginx.isEmpty(), "lab/up wrote no lab-nginx target");
        m_c = controllerWith(m_nginx);
        QVERIFY(m_c);
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
        QCOMPARE(m_c->snapshot().split.canary, 0.0);
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QCOMPARE(m_c->snapshot().routesRefusal, QString());
        m_front = quint16(m_lab.port("NGINX_PORT"));
    }

    void headerAndCookieReachTheCanaryAtZero()
    {
        QSet<int> workers = m_lab.nginxWorkers();
        const ChangeResult r = RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("nginx reloaded")), qPrintable(r.message));
        QCOMPARE(m_c->snapshot().routes.size(), 1);
        QCOMPARE(m_c->snapshot().split.canary, 0.0);
        // The reload has been signalled; new workers take over within moments.
        QVERIFY2(m_lab.waitForNewNginxWorkers(workers), "nginx did not replace its workers after the reload");
        const SplitCounts routed = LabClient::measure(m_front, kRequests, kHeader);
        const SplitCounts plain = LabClient::measure(m_front, kRequests);
        qInfo("header route at 0%%: with header %d v2 / %d v1; without %d v1 / %d v2", routed.v2, routed.v1, plain.v1, plain.v2);
        QCOMPARE(routed.v2, kRequests);
        QCOMPARE(plain.v1, kRequests);
        QCOMPARE(LabClient::measure(m_front, 50, "X-Canary: never").v1, 50);

        workers = m_lab.nginxWorkers();
        QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always"))).ok());
        QVERIFY2(m_lab.waitForNewNginxWorkers(workers), "nginx did not replace its workers after the reload");
        QCOMPARE(LabClient::measure(m_front, kRequests, kCookie).v2, kRequests);
        QCOMPARE(LabClient::measure(m_front, kRequests, kHeader).v2, kRequests);

        workers = m_lab.nginxWorkers();
        const ChangeResult cleared = RouteStepper::edit(m_c.get(), RouteStepper::clear());
        QVERIFY2(cleared.ok(), qPrintable(cleared.message));
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QVERIFY2(m_lab.waitForNewNginxWorkers(workers), "nginx did not replace its workers after the reload");
        QCOMPARE(LabClient::measure(m_front, kRequests, kHeader).v1, kRequests);
        QCOMPARE(LabClient::measure(m_front, kRequests, kCookie).v1, kRequests);
    }

    void failedConfigTestRestoresTheFile()
    {
        const QString file = m_nginx.value(QStringLiteral("routes")).toObject().value(QStringLiteral("file")).toString();
        const QByteArray before = fileBytes(file);
        QJsonObject broken = m_nginx;
        broken.insert(QStringLiteral("testCommand"), QJsonArray{QStringLiteral("false")});
        const auto c = controllerWith(broken);
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        const ChangeResult r = RouteStepper::edit(c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("restored")), qPrintable(r.message));
        QCOMPARE(fileBytes(file), before);
        QVERIFY(c->snapshot().routes.isEmpty());
    }

    void unusableValueIsRefused()
    {
        const ChangeResult r = RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("~x")));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY(m_c->snapshot().routes.isEmpty());
    }

    void rollbackClearsRoutes()
    {
        QSet<int> workers = m_lab.nginxWorkers();
        QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always"))).ok());
        QVERIFY2(m_lab.waitForNewNginxWorkers(workers), "nginx did not replace its workers after the reload");
        workers = m_lab.nginxWorkers();
        const ChangeResult r = m_driver.change(m_c.get(), 0, true, true);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY(r.routesTouched);
        QVERIFY(r.routesAfter.isEmpty());
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QVERIFY2(m_lab.waitForNewNginxWorkers(workers), "nginx did not replace its workers after the reload");
        QCOMPARE(LabClient::measure(m_front, kRequests, kHeader).v1, kRequests);
    }

    void noErrorsWhileAddingAndClearingUnderLoad()
    {
        WrkRun wrk;
        QVERIFY2(wrk.start(QStringLiteral("http://127.0.0.1:%1/").arg(m_front), 2, 16, 7,
                           {QStringLiteral("-H"), QString::fromLatin1(kHeader), QStringLiteral("-H"), QStringLiteral("Connection: close")}),
                 qPrintable(wrk.error()));
        int edits = 0;
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(700); // each state is served a while
            QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always"))).ok());
            QTest::qWait(700);
            QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::clear()).ok());
            edits += 2;
        }
        WrkResult w;
        QVERIFY2(wrk.finish(&w, 30000), qPrintable(wrk.error()));
        qInfo("wrk (connection per request, with the header), %d route edits = %d reloads: %lld responses (%lld v1, %lld v2), "
              "%lld non-2xx, socket errors connect %lld read %lld write %lld timeout %lld",
              edits, edits, w.total, w.v1, w.v2, w.non2xx, w.connectErrors, w.readErrors, w.writeErrors, w.timeouts);
        QVERIFY(w.v1 > 0);
        QVERIFY(w.v2 > 0);
        QCOMPARE(w.non2xx, 0);
        QCOMPARE(w.status, 0);
        QCOMPARE(w.socketErrors(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNginxRoutes)
#include "tst_nginx_routes.moc"
