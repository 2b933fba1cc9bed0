#include "verdictbadgewidget.h"

#include "displaynames.h"

#include "elidedlabel.h"
#include "palette.h"
#include "targetcontroller.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

namespace Switchboard {

VerdictBadgeWidget::VerdictBadgeWidget(QWidget *parent)
    : QWidget(parent)
    , m_badge(new QLabel(this))
    , m_reason(new ElidedLabel(this))
    , m_autoRollback(new QCheckBox(tr("roll back automatically"), this))
{
    m_badge->setObjectName(QStringLiteral("verdictBadge"));
    m_badge->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_reason->setObjectName(QStringLiteral("verdictReason"));
    // The reason can be long (a statistic, p-value and effect): it may not widen the panel, and
    // is cut with "…" (the numbers are all in its tooltip).
    m_reason->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_autoRollback->setObjectName(QStringLiteral("autoRollbackBox"));
    m_autoRollback->setToolTip(tr("Outside a rollout, a failing verdict rolls the canary back to 0% at once. "
                                  "Off: the verdict moves no traffic. Saved in targets.json and audited."));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("verdict:"), this));
    layout->addWidget(m_badge);
    layout->addWidget(m_reason, 1);
    layout->addWidget(m_autoRollback);
    connect(m_autoRollback, &QCheckBox::toggled, this, &VerdictBadgeWidget::onToggled);
    setController(nullptr);
}

void VerdictBadgeWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller) {
        connect(controller, &TargetController::verdictChanged, this, &VerdictBadgeWidget::sync);
        connect(controller, &TargetController::snapshotChanged, this, &VerdictBadgeWidget::sync);
        connect(controller, &TargetController::autoRollbackChanged, this, &VerdictBadgeWidget::onAutoRollbackChanged);
    }
    sync();
}

void VerdictBadgeWidget::sync()
{
    const bool have = m_controller;
    m_autoRollback->setEnabled(have && !m_controller->isReadOnly());
    {
        const QSignalBlocker block(m_autoRollback);
        m_autoRollback->setChecked(have && m_controller->autoRollback());
    }
    if (!have) {
        m_shownState = QStringLiteral("none");
        m_badge->clear();
        m_reason->clear();
        return;
    }
    const Verdict &v = m_controller->verdict();
    QString text;
    QColor colour = Palette::muted();
    if (!v.applies) {
        m_shownState = QStringLiteral("none");
        text = tr("no canary traffic");
    } else {
        m_shownState = Verdict::stateName(v.state);
        switch (v.state) {
        case Verdict::State::Healthy:
            text = tr("HEALTHY");
            colour = Palette::ok();
            break;
        case Verdict::State::Watch:
            text = tr("WATCH");
            colour = Palette::warning();
            break;
        case Verdict::State::Failing:
            text = tr("FAILING");
            colour = Palette::danger();
            break;
        case Verdict::State::NoData:
            text = tr("NO DATA"); // grey and outlined: never mistaken for healthy
            break;
        }
    }
    const bool filled = v.applies && v.state != Verdict::State::NoData;
    m_badge->setText(text);
    m_badge->setStyleSheet(filled ? QStringLiteral("QLabel { color: white; background: %1; border-radius: 3px; padding: 1px 6px; font-weight: bold; }")
                                        .arg(colour.name())
                                  : QStringLiteral("QLabel { color: %1; border: 1px solid %1; border-radius: 3px; padding: 1px 6px; font-weight: bold; }")
                                        .arg(colour.name()));
    const QString tip = v.details();
    m_badge->setToolTip(tip);
    // Said in the reader's language, short; the gates' full lines (statistics, bounds) stay in
    // the tooltip. "No canary traffic" on the badge says it all.
    m_reason->setText(DisplayNames::verdictReason(v));
    m_reason->setFixedToolTip(tip);
}

void VerdictBadgeWidget::onToggled(bool on)
{
    if (!m_controller)
        return;
    m_autoRollback->setEnabled(false); // until the file has it
    m_controller->setAutoRollback(on, m_targetsPath);
}

void VerdictBadgeWidget::onAutoRollbackChanged(bool, bool, const QString &)
{
    sync();
}

} // namespace Switchboard
