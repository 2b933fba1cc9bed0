#include "chartwidget.h"

#include "axisticks.h"
#include "chartmarkermodel.h"
#include "downsample.h"
#include "palette.h"
#include "seriesgaps.h"
#include "timeseriesmodel.h"

#include <QCategoryAxis>
#include <QDateTime>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPainterPath>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace Switchboard {

// The panel's charts all follow one poll: rebuilt in one event-loop pass, with their scenes'
// updates after them, they held the GUI thread for ~18 ms (bench_fleet, BENCH_SLOWEST=1). This
// queue rebuilds one chart per pass; each chart's scene work then runs in the pass after it.
class ChartRebuildQueue final : public QObject
{
public:
    static ChartRebuildQueue &instance()
    {
        static ChartRebuildQueue queue; // GUI thread only, like the charts
        return queue;
    }
    void add(ChartWidget *chart)
    {
        if (!m_waiting.contains(chart))
            m_waiting.append(chart);
        scheduleNext();
    }

private:
    void scheduleNext()
    {
        if (m_scheduled || m_waiting.isEmpty())
            return;
        m_scheduled = true;
        // Queued, not a timer: events posted while this pass runs wait for the next pass.
        QMetaObject::invokeMethod(this, [this] {
            m_scheduled = false;
            while (!m_waiting.isEmpty()) {
                const QPointer<ChartWidget> chart = m_waiting.takeFirst();
                if (chart) {
                    chart->rebuild();
                    break;
                }
            }
            scheduleNext();
        }, Qt::QueuedConnection);
    }

    QList<QPointer<ChartWidget>> m_waiting;
    bool m_scheduled = false;
};

namespace {

// A one-pixel line is hard to point at: the mouse finds the marker (and its tooltip) within a
// few pixels of it.
class MarkerLine final : public QGraphicsLineItem
{
public:
    using QGraphicsLineItem::QGraphicsLineItem;

    QRectF boundingRect() const override { return hitArea(); }
    QPainterPath shape() const override
    {
        QPainterPath path;
        path.addRect(hitArea());
        return path;
    }

private:
    QRectF hitArea() const
    {
        const QLineF l = line();
        return QRectF(QPointF(std::min(l.x1(), l.x2()) - 4, std::min(l.y1(), l.y2())),
                      QPointF(std::max(l.x1(), l.x2()) + 4, std::max(l.y1(), l.y2())));
    }
};

QPen markerPen(ChartMarkerModel::Kind kind)
{
    switch (kind) {
    case ChartMarkerModel::Kind::WeightChange: return QPen(Palette::neutral(), 1.5);
    case ChartMarkerModel::Kind::GatePass: return QPen(Palette::ok(), 1.0);
    case ChartMarkerModel::Kind::GateFail: return QPen(Palette::danger(), 1.5);
    case ChartMarkerModel::Kind::GateInconclusive: return QPen(Palette::warning(), 1.0, Qt::DotLine);
    case ChartMarkerModel::Kind::Rollback: return QPen(Palette::danger(), 2.0, Qt::DashLine);
    // Not ours: drawn apart from Switchboard's own changes.
    case ChartMarkerModel::Kind::External: return QPen(Palette::warning(), 1.5, Qt::DashDotLine);
    // Testers routed to the canary: the canary's colour, dotted (no weight moved).
    case ChartMarkerModel::Kind::Route: return QPen(Palette::canary(), 1.5, Qt::DotLine);
    }
    return {};
}

// Above the grid and axes (ChartPresenter's AxisZValue is 3), under the series (4): the data
// stays readable where a marker crosses it.
constexpr qreal kMarkerZ = 3.5;

// Space between two neighbouring tick labels, so they read as two. QtCharts' own rule (the axis
// length shared equally by label slots, less padding, and "..." for what does not fit) cut
// labels that fitted at 1024×640 and under CJK fonts: truncation is off, and we ask for no more
// labels than fit.
constexpr qreal kLabelGap = 12;

} // namespace

ChartWidget::ChartWidget(const QString &title, const QString &unit, const QList<Series> &series, QWidget *parent)
    : QChartView(parent)
    , m_title(title)
    , m_specs(series)
    , m_x(new QCategoryAxis)
    , m_y(new QCategoryAxis)
    , m_empty(new QLabel(this))
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    // Labels exactly on round times: each category ends at a tick and is labelled there.
    m_x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    // No "time" title: HH:mm says it, and at 1024×640 the line it takes is the plot's.
    m_y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_y->setTitleText(unit);
    m_x->setTruncateLabels(false);
    m_y->setTruncateLabels(false);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    setChart(chart);
    for (int i = 0; i < m_specs.size(); ++i)
        m_lines.append({newLine(i)});
    // The plot area moves on resize and when axis labels change width: markers follow it.
    connect(chart, &QChart::plotAreaChanged, this, &ChartWidget::layoutMarkers);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(170);
    applyPalette();

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->hide();

    // Coalesce bursts of model changes (a backfill plus live points) into one redraw.
    m_rebuild.setSingleShot(true);
    m_rebuild.setInterval(50);
    connect(&m_rebuild, &QTimer::timeout, this, [this] { ChartRebuildQueue::instance().add(this); });
}

void ChartWidget::applyPalette()
{
    // QtCharts draws its own light theme whatever the system's: take the palette's colours, so a
    // dark desktop gets dark charts. The series keep their version colours (UI.md).
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    QColor line = text;
    line.setAlpha(110);
    QChart *c = chart();
    c->setBackgroundBrush(pal.color(QPalette::Base));
    c->setBackgroundPen(QPen(pal.color(QPalette::Mid)));
    c->setPlotAreaBackgroundVisible(false);
    c->setTitleBrush(text);
    c->legend()->setLabelColor(text);
    for (QCategoryAxis *axis : {m_x, m_y}) {
        axis->setLabelsBrush(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(line);
    }
    setBackgroundBrush(pal.color(QPalette::Window));
    m_empty->setStyleSheet(QStringLiteral("color: %1; background: transparent;").arg(pal.color(QPalette::Disabled, QPalette::Text).name()));
}

void ChartWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QChartView::changeEvent(event);
}

QLineSeries *ChartWidget::newLine(int series)
{
    const Series &s = m_specs.at(series);
    auto *line = new QLineSeries;
    line->setName(s.label);
    QPen pen(s.color);
    pen.setWidthF(2.0);
    if (s.dashed)
        pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    line->setMarkerSize(5);
    chart()->addSeries(line);
    line->attachAxis(m_x);
    line->attachAxis(m_y);
    connect(line, &QLineSeries::hovered, this, &ChartWidget::onHovered);
    // One legend entry per series, not per run.
    if (series < m_lines.size() && !m_lines.at(series).isEmpty()) {
        for (QLegendMarker *marker : chart()->legend()->markers(line))
            marker->setVisible(false);
    }
    return line;
}

void ChartWidget::setModel(TimeSeriesModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &ChartWidget::scheduleRebuild);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &ChartWidget::scheduleRebuild);
        connect(model, &QAbstractItemModel::modelReset, this, &ChartWidget::scheduleRebuild);
        connect(model, &QAbstractItemModel::dataChanged, this, &ChartWidget::scheduleRebuild);
    }
    rebuild();
}

void ChartWidget::setMarkers(ChartMarkerModel *markers)
{
    if (m_markers)
        disconnect(m_markers, nullptr, this, nullptr);
    m_markers = markers;
    if (markers) {
        connect(markers, &QAbstractItemModel::rowsInserted, this, &ChartWidget::scheduleRebuild);
        connect(markers, &QAbstractItemModel::rowsRemoved, this, &ChartWidget::scheduleRebuild);
        connect(markers, &QAbstractItemModel::modelReset, this, &ChartWidget::scheduleRebuild);
        connect(markers, &QAbstractItemModel::dataChanged, this, &ChartWidget::scheduleRebuild);
    }
    rebuild();
}

void ChartWidget::setWindowMs(qint64 windowMs)
{
    m_windowMs = windowMs;
    rebuild();
}

void ChartWidget::setFixedYRange(double lo, double hi)
{
    m_fixedLo = lo;
    m_fixedHi = hi;
    rebuild();
}

void ChartWidget::setEmptyReason(const QString &reason)
{
    if (m_emptyReason == reason)
        return;
    m_emptyReason = reason;
    rebuild();
}

int ChartWidget::pointCount(int series) const
{
    int n = 0;
    for (const QList<QPointF> &run : drawnRuns(series))
        n += int(run.size());
    return n;
}

QList<QList<QPointF>> ChartWidget::drawnRuns(int series) const
{
    QList<QList<QPointF>> out;
    if (series < 0 || series >= m_lines.size())
        return out;
    for (const QLineSeries *line : m_lines.at(series))
        if (line->count() > 0)
            out.append(line->points());
    return out;
}

QStringList ChartWidget::timeLabels() const
{
    return m_x->categoriesLabels();
}

QStringList ChartWidget::valueLabels() const
{
    return m_y->categoriesLabels();
}

QString ChartWidget::emptyMessage() const
{
    return m_empty->isHidden() ? QString() : m_empty->text();
}

void ChartWidget::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    m_empty->setGeometry(rect().adjusted(20, 30, -20, -30));
    scheduleRebuild(); // the pixel width decides how far to reduce
}

void ChartWidget::scheduleRebuild()
{
    if (!m_rebuild.isActive())
        m_rebuild.start();
}

void ChartWidget::rebuild()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 end = m_model && m_model->newestMs() > 0 ? std::max(now, m_model->newestMs()) : now;
    const qint64 begin = end - m_windowMs;
    const int buckets = std::max(50, int(chart()->plotArea().width()));
    double lo = INFINITY;
    double hi = -INFINITY;
    int drawn = 0;
    for (int i = 0; i < m_specs.size(); ++i) {
        // Every row in the window, a missing value as NaN: it is where the line must break.
        QList<QPointF> pts;
        const int col = m_model ? m_model->column(m_specs.at(i).column) - 1 : -1;
        if (col >= 0) {
            const auto &rows = m_model->rows();
            auto it = std::lower_bound(rows.cbegin(), rows.cend(), begin,
                                       [](const TimeSeriesModel::Row &r, qint64 t) { return r.timeMs < t; });
            for (; it != rows.cend(); ++it)
                pts.append(QPointF(double(it->timeMs), it->values.value(col, NAN)));
        }
        const QList<QList<QPointF>> runs = downsampleRuns(splitAtGaps(pts), double(begin), double(end), buckets);
        for (const QList<QPointF> &run : runs) {
            for (const QPointF &p : run) {
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
            drawn += int(run.size());
        }
        setRuns(i, runs);
    }
    setTimeTicks(begin, end);
    placeMarkers(begin, end);
    setValueTicks(lo, hi, drawn > 0);
    const bool empty = drawn == 0 || !m_emptyReason.isEmpty();
    if (empty) {
        m_empty->setText(m_emptyReason.isEmpty() ? tr("no data in this window yet") : m_emptyReason);
        m_empty->show();
    } else {
        m_empty->hide();
    }
}

void ChartWidget::setRuns(int series, const QList<QList<QPointF>> &runs)
{
    QList<QLineSeries *> &lines = m_lines[series];
    while (lines.size() < runs.size())
        lines.append(newLine(series));
    for (int k = 0; k < lines.size(); ++k) {
        const QList<QPointF> run = runs.value(k);
        lines.at(k)->replace(run);
        // A lone sample between two gaps has no line to draw: a dot shows it.
        lines.at(k)->setPointsVisible(run.size() == 1);
    }
}

void ChartWidget::setTimeTicks(qint64 begin, qint64 end)
{
    const QFontMetricsF fm(m_x->labelsFont());
    // Before the first layout the plot area is empty: guess from the widget.
    const qreal width = chart()->plotArea().width() > 10 ? chart()->plotArea().width() : qreal(this->width()) * 0.8;
    const int utcOffset = QDateTime::fromMSecsSinceEpoch(begin).offsetFromUtc();
    auto fit = [width](qreal labelWidth) { return std::max(2, int(width / (labelWidth + kLabelGap))); };
    TimeTicks ticks = Switchboard::timeTicks(begin, end, fit(fm.horizontalAdvance(QStringLiteral("00:00"))), utcOffset);
    if (ticks.stepMs < 60 * 1000) // seconds shown: fewer, wider labels
        ticks = Switchboard::timeTicks(begin, end, fit(fm.horizontalAdvance(QStringLiteral("00:00:00"))), utcOffset);
    m_timeTicks = ticks.timesMs;

    for (const QString &label : m_x->categoriesLabels())
        m_x->remove(label);
    // Just before the window so that a tick on its first millisecond is a category end too.
    m_x->setStartValue(double(begin) - 1);
    m_x->setRange(double(begin), double(end));
    for (int i = 0; i < ticks.timesMs.size(); ++i)
        m_x->append(ticks.labels.at(i), double(ticks.timesMs.at(i)));
}

void ChartWidget::setValueTicks(double lo, double hi, bool any)
{
    const QFontMetricsF fm(m_y->labelsFont());
    const qreal height = chart()->plotArea().height() > 10 ? chart()->plotArea().height() : qreal(this->height()) * 0.5;
    // Ticks at least a label and a half apart: closer, the column of numbers reads as one.
    const int maxTicks = std::clamp(int(height / (fm.height() * 1.5)) + 1, 2, 6);
    const ValueTicks t = m_fixedHi > m_fixedLo ? fixedValueTicks(m_fixedLo, m_fixedHi, maxTicks)
                                               : valueTicks(any ? lo : NAN, any ? hi : NAN, maxTicks);
    for (const QString &label : m_y->categoriesLabels())
        m_y->remove(label);
    m_y->setStartValue(t.lo - t.step * 1e-3); // so that the bottom tick ends a category too
    m_y->setRange(t.lo, t.hi);
    for (int i = 0; i < t.values.size(); ++i)
        m_y->append(t.labels.at(i), t.values.at(i));
}

void ChartWidget::placeMarkers(qint64 begin, qint64 end)
{
    // Only the markers inside the window; the model keeps the rest for when the window moves.
    QList<ChartMarkerModel::Marker> shown;
    if (m_markers) {
        const auto &all = m_markers->markers();
        auto it = std::lower_bound(all.cbegin(), all.cend(), begin,
                                   [](const ChartMarkerModel::Marker &m, qint64 t) { return m.timeMs < t; });
        for (; it != all.cend() && it->timeMs <= end; ++it)
            shown.append(*it);
    }
    while (m_markerItems.size() > shown.size())
        delete m_markerItems.takeLast();
    while (m_markerItems.size() < shown.size()) {
        auto *item = new MarkerLine(chart());
        item->setZValue(kMarkerZ);
        m_markerItems.append(item);
    }
    for (int i = 0; i < shown.size(); ++i) {
        const ChartMarkerModel::Marker &m = shown.at(i);
        QGraphicsLineItem *item = m_markerItems.at(i);
        item->setPen(markerPen(m.kind));
        item->setData(MarkerTimeKey, m.timeMs);
        QString tip = QStringLiteral("<b>%1</b> %2").arg(QDateTime::fromMSecsSinceEpoch(m.timeMs).toString(QStringLiteral("HH:mm:ss")),
                                                          m.label.toHtmlEscaped());
        if (!m.detail.isEmpty())
            tip += QStringLiteral("<br>") + m.detail.toHtmlEscaped();
        item->setToolTip(tip);
    }
    layoutMarkers();
}

void ChartWidget::layoutMarkers()
{
    if (m_lines.isEmpty())
        return; // the mapping from time to pixels comes from a series on the axes
    const QRectF plot = chart()->plotArea();
    for (QGraphicsLineItem *item : std::as_const(m_markerItems)) {
        const qint64 t = item->data(MarkerTimeKey).toLongLong();
        const qreal x = chart()->mapToPosition(QPointF(double(t), m_y->min()), m_lines.constFirst().constFirst()).x();
        item->setLine(x, plot.top(), x, plot.bottom());
    }
}

void ChartWidget::onHovered(const QPointF &point, bool state)
{
    if (!state || !m_model) {
        QToolTip::hideText();
        return;
    }
    // Show every series at the hovered time, so stable and canary compare at one glance.
    const auto &rows = m_model->rows();
    if (rows.isEmpty())
        return;
    const qint64 t = qint64(point.x());
    auto it = std::lower_bound(rows.cbegin(), rows.cend(), t,
                               [](const TimeSeriesModel::Row &r, qint64 x) { return r.timeMs < x; });
    if (it == rows.cend())
        --it;
    QStringList lines{QDateTime::fromMSecsSinceEpoch(it->timeMs).toString(QStringLiteral("HH:mm:ss"))};
    for (const Series &s : std::as_const(m_specs)) {
        const double v = it->values.value(m_model->column(s.column) - 1, NAN);
        lines.append(QStringLiteral("%1: %2").arg(s.label, std::isfinite(v) ? QLocale().toString(v, 'g', 4) : QStringLiteral("—")));
    }
    QToolTip::showText(QCursor::pos(), lines.join(QLatin1Char('\n')), this);
}

} // namespace Switchboard
