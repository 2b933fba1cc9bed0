#pragma once
// Where a chart's line must break: a line drawn across missing data reads as a trend that never
// happened (a canary with no traffic "sliding" from 25% to 0), so a series is cut into runs
// that may be joined and gaps that may not.

#include <QList>
#include <QPointF>

namespace Switchboard {

// How much wider than the sampling step around it a step in x must be to count as a gap.
inline constexpr double kGapFactor = 2.5;

// `points` sorted by x; a non-finite y is a missing value. Returns the runs of finite points
// that a line may join, in order: a run ends at a missing value and before a step in x wider
// than `gapFactor` times the local sampling step. The local step is the larger of the median
// step just before and just after, so a coarse backfill next to fine live samples is no gap,
// while a lone sample between two gaps stays apart from both.
QList<QList<QPointF>> splitAtGaps(const QList<QPointF> &points, double gapFactor = kGapFactor);

} // namespace Switchboard
