#pragma once
// The evidence report of one rollout as text: Markdown for wikis, HTML for browsers and for the
// PDF (QTextDocument renders it). Target, plan, each step with its time, each gate result with
// its numbers, every action with who and why, the outcome, and the charts (their images are
// made elsewhere and only referenced here). Times are UTC, as in the audit log.

#include "rolloutreportdata.h"

#include <QString>
#include <QStringList>

namespace Switchboard {

class RolloutReportText final
{
public:
    // `charts`: image references (file names, data: URIs or QTextDocument resource names) with
    // their captions, in the order they are shown.
    struct Chart
    {
        QString source;
        QString caption;
    };

    static QString markdown(const RolloutReportData &data, const QList<Chart> &charts);
    static QString html(const RolloutReportData &data, const QList<Chart> &charts);

    // The pieces both share (also what a test compares with the audit log).
    static QString time(qint64 ms);          // "2026-12-01 10:42:03 UTC"
    static QString offset(qint64 ms);        // "+1:05" since the start
    static QString gateValue(const QString &metric, double v); // "20.1%", "48.2 ms", "—" when unknown
    static QString percent(double v);        // "25%", "—" when unknown
    static QString title(const RolloutReportData &data);
};

} // namespace Switchboard
