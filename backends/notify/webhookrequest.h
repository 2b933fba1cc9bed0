#pragma once
// The HTTP request one notification makes for one webhook: its URL (DingTalk's signature in the
// query), its JSON body in the shape the service documents, and its headers. Built afresh for
// every attempt, since signatures carry the time and robots refuse old ones.

#include "notification.h"
#include "webhookconfig.h"

#include <QByteArray>
#include <QList>

namespace Switchboard {

struct WebhookRequest
{
    QByteArray url;
    QByteArray body;
    QList<QByteArray> headers;

    static WebhookRequest build(const WebhookConfig &webhook, const Notification &n, qint64 nowMs);
    // The message as Markdown (DingTalk, WeCom), and as plain text (the rest).
    static QString markdown(const Notification &n);
    static QString plainText(const Notification &n);
};

} // namespace Switchboard
