#include "webhookdispatcher.h"

#include "webhookredactor.h"
#include "webhooksender.h"

#include <QThread>

#include <algorithm>

namespace Switchboard {

struct WebhookDispatcher::Lane
{
    WebhookConfig config;
    QString label;
    std::unique_ptr<QThread> thread;
    WebhookSender *sender = nullptr; // lives on `thread`, deleted there when it finishes
};

WebhookDispatcher::WebhookDispatcher(const QList<WebhookConfig> &webhooks, QObject *parent)
    : QObject(parent)
    , m_stop(std::make_shared<std::atomic<bool>>(false))
{
    qRegisterMetaType<Notification>();
    for (const WebhookConfig &w : webhooks) {
        auto lane = std::make_unique<Lane>();
        lane->config = w;
        lane->label = WebhookRedactor(w).label();
        lane->thread = std::make_unique<QThread>();
        lane->thread->setObjectName(QStringLiteral("webhook:%1").arg(w.name));
        lane->sender = new WebhookSender(w, m_stop);
        lane->sender->moveToThread(lane->thread.get());
        connect(lane->thread.get(), &QThread::finished, lane->sender, &QObject::deleteLater);
        connect(lane->sender, &WebhookSender::delivered, this, &WebhookDispatcher::onDelivered);
        connect(lane->sender, &WebhookSender::failed, this, &WebhookDispatcher::onFailed);
        lane->thread->start();
        m_lanes.push_back(std::move(lane));
    }
}

WebhookDispatcher::~WebhookDispatcher()
{
    m_stop->store(true);
    for (const auto &lane : m_lanes)
        lane->thread->quit();
    for (const auto &lane : m_lanes) {
        // A transfer sees the stop flag within about a second (libcurl's progress callback).
        if (!lane->thread->wait(3000)) {
            // Left running rather than destroyed under its own feet; the process is ending.
            (void)lane->thread.release();
        }
    }
}

int WebhookDispatcher::dispatch(const Notification &n)
{
    int sent = 0;
    for (int i = 0; i < int(m_lanes.size()); ++i) {
        const Lane &lane = *m_lanes.at(size_t(i));
        if (!lane.config.wants(n))
            continue;
        const quint64 id = m_nextId++;
        m_inFlight.insert(id, {i, n});
        QMetaObject::invokeMethod(lane.sender, [sender = lane.sender, n, id] { sender->send(n, id); }, Qt::QueuedConnection);
        ++sent;
    }
    return sent;
}

int WebhookDispatcher::worstCaseMs() const
{
    int worst = 0;
    for (const auto &lane : m_lanes)
        worst = std::max(worst, lane->config.worstCaseMs());
    return worst;
}

void WebhookDispatcher::onDelivered(quint64 id, int attempts)
{
    const auto entry = m_inFlight.take(id);
    Q_EMIT delivered(m_lanes.at(size_t(entry.first))->label, entry.second, attempts);
    if (m_inFlight.isEmpty())
        Q_EMIT idle();
}

void WebhookDispatcher::onFailed(quint64 id, int attempts, const QString &error)
{
    const auto entry = m_inFlight.take(id);
    Q_EMIT failed(m_lanes.at(size_t(entry.first))->label, entry.second, attempts, error);
    if (m_inFlight.isEmpty())
        Q_EMIT idle();
}

} // namespace Switchboard
