#include "csvexport.h"

#include "timeseriesmodel.h"

#include <QDateTime>
#include <QMap>
#include <QSaveFile>

#include <cmath>

namespace Switchboard {

bool writeSeriesCsv(const QString &path, const QList<const TimeSeriesModel *> &models, QString *error)
{
    QStringList header{QStringLiteral("time"), QStringLiteral("timeMs")};
    int width = 0;
    for (const TimeSeriesModel *m : models) {
        header += m->valueColumns();
        width += int(m->valueColumns().size());
    }
    QMap<qint64, QList<double>> rows;
    int offset = 0;
    for (const TimeSeriesModel *m : models) {
        for (const TimeSeriesModel::Row &r : m->rows()) {
            QList<double> &row = rows[r.timeMs];
            row.resize(width, std::nan(""));
            for (int i = 0; i < r.values.size(); ++i)
                row[offset + i] = r.values.at(i);
        }
        offset += int(m->valueColumns().size());
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(header.join(QLatin1Char(',')).toUtf8() + '\n');
    for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
        QByteArray line = QDateTime::fromMSecsSinceEpoch(it.key(), Qt::UTC).toString(Qt::ISODateWithMs).toUtf8()
            + ',' + QByteArray::number(it.key());
        for (double v : it.value()) {
            line += ',';
            if (std::isfinite(v))
                line += QByteArray::number(v, 'g', 10);
        }
        f.write(line + '\n');
    }
    if (!f.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace Switchboard
