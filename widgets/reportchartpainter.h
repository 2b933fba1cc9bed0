#pragma once
// Draws the charts of a rollout's window for its evidence report with QPainter (no widgets, so
// it runs on the report's worker thread): stable in blue and canary in amber as everywhere,
// lines broken where data is missing, round ticks (UTC, like the report), and the rollout's
// markers on the time axis: steps (slate), gate failures (red) and passes (green), rollbacks
// (red, dashed).

#include "rolloutreportdata.h"

#include <QImage>
#include <QList>

namespace Switchboard {

class ReportChartPainter final
{
public:
    enum class Chart { ErrorRatio, P99, Rps, Weight };
    static QList<Chart> all() { return {Chart::ErrorRatio, Chart::P99, Chart::Rps, Chart::Weight}; }
    static QString caption(Chart chart);
    // Null image when the chart has nothing to draw (no rows in the window).
    static QImage render(const RolloutReportData &data, Chart chart, const QSize &size = QSize(1200, 380));
};

} // namespace Switchboard
