#include "healthhistory.h"

#include "timeseriesmodel.h"

#include <QMap>

#include <algorithm>

namespace Switchboard {

HealthHistory::HealthHistory(QObject *parent)
    : QObject(parent)
    , m_health(new TimeSeriesModel({QStringLiteral("stableRps"), QStringLiteral("canaryRps"),
                                    QStringLiteral("stableErrorPct"), QStringLiteral("canaryErrorPct"),
                                    QStringLiteral("stableP50Ms"), QStringLiteral("canaryP50Ms"),
                                    QStringLiteral("stableP99Ms"), QStringLiteral("canaryP99Ms")},
                                   this))
    , m_split(new TimeSeriesModel({QStringLiteral("setCanaryPct"), QStringLiteral("measuredCanaryPct")}, this))
{
}

double HealthHistory::measuredCanaryPercent(double stableRps, double canaryRps)
{
    if (!isKnown(stableRps) || !isKnown(canaryRps) || stableRps + canaryRps <= 0)
        return unknown();
    return 100.0 * canaryRps / (stableRps + canaryRps);
}

void HealthHistory::addHealth(const HealthSnapshot &h)
{
    const qint64 t = std::max(h.stable.timeMs, h.canary.timeMs);
    m_health->append(t, {h.stable.rps, h.canary.rps, h.stable.errorRatio * 100, h.canary.errorRatio * 100,
                         h.stable.p50Ms, h.canary.p50Ms, h.stable.p99Ms, h.canary.p99Ms});
}

void HealthHistory::addSplit(const TrafficSnapshot &s, double measuredCanaryPct)
{
    m_split->append(s.timeMs, {s.split.canary, measuredCanaryPct});
}

void HealthHistory::mergeRange(const HealthSeries &series)
{
    // Samples of both versions share timestamps when they come from one range query.
    QMap<qint64, QList<double>> rows;
    auto put = [&rows](const QList<HealthSample> &samples, int offset) {
        for (const HealthSample &s : samples) {
            QList<double> &row = rows[s.timeMs];
            row.resize(8, unknown());
            row[0 + offset] = s.rps;
            row[2 + offset] = s.errorRatio * 100;
            row[4 + offset] = s.p50Ms;
            row[6 + offset] = s.p99Ms;
        }
    };
    put(series.stable, 0);
    put(series.canary, 1);
    QList<TimeSeriesModel::Row> out;
    out.reserve(rows.size());
    for (auto it = rows.cbegin(); it != rows.cend(); ++it)
        out.append({it.key(), it.value()});
    m_health->mergeHistory(out);

    // The weight chart's history: the set split when the source knows it, and the measured
    // split from the request rates.
    QMap<qint64, QList<double>> split;
    for (const auto &[t, pct] : series.setCanaryPercent)
        split[t] = {pct, unknown()};
    for (const TimeSeriesModel::Row &r : std::as_const(out)) {
        QList<double> &row = split[r.timeMs];
        row.resize(2, unknown());
        row[1] = measuredCanaryPercent(r.values.at(0), r.values.at(1));
    }
    QList<TimeSeriesModel::Row> splitRows;
    for (auto it = split.cbegin(); it != split.cend(); ++it)
        splitRows.append({it.key(), it.value()});
    m_split->mergeHistory(splitRows);
}

} // namespace Switchboard
