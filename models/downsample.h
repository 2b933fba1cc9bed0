#pragma once
// Reduces a long series for drawing: per bucket (pixel column) keep the first, min, max and
// last point, so spikes survive and a 24 h window at 1 s stays cheap to draw. The full data
// stays in the model for export.

#include <QList>
#include <QPointF>

namespace Switchboard {

// `points` sorted by x, NaN y skipped by the caller. Returns `points` unchanged when it already
// has no more than 4 * buckets points.
QList<QPointF> downsampleMinMax(const QList<QPointF> &points, int buckets);

} // namespace Switchboard
