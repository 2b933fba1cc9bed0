#include "webhookrequest.h"

#include "webhooksignature.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace Switchboard {

QString WebhookRequest::plainText(const Notification &n)
{
    return (QStringList{n.title()} + n.lines()).join(QLatin1Char('\n'));
}

QString WebhookRequest::markdown(const Notification &n)
{
    QString out = QStringLiteral("### %1\n").arg(n.title());
    for (const QString &line : n.lines())
        out += QStringLiteral("\n- %1").arg(line);
    return out;
}

WebhookRequest WebhookRequest::build(const WebhookConfig &w, const Notification &n, qint64 nowMs)
{
    WebhookRequest r;
    r.url = w.url.toUtf8();
    r.headers.append("Content-Type: application/json; charset=utf-8");
    QJsonObject body;
    const bool md = w.msgtype == QLatin1String("markdown");
    switch (w.service) {
    case WebhookConfig::Service::Slack:
        body.insert(QStringLiteral("text"), plainText(n));
        break;
    case WebhookConfig::Service::DingTalk:
        body.insert(QStringLiteral("msgtype"), md ? QStringLiteral("markdown") : QStringLiteral("text"));
        if (md)
            body.insert(QStringLiteral("markdown"), QJsonObject{{QStringLiteral("title"), n.title()}, {QStringLiteral("text"), markdown(n)}});
        else
            body.insert(QStringLiteral("text"), QJsonObject{{QStringLiteral("content"), plainText(n)}});
        if (!w.secret.isEmpty()) {
            const QByteArray sign = QUrl::toPercentEncoding(QString::fromLatin1(WebhookSignature::dingTalk(w.secret, nowMs)));
            r.url += QByteArray(r.url.contains('?') ? "&" : "?") + "timestamp=" + QByteArray::number(nowMs) + "&sign=" + sign;
        }
        break;
    case WebhookConfig::Service::Feishu:
        body.insert(QStringLiteral("msg_type"), QStringLiteral("text"));
        body.insert(QStringLiteral("content"), QJsonObject{{QStringLiteral("text"), plainText(n)}});
        if (!w.secret.isEmpty()) {
            const qint64 seconds = nowMs / 1000;
            body.insert(QStringLiteral("timestamp"), QString::number(seconds));
            body.insert(QStringLiteral("sign"), QString::fromLatin1(WebhookSignature::feishu(w.secret, seconds)));
        }
        break;
    case WebhookConfig::Service::WeCom:
        body.insert(QStringLiteral("msgtype"), md ? QStringLiteral("markdown") : QStringLiteral("text"));
        body.insert(md ? QStringLiteral("markdown") : QStringLiteral("text"),
                    QJsonObject{{QStringLiteral("content"), md ? markdown(n) : plainText(n)}});
        break;
    case WebhookConfig::Service::Generic:
        body = QJsonObject{{QStringLiteral("event"), n.kindName()},
                           {QStringLiteral("target"), n.target},
                           {QStringLiteral("plan"), n.plan},
                           {QStringLiteral("what"), n.what},
                           {QStringLiteral("reason"), n.reason},
                           {QStringLiteral("figures"), QJsonArray::fromStringList(n.figures)},
                           {QStringLiteral("who"), n.who},
                           {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(n.timeMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                           {QStringLiteral("title"), n.title()},
                           {QStringLiteral("text"), plainText(n)}};
        for (auto it = w.headers.cbegin(); it != w.headers.cend(); ++it)
            r.headers.append(QByteArray(it.key().toUtf8() + ": " + it.value().toUtf8()));
        break;
    }
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

} // namespace Switchboard
