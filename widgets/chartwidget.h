#pragma once
// A time chart of a few columns of a TimeSeriesModel (stable and canary on the same axes, in
// their colours), with a ChartMarkerModel's markers (weight changes, gate results) as thin
// vertical lines on the time axis. It only reads the models; when there is nothing to draw it
// says why. Lines break where data is missing (one QLineSeries per run between gaps), and both
// axes tick on round values and times, as many as fit the widget's size.

#include <QChartView>
#include <QColor>
#include <QPointer>
#include <QTimer>

class QCategoryAxis;
class QGraphicsLineItem;
class QLabel;
class QLineSeries;

namespace Switchboard {

class ChartMarkerModel;
class TimeSeriesModel;

class ChartWidget final : public QChartView
{
    Q_OBJECT
public:
    struct Series
    {
        QString column; // model column name
        QString label;  // legend
        QColor color;
        bool dashed = false;
    };

    ChartWidget(const QString &title, const QString &unit, const QList<Series> &series, QWidget *parent = nullptr);

    void setModel(TimeSeriesModel *model);
    // Markers to draw: those inside the current window, as vertical lines with a tooltip.
    void setMarkers(ChartMarkerModel *markers);
    void setWindowMs(qint64 windowMs);
    // Shown over the chart while it has nothing to draw ("no data from Prometheus: ...").
    void setEmptyReason(const QString &reason);
    // Fixed y range (e.g. 0..100 for percentages) instead of fitting the data.
    void setFixedYRange(double lo, double hi);

    // For tests: points drawn for series i, and the message shown (empty when hidden).
    int pointCount(int series) const;
    QString emptyMessage() const;
    // For tests: the lines drawn for series i, one per run between gaps, oldest first.
    QList<QList<QPointF>> drawnRuns(int series) const;
    // For tests: the axes' tick labels, and the time axis' ticks (ms since epoch).
    QStringList timeLabels() const;
    QStringList valueLabels() const;
    QList<qint64> timeTicks() const { return m_timeTicks; }
    // For tests: the marker lines drawn (in chart coordinates), oldest first; each carries its
    // marker's time as data(MarkerTimeKey).
    QList<QGraphicsLineItem *> markerItems() const { return m_markerItems; }
    static constexpr int MarkerTimeKey = 0;

    // Follows the widget's palette (a dark system theme included): background, titles, labels, grid.
    void applyPalette();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    friend class ChartRebuildQueue;
    void scheduleRebuild();
    void rebuild();
    void onHovered(const QPointF &point, bool state);
    void placeMarkers(qint64 begin, qint64 end);
    void layoutMarkers();
    QLineSeries *newLine(int series);
    void setRuns(int series, const QList<QList<QPointF>> &runs);
    void setTimeTicks(qint64 begin, qint64 end);
    void setValueTicks(double lo, double hi, bool any);

    QString m_title;
    QList<Series> m_specs;
    // Per series: the lines of its runs between gaps; the first carries the legend entry and
    // stays even when empty, the others are reused from one rebuild to the next.
    QList<QList<QLineSeries *>> m_lines;
    QCategoryAxis *m_x; // categories ending at round times: labels exactly on the ticks
    QList<qint64> m_timeTicks;
    QCategoryAxis *m_y; // the same, at round values: labels are ours ("0", never "7.5e-07")
    QLabel *m_empty;
    QPointer<TimeSeriesModel> m_model;
    QPointer<ChartMarkerModel> m_markers;
    QList<QGraphicsLineItem *> m_markerItems; // children of the chart, one per marker in the window
    QTimer m_rebuild;
    qint64 m_windowMs = 15 * 60 * 1000;
    QString m_emptyReason;
    double m_fixedLo = 0;
    double m_fixedHi = -1; // hi < lo: fit the data
};

} // namespace Switchboard
