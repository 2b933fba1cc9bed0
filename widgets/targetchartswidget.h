#pragma once
// The charts view of the selected target: error ratio, p99 latency, requests/s and canary
// weight over a chosen window, with Export PNG / CSV and the metrics settings. The charts read
// the controller's models; this view only wires them and says why one is empty.

#include <QPointer>
#include <QWidget>

class QComboBox;
class QPushButton;

namespace Switchboard {

class ChartWidget;
class TargetController;

class TargetChartsWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit TargetChartsWidget(QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // Where the selected targets came from (targets.json), for the settings dialog's Save.
    void setTargetsPath(const QString &path) { m_targetsPath = path; }

public Q_SLOTS:
    // Exports of the selected target: the four charts as one picture, the full series as CSV.
    // Taken here (the charts and their models live on this thread), written off it; exported()
    // answers with the file, or the error.
    void exportPng(const QString &path);
    void exportCsv(const QString &path);
    void openSettings();

Q_SIGNALS:
    void message(const QString &text, int timeoutMs);
    void exported(const QString &path, const QString &error);

private:
    void updateEmptyReasons();
    void onWindowChanged(int index);

    QPointer<TargetController> m_controller;
    QString m_targetsPath;
    QComboBox *m_window;
    QPushButton *m_exportPng;
    QPushButton *m_exportCsv;
    QPushButton *m_settings;
    QWidget *m_charts;
    ChartWidget *m_errorChart;
    ChartWidget *m_latencyChart;
    ChartWidget *m_rpsChart;
    ChartWidget *m_weightChart;
};

} // namespace Switchboard
