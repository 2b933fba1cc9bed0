#pragma once
// `switchboard report --target NAME [--last | --rollout ID] --out FILE.pdf|.html|.md`: a rollout's
// evidence report from the audit log, with the charts of its window from the target's metrics
// layer. Needs a QGuiApplication (fonts, images); main() makes one on the offscreen platform.

#include <QStringList>

namespace Switchboard {

class ReportCommand final
{
public:
    static bool isReportVerb(const QString &arg) { return arg == QStringLiteral("report"); }
    // Returns the exit code: 0 written, 2 any error (one line on stderr).
    static int run(const QStringList &arguments);
};

} // namespace Switchboard
