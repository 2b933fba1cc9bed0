#pragma once
// The main window: targets on the left, the selected target's panel on the right, the event
// log below, connection state and data age in the status bar (UI.md).

#include <QMainWindow>
#include <QTimer>

class QListView;
class QSettings;

namespace Switchboard {

class ElidedLabel;
class EventLogModel;
class FleetTableModel;
class FleetViewWidget;
class PresetLibrary;
class ReportExporter;
class TargetController;
class TargetListModel;
class TargetPanelWidget;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    // The models must outlive the window. Risky actions are confirmed inline in the panel.
    MainWindow(TargetListModel *targets, EventLogModel *events, PresetLibrary *presets, QWidget *parent = nullptr);

    TargetPanelWidget *panel() const { return m_panel; }
    FleetViewWidget *fleet() const { return m_fleet; }
    // Feed it audit log entries (AuditLogWatcher) for the fleet's "last action" column.
    FleetTableModel *fleetModel() const { return m_fleetModel; }
    void selectTarget(int row);
    // Shown once in the status bar and the log, e.g. a broken targets.json.
    void showStartupProblem(const QString &text);
    // Where the audit log lives, for the audit view (View → Audit log).
    void setAuditLogPath(const QString &path) { m_auditPath = path; }
    // Writes the last rollout's evidence report of `target` to `path` (.pdf, .html, .md) on a
    // worker thread; View → Export report… asks for the path first. The result shows in the status bar.
    void exportReport(TargetController *target, const QString &path);
    ReportExporter *reports() const { return m_reports; }

    // Puts the window where it was last time and remembers it on close (settings outlive the window).
    void rememberGeometryIn(QSettings *settings);

    // Help menu: the keyboard shortcuts (also F1), where the audit log lives, About.
    void showShortcuts();
    void showAuditLogLocation();
    void showAbout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void open(TargetController *target);
    void askExportReport();
    void buildMenus();
    void updateStatus();

    TargetListModel *m_targets;
    FleetTableModel *m_fleetModel;
    FleetViewWidget *m_fleet;
    TargetPanelWidget *m_panel;
    QListView *m_log;
    ElidedLabel *m_connection;
    QTimer m_clock;
    QString m_auditPath;
    ReportExporter *m_reports;
    QSettings *m_settings = nullptr;
};

} // namespace Switchboard
