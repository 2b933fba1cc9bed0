#pragma once
// Writes a rollout's evidence report (RolloutReportText with ReportChartPainter's charts) as
// PDF (QTextDocument on a QPdfWriter), HTML (charts inline) or Markdown (charts as PNG files
// next to it), by the file's extension. Every file is written atomically (QSaveFile). Touches
// no widget: call it on a worker thread, as the GUI and the CLI do.

#include "rolloutreportdata.h"

#include <QString>

namespace Switchboard {

class ReportWriter final
{
public:
    enum class Format { Pdf, Html, Markdown, Unknown };
    static Format formatOf(const QString &path);

    // False with *error (naming the file) when it cannot be written or the extension is not
    // .pdf, .html/.htm or .md. *written lists every file made (the report and its charts).
    static bool write(const RolloutReportData &data, const QString &path, QString *error, QStringList *written = nullptr);
};

} // namespace Switchboard
