#pragma once
// A Prometheus stand-in for tests that run the switchboard binary: an HTTP server on
// 127.0.0.1 on its own thread (the test thread may block on the process) that answers each
// instant query with the body its responder gives, or never answers at all; a range query gets
// the same series as a matrix.

#include <QByteArray>
#include <QMutex>
#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>

class QTcpServer;
class QTcpSocket;

class StubPrometheus final : public QObject
{
    Q_OBJECT
public:
    // The PromQL of the query -> the JSON body of the answer; an empty body: no answer (hang).
    using Responder = std::function<QByteArray(const QString &promql)>;

    explicit StubPrometheus(Responder responder);
    ~StubPrometheus() override;

    QString url() const;
    int requests() const { return m_requests.load(); }

    // An instant vector with one series per version label ("v1", "v2") and value, at `timeSec`.
    static QByteArray vector(const QList<QPair<QString, QString>> &points, double timeSec);

private:
    static QByteArray asRange(const QByteArray &body, double start, double end, double step);
    void listen();
    void shutdown();
    void read(QTcpSocket *socket);

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    std::atomic<int> m_port{0};
    std::atomic<int> m_requests{0};
    QMutex m_mutex;
    Responder m_responder;
};
