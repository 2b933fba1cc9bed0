#include "rolloutbarwidget.h"

#include "displaynames.h"
#include "palette.h"
#include "presetsdialog.h"
#include "presetlibrary.h"
#include "rolloutengine.h"
#include "targetcontroller.h"
#include "trafficforecast.h"
#include "windowplacement.h"

#include <QDateTime>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTextDocument>
#include <QVBoxLayout>

namespace Switchboard {

namespace {

QString minutesSeconds(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString gateMark(const GateResult &r)
{
    switch (r.outcome) {
    case GateResult::Outcome::Pass:
        return QStringLiteral("<span style='color:%1'>✓</span>").arg(Palette::ok().name());
    case GateResult::Outcome::Fail:
        return QStringLiteral("<span style='color:%1'>✗</span>").arg(Palette::danger().name());
    case GateResult::Outcome::Inconclusive:
        break;
    }
    return QStringLiteral("<span style='color:%1'>?</span>").arg(Palette::muted().name());
}

} // namespace

RolloutBarWidget::RolloutBarWidget(PresetLibrary *presets, ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_presets(presets)
    , m_confirm(std::move(confirm))
    , m_preset(new QComboBox(this))
    , m_start(new QPushButton(tr("Start"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_promote(new QPushButton(tr("Promote ▸"), this))
    , m_edit(new QPushButton(tr("Presets…"), this))
    , m_timeline(new QLabel(this))
    , m_gates(new QLabel(this))
    , m_state(new QLabel(this))
{
    m_preset->setObjectName(QStringLiteral("presetCombo"));
    m_start->setObjectName(QStringLiteral("startRolloutButton"));
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_promote->setObjectName(QStringLiteral("promoteStepButton"));
    m_promote->setToolTip(tr("Skip to the plan's next step"));
    m_edit->setObjectName(QStringLiteral("presetsButton"));
    m_timeline->setObjectName(QStringLiteral("timelineLabel"));
    m_gates->setObjectName(QStringLiteral("gatesLabel"));
    m_state->setObjectName(QStringLiteral("rolloutStateLabel"));
    m_timeline->setTextFormat(Qt::RichText);
    m_gates->setTextFormat(Qt::RichText);
    // A long plan, a long reason or a long preset name wraps or is cut short here: none of
    // them may widen the window and push ROLLBACK off the screen.
    for (QLabel *l : {m_timeline, m_state}) {
        l->setWordWrap(true);
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    }
    m_preset->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_preset->setMinimumContentsLength(18);

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Plan:"), this));
    row->addWidget(m_preset);
    row->addWidget(m_start);
    row->addWidget(m_pause);
    row->addWidget(m_promote);
    row->addWidget(m_edit);
    row->addStretch(1);
    auto *timelineRow = new QHBoxLayout;
    timelineRow->addWidget(m_timeline, 1);
    timelineRow->addWidget(m_gates);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addLayout(timelineRow);
    layout->addWidget(m_state);

    connect(m_start, &QPushButton::clicked, this, &RolloutBarWidget::startSelected);
    connect(m_pause, &QPushButton::clicked, this, &RolloutBarWidget::pauseOrResume);
    connect(m_promote, &QPushButton::clicked, this, &RolloutBarWidget::promoteStep);
    connect(m_edit, &QPushButton::clicked, this, &RolloutBarWidget::editPresets);
    connect(&m_clock, &QTimer::timeout, this, &RolloutBarWidget::refresh);
    m_clock.start(500);
    connect(m_presets, &PresetLibrary::listChanged, this, &RolloutBarWidget::reloadPresets);
    reloadPresets();
}

void RolloutBarWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller) {
        connect(controller, &TargetController::rolloutChanged, this, &RolloutBarWidget::refresh);
        connect(controller, &TargetController::leaseChanged, this, &RolloutBarWidget::refresh);
    }
    refresh();
}

void RolloutBarWidget::reloadPresets()
{
    const QString current = m_preset->currentText();
    const QSignalBlocker quiet(m_preset);
    m_preset->clear();
    for (const PresetStore::Entry &e : m_presets->entries()) {
        if (!e.ok())
            continue; // broken files are shown (with their error) in the presets dialog
        m_preset->addItem(e.name);
        m_preset->setItemData(m_preset->count() - 1, e.plan.summary(), Qt::ToolTipRole);
    }
    // Keep the operator's choice; the first time, offer the everyday canary plan.
    const int i = m_preset->findText(current.isEmpty() ? QStringLiteral("canary-5-25-50-100") : current);
    if (i >= 0)
        m_preset->setCurrentIndex(i);
}

bool RolloutBarWidget::startSelected()
{
    if (!m_controller || m_controller->isRolloutActive())
        return false;
    const std::optional<PresetStore::Entry> chosen = m_presets->entry(m_preset->currentText());
    if (!chosen || !chosen->ok()) {
        m_state->setText(QStringLiteral("✗ ")
                         + (chosen ? chosen->error : tr("no preset named \"%1\"").arg(m_preset->currentText())));
        return false;
    }
    const RolloutPlan plan = chosen->plan;
    // Starting a plan moves live traffic by itself: confirm (inline), showing the steps, and
    // whether today's traffic can feed its analyses (too thin, they pause as inconclusive).
    QString question = tr("Run \"%1\" on %2?\n%3").arg(plan.name, m_controller->name(), plan.summary());
    const QStringList thin = TrafficForecast::warnings(plan, m_controller->health(), m_controller->staleAfterMs(), m_controller->config().pollMs);
    if (!thin.isEmpty())
        question += QStringLiteral("\n") + tr("Warning: the current traffic is too thin for some gates:") + QStringLiteral("\n• ")
            + thin.join(QStringLiteral("\n• "));
    m_confirm(tr("Start rollout"), question,
              [this, target = m_controller, plan](bool yes) {
                  if (yes && m_controller && m_controller.data() == target.data() && !m_controller->isRolloutActive())
                      m_controller->startRollout(plan);
              });
    return true;
}

void RolloutBarWidget::pauseOrResume()
{
    RolloutEngine *e = m_controller ? m_controller->rollout() : nullptr;
    if (!e || e->isFinished())
        return;
    if (e->state() == RolloutEngine::State::Paused)
        e->resume();
    else
        e->pause();
}

void RolloutBarWidget::promoteStep()
{
    RolloutEngine *e = m_controller ? m_controller->rollout() : nullptr;
    if (e && !e->isFinished())
        e->promote();
}

void RolloutBarWidget::editPresets()
{
    // Non-modal: with the presets open, Rollback must still be one click (or Ctrl+Shift+R) away.
    if (m_presetsDialog) {
        m_presetsDialog->raise();
        m_presetsDialog->activateWindow();
        return;
    }
    m_presetsDialog = new PresetsDialog(m_presets, this);
    WindowPlacement::showClearOfActionStrip(m_presetsDialog);
}

QString RolloutBarWidget::timelineText() const
{
    QTextDocument doc;
    doc.setHtml(m_timeline->text());
    return doc.toPlainText();
}

QString RolloutBarWidget::gatesText() const
{
    QTextDocument doc;
    doc.setHtml(m_gates->text());
    return doc.toPlainText();
}

void RolloutBarWidget::refresh()
{
    RolloutEngine *e = m_controller ? m_controller->rollout() : nullptr;
    const bool active = m_controller && m_controller->isRolloutActive();
    const bool usable = m_controller && !m_controller->isReadOnly();
    m_preset->setEnabled(usable && !active);
    const QString leased = m_controller ? m_controller->leaseRefusal(QDateTime::currentMSecsSinceEpoch()) : QString();
    m_start->setEnabled(usable && leased.isEmpty() && !active && m_preset->count() > 0);
    // Read-only: a plan running elsewhere is shown, but nothing here may steer it.
    m_pause->setEnabled(usable && active);
    m_promote->setEnabled(usable && active);
    const QString why = m_controller && m_controller->isReadOnly() ? tr("read-only: %1").arg(m_controller->readOnlyReason()) : QString();
    m_start->setToolTip(why.isEmpty() && !leased.isEmpty() ? tr("lease: %1").arg(leased) : why);
    m_pause->setToolTip(why);
    m_promote->setToolTip(why.isEmpty() ? tr("Skip to the plan's next step") : why);
    m_pause->setText(e && e->state() == RolloutEngine::State::Paused ? tr("Resume") : tr("Pause"));
    if (!e) {
        m_timeline->setText(tr("<i>no rollout running</i>"));
        m_gates->clear();
        m_state->clear();
        return;
    }
    QStringList parts;
    const auto &steps = e->plan().steps;
    for (int i = 0; i < steps.size(); ++i) {
        QString label = steps.at(i).label().toHtmlEscaped();
        if (i < e->currentStep()) {
            label += QStringLiteral(" <span style='color:%1'>✓</span>").arg(Palette::ok().name());
        } else if (i == e->currentStep() && !e->isFinished()) {
            const qint64 left = e->remainingMs();
            label = QStringLiteral("<b>%1 ●%2</b>").arg(label, left >= 0 ? QStringLiteral(" ") + minutesSeconds(left) + tr(" left") : QString());
        } else {
            label = QStringLiteral("<span style='color:%1'>%2</span>").arg(Palette::muted().name(), label);
        }
        parts.append(label);
    }
    m_timeline->setText(parts.join(QStringLiteral(" ─ ")));
    QStringList gates;
    QStringList tips;
    for (const GateResult &r : e->lastGateResults()) {
        gates.append(gateMark(r));
        tips.append(r.text);
    }
    m_gates->setText(gates.isEmpty() ? QString() : tr("gates: ") + gates.join(QLatin1Char(' ')));
    m_gates->setToolTip(tips.join(QLatin1Char('\n')));
    QString state = tr("%1 · %2").arg(e->plan().name, DisplayNames::rolloutState(e->state()));
    if (!e->reason().isEmpty())
        state += QStringLiteral(": ") + e->reason();
    const bool bad = e->state() == RolloutEngine::State::RolledBack || e->state() == RolloutEngine::State::RollingBack
        || e->state() == RolloutEngine::State::Failed;
    m_state->setText(state);
    m_state->setStyleSheet(bad ? QStringLiteral("color: %1; font-weight: bold;").arg(Palette::danger().name())
                               : e->state() == RolloutEngine::State::Paused ? QStringLiteral("color: %1;").arg(Palette::warning().name())
                                                                            : QString());
}

} // namespace Switchboard
