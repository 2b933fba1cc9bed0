#pragma once
// Sends notifications to one webhook, on a worker thread of its own (WebhookDispatcher puts it
// there): one at a time in the order asked, each attempt bounded by the webhook's timeout, a
// 5xx, 429 or network error tried again after a doubling back-off up to `retries` more times.
// A robot that answers 200 with an error code (DingTalk, WeCom "errcode", Feishu "code") failed
// and is not tried again: the same message would be refused the same way. Every error it
// reports is scrubbed of the webhook's secrets.

#include "notification.h"
#include "webhookconfig.h"
#include "webhookredactor.h"

#include <QList>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace Switchboard {

class CurlEasy;

class WebhookSender final : public QObject
{
    Q_OBJECT
public:
    // While *stop is true, transfers end at once and nothing more is sent.
    WebhookSender(const WebhookConfig &webhook, std::shared_ptr<const std::atomic<bool>> stop, QObject *parent = nullptr);
    ~WebhookSender() override;

public Q_SLOTS:
    void send(const Switchboard::Notification &n, quint64 id);

Q_SIGNALS:
    void delivered(quint64 id, int attempts);
    void failed(quint64 id, int attempts, const QString &error);

private:
    struct Job
    {
        Notification notification;
        quint64 id = 0;
        int attempts = 0;
    };

    void attempt();
    void next();
    // Empty when the answer says the message was taken; else why not, and whether to retry.
    QString judge(long status, const QByteArray &body, int code, const QString &curlMessage, bool *retry) const;

    WebhookConfig m_webhook;
    WebhookRedactor m_redactor;
    std::shared_ptr<const std::atomic<bool>> m_stop;
    std::unique_ptr<CurlEasy> m_curl; // made on first use, on the worker thread
    QList<Job> m_jobs;                // the first one is under way
    QTimer m_retry; // before the first attempt again
};

} // namespace Switchboard
