#pragma once
// One evidence report from start to file: reads the audit log, rebuilds the target's rollouts
// (RolloutHistory), picks one (the last, or by id), cuts the metric rows to its window and writes
// the report (ReportWriter). Only values in and out, so it runs on a worker thread (the GUI's
// "Export report…") or in the CLI (`switchboard report`).

#include "timeseriesmodel.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

class ReportExport final
{
public:
    struct Request
    {
        QString auditPath;
        QString target;
        QString kind;
        QString rolloutId; // empty: the target's last rollout
        QString outPath;
        qint64 nowMs = 0;
        // The target's chart rows (TargetController::healthHistory(), splitHistory()); the
        // window's are kept.
        QStringList healthColumns;
        QList<TimeSeriesModel::Row> health;
        QStringList splitColumns;
        QList<TimeSeriesModel::Row> split;
        QString chartNote; // why there are no rows, when known (e.g. the metrics layer's error)
    };
    struct Result
    {
        bool ok = false;
        QString error; // one line
        QString rolloutId;
        QString outcome;
        QStringList files;
    };

    static Result run(const Request &request);
};

} // namespace Switchboard
