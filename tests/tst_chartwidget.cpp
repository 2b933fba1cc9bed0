// ChartWidget's markers (offscreen): one vertical line per marker inside the window, at the x of
// its time on the axis and spanning the plot area, in its kind's colour; none for markers
// outside the window; they follow model changes, a window change and a resize.
#include "chartmarkermodel.h"
#include "chartwidget.h"
#include "palette.h"
#include "timeseriesmodel.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLineItem>
#include <QHelpEvent>
#include <QTest>
#include <QToolTip>

#include <cmath>

using namespace Switchboard;
using Kind = ChartMarkerModel::Kind;

namespace {

constexpr qint64 kMinute = 60 * 1000;

// Where time `t` is on the chart's x axis, from the axis range and the plot area alone.
qreal expectedX(ChartWidget &view, qint64 t)
{
    auto *axis = qobject_cast<QDateTimeAxis *>(view.chart()->axes(Qt::Horizontal).constFirst());
    const double lo = double(axis->min().toMSecsSinceEpoch());
    const double hi = double(axis->max().toMSecsSinceEpoch());
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

private:
    qint64 m_now = 0;
    std::unique_ptr<TimeSeriesModel> m_series;
    std::unique_ptr<ChartMarkerModel> m_markers;
    std::unique_ptr<ChartWidget> m_view;
};

QTEST_MAIN(TestChartWidget)
#include "tst_chartwidget.moc"
