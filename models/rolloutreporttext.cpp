#include "rolloutreporttext.h"

#include "analysisgate.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimeZone>

namespace Switchboard {

namespace {

QString reportTr(const char *text)
{
    return QCoreApplication::translate("RolloutReport", text);
}

// One table as rows of cells; the first row is the header.
using ReportTable = QList<QStringList>;

QString mdCell(QString s)
{
    return s.replace(QLatin1Char('|'), QStringLiteral("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

QString mdTable(const ReportTable &t)
{
    if (t.size() < 2)
        return reportTr("(none recorded)") + QLatin1String("\n");
    QString out;
    for (int r = 0; r < t.size(); ++r) {
        QStringList cells;
        for (const QString &c : t.at(r))
            cells << mdCell(c);
        out += QLatin1String("| ") + cells.join(QLatin1String(" | ")) + QLatin1String(" |\n");
        if (r == 0)
            out += QLatin1String("|") + QStringLiteral(" --- |").repeated(int(t.at(0).size())) + QLatin1String("\n");
    }
    return out;
}

QString htmlTable(const ReportTable &t)
{
    if (t.size() < 2)
        return QLatin1String("<p>") + reportTr("(none recorded)").toHtmlEscaped() + QLatin1String("</p>");
    QString out = QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">");
    for (int r = 0; r < t.size(); ++r) {
        out += QLatin1String("<tr>");
        for (const QString &c : t.at(r))
            out += (r == 0 ? QLatin1String("<th align=\"left\">") : QLatin1String("<td>")) + c.toHtmlEscaped()
                   + (r == 0 ? QLatin1String("</th>") : QLatin1String("</td>"));
        out += QLatin1String("</tr>");
    }
    return out + QLatin1String("</table>");
}

QString reportWho(const RolloutRecord::Action &a)
{
    return a.pid > 0 ? QStringLiteral("%1 (pid %2)").arg(a.user).arg(a.pid) : a.user;
}

struct ReportParts
{
    QList<QPair<QString, QString>> facts; // label, value
    ReportTable steps;
    ReportTable gates;
    ReportTable actions;
};

ReportParts reportParts(const RolloutReportData &d)
{
    const RolloutRecord &r = d.record;
    ReportParts p;
    p.facts = {{reportTr("Target"), QStringLiteral("%1 (%2)").arg(r.target, d.kind.isEmpty() ? reportTr("kind unknown") : d.kind)},
               {reportTr("Rollout"), r.id},
               {reportTr("Plan"), QStringLiteral("%1 (%2)").arg(r.plan, r.strategy)},
               {reportTr("Steps planned"), r.summary},
               {reportTr("Started"), QStringLiteral("%1 by %2").arg(RolloutReportText::time(r.startMs), r.startedBy)},
               {reportTr("Ended"), r.isFinished() ? QStringLiteral("%1 (%2 after the start)").arg(RolloutReportText::time(r.endMs),
                                                                                                  RolloutReportText::offset(r.endMs - r.startMs))
                                                  : reportTr("no end recorded")},
               {reportTr("Outcome"), r.outcomeReason.isEmpty() || r.outcomeReason == r.outcome
                                         ? r.outcome
                                         : QStringLiteral("%1: %2").arg(r.outcome, r.outcomeReason)}};
    p.steps.append(QStringList{reportTr("Step"), reportTr("What"), reportTr("Entered (UTC)"), reportTr("Since start")});
    for (const RolloutRecord::Step &s : r.steps)
        p.steps.append(QStringList{QString::number(s.number), s.label, RolloutReportText::time(s.timeMs), RolloutReportText::offset(s.timeMs - r.startMs)});
    p.gates.append(QStringList{reportTr("Time (UTC)"), reportTr("Gate"), reportTr("Outcome"), reportTr("Canary"), reportTr("Stable"),
                    reportTr("Threshold"), reportTr("Canary requests"), reportTr("Failures"), reportTr("Detail")});
    for (const RolloutRecord::Gate &g : r.gates)
        p.gates.append(QStringList{RolloutReportText::time(g.timeMs), QStringLiteral("%1 (%2)").arg(g.gate, g.metric), g.outcome,
                        RolloutReportText::gateValue(g.metric, g.canary), RolloutReportText::gateValue(g.metric, g.stable),
                        RolloutReportText::gateValue(g.metric, g.threshold),
                        isKnown(g.canaryRequests) ? QString::number(g.canaryRequests, 'f', 0) : QStringLiteral("—"),
                        QStringLiteral("%1/%2").arg(g.consecutiveFailures).arg(g.failureLimit), g.text});
    p.actions.append(QStringList{reportTr("Time (UTC)"), reportTr("Who"), reportTr("Action"), reportTr("Result"), reportTr("Canary"),
                      reportTr("Why")});
    for (const RolloutRecord::Action &a : r.actions) {
        if (a.action == QStringLiteral("rollout-gate"))
            continue; // in the gate table, with their numbers
        p.actions.append(QStringList{RolloutReportText::time(a.timeMs), reportWho(a), a.action, a.result, RolloutReportText::percent(a.canaryPercent),
                          a.reason});
    }
    return p;
}

} // namespace

QString RolloutReportText::time(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("—");
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QLatin1String(" UTC");
}

QString RolloutReportText::offset(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms) / 1000;
    if (s >= 3600)
        return QStringLiteral("+%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("+%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString RolloutReportText::gateValue(const QString &metric, double v)
{
    if (!isKnown(v))
        return QStringLiteral("—");
    GateSpec::Metric m;
    if (!metricFromName(metric, &m))
        return QString::number(v, 'g', 4);
    return formatMetric(m, v);
}

QString RolloutReportText::percent(double v)
{
    return isKnown(v) ? QString::number(v, 'g', 4) + QLatin1Char('%') : QStringLiteral("—");
}

QString RolloutReportText::title(const RolloutReportData &data)
{
    return reportTr("Rollout report: %1, plan %2").arg(data.record.target, data.record.plan);
}

QString RolloutReportText::markdown(const RolloutReportData &d, const QList<Chart> &charts)
{
    const ReportParts p = reportParts(d);
    QString out = QStringLiteral("# %1\n\n").arg(title(d));
    for (const auto &[label, value] : p.facts)
        out += QStringLiteral("- **%1:** %2\n").arg(label, mdCell(value));
    out += QStringLiteral("\n## %1\n\n").arg(reportTr("Steps")) + mdTable(p.steps);
    out += QStringLiteral("\n## %1\n\n").arg(reportTr("Gate results")) + mdTable(p.gates);
    out += QStringLiteral("\n## %1\n\n").arg(reportTr("Actions (who and why)")) + mdTable(p.actions);
    out += QStringLiteral("\n## %1\n\n").arg(reportTr("Charts"));
    if (!d.chartNote.isEmpty())
        out += d.chartNote + QLatin1String("\n\n");
    for (const Chart &c : charts)
        out += QStringLiteral("![%1](%2)\n\n").arg(c.caption, c.source);
    out += QStringLiteral("\n---\n%1\n").arg(reportTr("Generated %1 from %2. Times are UTC.").arg(time(d.generatedMs), d.auditPath));
    return out;
}

QString RolloutReportText::html(const RolloutReportData &d, const QList<Chart> &charts)
{
    const ReportParts p = reportParts(d);
    QString out = QStringLiteral("<html><head><meta charset=\"utf-8\"><title>%1</title></head><body>").arg(title(d).toHtmlEscaped());
    out += QStringLiteral("<h1>%1</h1><table cellpadding=\"2\">").arg(title(d).toHtmlEscaped());
    for (const auto &[label, value] : p.facts)
        out += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(label.toHtmlEscaped(), value.toHtmlEscaped());
    out += QLatin1String("</table>");
    out += QStringLiteral("<h2>%1</h2>").arg(reportTr("Steps").toHtmlEscaped()) + htmlTable(p.steps);
    out += QStringLiteral("<h2>%1</h2>").arg(reportTr("Gate results").toHtmlEscaped()) + htmlTable(p.gates);
    out += QStringLiteral("<h2>%1</h2>").arg(reportTr("Actions (who and why)").toHtmlEscaped()) + htmlTable(p.actions);
    out += QStringLiteral("<h2>%1</h2>").arg(reportTr("Charts").toHtmlEscaped());
    if (!d.chartNote.isEmpty())
        out += QStringLiteral("<p>%1</p>").arg(d.chartNote.toHtmlEscaped());
    for (const Chart &c : charts)
        out += QStringLiteral("<p><img src=\"%1\" width=\"640\"><br><i>%2</i></p>").arg(c.source.toHtmlEscaped(), c.caption.toHtmlEscaped());
    out += QStringLiteral("<hr><p><small>%1</small></p></body></html>")
               .arg(reportTr("Generated %1 from %2. Times are UTC.").arg(time(d.generatedMs), d.auditPath).toHtmlEscaped());
    return out;
}

} // namespace Switchboard
