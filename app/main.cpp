// Switchboard: one binary for the GUI and the headless verbs (CONTRACTS.md).

#include "auditlogwatcher.h"
#include "cli.h"
#include "mainwindow.h"
#include "presetstore.h"
#include "targetlistmodel.h"
#include "targetpanelwidget.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

using namespace Switchboard;

namespace {

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("switchboard"));
    QApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Switchboard: shift live traffic between a stable and a canary version and watch both.\n\n"
        "Headless verbs (see `switchboard VERB --help`):\n"
        "  status --target NAME [--json]\n"
        "  set-weight --target NAME --canary PCT\n"
        "  promote --target NAME --full\n"
        "  rollback --target NAME\n"
        "  run --target NAME --preset NAME"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open on the built-in simulator."));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Folder holding targets.json."), QStringLiteral("DIR"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save the main window to FILE and quit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption afterMs(QStringLiteral("after-ms"), QStringLiteral("With --screenshot: wait this long first."),
                                     QStringLiteral("N"), QStringLiteral("2000"));
    const QCommandLineOption target(QStringLiteral("target"), QStringLiteral("Select this target at start."), QStringLiteral("NAME"));
    parser.addOptions({demo, config, screenshot, afterMs, target});
    parser.process(app);

    Workspace::Options opts;
    opts.demo = parser.isSet(demo);
    opts.configDir = parser.value(config);
    Workspace ws(opts);
    for (const QString &p : ws.problems())
        std::fprintf(stderr, "switchboard: %s\n", qPrintable(p));

    TargetListModel targets;
    targets.setControllers(ws.controllers());
    PresetStore presets;
    MainWindow window(&targets, ws.events(), &presets, messageBoxConfirm(nullptr));
    window.setAuditLogPath(ws.audit()->path());
    window.panel()->setTargetsPath(ws.usedFallback() || opts.demo ? QString() : ws.targetsPath());
    if (!ws.problems().isEmpty())
        window.showStartupProblem(ws.problems().join(QStringLiteral(" · ")));
    for (int i = 0; i < ws.controllers().size(); ++i)
        if (ws.controllers().at(i)->name() == parser.value(target))
            window.selectTarget(i);
    for (TargetController *c : ws.controllers())
        c->start();
    // Actions other Switchboard processes take show in this window's event log.
    AuditLogWatcher auditWatcher(ws.audit()->path(), ws.events());
    auditWatcher.start();
    window.show();

    int exitCode = 0;
    if (parser.isSet(screenshot)) {
        bool ok = false;
        const int wait = parser.value(afterMs).toInt(&ok);
        if (!ok || wait < 0) {
            std::fprintf(stderr, "switchboard: --after-ms must be a whole number of milliseconds\n");
            return 2;
        }
        const QString file = parser.value(screenshot);
        QTimer::singleShot(wait, &window, [&window, &exitCode, file] {
            if (!window.grab().save(file)) {
                std::fprintf(stderr, "switchboard: cannot write screenshot %s\n", qPrintable(file));
                exitCode = 2;
            }
            QApplication::quit();
        });
    }
    const int rc = app.exec();
    return exitCode ? exitCode : rc;
}

} // namespace

int main(int argc, char **argv)
{
    // Headless verbs need no display: decide before any QGuiApplication exists.
    if (argc > 1 && Cli::isCliVerb(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("switchboard"));
        QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));
        return Cli::run(QCoreApplication::arguments());
    }
    return runGui(argc, argv);
}
