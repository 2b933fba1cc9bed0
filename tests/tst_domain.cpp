// Weight planning and split derivation: the arithmetic every traffic change rests on.
#include "domain.h"
#include "rollingmove.h"
#include "weightplan.h"

#include <QTest>

using namespace Switchboard;

class TestDomain : public QObject
{
    Q_OBJECT
private slots:
    void planIsExactWhereIntegersAllow_data()
    {
        QTest::addColumn<int>("stable");
        QTest::addColumn<int>("canary");
        QTest::addColumn<double>("percent");
        QTest::newRow("1+1 at 0") << 1 << 1 << 0.0;
        QTest::newRow("1+1 at 10") << 1 << 1 << 10.0;
        QTest::newRow("1+1 at 50") << 1 << 1 << 50.0;
        QTest::newRow("1+1 at 100") << 1 << 1 << 100.0;
        QTest::newRow("2+1 at 25") << 2 << 1 << 25.0;
        QTest::newRow("2+1 at 5") << 2 << 1 << 5.0;
        QTest::newRow("2+1 at 10") << 2 << 1 << 10.0;
        QTest::newRow("3+2 at 1") << 3 << 2 << 1.0;
        QTest::newRow("3+2 at 33") << 3 << 2 << 33.0;
        QTest::newRow("4+4 at 99") << 4 << 4 << 99.0;
        QTest::newRow("1+3 at 12.5") << 1 << 3 << 12.5;
    }
    void planIsExactWhereIntegersAllow()
    {
        QFETCH(int, stable);
        QFETCH(int, canary);
        QFETCH(double, percent);
        WeightPlan plan;
        QString error;
        QVERIFY2(planWeights(stable, canary, percent, &plan, &error), qPrintable(error));
        QVERIFY(plan.stableWeight >= 0 && plan.stableWeight <= 256);
        QVERIFY(plan.canaryWeight >= 0 && plan.canaryWeight <= 256);
        // The share the load balancer will compute from these weights:
        QList<Member> members;
        for (int i = 0; i < stable; ++i)
            members.append({QStringLiteral("s%1").arg(i), Version::Stable, plan.stableWeight});
        for (int i = 0; i < canary; ++i)
            members.append({QStringLiteral("c%1").arg(i), Version::Canary, plan.canaryWeight});
        const TrafficSplit split = TrafficSplit::fromMembers(members);
        QCOMPARE(split.canary, percent); // exact, not approximately
        QCOMPARE(plan.canaryPercent, percent);
    }

    void planMatchesContractExample()
    {
        // CONTRACTS.md: two stable + one canary at 25% shows stable weight 96... any exact pair is
        // fine, but the 1:1 case must use the full range so later steps keep resolution.
        WeightPlan plan;
        QString error;
        QVERIFY(planWeights(1, 1, 50, &plan, &error));
        QCOMPARE(plan.stableWeight, 256);
        QCOMPARE(plan.canaryWeight, 256);
    }

    void planRejectsImpossible()
    {
        WeightPlan plan;
        QString error;
        QVERIFY(!planWeights(2, 0, 10, &plan, &error));
        QVERIFY(error.contains(QStringLiteral("no canary")));
        QVERIFY(!planWeights(0, 1, 50, &plan, &error));
        QVERIFY(error.contains(QStringLiteral("no stable")));
        QVERIFY(!planWeights(1, 1, 101, &plan, &error));
        QVERIFY(!planWeights(1, 1, -1, &plan, &error));
        QVERIFY(!planWeights(1, 1, std::nan(""), &plan, &error));
        // 100% canary with no stable server is fine, and so is 0% with no canary.
        QVERIFY(planWeights(0, 1, 100, &plan, &error));
        QVERIFY(planWeights(1, 0, 0, &plan, &error));
    }

    void splitFromMembers()
    {
        QList<Member> m{{QStringLiteral("a"), Version::Stable, 96}, {QStringLiteral("b"), Version::Stable, 96},
                        {QStringLiteral("c"), Version::Canary, 64}};
        const TrafficSplit s = TrafficSplit::fromMembers(m);
        QCOMPARE(s.stable, 75.0);
        QCOMPARE(s.canary, 25.0);
        for (Member &x : m)
            x.weight = 0;
        QVERIFY(!TrafficSplit::fromMembers(m).isKnown()); // all zero: no split, not 0/100
    }

    void memberHealthReadsTheLayersWords_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("check");
        QTest::addColumn<int>("health");
        // HAProxy's `show stat` status and check_status columns.
        QTest::newRow("up") << "UP" << "L7OK" << int(MemberHealth::Healthy);
        QTest::newRow("down") << "DOWN" << "L7STS" << int(MemberHealth::Down);
        QTest::newRow("coming up") << "DOWN 1/2" << "L7OK" << int(MemberHealth::Pending);
        QTest::newRow("going down") << "UP 1/3" << "L4CON" << int(MemberHealth::Pending);
        QTest::newRow("maintenance") << "MAINT" << "L7OK" << int(MemberHealth::Maintenance);
        QTest::newRow("maintenance via") << "MAINT (via shop/x)" << "" << int(MemberHealth::Maintenance);
        QTest::newRow("drain") << "DRAIN" << "L7OK" << int(MemberHealth::Maintenance);
        QTest::newRow("nolb") << "NOLB" << "L7OK" << int(MemberHealth::Maintenance);
        QTest::newRow("no check") << "no check" << "" << int(MemberHealth::Unchecked);
        // nginx says DOWN for a server it gives no traffic by config: not a check result.
        QTest::newRow("nginx config") << "DOWN (config)" << "" << int(MemberHealth::Unchecked);
        QTest::newRow("unknown word") << "STARTING" << "INI" << int(MemberHealth::Pending);
    }
    void memberHealthReadsTheLayersWords()
    {
        QFETCH(QString, state);
        QFETCH(QString, check);
        QFETCH(int, health);
        const Member m{QStringLiteral("s"), Version::Canary, 0, state, check};
        QCOMPARE(int(memberHealth(m)), health);
    }

    void rollingMovesOneInOneOut_data()
    {
        QTest::addColumn<int>("oldCount");
        QTest::addColumn<int>("newCount");
        QTest::addColumn<int>("moves");
        QTest::addColumn<QString>("serving"); // who has traffic after the move
        QTest::addColumn<double>("canary");
        QTest::newRow("3+3, move 1") << 3 << 3 << 1 << "o2 o3 n1" << 100.0 / 3;
        QTest::newRow("3+3, move 2") << 3 << 3 << 2 << "o3 n1 n2" << 200.0 / 3;
        QTest::newRow("3+3, move 3") << 3 << 3 << 3 << "n1 n2 n3" << 100.0;
        QTest::newRow("3+3, past the end") << 3 << 3 << 7 << "n1 n2 n3" << 100.0;
        // Fewer new than old: the new ones are all in early, the old keep leaving.
        QTest::newRow("2+1, move 1") << 2 << 1 << 1 << "o2 n1" << 50.0;
        QTest::newRow("2+1, move 2") << 2 << 1 << 2 << "n1" << 100.0;
        QTest::newRow("1+2, move 1") << 1 << 2 << 1 << "n1" << 100.0;
        QTest::newRow("no old servers") << 0 << 2 << 1 << "n1" << 100.0;
    }
    void rollingMovesOneInOneOut()
    {
        QFETCH(int, oldCount);
        QFETCH(int, newCount);
        QFETCH(int, moves);
        QFETCH(QString, serving);
        QFETCH(double, canary);
        QList<Member> members;
        for (int i = 1; i <= oldCount; ++i)
            members.append({QStringLiteral("o%1").arg(i), Version::Stable, 100});
        for (int i = 1; i <= newCount; ++i)
            members.append({QStringLiteral("n%1").arg(i), Version::Canary, 0});
        RollingMove m;
        QString error;
        QVERIFY2(planRollingMove(members, moves, &m, &error), qPrintable(error));
        QStringList with;
        for (const Member &x : std::as_const(members)) {
            const int w = m.weights.value(x.name, -1);
            QVERIFY(w == 0 || w == 256); // every member gets a weight: full or none
            if (w > 0)
                with.append(x.name);
        }
        QCOMPARE(with.join(QLatin1Char(' ')), serving);
        QCOMPARE(m.canaryPercent, canary);
        QCOMPARE(m.added, m.serving); // the new ones had no traffic before
        QVERIFY(!m.noChange);
        // Planned again from where it leaves the members: nothing left to do.
        for (Member &x : members)
            x.weight = m.weights.value(x.name);
        RollingMove again;
        QVERIFY(planRollingMove(members, moves, &again, &error));
        QVERIFY(again.noChange);
        QVERIFY(again.added.isEmpty());
    }

    void rollingMoveNeedsNewServers()
    {
        RollingMove m;
        QString error;
        QVERIFY(!planRollingMove({{QStringLiteral("o1"), Version::Stable, 1}}, 1, &m, &error));
        QVERIFY(error.contains(QStringLiteral("no new-version")));
        QVERIFY(!planRollingMove({{QStringLiteral("n1"), Version::Canary, 1}}, 0, &m, &error));
    }
};

QTEST_GUILESS_MAIN(TestDomain)
#include "tst_domain.moc"
