// Where chart lines break: splitAtGaps cuts a series at missing values and at steps in time much
// wider than the sampling step around them, and downsampleRuns reduces the runs per pixel column
// without ever bridging a gap that shows.
#include "downsample.h"
#include "seriesgaps.h"

#include <QTest>

#include <cmath>

using namespace Switchboard;

namespace {

// x from `from` to `to` (inclusive) every `step`, y = x.
QList<QPointF> samples(double from, double to, double step)
{
    QList<QPointF> out;
    for (double x = from; x <= to; x += step)
        out.append(QPointF(x, x));
    return out;
}

QList<QPair<double, double>> spans(const QList<QList<QPointF>> &runs)
{
    QList<QPair<double, double>> out;
    for (const QList<QPointF> &run : runs)
        out.append({run.constFirst().x(), run.constLast().x()});
    return out;
}

// No line of `runs` has one point at or before `a` and the next at or after `b`.
bool nothingJoins(const QList<QList<QPointF>> &runs, double a, double b)
{
    for (const QList<QPointF> &run : runs)
        for (int i = 1; i < run.size(); ++i)
            if (run.at(i - 1).x() <= a && run.at(i).x() >= b)
                return false;
    return true;
}

} // namespace

class TestSeriesGaps : public QObject
{
    Q_OBJECT
private slots:
    void evenSeriesIsOneRun()
    {
        const QList<QPointF> pts = samples(0, 100, 1);
        const auto runs = splitAtGaps(pts);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.constFirst(), pts);
        QVERIFY(splitAtGaps({}).isEmpty());
        QCOMPARE(splitAtGaps({QPointF(0, 1), QPointF(500, 2)}).size(), 1); // no step to judge by
    }

    void missingValuesBreak()
    {
        // The canary at 25% until it loses its traffic (NaN), back at 0 later: three runs, and
        // nothing drawn from 25% down to 0 across the silence.
        QList<QPointF> pts;
        for (int x = 0; x <= 60; ++x)
            pts.append(QPointF(x, x < 20 ? 25.0 : x < 40 ? NAN : 0.0));
        pts[50].setY(INFINITY);
        const auto runs = splitAtGaps(pts);
        QCOMPARE(spans(runs), (QList<QPair<double, double>>{{0, 19}, {40, 49}, {51, 60}}));
        QVERIFY(nothingJoins(runs, 19, 40));
        // Leading and trailing missing values leave no empty run.
        pts.prepend(QPointF(-1, NAN));
        pts.append(QPointF(61, NAN));
        QCOMPARE(splitAtGaps(pts).size(), 3);
    }

    void timeGapsBreak_data()
    {
        QTest::addColumn<double>("gap"); // x from the last sample before to the first after
        QTest::addColumn<int>("runs");
        QTest::newRow("2 steps: a missed poll") << 2.0 << 1;
        QTest::newRow("2.5 steps: still joined") << 2.5 << 1;
        QTest::newRow("3 steps") << 3.0 << 2;
        QTest::newRow("6 minutes at 1 s") << 360.0 << 2;
    }
    void timeGapsBreak()
    {
        QFETCH(double, gap);
        QFETCH(int, runs);
        QList<QPointF> pts = samples(0, 100, 1);
        pts.append(samples(100 + gap, 200 + gap, 1));
        const auto out = splitAtGaps(pts);
        QCOMPARE(out.size(), runs);
        if (runs == 2) {
            QCOMPARE(spans(out), (QList<QPair<double, double>>{{0, 100}, {100 + gap, 200 + gap}}));
            QVERIFY(nothingJoins(out, 100, 100 + gap));
        }
    }

    void stepIsLocal()
    {
        // A 15 s backfill followed by 1 s live samples: a change of resolution, not a gap.
        QList<QPointF> pts = samples(0, 900, 15);
        pts.append(samples(903, 1000, 1));
        QCOMPARE(splitAtGaps(pts).size(), 1);
        // But a one-minute hole in the backfill is a gap (4 steps of 15 s).
        QList<QPointF> holed = samples(0, 450, 15);
        holed.append(samples(510, 900, 15));
        QCOMPARE(spans(splitAtGaps(holed)), (QList<QPair<double, double>>{{0, 450}, {510, 900}}));
        // A lone sample between two gaps is a run of its own, not a bridge.
        QList<QPointF> lone = samples(0, 50, 1);
        lone.append(QPointF(200, 200));
        lone.append(samples(400, 450, 1));
        QCOMPARE(spans(splitAtGaps(lone)), (QList<QPair<double, double>>{{0, 50}, {200, 200}, {400, 450}}));
    }

    void downsamplingKeepsGaps()
    {
        // A day at 1 s with an hour missing, drawn 500 px wide: reduced, and still two lines.
        const double day = 86400;
        QList<QPointF> pts;
        for (int x = 0; x < day; ++x)
            pts.append(QPointF(x, (x >= 40000 && x < 43600) ? NAN : std::sin(x / 300.0) + (x == 70000 ? 50 : 0)));
        const auto runs = downsampleRuns(splitAtGaps(pts), 0, day, 500);
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs.at(0).constFirst().x(), 0.0);
        QCOMPARE(runs.at(0).constLast().x(), 39999.0);
        QCOMPARE(runs.at(1).constFirst().x(), 43600.0);
        QCOMPARE(runs.at(1).constLast().x(), day - 1);
        QVERIFY(nothingJoins(runs, 39999, 43600));
        QVERIFY(runs.at(0).size() + runs.at(1).size() <= 4 * 500 + 8);
        bool spike = false;
        for (const QList<QPointF> &run : runs) {
            for (int i = 0; i < run.size(); ++i) {
                spike |= run.at(i).y() == 50 + std::sin(70000 / 300.0);
                if (i > 0)
                    QVERIFY(run.at(i).x() > run.at(i - 1).x());
            }
        }
        QVERIFY(spike); // peaks survive
    }

    void downsamplingJoinsOnlyGapsNarrowerThanAPixel()
    {
        // Flapping data (every other sample missing) at 1 s over 3000 s in 100 px: 30 s per
        // pixel, so the 2 s holes cannot be seen and must not cost a line each.
        QList<QPointF> pts;
        for (int x = 0; x < 3000; ++x)
            pts.append(QPointF(x, x % 2 ? NAN : 1.0));
        QCOMPARE(splitAtGaps(pts).size(), 1500);
        QCOMPARE(downsampleRuns(splitAtGaps(pts), 0, 3000, 100).size(), 1);
        // A hole wider than a pixel stays, reduced or not.
        const QList<QList<QPointF>> two{samples(0, 100, 1), samples(200, 300, 1)};
        QCOMPARE(downsampleRuns(two, 0, 300, 100), two); // few points: untouched
        const auto reduced = downsampleRuns(two, 0, 300, 20);
        QCOMPARE(spans(reduced), (QList<QPair<double, double>>{{0, 100}, {200, 300}}));
        QVERIFY(reduced.at(0).size() < 101);
    }
};

QTEST_GUILESS_MAIN(TestSeriesGaps)
#include "tst_seriesgaps.moc"
