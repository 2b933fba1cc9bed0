#pragma once
// Everything about the selected target: header, split bar (set and measured), health of both
// versions, the weight slider with Apply, Promote full, Rollback, and the charts. It reads the
// TargetController and its models and calls the controller's actions; it never sees a backend.

#include "confirm.h"
#include "targetcontroller.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace Switchboard {

class ChartWidget;
class PresetStore;
class RolloutBarWidget;
class SplitBarWidget;

class TargetPanelWidget final : public QWidget
{
    Q_OBJECT
public:
    // `presets` must outlive the panel.
    TargetPanelWidget(PresetStore *presets, ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // Where the selected targets came from (targets.json), for the settings dialog's Save.
    void setTargetsPath(const QString &path) { m_targetsPath = path; }
    TargetController *controller() const { return m_controller; }
    // The servers line: per version, each server's weight and health-check mark (rich text).
    static QString serversText(const QList<Member> &members);

public Q_SLOTS:
    void apply();
    void promoteFull();
    void rollback();
    void refreshAge(); // called periodically: ages and staleness move with the clock
    // Exports of the selected target: the four charts as one picture, the full series as CSV.
    bool exportPng(const QString &path, QString *error);
    bool exportCsv(const QString &path, QString *error);

Q_SIGNALS:
    // Transient messages for the status bar.
    void message(const QString &text, int timeoutMs);

private:
    void updateSplit();
    void updateHealth();
    void updateHeader();
    void updateActions();
    void onActionStarted(const QString &description);
    void onActionFinished(const ChangeResult &result);
    void onWindowChanged(int index);
    QString splitText(double canaryPercent) const;

    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    QLabel *m_header;
    SplitBarWidget *m_bar;
    QLabel *m_measured;
    QLabel *m_note; // what the traffic layer says beyond weights
    QLabel *m_servers; // each server's weight and health check, per version
    QLabel *m_health[2][5]; // [stable|canary][rps, error, p50, p99, age of the newest sample]
    QSlider *m_slider;
    QSpinBox *m_spin;
    QPushButton *m_apply;
    QPushButton *m_promoteFull;
    QPushButton *m_rollback;
    QLabel *m_progress;
    QComboBox *m_window;
    RolloutBarWidget *m_rollout;
    QWidget *m_charts;
    QPushButton *m_exportPng;
    QPushButton *m_exportCsv;
    QPushButton *m_settings;
    QString m_targetsPath;
    ChartWidget *m_errorChart;
    ChartWidget *m_latencyChart;
    ChartWidget *m_rpsChart;
    ChartWidget *m_weightChart;
    bool m_sliderDirty = false; // the operator moved the slider and has not applied yet
    bool m_syncing = false;
};

} // namespace Switchboard
