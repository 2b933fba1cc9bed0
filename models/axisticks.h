#pragma once
// Round ticks for chart axes: values on 1, 2, 2.5 and 5 × 10^k with as many decimals as the step
// needs (never "7.5e-07" at zero), and times on round minutes and hours of the local clock. Pure
// arithmetic, so the widget only asks how many labels fit.

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

struct ValueTicks
{
    double lo = 0; // axis range, both ends on a tick
    double hi = 1;
    double step = 1;
    int decimals = 0; // the most any label needs
    QList<double> values;
    QStringList labels;
};

struct TimeTicks
{
    qint64 stepMs = 0;
    QList<qint64> timesMs; // inside [begin, end], on multiples of stepMs in local time
    QStringList labels;    // HH:mm, HH:mm:ss below a minute, MM-dd at a midnight
};

// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw` (> 0).
double niceStep(double raw);

// Ticks for data from dataLo to dataHi (NaN or inverted when there is none): an axis with some
// headroom whose ends are round, with no more than `maxTicks` (>= 2) ticks. Data that never
// goes below zero keeps the axis at or above zero; a flat series gets an axis of `flatSpan`
// above zero (all-zero error ratios: 0 to 1 %) or of ±10 % around its value.
ValueTicks valueTicks(double dataLo, double dataHi, int maxTicks, double flatSpan = 1.0);
// Ticks for a fixed axis range (0..100 %): the range is kept as given, ticks on the largest
// count up to `maxTicks` of a nice step that divides it, or on its two ends when none does.
ValueTicks fixedValueTicks(double lo, double hi, int maxTicks);
// `v` with up to `decimals` decimals, trailing zeros dropped ("0", "0.5", "1"), never "-0".
QString formatTickValue(double v, int decimals);

// Ticks for the window [beginMs, endMs]: the smallest step of 1/2/5/10/15/30 s, 1/2/5/10/15/30
// min, 1/2/3/6/12 h or 1 day that puts no more than `maxTicks` ticks in it. `utcOffsetSec` is
// the local clock's offset, so ticks fall on local round times (an hour tick at 10:00, not
// 10:30 in India).
TimeTicks timeTicks(qint64 beginMs, qint64 endMs, int maxTicks, int utcOffsetSec);

} // namespace Switchboard
