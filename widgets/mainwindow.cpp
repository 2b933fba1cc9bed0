#include "mainwindow.h"

#include "auditlogdialog.h"
#include "rollouthistorydialog.h"
#include "displaynames.h"
#include "elidedlabel.h"
#include "helpdialog.h"
#include "eventlogmodel.h"
#include "fleettablemodel.h"
#include "fleetviewwidget.h"
#include "nonmodalprompt.h"
#include "palette.h"
#include "reportexporter.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"
#include "targetpanelwidget.h"
#include "windowgeometry.h"
#include "windowplacement.h"

#include <QCloseEvent>

#include <QCoreApplication>
#include <QDateTime>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

#include <algorithm>

namespace Switchboard {

namespace {

// Colours log lines by severity; the model knows severities, not colours.
class EventLogDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        switch (EventLogModel::Severity(index.data(EventLogModel::SeverityRole).toInt())) {
        case EventLogModel::Severity::Error:
            option->palette.setColor(QPalette::Text, Palette::danger());
            break;
        case EventLogModel::Severity::Warning:
            option->palette.setColor(QPalette::Text, Palette::warning());
            break;
        case EventLogModel::Severity::Action:
            option->font.setBold(true);
            break;
        case EventLogModel::Severity::Info:
            break;
        }
    }
};

} // namespace

MainWindow::MainWindow(TargetListModel *targets, EventLogModel *events, PresetLibrary *presets, QWidget *parent)
    : QMainWindow(parent)
    , m_targets(targets)
    , m_fleetModel(new FleetTableModel(targets, {}, this))
    , m_fleet(new FleetViewWidget(m_fleetModel, this))
    , m_panel(new TargetPanelWidget(presets, this))
    , m_log(new QListView(this))
    , m_connection(new ElidedLabel(this))
    , m_reports(new ReportExporter(this))
{
    setWindowTitle(tr("Switchboard"));
    m_log->setObjectName(QStringLiteral("eventLog"));
    m_log->setModel(events);
    m_log->setItemDelegate(new EventLogDelegate(m_log));
    m_log->setUniformItemSizes(true);
    m_log->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Targets</b>"), left);
    leftLayout->addWidget(title);
    leftLayout->addWidget(m_fleet);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(left);
    top->addWidget(m_panel);
    top->setStretchFactor(1, 1);
    top->setSizes({280, 1000});
    auto *outer = new QSplitter(Qt::Vertical, this);
    outer->addWidget(top);
    outer->addWidget(m_log);
    outer->setStretchFactor(0, 1);
    outer->setSizes({640, 110});
    setCentralWidget(outer);

    buildMenus();

    m_connection->setObjectName(QStringLiteral("connectionLabel"));
    m_connection->setMaximumWidth(420); // a long target name or error elides rather than widening the window
    statusBar()->addPermanentWidget(m_connection);

    // The way back is one keystroke away wherever the focus is, in this window or any other
    // of the app's (presets, settings, audit: none of them is modal).
    auto *rollback = new QShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+R")), this);
    rollback->setContext(Qt::ApplicationShortcut);
    connect(rollback, &QShortcut::activated, m_panel, &TargetPanelWidget::rollback);

    connect(m_fleet, &FleetViewWidget::openRequested, this, &MainWindow::open);
    connect(m_fleet, &FleetViewWidget::message, this, [this](const QString &text, int timeoutMs) {
        statusBar()->showMessage(text, timeoutMs);
    });
    connect(m_panel, &TargetPanelWidget::message, this, [this](const QString &text, int timeoutMs) {
        statusBar()->showMessage(text, timeoutMs);
    });
    connect(events, &QAbstractItemModel::rowsInserted, m_log, [this] { m_log->scrollToBottom(); });
    connect(&m_clock, &QTimer::timeout, this, &MainWindow::updateStatus);
    connect(&m_clock, &QTimer::timeout, m_panel, &TargetPanelWidget::refreshAge);
    connect(&m_clock, &QTimer::timeout, m_fleetModel, &FleetTableModel::tick);
    m_clock.start(500);

    resize(1280, 860);
    if (targets->rowCount() > 0)
        selectTarget(0);
    updateStatus();
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    QAction *audit = view->addAction(tr("&Audit log…"));
    audit->setObjectName(QStringLiteral("auditAction"));
    connect(audit, &QAction::triggered, this, [this] {
        // Non-modal, like every window of the app: Rollback stays reachable with it open.
        WindowPlacement::showClearOfActionStrip(new AuditLogDialog(m_auditPath, this));
    });
    QAction *history = view->addAction(tr("Rollout &history…"));
    history->setObjectName(QStringLiteral("rolloutHistoryAction"));
    history->setToolTip(tr("Every rollout of the selected target in the audit log, each exportable as a report"));
    connect(history, &QAction::triggered, this, [this] {
        TargetController *c = m_panel->controller();
        if (!c) {
            statusBar()->showMessage(tr("Select a target first"), 5000);
            return;
        }
        WindowPlacement::showClearOfActionStrip(new RolloutHistoryDialog(c, m_auditPath, this));
    });
    QAction *report = view->addAction(tr("Export &report…"));
    report->setObjectName(QStringLiteral("exportReportAction"));
    report->setToolTip(tr("The selected target's last rollout as evidence: PDF, HTML or Markdown"));
    connect(report, &QAction::triggered, this, &MainWindow::askExportReport);
    connect(m_reports, &ReportExporter::finished, this, [this](const ReportExport::Result &r) {
        statusBar()->showMessage(r.ok ? tr("Report of rollout %1 (%2) written to %3").arg(r.rolloutId, r.outcome, r.files.constLast())
                                      : tr("Report not written: %1").arg(r.error),
                                 15000);
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *keys = help->addAction(tr("&Keyboard shortcuts"));
    keys->setObjectName(QStringLiteral("shortcutsAction"));
    keys->setShortcut(QKeySequence::HelpContents); // F1
    keys->setShortcutContext(Qt::ApplicationShortcut);
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction *where = help->addAction(tr("Where is the &audit log?"));
    where->setObjectName(QStringLiteral("auditLocationAction"));
    connect(where, &QAction::triggered, this, &MainWindow::showAuditLogLocation);
    help->addSeparator();
    QAction *about = help->addAction(tr("&About Switchboard"));
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::showShortcuts()
{
    const QList<std::pair<QKeySequence, QString>> keys{
        {QKeySequence(QStringLiteral("Ctrl+Shift+R")), tr("Roll back the selected target to 100% stable (from any window of the app)")},
        {QKeySequence(Qt::Key_Return), tr("In the canary % box: apply the new weight; in a question: confirm")},
        {QKeySequence(Qt::Key_Escape), tr("In a question: cancel")},
        {QKeySequence::HelpContents, tr("This list")},
        {QKeySequence::Quit, tr("Quit (audit entries still being written are finished first)")},
    };
    QString html = QStringLiteral("<table cellpadding='4'>");
    for (const auto &[seq, what] : keys)
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(seq.toString(QKeySequence::NativeText).toHtmlEscaped(), what.toHtmlEscaped());
    html += QStringLiteral("</table>");
    auto *dialog = new HelpDialog(tr("Keyboard shortcuts"), html, this);
    dialog->setObjectName(QStringLiteral("shortcutsDialog"));
    WindowPlacement::showClearOfActionStrip(dialog);
}

void MainWindow::showAuditLogLocation()
{
    const QString path = m_auditPath.isEmpty() ? tr("(not known: no audit log is open)") : m_auditPath;
    const QString html = tr("<p>Every action (weight changes, rollbacks, rollouts, who and why) is appended to</p>"
                            "<p><code>%1</code></p>"
                            "<p>one JSON object per line. <b>View → Audit log…</b> shows, filters and exports it.</p>")
                             .arg(path.toHtmlEscaped());
    auto *dialog = new HelpDialog(tr("Audit log"), html, this);
    dialog->setObjectName(QStringLiteral("auditLocationDialog"));
    WindowPlacement::showClearOfActionStrip(dialog);
}

void MainWindow::showAbout()
{
    const QString html = tr("<h3>Switchboard %1</h3>"
                            "<p>Shift live traffic between a stable and a canary version, watch both side by side, "
                            "and roll back in one click.</p>"
                            "<p>Qt %2</p>")
                             .arg(QCoreApplication::applicationVersion().toHtmlEscaped(), QString::fromLatin1(qVersion()));
    auto *dialog = new HelpDialog(tr("About Switchboard"), html, this);
    dialog->setObjectName(QStringLiteral("aboutDialog"));
    WindowPlacement::showClearOfActionStrip(dialog);
}

void MainWindow::rememberGeometryIn(QSettings *settings)
{
    m_settings = settings;
    if (!WindowGeometry::restore(this, *settings))
        WindowGeometry::fitToScreen(this);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_settings)
        WindowGeometry::save(this, m_settings);
    QMainWindow::closeEvent(event);
}

void MainWindow::selectTarget(int row)
{
    TargetController *c = m_targets->controllerAt(row);
    if (!c)
        return;
    m_fleet->selectTarget(c->name());
    open(c);
}

void MainWindow::askExportReport()
{
    QPointer<TargetController> c = m_panel->controller();
    if (!c) {
        statusBar()->showMessage(tr("Select a target first"), 5000);
        return;
    }
    NonModalPrompt::saveFile(this, tr("Export rollout report"), c->name() + QStringLiteral("-rollout.pdf"),
                             tr("PDF (*.pdf);;HTML (*.html);;Markdown (*.md)"), this, [this, c](const QString &path) {
                                 if (c)
                                     exportReport(c, path);
                             });
}

void MainWindow::exportReport(TargetController *target, const QString &path)
{
    statusBar()->showMessage(tr("Writing the report of %1…").arg(target->name()), 5000);
    m_reports->exportLast(target, m_auditPath, path);
}

void MainWindow::showStartupProblem(const QString &text)
{
    statusBar()->showMessage(text, 30000);
}

void MainWindow::open(TargetController *target)
{
    if (target != m_panel->controller())
        m_panel->setController(target);
    updateStatus();
}

void MainWindow::updateStatus()
{
    const TargetController *c = m_panel->controller();
    if (!c) {
        m_connection->setText(tr("no target"));
        return;
    }
    const qint64 age = c->dataAgeMs(QDateTime::currentMSecsSinceEpoch());
    m_connection->setText(tr("%1: %2 · %3").arg(c->name(), DisplayNames::connection(c->connectionState()),
                                                age < 0 ? tr("no data yet")
                                                        : tr("data %1 old").arg(DisplayNames::seconds(double(age) / 1000.0, 1))));
    // Short enough texts are shown whole (the status bar's other items must not squeeze them);
    // longer ones elide at the cap.
    m_connection->setMinimumWidth(std::min(m_connection->sizeHint().width(), m_connection->maximumWidth()));
}

} // namespace Switchboard
