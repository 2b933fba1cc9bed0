#pragma once
// What may be said about a webhook: its service, name and host, never its URL's path or query
// (Slack's and Feishu's tokens are in the path, DingTalk's access_token and WeCom's key in the
// query), its signing secret or its headers' values. scrub() takes those out of any text (a
// libcurl error, a robot's answer) before it reaches a log or a message.

#include "webhookconfig.h"

#include <QString>
#include <QStringList>

namespace Switchboard {

class WebhookRedactor final
{
public:
    explicit WebhookRedactor(const WebhookConfig &webhook);

    // slack "team" (hooks.slack.com)
    QString label() const { return m_label; }
    QString scrub(QString text) const;

private:
    QString m_label;
    QStringList m_secrets; // longest first, so a whole URL goes before its parts
};

} // namespace Switchboard
