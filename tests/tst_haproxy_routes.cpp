// Tester routes on the real HAProxy of the lab: with the canary at 0%, requests carrying the
// routed header or cookie are all answered by v2 and every other one by v1; clearing sends them
// back; adding and clearing under wrk load loses nothing; a reload keeps the route (the ACL
// files are written back), and rollback clears the routes unless told to keep them.

#include "clirunner.h"
#include "controllerdriver.h"
#include "labclient.h"
#include "labfixture.h"
#include "routestepper.h"
#include "targetcontroller.h"
#include "wrkrun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>


using namespace Switchboard;

namespace {

constexpr int kRequests = 300;
const QByteArray kHeader = "X-Canary: always";
const QByteArray kCookie = "Cookie: theme=dark; canary=always";

// Gone or a zombie (a container's init may not reap the lab's old HAProxy at once).
bool processEnded(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.mid(close + 2, 1) == "Z";
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestHaproxyRoutes final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;
    QJsonObject m_labTarget;
    ControllerDriver m_driver{10000};
    std::unique_ptr<TargetController> m_c;
    quint16 m_front = 0;

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab, QStringLiteral("wrk"));
        const QJsonArray targets = QJsonDocument::fromJson(readAll(m_lab.configDir() + QStringLiteral("/targets.json")))
                                       .object().value(QStringLiteral("targets")).toArray();
        for (const QJsonValue &t : targets)
            if (t.toObject().value(QStringLiteral("name")) == QStringLiteral("lab"))
                m_labTarget = t.toObject();
        QVERIFY2(!m_labTarget.isEmpty(), "lab/up wrote no lab target");
        TargetConfig t;
        t.name = QStringLiteral("lab");
        t.kind = QStringLiteral("haproxy");
        t.settings = QJsonObject{{QStringLiteral("haproxy"), m_labTarget.value(QStringLiteral("haproxy"))}};
        QString error;
        m_c = m_driver.controller(t, &error);
        QVERIFY2(m_c, qPrintable(error));
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
        QCOMPARE(m_c->snapshot().split.canary, 0.0);
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QCOMPARE(m_c->snapshot().routesRefusal, QString());
        m_front = quint16(m_lab.port("FRONT_PORT"));
    }

    void headerAndCookieReachTheCanaryAtZero()
    {
        const ChangeResult r = RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("on all 2 endpoints")), qPrintable(r.message)); // unix + tcp socket
        QCOMPARE(m_c->snapshot().routes, (QList<TrafficRoute>{{TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")}}));
        QCOMPARE(m_c->snapshot().split.canary, 0.0); // no weight moved

        const SplitCounts routed = LabClient::measure(m_front, kRequests, kHeader);
        const SplitCounts plain = LabClient::measure(m_front, kRequests);
        const SplitCounts otherValue = LabClient::measure(m_front, 50, "X-Canary: never");
        qInfo("header route at 0%%: with header %d v2 / %d v1; without %d v1 / %d v2", routed.v2, routed.v1, plain.v1, plain.v2);
        QCOMPARE(routed.v2, kRequests);
        QCOMPARE(plain.v1, kRequests);
        QCOMPARE(otherValue.v1, 50);
        // Written back for the next reload.
        QVERIFY(readAll(m_lab.dir() + QStringLiteral("/shop-testers-header.acl")).contains("\nalways\n"));

        const ChangeResult cookie = RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always")));
        QVERIFY2(cookie.ok(), qPrintable(cookie.message));
        QCOMPARE(m_c->snapshot().routes.size(), 2);
        const SplitCounts byCookie = LabClient::measure(m_front, kRequests, kCookie);
        QCOMPARE(byCookie.v2, kRequests);
        QCOMPARE(LabClient::measure(m_front, 50, "Cookie: canary=never").v1, 50);

        const ChangeResult cleared = RouteStepper::edit(m_c.get(), RouteStepper::clear());
        QVERIFY2(cleared.ok(), qPrintable(cleared.message));
        QCOMPARE(cleared.routesBefore.size(), 2);
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QCOMPARE(LabClient::measure(m_front, kRequests, kHeader).v1, kRequests);
        QCOMPARE(LabClient::measure(m_front, kRequests, kCookie).v1, kRequests);
        QVERIFY(!readAll(m_lab.dir() + QStringLiteral("/shop-testers-header.acl")).contains("always"));
    }

    void undeclaredHeaderIsRefusedWithTheConfigLines()
    {
        const ChangeResult r = RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Beta"), QStringLiteral("on")));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("req.hdr(x-beta)")), qPrintable(r.message));
        QVERIFY(m_c->snapshot().routes.isEmpty());
    }

    void staleViewIsAConflict()
    {
        QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always"))).ok());
        RouteEdit stale = RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("beta"));
        stale.expected = QList<TrafficRoute>(); // the operator saw no routes
        const ChangeResult r = RouteStepper::edit(m_c.get(), stale);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QCOMPARE(m_c->snapshot().routes.size(), 1);
    }

    void rollbackClearsRoutesUnlessKept()
    {
        QCOMPARE(m_c->snapshot().routes.size(), 1); // from the test before
        QCOMPARE(m_driver.change(m_c.get(), 10).status, ChangeResult::Status::Applied);
        QSignalSpy finished(m_c.get(), &TargetController::actionFinished);
        m_c->rollback(QStringLiteral("test"), true);
        QVERIFY(finished.wait(10000));
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
        QCOMPARE(m_c->snapshot().split.canary, 0.0);
        QCOMPARE(m_c->snapshot().routes.size(), 1); // kept
        QCOMPARE(LabClient::measure(m_front, 100, kHeader).v2, 100);

        m_c->rollback(QStringLiteral("test"));
        QVERIFY(finished.wait(10000));
        const ChangeResult r = finished.constLast().at(0).value<ChangeResult>();
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY(r.routesTouched);
        QVERIFY(r.routesAfter.isEmpty());
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
        QVERIFY(m_c->snapshot().routes.isEmpty());
        QCOMPARE(LabClient::measure(m_front, kRequests, kHeader).v1, kRequests); // no request left on the canary
    }

    void noErrorsWhileAddingAndClearingUnderLoad()
    {
        WrkRun wrk;
        QVERIFY2(wrk.start(QStringLiteral("http://127.0.0.1:%1/").arg(m_front), 2, 16, 6,
                           {QStringLiteral("-H"), QString::fromLatin1(kHeader)}),
                 qPrintable(wrk.error()));
        int edits = 0;
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(700); // traffic between edits, on purpose: each state is served a while
            QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always"))).ok());
            QTest::qWait(700);
            QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::clear()).ok());
            edits += 2;
        }
        WrkResult w;
        QVERIFY2(wrk.finish(&w, 30000), qPrintable(wrk.error()));
        qInfo("wrk keep-alive with the header, %d route edits: %lld responses (%lld v1, %lld v2), %lld non-2xx, "
              "socket errors connect %lld read %lld write %lld timeout %lld",
              edits, w.total, w.v1, w.v2, w.non2xx, w.connectErrors, w.readErrors, w.writeErrors, w.timeouts);
        QVERIFY(w.v1 > 0);
        QVERIFY(w.v2 > 0); // routed while the route was in force, at 0% weight
        QCOMPARE(w.non2xx, 0);
        QCOMPARE(w.status, 0);
        QCOMPARE(w.socketErrors(), 0);
    }

    void cliRouteStatusAndRollback()
    {
        QTemporaryDir home;
        const CliRunner cli(QStringLiteral(SWITCHBOARD_BINARY), home.path());
        const QStringList on{QStringLiteral("--target"), QStringLiteral("lab"), QStringLiteral("--config"), m_lab.configDir()};
        auto routesNow = [&cli, &on] {
            const CliRunner::Result s = cli.run(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + on);
            return QJsonDocument::fromJson(s.out.toUtf8()).object().value(QStringLiteral("routes"));
        };
        QCOMPARE(routesNow(), QJsonValue(QJsonArray()));
        CliRunner::Result r = cli.run(QStringList{QStringLiteral("route"), QStringLiteral("--header"), QStringLiteral("X-Canary=always")} + on);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("applied")), qPrintable(r.out));
        QCOMPARE(routesNow(), QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("header"), QStringLiteral("X-Canary")},
                                                                {QStringLiteral("value"), QStringLiteral("always")},
                                                                {QStringLiteral("to"), QStringLiteral("canary")}}}));
        QCOMPARE(LabClient::measure(m_front, 100, kHeader).v2, 100);
        r = cli.run(QStringList{QStringLiteral("route"), QStringLiteral("--clear"), QStringLiteral("--header"), QStringLiteral("X-Canary")} + on);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(routesNow(), QJsonValue(QJsonArray()));
        r = cli.run(QStringList{QStringLiteral("route"), QStringLiteral("--header"), QStringLiteral("X-Canary")} + on);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: ")), qPrintable(r.err));

        QCOMPARE(cli.run(QStringList{QStringLiteral("route"), QStringLiteral("--cookie"), QStringLiteral("canary=always")} + on).code, 0);
        QCOMPARE(cli.run(QStringList{QStringLiteral("rollback"), QStringLiteral("--keep-routes")} + on).code, 0);
        QCOMPARE(routesNow().toArray().size(), 1);
        QCOMPARE(cli.run(QStringList{QStringLiteral("rollback")} + on).code, 0);
        QCOMPARE(routesNow(), QJsonValue(QJsonArray()));
        QCOMPARE(LabClient::measure(m_front, 100, kCookie).v1, 100);
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
    }

    // Last: it replaces the lab's HAProxy process with one of the test's own.
    void reloadKeepsTheRoute()
    {
        QVERIFY(RouteStepper::edit(m_c.get(), RouteStepper::add(TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always"))).ok());
        const qint64 oldPid = readAll(m_lab.dir() + QStringLiteral("/haproxy.pid")).trimmed().toLongLong();
        QVERIFY(oldPid > 0);
        const QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
        QVERIFY(!haproxy.isEmpty());
        // A reload as systemd's does it without master-worker mode: a new process reads the
        // config (and the ACL files) and takes the listeners over from the old one.
        QProcess next;
        next.setProcessChannelMode(QProcess::ForwardedChannels);
        next.start(haproxy, {QStringLiteral("-db"), QStringLiteral("-f"), m_lab.dir() + QStringLiteral("/haproxy.cfg"),
                             QStringLiteral("-sf"), QString::number(oldPid)});
        QVERIFY(next.waitForStarted(5000));
        // The old process lives while a connection to it is open, our runtime session's too;
        // the session's next batch (a poll, as the GUI makes every second or two) finds it
        // "Stopping" and moves to the new process, which lets the old one go.
        QTRY_VERIFY_WITH_TIMEOUT(ControllerDriver::refreshed(m_c.get()) && processEnded(oldPid), 15000);
        QVERIFY(ControllerDriver::refreshed(m_c.get()));
        QCOMPARE(m_c->snapshot().routes,
                 (QList<TrafficRoute>{{TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always")}}));
        QCOMPARE(LabClient::measure(m_front, kRequests, kCookie).v2, kRequests);
        QCOMPARE(LabClient::measure(m_front, kRequests).v1, kRequests);
        next.terminate();
        next.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestHaproxyRoutes)
#include "tst_haproxy_routes.moc"
