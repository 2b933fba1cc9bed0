#pragma once
// The panel's action strip: canary slider and box with Apply, Promote full, ROLLBACK and the
// progress of the action in flight. It never scrolls away and never widens the window: the
// way back stays one click away at every size. Risky moves are confirmed inline (ConfirmFn).

#include "confirm.h"
#include "domain.h"

#include <QPointer>
#include <QWidget>

class QAction;
class QPushButton;
class QToolButton;
class QSlider;
class QSpinBox;

namespace Switchboard {

class ElidedLabel;
class TargetController;

class WeightControlsWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit WeightControlsWidget(ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);

public Q_SLOTS:
    void apply();
    void promoteFull();
    void rollback();
    // The ▾ menu's "Roll back gradually…": asks inline (steps, hold, gates), then steps back.
    void rollbackGradually();

Q_SIGNALS:
    // Transient messages for the status bar.
    void message(const QString &text, int timeoutMs);

private:
    void sync();
    void updateActions();
    void onActionStarted(const QString &description);
    void onActionFinished(const ChangeResult &result);
    QString splitText(double canaryPercent) const;

    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    QSlider *m_slider;
    QSpinBox *m_spin;
    QPushButton *m_apply;
    QPushButton *m_promoteFull;
    QPushButton *m_rollback;
    QToolButton *m_rollbackMenu;
    QAction *m_gradual;
    ElidedLabel *m_progress;
    bool m_sliderDirty = false; // the operator moved the slider and has not applied yet
    bool m_syncing = false;
};

} // namespace Switchboard
