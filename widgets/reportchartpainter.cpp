#include "reportchartpainter.h"

#include "axisticks.h"
#include "palette.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace Switchboard {

namespace {

struct ReportSeries
{
    QString name;
    QColor colour;
    Qt::PenStyle style = Qt::SolidLine;
    QList<QPair<qint64, double>> points;
};

QList<QPair<qint64, double>> reportColumn(const QList<TimeSeriesModel::Row> &rows, const QStringList &columns, const QString &name)
{
    QList<QPair<qint64, double>> out;
    const int c = int(columns.indexOf(name));
    if (c < 0)
        return out;
    for (const TimeSeriesModel::Row &r : rows)
        out.append({r.timeMs, c < r.values.size() ? r.values.at(c) : unknown()});
    return out;
}

QString reportChartTr(const char *text)
{
    return QCoreApplication::translate("ReportChartPainter", text);
}

} // namespace

QString ReportChartPainter::caption(Chart chart)
{
    switch (chart) {
    case Chart::ErrorRatio: return reportChartTr("Error ratio (%)");
    case Chart::P99: return reportChartTr("p99 latency (ms)");
    case Chart::Rps: return reportChartTr("Requests/s");
    case Chart::Weight: return reportChartTr("Canary weight (%): set, and measured (dashed)");
    }
    return {};
}

QImage ReportChartPainter::render(const RolloutReportData &d, Chart chart, const QSize &size)
{
    QList<ReportSeries> series;
    auto health = [&](const char *stable, const char *canary) {
        series.append(ReportSeries{reportChartTr("stable"), Palette::stable(), Qt::SolidLine,
                       reportColumn(d.health, d.healthColumns, QLatin1String(stable))});
        series.append(ReportSeries{reportChartTr("canary"), Palette::canary(), Qt::SolidLine,
                       reportColumn(d.health, d.healthColumns, QLatin1String(canary))});
    };
    switch (chart) {
    case Chart::ErrorRatio: health("stableErrorPct", "canaryErrorPct"); break;
    case Chart::P99: health("stableP99Ms", "canaryP99Ms"); break;
    case Chart::Rps: health("stableRps", "canaryRps"); break;
    case Chart::Weight:
        series.append(ReportSeries{reportChartTr("set"), Palette::canary(), Qt::SolidLine,
                       reportColumn(d.split, d.splitColumns, QStringLiteral("setCanaryPct"))});
        series.append(ReportSeries{reportChartTr("measured"), Palette::canary(), Qt::DashLine,
                       reportColumn(d.split, d.splitColumns, QStringLiteral("measuredCanaryPct"))});
        break;
    }
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const ReportSeries &s : series)
        for (const auto &p : s.points)
            if (isKnown(p.second)) {
                lo = std::min(lo, p.second);
                hi = std::max(hi, p.second);
            }
    if (!std::isfinite(lo) || d.toMs <= d.fromMs)
        return {};
    const ValueTicks vt = chart == Chart::Weight ? fixedValueTicks(0, 100, 6) : valueTicks(lo, hi, 6);

    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPixelSize(15);
    p.setFont(font);
    const QRect plot(80, 40, size.width() - 110, size.height() - 90);
    auto x = [&](qint64 t) { return plot.left() + double(t - d.fromMs) / double(d.toMs - d.fromMs) * plot.width(); };
    auto y = [&](double v) { return plot.bottom() - (v - vt.lo) / (vt.hi - vt.lo) * plot.height(); };

    p.setPen(Qt::black);
    p.drawText(QRect(plot.left(), 4, plot.width(), 30), Qt::AlignLeft | Qt::AlignVCenter, caption(chart));
    p.setPen(QColor(0xdd, 0xdd, 0xdd));
    for (int i = 0; i < vt.values.size(); ++i) {
        const double yy = y(vt.values.at(i));
        p.setPen(QColor(0xdd, 0xdd, 0xdd));
        p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy));
        p.setPen(Qt::darkGray);
        p.drawText(QRectF(0, yy - 10, plot.left() - 8, 20), Qt::AlignRight | Qt::AlignVCenter, vt.labels.value(i));
    }
    const TimeTicks tt = timeTicks(d.fromMs, d.toMs, 8, 0); // UTC, like every time in the report
    for (int i = 0; i < tt.timesMs.size(); ++i) {
        const double xx = x(tt.timesMs.at(i));
        p.setPen(QColor(0xee, 0xee, 0xee));
        p.drawLine(QPointF(xx, plot.top()), QPointF(xx, plot.bottom()));
        p.setPen(Qt::darkGray);
        p.drawText(QRectF(xx - 50, plot.bottom() + 4, 100, 20), Qt::AlignHCenter | Qt::AlignTop, tt.labels.value(i));
    }
    p.setPen(Qt::gray);
    p.drawRect(plot);

    // Markers under the lines: what the rollout did, when.
    const RolloutRecord &r = d.record;
    auto marker = [&](qint64 t, const QColor &c, Qt::PenStyle style, const QString &label, int row) {
        if (t < d.fromMs || t > d.toMs)
            return;
        const double xx = x(t);
        p.setPen(QPen(c, 2, style));
        p.drawLine(QPointF(xx, plot.top()), QPointF(xx, plot.bottom()));
        if (!label.isEmpty()) {
            p.setPen(c);
            p.drawText(QRectF(xx + 3, plot.top() + 2 + row * 17, 160, 17), Qt::AlignLeft | Qt::AlignVCenter, label);
        }
    };
    for (int i = 0; i < r.steps.size(); ++i)
        marker(r.steps.at(i).timeMs, Palette::neutral(), Qt::SolidLine, r.steps.at(i).label, i % 3);
    for (const RolloutRecord::Gate &g : r.gates)
        if (g.outcome.compare(QStringLiteral("fail"), Qt::CaseInsensitive) == 0)
            marker(g.timeMs, Palette::danger(), Qt::SolidLine, reportChartTr("%1 fail").arg(g.gate), 3);
        else if (g.outcome.compare(QStringLiteral("pass"), Qt::CaseInsensitive) == 0)
            marker(g.timeMs, Palette::ok(), Qt::DotLine, QString(), 0);
    for (const RolloutRecord::Action &a : r.actions)
        if (a.action == QStringLiteral("rollback"))
            marker(a.timeMs, Palette::danger(), Qt::DashLine, reportChartTr("rollback"), 4);

    p.save();
    p.setClipRect(plot);
    for (const ReportSeries &s : series) {
        p.setPen(QPen(s.colour, 3.5, s.style));
        QPainterPath path;
        bool drawing = false;
        for (const auto &pt : s.points) {
            if (!isKnown(pt.second)) {
                drawing = false; // a gap stays a gap
                continue;
            }
            const QPointF at(x(pt.first), y(pt.second));
            if (drawing)
                path.lineTo(at);
            else
                path.moveTo(at);
            drawing = true;
        }
        p.drawPath(path);
    }
    p.restore();

    int lx = plot.left();
    for (const ReportSeries &s : series) {
        p.setPen(QPen(s.colour, 3, s.style));
        p.drawLine(lx, size.height() - 18, lx + 26, size.height() - 18);
        p.setPen(Qt::black);
        p.drawText(QRect(lx + 32, size.height() - 28, 120, 20), Qt::AlignLeft | Qt::AlignVCenter, s.name);
        lx += 150;
    }
    p.setPen(Palette::neutral());
    p.drawText(QRect(lx, size.height() - 28, plot.right() - lx, 20), Qt::AlignLeft | Qt::AlignVCenter,
               reportChartTr("markers: steps (slate), gate fail (red), pass (green dotted), rollback (red dashed); times UTC"));
    return image;
}

} // namespace Switchboard
