#include "webhooksignature.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace Switchboard {

QByteArray WebhookSignature::dingTalk(const QString &secret, qint64 timestampMs)
{
    const QByteArray key = secret.toUtf8();
    const QByteArray message = QByteArray::number(timestampMs) + '\n' + key;
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).toBase64();
}

QByteArray WebhookSignature::feishu(const QString &secret, qint64 timestampSec)
{
    // Feishu signs nothing with the string as the key: that is how their documentation's
    // reference code does it, and what their servers check.
    const QByteArray key = QByteArray::number(timestampSec) + '\n' + secret.toUtf8();
    return QMessageAuthenticationCode::hash(QByteArray(), key, QCryptographicHash::Sha256).toBase64();
}

} // namespace Switchboard
