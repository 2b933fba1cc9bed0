#include "fakenotificationservice.h"

#include <QDBusConnection>
#include <QDBusError>

FakeNotificationService::FakeNotificationService(const QString &busAddress)
    : m_connectionName(QStringLiteral("fake-notifications"))
{
    QDBusConnection bus = QDBusConnection::connectToBus(busAddress, m_connectionName);
    if (!bus.isConnected()) {
        m_error = bus.lastError().message();
        return;
    }
    if (!bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), this, QDBusConnection::ExportScriptableSlots)
        || !bus.registerService(QStringLiteral("org.freedesktop.Notifications"))) {
        m_error = bus.lastError().message();
        return;
    }
    m_registered = true;
}

FakeNotificationService::~FakeNotificationService()
{
    QDBusConnection::disconnectFromBus(m_connectionName);
}

uint FakeNotificationService::Notify(const QString &app, uint, const QString &icon, const QString &summary, const QString &body,
                                     const QStringList &, const QVariantMap &hints, int expireTimeout)
{
    m_calls.append({app, icon, summary, body, hints, expireTimeout});
    Q_EMIT notified();
    return uint(m_calls.size());
}

QStringList FakeNotificationService::GetCapabilities() const
{
    return {QStringLiteral("body")};
}
