#include "reportcommand.h"

#include "reportexport.h"
#include "rollouthistory.h"
#include "targetcontroller.h"
#include "timeseriesmodel.h"
#include "workspace.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QEventLoop>
#include <QTimeZone>
#include <QTimer>

#include <cstdio>

namespace Switchboard {

namespace {

int reportFail(const QString &message)
{
    std::fprintf(stderr, "switchboard: %s\n", qPrintable(message));
    return 2;
}

// Metrics further back than this are not asked for (the simulator and most Prometheus setups
// keep about a day at the resolution a chart needs).
constexpr qint64 reportMaxBackfillMs = 24LL * 3600 * 1000;
constexpr int reportMetricsWaitMs = 15000;

} // namespace

int ReportCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Writes a rollout's evidence report (PDF, HTML or Markdown by the extension)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("verb"), QStringLiteral("report"));
    const QCommandLineOption target(QStringLiteral("target"), QStringLiteral("Target name."), QStringLiteral("NAME"));
    const QCommandLineOption last(QStringLiteral("last"), QStringLiteral("The target's last rollout (the default)."));
    const QCommandLineOption rollout(QStringLiteral("rollout"), QStringLiteral("The rollout with this id."), QStringLiteral("ID"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("FILE.pdf, FILE.html or FILE.md."), QStringLiteral("FILE"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Folder holding targets.json."), QStringLiteral("DIR"));
    const QCommandLineOption readOnly(QStringLiteral("read-only"), QStringLiteral("Accepted for symmetry: report writes nothing to targets."));
    const QCommandLineOption list(QStringLiteral("list"), QStringLiteral("Print the target's rollouts (id, start, outcome) instead."));
    parser.addOptions({target, last, rollout, out, config, readOnly, list});
    if (!parser.parse(arguments))
        return reportFail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (!parser.isSet(target))
        return reportFail(QStringLiteral("report needs --target NAME"));
    if (parser.isSet(last) && parser.isSet(rollout))
        return reportFail(QStringLiteral("report takes --last or --rollout ID, not both"));
    if (!parser.isSet(out) && !parser.isSet(list))
        return reportFail(QStringLiteral("report needs --out FILE.pdf (or .html, .md)"));

    Workspace::Options opts;
    opts.configDir = parser.value(config);
    opts.readOnly = true; // a report never acts on a target
    Workspace ws(opts);
    const QString name = parser.value(target);
    ReportExport::Request request;
    request.auditPath = ws.audit()->path();
    request.target = name;
    request.rolloutId = parser.value(rollout);
    request.outPath = parser.value(out);
    request.nowMs = QDateTime::currentMSecsSinceEpoch();

    // Which rollout, and so which window the charts need.
    QList<QJsonObject> entries;
    QString error;
    if (!RolloutHistory::readFile(request.auditPath, &entries, &error))
        return reportFail(error);
    const QList<RolloutRecord> rollouts = RolloutHistory::forTarget(RolloutHistory::fromEntries(entries), name);
    if (parser.isSet(list)) {
        for (const RolloutRecord &r : rollouts)
            std::printf("%s  %s  %s  %s  %s\n", qPrintable(r.id),
                        qPrintable(QDateTime::fromMSecsSinceEpoch(r.startMs, Qt::UTC).toString(Qt::ISODate)),
                        qPrintable(r.plan), qPrintable(r.startedBy), qPrintable(r.outcome));
        return 0;
    }
    const RolloutRecord *record = request.rolloutId.isEmpty() ? (rollouts.isEmpty() ? nullptr : &rollouts.constLast())
                                                              : RolloutHistory::find(rollouts, request.rolloutId);
    if (!record)
        return reportFail(request.rolloutId.isEmpty()
                              ? QStringLiteral("no rollout of %1 in the audit log %2").arg(name, request.auditPath)
                              : QStringLiteral("no rollout %1 of %2 in the audit log %3").arg(request.rolloutId, name, request.auditPath));

    TargetController *c = ws.find(name);
    if (!c) {
        const QString why = ws.targetError(name);
        request.chartNote = why.isEmpty() ? QStringLiteral("%1 is not in targets.json now: no metrics to chart").arg(name)
                                          : QStringLiteral("no metrics: %1").arg(why);
    } else if (!c->hasMetrics()) {
        request.kind = c->config().kind;
        request.chartNote = QStringLiteral("no metrics layer configured for this target");
    } else {
        request.kind = c->config().kind;
        const qint64 back = request.nowMs - record->startMs + 2 * 60 * 1000;
        if (back > reportMaxBackfillMs) {
            request.chartNote = QStringLiteral("the rollout is older than a day: its metrics were not asked for");
        } else {
            QEventLoop loop;
            QTimer::singleShot(reportMetricsWaitMs, &loop, &QEventLoop::quit);
            QObject::connect(c, &TargetController::healthChanged, &loop, &QEventLoop::quit);
            c->backfill(back);
            loop.exec();
            if (c->healthHistory()->rows().isEmpty())
                request.chartNote = c->metricsError().isEmpty()
                    ? QStringLiteral("the metrics layer did not answer within %1 ms").arg(reportMetricsWaitMs)
                    : QStringLiteral("no metrics: %1").arg(c->metricsError());
        }
        request.healthColumns = c->healthHistory()->valueColumns();
        request.health = c->healthHistory()->rows();
        request.splitColumns = c->splitHistory()->valueColumns();
        request.split = c->splitHistory()->rows();
    }
    request.rolloutId = record->id;
    const ReportExport::Result result = ReportExport::run(request);
    if (!result.ok)
        return reportFail(result.error);
    std::printf("report of rollout %s on %s (%s) written to %s\n", qPrintable(result.rolloutId), qPrintable(name),
                qPrintable(result.outcome), qPrintable(result.files.join(QStringLiteral(", "))));
    return 0;
}

} // namespace Switchboard
