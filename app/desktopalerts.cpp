#include "desktopalerts.h"

#include "desktopnotifier.h"
#include "eventlogmodel.h"
#include "notificationhub.h"
#include "titlealert.h"
#include "traynotifier.h"

#include <QCoreApplication>
#include <QWidget>

namespace Switchboard {

namespace {

// The desktop's words for what happened, in the operator's language.
QString alertHeadline(const Notification &n)
{
    switch (n.kind) {
    case Notification::Kind::RolledBack:
        return QCoreApplication::translate("DesktopAlerts", "%1: rolled back").arg(n.target);
    case Notification::Kind::Paused:
        return QCoreApplication::translate("DesktopAlerts", "%1: paused, needs you").arg(n.target);
    case Notification::Kind::Failed:
        return QCoreApplication::translate("DesktopAlerts", "%1: failed").arg(n.target);
    case Notification::Kind::Promoted:
        return QCoreApplication::translate("DesktopAlerts", "%1: promoted").arg(n.target);
    }
    return n.target;
}

} // namespace

DesktopAlerts::DesktopAlerts(NotificationHub *hub, QWidget *window, EventLogModel *log, QObject *parent)
    : QObject(parent)
    , m_desktop(hub->desktopWanted())
    , m_notifier(new DesktopNotifier({}, this))
    , m_tray(new TrayNotifier(this))
    , m_title(new TitleAlert(window))
    , m_log(log)
{
    connect(hub, &NotificationHub::raised, this, &DesktopAlerts::onRaised);
    connect(m_notifier, &DesktopNotifier::unavailable, this, &DesktopAlerts::onUnavailable);
}

void DesktopAlerts::onRaised(const Notification &n)
{
    const QString headline = alertHeadline(n);
    m_title->alert(headline);
    if (!m_desktop)
        return;
    // The body keeps the engine's own words and numbers (as the event log shows them).
    const QString body = (QStringList{n.what, n.reason} + n.figures).join(QLatin1Char('\n')).trimmed();
    m_notifier->show(headline, body, n.kind == Notification::Kind::RolledBack || n.kind == Notification::Kind::Failed);
}

void DesktopAlerts::onUnavailable(const QString &title, const QString &body, const QString &error)
{
    const bool tray = m_tray->show(title, body, true);
    if (m_fallbackLogged)
        return;
    m_fallbackLogged = true; // once: every rollback would say it again otherwise
    m_log->add(QStringLiteral("switchboard"), EventLogModel::Severity::Warning,
               tray ? QStringLiteral("desktop notifications: no notification service (%1); using the system tray").arg(error)
                    : QStringLiteral("desktop notifications: no notification service (%1) and no system tray; "
                                     "the event log and the window title carry them").arg(error));
}

} // namespace Switchboard
