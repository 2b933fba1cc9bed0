#pragma once
// The plan line of the target panel: choose a preset and start it, pause / resume / promote a
// running rollout, and read where it is: "5% ✓ ─ 25% ● 0:42 left ─ 50% ─ 100%   gates: ✓ ✓ ?".
// It reads the target's RolloutEngine and calls its operator actions; it owns nothing.

#include "confirm.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace Switchboard {

class PresetLibrary;
class PresetsDialog;
class TargetController;

class RolloutBarWidget final : public QWidget
{
    Q_OBJECT
public:
    // `presets` must outlive the widget; the preset list follows it.
    RolloutBarWidget(PresetLibrary *presets, ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // The timeline as plain text (for tests and accessibility).
    QString timelineText() const;
    QString gatesText() const;

public Q_SLOTS:
    // Fills the preset choice from the library's last listing (no disk).
    void reloadPresets();
    // True once the operator is asked (inline) to confirm the chosen plan, as the presets folder
    // held it at the last listing (what its tooltip shows); it starts on their yes.
    bool startSelected();
    void pauseOrResume();
    void promoteStep();
    void editPresets();

private:
    void refresh();

    PresetLibrary *m_presets;
    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    QComboBox *m_preset;
    QPushButton *m_start;
    QPushButton *m_pause;
    QPushButton *m_promote;
    QPushButton *m_edit;
    QLabel *m_timeline;
    QLabel *m_gates;
    QLabel *m_state;
    QTimer m_clock; // countdowns move with the clock
    QPointer<PresetsDialog> m_presetsDialog;
};

} // namespace Switchboard
