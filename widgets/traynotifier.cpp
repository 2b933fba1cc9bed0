#include "traynotifier.h"

#include <QApplication>
#include <QStyle>
#include <QSystemTrayIcon>

namespace Switchboard {

TrayNotifier::TrayNotifier(QObject *parent)
    : QObject(parent)
{
}

bool TrayNotifier::show(const QString &title, const QString &body, bool urgent)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return false;
    if (!m_icon) {
        m_icon = new QSystemTrayIcon(QApplication::windowIcon().isNull() ? QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning)
                                                                         : QApplication::windowIcon(),
                                     this);
        m_icon->setToolTip(tr("Switchboard"));
        m_icon->show();
    }
    m_icon->showMessage(title, body, urgent ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information);
    return true;
}

} // namespace Switchboard
