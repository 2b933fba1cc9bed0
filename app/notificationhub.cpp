#include "notificationhub.h"

#include "eventlogmodel.h"
#include "rolloutnotifier.h"
#include "targetcontroller.h"
#include "webhookdispatcher.h"

namespace Switchboard {

NotificationHub::NotificationHub(const NotificationConfig &config, const QList<TargetController *> &controllers,
                                 EventLogModel *log, const QString &user, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_log(log)
    , m_webhooks(std::make_unique<WebhookDispatcher>(config.webhooks))
{
    for (const QString &p : config.problems)
        this->log(QStringLiteral("switchboard"), int(EventLogModel::Severity::Error), QStringLiteral("notifications: %1").arg(p));
    for (TargetController *c : controllers) {
        auto *n = new RolloutNotifier(c, user, this);
        connect(n, &RolloutNotifier::raised, this, &NotificationHub::onRaised);
        m_notifiers.append(n);
    }
    connect(m_webhooks.get(), &WebhookDispatcher::delivered, this, [this](const QString &label, const Notification &n, int attempts) {
        this->log(n.target, int(EventLogModel::Severity::Info),
                  attempts > 1 ? QStringLiteral("notified %1 (after %2 attempts)").arg(label).arg(attempts)
                               : QStringLiteral("notified %1").arg(label));
    });
    connect(m_webhooks.get(), &WebhookDispatcher::failed, this,
            [this](const QString &label, const Notification &n, int attempts, const QString &error) {
                const QString text = QStringLiteral("notification to %1 failed after %2 attempt(s): %3 (the rollout is not affected)")
                                         .arg(label).arg(attempts).arg(error);
                this->log(n.target, int(EventLogModel::Severity::Error), text);
                Q_EMIT deliveryFailed(QStringLiteral("%1: %2").arg(n.target, text));
            });
}

NotificationHub::~NotificationHub() = default;

int NotificationHub::pending() const
{
    return m_webhooks->pending();
}

int NotificationHub::worstCaseMs() const
{
    return m_webhooks->worstCaseMs();
}

void NotificationHub::onRaised(const Notification &n)
{
    // Sent before anyone reads the log line: the send itself happens on the webhooks' threads.
    const int webhooks = m_webhooks->dispatch(n);
    log(n.target, int(EventLogModel::Severity::Info),
        webhooks > 0 ? QStringLiteral("notifying %1 webhook(s): %2").arg(webhooks).arg(n.title())
                     : QStringLiteral("notification: %1").arg(n.title()));
    Q_EMIT raised(n);
}

void NotificationHub::log(const QString &target, int severity, const QString &text)
{
    if (m_log)
        m_log->add(target, EventLogModel::Severity(severity), text);
}

} // namespace Switchboard
