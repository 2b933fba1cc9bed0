#pragma once
// One chat or HTTP endpoint that hears about rollouts (targets.json "notifications", or
// notifications.json beside it). The URL and the secret are secrets: never put them in a
// message (WebhookRedactor in backends/notify says what may be shown).

#include "notification.h"

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Switchboard {

struct WebhookConfig
{
    enum class Service { Slack, DingTalk, Feishu, WeCom, Generic };

    QString name;       // for the event log; default: the service's name
    Service service = Service::Generic;
    QString url;        // a secret: it carries the token or key
    QString secret;     // DingTalk / Feishu signing secret; empty: unsigned
    QString msgtype;    // DingTalk and WeCom: "markdown" (default) or "text"
    QMap<QString, QString> headers;   // generic: extra request headers (values are secrets)
    QStringList targets;              // empty: every target
    QList<Notification::Kind> events; // empty: every kind
    int timeoutMs = 5000;   // one attempt, connect included
    int retries = 2;        // more attempts after a 5xx, a 429 or a network error
    int backoffMs = 1000;   // before the first retry; doubles

    static QString serviceName(Service s);
    static bool serviceFromName(const QString &name, Service *out);
    bool wants(const Notification &n) const;
    // At most this long from the first attempt to the last answer (timeouts and back-off).
    int worstCaseMs() const;
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::WebhookConfig)
