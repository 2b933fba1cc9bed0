#pragma once
// Desktop notifications through the system tray (QSystemTrayIcon::showMessage), for desktops
// without the freedesktop notification service. The icon appears with the first message.

#include <QObject>
#include <QString>

class QSystemTrayIcon;

namespace Switchboard {

class TrayNotifier final : public QObject
{
    Q_OBJECT
public:
    explicit TrayNotifier(QObject *parent = nullptr);

    // False when there is no system tray either: the event log is then the only place.
    bool show(const QString &title, const QString &body, bool urgent);

private:
    QSystemTrayIcon *m_icon = nullptr;
};

} // namespace Switchboard
