#include "reportexport.h"

#include "reportwriter.h"
#include "rollouthistory.h"
#include "rolloutreportdata.h"

namespace Switchboard {

namespace {

QList<TimeSeriesModel::Row> reportRowsIn(const QList<TimeSeriesModel::Row> &rows, qint64 fromMs, qint64 toMs)
{
    QList<TimeSeriesModel::Row> out;
    for (const TimeSeriesModel::Row &r : rows)
        if (r.timeMs >= fromMs && r.timeMs <= toMs)
            out.append(r);
    return out;
}

} // namespace

ReportExport::Result ReportExport::run(const Request &request)
{
    Result result;
    if (ReportWriter::formatOf(request.outPath) == ReportWriter::Format::Unknown) {
        result.error = QStringLiteral("%1: the report is written as .pdf, .html or .md").arg(request.outPath);
        return result;
    }
    QList<QJsonObject> entries;
    if (!RolloutHistory::readFile(request.auditPath, &entries, &result.error))
        return result;
    const QList<RolloutRecord> rollouts = RolloutHistory::forTarget(RolloutHistory::fromEntries(entries), request.target);
    const RolloutRecord *record = nullptr;
    if (request.rolloutId.isEmpty()) {
        if (!rollouts.isEmpty())
            record = &rollouts.constLast();
    } else {
        record = RolloutHistory::find(rollouts, request.rolloutId);
    }
    if (!record) {
        result.error = request.rolloutId.isEmpty()
            ? QStringLiteral("no rollout of %1 in the audit log %2").arg(request.target, request.auditPath)
            : QStringLiteral("no rollout %1 of %2 in the audit log %3").arg(request.rolloutId, request.target, request.auditPath);
        return result;
    }
    RolloutReportData data;
    data.record = *record;
    data.kind = request.kind;
    data.auditPath = request.auditPath;
    data.generatedMs = request.nowMs;
    data.setWindowFor(request.nowMs);
    data.healthColumns = request.healthColumns;
    data.health = reportRowsIn(request.health, data.fromMs, data.toMs);
    data.splitColumns = request.splitColumns;
    data.split = reportRowsIn(request.split, data.fromMs, data.toMs);
    data.chartNote = request.chartNote;
    result.rolloutId = record->id;
    result.outcome = record->outcome;
    result.ok = ReportWriter::write(data, request.outPath, &result.error, &result.files);
    return result;
}

} // namespace Switchboard
