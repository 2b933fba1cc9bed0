#include "webhookconfig.h"

namespace Switchboard {

QString WebhookConfig::serviceName(Service s)
{
    switch (s) {
    case Service::Slack: return QStringLiteral("slack");
    case Service::DingTalk: return QStringLiteral("dingtalk");
    case Service::Feishu: return QStringLiteral("feishu");
    case Service::WeCom: return QStringLiteral("wecom");
    case Service::Generic: return QStringLiteral("generic");
    }
    return {};
}

bool WebhookConfig::serviceFromName(const QString &name, Service *out)
{
    // "lark" is Feishu's international name: the same bot API.
    if (name == QLatin1String("lark")) {
        *out = Service::Feishu;
        return true;
    }
    for (Service s : {Service::Slack, Service::DingTalk, Service::Feishu, Service::WeCom, Service::Generic}) {
        if (serviceName(s) == name) {
            *out = s;
            return true;
        }
    }
    return false;
}

bool WebhookConfig::wants(const Notification &n) const
{
    return (targets.isEmpty() || targets.contains(n.target)) && (events.isEmpty() || events.contains(n.kind));
}

int WebhookConfig::worstCaseMs() const
{
    int total = 0;
    int backoff = backoffMs;
    for (int attempt = 0; attempt <= retries; ++attempt) {
        total += timeoutMs;
        if (attempt < retries) {
            total += backoff;
            backoff *= 2;
        }
    }
    return total;
}

} // namespace Switchboard
