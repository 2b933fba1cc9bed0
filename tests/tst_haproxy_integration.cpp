// The HAProxy target end to end on the real lab (lab/up): TargetController -> BackendHost ->
// HaproxyTrafficBackend -> HAProxy's runtime API, checked against the split that real HTTP
// requests through the lab's frontend actually get.

#include "controllerdriver.h"
#include "haproxyruntime.h"
#include "haproxystatsource.h"
#include "labclient.h"
#include "labfixture.h"
#include "targetcontroller.h"

#include <QJsonArray>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Switchboard;

namespace {

// HAProxy's weighted round robin is near-exact over a few hundred requests; allow 3 points.
constexpr double splitTolerance = 3.0;
constexpr int requestsPerCheck = 300;

// A runtime API endpoint the test controls: forwards every connection to the lab's admin TCP
// socket and records the command lines that went through. Runs on the test thread, so only
// code that waits with an event loop (QSignalSpy::wait) may talk through it.
class AdminProxy final
{
public:
    explicit AdminProxy(quint16 upstreamPort)
        : m_upstreamPort(upstreamPort)
    {
    }
    ~AdminProxy() { close(); }

    bool listenTcp(quint16 port = 0)
    {
        m_tcp = std::make_unique<QTcpServer>();
        if (!m_tcp->listen(QHostAddress::LocalHost, port))
            return false;
        QObject::connect(m_tcp.get(), &QTcpServer::newConnection, &m_ctx, [this] {
            while (QTcpSocket *s = m_tcp->nextPendingConnection())
                forward(s);
        });
        return true;
    }
    bool listenUnix(const QString &path)
    {
        m_local = std::make_unique<QLocalServer>();
        if (!m_local->listen(path))
            return false;
        QObject::connect(m_local.get(), &QLocalServer::newConnection, &m_ctx, [this] {
            while (QLocalSocket *s = m_local->nextPendingConnection())
                forward(s);
        });
        return true;
    }
    QString endpoint() const
    {
        return m_local ? QStringLiteral("unix:") + m_local->fullServerName()
                       : QStringLiteral("tcp:127.0.0.1:%1").arg(m_tcp ? m_tcp->serverPort() : 0);
    }
    quint16 port() const { return m_tcp ? m_tcp->serverPort() : 0; }
    QStringList lines() const { return m_lines; }
    // Stops listening and cuts every connection under way: the endpoint is dead.
    void close()
    {
        m_tcp.reset();
        m_local.reset();
        for (const QPointer<QIODevice> &d : std::as_const(m_open))
            if (d)
                d->deleteLater();
        m_open.clear();
    }

private:
    template <typename Socket>
    void forward(Socket *in)
    {
        // The upstream dies with the client side; its handlers use `in` as context, so none
        // runs while `in` is being destroyed.
        auto *up = new QTcpSocket(in);
        m_open.append(in);
        auto pending = std::make_shared<QByteArray>();
        QObject::connect(in, &QIODevice::readyRead, &m_ctx, [this, in, up, pending] {
            const QByteArray data = in->readAll();
            for (const QByteArray &l : data.split('\n'))
                if (!l.trimmed().isEmpty())
                    m_lines.append(QString::fromUtf8(l.trimmed()));
            if (up->state() == QAbstractSocket::ConnectedState)
                up->write(data);
            else
                pending->append(data);
        });
        QObject::connect(up, &QTcpSocket::connected, in, [up, pending] {
            up->write(*pending);
            pending->clear();
        });
        QObject::connect(up, &QIODevice::readyRead, in, [in, up] { in->write(up->readAll()); });
        // HAProxy closes after answering: pass the close on once the answer is out.
        QObject::connect(up, &QTcpSocket::disconnected, in, [in, up] {
            in->write(up->readAll());
            if constexpr (std::is_same_v<Socket, QLocalSocket>)
                in->disconnectFromServer();
            else
                in->disconnectFromHost();
        });
        if constexpr (std::is_same_v<Socket, QLocalSocket>)
            QObject::connect(in, &QLocalSocket::disconnected, in, &QObject::deleteLater);
        else
            QObject::connect(in, &QTcpSocket::disconnected, in, &QObject::deleteLater);
        up->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    }

    quint16 m_upstreamPort;
    QObject m_ctx;
    std::unique_ptr<QTcpServer> m_tcp;
    std::unique_ptr<QLocalServer> m_local;
    QList<QPointer<QIODevice>> m_open;
    QStringList m_lines;
};

} // namespace

class TestHaproxyIntegration final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;
    ControllerDriver m_driver{10000}; // a change is a runtime API command per endpoint

    QString unixEndpoint() const { return QStringLiteral("unix:") + m_lab.value("ADMIN_SOCK"); }
    QString tcpEndpoint() const { return QStringLiteral("tcp:127.0.0.1:%1").arg(m_lab.port("ADMIN_PORT")); }

    TargetConfig target(const QString &name, const QStringList &endpoints, int pollMs = 1000,
                        const QStringList &canary = {QStringLiteral("shop-v2-a")}) const
    {
        TargetConfig t;
        t.name = name;
        t.kind = QStringLiteral("haproxy");
        t.pollMs = pollMs;
        // No "prometheus" section: the metrics come from HAProxy's own counters.
        t.settings = QJsonObject{
            {QStringLiteral("name"), name},
            {QStringLiteral("kind"), t.kind},
            {QStringLiteral("haproxy"),
             QJsonObject{{QStringLiteral("endpoints"), QJsonArray::fromStringList(endpoints)},
                         {QStringLiteral("backend"), QStringLiteral("shop")},
                         {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1-a"), QStringLiteral("shop-v1-b")}},
                         {QStringLiteral("canary"), QJsonArray::fromStringList(canary)}}}};
        return t;
    }

    QMap<QString, int> liveWeights(const QString &endpoint) const
    {
        HaproxyEndpoint e;
        QString err;
        HaproxyEndpoint::parse(endpoint, &e, &err);
        QList<HaproxyServerStat> rows;
        QMap<QString, int> w;
        if (HaproxyRuntime(e).showStat(QStringLiteral("shop"), &rows, &err))
            for (const HaproxyServerStat &r : std::as_const(rows))
                w.insert(r.server, r.weight);
        return w;
    }

    bool adminCommand(const QString &command) const
    {
        HaproxyEndpoint e;
        QString err;
        HaproxyEndpoint::parse(tcpEndpoint(), &e, &err);
        QString answer;
        return HaproxyRuntime(e).execute({command}, &answer, &err) && answer.trimmed().isEmpty();
    }

    static QMap<QString, int> weights(int stable, int canary)
    {
        return {{QStringLiteral("shop-v1-a"), stable}, {QStringLiteral("shop-v1-b"), stable}, {QStringLiteral("shop-v2-a"), canary}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab);
    }

    void init()
    {
        // Every test starts from the lab's initial weights: 0% canary.
        QVERIFY(adminCommand(QStringLiteral("set weight shop/shop-v1-a 256; set weight shop/shop-v1-b 256; "
                                            "set weight shop/shop-v2-a 0")));
    }

    void splitMatchesRequests_data() { ControllerDriver::addSplitRows(); }
    void splitMatchesRequests()
    {
        QFETCH(double, canary);
        auto c = m_driver.controller(target(QStringLiteral("lab"), {unixEndpoint(), tcpEndpoint()}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        const ChangeResult r = m_driver.change(c.get(), canary);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("on all 2 endpoints")), qPrintable(r.message));
        QCOMPARE(c->connectionState(), ConnectionState::Connected);
        QCOMPARE(c->snapshot().split.canary, canary); // the plan is exact for these
        QCOMPARE(r.after, c->snapshot().weights());

        ControllerDriver::verifySplit(quint16(m_lab.port("FRONT_PORT")), canary, requestsPerCheck, splitTolerance);
    }

    void rollbackSendsEverythingToStable()
    {
        auto c = m_driver.controller(target(QStringLiteral("lab"), {unixEndpoint(), tcpEndpoint()}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        QCOMPARE(m_driver.change(c.get(), 50).status, ChangeResult::Status::Applied);
        const ChangeResult r = m_driver.change(c.get(), 0, false, true);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(r.before, weights(128, 256));
        QCOMPARE(r.after, weights(256, 0));
        // Timed from the request to both endpoints' read-back: known, and (on loopback) far under a second.
        QVERIFY(r.confirmedAfterNs > 0);
        QVERIFY2(r.confirmedAfterNs < 1000000000LL, qPrintable(QString::number(r.confirmedAfterNs)));
        QCOMPARE(liveWeights(unixEndpoint()), weights(256, 0));
        QCOMPARE(liveWeights(tcpEndpoint()), weights(256, 0));
        ControllerDriver::verifyAllStable(quint16(m_lab.port("FRONT_PORT")), 200);
    }

    void concurrentChangeIsAConflict()
    {
        auto c = m_driver.controller(target(QStringLiteral("lab"), {unixEndpoint(), tcpEndpoint()}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get())); // the operator sees 0%
        QCOMPARE(c->snapshot().weights(), weights(256, 0));
        // Another client (a colleague, a script) changes the canary meanwhile.
        QVERIFY(adminCommand(QStringLiteral("set weight shop/shop-v2-a 77")));

        ChangeResult r = m_driver.change(c.get(), 50);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("you saw shop-v1-a=256 shop-v1-b=256 shop-v2-a=0"))
                     && r.message.contains(QStringLiteral("now shop-v1-a=256 shop-v1-b=256 shop-v2-a=77")),
                 qPrintable(r.message));
        // Not applied: the other client's weight still holds, on both sockets.
        QCOMPARE(liveWeights(unixEndpoint()), weights(256, 77));
        QCOMPARE(liveWeights(tcpEndpoint()), weights(256, 77));

        // Forcing goes through.
        r = m_driver.change(c.get(), 50, true);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(r.before, weights(256, 77));
        QCOMPARE(liveWeights(tcpEndpoint()), weights(128, 256));
    }

    void everyEndpointGetsTheChange()
    {
        // Two endpoints the test can watch: a unix and a tcp socket, both relaying to HAProxy.
        QTemporaryDir dir;
        AdminProxy viaUnix(quint16(m_lab.port("ADMIN_PORT")));
        AdminProxy viaTcp(quint16(m_lab.port("ADMIN_PORT")));
        QVERIFY(viaUnix.listenUnix(dir.path() + QStringLiteral("/relay.sock")));
        QVERIFY(viaTcp.listenTcp());
        auto c = m_driver.controller(target(QStringLiteral("relayed"), {viaUnix.endpoint(), viaTcp.endpoint()}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        const ChangeResult r = m_driver.change(c.get(), 50);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        for (const AdminProxy *p : {&viaUnix, &viaTcp}) {
            const QString all = p->lines().join(QLatin1Char('\n'));
            QVERIFY2(all.contains(QStringLiteral("set weight shop/shop-v2-a 256")), qPrintable(p->endpoint() + QStringLiteral(": ") + all));
            QVERIFY2(all.contains(QStringLiteral("set weight shop/shop-v1-a 128")), qPrintable(all));
            // Raise before lower, on each endpoint.
            QVERIFY(all.indexOf(QStringLiteral("set weight shop/shop-v2-a 256")) < all.indexOf(QStringLiteral("set weight shop/shop-v1-a 128")));
        }
        QCOMPARE(liveWeights(unixEndpoint()), weights(128, 256));
    }

    void lostEndpointDisconnectsAndRecovers()
    {
        AdminProxy relay(quint16(m_lab.port("ADMIN_PORT")));
        QVERIFY(relay.listenTcp());
        const quint16 port = relay.port();
        auto c = m_driver.controller(target(QStringLiteral("flaky"), {relay.endpoint()}, 200));
        QVERIFY(c);
        QSignalSpy state(c.get(), &TargetController::connectionStateChanged);
        c->start();
        QVERIFY(state.wait(5000));
        QCOMPARE(c->connectionState(), ConnectionState::Connected);

        relay.close();
        QVERIFY(state.wait(5000));
        QCOMPARE(c->connectionState(), ConnectionState::Disconnected);
        QCOMPARE(c->lastError(), QStringLiteral("tcp:127.0.0.1:%1: connection refused").arg(port));
        // While it is down, a change fails cleanly instead of hanging.
        QSignalSpy done(c.get(), &TargetController::actionFinished);
        c->setCanaryPercent(10, QStringLiteral("test"));
        QVERIFY(done.wait(5000));
        QCOMPARE(done.at(0).at(0).value<ChangeResult>().status, ChangeResult::Status::Failed);

        QVERIFY(relay.listenTcp(port));
        QVERIFY(state.wait(10000)); // after the controller's back-off
        QCOMPARE(c->connectionState(), ConnectionState::Connected);
        QVERIFY(c->lastError().isEmpty());
        c->stop();
    }

    void unknownServerIsNamed()
    {
        auto c = m_driver.controller(target(QStringLiteral("typo"), {tcpEndpoint()}, 1000, {QStringLiteral("shop-v2-x")}));
        QVERIFY(c);
        QSignalSpy state(c.get(), &TargetController::connectionStateChanged);
        c->refreshNow();
        QVERIFY(state.wait(5000));
        QCOMPARE(c->connectionState(), ConnectionState::Disconnected);
        QCOMPARE(c->lastError(), tcpEndpoint() + QStringLiteral(": backend \"shop\" has no server named shop-v2-x "
                                                                "(it has: shop-v1-a, shop-v1-b, shop-v2-a)"));
    }

    void statSourcesShareOneReading()
    {
        // The fast signals of the targets on one HAProxy share a thread and one `show stat` per
        // reading: two sources of backend "shop" and one of a backend HAProxy does not have.
        HaproxyTargetSettings s;
        QString error;
        QVERIFY(HaproxyTargetSettings::fromJson(
            target(QStringLiteral("lab"), {tcpEndpoint()}).settings.value(QStringLiteral("haproxy")).toObject(), &s, &error));
        HaproxyTargetSettings typo = s;
        typo.backend = QStringLiteral("no-such-backend");
        const int maxAgeMs = 60000; // every query below is well within it
        HaproxyStatSource a(s, 1000, maxAgeMs);
        HaproxyStatSource b(s, 1000, maxAgeMs);
        HaproxyStatSource c(typo, 1000, maxAgeMs);
        QSignalSpy aOk(&a, &MetricsSource::instantReady);
        QSignalSpy bOk(&b, &MetricsSource::instantReady);
        QSignalSpy cFailed(&c, &MetricsSource::queryFailed);
        a.queryInstant();
        b.queryInstant();
        QCOMPARE(aOk.size(), 1);
        QCOMPARE(bOk.size(), 1);
        const std::shared_ptr<HaproxyStatReader> reader = HaproxyStatReader::forThread(s);
        QCOMPARE(reader->roundTrips(), 1); // b was served a's reading
        // A backend not asked for yet is read at once, with the others in the same round trip;
        // HAProxy's refusal is that source's error, not the others'.
        c.queryInstant();
        QCOMPARE(reader->roundTrips(), 2);
        QCOMPARE(cFailed.size(), 1);
        QVERIFY2(cFailed.at(0).at(0).toString().startsWith(tcpEndpoint() + QStringLiteral(": show stat no-such-backend: ")),
                 qPrintable(cFailed.at(0).at(0).toString()));
        a.queryInstant();
        b.queryInstant();
        QCOMPARE(reader->roundTrips(), 2);
        QCOMPARE(aOk.size(), 2);
        QCOMPARE(bOk.size(), 2);
        // The same counters, so the same numbers for both.
        const HealthSnapshot ha = aOk.at(1).at(0).value<HealthSnapshot>();
        const HealthSnapshot hb = bOk.at(1).at(0).value<HealthSnapshot>();
        QCOMPARE(ha.stable.timeMs, hb.stable.timeMs);
        QVERIFY(isKnown(ha.stable.rps));
        QCOMPARE(ha.stable.rps, hb.stable.rps);
        QCOMPARE(ha.canary.responses, hb.canary.responses);
        // Readings are renewed once older than maxAgeMs: 0 reads every time.
        HaproxyStatSource fresh(s, 1000, 0);
        QSignalSpy freshOk(&fresh, &MetricsSource::instantReady);
        fresh.queryInstant();
        fresh.queryInstant();
        QCOMPARE(freshOk.size(), 2);
        QCOMPARE(reader->roundTrips(), 4);
    }

    void statSourceCountsRequests()
    {
        // HAProxy's counters as the metrics layer: rates and the 5xx ratio per version.
        HaproxyTargetSettings s;
        QString error;
        QVERIFY(HaproxyTargetSettings::fromJson(
            target(QStringLiteral("lab"), {tcpEndpoint()}).settings.value(QStringLiteral("haproxy")).toObject(), &s, &error));
        QVERIFY(adminCommand(QStringLiteral("set weight shop/shop-v1-a 128; set weight shop/shop-v1-b 128; "
                                            "set weight shop/shop-v2-a 256")));
        QCOMPARE(m_lab.runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0.5")}), 0);
        HaproxyStatSource src(s);
        QSignalSpy ok(&src, &MetricsSource::instantReady);
        src.queryInstant();
        QCOMPARE(ok.size(), 1);
        LabClient::measure(quint16(m_lab.port("FRONT_PORT")), 200);
        src.queryInstant();
        QCOMPARE(m_lab.runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0")}), 0);
        QCOMPARE(ok.size(), 2);
        const HealthSnapshot h = ok.at(1).at(0).value<HealthSnapshot>();
        qInfo("stable %.1f rps err %.3f, canary %.1f rps err %.3f", h.stable.rps, h.stable.errorRatio, h.canary.rps,
              h.canary.errorRatio);
        QVERIFY(h.stable.rps > 0 && h.canary.rps > 0);
        // 50% split: the canary gets half of the requests (rates from one interval).
        const double share = 100.0 * h.canary.rps / (h.canary.rps + h.stable.rps);
        QVERIFY2(std::abs(share - 50.0) <= splitTolerance, qPrintable(QString::number(share)));
        QCOMPARE(h.stable.errorRatio, 0.0);
        QVERIFY2(std::abs(h.canary.errorRatio - 0.5) <= 0.02, qPrintable(QString::number(h.canary.errorRatio)));
        QVERIFY(!isKnown(h.canary.p50Ms) && !isKnown(h.canary.p99Ms));
    }
};

QTEST_GUILESS_MAIN(TestHaproxyIntegration)
#include "tst_haproxy_integration.moc"
