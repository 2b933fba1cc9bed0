#pragma once
// Everything about the selected target, composed: the action strip (weights, Promote full,
// ROLLBACK) with its inline confirmations and result banner, which never scroll away, and
// below it, in a scroll area, the status view, the rollout plan bar and the charts. Nothing in
// it may widen the window (UI.md: Rollback is visible at every size down to 1024×640).

#include "targetcontroller.h"

#include <QPointer>
#include <QWidget>

class QScrollArea;

namespace Switchboard {

class ConfirmBarWidget;
class DeployActionWidget;
class LeaseRowWidget;
class PresetLibrary;
class ResultBannerWidget;
class RolloutBarWidget;
class TargetChartsWidget;
class TargetStatusWidget;
class VerdictBadgeWidget;
class TestersRowWidget;
class WeightControlsWidget;

class TargetPanelWidget final : public QWidget
{
    Q_OBJECT
public:
    // `presets` must outlive the panel.
    explicit TargetPanelWidget(PresetLibrary *presets, QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // Where the selected targets came from (targets.json), for the settings dialog's Save.
    void setTargetsPath(const QString &path);
    TargetController *controller() const { return m_controller; }
    ConfirmBarWidget *confirmBar() const { return m_confirmBar; }

public Q_SLOTS:
    void rollback();
    void refreshAge(); // called periodically: ages and staleness move with the clock
    // The charts' exports (TargetChartsWidget): exported() answers.
    void exportPng(const QString &path);
    void exportCsv(const QString &path);

Q_SIGNALS:
    // Transient messages for the status bar.
    void message(const QString &text, int timeoutMs);
    // An export of the charts is written: the file, or the error.
    void exported(const QString &path, const QString &error);

private:
    QPointer<TargetController> m_controller;
    ConfirmBarWidget *m_confirmBar;
    WeightControlsWidget *m_controls;
    ResultBannerWidget *m_banner;
    QScrollArea *m_scroll;
    TargetStatusWidget *m_status;
    VerdictBadgeWidget *m_verdict;
    TestersRowWidget *m_testers;
    RolloutBarWidget *m_rollout;
    TargetChartsWidget *m_charts;
    DeployActionWidget *m_deploy;
    LeaseRowWidget *m_lease;
};

} // namespace Switchboard
