#pragma once
// PrometheusClient's and PrometheusMetricsSource's tests (tst_prometheusclient,
// tst_prometheusmetricssource): an in-test HTTP server (a QTcpServer on 127.0.0.1:0 speaking just
// enough HTTP/1.1) on its own thread, so the blocking client can call it from the test thread,
// and the answers and settings the tests share.

#include "prometheusclient.h"
#include "prometheusmetricssource.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUrlQuery>

#include <atomic>
#include <functional>

// Test scaffolding: a scripted HTTP server. Each request gets the next queued response, or the
// responder's answer when one is set, or an empty vector.
class FakePrometheus final : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QUrlQuery query;
        QMap<QByteArray, QByteArray> headers; // names in lower case
        QString param(const char *key) const { return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded); }
    };
    struct Response
    {
        enum class Mode { Answer, Hang, Close };
        int status = 200;
        QByteArray body = R"({"status":"success","data":{"resultType":"vector","result":[]}})";
        QByteArray contentType = "application/json";
        Mode mode = Mode::Answer;
    };
    using Responder = std::function<Response(const Request &)>;

    FakePrometheus()
    {
        moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(this, &FakePrometheus::listen, Qt::BlockingQueuedConnection);
    }
    ~FakePrometheus() override
    {
        QMetaObject::invokeMethod(this, &FakePrometheus::shutdown, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    int port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    void push(const Response &r)
    {
        QMutexLocker lock(&m_mutex);
        m_queue.append(r);
    }
    void setResponder(Responder r)
    {
        QMutexLocker lock(&m_mutex);
        m_responder = std::move(r);
    }
    // Runs on the server thread when a request arrives (e.g. to cancel the client meanwhile).
    void setOnRequest(std::function<void()> f)
    {
        QMutexLocker lock(&m_mutex);
        m_onRequest = std::move(f);
    }
    QList<Request> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }

private:
    void listen()
    {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &FakePrometheus::accept);
        m_server->listen(QHostAddress::LocalHost, 0);
        m_port = m_server->serverPort();
    }
    void shutdown()
    {
        delete m_server; // and with it every socket still open (hanging answers)
        m_server = nullptr;
    }
    void accept()
    {
        while (QTcpSocket *s = m_server->nextPendingConnection())
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
    }
    void read(QTcpSocket *s);

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    std::atomic<int> m_port{0};
    QHash<QTcpSocket *, QByteArray> m_buffers;
    mutable QMutex m_mutex;
    QList<Response> m_queue;
    Responder m_responder;
    std::function<void()> m_onRequest;
    QList<Request> m_requests;
};

using Response = FakePrometheus::Response;

Q_DECLARE_METATYPE(QList<Response>)

Response answer(int status, const QByteArray &body, const QByteArray &type = "application/json");
Response mode(Response::Mode m);

extern const QByteArray kVector;

Switchboard::PrometheusClient::Settings settingsFor(const QString &url);
// A vector answer with one series per (version, value).
QByteArray vectorOf(const QList<QPair<QString, QString>> &points, qint64 timeMs = 1700000000000);
Switchboard::PrometheusMetricsSource::Settings sourceSettings(const QString &url, const QJsonObject &extra = {});
