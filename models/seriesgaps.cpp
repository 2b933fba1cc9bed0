#include "seriesgaps.h"

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

// Steps looked at on each side of a step to judge it: enough to outvote a neighbouring gap,
// few enough that a change of resolution (backfill, then live) is seen where it happens.
constexpr int kNeighbours = 8;

double median(QList<double> v)
{
    if (v.isEmpty())
        return NAN;
    const auto mid = v.begin() + v.size() / 2;
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

} // namespace

QList<QList<QPointF>> splitAtGaps(const QList<QPointF> &points, double gapFactor)
{
    const int n = int(points.size());
    // Steps between consecutive samples, missing or not: a missing value is still a sample
    // time, so it says how often the series is read.
    QList<double> steps;
    steps.reserve(std::max(0, n - 1));
    for (int i = 1; i < n; ++i)
        steps.append(points.at(i).x() - points.at(i - 1).x());

    auto isGap = [&steps, gapFactor](int s) {
        const int count = int(steps.size());
        const double before = median(steps.mid(std::max(0, s - kNeighbours), std::min(s, kNeighbours)));
        const double after = median(steps.mid(s + 1, std::min(kNeighbours, count - s - 1)));
        double local = NAN;
        if (std::isfinite(before) && std::isfinite(after))
            local = std::max(before, after);
        else if (std::isfinite(before))
            local = before;
        else if (std::isfinite(after))
            local = after;
        // Two samples alone say nothing about the sampling step: join them.
        return std::isfinite(local) && local > 0 && steps.at(s) > gapFactor * local;
    };

    QList<QList<QPointF>> runs;
    QList<QPointF> run;
    for (int i = 0; i < n; ++i) {
        const QPointF &p = points.at(i);
        if (i > 0 && !run.isEmpty() && isGap(i - 1)) {
            runs.append(run);
            run.clear();
        }
        if (!std::isfinite(p.y()) || !std::isfinite(p.x())) {
            if (!run.isEmpty())
                runs.append(run);
            run.clear();
            continue;
        }
        run.append(p);
    }
    if (!run.isEmpty())
        runs.append(run);
    return runs;
}

} // namespace Switchboard
