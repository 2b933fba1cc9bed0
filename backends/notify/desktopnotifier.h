#pragma once
// Desktop notifications through the freedesktop notification service
// (org.freedesktop.Notifications on the session bus). Asynchronous: show() returns at once and
// the answer comes as shown() or, when there is no bus or no service on it, unavailable(), so
// the caller can fall back to the tray. QtDBus stays inside this class's .cpp.

#include <QObject>
#include <QString>

namespace Switchboard {

class DesktopNotifier final : public QObject
{
    Q_OBJECT
public:
    // `busAddress` empty: the session bus; else a bus at that address (tests start their own).
    explicit DesktopNotifier(const QString &busAddress = {}, QObject *parent = nullptr);
    ~DesktopNotifier() override;

    // `urgent`: a rollback or a failure (critical urgency: servers keep it until dismissed).
    void show(const QString &title, const QString &body, bool urgent);

Q_SIGNALS:
    void shown(uint id);
    void unavailable(const QString &title, const QString &body, const QString &error);

private:
    QString m_address;
    QString m_connectionName; // empty until the first show(); the session bus needs none
    bool m_connected = false;
};

} // namespace Switchboard
