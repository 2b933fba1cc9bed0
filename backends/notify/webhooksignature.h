#pragma once
// The signatures chat robots check when a signing secret is set, as their vendors document
// them. Both are Base64 of an HMAC-SHA256; they differ in what is the key and what the message.

#include <QByteArray>
#include <QString>

namespace Switchboard {

class WebhookSignature final
{
public:
    // DingTalk: Base64(HMAC-SHA256(key = secret, message = timestampMs + "\n" + secret)). Sent
    // URL-encoded in the query as &timestamp=..&sign=..; this is before the URL encoding.
    static QByteArray dingTalk(const QString &secret, qint64 timestampMs);
    // Feishu / Lark: Base64(HMAC-SHA256(key = timestampSec + "\n" + secret, message = "")).
    // Sent in the body as "timestamp" (seconds, a string) and "sign".
    static QByteArray feishu(const QString &secret, qint64 timestampSec);
};

} // namespace Switchboard
