#pragma once
// Everything an evidence report of one rollout shows, gathered before it is written: the
// rollout as the audit log tells it and the metrics of its window (the charts' rows). A value:
// gathered where the data lives, written on a worker thread.

#include "rolloutrecord.h"
#include "timeseriesmodel.h"

#include <QList>
#include <QString>

namespace Switchboard {

struct RolloutReportData
{
    RolloutRecord record;
    QString kind;      // the target's kind
    QString auditPath; // where the record came from
    qint64 generatedMs = 0;
    // The window the charts show: the rollout's, with a margin either side.
    qint64 fromMs = 0;
    qint64 toMs = 0;
    // Rows as TargetController::healthHistory() and splitHistory() hold them, within the window.
    QStringList healthColumns;
    QList<TimeSeriesModel::Row> health;
    QStringList splitColumns;
    QList<TimeSeriesModel::Row> split;
    QString chartNote; // why there is no metric data, when there is none

    // The window around `record` (a minute either side; an unfinished rollout up to `nowMs`).
    void setWindowFor(qint64 nowMs);
};

} // namespace Switchboard
