#pragma once
// Writes time-series models to one CSV file (joined on time), atomically: the full data, not
// what the charts reduced for drawing.

#include <QList>
#include <QString>

namespace Switchboard {

class TimeSeriesModel;

// Columns: time (RFC 3339 UTC), timeMs, then every value column of every model in order.
// Unknown values are empty cells. False with *error set when the file cannot be written; an
// existing file is then left as it was.
bool writeSeriesCsv(const QString &path, const QList<const TimeSeriesModel *> &models, QString *error);

} // namespace Switchboard
