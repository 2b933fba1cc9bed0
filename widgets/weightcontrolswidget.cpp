#include "weightcontrolswidget.h"

#include "elidedlabel.h"
#include "gradualrollback.h"
#include "displaynames.h"
#include "palette.h"
#include "targetcontroller.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QStringList>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace Switchboard {

WeightControlsWidget::WeightControlsWidget(ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_confirm(std::move(confirm))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QSpinBox(this))
    , m_apply(new QPushButton(tr("Apply"), this))
    , m_promoteFull(new QPushButton(tr("Promote full ▸▸"), this))
    , m_rollback(new QPushButton(tr("ROLLBACK"), this))
    , m_rollbackMenu(new QToolButton(this))
    , m_gradual(new QAction(tr("Roll back gradually…"), this))
    , m_progress(new ElidedLabel(this))
{
    // Dragging the slider moves nothing: only Apply (or Enter in the box) does.
    m_slider->setObjectName(QStringLiteral("canarySlider"));
    m_slider->setRange(0, 100);
    m_slider->setPageStep(5);
    m_slider->setTickInterval(10);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_spin->setObjectName(QStringLiteral("canarySpin"));
    m_spin->setRange(0, 100);
    m_spin->setSuffix(QStringLiteral(" %"));
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_promoteFull->setObjectName(QStringLiteral("promoteFullButton"));
    m_rollback->setObjectName(QStringLiteral("rollbackButton"));
    m_rollback->setToolTip(tr("100% to stable at once (Ctrl+Shift+R)"));
    m_rollback->setMinimumWidth(160);
    m_rollback->setStyleSheet(QStringLiteral(
        "QPushButton { background: %1; color: white; font-weight: bold; padding: 8px 18px; border-radius: 4px; }"
        "QPushButton:disabled { background: #d8b4b4; }").arg(Palette::danger().name()));
    // ROLLBACK stays one click and immediate; the slower way back hides behind its own button.
    m_rollbackMenu->setObjectName(QStringLiteral("rollbackMenuButton"));
    m_rollbackMenu->setText(QStringLiteral("▾"));
    m_rollbackMenu->setToolTip(tr("More ways back"));
    m_rollbackMenu->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_rollbackMenu);
    m_gradual->setObjectName(QStringLiteral("rollbackGraduallyAction"));
    menu->addAction(m_gradual);
    m_rollbackMenu->setMenu(menu);
    connect(m_gradual, &QAction::triggered, this, &WeightControlsWidget::rollbackGradually);
    m_progress->setObjectName(QStringLiteral("progressLabel"));
    // Errors can be long: the progress line elides (whole text in its tooltip) and takes what is left.
    m_progress->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);

    auto *sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("canary %:"), this));
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_spin);
    sliderRow->addWidget(m_apply);
    auto *actionRow = new QHBoxLayout;
    actionRow->addWidget(m_promoteFull);
    actionRow->addWidget(m_progress, 1);
    actionRow->addWidget(m_rollback);
    actionRow->addWidget(m_rollbackMenu);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(sliderRow);
    layout->addLayout(actionRow);

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (m_syncing)
            return;
        m_sliderDirty = true;
        const QSignalBlocker block(m_spin);
        m_spin->setValue(v);
    });
    connect(m_spin, &QSpinBox::valueChanged, this, [this](int v) {
        if (m_syncing)
            return;
        m_sliderDirty = true;
        const QSignalBlocker block(m_slider);
        m_slider->setValue(v);
    });
    connect(m_spin, &QAbstractSpinBox::editingFinished, this, [this] {
        if (m_spin->hasFocus())
            apply(); // Enter in the box applies, like the Apply button
    });
    connect(m_apply, &QPushButton::clicked, this, &WeightControlsWidget::apply);
    connect(m_promoteFull, &QPushButton::clicked, this, &WeightControlsWidget::promoteFull);
    connect(m_rollback, &QPushButton::clicked, this, &WeightControlsWidget::rollback);
    setController(nullptr);
}

void WeightControlsWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    m_sliderDirty = false;
    if (controller) {
        connect(controller, &TargetController::snapshotChanged, this, &WeightControlsWidget::sync);
        connect(controller, &TargetController::actionStarted, this, &WeightControlsWidget::onActionStarted);
        connect(controller, &TargetController::actionFinished, this, &WeightControlsWidget::onActionFinished);
        connect(controller, &TargetController::gradualRollbackChanged, this, &WeightControlsWidget::updateActions);
        connect(controller, &TargetController::leaseChanged, this, &WeightControlsWidget::updateActions);
    }
    m_progress->clear();
    sync();
}

QString WeightControlsWidget::splitText(double canary) const
{
    if (!std::isfinite(canary))
        return tr("unknown");
    return tr("stable %1% → canary %2%").arg(100 - canary, 0, 'g', 4).arg(canary, 0, 'g', 4);
}

void WeightControlsWidget::apply()
{
    if (!m_controller)
        return;
    const double want = m_spin->value();
    const double now = m_controller->snapshot().split.canary;
    const auto send = [this, target = m_controller, want] {
        if (!m_controller || m_controller.data() != target.data())
            return;
        m_sliderDirty = false;
        m_controller->setCanaryPercent(want, QStringLiteral("operator"));
    };
    // Above 50% the canary carries most users: make the operator look twice.
    if (want > 50 && want != now) {
        m_confirm(tr("Move traffic"),
                  tr("Send %1% of traffic to the canary?\nbefore: %2\nafter: %3").arg(want).arg(splitText(now), splitText(want)),
                  [this, send](bool yes) {
                      if (yes)
                          send();
                      else
                          Q_EMIT message(tr("not applied"), 3000);
                  });
        return;
    }
    send();
}

void WeightControlsWidget::promoteFull()
{
    if (!m_controller)
        return;
    const double now = m_controller->snapshot().split.canary;
    m_confirm(tr("Promote full"), tr("Send all traffic to the canary?\nbefore: %1\nafter: %2").arg(splitText(now), splitText(100)),
              [this, target = m_controller](bool yes) {
                  if (!yes || !m_controller || m_controller.data() != target.data())
                      return;
                  m_sliderDirty = false;
                  m_controller->operatorPromoteFull(QStringLiteral("operator"));
              });
}

void WeightControlsWidget::rollback()
{
    // Never a question: this is the way back when production is on fire.
    if (!m_controller || !m_rollback->isEnabled())
        return;
    m_sliderDirty = false;
    m_controller->operatorRollback(QStringLiteral("operator"));
}

void WeightControlsWidget::rollbackGradually()
{
    if (!m_controller || !m_gradual->isEnabled())
        return;
    const double now = m_controller->snapshot().split.canary;
    const QList<double> steps = GradualRollback::defaultSteps(now);
    QStringList names{QStringLiteral("%1%").arg(now, 0, 'g', 4)};
    for (double s : steps)
        names.append(QStringLiteral("%1%").arg(s, 0, 'g', 4));
    const qint64 holdMs = GradualRollback::defaultHoldMs;
    m_confirm(tr("Roll back gradually"),
              tr("Step the canary back %1, holding each step %2 s with the verdict gates watching?\n"
                 "A breach on the way goes straight to 0%. ROLLBACK stays immediate.")
                  .arg(names.join(QStringLiteral(" → "))).arg(holdMs / 1000),
              [this, target = m_controller, steps, holdMs](bool yes) {
                  if (!yes || !m_controller || m_controller.data() != target.data())
                      return;
                  m_sliderDirty = false;
                  if (!m_controller->startGradualRollback(steps, holdMs, tr("operator")))
                      Q_EMIT message(tr("a gradual rollback is already running"), 5000);
              });
}

void WeightControlsWidget::sync()
{
    const double set = m_controller && m_controller->hasSnapshot() ? m_controller->snapshot().split.canary : NAN;
    if (!m_sliderDirty && std::isfinite(set)) {
        m_syncing = true;
        m_slider->setValue(int(std::lround(set)));
        m_spin->setValue(int(std::lround(set)));
        m_syncing = false;
    }
    updateActions();
}

void WeightControlsWidget::updateActions()
{
    const bool usable = m_controller && !m_controller->isReadOnly();
    // Someone else's lease turns off everything but the way back.
    const QString leased = m_controller ? m_controller->leaseRefusal(QDateTime::currentMSecsSinceEpoch()) : QString();
    const double canary = m_controller ? m_controller->snapshot().split.canary : NAN;
    m_slider->setEnabled(usable && leased.isEmpty());
    m_spin->setEnabled(usable && leased.isEmpty());
    m_apply->setEnabled(usable && leased.isEmpty());
    m_promoteFull->setEnabled(usable && leased.isEmpty() && !(std::isfinite(canary) && canary >= 100));
    // Enabled whenever the canary may have traffic, including when we cannot tell.
    m_rollback->setEnabled(usable && !(std::isfinite(canary) && canary <= 0));
    m_rollbackMenu->setEnabled(m_rollback->isEnabled());
    m_gradual->setEnabled(m_rollback->isEnabled() && std::isfinite(canary) && !m_controller->isGradualRollbackActive());
    // Read-only: every action says why it is off before anyone clicks it.
    const QString readOnly = m_controller && m_controller->isReadOnly() ? tr("read-only: %1").arg(m_controller->readOnlyReason()) : QString();
    const QString why = !readOnly.isEmpty() ? readOnly : !leased.isEmpty() ? tr("lease: %1").arg(leased) : QString();
    m_slider->setToolTip(why);
    m_spin->setToolTip(why);
    m_apply->setToolTip(why);
    m_promoteFull->setToolTip(why);
    m_rollback->setToolTip(readOnly.isEmpty() ? tr("100% to stable at once (Ctrl+Shift+R)")
                                              : readOnly + QLatin1Char('\n') + tr("A read-only operator cannot roll back either."));
}

void WeightControlsWidget::onActionStarted(const QString &description)
{
    m_progress->setText(QStringLiteral("⏳ ") + description);
}

void WeightControlsWidget::onActionFinished(const ChangeResult &result)
{
    const QString text = tr("%1: %2").arg(DisplayNames::changeStatus(result.status), result.message);
    m_progress->setText(result.ok() ? QStringLiteral("✓ ") + DisplayNames::changeStatus(result.status) : QStringLiteral("✗ ") + text);
    Q_EMIT message(text, 8000);
}

} // namespace Switchboard
