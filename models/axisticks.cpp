#include "axisticks.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

// Decimals that print `step` (a nice step) exactly: 2.5 needs one, 0.25 two, 50 none.
int decimalsFor(double step)
{
    for (int d = 0; d < 12; ++d) {
        const double scaled = step * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled))
            return d;
    }
    return 12;
}

// Ticks from lo to hi on multiples of step (lo and hi are multiples already, up to rounding).
void fill(ValueTicks &t)
{
    t.decimals = decimalsFor(t.step);
    const int n = int(std::llround((t.hi - t.lo) / t.step));
    for (int i = 0; i <= n; ++i) {
        const double v = t.lo + t.step * i;
        if (v > t.hi + t.step * 1e-6)
            break;
        t.values.append(v);
        t.labels.append(formatTickValue(v, t.decimals));
    }
}

} // namespace

double niceStep(double raw)
{
    if (!(raw > 0) || !std::isfinite(raw))
        return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        // A little slack: 0.3 / 0.1 is 2.9999999999999996, and 3 must not become 5.
        if (m * mag >= raw * (1 - 1e-9))
            return m * mag;
    }
    return 10 * mag;
}

QString formatTickValue(double v, int decimals)
{
    QString s = QString::number(v, 'f', decimals);
    // "0.50" reads as more precise than the axis is; "0" at the bottom reads as zero.
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0')))
            s.chop(1);
        if (s.endsWith(QLatin1Char('.')))
            s.chop(1);
    }
    if (s == QStringLiteral("-0")) // a rounding error below zero
        s = QStringLiteral("0");
    return s;
}

ValueTicks valueTicks(double dataLo, double dataHi, int maxTicks, double flatSpan)
{
    maxTicks = std::max(2, maxTicks);
    double lo = dataLo;
    double hi = dataHi;
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
        lo = 0; // no data: the axis of an all-zero series
        hi = 0;
    }
    const bool nonNegative = lo >= 0;
    const double span = hi - lo;
    if (span <= std::max(std::abs(hi), std::abs(lo)) * 1e-9) {
        // Flat: a zero line sits at the bottom of a small axis, any other value in the middle.
        if (std::abs(hi) < 1e-12) {
            lo = 0;
            hi = flatSpan;
        } else {
            const double pad = std::abs(hi) * 0.1;
            lo -= pad;
            hi += pad;
        }
    } else {
        // Headroom so a line along the top or bottom stays visible.
        lo -= span * 0.05;
        hi += span * 0.05;
    }
    if (nonNegative)
        lo = std::max(0.0, lo);

    ValueTicks t;
    double step = niceStep((hi - lo) / (maxTicks - 1));
    for (int guard = 0; guard < 8; ++guard) {
        t.lo = std::floor(lo / step + 1e-9) * step;
        t.hi = std::ceil(hi / step - 1e-9) * step;
        if (std::llround((t.hi - t.lo) / step) + 1 <= maxTicks)
            break;
        step = niceStep(step * 1.0001);
    }
    t.step = step;
    fill(t);
    return t;
}

ValueTicks fixedValueTicks(double lo, double hi, int maxTicks)
{
    maxTicks = std::max(2, maxTicks);
    ValueTicks t;
    t.lo = lo;
    t.hi = hi;
    const double span = hi - lo;
    // Only a nice step that divides the range puts every tick on a round number (0..100 by 25);
    // a range no nice step divides gets its two ends.
    t.step = span;
    for (double step = niceStep(span / (maxTicks - 1)); step < span * (1 + 1e-9); step = niceStep(step * 1.0001)) {
        const double k = span / step;
        if (std::abs(k - std::round(k)) < 1e-6 && std::round(k) + 1 <= maxTicks) {
            t.step = step;
            break;
        }
    }
    fill(t);
    return t;
}

TimeTicks timeTicks(qint64 beginMs, qint64 endMs, int maxTicks, int utcOffsetSec)
{
    constexpr qint64 s = 1000;
    constexpr qint64 m = 60 * s;
    constexpr qint64 h = 60 * m;
    static constexpr qint64 steps[] = {s, 2 * s, 5 * s, 10 * s, 15 * s, 30 * s,
                                       m, 2 * m, 5 * m, 10 * m, 15 * m, 30 * m,
                                       h, 2 * h, 3 * h, 6 * h, 12 * h, 24 * h};
    TimeTicks t;
    if (endMs <= beginMs)
        return t;
    maxTicks = std::max(1, maxTicks);
    const qint64 offset = qint64(utcOffsetSec) * 1000;
    // Multiples of the step on the local clock, inside the window.
    auto firstTick = [beginMs, offset](qint64 step) {
        const qint64 local = beginMs + offset;
        qint64 q = local / step;
        if (q * step > local)
            --q; // division truncates towards zero; we want the floor
        if (q * step < local)
            ++q;
        return q * step - offset;
    };
    qint64 step = steps[std::size(steps) - 1];
    for (qint64 candidate : steps) {
        const qint64 first = firstTick(candidate);
        const qint64 count = first > endMs ? 0 : (endMs - first) / candidate + 1;
        if (count <= maxTicks) {
            step = candidate;
            break;
        }
    }
    t.stepMs = step;
    const QString format = step < m ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    const QTimeZone zone(utcOffsetSec);
    for (qint64 at = firstTick(step); at <= endMs; at += step) {
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(at, zone);
        t.timesMs.append(at);
        // A day boundary in a long window says which day, in the same width as a time.
        const bool midnight = step >= h && local.time() == QTime(0, 0);
        t.labels.append(local.toString(midnight ? QStringLiteral("MM-dd") : format));
    }
    return t;
}

} // namespace Switchboard
