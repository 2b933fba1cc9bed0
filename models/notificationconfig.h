#pragma once
// Who hears about rollouts: the "notifications" object of targets.json (at the top level for
// every target, inside a target for that one) and notifications.json beside targets.json (for
// every target). Shape of each:
//   {"desktop": true, "events": ["rolled-back", "paused", "failed", "promoted"],
//    "timeoutMs": 5000, "retries": 2,
//    "webhooks": [{"service": "slack|dingtalk|feishu|lark|wecom|generic", "url": "...",
//                  "name": "...", "secret": "...", "msgtype": "markdown|text",
//                  "headers": {...}, "events": [...], "timeoutMs": N, "retries": N}]}
// A webhook that cannot be used is left out and named in problems(), by position and name,
// never by URL: a broken entry must not stop the targets from working.

#include "webhookconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

struct NotificationConfig
{
    bool desktop = true;
    QList<WebhookConfig> webhooks;
    QStringList problems;

    // Reads targets.json at `targetsPath` and notifications.json beside it; a missing file is
    // no problem (nothing configured).
    static NotificationConfig load(const QString &targetsPath);
    // `root` is targets.json's object; `where` names it in problems.
    void addTargetsFile(const QJsonObject &root, const QString &where);
    // One "notifications" object; its webhooks hear only of `targets` (empty: every target).
    void addBlock(const QJsonObject &block, const QString &where, const QStringList &targets);
    // The webhooks that want `n`.
    QList<WebhookConfig> webhooksFor(const Notification &n) const;
};

} // namespace Switchboard
