// Axis ticks: values on 1, 2, 2.5, 5 × 10^k with labels that fit the step (no scientific
// notation near zero), fixed ranges kept, and times on round minutes and hours of the local
// clock with HH:mm labels (HH:mm:ss for short windows).
#include "axisticks.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

#include <cmath>

using namespace Switchboard;

namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;

// 2024-03-05 00:00:00 UTC.
constexpr qint64 kMidnightUtc = 1709596800000LL;

} // namespace

class TestAxisTicks : public QObject
{
    Q_OBJECT
private slots:
    void niceSteps_data()
    {
        QTest::addColumn<double>("raw");
        QTest::addColumn<double>("nice");
        QTest::newRow("1") << 1.0 << 1.0;
        QTest::newRow("1.1") << 1.1 << 2.0;
        QTest::newRow("2.2") << 2.2 << 2.5;
        QTest::newRow("3") << 3.0 << 5.0;
        QTest::newRow("7") << 7.0 << 10.0;
        QTest::newRow("0.3/0.1 rounding") << 0.3 / 0.1 << 5.0;
        QTest::newRow("0.00017") << 0.00017 << 0.0002;
        QTest::newRow("240") << 240.0 << 250.0;
        QTest::newRow("4e7") << 4e7 << 5e7;
    }
    void niceSteps()
    {
        QFETCH(double, raw);
        QFETCH(double, nice);
        QCOMPARE(niceStep(raw), nice);
    }

    void valueTicksForKnownRanges_data()
    {
        QTest::addColumn<double>("lo");
        QTest::addColumn<double>("hi");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("all-zero error ratio") << 0.0 << 0.0 << 3 << QStringList{QStringLiteral("0"), QStringLiteral("0.5"), QStringLiteral("1")};
        QTest::newRow("all-zero, two ticks") << 0.0 << 0.0 << 2 << QStringList{QStringLiteral("0"), QStringLiteral("1")};
        QTest::newRow("no data") << double(NAN) << double(NAN) << 3 << QStringList{QStringLiteral("0"), QStringLiteral("0.5"), QStringLiteral("1")};
        QTest::newRow("error 0..25 %") << 0.0 << 25.0 << 4 << QStringList{QStringLiteral("0"), QStringLiteral("10"), QStringLiteral("20"), QStringLiteral("30")};
        QTest::newRow("error 0..25 %, 3 ticks") << 0.0 << 25.0 << 3 << QStringList{QStringLiteral("0"), QStringLiteral("20"), QStringLiteral("40")};
        QTest::newRow("tiny error ratio") << 0.0 << 0.0012 << 3 << QStringList{QStringLiteral("0"), QStringLiteral("0.001"), QStringLiteral("0.002")};
        QTest::newRow("p99 40..47 ms") << 40.0 << 47.0 << 5
                                       << QStringList{QStringLiteral("37.5"), QStringLiteral("40"), QStringLiteral("42.5"), QStringLiteral("45"), QStringLiteral("47.5")};
        QTest::newRow("flat 812 req/s") << 812.0 << 812.0 << 3 << QStringList{QStringLiteral("700"), QStringLiteral("800"), QStringLiteral("900")};
        QTest::newRow("2.5 steps") << 0.0 << 4.6 << 3 << QStringList{QStringLiteral("0"), QStringLiteral("2.5"), QStringLiteral("5")};
    }
    void valueTicksForKnownRanges()
    {
        QFETCH(double, lo);
        QFETCH(double, hi);
        QFETCH(int, maxTicks);
        QFETCH(QStringList, labels);
        const ValueTicks t = valueTicks(lo, hi, maxTicks);
        QCOMPARE(t.labels, labels);
        QVERIFY(t.values.size() >= 2);
        QVERIFY(t.values.size() <= maxTicks);
        QCOMPARE(t.labels.size(), t.values.size());
        QCOMPARE(t.values.constFirst(), t.lo);
        QVERIFY(std::abs(t.values.constLast() - t.hi) < t.step * 1e-9);
        // The data fits, the step is nice, every tick is a multiple of it, no label is in
        // scientific notation or negative for data that is not.
        if (std::isfinite(lo)) {
            QVERIFY(t.lo <= lo && t.hi >= hi);
            QVERIFY(t.hi > t.lo);
        }
        QCOMPARE(niceStep(t.step), t.step);
        for (int i = 0; i < t.values.size(); ++i) {
            const double k = t.values.at(i) / t.step;
            QVERIFY2(std::abs(k - std::round(k)) < 1e-6, qPrintable(t.labels.at(i)));
            QVERIFY2(!t.labels.at(i).contains(QLatin1Char('e')) && !t.labels.at(i).startsWith(QLatin1Char('-')), qPrintable(t.labels.at(i)));
            QVERIFY(std::abs(t.labels.at(i).toDouble() - t.values.at(i)) < t.step * 1e-9);
        }
    }

    void fixedRangesAreKept()
    {
        QCOMPARE(fixedValueTicks(0, 100, 3).labels, (QStringList{QStringLiteral("0"), QStringLiteral("50"), QStringLiteral("100")}));
        QCOMPARE(fixedValueTicks(0, 100, 5).labels,
                 (QStringList{QStringLiteral("0"), QStringLiteral("25"), QStringLiteral("50"), QStringLiteral("75"), QStringLiteral("100")}));
        QCOMPARE(fixedValueTicks(0, 100, 6).values.size(), 6); // by 20
        QCOMPARE(fixedValueTicks(0, 100, 2).labels, (QStringList{QStringLiteral("0"), QStringLiteral("100")}));
        // No nice step divides it: the two ends.
        const ValueTicks odd = fixedValueTicks(0, 123456789, 5);
        QCOMPARE(odd.labels, (QStringList{QStringLiteral("0"), QStringLiteral("123456789")}));
        QCOMPARE(odd.lo, 0.0);
        QCOMPARE(odd.hi, 123456789.0);
    }

    void formatting()
    {
        // Zero is "0" whatever the step's decimals, and so is a rounding error's "-0".
        QCOMPARE(formatTickValue(0, 3), QStringLiteral("0"));
        QCOMPARE(formatTickValue(-1e-12, 2), QStringLiteral("0"));
        QCOMPARE(formatTickValue(-0.0, 0), QStringLiteral("0"));
        QCOMPARE(formatTickValue(-2.5, 1), QStringLiteral("-2.5"));
        QCOMPARE(formatTickValue(0.0005, 4), QStringLiteral("0.0005"));
        QCOMPARE(formatTickValue(1.5, 2), QStringLiteral("1.5"));
        QCOMPARE(formatTickValue(100, 0), QStringLiteral("100"));
        QCOMPARE(formatTickValue(0.30000000000000004, 1), QStringLiteral("0.3"));
    }

    void timeTicksOnRoundTimes_data()
    {
        QTest::addColumn<qint64>("window");
        QTest::addColumn<int>("maxTicks");
        QTest::addColumn<qint64>("step");
        QTest::addColumn<QString>("first"); // label of the first tick, UTC
        QTest::newRow("5 min, 4 ticks") << 5 * kMinute << 4 << 2 * kMinute << QStringLiteral("10:00");
        QTest::newRow("15 min, 4 ticks") << 15 * kMinute << 4 << 5 * kMinute << QStringLiteral("09:50");
        QTest::newRow("15 min, 2 ticks") << 15 * kMinute << 2 << 10 * kMinute << QStringLiteral("09:50");
        QTest::newRow("1 h, 4 ticks") << kHour << 4 << 15 * kMinute << QStringLiteral("09:15");
        QTest::newRow("1 h, 5 ticks") << kHour << 5 << 15 * kMinute << QStringLiteral("09:15");
        QTest::newRow("6 h, 4 ticks") << 6 * kHour << 4 << 2 * kHour << QStringLiteral("06:00");
        QTest::newRow("24 h, 5 ticks") << 24 * kHour << 5 << 6 * kHour << QStringLiteral("12:00");
        QTest::newRow("24 h, 3 ticks") << 24 * kHour << 3 << 12 * kHour << QStringLiteral("12:00");
        QTest::newRow("1 min, 4 ticks") << kMinute << 4 << 15 * kSecond << QStringLiteral("10:02:30");
        QTest::newRow("1 min, 3 ticks") << kMinute << 3 << 30 * kSecond << QStringLiteral("10:02:30");
    }
    void timeTicksOnRoundTimes()
    {
        QFETCH(qint64, window);
        QFETCH(int, maxTicks);
        QFETCH(qint64, step);
        QFETCH(QString, first);
        // The window ends at 10:03:17.250 UTC, an odd time like "now".
        const qint64 end = kMidnightUtc + 10 * kHour + 3 * kMinute + 17250;
        const TimeTicks t = timeTicks(end - window, end, maxTicks, 0);
        QCOMPARE(t.stepMs, step);
        QVERIFY(!t.timesMs.isEmpty());
        QVERIFY(t.timesMs.size() <= maxTicks);
        QCOMPARE(t.labels.constFirst(), first);
        for (int i = 0; i < t.timesMs.size(); ++i) {
            QVERIFY(t.timesMs.at(i) >= end - window && t.timesMs.at(i) <= end);
            QCOMPARE(t.timesMs.at(i) % step, 0); // on the minute, the hour...
            if (i > 0)
                QCOMPARE(t.timesMs.at(i) - t.timesMs.at(i - 1), step);
            const QString format = step < kMinute ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
            const QDateTime utc = QDateTime::fromMSecsSinceEpoch(t.timesMs.at(i), QTimeZone::utc());
            if (utc.time() != QTime(0, 0))
                QCOMPARE(t.labels.at(i), utc.toString(format));
        }
        // A smaller step would have put more ticks in than asked for.
        const qint64 steps[] = {kSecond, 2 * kSecond, 5 * kSecond, 10 * kSecond, 15 * kSecond, 30 * kSecond, kMinute, 2 * kMinute,
                                5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute, kHour, 2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour};
        for (qint64 smaller : steps)
            if (smaller < step)
                QVERIFY((end / smaller) - ((end - window - 1) / smaller) > maxTicks);
    }

    void timeTicksFollowTheLocalClock()
    {
        // India is 5:30 ahead of UTC: hour ticks at 10:00 local, not at 10:30.
        const int india = 5 * 3600 + 1800;
        const qint64 end = kMidnightUtc + 10 * kHour; // 15:30 local
        const TimeTicks t = timeTicks(end - 6 * kHour, end, 4, india);
        QCOMPARE(t.stepMs, 2 * kHour);
        QCOMPARE(t.labels, (QStringList{QStringLiteral("10:00"), QStringLiteral("12:00"), QStringLiteral("14:00")}));
        // A day boundary says which day.
        const TimeTicks day = timeTicks(kMidnightUtc - 12 * kHour, kMidnightUtc + 11 * kHour, 4, 0);
        QCOMPARE(day.labels, (QStringList{QStringLiteral("12:00"), QStringLiteral("18:00"), QStringLiteral("03-05"), QStringLiteral("06:00")}));
        QVERIFY(timeTicks(10, 10, 4, 0).timesMs.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAxisTicks)
#include "tst_axisticks.moc"
