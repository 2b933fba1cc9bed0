// Unit tests of the HAProxy runtime API client, the HAProxy traffic backend and the show-stat
// metrics source, without a real HAProxy: an in-test fake runtime API on its own thread
// (support/fakehaproxy.h) and sockets that never answer. Parsing the answers captured from
// haproxy 2.6 (the lab), and the target settings: tst_haproxyruntime_parse.
#include "fakehaproxy.h"
#include "backendhost.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QMutex>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>
#include <memory>

using namespace Switchboard;

class TestHaproxyRuntime final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerMetaTypes(); }

    // --- the client against sockets that misbehave ----------------------------------------

    void refusedTcp()
    {
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(port), &e, &err));
        HaproxyRuntime rt(e);
        QString answer;
        QString error;
        bool delivered = true;
        QVERIFY(!rt.execute({QStringLiteral("show info")}, &answer, &error, &delivered));
        QCOMPARE(error, QStringLiteral("tcp:127.0.0.1:%1: connection refused").arg(port));
        QVERIFY(!delivered);
    }

    void missingUnixSocket()
    {
        QTemporaryDir dir;
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(QStringLiteral("unix:") + dir.path() + QStringLiteral("/none.sock"), &e, &err));
        QString answer;
        QString error;
        QVERIFY(!HaproxyRuntime(e).execute({QStringLiteral("show info")}, &answer, &error));
        QCOMPARE(error, e.toString() + QStringLiteral(": no socket at this path"));
    }

    void silentServer_data()
    {
        QTest::addColumn<bool>("unix");
        QTest::newRow("tcp") << false;
        QTest::newRow("unix") << true;
    }
    void silentServer()
    {
        // Accepts (the kernel completes the handshake; this thread never reads) and never
        // answers: the call must give up at the command timeout, not hang.
        QFETCH(bool, unix);
        QTcpServer tcp;
        QLocalServer local;
        QTemporaryDir dir;
        QString text;
        if (unix) {
            QVERIFY(local.listen(dir.path() + QStringLiteral("/silent.sock")));
            text = QStringLiteral("unix:") + local.fullServerName();
        } else {
            QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
            text = QStringLiteral("tcp:127.0.0.1:%1").arg(tcp.serverPort());
        }
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(text, &e, &err));
        HaproxyRuntime rt(e, {300, 400});
        QElapsedTimer t;
        t.start();
        QString answer;
        QString error;
        bool delivered = false;
        QVERIFY(!rt.execute({QStringLiteral("show stat")}, &answer, &error, &delivered));
        const qint64 ms = t.elapsed();
        QCOMPARE(error, text + QStringLiteral(": no complete answer within 400 ms"));
        QVERIFY(delivered);
        QVERIFY2(ms >= 350 && ms < 1500, qPrintable(QString::number(ms)));
    }

    void roundTripWithFake()
    {
        FakeHaproxy fake(labStart());
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(fake.endpoint(), &e, &err));
        HaproxyRuntime rt(e);
        int w = -1;
        QString error;
        QVERIFY2(rt.getWeight(QStringLiteral("shop"), QStringLiteral("shop-v1-a"), &w, &error), qPrintable(error));
        QCOMPARE(w, 256);
        QVERIFY(!rt.getWeight(QStringLiteral("shop"), QStringLiteral("nope"), &w, &error));
        QCOMPARE(error, fake.endpoint() + QStringLiteral(": get weight shop/nope: No such server."));
        QList<HaproxyServerStat> rows;
        QVERIFY(!rt.showStat(QStringLiteral("nope"), &rows, &error));
        QCOMPARE(error, fake.endpoint() + QStringLiteral(": show stat nope: No such proxy."));
        // Several commands, one line, one connection.
        QString answer;
        QVERIFY(rt.execute({QStringLiteral("set weight shop/shop-v2-a 7"), QStringLiteral("get weight shop/shop-v2-a")}, &answer, &error));
        QCOMPARE(answer, QStringLiteral("\n7 (initial 256)\n\n"));
    }

    // --- the traffic backend against the fake ---------------------------------------------

    void backendRefresh()
    {
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.members.size(), 3);
        QCOMPARE(s.members.at(2).name, QStringLiteral("shop-v2-a"));
        QCOMPARE(s.members.at(2).version, Version::Canary);
        QCOMPARE(s.members.at(0).state, QStringLiteral("UP"));
        QCOMPARE(s.members.at(0).checkStatus, QStringLiteral("L7OK"));
        QCOMPARE(s.split.canary, 0.0);
        QVERIFY(!s.readOnly); // "Unknown command" (HAProxy < 2.0): no level known, not read-only
        // The level is asked on the first refresh, before the read (which, on the connection
        // now reused, ends with the `show info` that tells a process a reload stopped).
        QCOMPARE(fake.commands(), (QStringList{QStringLiteral("show cli level"), QStringLiteral("show stat shop 4 -1"),
                                               QStringLiteral("show info")}));
    }

    void parseLevel_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("level");
        QTest::newRow("admin") << QStringLiteral("admin\n\n") << QStringLiteral("admin");
        QTest::newRow("operator") << QStringLiteral("operator\n") << QStringLiteral("operator");
        QTest::newRow("user") << QStringLiteral("user\n\n") << QStringLiteral("user");
        QTest::newRow("old haproxy") << QStringLiteral("Unknown command. Please enter one of the following commands only :\n  help\n\n")
                                     << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void parseLevel()
    {
        QFETCH(QString, answer);
        QFETCH(QString, level);
        QCOMPARE(HaproxyTrafficBackend::parseLevel(answer), level);
    }

    void backendReadOnlyBelowAdmin_data()
    {
        QTest::addColumn<QString>("level");
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("admin") << QStringLiteral("admin") << false;
        QTest::newRow("operator") << QStringLiteral("operator") << true;
        QTest::newRow("user") << QStringLiteral("user") << true;
    }

    void backendReadOnlyBelowAdmin()
    {
        QFETCH(QString, level);
        QFETCH(bool, readOnly);
        FakeHaproxy admin(labStart());
        admin.setCliLevel(QStringLiteral("admin"));
        FakeHaproxy fake(labStart());
        fake.setCliLevel(level);
        HaproxyTrafficBackend b(settingsFor({admin.endpoint(), fake.endpoint()}));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.readOnly, readOnly);
        if (readOnly) {
            QVERIFY2(s.readOnlyReason.contains(fake.endpoint() + QStringLiteral(" is at level ") + level), qPrintable(s.readOnlyReason));
            QVERIFY2(!s.readOnlyReason.contains(admin.endpoint()), qPrintable(s.readOnlyReason));
            QVERIFY(s.readOnlyReason.contains(QStringLiteral("set weight needs level admin")));
        } else {
            QVERIFY(s.readOnlyReason.isEmpty());
        }
        // Known before acting: nothing is sent to either endpoint.
        const ChangeResult r = applyNow(b, 25);
        QCOMPARE(r.status, readOnly ? ChangeResult::Status::Failed : ChangeResult::Status::Applied);
        bool anySet = false;
        for (const FakeHaproxy *f : {&admin, &fake})
            for (const QString &c : f->commands())
                anySet = anySet || c.startsWith(QLatin1String("set weight"));
        QCOMPARE(anySet, !readOnly);
        if (readOnly) {
            QVERIFY2(r.message.contains(QStringLiteral("read-only")), qPrintable(r.message));
            QCOMPARE(fake.weights(), labStart());
        }
    }

    void backendAsksLevelOncePerNRefreshes()
    {
        FakeHaproxy fake(labStart());
        fake.setCliLevel(QStringLiteral("admin"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        for (int i = 0; i < HaproxyTrafficBackend::kLevelEvery + 1; ++i)
            b.refresh();
        QCOMPARE(fake.commands().count(QStringLiteral("show cli level")), 2);
        // A reload lowered the level: the next check finds it, and the target turns read-only.
        fake.setCliLevel(QStringLiteral("operator"));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        for (int i = 0; i < HaproxyTrafficBackend::kLevelEvery; ++i)
            b.refresh();
        QCOMPARE(ok.size(), HaproxyTrafficBackend::kLevelEvery);
        QVERIFY(!ok.at(HaproxyTrafficBackend::kLevelEvery - 2).at(0).value<TrafficSnapshot>().readOnly);
        QVERIFY(ok.constLast().at(0).value<TrafficSnapshot>().readOnly);
    }

    void backendUnknownServer()
    {
        FakeHaproxy fake(labStart());
        HaproxyTargetSettings s = settingsFor({fake.endpoint()});
        s.canary = {QStringLiteral("shop-v3-a"), QStringLiteral("shop-v3-b")};
        HaproxyTrafficBackend b(s);
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(),
                 fake.endpoint() + QStringLiteral(": backend \"shop\" has no server named shop-v3-a, shop-v3-b "
                                                  "(it has: shop-v1-a, shop-v1-b, shop-v2-a)"));
    }

    void backendEndpointsDisagree()
    {
        FakeHaproxy a(labStart());
        FakeHaproxy b(labStart());
        b.setWeight(QStringLiteral("shop-v2-a"), 10);
        HaproxyTrafficBackend backend(settingsFor({a.endpoint(), b.endpoint()}));
        QSignalSpy failed(&backend, &TrafficBackend::refreshFailed);
        backend.refresh();
        QCOMPARE(failed.size(), 1);
        const QString msg = failed.at(0).at(0).toString();
        QVERIFY2(msg.startsWith(QStringLiteral("endpoints disagree: ")), qPrintable(msg));
        QVERIFY2(msg.contains(b.endpoint() + QStringLiteral(" has shop-v1-a=256 shop-v1-b=256 shop-v2-a=10")), qPrintable(msg));
        // A forced change brings them back together.
        const ChangeResult r = applyNow(backend, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(a.weights(), labStart());
        QCOMPARE(b.weights(), labStart());
    }

    void backendOrder_data()
    {
        QTest::addColumn<double>("from");
        QTest::addColumn<double>("to");
        QTest::addColumn<QStringList>("sets"); // in the order sent
        QTest::newRow("0 -> 50: canary up first") << 0.0 << 50.0
            << QStringList{QStringLiteral("set weight shop/shop-v2-a 256"), QStringLiteral("set weight shop/shop-v1-a 128"),
                           QStringLiteral("set weight shop/shop-v1-b 128")};
        QTest::newRow("50 -> 0: stable up first") << 50.0 << 0.0
            << QStringList{QStringLiteral("set weight shop/shop-v1-a 256"), QStringLiteral("set weight shop/shop-v1-b 256"),
                           QStringLiteral("set weight shop/shop-v2-a 0")};
        QTest::newRow("0 -> 100") << 0.0 << 100.0
            << QStringList{QStringLiteral("set weight shop/shop-v2-a 256"), QStringLiteral("set weight shop/shop-v1-a 0"),
                           QStringLiteral("set weight shop/shop-v1-b 0")};
        QTest::newRow("100 -> 0") << 100.0 << 0.0
            << QStringList{QStringLiteral("set weight shop/shop-v1-a 256"), QStringLiteral("set weight shop/shop-v1-b 256"),
                           QStringLiteral("set weight shop/shop-v2-a 0")};
        QTest::newRow("0 -> 0: nothing to set") << 0.0 << 0.0 << QStringList{};
    }
    void backendOrder()
    {
        QFETCH(double, from);
        QFETCH(double, to);
        QFETCH(QStringList, sets);
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        QCOMPARE(applyNow(b, from).status, ChangeResult::Status::Applied);
        const qsizetype skip = fake.commands().size();
        const ChangeResult r = applyNow(b, to);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QStringList sent;
        const QStringList all = fake.commands();
        for (qsizetype i = skip; i < all.size(); ++i)
            if (all.at(i).startsWith(QLatin1String("set weight")))
                sent.append(all.at(i));
        QCOMPARE(sent, sets);
        QCOMPARE(r.after, fake.weights());
    }

    void backendRollbackOneRoundTrip()
    {
        // A rollback is one write on the connection the reads already use: every `set weight`
        // (the servers taking the traffic first) and the read-back that verifies them, the
        // reload probe last so that nothing waits before the weights.
        FakeHaproxy fake(labStart());
        fake.setWeight(QStringLiteral("shop-v2-a"), 256);
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const qsizetype skip = fake.commands().size();
        const ChangeResult r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(fake.commands().mid(skip),
                 (QStringList{QStringLiteral("set weight shop/shop-v1-a 256"), QStringLiteral("set weight shop/shop-v1-b 256"),
                              QStringLiteral("set weight shop/shop-v2-a 0"), QStringLiteral("show stat shop 4 -1"), QStringLiteral("show info")}));
        QCOMPARE(r.before.value(QStringLiteral("shop-v2-a")), 256);
        QCOMPARE(r.after, labStart());
        QCOMPARE(fake.connections(), 1);
        // HAProxy cut the connection (a restart): the next change opens a new one by itself.
        fake.dropConnections();
        QCOMPARE(applyNow(b, 50, {}, true).status, ChangeResult::Status::Applied);
        QCOMPARE(fake.connections(), 2);
    }

    void backendConflict()
    {
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        fake.setWeight(QStringLiteral("shop-v2-a"), 77); // someone else, after the operator looked
        const ChangeResult r = applyNow(b, 50, labStart());
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("you saw shop-v1-a=256 shop-v1-b=256 shop-v2-a=0, now shop-v1-a=256 shop-v1-b=256 shop-v2-a=77")),
                 qPrintable(r.message));
        QCOMPARE(fake.weights().value(QStringLiteral("shop-v2-a")), 77);
        for (const QString &c : fake.commands())
            QVERIFY2(!c.startsWith(QLatin1String("set")), qPrintable(c));
        QCOMPARE(applyNow(b, 50, labStart(), true).status, ChangeResult::Status::Applied);
    }

    void backendPartialOnRefusal()
    {
        // Moving to 50%: the canary goes up, then one stable server refuses to go down.
        FakeHaproxy fake(labStart());
        fake.refuseSetWeight(QStringLiteral("shop-v1-b"), QStringLiteral("Permission denied"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        const ChangeResult r = applyNow(b, 50);
        QCOMPARE(r.status, ChangeResult::Status::Partial);
        QVERIFY2(r.message.contains(fake.endpoint() + QStringLiteral(": set weight shop/shop-v1-b 128: Permission denied")),
                 qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("shop-v1-b is 256, wanted 128")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("now shop-v1-a=128 shop-v1-b=256 shop-v2-a=256")), qPrintable(r.message));
        QCOMPARE(r.after, fake.weights());
    }

    void backendRaiseFailsNoLower()
    {
        // If the canary cannot go up, stable must not go down (that could leave nobody serving).
        FakeHaproxy fake(labStart());
        fake.refuseSetWeight(QStringLiteral("shop-v2-a"), QStringLiteral("Permission denied"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        const ChangeResult r = applyNow(b, 100);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: ")), qPrintable(r.message));
        QCOMPARE(fake.weights(), labStart());
    }

    void backendDeadSecondEndpoint()
    {
        FakeHaproxy fake(labStart());
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint(), dead}));
        // Refresh: named, with how many answered.
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), dead + QStringLiteral(": connection refused (1 of 2 endpoints answer)"));
        // An ordinary change is refused before anything moves...
        ChangeResult r = applyNow(b, 50);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QCOMPARE(fake.weights(), labStart());
        // ...a forced one (rollback) goes where it can, and says where it could not.
        fake.setWeight(QStringLiteral("shop-v2-a"), 256);
        r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Partial);
        QVERIFY2(r.message.contains(QStringLiteral("applied on ") + fake.endpoint()), qPrintable(r.message));
        QVERIFY2(r.message.contains(dead + QStringLiteral(": connection refused (not changed)")), qPrintable(r.message));
        QCOMPARE(fake.weights(), labStart());
    }

    void backendAllDead()
    {
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyTrafficBackend b(settingsFor({dead}));
        const ChangeResult r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QCOMPARE(r.message, QStringLiteral("nothing changed: ") + dead + QStringLiteral(": connection refused"));
    }

    // --- the show-stat metrics source -------------------------------------------------------

    void statSample_data()
    {
        using C = HaproxyStatSource::Counters;
        QTest::addColumn<C>("prev");
        QTest::addColumn<C>("cur");
        QTest::addColumn<double>("rps");
        QTest::addColumn<double>("errorRatio"); // NaN: unknown
        QTest::newRow("steady") << C{100, 100, 0} << C{300, 300, 10} << 100.0 << 0.05;
        QTest::newRow("idle") << C{100, 100, 1} << C{100, 100, 1} << 0.0 << unknown();
        QTest::newRow("restart") << C{5000, 5000, 50} << C{40, 40, 4} << 20.0 << 0.1;
    }
    void statSample()
    {
        using C = HaproxyStatSource::Counters;
        QFETCH(C, prev);
        QFETCH(C, cur);
        QFETCH(double, rps);
        QFETCH(double, errorRatio);
        const HaproxyStatSource::Reading a{{QStringLiteral("s1"), prev}, {QStringLiteral("s2"), C{}}};
        const HaproxyStatSource::Reading b{{QStringLiteral("s1"), cur}, {QStringLiteral("s2"), C{}}};
        const HealthSample s = HaproxyStatSource::sample(a, b, {QStringLiteral("s1"), QStringLiteral("s2")}, 2000, 42);
        QCOMPARE(s.timeMs, qint64(42));
        QCOMPARE(s.rps, rps);
        if (isKnown(errorRatio))
            QCOMPARE(s.errorRatio, errorRatio);
        else
            QVERIFY(!isKnown(s.errorRatio));
        QVERIFY(!isKnown(s.p50Ms) && !isKnown(s.p99Ms));
    }

    void statSampleUnknown()
    {
        // No previous reading, or a server missing from one: unknown, never 0.
        const HaproxyStatSource::Reading b{{QStringLiteral("s1"), {10, 10, 0}}};
        QVERIFY(!isKnown(HaproxyStatSource::sample({}, b, {QStringLiteral("s1")}, 1000, 1).rps));
        QVERIFY(!isKnown(HaproxyStatSource::sample(b, b, {QStringLiteral("s1"), QStringLiteral("s2")}, 1000, 1).rps));
        QVERIFY(!isKnown(HaproxyStatSource::sample(b, b, {QStringLiteral("s1")}, 0, 1).rps));
    }

    void statSourceAgainstFake()
    {
        FakeHaproxy fake(labStart());
        HaproxyStatSource src(settingsFor({fake.endpoint()}));
        QSignalSpy ok(&src, &MetricsSource::instantReady);
        QSignalSpy range(&src, &MetricsSource::rangeReady);
        src.queryInstant();
        QCOMPARE(ok.size(), 1);
        QVERIFY(!isKnown(ok.at(0).at(0).value<HealthSnapshot>().stable.rps)); // one reading: no rate yet
        src.queryRange(0, std::numeric_limits<qint64>::max(), 1000, 7);
        QCOMPARE(range.size(), 1);
        QCOMPARE(range.at(0).at(1).toULongLong(), quint64(7));
        QVERIFY(range.at(0).at(0).value<HealthSeries>().stable.isEmpty());
        src.queryInstant();
        QCOMPARE(ok.size(), 2);
        const HealthSnapshot h = ok.at(1).at(0).value<HealthSnapshot>();
        QCOMPARE(h.stable.rps, 0.0);
        QVERIFY(!isKnown(h.canary.errorRatio));
        src.queryRange(0, std::numeric_limits<qint64>::max(), 1, 8);
        QCOMPARE(range.at(1).at(0).value<HealthSeries>().stable.size(), 1);
    }

    void statSourceDead()
    {
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyStatSource src(settingsFor({dead}));
        QSignalSpy failed(&src, &MetricsSource::queryFailed);
        src.queryInstant();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), dead + QStringLiteral(": connection refused"));
    }
};

QTEST_GUILESS_MAIN(TestHaproxyRuntime)
#include "tst_haproxyruntime.moc"
