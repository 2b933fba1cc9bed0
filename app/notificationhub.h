#pragma once
// Wires notifications for a workspace, GUI and CLI alike: a RolloutNotifier per target turns
// its events into Notifications, the WebhookDispatcher sends them off the caller's thread, and
// the event log says what was sent and what failed (without any URL or secret). The GUI adds
// the desktop and the window title to raised(); the CLI prints failures and waits for pending
// sends before it exits.

#include "notificationconfig.h"

#include <QList>
#include <QObject>

#include <memory>

namespace Switchboard {

class EventLogModel;
class RolloutNotifier;
class TargetController;
class WebhookDispatcher;

class NotificationHub final : public QObject
{
    Q_OBJECT
public:
    // `controllers` and `log` must outlive the hub; `user` is who acts in this process.
    NotificationHub(const NotificationConfig &config, const QList<TargetController *> &controllers, EventLogModel *log,
                    const QString &user, QObject *parent = nullptr);
    ~NotificationHub() override;

    bool desktopWanted() const { return m_config.desktop; }
    const NotificationConfig &config() const { return m_config; }
    int pending() const;
    int worstCaseMs() const;

Q_SIGNALS:
    void raised(const Switchboard::Notification &n);
    // A webhook that could not be told, one line, already free of secrets.
    void deliveryFailed(const QString &text);

private:
    void onRaised(const Notification &n);
    void log(const QString &target, int severity, const QString &text);

    NotificationConfig m_config;
    EventLogModel *m_log;
    std::unique_ptr<WebhookDispatcher> m_webhooks;
    QList<RolloutNotifier *> m_notifiers;
};

} // namespace Switchboard
