#include "downsample.h"

#include <algorithm>

namespace Switchboard {

QList<QPointF> downsampleMinMax(const QList<QPointF> &points, int buckets)
{
    if (buckets <= 0 || points.size() <= 4 * buckets)
        return points;
    const double x0 = points.constFirst().x();
    const double span = std::max(1e-9, points.constLast().x() - x0);
    QList<QPointF> out;
    out.reserve(4 * buckets);
    int i = 0;
    const int n = int(points.size());
    for (int b = 0; b < buckets && i < n; ++b) {
        const double end = x0 + span * double(b + 1) / buckets;
        const int first = i;
        int lo = i;
        int hi = i;
        while (i < n && (points.at(i).x() <= end || b == buckets - 1)) {
            if (points.at(i).y() < points.at(lo).y())
                lo = i;
            if (points.at(i).y() > points.at(hi).y())
                hi = i;
            ++i;
        }
        if (i == first)
            continue;
        const int last = i - 1;
        // Keep them in x order so the line doesn't zigzag backwards.
        int idx[4] = {first, std::min(lo, hi), std::max(lo, hi), last};
        int prev = -1;
        for (int k : idx) {
            if (k != prev)
                out.append(points.at(k));
            prev = k;
        }
    }
    return out;
}

} // namespace Switchboard
