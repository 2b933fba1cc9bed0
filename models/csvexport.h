#pragma once
// Writes time-series models to one CSV file (joined on time), atomically: the full data, not
// what the charts reduced for drawing.

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Switchboard {

class TimeSeriesModel;

// The models' rows joined on time: a copy, taken on the models' thread, that a worker can write.
struct SeriesTable
{
    QStringList header; // time, timeMs, then every value column of every model in order
    QMap<qint64, QList<double>> rows; // by time; NaN where a model has no value then
};
SeriesTable seriesTable(const QList<const TimeSeriesModel *> &models);

// Columns: time (RFC 3339 UTC), timeMs, then the value columns. Unknown values are empty cells.
// Any thread. Empty, or the error when the file cannot be written (an existing file is then
// left as it was).
QString writeSeriesCsv(const QString &path, const SeriesTable &table);

} // namespace Switchboard
