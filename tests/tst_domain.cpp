// Weight planning and split derivation: the arithmetic every traffic change rests on.
#include "domain.h"
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
};

QTEST_GUILESS_MAIN(TestDomain)
#include "tst_domain.moc"
