#include "timeseriesmodel.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace Switchboard {

TimeSeriesModel::TimeSeriesModel(const QStringList &valueColumns, QObject *parent)
    : QAbstractTableModel(parent)
    , m_columns(valueColumns)
{
}

int TimeSeriesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TimeSeriesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size()) + 1;
}

QVariant TimeSeriesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (index.column() == 0) {
        if (role == TimeRole)
            return row.timeMs;
        if (role == Qt::DisplayRole)
            return QDateTime::fromMSecsSinceEpoch(row.timeMs).toString(QStringLiteral("HH:mm:ss"));
        return {};
    }
    const double v = row.values.value(index.column() - 1, std::nan(""));
    if (role == TimeRole)
        return v;
    if (role == Qt::DisplayRole)
        return std::isnan(v) ? QVariant() : QVariant(v);
    return {};
}

QVariant TimeSeriesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == 0)
        return QStringLiteral("time");
    return m_columns.value(section - 1);
}

qint64 TimeSeriesModel::newestMs() const
{
    return m_rows.isEmpty() ? 0 : m_rows.constLast().timeMs;
}

int TimeSeriesModel::column(const QString &name) const
{
    const int i = int(m_columns.indexOf(name));
    return i < 0 ? -1 : i + 1;
}

void TimeSeriesModel::append(qint64 timeMs, const QList<double> &values)
{
    Row row{timeMs, values};
    row.values.resize(m_columns.size(), std::nan(""));
    auto it = std::lower_bound(m_rows.begin(), m_rows.end(), timeMs,
                               [](const Row &r, qint64 t) { return r.timeMs < t; });
    const int pos = int(it - m_rows.begin());
    if (it != m_rows.end() && it->timeMs == timeMs) {
        *it = row;
        Q_EMIT dataChanged(index(pos, 0), index(pos, columnCount() - 1));
    } else {
        beginInsertRows({}, pos, pos);
        m_rows.insert(pos, row);
        endInsertRows();
    }
    trim();
}

void TimeSeriesModel::mergeHistory(const QList<Row> &rows)
{
    beginResetModel();
    QList<Row> merged = rows;
    for (Row &r : merged)
        r.values.resize(m_columns.size(), std::nan(""));
    std::sort(merged.begin(), merged.end(), [](const Row &a, const Row &b) { return a.timeMs < b.timeMs; });
    const qint64 last = merged.isEmpty() ? 0 : merged.constLast().timeMs;
    for (const Row &r : std::as_const(m_rows))
        if (r.timeMs > last)
            merged.append(r);
    m_rows = std::move(merged);
    endResetModel();
    trim();
}

void TimeSeriesModel::setRetentionMs(qint64 maxAgeMs)
{
    m_retentionMs = maxAgeMs;
    trim();
}

void TimeSeriesModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void TimeSeriesModel::trim()
{
    if (m_rows.isEmpty())
        return;
    const qint64 cutoff = m_rows.constLast().timeMs - m_retentionMs;
    int n = 0;
    while (n < m_rows.size() && m_rows.at(n).timeMs < cutoff)
        ++n;
    if (n == 0)
        return;
    beginRemoveRows({}, 0, n - 1);
    m_rows.remove(0, n);
    endRemoveRows();
}

} // namespace Switchboard
