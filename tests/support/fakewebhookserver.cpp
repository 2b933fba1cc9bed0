#include "fakewebhookserver.h"

#include <QDateTime>
#include <QTcpServer>
#include <QTcpSocket>

FakeWebhookServer::FakeWebhookServer()
{
    moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(this, &FakeWebhookServer::listen, Qt::BlockingQueuedConnection);
}

FakeWebhookServer::~FakeWebhookServer()
{
    QMetaObject::invokeMethod(this, &FakeWebhookServer::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString FakeWebhookServer::url(const QString &pathAndQuery) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port.load()).arg(pathAndQuery);
}

void FakeWebhookServer::push(const Response &r)
{
    QMutexLocker lock(&m_mutex);
    m_queue.append(r);
}

QList<FakeWebhookServer::Request> FakeWebhookServer::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

int FakeWebhookServer::requestCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_requests.size());
}

void FakeWebhookServer::listen()
{
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *s = m_server->nextPendingConnection())
            connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
    });
    m_server->listen(QHostAddress::LocalHost, 0);
    m_port = m_server->serverPort();
}

void FakeWebhookServer::shutdown()
{
    delete m_server; // and every socket still open (hanging answers)
    m_server = nullptr;
}

void FakeWebhookServer::read(QTcpSocket *s)
{
    QByteArray &buf = m_buffers[s];
    buf += s->readAll();
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    Request req;
    const QList<QByteArray> lines = buf.left(end).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    const qsizetype length = req.headers.value("content-length").toLongLong();
    if (buf.size() < end + 4 + length)
        return; // the body is still coming
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    req.method = first.value(0);
    const QByteArray target = first.value(1);
    const qsizetype question = target.indexOf('?');
    req.path = question < 0 ? target : target.left(question); // (Qt 6's left(-1) is empty)
    if (target.contains('?'))
        req.rawQuery = target.mid(target.indexOf('?') + 1);
    if (target.contains('?'))
        req.query = QUrlQuery(QString::fromLatin1(target.mid(target.indexOf('?') + 1)));
    req.body = buf.mid(end + 4, length);
    req.receivedMs = QDateTime::currentMSecsSinceEpoch();
    buf.clear();
    Response resp;
    {
        QMutexLocker lock(&m_mutex);
        m_requests.append(req);
        if (!m_queue.isEmpty())
            resp = m_queue.takeFirst();
    }
    if (resp.hang)
        return;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + " X\r\nContent-Type: application/json\r\n";
    out += "Content-Length: " + QByteArray::number(resp.body.size()) + "\r\nConnection: close\r\n\r\n" + resp.body;
    s->write(out);
    s->disconnectFromHost();
}

QByteArray FakeWebhookServer::Request::rawValue(const QByteArray &key) const
{
    for (const QByteArray &item : rawQuery.split('&'))
        if (item.startsWith(QByteArray(key + '=')))
            return item.mid(key.size() + 1);
    return {};
}
