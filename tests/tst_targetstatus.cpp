// What the status view shows, decided without widgets: the header line and its tone, which
// values are stale as the clock moves on, each version's sample age, and the servers line.
#include "simtarget.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "targetstatus.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace Switchboard;

class TestTargetStatus : public QObject
{
    Q_OBJECT

    // A started simulator target with a split and health read.
    static void startAndRead(SimTarget &t)
    {
        QSignalSpy health(t.controller.get(), &TargetController::healthChanged);
        t.controller->start();
        QTRY_VERIFY(t.controller->hasSnapshot());
        QVERIFY(t.controller->hasHealth() || health.wait(5000));
        QTRY_VERIFY(t.controller->health().stable.timeMs > 0 && t.controller->health().canary.timeMs > 0);
    }
    static qint64 newestSample(const TargetController &c)
    {
        return std::max({c.snapshot().timeMs, c.health().stable.timeMs, c.health().canary.timeMs});
    }
    static qint64 oldestSample(const TargetController &c)
    {
        return std::min(c.health().stable.timeMs, c.health().canary.timeMs);
    }

private slots:
    void noTarget()
    {
        const TargetStatus s = TargetStatus::of(nullptr, 1000);
        QVERIFY(!s.hasTarget);
        QCOMPARE(s.header, QStringLiteral("no target selected"));
        QVERIFY(s.servers.isEmpty());
    }

    void noDataYetIsStale()
    {
        SimTarget t;
        const TargetStatus s = TargetStatus::of(t.controller.get(), 1000);
        QVERIFY(s.hasTarget);
        QCOMPARE(s.header, QStringLiteral("demo · sim · connecting · no data yet"));
        QCOMPARE(s.headerTone, TargetStatus::Tone::Stale);
        QVERIFY(s.splitStale);
        QVERIFY(s.healthStale);
        for (const auto &a : s.sampleAge) {
            QCOMPARE(a.ageMs, qint64(-1));
            QVERIFY(a.stale);
            QCOMPARE(a.text, QStringLiteral("no data"));
        }
    }

    void freshThenStaleAsTheClockMoves()
    {
        SimTarget t;
        startAndRead(t);
        const TargetController &c = *t.controller;
        QTRY_COMPARE(c.connectionState(), ConnectionState::Connected);
        const qint64 staleAfter = c.staleAfterMs();
        QCOMPARE(staleAfter, qint64(5000)); // 3 × 200 ms polls is less than the 5 s floor

        const qint64 fresh = newestSample(c) + 400;
        TargetStatus s = TargetStatus::of(&c, fresh);
        QCOMPARE(s.header, QStringLiteral("demo · sim · connected · data 0.4 s old"));
        QCOMPARE(s.headerTone, TargetStatus::Tone::Normal);
        QVERIFY(!s.splitStale);
        QCOMPARE(s.sampleAge[0].ageMs, fresh - c.health().stable.timeMs);
        QCOMPARE(s.sampleAge[1].ageMs, fresh - c.health().canary.timeMs);
        QCOMPARE(s.healthStale, c.isHealthStale(fresh));

        // Exactly staleAfterMs old is still current; a millisecond more is not.
        s = TargetStatus::of(&c, newestSample(c) + staleAfter);
        QVERIFY(!s.splitStale);
        QVERIFY(!s.header.endsWith(QStringLiteral("(stale)")));
        s = TargetStatus::of(&c, newestSample(c) + staleAfter + 1);
        QVERIFY(s.splitStale);
        QCOMPARE(s.headerTone, TargetStatus::Tone::Stale);
        QVERIFY2(s.header.endsWith(QStringLiteral("data 5.0 s old (stale)")), qPrintable(s.header));

        // Health goes stale by its oldest version's sample, each version's age by its own.
        const qint64 late = oldestSample(c) + staleAfter + 1;
        s = TargetStatus::of(&c, late);
        QVERIFY(s.healthStale);
        QVERIFY(s.sampleAge[0].stale || s.sampleAge[1].stale);
        s = TargetStatus::of(&c, newestSample(c) + 3 * 60 * 1000 + 5);
        QVERIFY(s.header.endsWith(QStringLiteral("data 3 min old (stale)")));
        QVERIFY(s.sampleAge[0].stale && s.sampleAge[1].stale);
        QVERIFY(s.sampleAge[0].text.endsWith(QStringLiteral(" s")));
    }

    void disconnectedSaysWhy()
    {
        SimTarget t;
        startAndRead(t);
        t.world->setReachable(false);
        QTRY_COMPARE(t.controller->connectionState(), ConnectionState::Disconnected);
        const TargetStatus s = TargetStatus::of(t.controller.get(), newestSample(*t.controller) + 100);
        QCOMPARE(s.headerTone, TargetStatus::Tone::Disconnected);
        QVERIFY(s.splitStale); // not connected: the split shown is not current, however young
        QVERIFY(!t.controller->lastError().isEmpty());
        QVERIFY2(s.header.contains(QStringLiteral("disconnected (") + t.controller->lastError() + QLatin1Char(')')), qPrintable(s.header));
    }

    void serversOfTheLiveTarget()
    {
        SimTarget t;
        startAndRead(t);
        const TargetStatus s = TargetStatus::of(t.controller.get(), newestSample(*t.controller));
        QCOMPARE(s.servers.size(), 2);
        QCOMPARE(s.servers.at(0).version, Version::Stable);
        QVERIFY(s.servers.at(1).plainText().contains(QStringLiteral("app-v2-a")));
    }

    void ageText_data()
    {
        QTest::addColumn<qint64>("ageMs");
        QTest::addColumn<QString>("text");
        QTest::newRow("none") << qint64(-1) << QStringLiteral("no data yet");
        QTest::newRow("now") << qint64(0) << QStringLiteral("data 0.0 s old");
        QTest::newRow("under a second") << qint64(400) << QStringLiteral("data 0.4 s old");
        QTest::newRow("under a minute") << qint64(59000) << QStringLiteral("data 59.0 s old");
        QTest::newRow("minutes") << qint64(185000) << QStringLiteral("data 3 min old");
    }
    void ageText()
    {
        QFETCH(qint64, ageMs);
        QFETCH(QString, text);
        QCOMPARE(TargetStatus::ageText(ageMs), text);
    }

    void serversLineShowsWeightsAndHealthChecks()
    {
        QList<Member> m{{QStringLiteral("web-v1-1"), Version::Stable, 0, QStringLiteral("UP"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v1-2"), Version::Stable, 256, QStringLiteral("UP"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v2-1"), Version::Canary, 256, QStringLiteral("DOWN"), QStringLiteral("L7STS")},
                        {QStringLiteral("web-v2-2"), Version::Canary, 0, QStringLiteral("DOWN 1/2"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v2-3"), Version::Canary, 0, QStringLiteral("MAINT"), QStringLiteral("L7OK")}};
        const QList<ServersLine> lines = TargetStatus::serversOf(m);
        QCOMPARE(lines.size(), 2); // one per version, stable first
        QCOMPARE(lines.at(0).plainText(), QStringLiteral("■ web-v1-1 0 ✓ · web-v1-2 256 ✓"));
        QCOMPARE(lines.at(1).plainText(), QStringLiteral("■ web-v2-1 256 ✗ DOWN · web-v2-2 0 … DOWN 1/2 · web-v2-3 0 MAINT"));
        QCOMPARE(lines.at(1).serving, 1);
        QCOMPARE(lines.at(1).down, 1);
        // Many servers are summed up, DOWN ones still called out.
        QList<Member> many;
        for (int i = 0; i < 12; ++i)
            many.append({QStringLiteral("s%1").arg(i), Version::Canary, i < 9 ? 10 : 0, i == 3 ? QStringLiteral("DOWN") : QStringLiteral("UP"),
                         QStringLiteral("L7OK")});
        const QList<ServersLine> summed = TargetStatus::serversOf(many);
        QCOMPARE(summed.size(), 1); // no stable servers: no stable line
        QVERIFY(summed.at(0).summedUp());
        QVERIFY(summed.at(0).servers.isEmpty());
        QCOMPARE(summed.at(0).plainText(), QStringLiteral("■ 12 servers, 9 with traffic, 1 DOWN"));
        // Exactly maxListed are still listed one by one.
        many.resize(ServersLine::maxListed);
        QVERIFY(!TargetStatus::serversOf(many).at(0).summedUp());
    }
};

QTEST_GUILESS_MAIN(TestTargetStatus)
#include "tst_targetstatus.moc"
