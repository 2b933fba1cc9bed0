#pragma once
// A table of time-stamped rows (column 0 = time in ms since epoch, then named value columns),
// kept in time order. Charts read it; controllers append to it. NaN means "no value".

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

namespace Switchboard {

class TimeSeriesModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    struct Row
    {
        qint64 timeMs = 0;
        QList<double> values;
    };

    explicit TimeSeriesModel(const QStringList &valueColumns, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends a row; a row older than the newest is inserted in order, one with the same time
    // replaces it (a re-read of the same instant).
    void append(qint64 timeMs, const QList<double> &values);
    // Replaces everything up to the newest of `rows` with `rows` (a backfill), keeping newer
    // live rows.
    void mergeHistory(const QList<Row> &rows);
    // Drops rows older than `maxAgeMs` before the newest row.
    void setRetentionMs(qint64 maxAgeMs);
    void clear();

    const QList<Row> &rows() const { return m_rows; }
    QStringList valueColumns() const { return m_columns; }
    // Newest row time, 0 if empty.
    qint64 newestMs() const;
    // Index of the column named `name` in model terms (time is 0), -1 if none.
    int column(const QString &name) const;

    static constexpr int TimeRole = Qt::UserRole + 1; // raw qint64 for column 0, double for values

private:
    void trim();

    QStringList m_columns;
    QList<Row> m_rows;
    qint64 m_retentionMs = 24LL * 3600 * 1000;
};

} // namespace Switchboard
