#include "notificationconfig.h"

#include "jsonposition.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace Switchboard {

namespace {

bool readNotificationEvents(const QJsonValue &v, QList<Notification::Kind> *out, QString *error)
{
    if (v.isUndefined())
        return true;
    if (!v.isArray()) {
        *error = QStringLiteral("events: expected an array of names");
        return false;
    }
    out->clear();
    for (const QJsonValue &e : v.toArray()) {
        Notification::Kind k;
        if (!Notification::kindFromName(e.toString(), &k)) {
            *error = QStringLiteral("events: \"%1\" is not one of rolled-back, paused, failed, promoted").arg(e.toString());
            return false;
        }
        out->append(k);
    }
    return true;
}

bool readNotificationInt(const QJsonObject &o, const char *key, int min, int *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || v.toDouble() < min || v.toDouble() > 600000) {
        *error = QStringLiteral("%1: expected a number from %2 to 600000").arg(QLatin1String(key)).arg(min);
        return false;
    }
    *out = v.toInt();
    return true;
}

// One webhook; `w` comes with the block's defaults.
bool readWebhook(const QJsonObject &o, WebhookConfig *w, QString *error)
{
    const QString service = o.value(QStringLiteral("service")).toString();
    if (!WebhookConfig::serviceFromName(service, &w->service)) {
        *error = QStringLiteral("service: \"%1\" is not one of slack, dingtalk, feishu, lark, wecom, generic").arg(service);
        return false;
    }
    w->name = o.value(QStringLiteral("name")).toString(WebhookConfig::serviceName(w->service));
    w->url = o.value(QStringLiteral("url")).toString();
    const QString scheme = w->url.section(QLatin1Char(':'), 0, 0).toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        *error = QStringLiteral("url: missing, or not an http(s) URL");
        return false;
    }
    w->secret = o.value(QStringLiteral("secret")).toString();
    if (!w->secret.isEmpty() && w->service != WebhookConfig::Service::DingTalk && w->service != WebhookConfig::Service::Feishu) {
        *error = QStringLiteral("secret: only DingTalk and Feishu/Lark robots sign their messages");
        return false;
    }
    w->msgtype = o.value(QStringLiteral("msgtype")).toString(QStringLiteral("markdown"));
    if (w->msgtype != QLatin1String("markdown") && w->msgtype != QLatin1String("text")) {
        *error = QStringLiteral("msgtype: expected \"markdown\" or \"text\"");
        return false;
    }
    const QJsonObject headers = o.value(QStringLiteral("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it)
        w->headers.insert(it.key(), it.value().toString());
    return readNotificationEvents(o.value(QStringLiteral("events")), &w->events, error)
           && readNotificationInt(o, "timeoutMs", 100, &w->timeoutMs, error)
           && readNotificationInt(o, "retries", 0, &w->retries, error)
           && readNotificationInt(o, "backoffMs", 0, &w->backoffMs, error);
}

} // namespace

void NotificationConfig::addBlock(const QJsonObject &block, const QString &where, const QStringList &targets)
{
    if (block.contains(QStringLiteral("desktop")))
        desktop = block.value(QStringLiteral("desktop")).toBool(true);
    WebhookConfig defaults;
    defaults.targets = targets;
    QString error;
    if (!readNotificationEvents(block.value(QStringLiteral("events")), &defaults.events, &error)
        || !readNotificationInt(block, "timeoutMs", 100, &defaults.timeoutMs, &error)
        || !readNotificationInt(block, "retries", 0, &defaults.retries, &error)) {
        problems.append(QStringLiteral("%1: %2; its webhooks are not used").arg(where, error));
        return;
    }
    const QJsonArray hooks = block.value(QStringLiteral("webhooks")).toArray();
    for (int i = 0; i < hooks.size(); ++i) {
        WebhookConfig w = defaults;
        const QJsonObject o = hooks.at(i).toObject();
        if (!readWebhook(o, &w, &error)) {
            const QString name = o.value(QStringLiteral("name")).toString();
            problems.append(QStringLiteral("%1.webhooks[%2]%3: %4; not used")
                                .arg(where).arg(i).arg(name.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(name), error));
            continue;
        }
        webhooks.append(w);
    }
}

void NotificationConfig::addTargetsFile(const QJsonObject &root, const QString &where)
{
    if (root.value(QStringLiteral("notifications")).isObject())
        addBlock(root.value(QStringLiteral("notifications")).toObject(), where + QStringLiteral(": notifications"), {});
    const QJsonArray targets = root.value(QStringLiteral("targets")).toArray();
    for (int i = 0; i < targets.size(); ++i) {
        const QJsonObject t = targets.at(i).toObject();
        if (t.value(QStringLiteral("notifications")).isObject())
            addBlock(t.value(QStringLiteral("notifications")).toObject(),
                     QStringLiteral("%1: targets[%2].notifications").arg(where).arg(i),
                     {t.value(QStringLiteral("name")).toString()});
    }
}

NotificationConfig NotificationConfig::load(const QString &targetsPath)
{
    NotificationConfig c;
    // targets.json itself was checked by the targets' loader, which reports its errors.
    QFile targets(targetsPath);
    if (targets.open(QIODevice::ReadOnly))
        c.addTargetsFile(QJsonDocument::fromJson(targets.readAll()).object(), targetsPath);
    const QString path = QFileInfo(targetsPath).dir().filePath(QStringLiteral("notifications.json"));
    QFile file(path);
    if (!file.exists())
        return c;
    if (!file.open(QIODevice::ReadOnly)) {
        c.problems.append(QStringLiteral("%1: %2").arg(path, file.errorString()));
        return c;
    }
    const QByteArray json = file.readAll();
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        c.problems.append(QStringLiteral("%1: %2").arg(path, err.error != QJsonParseError::NoError
                                                                 ? QStringLiteral("%1: %2").arg(jsonPosition(json, err.offset), err.errorString())
                                                                 : QStringLiteral("expected an object")));
        return c;
    }
    c.addBlock(doc.object(), path, {});
    return c;
}

QList<WebhookConfig> NotificationConfig::webhooksFor(const Notification &n) const
{
    QList<WebhookConfig> out;
    for (const WebhookConfig &w : webhooks)
        if (w.wants(n))
            out.append(w);
    return out;
}

} // namespace Switchboard
