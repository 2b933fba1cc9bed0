#pragma once
// Hands notifications to the webhooks that want them, each webhook with its own sender on its
// own thread, so a webhook that hangs delays neither the others nor the caller (the GUI thread,
// or the CLI's event loop: a rollback is never held up by a notification). Answers come back
// on the caller's thread.

#include "notification.h"
#include "webhookconfig.h"

#include <QHash>
#include <QObject>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

namespace Switchboard {

class WebhookSender;

class WebhookDispatcher final : public QObject
{
    Q_OBJECT
public:
    explicit WebhookDispatcher(const QList<WebhookConfig> &webhooks, QObject *parent = nullptr);
    // Stops transfers under way (they end within about a second) and waits for the threads a
    // bounded time.
    ~WebhookDispatcher() override;

    // Queues `n` for every webhook that wants it and returns how many; never waits.
    int dispatch(const Notification &n);
    // Sends still unanswered.
    int pending() const { return int(m_inFlight.size()); }
    // The longest a webhook can take for one message (timeouts, retries, back-off).
    int worstCaseMs() const;

Q_SIGNALS:
    // `label` is what may be said of the webhook (WebhookRedactor::label): no URL, no secret.
    void delivered(const QString &label, const Switchboard::Notification &n, int attempts);
    void failed(const QString &label, const Switchboard::Notification &n, int attempts, const QString &error);
    void idle(); // nothing pending any more

private:
    struct Lane;
    void onDelivered(quint64 id, int attempts);
    void onFailed(quint64 id, int attempts, const QString &error);

    std::vector<std::unique_ptr<Lane>> m_lanes;
    std::shared_ptr<std::atomic<bool>> m_stop;
    QHash<quint64, QPair<int, Notification>> m_inFlight; // id -> lane, notification
    quint64 m_nextId = 1;
};

} // namespace Switchboard
