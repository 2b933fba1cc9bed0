#include "webhooksender.h"

#include "curleasy.h"
#include "webhookrequest.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Switchboard {

WebhookSender::WebhookSender(const WebhookConfig &webhook, std::shared_ptr<const std::atomic<bool>> stop, QObject *parent)
    : QObject(parent)
    , m_webhook(webhook)
    , m_redactor(webhook)
    , m_stop(std::move(stop))
    , m_retry(this) // a child, so it moves to the worker thread with the sender
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &WebhookSender::attempt);
}

WebhookSender::~WebhookSender() = default;

void WebhookSender::send(const Notification &n, quint64 id)
{
    m_jobs.append({n, id, 0});
    if (m_jobs.size() == 1 && !m_retry.isActive())
        attempt();
}

void WebhookSender::next()
{
    m_jobs.removeFirst();
    if (!m_jobs.isEmpty())
        attempt();
}

void WebhookSender::attempt()
{
    if (m_jobs.isEmpty())
        return;
    Job &job = m_jobs.first();
    ++job.attempts;
    if (m_stop->load()) {
        Q_EMIT failed(job.id, job.attempts - 1, QStringLiteral("not sent: Switchboard is closing"));
        return next();
    }
    if (!m_curl)
        m_curl = std::make_unique<CurlEasy>();
    // Built per attempt: a signature carries the time and robots refuse old ones.
    const WebhookRequest request = WebhookRequest::build(m_webhook, job.notification, QDateTime::currentMSecsSinceEpoch());
    CurlEasy::Request r;
    r.url = request.url;
    r.connectTimeoutMs = m_webhook.timeoutMs;
    r.timeoutMs = m_webhook.timeoutMs;
    r.maxBodyBytes = 64 * 1024;
    m_curl->begin(r);
    m_curl->setHeaders(request.headers);
    m_curl->setAbortFlag(m_stop.get());
    curl_easy_setopt(m_curl->handle(), CURLOPT_POST, 1L);
    curl_easy_setopt(m_curl->handle(), CURLOPT_POSTFIELDS, request.body.constData());
    curl_easy_setopt(m_curl->handle(), CURLOPT_POSTFIELDSIZE, long(request.body.size()));
    const CurlEasy::Result result = m_curl->perform();

    bool retry = false;
    const QString error = judge(result.httpStatus, result.body, int(result.code), result.curlMessage, &retry);
    if (error.isEmpty()) {
        Q_EMIT delivered(job.id, job.attempts);
        return next();
    }
    if (retry && job.attempts <= m_webhook.retries && !m_stop->load()) {
        m_retry.start(m_webhook.backoffMs << std::min(job.attempts - 1, 10));
        return;
    }
    Q_EMIT failed(job.id, job.attempts, error);
    next();
}

QString WebhookSender::judge(long status, const QByteArray &body, int code, const QString &curlMessage, bool *retry) const
{
    *retry = false;
    if (code == CURLE_ABORTED_BY_CALLBACK)
        return QStringLiteral("not sent: Switchboard is closing");
    if (code != CURLE_OK) {
        *retry = true; // connect refused, timeout, reset: the next attempt may get through
        return m_redactor.scrub(code == CURLE_OPERATION_TIMEDOUT
                                    ? QStringLiteral("no answer within %1 ms").arg(m_webhook.timeoutMs)
                                    : curlMessage);
    }
    const QString answer = m_redactor.scrub(QString::fromUtf8(body.left(300)).simplified());
    if (status >= 500 || status == 429) {
        *retry = true;
        return QStringLiteral("HTTP %1: %2").arg(status).arg(answer);
    }
    if (status < 200 || status >= 300)
        return QStringLiteral("HTTP %1: %2").arg(status).arg(answer);
    // Chinese robots answer 200 and put the refusal in the body.
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    switch (m_webhook.service) {
    case WebhookConfig::Service::DingTalk:
    case WebhookConfig::Service::WeCom:
        if (o.contains(QStringLiteral("errcode")) && o.value(QStringLiteral("errcode")).toInt() != 0)
            return QStringLiteral("refused (errcode %1): %2").arg(o.value(QStringLiteral("errcode")).toInt())
                .arg(m_redactor.scrub(o.value(QStringLiteral("errmsg")).toString()));
        break;
    case WebhookConfig::Service::Feishu:
        if (o.contains(QStringLiteral("code")) && o.value(QStringLiteral("code")).toInt() != 0)
            return QStringLiteral("refused (code %1): %2").arg(o.value(QStringLiteral("code")).toInt())
                .arg(m_redactor.scrub(o.value(QStringLiteral("msg")).toString()));
        break;
    case WebhookConfig::Service::Slack:
    case WebhookConfig::Service::Generic:
        break;
    }
    return {};
}

} // namespace Switchboard
