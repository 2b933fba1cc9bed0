// ChartWidget (offscreen). Markers: one vertical line per marker inside the window, at the x of
// its time on the axis and spanning the plot area, in its kind's colour; none for markers
// outside the window; they follow model changes, a window change and a resize. Lines: no line
// drawn across missing data, reduced or not. Axes: round ticks with plain labels, and at the
// size a chart gets in a 1024×640 window under a Chinese locale, no label cut to "...".
#include "chartmarkermodel.h"
#include "chartwidget.h"
#include "palette.h"
#include "timeseriesmodel.h"

#include <QChart>
#include <QDateTime>
#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsTextItem>
#include <QHelpEvent>
#include <QLineSeries>
#include <QRegularExpression>
#include <QTest>
#include <QToolTip>
#include <QValueAxis>

#include <cmath>

using namespace Switchboard;
using Kind = ChartMarkerModel::Kind;

namespace {

constexpr qint64 kMinute = 60 * 1000;

// Where time `t` is on the chart's x axis, from the axis range and the plot area alone.
qreal expectedX(ChartWidget &view, qint64 t)
{
    auto *axis = qobject_cast<QValueAxis *>(view.chart()->axes(Qt::Horizontal).constFirst()); // ms since epoch
    const double lo = axis->min();
    const double hi = axis->max();
    const QRectF plot = view.chart()->plotArea();
    return plot.left() + plot.width() * (double(t) - lo) / (hi - lo);
}

QList<qint64> drawnTimes(const ChartWidget &view)
{
    QList<qint64> out;
    for (const QGraphicsLineItem *item : view.markerItems())
        out.append(item->data(ChartWidget::MarkerTimeKey).toLongLong());
    return out;
}

// Every marker line is vertical, at its time's x and spans the plot area.
bool placedOnAxis(ChartWidget &view)
{
    const QRectF plot = view.chart()->plotArea();
    for (const QGraphicsLineItem *item : view.markerItems()) {
        const QLineF l = item->line();
        const qreal want = expectedX(view, item->data(ChartWidget::MarkerTimeKey).toLongLong());
        if (std::abs(l.x1() - want) > 0.5 || l.x1() != l.x2() || l.y1() != plot.top() || l.y2() != plot.bottom()
            || !item->isVisible() || item->parentItem() != view.chart())
            return false;
    }
    return true;
}

// Every line segment drawn, as (x1, x2), over all QLineSeries of the chart.
QList<QPair<double, double>> drawnSegments(const ChartWidget &view)
{
    QList<QPair<double, double>> out;
    for (QAbstractSeries *series : view.chart()->series()) {
        const QList<QPointF> pts = qobject_cast<QLineSeries *>(series)->points();
        for (int i = 1; i < pts.size(); ++i)
            out.append({pts.at(i - 1).x(), pts.at(i).x()});
    }
    return out;
}

// A segment from at or before `a` to at or after `b`: a line across the gap between them.
bool joinsAcross(const ChartWidget &view, double a, double b)
{
    for (const auto &[x1, x2] : drawnSegments(view))
        if (x1 <= a && x2 >= b)
            return true;
    return false;
}

// The text QtCharts renders (titles, legend, axis labels), visible items only, with where each
// is in chart coordinates.
QList<QPair<QString, QRectF>> renderedTexts(const ChartWidget &view)
{
    QList<QPair<QString, QRectF>> out;
    for (QGraphicsItem *item : view.scene()->items()) {
        auto *text = dynamic_cast<QGraphicsTextItem *>(item);
        if (text && text->isVisible() && !text->toPlainText().isEmpty())
            out.append({text->toPlainText(), view.chart()->mapRectFromScene(text->sceneBoundingRect())});
    }
    return out;
}

bool elided(const QString &text)
{
    return text.contains(QStringLiteral("...")) || text.contains(QChar(0x2026));
}

// Visible tick labels under the plot area (time) and left of it (values).
QStringList renderedTimeLabels(const ChartWidget &view)
{
    const QRectF plot = view.chart()->plotArea();
    QStringList out;
    for (const auto &[text, rect] : renderedTexts(view))
        if (rect.top() >= plot.bottom() - 1 && rect.center().x() >= plot.left() - 2 && rect.center().x() <= plot.right() + 2
            && rect.center().y() < plot.bottom() + rect.height() * 1.5)
            out.append(text);
    return out;
}

QStringList renderedValueLabels(const ChartWidget &view)
{
    const QRectF plot = view.chart()->plotArea();
    const QString title = view.chart()->axes(Qt::Vertical).constFirst()->titleText();
    QStringList out;
    for (const auto &[text, rect] : renderedTexts(view))
        if (rect.right() <= plot.left() + 1 && rect.center().y() >= plot.top() - 2 && rect.center().y() <= plot.bottom() + 2 && text != title)
            out.append(text);
    return out;
}

} // namespace

class TestChartWidget : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        m_now = QDateTime::currentMSecsSinceEpoch();
        m_series = std::make_unique<TimeSeriesModel>(QStringList{QStringLiteral("s"), QStringLiteral("c")});
        for (qint64 t = m_now - 30 * kMinute; t <= m_now; t += 10000)
            m_series->append(t, {1.0, 2.0});
        m_markers = std::make_unique<ChartMarkerModel>();
        m_markers->add({m_now - 20 * kMinute, Kind::Rollback, QStringLiteral("rollback → canary 0%"), {}});
        m_markers->add({m_now - 10 * kMinute, Kind::WeightChange, QStringLiteral("canary 25%"), QStringLiteral("set-weight applied")});
        m_markers->add({m_now - 4 * kMinute, Kind::GateFail, QStringLiteral("gate error-ratio FAIL 20.00% > 1.00%"), {}});
        m_markers->add({m_now - 1 * kMinute, Kind::Rollback, QStringLiteral("rollback → canary 0%"), {}});
        m_view = std::make_unique<ChartWidget>(QStringLiteral("errors"), QStringLiteral("%"),
                                               QList<ChartWidget::Series>{{QStringLiteral("s"), QStringLiteral("stable"), Palette::stable()},
                                                                          {QStringLiteral("c"), QStringLiteral("canary"), Palette::canary()}});
        m_view->setModel(m_series.get());
        m_view->setMarkers(m_markers.get());
        m_view->setWindowMs(15 * kMinute);
        m_view->resize(800, 400);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }
    void cleanup()
    {
        m_view.reset(); // before the models it reads
        m_markers.reset();
        m_series.reset();
    }

    void markersInsideTheWindowAreDrawnAtTheirTime()
    {
        ChartWidget &view = *m_view;
        // The marker 20 min ago is outside the 15 min window: three of four are drawn.
        QCOMPARE(drawnTimes(view), (QList<qint64>{m_now - 10 * kMinute, m_now - 4 * kMinute, m_now - kMinute}));
        QTRY_VERIFY(placedOnAxis(view));
        const auto items = view.markerItems();
        QVERIFY(items.at(0)->line().x1() < items.at(1)->line().x1());
        QVERIFY(items.at(1)->line().x1() < items.at(2)->line().x1());
        // Two thirds and 14/15 of the way along the axis, not merely in order.
        const QRectF plot = view.chart()->plotArea();
        QVERIFY(plot.width() > 300);
        QVERIFY(std::abs(items.at(0)->line().x1() - (plot.left() + plot.width() / 3)) < plot.width() * 0.02);
        QVERIFY(std::abs(items.at(2)->line().x1() - (plot.left() + plot.width() * 14 / 15)) < plot.width() * 0.02);
        // Kind by colour and style; hover text with time and label.
        QCOMPARE(items.at(0)->pen().color(), Palette::neutral());
        QCOMPARE(items.at(1)->pen().color(), Palette::danger());
        QCOMPARE(items.at(1)->pen().style(), Qt::SolidLine);
        QCOMPARE(items.at(2)->pen().color(), Palette::danger());
        QCOMPARE(items.at(2)->pen().style(), Qt::DashLine);
        const QString tip = items.at(0)->toolTip();
        QVERIFY2(tip.contains(QDateTime::fromMSecsSinceEpoch(m_now - 10 * kMinute).toString(QStringLiteral("HH:mm:ss")))
                     && tip.contains(QStringLiteral("canary 25%")) && tip.contains(QStringLiteral("set-weight applied")),
                 qPrintable(tip));
        QVERIFY2(items.at(1)->toolTip().contains(QStringLiteral("FAIL 20.00% &gt; 1.00%")), qPrintable(items.at(1)->toolTip()));
        // Hovering a few pixels off the line shows the marker's tooltip.
        const QPointF near = items.at(0)->line().center() + QPointF(3, 0);
        QVERIFY(items.at(0)->contains(near));
        const QPoint at = view.mapFromScene(view.chart()->mapToScene(near));
        QHelpEvent help(QEvent::ToolTip, at, view.viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(view.viewport(), &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(QStringLiteral("canary 25%")), qPrintable(QToolTip::text()));
        QToolTip::hideText();
    }

    void markersFollowTheModel()
    {
        ChartWidget &view = *m_view;
        QCOMPARE(view.markerItems().size(), 3);
        m_markers->add({m_now - 30 * kMinute, Kind::GatePass, QStringLiteral("old"), {}}); // outside
        m_markers->add({m_now - 2 * kMinute, Kind::GatePass, QStringLiteral("gate p99 pass"), {}});
        QTRY_COMPARE(view.markerItems().size(), 4);
        QCOMPARE(drawnTimes(view), (QList<qint64>{m_now - 10 * kMinute, m_now - 4 * kMinute, m_now - 2 * kMinute, m_now - kMinute}));
        QCOMPARE(view.markerItems().at(2)->pen().color(), Palette::ok());
        QTRY_VERIFY(placedOnAxis(view));
        view.setMarkers(nullptr);
        QCOMPARE(view.markerItems().size(), 0);
    }

    void markersFollowTheWindowAndTheSize()
    {
        ChartWidget &view = *m_view;
        QTRY_VERIFY(placedOnAxis(view));
        const qreal before = view.markerItems().constLast()->line().x1();
        view.setWindowMs(5 * kMinute);
        QCOMPARE(drawnTimes(view), (QList<qint64>{m_now - 4 * kMinute, m_now - kMinute}));
        QTRY_VERIFY(placedOnAxis(view));
        QVERIFY(view.markerItems().constLast()->line().x1() < before); // 1 min ago is further from the end in a shorter window
        view.setWindowMs(60 * kMinute);
        QCOMPARE(view.markerItems().size(), 4); // the one 20 min ago is back
        const qreal narrow = view.chart()->plotArea().width();
        view.resize(1200, 400);
        QTRY_VERIFY(view.chart()->plotArea().width() > narrow + 300);
        QTRY_VERIFY(placedOnAxis(view));
        // Wider y labels narrow the plot area in the chart's own layout pass, after the rebuild
        // that changed them: the markers move with it, not a poll later.
        const qreal left = view.chart()->plotArea().left();
        view.setFixedYRange(0, 123456789);
        QTRY_VERIFY(view.chart()->plotArea().left() > left + 5);
        QVERIFY(placedOnAxis(view));
    }

    void linesBreakWhereDataIsMissing()
    {
        // Every 10 s for 15 min: the canary at 25 % errors until it loses its traffic (no value
        // from -9 to -6 min), 0 % after; nothing at all read from -4 to -3 min.
        const qint64 silentFrom = m_now - 9 * kMinute;
        const qint64 silentTo = m_now - 6 * kMinute;
        const qint64 holeFrom = m_now - 4 * kMinute;
        const qint64 holeTo = m_now - 3 * kMinute;
        TimeSeriesModel model({QStringLiteral("s"), QStringLiteral("c")});
        int canaryValues = 0;
        qint64 lastBeforeSilence = 0;
        for (qint64 t = m_now - 15 * kMinute + 5000; t <= m_now; t += 10000) {
            if (t > holeFrom && t < holeTo)
                continue;
            const bool silent = t >= silentFrom && t < silentTo;
            model.append(t, {1.0, silent ? NAN : t < silentFrom ? 25.0 : 0.0});
            canaryValues += silent ? 0 : 1;
            if (t < silentFrom)
                lastBeforeSilence = t;
        }
        ChartWidget &view = *m_view;
        view.setModel(&model);
        QCOMPARE(view.pointCount(1), canaryValues);
        QCOMPARE(view.drawnRuns(0).size(), 2); // stable: broken by the hole only
        QCOMPARE(view.drawnRuns(1).size(), 3); // canary: by the silence and the hole
        QVERIFY(!joinsAcross(view, double(lastBeforeSilence), double(silentTo)));
        QVERIFY(!joinsAcross(view, double(holeFrom), double(holeTo)));
        // Nothing else is cut: every segment drawn is one 10 s step.
        for (const auto &[x1, x2] : drawnSegments(view))
            QVERIFY2(x2 - x1 <= 10000, qPrintable(QStringLiteral("%1 s").arg((x2 - x1) / 1000)));
        // The 25 % run ends at 25 %, the next starts at 0: no slope between them.
        QCOMPARE(view.drawnRuns(1).at(0).constLast(), QPointF(double(lastBeforeSilence), 25.0));
        QCOMPARE(view.drawnRuns(1).at(1).constFirst(), QPointF(double(silentTo + 5000), 0.0));
        // One legend entry per series, however many runs.
        auto legend = [&view] {
            QStringList out;
            for (const auto &[text, rect] : renderedTexts(view))
                if (text == QStringLiteral("stable") || text == QStringLiteral("canary"))
                    out.append(text);
            out.sort();
            return out;
        };
        QTRY_COMPARE(legend(), (QStringList{QStringLiteral("canary"), QStringLiteral("stable")}));
        // When the data comes back, so does a single line.
        model.clear();
        for (qint64 t = m_now - 15 * kMinute; t <= m_now; t += 10000)
            model.append(t, {1.0, 2.0});
        QTRY_COMPARE(view.drawnRuns(1).size(), 1);
        QCOMPARE(view.drawnRuns(0).size(), 1);
        view.setModel(m_series.get());
    }

    void reducedLinesKeepGaps()
    {
        // 6 h at 1 s, 20 min missing: far more points than pixels, still two lines apart.
        const qint64 holeFrom = m_now - 3 * 3600 * 1000;
        const qint64 holeTo = holeFrom + 20 * kMinute;
        QList<TimeSeriesModel::Row> rows;
        for (qint64 t = m_now - 6 * 3600 * 1000; t <= m_now; t += 1000)
            if (t <= holeFrom || t >= holeTo)
                rows.append({t, {std::sin(double(t) / 600000.0), 1.0}});
        TimeSeriesModel model({QStringLiteral("s"), QStringLiteral("c")});
        model.mergeHistory(rows);
        ChartWidget &view = *m_view;
        view.setWindowMs(6 * 3600 * 1000);
        view.setModel(&model);
        QVERIFY(view.pointCount(0) < rows.size() / 4);
        QVERIFY(view.pointCount(0) <= 4 * int(view.chart()->plotArea().width()) + 8);
        QCOMPARE(view.drawnRuns(0).size(), 2);
        QCOMPARE(view.drawnRuns(1).size(), 2);
        QVERIFY(!joinsAcross(view, double(holeFrom), double(holeTo)));
        view.setModel(m_series.get());
    }

    void valueAxisIsRoundAndPlain()
    {
        ChartWidget &view = *m_view;
        auto *y = qobject_cast<QValueAxis *>(view.chart()->axes(Qt::Vertical).constFirst());
        // An error ratio of exactly zero all along: "0" at the bottom of a 0..1 axis, not
        // "7.5e-07" around a hair of a range.
        TimeSeriesModel zero({QStringLiteral("s"), QStringLiteral("c")});
        for (qint64 t = m_now - 15 * kMinute; t <= m_now; t += 10000)
            zero.append(t, {0.0, 0.0});
        view.setModel(&zero);
        QCOMPARE(y->min(), 0.0);
        QCOMPARE(y->max(), 1.0);
        QCOMPARE(view.valueLabels().constFirst(), QStringLiteral("0"));
        QCOMPARE(view.valueLabels().constLast(), QStringLiteral("1"));
        QTRY_VERIFY(renderedValueLabels(view).contains(QStringLiteral("0")));
        QVERIFY(renderedValueLabels(view).contains(QStringLiteral("1")));
        // 0..25 %: ticks on a round step, labels without exponents.
        TimeSeriesModel errors({QStringLiteral("s"), QStringLiteral("c")});
        for (qint64 t = m_now - 15 * kMinute; t <= m_now; t += 10000)
            errors.append(t, {0.0, t > m_now - 5 * kMinute ? 25.0 : 0.4});
        view.setModel(&errors);
        QCOMPARE(y->min(), 0.0);
        QVERIFY(y->max() >= 25.0 && y->max() <= 50.0);
        const QStringList labels = view.valueLabels();
        QVERIFY2(labels.size() >= 3, qPrintable(labels.join(QLatin1Char(' '))));
        const double step = labels.at(1).toDouble() - labels.at(0).toDouble();
        QVERIFY2(QList<double>({5, 10, 20, 25}).contains(step), qPrintable(labels.join(QLatin1Char(' '))));
        for (const QString &label : labels)
            QVERIFY2(!label.contains(QLatin1Char('e')) && std::fmod(label.toDouble(), step) == 0, qPrintable(label));
        // The unit is the axis title.
        QCOMPARE(y->titleText(), QStringLiteral("%"));
        view.setModel(m_series.get());
    }

    void timeAxisTicksOnRoundTimes()
    {
        ChartWidget &view = *m_view;
        const QList<qint64> roundSteps{10000, 15000, 30000, kMinute, 2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute,
                                       60 * kMinute, 120 * kMinute, 180 * kMinute, 360 * kMinute, 720 * kMinute};
        for (qint64 window : {5 * kMinute, 15 * kMinute, 60 * kMinute, 6 * 60 * kMinute, 24 * 60 * kMinute}) {
            view.setWindowMs(window);
            const QList<qint64> ticks = view.timeTicks();
            QVERIFY(ticks.size() >= 2);
            const qint64 step = ticks.at(1) - ticks.at(0);
            QVERIFY2(roundSteps.contains(step), qPrintable(QString::number(step)));
            // As many labels as fit side by side, no more.
            const QFontMetricsF fm(view.chart()->axes(Qt::Horizontal).constFirst()->labelsFont());
            const double pixelsPerStep = view.chart()->plotArea().width() * double(step) / double(window);
            QVERIFY2(pixelsPerStep >= fm.horizontalAdvance(view.timeLabels().constFirst()) + 4, qPrintable(QString::number(pixelsPerStep)));
            const QStringList labels = view.timeLabels();
            for (int i = 0; i < ticks.size(); ++i) {
                const QDateTime at = QDateTime::fromMSecsSinceEpoch(ticks.at(i));
                const QTime time = at.time();
                QCOMPARE(time.msec(), 0);
                const qint64 secondOfDay = time.msecsSinceStartOfDay() / 1000;
                QCOMPARE(secondOfDay % (std::min<qint64>(step, 60 * kMinute) / 1000), 0); // on the minute, the quarter, the hour
                if (i > 0)
                    QCOMPARE(ticks.at(i) - ticks.at(i - 1), step);
                if (time != QTime(0, 0))
                    QCOMPARE(labels.at(i), at.toString(step < kMinute ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm")));
            }
        }
    }

    void readableAtTheSmallestSizeInChinese()
    {
        // The size each chart gets in the panel of a 1024×640 main window (tst_mainwindow's
        // chartsFitTheSmallestWindow measures it), in the language with the tallest glyphs.
        const QLocale before;
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
        TimeSeriesModel model({QStringLiteral("s"), QStringLiteral("c")});
        for (qint64 t = m_now - 24 * 60 * kMinute; t <= m_now; t += 5000) {
            const bool silent = t > m_now - 9 * kMinute && t < m_now - 6 * kMinute;
            model.append(t, {0.02, silent ? NAN : 12.5 + 12.5 * std::sin(double(t) / 60000.0)});
        }
        ChartWidget view(QStringLiteral("错误率 (%)"), QStringLiteral("%"),
                         {{QStringLiteral("s"), QStringLiteral("稳定版"), Palette::stable()},
                          {QStringLiteral("c"), QStringLiteral("金丝雀"), Palette::canary()}});
        view.setModel(&model);
        view.setMarkers(m_markers.get());
        view.resize(kSmallestChart);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (qint64 window : {5 * kMinute, 15 * kMinute, 60 * kMinute, 6 * 60 * kMinute, 24 * 60 * kMinute}) {
            view.setWindowMs(window);
            // After the chart's layout pass.
            QTRY_VERIFY(renderedTimeLabels(view).size() >= 2 && renderedValueLabels(view).size() >= 2);
            const auto texts = renderedTexts(view);
            for (const auto &[text, rect] : texts)
                QVERIFY2(!elided(text), qPrintable(QStringLiteral("%1 min: \"%2\"").arg(window / kMinute).arg(text)));
            const QStringList times = renderedTimeLabels(view);
            QVERIFY2(times.size() >= 2, qPrintable(QStringLiteral("%1 min: %2").arg(window / kMinute).arg(times.join(QLatin1Char(' ')))));
            static const QRegularExpression hhmm(QStringLiteral("^(\\d\\d:\\d\\d(:\\d\\d)?|\\d\\d-\\d\\d)$"));
            for (const QString &t : times)
                QVERIFY2(hhmm.match(t).hasMatch(), qPrintable(t));
            const QStringList values = renderedValueLabels(view);
            for (const QString &v : values) {
                bool ok = false;
                v.toDouble(&ok);
                QVERIFY2(ok, qPrintable(v));
            }
        }
        QLocale::setDefault(before);
    }

private:
    // What a chart gets in a 1024×640 main window.
    static constexpr QSize kSmallestChart{330, 150};

    qint64 m_now = 0;
    std::unique_ptr<TimeSeriesModel> m_series;
    std::unique_ptr<ChartMarkerModel> m_markers;
    std::unique_ptr<ChartWidget> m_view;
};

QTEST_MAIN(TestChartWidget)
#include "tst_chartwidget.moc"
