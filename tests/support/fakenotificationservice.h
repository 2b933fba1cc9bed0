#pragma once
// A small org.freedesktop.Notifications service for tests: registered on a bus (a
// TestSessionBus) under the service's well-known name, it records each Notify call and answers
// with a new id, as a notification daemon does. QtDBus stays inside the .cpp.

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

class FakeNotificationService final : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        QString app;
        QString icon;
        QString summary;
        QString body;
        QVariantMap hints;
        int expireTimeout = 0;
    };

    explicit FakeNotificationService(const QString &busAddress);
    ~FakeNotificationService() override;

    // False when the name could not be taken; error() says why.
    bool isRegistered() const { return m_registered; }
    QString error() const { return m_error; }
    QList<Call> calls() const { return m_calls; }

public Q_SLOTS:
    Q_SCRIPTABLE uint Notify(const QString &app, uint replacesId, const QString &icon, const QString &summary,
                             const QString &body, const QStringList &actions, const QVariantMap &hints, int expireTimeout);
    Q_SCRIPTABLE QStringList GetCapabilities() const;

Q_SIGNALS:
    void notified();

private:
    QString m_connectionName;
    bool m_registered = false;
    QString m_error;
    QList<Call> m_calls;
};
