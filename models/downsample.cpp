#include "downsample.h"

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

// Appends the reduction of `points` (sorted by x) on the grid of `buckets` columns from x0
// spanning `span`: per column the first, min, max and last point, in x order.
void reduceOnGrid(const QList<QPointF> &points, double x0, double span, int buckets, QList<QPointF> &out)
{
    const int n = int(points.size());
    int i = 0;
    while (i < n) {
        const int b = std::clamp(int(std::floor((points.at(i).x() - x0) / span * buckets)), 0, buckets - 1);
        const double end = x0 + span * double(b + 1) / buckets;
        const int first = i;
        int lo = i;
        int hi = i;
        ++i; // the first point is in its own column, whatever the rounding says
        while (i < n && (points.at(i).x() <= end || b == buckets - 1)) {
            if (points.at(i).y() < points.at(lo).y())
                lo = i;
            if (points.at(i).y() > points.at(hi).y())
                hi = i;
            ++i;
        }
        const int last = i - 1;
        // Keep them in x order so the line doesn't zigzag backwards.
        const int idx[4] = {first, std::min(lo, hi), std::max(lo, hi), last};
        int prev = -1;
        for (int k : idx) {
            if (k != prev)
                out.append(points.at(k));
            prev = k;
        }
    }
}

} // namespace

QList<QPointF> downsampleMinMax(const QList<QPointF> &points, int buckets)
{
    if (buckets <= 0 || points.size() <= 4 * buckets)
        return points;
    const double x0 = points.constFirst().x();
    const double span = std::max(1e-9, points.constLast().x() - x0);
    QList<QPointF> out;
    out.reserve(4 * buckets);
    reduceOnGrid(points, x0, span, buckets, out);
    return out;
}

QList<QList<QPointF>> downsampleRuns(const QList<QList<QPointF>> &runs, double x0, double x1, int buckets)
{
    if (buckets <= 0)
        return runs;
    const double span = std::max(1e-9, x1 - x0);
    const double column = span / buckets;
    QList<QList<QPointF>> joined;
    qsizetype total = 0;
    for (const QList<QPointF> &run : runs) {
        if (run.isEmpty())
            continue;
        total += run.size();
        if (!joined.isEmpty() && run.constFirst().x() - joined.constLast().constLast().x() < column)
            joined.last().append(run);
        else
            joined.append(run);
    }
    if (total <= 4 * buckets)
        return joined;
    QList<QList<QPointF>> out;
    out.reserve(joined.size());
    for (const QList<QPointF> &run : std::as_const(joined)) {
        QList<QPointF> reduced;
        reduceOnGrid(run, x0, span, buckets, reduced);
        out.append(reduced);
    }
    return out;
}

} // namespace Switchboard
