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

// The runs of a series with gaps (see splitAtGaps) on a chart `buckets` pixel columns wide
// from x0 to x1. Runs closer than one column are joined: such a gap cannot be seen, and flapping
// data would otherwise need a line per pixel. When the runs then have more than 4 * buckets
// points together, each is reduced as above on that one grid of columns, so no point of one run
// lands in another and a gap is never bridged.
QList<QList<QPointF>> downsampleRuns(const QList<QList<QPointF>> &runs, double x0, double x1, int buckets);

} // namespace Switchboard
