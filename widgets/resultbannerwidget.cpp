#include "resultbannerwidget.h"

#include "palette.h"
#include "rolloutengine.h"
#include "targetcontroller.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace Switchboard {

ResultBannerWidget::ResultBannerWidget(QWidget *parent)
    : QWidget(parent)
    , m_text(new QLabel(this))
    , m_retry(new QPushButton(this))
    , m_dismiss(new QPushButton(tr("Dismiss"), this))
{
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("Switchboard--ResultBannerWidget { border: 2px solid %1; border-radius: 4px; }")
                      .arg(Palette::danger().name()));
    m_text->setObjectName(QStringLiteral("resultBannerText"));
    m_retry->setObjectName(QStringLiteral("retryButton"));
    m_dismiss->setObjectName(QStringLiteral("dismissButton"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setWordWrap(true);
    m_text->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // errors wrap, never widen
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(8, 4, 8, 4);
    row->addWidget(m_text, 1);
    row->addWidget(m_retry);
    row->addWidget(m_dismiss);
    connect(m_retry, &QPushButton::clicked, this, &ResultBannerWidget::retry);
    connect(m_dismiss, &QPushButton::clicked, this, &ResultBannerWidget::dismiss);
    hide();
}

void ResultBannerWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller)
        connect(controller, &TargetController::actionFinished, this, &ResultBannerWidget::showResult);
    dismiss();
}

QString ResultBannerWidget::text() const
{
    return isVisibleTo(parentWidget()) ? m_text->text() : QString();
}

void ResultBannerWidget::showResult(const ChangeResult &result)
{
    switch (result.status) {
    case ChangeResult::Status::Partial:
        // Some load balancers hold the new weights and some don't: say so, and offer to send it again.
        m_text->setText(tr("Partially applied: %1. Send canary %2% again to every node?")
                            .arg(result.message).arg(result.requestedCanaryPercent));
        m_retry->setText(tr("Retry"));
        break;
    case ChangeResult::Status::Conflict:
        m_text->setText(tr("Conflict: %1. Apply canary %2% anyway?").arg(result.message).arg(result.requestedCanaryPercent));
        m_retry->setText(tr("Apply anyway"));
        break;
    case ChangeResult::Status::Applied:
        dismiss(); // a later change (or the retry) went through: the offer is out of date
        return;
    case ChangeResult::Status::Failed:
        return; // reported in the progress line and the log, as before
    }
    m_result = result;
    show();
}

void ResultBannerWidget::retry()
{
    const ChangeResult r = m_result;
    dismiss();
    if (!m_controller)
        return;
    const bool conflict = r.status == ChangeResult::Status::Conflict;
    // Recorded in the audit log, which stays English like all machine output.
    const QString reason = conflict ? QStringLiteral("operator, over a conflict") : QStringLiteral("operator, retry after a partial change");
    if (!m_controller->isRolloutActive()) {
        m_controller->setCanaryPercent(r.requestedCanaryPercent, reason, true);
        return;
    }
    // A rollout runs: the raw change would go behind the plan's back (and pause it). Ask the
    // operator paths instead, so the plan knows what was sent.
    if (r.requestedCanaryPercent <= 0) {
        m_controller->operatorRollback(reason);
    } else if (r.requestedCanaryPercent >= 100) {
        m_controller->operatorPromoteFull(reason);
    } else if (RolloutEngine *e = m_controller->rollout(); e && e->state() == RolloutEngine::State::Paused) {
        e->resume(); // a failed step is sent again on resume
    } else {
        Q_EMIT message(tr("the rollout is carrying on; nothing sent again"), 5000);
    }
}

void ResultBannerWidget::dismiss()
{
    m_result = {};
    hide();
}

} // namespace Switchboard
