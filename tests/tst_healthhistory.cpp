// HealthHistory: health and traffic snapshots and range answers turned into the rows of the
// health chart's and the weight chart's models.
#include "healthhistory.h"
#include "timeseriesmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Switchboard;

namespace {

HealthSample sample(qint64 t, double rps, double err, double p50, double p99)
{
    HealthSample s;
    s.timeMs = t;
    s.rps = rps;
    s.errorRatio = err;
    s.p50Ms = p50;
    s.p99Ms = p99;
    return s;
}

} // namespace

class TestHealthHistory : public QObject
{
    Q_OBJECT
private slots:
    void modelsHaveTheChartsColumns()
    {
        HealthHistory h;
        QAbstractItemModelTester t1(h.health());
        QAbstractItemModelTester t2(h.split());
        QCOMPARE(h.health()->valueColumns(),
                 (QStringList{QStringLiteral("stableRps"), QStringLiteral("canaryRps"), QStringLiteral("stableErrorPct"),
                              QStringLiteral("canaryErrorPct"), QStringLiteral("stableP50Ms"), QStringLiteral("canaryP50Ms"),
                              QStringLiteral("stableP99Ms"), QStringLiteral("canaryP99Ms")}));
        QCOMPARE(h.split()->valueColumns(), (QStringList{QStringLiteral("setCanaryPct"), QStringLiteral("measuredCanaryPct")}));
    }

    void instantSnapshotIsOneRow()
    {
        HealthHistory h;
        QAbstractItemModelTester tester(h.health());
        HealthSnapshot s{sample(1000, 90, 0.01, 4, 20), sample(1200, 10, 0.05, 5, 30)};
        h.addHealth(s);
        QCOMPARE(h.health()->rowCount(), 1);
        const TimeSeriesModel::Row &row = h.health()->rows().constFirst();
        QCOMPARE(row.timeMs, 1200); // the newer sample's time
        QCOMPARE(row.values, (QList<double>{90, 10, 1, 5, 4, 5, 20, 30})); // ratios as percent
    }

    void trafficSnapshotIsOneSplitRow()
    {
        HealthHistory h;
        TrafficSnapshot s;
        s.timeMs = 5000;
        s.split.stable = 75;
        s.split.canary = 25;
        h.addSplit(s, 24.5);
        QCOMPARE(h.split()->rowCount(), 1);
        QCOMPARE(h.split()->rows().constFirst().timeMs, 5000);
        QCOMPARE(h.split()->rows().constFirst().values, (QList<double>{25, 24.5}));
    }

    void measuredShare()
    {
        QCOMPARE(HealthHistory::measuredCanaryPercent(75, 25), 25.0);
        QVERIFY(!isKnown(HealthHistory::measuredCanaryPercent(0, 0)));
        QVERIFY(!isKnown(HealthHistory::measuredCanaryPercent(unknown(), 5)));
        QVERIFY(!isKnown(HealthHistory::measuredCanaryPercent(5, unknown())));
    }

    void rangeFillsBothCharts()
    {
        HealthHistory h;
        QAbstractItemModelTester t1(h.health());
        QAbstractItemModelTester t2(h.split());
        HealthSeries series;
        series.stable = {sample(1000, 80, 0.0, 4, 20), sample(2000, 60, 0.02, 4, 22)};
        series.canary = {sample(1000, 20, 0.1, 6, 40)}; // no canary sample at 2000
        series.setCanaryPercent = {{500, 10.0}, {1000, 20.0}};
        h.mergeRange(series);

        QCOMPARE(h.health()->rowCount(), 2);
        const TimeSeriesModel::Row first = h.health()->rows().at(0);
        QCOMPARE(first.timeMs, 1000);
        QCOMPARE(first.values, (QList<double>{80, 20, 0, 10, 4, 6, 20, 40}));
        const TimeSeriesModel::Row second = h.health()->rows().at(1);
        QCOMPARE(second.timeMs, 2000);
        QCOMPARE(second.values.at(0), 60.0);
        QCOMPARE(second.values.at(2), 2.0);
        for (int i : {1, 3, 5, 7})
            QVERIFY2(!isKnown(second.values.at(i)), "a missing canary sample is unknown, never 0");

        // Weight chart: set split where known, measured split where both rates are.
        QCOMPARE(h.split()->rowCount(), 3);
        const auto &split = h.split()->rows();
        QCOMPARE(split.at(0).timeMs, 500);
        QCOMPARE(split.at(0).values.at(0), 10.0);
        QVERIFY(!isKnown(split.at(0).values.at(1)));
        QCOMPARE(split.at(1).timeMs, 1000);
        QCOMPARE(split.at(1).values, (QList<double>{20, 20}));
        QCOMPARE(split.at(2).timeMs, 2000);
        QVERIFY(!isKnown(split.at(2).values.at(0)));
        QVERIFY(!isKnown(split.at(2).values.at(1)));
    }

    void rangeKeepsNewerLiveRows()
    {
        HealthHistory h;
        h.addHealth({sample(9000, 50, 0, 1, 2), sample(9000, 50, 0, 1, 2)});
        HealthSeries series;
        series.stable = {sample(1000, 80, 0.0, 4, 20)};
        series.canary = {sample(1000, 20, 0.0, 4, 20)};
        h.mergeRange(series);
        QCOMPARE(h.health()->rowCount(), 2);
        QCOMPARE(h.health()->rows().at(0).timeMs, 1000);
        QCOMPARE(h.health()->rows().at(1).timeMs, 9000);
        // A second answer over the same window replaces, not duplicates.
        h.mergeRange(series);
        QCOMPARE(h.health()->rowCount(), 2);
    }
};

QTEST_GUILESS_MAIN(TestHealthHistory)
#include "tst_healthhistory.moc"
