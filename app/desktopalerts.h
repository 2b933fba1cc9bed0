#pragma once
// The GUI's side of notifications: each one raised by the NotificationHub goes to the desktop's
// notification service (the tray where there is none) and into the main window's title while
// the window is in the background. What happened to it is said in the event log.

#include <QObject>

class QWidget;

namespace Switchboard {

class DesktopNotifier;
class EventLogModel;
class NotificationHub;
class TitleAlert;
class TrayNotifier;
struct Notification;

class DesktopAlerts final : public QObject
{
    Q_OBJECT
public:
    // `hub`, `window` and `log` must outlive this object.
    DesktopAlerts(NotificationHub *hub, QWidget *window, EventLogModel *log, QObject *parent = nullptr);

private:
    void onRaised(const Notification &n);
    void onUnavailable(const QString &title, const QString &body, const QString &error);

    bool m_desktop;
    DesktopNotifier *m_notifier;
    TrayNotifier *m_tray;
    TitleAlert *m_title;
    EventLogModel *m_log;
    bool m_fallbackLogged = false;
};

} // namespace Switchboard
