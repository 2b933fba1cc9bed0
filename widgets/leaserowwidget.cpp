#include "leaserowwidget.h"

#include "targetcontroller.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace Switchboard {

namespace {

QString timeOfDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

LeaseRowWidget::LeaseRowWidget(ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_confirm(std::move(confirm))
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
{
    m_text->setObjectName(QStringLiteral("leaseText"));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setWordWrap(true);
    m_action->setObjectName(QStringLiteral("leaseButton"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_action);
    connect(m_action, &QPushButton::clicked, this, &LeaseRowWidget::act);
    setController(nullptr);
}

void LeaseRowWidget::setController(TargetController *controller)
{
    if (m_controller) {
        disconnect(m_controller, nullptr, this, nullptr);
        disconnect(m_controller->lease(), nullptr, this, nullptr);
    }
    m_controller = controller;
    if (controller) {
        connect(controller, &TargetController::leaseChanged, this, &LeaseRowWidget::refresh);
        connect(controller->lease(), &LeaseGuard::answered, this, &LeaseRowWidget::onAnswered);
    }
    refresh();
}

void LeaseRowWidget::refresh()
{
    const LeaseGuard *g = m_controller ? m_controller->lease() : nullptr;
    setVisible(g && g->hasStore());
    if (!g || !g->hasStore())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const OperatorLease &l = g->lease();
    const qint64 leftS = std::max<qint64>(0, (l.expiresMs() - now + 999) / 1000);
    QString text;
    if (!g->isKnown())
        text = g->error().isEmpty() ? tr("Lease: reading…") : tr("Lease: unknown (%1)").arg(g->error());
    else if (g->isHeldByOther(now))
        text = tr("Lease: held by <b>%1</b> since %2 (%3), lapses in %4 s — only Rollback is open to you")
                   .arg(l.holder.toHtmlEscaped(), timeOfDay(l.acquiredMs), l.purpose.toHtmlEscaped())
                   .arg(leftS);
    else if (g->isHeldByMe(now))
        text = tr("Lease: yours since %1 (%2)%3").arg(timeOfDay(l.acquiredMs), l.purpose.toHtmlEscaped(),
                                                     g->isKeeping() ? QString() : tr(", lapses in %1 s").arg(leftS));
    else
        text = tr("Lease: free — take it to tell others you are releasing this target");
    if (g->isKnown() && !g->error().isEmpty())
        text += QStringLiteral(" <span style='color:gray'>(%1)</span>").arg(tr("last read failed: %1").arg(g->error().toHtmlEscaped()));
    m_text->setText(text);
    m_text->setToolTip(g->where());
    const bool other = g->isHeldByOther(now);
    const bool mine = g->isHeldByMe(now);
    m_action->setText(other ? tr("Take over…") : mine ? tr("Release lease") : tr("Take lease"));
    m_action->setEnabled(g->isKnown() && !m_controller->isReadOnly());
    m_action->setToolTip(m_controller->isReadOnly() ? tr("read-only: %1").arg(m_controller->readOnlyReason()) : g->where());
}

void LeaseRowWidget::act()
{
    if (!m_controller)
        return;
    LeaseGuard *g = m_controller->lease();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (g->isHeldByMe(now)) {
        g->release();
    } else if (g->isHeldByOther(now)) {
        const OperatorLease l = g->lease();
        m_confirm(tr("Take the lease over?"),
                  tr("%1 holds %2 since %3 (%4). They will be told by the audit log and their rollout, if any, pauses.")
                      .arg(l.holder, m_controller->name(), timeOfDay(l.acquiredMs), l.purpose),
                  [this, target = m_controller](bool yes) {
                      if (yes && m_controller && m_controller.data() == target.data())
                          m_controller->lease()->take(QStringLiteral("release"), true);
                  });
        return;
    } else {
        g->take(QStringLiteral("release"), false);
    }
    refresh();
}

void LeaseRowWidget::onAnswered(const LeaseResult &r)
{
    refresh();
    switch (r.outcome) {
    case LeaseResult::Outcome::Taken:
        Q_EMIT message(tr("lease taken"), 5000);
        break;
    case LeaseResult::Outcome::TakenOver:
        Q_EMIT message(tr("lease taken over from %1").arg(r.previous.holder), 8000);
        break;
    case LeaseResult::Outcome::Released:
        Q_EMIT message(tr("lease released"), 5000);
        break;
    case LeaseResult::Outcome::HeldByOther:
        Q_EMIT message(tr("lease held by %1").arg(r.lease.holder), 8000);
        break;
    default:
        Q_EMIT message(tr("lease: %1").arg(r.message), 8000);
        break;
    }
}

} // namespace Switchboard
