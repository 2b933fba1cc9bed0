#pragma once
// An in-test HTTP server standing in for chat robots and webhook receivers (tst_webhooks,
// tst_notify_cli): a QTcpServer on 127.0.0.1:0 on its own thread, reading whole POST requests
// (headers and Content-Length body) and answering each with the next scripted response, or
// 200 {"errcode":0} when none is queued; a response may also never come (hang).

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <QUrlQuery>

#include <atomic>

class QTcpServer;
class QTcpSocket;

class FakeWebhookServer final : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QUrlQuery query;
        QByteArray rawQuery; // as on the wire, percent-encoding untouched
        // The raw value of `key` in rawQuery (still percent-encoded).
        QByteArray rawValue(const QByteArray &key) const;
        QMap<QByteArray, QByteArray> headers; // names in lower case
        QByteArray body;
        qint64 receivedMs = 0; // wall clock
    };
    struct Response
    {
        int status = 200;
        QByteArray body = R"({"errcode":0,"errmsg":"ok"})";
        bool hang = false;
    };

    FakeWebhookServer();
    ~FakeWebhookServer() override;

    QString url(const QString &pathAndQuery = QStringLiteral("/hook")) const;
    void push(const Response &r);
    QList<Request> requests() const;
    int requestCount() const;

private:
    void listen();
    void shutdown();
    void read(QTcpSocket *socket);

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    std::atomic<int> m_port{0};
    QHash<QTcpSocket *, QByteArray> m_buffers;
    mutable QMutex m_mutex;
    QList<Response> m_queue;
    QList<Request> m_requests;
};
