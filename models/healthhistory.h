#pragma once
// A target's chart history: turns health snapshots, traffic snapshots and range answers
// (HealthSeries) into rows of the two TimeSeriesModels the charts read, the health chart's and
// the weight chart's.

#include "domain.h"

#include <QObject>

namespace Switchboard {

class TimeSeriesModel;

class HealthHistory final : public QObject
{
    Q_OBJECT
public:
    explicit HealthHistory(QObject *parent = nullptr);

    // Columns: stableRps canaryRps stableErrorPct canaryErrorPct stableP50Ms canaryP50Ms stableP99Ms canaryP99Ms
    TimeSeriesModel *health() const { return m_health; }
    // Columns: setCanaryPct measuredCanaryPct
    TimeSeriesModel *split() const { return m_split; }

    // Canary share of the request rate, NaN when either rate is unknown or both are 0.
    static double measuredCanaryPercent(double stableRps, double canaryRps);

    // A health snapshot: one row at the newer of its two samples' times.
    void addHealth(const HealthSnapshot &h);
    // A traffic snapshot: the set split, with `measuredCanaryPct` (from the latest health).
    void addSplit(const TrafficSnapshot &s, double measuredCanaryPct);
    // A range answer replaces the history it covers in both models: health rows per sample
    // time, and the weight chart's set split (when the source knows it) and measured split.
    void mergeRange(const HealthSeries &series);

private:
    TimeSeriesModel *m_health;
    TimeSeriesModel *m_split;
};

} // namespace Switchboard
