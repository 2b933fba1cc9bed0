#include "desktopnotifier.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QFileInfo>
#include <QVariantMap>

namespace Switchboard {

namespace {

QDBusConnection desktopBus(const QString &name)
{
    return name.isEmpty() ? QDBusConnection::sessionBus() : QDBusConnection(name);
}

// Without an address and without the systemd user bus socket, asking for the session bus
// would have libdbus try to launch one through X11: not from a notification.
bool desktopHasSessionBus()
{
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !runtime.isEmpty() && QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

} // namespace

DesktopNotifier::DesktopNotifier(const QString &busAddress, QObject *parent)
    : QObject(parent)
    , m_address(busAddress)
{
}

DesktopNotifier::~DesktopNotifier()
{
    if (!m_connectionName.isEmpty())
        QDBusConnection::disconnectFromBus(m_connectionName);
}

void DesktopNotifier::show(const QString &title, const QString &body, bool urgent)
{
    if (!m_connected && !m_address.isEmpty()) {
        m_connectionName = QStringLiteral("switchboard-notify-%1").arg(quintptr(this), 0, 16);
        QDBusConnection::connectToBus(m_address, m_connectionName);
    }
    m_connected = true;
    if (m_address.isEmpty() && !desktopHasSessionBus()) {
        QMetaObject::invokeMethod(this, [this, title, body] { Q_EMIT unavailable(title, body, QStringLiteral("no D-Bus session bus")); },
                                  Qt::QueuedConnection);
        return;
    }
    QDBusConnection bus = desktopBus(m_connectionName);
    if (!bus.isConnected()) {
        const QString error = bus.lastError().message().isEmpty() ? QStringLiteral("no D-Bus session bus") : bus.lastError().message();
        QMetaObject::invokeMethod(this, [this, title, body, error] { Q_EMIT unavailable(title, body, error); }, Qt::QueuedConnection);
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.Notifications"),
                                                       QStringLiteral("/org/freedesktop/Notifications"),
                                                       QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(urgent ? 2 : 1))); // the spec's byte: 1 normal, 2 critical
    hints.insert(QStringLiteral("desktop-entry"), QCoreApplication::applicationName());
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    call << QCoreApplication::applicationName() << uint(0) << QStringLiteral("dialog-warning") << title << body
         << QStringList() << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 10000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, title, body] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError())
            Q_EMIT unavailable(title, body, reply.error().message());
        else
            Q_EMIT shown(reply.value());
    });
}

} // namespace Switchboard
