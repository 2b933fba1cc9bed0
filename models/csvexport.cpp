#include "csvexport.h"

#include "atomicfile.h"
#include "timeseriesmodel.h"

#include <QDateTime>
#include <QMap>

#include <cmath>

namespace Switchboard {

SeriesTable seriesTable(const QList<const TimeSeriesModel *> &models)
{
    SeriesTable t;
    t.header = QStringList{QStringLiteral("time"), QStringLiteral("timeMs")};
    int width = 0;
    for (const TimeSeriesModel *m : models) {
        t.header += m->valueColumns();
        width += int(m->valueColumns().size());
    }
    int offset = 0;
    for (const TimeSeriesModel *m : models) {
        for (const TimeSeriesModel::Row &r : m->rows()) {
            QList<double> &row = t.rows[r.timeMs];
            row.resize(width, std::nan(""));
            for (int i = 0; i < r.values.size(); ++i)
                row[offset + i] = r.values.at(i);
        }
        offset += int(m->valueColumns().size());
    }
    return t;
}

QString writeSeriesCsv(const QString &path, const SeriesTable &table)
{
    QByteArray csv = table.header.join(QLatin1Char(',')).toUtf8() + '\n';
    for (auto it = table.rows.cbegin(); it != table.rows.cend(); ++it) {
        csv += QDateTime::fromMSecsSinceEpoch(it.key(), Qt::UTC).toString(Qt::ISODateWithMs).toUtf8() + ',' + QByteArray::number(it.key());
        for (double v : it.value()) {
            csv += ',';
            if (std::isfinite(v))
                csv += QByteArray::number(v, 'g', 10);
        }
        csv += '\n';
    }
    QString reason;
    return writeFileAtomically(path, csv, &reason) ? QString() : QStringLiteral("%1: %2").arg(path, reason);
}

} // namespace Switchboard
