// Switchboard: one binary for the GUI and the headless verbs (CONTRACTS.md).

#include "auditlogwatcher.h"
#include "backendhost.h"
#include "cli.h"
#include "fleettablemodel.h"
#include "languagesetup.h"
#include "desktopalerts.h"
#include "mainwindow.h"
#include "presetlibrary.h"
#include "reportcommand.h"
#include "targetlistmodel.h"
#include "targetpanelwidget.h"
#include "workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

using namespace Switchboard;

namespace {

// How long quitting waits for audit entries still being written.
constexpr int kAuditDrainMs = 5000;

// The GUI's options, shared by the GUI and by --help/--version (which need no display). Their
// descriptions follow the GUI's language; the CLI verbs' help stays English.
struct GuiOptions
{
    QCommandLineOption demo{QStringLiteral("demo"), QCoreApplication::translate("main", "Open on the built-in simulator.")};
    QCommandLineOption config{QStringLiteral("config"), QCoreApplication::translate("main", "Folder holding targets.json."),
                              QStringLiteral("DIR")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"), QCoreApplication::translate("main", "Save the main window to FILE and quit."),
                                  QStringLiteral("FILE")};
    QCommandLineOption afterMs{QStringLiteral("after-ms"), QCoreApplication::translate("main", "With --screenshot: wait this long first."),
                               QStringLiteral("N"), QStringLiteral("2000")};
    QCommandLineOption target{QStringLiteral("target"), QCoreApplication::translate("main", "Select this target at start."),
                              QStringLiteral("NAME")};
    QCommandLineOption readOnly{QStringLiteral("read-only"), QCoreApplication::translate("main", "Show every target, refuse every action.")};
    QCommandLineOption size{QStringLiteral("size"),
                            QCoreApplication::translate("main", "Open the window at WIDTHxHEIGHT (e.g. 1024x640, to check a layout)."),
                            QStringLiteral("WxH")};
    QCommandLineOption lang{QStringLiteral("lang"),
                            QCoreApplication::translate("main", "Language of the window: zh_CN or en (default: the system's)."),
                            QStringLiteral("LANG")};

    void addTo(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(QCoreApplication::translate("main",
            "Switchboard: shift live traffic between a stable and a canary version and watch both.\n\n"
            "Headless verbs (see `switchboard VERB --help`):\n"
            "  status --target NAME [--json]\n"
            "  set-weight --target NAME --canary PCT\n"
            "  promote --target NAME --full\n"
            "  rollback --target NAME [--keep-routes] [--gradual [--steps P,P,0] [--hold-ms MS]]\n"
            "  route --target NAME --header NAME=VALUE | --cookie NAME=VALUE | --clear [--header NAME]\n"
            "  run --target NAME --preset NAME\n"
            "  report --target NAME [--last | --rollout ID | --list] --out FILE.pdf|.html|.md\n"
            "  deploy --target NAME --image IMAGE [--container NAME]"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({demo, config, screenshot, afterMs, target, size, readOnly, lang});
    }
};

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/switchboard-%1.png").arg(size), QSize(size, size));
    return icon;
}

void setNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("switchboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));
}

// --help and --version only print: answered before any QGuiApplication exists, so they work
// over ssh, in CI and in containers without a display.
bool wantsHelpOrVersion(int argc, char **argv)
{
    static const QStringList flags{QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("-?"), QStringLiteral("--help-all"),
                                   QStringLiteral("-v"), QStringLiteral("--version")};
    for (int i = 1; i < argc; ++i)
        if (flags.contains(QString::fromLocal8Bit(argv[i])))
            return true;
    return false;
}

// Installs the chosen language's translators; false (reported on stderr) for one we lack.
bool setUpLanguage(LanguageSetup *language)
{
    const QString lang = LanguageSetup::choose(LanguageSetup::requestedIn(QCoreApplication::arguments()), QLocale::system());
    QString error;
    if (language->install(lang, &error))
        return true;
    std::fprintf(stderr, "switchboard: %s\n", qPrintable(error));
    return false;
}

int printHelpOrVersion(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    setNames();
    LanguageSetup language;
    if (!setUpLanguage(&language))
        return 2;
    QCommandLineParser parser;
    const GuiOptions options;
    options.addTo(parser);
    parser.process(app); // prints and exits (0), or reports a bad option and exits (1)
    return 0;
}

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    setNames();
    QGuiApplication::setDesktopFileName(QStringLiteral("io.switchboard.Switchboard"));
    QApplication::setWindowIcon(appIcon());
    LanguageSetup language;
    if (!setUpLanguage(&language))
        return 2;

    QCommandLineParser parser;
    const GuiOptions options;
    options.addTo(parser);
    parser.process(app);

    Workspace::Options opts;
    opts.demo = parser.isSet(options.demo);
    opts.configDir = parser.value(options.config);
    opts.readOnly = parser.isSet(options.readOnly);
    Workspace ws(opts);
    for (const QString &p : ws.problems())
        std::fprintf(stderr, "switchboard: %s\n", qPrintable(p));

    TargetListModel targets;
    targets.setControllers(ws.controllers());
    PresetLibrary presets;
    MainWindow window(&targets, ws.events(), &presets);
    window.setAuditLogPath(ws.audit()->path());
    window.panel()->setTargetsPath(ws.usedFallback() || opts.demo ? QString() : ws.targetsPath());
    if (!ws.problems().isEmpty())
        window.showStartupProblem(ws.problems().join(QStringLiteral(" · ")));
    for (int i = 0; i < ws.controllers().size(); ++i)
        if (ws.controllers().at(i)->name() == parser.value(options.target))
            window.selectTarget(i);
    for (TargetController *c : ws.controllers())
        c->start();
    // Where the window was last time, unless this run asks for a size or a screenshot (those
    // want the same picture on every machine and must not move the user's window next time).
    QSettings windowSettings(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("switchboard"), QStringLiteral("window"));
    if (!parser.isSet(options.size) && !parser.isSet(options.screenshot))
        window.rememberGeometryIn(&windowSettings);
    if (parser.isSet(options.size)) {
        const QStringList wh = parser.value(options.size).split(QLatin1Char('x'));
        bool okW = false;
        bool okH = false;
        const int w = wh.size() == 2 ? wh.at(0).toInt(&okW) : 0;
        const int h = wh.size() == 2 ? wh.at(1).toInt(&okH) : 0;
        if (!okW || !okH || w <= 0 || h <= 0) {
            std::fprintf(stderr, "switchboard: --size must be WIDTHxHEIGHT, e.g. 1024x640\n");
            return 2;
        }
        window.resize(w, h);
    }
    // Actions other Switchboard processes take show in this window's event log.
    AuditLogWatcher auditWatcher(ws.audit()->path(), ws.events());
    QObject::connect(&auditWatcher, &AuditLogWatcher::entryAdded, window.fleetModel(), &FleetTableModel::noteAuditEntry);
    auditWatcher.start();
    // Rollbacks, pauses that need someone, failures and promotions reach the desktop and the title.
    const DesktopAlerts alerts(ws.notifications(), &window, ws.events());
    window.show();

    int exitCode = 0;
    if (parser.isSet(options.screenshot)) {
        bool ok = false;
        const int wait = parser.value(options.afterMs).toInt(&ok);
        if (!ok || wait < 0) {
            std::fprintf(stderr, "switchboard: --after-ms must be a whole number of milliseconds\n");
            return 2;
        }
        const QString file = parser.value(options.screenshot);
        QTimer::singleShot(wait, &window, [&window, &exitCode, file] {
            if (!window.grab().save(file)) {
                std::fprintf(stderr, "switchboard: cannot write screenshot %s\n", qPrintable(file));
                exitCode = 2;
            }
            QApplication::quit();
        });
    }
    const int rc = app.exec();
    // Audit entries are written on their own thread: the last actions must reach the disk
    // before the process ends, but quitting must not hang on a stuck disk.
    QString auditError;
    if (!ws.audit()->drain(kAuditDrainMs, &auditError))
        std::fprintf(stderr, "switchboard: %s\n", qPrintable(auditError));
    return exitCode ? exitCode : rc;
}

// A backend call that ignored the stop request still runs on its thread (bounded by its own
// timeout): quitting does not wait for it, and static destructors must not run under it.
int finish(int code)
{
    if (BackendHost::strandedThreads() > 0) {
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(code);
    }
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    // A report draws (fonts, charts, PDF) but shows nothing: the offscreen platform, no display.
    if (argc > 1 && ReportCommand::isReportVerb(QString::fromLocal8Bit(argv[1]))) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        // What QGuiApplication would pick itself, without the warning on stderr (cron, CI and
        // ssh sessions have no runtime dir; errors are one line).
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
            const QString dir = QDir::tempPath() + QStringLiteral("/runtime-") + QString::number(::getuid());
            if (QDir().mkpath(dir)
                && QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
                qputenv("XDG_RUNTIME_DIR", QFile::encodeName(dir));
        }
        QGuiApplication app(argc, argv);
        setNames();
        return finish(ReportCommand::run(QCoreApplication::arguments()));
    }
    // Headless verbs need no display: decide before any QGuiApplication exists.
    if (argc > 1 && Cli::isCliVerb(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        setNames();
        return finish(Cli::run(QCoreApplication::arguments()));
    }
    if (wantsHelpOrVersion(argc, argv))
        return printHelpOrVersion(argc, argv);
    return finish(runGui(argc, argv));
}
