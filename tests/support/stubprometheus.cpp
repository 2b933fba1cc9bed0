#include "stubprometheus.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <cmath>

StubPrometheus::StubPrometheus(Responder responder)
    : m_responder(std::move(responder))
{
    moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(this, &StubPrometheus::listen, Qt::BlockingQueuedConnection);
}

StubPrometheus::~StubPrometheus()
{
    QMetaObject::invokeMethod(this, &StubPrometheus::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString StubPrometheus::url() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port.load());
}

QByteArray StubPrometheus::vector(const QList<QPair<QString, QString>> &points, double timeSec)
{
    QByteArray items;
    for (const auto &[version, value] : points) {
        if (!items.isEmpty())
            items += ',';
        items += R"({"metric":{"version":")" + version.toUtf8() + R"("},"value":[)" + QByteArray::number(timeSec, 'f', 3) + R"(,")"
                 + value.toUtf8() + R"("]})";
    }
    return R"({"status":"success","data":{"resultType":"vector","result":[)" + items + "]}}";
}

QByteArray StubPrometheus::asRange(const QByteArray &body, double start, double end, double step)
{
    // As Prometheus would answer the same series over a range: a matrix, each series holding its
    // value at every step up to the time it was sampled (so an old sample stays old), and series
    // without any point left out. Errors and other shapes pass through unchanged.
    QJsonObject o = QJsonDocument::fromJson(body).object();
    QJsonObject data = o.value(QStringLiteral("data")).toObject();
    if (data.value(QStringLiteral("resultType")).toString() != QLatin1String("vector") || step <= 0 || end < start)
        return body;
    QJsonArray series;
    for (const QJsonValue &v : data.value(QStringLiteral("result")).toArray()) {
        const QJsonArray sample = v.toObject().value(QStringLiteral("value")).toArray();
        QJsonArray values;
        for (double t = start; t <= end && values.size() < 11000; t += step)
            if (std::abs(t - sample.at(0).toDouble()) <= 300) // Prometheus's 5-minute lookback
                values.append(QJsonArray{t, sample.at(1)});
        if (!values.isEmpty())
            series.append(QJsonObject{{QStringLiteral("metric"), v.toObject().value(QStringLiteral("metric"))}, {QStringLiteral("values"), values}});
    }
    data.insert(QStringLiteral("resultType"), QStringLiteral("matrix"));
    data.insert(QStringLiteral("result"), series);
    o.insert(QStringLiteral("data"), data);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void StubPrometheus::listen()
{
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server->nextPendingConnection())
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
    });
    m_server->listen(QHostAddress::LocalHost, 0);
    m_port = m_server->serverPort();
}

void StubPrometheus::shutdown()
{
    delete m_server; // and with it every socket still open (queries left hanging)
    m_server = nullptr;
}

void StubPrometheus::read(QTcpSocket *s)
{
    // The request line and headers are all the client sends for a GET.
    QByteArray buf = s->property("buf").toByteArray() + s->readAll();
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
        s->setProperty("buf", buf);
        return;
    }
    ++m_requests;
    const QByteArray target = buf.left(buf.indexOf("\r\n")).split(' ').value(1);
    const QUrlQuery query(QString::fromLatin1(target.mid(target.indexOf('?') + 1)));
    QByteArray body;
    {
        QMutexLocker lock(&m_mutex);
        body = m_responder(query.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded));
    }
    if (body.isEmpty())
        return; // hang: the client's timeout has to end it
    if (target.startsWith("/api/v1/query_range"))
        body = asRange(body, query.queryItemValue(QStringLiteral("start")).toDouble(), query.queryItemValue(QStringLiteral("end")).toDouble(),
                       query.queryItemValue(QStringLiteral("step")).toDouble());
    s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
             + "\r\nConnection: close\r\n\r\n" + body);
    s->disconnectFromHost();
}
