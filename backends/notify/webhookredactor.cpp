#include "webhookredactor.h"

#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace Switchboard {

WebhookRedactor::WebhookRedactor(const WebhookConfig &w)
{
    const QUrl url(w.url);
    m_label = QStringLiteral("%1 \"%2\" (%3)").arg(WebhookConfig::serviceName(w.service), w.name, url.host());
    QStringList secrets{w.url, w.secret, url.path(), url.query()};
    // Path segments that look like tokens (Slack's T…/B…/token, Feishu's hook id); words such
    // as "robot" or "webhook" are no secret and would mangle every message.
    for (const QString &segment : url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        const bool digits = std::any_of(segment.cbegin(), segment.cend(), [](QChar c) { return c.isDigit(); });
        if (digits || segment.size() >= 16)
            secrets.append(segment);
    }
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        secrets.append(value);
    for (const QString &value : w.headers)
        secrets.append(value);
    for (const QString &s : std::as_const(secrets)) {
        if (s.size() < 6 || s.count(QLatin1Char('/')) == s.size() || m_secrets.contains(s))
            continue;
        m_secrets.append(s);
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(s));
        if (encoded != s)
            m_secrets.append(encoded);
    }
    std::sort(m_secrets.begin(), m_secrets.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

QString WebhookRedactor::scrub(QString text) const
{
    for (const QString &s : m_secrets)
        text.replace(s, QStringLiteral("***"));
    return text;
}

} // namespace Switchboard
