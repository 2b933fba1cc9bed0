// PhasedTimer keeps a fleet's polls spread over the interval. Found by bench_fleet: opening 300
// targets stalls the GUI thread past the timers' first phases, they all fired in one pass, and a
// periodic timer then kept them in lockstep: 300 answers in one pass every second.
#include "phasedtimer.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Switchboard;

namespace {

// Keeps the thread busy without running its event loop: what a long GUI-thread task does.
void busyFor(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
    }
}

// The largest number of instants within any window of the given width.
int mostWithin(std::vector<qint64> at, qint64 widthMs)
{
    std::sort(at.begin(), at.end());
    int most = 0;
    size_t first = 0;
    for (size_t i = 0; i < at.size(); ++i) {
        while (at[i] - at[first] > widthMs)
            ++first;
        most = std::max(most, int(i - first + 1));
    }
    return most;
}

} // namespace

class TestPhasedTimer : public QObject
{
    Q_OBJECT
private slots:
    void phasesSurviveAStall()
    {
        constexpr int count = 30;
        constexpr int intervalMs = 300;
        QElapsedTimer clock;
        clock.start();
        std::vector<std::unique_ptr<PhasedTimer>> timers;
        std::vector<std::vector<qint64>> fired(count);
        int total = 0;
        for (int i = 0; i < count; ++i) {
            timers.push_back(std::make_unique<PhasedTimer>(intervalMs));
            connect(timers.back().get(), &PhasedTimer::timeout, this, [&, i] {
                fired[size_t(i)].push_back(clock.elapsed());
                ++total;
            });
            timers.back()->start();
        }
        // Every first phase passes while the thread is busy.
        busyFor(intervalMs + 100);
        // Three more ticks each.
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(fired.begin(), fired.end(), [](const auto &f) { return f.size() >= 3; }),
                                 10 * intervalMs);
        // The late first ticks came together; the third ticks are back on their own phases.
        std::vector<qint64> third;
        for (const auto &f : fired)
            third.push_back(f.at(2));
        const int together = mostWithin(third, 15);
        QVERIFY2(together <= count / 2, qPrintable(QStringLiteral("%1 of %2 timers ticked within 15 ms").arg(together).arg(count)));
        QVERIFY(total >= 3 * count);
    }

    void missedTicksAreSkippedNotBunched()
    {
        PhasedTimer timer(50);
        int ticks = 0;
        connect(&timer, &PhasedTimer::timeout, this, [&] { ++ticks; });
        timer.start();
        busyFor(230); // four or five slots pass
        QTRY_VERIFY(ticks >= 1);
        const int afterStall = ticks;
        QCOMPARE(afterStall, 1);
        // And it goes on ticking.
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, 2000);
        timer.stop();
        QVERIFY(!timer.isActive());
    }

    void intervalChangeRestarts()
    {
        PhasedTimer timer(60000);
        int ticks = 0;
        connect(&timer, &PhasedTimer::timeout, this, [&] { ++ticks; });
        timer.start();
        timer.setInterval(20);
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 2, 2000);
    }
};

QTEST_GUILESS_MAIN(TestPhasedTimer)
#include "tst_phasedtimer.moc"
