#include "fakeproxy.h"

#include <QFile>
#include <QMutex>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

namespace Switchboard::Test {

struct FakeProxy::State
{
    mutable QMutex mutex;
    QList<Seen> seen;
    QByteArray credentials;
    QString upstreamHost;
    quint16 upstreamPort = 0;
};

namespace {

const QByteArray kBadGateway = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const QByteArray kBadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const QByteArray kProxyAuth = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"fake\"\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n";
// SOCKS5 replies: succeeded / connection refused, with a zero IPv4 bind address.
const QByteArray kSocksOk = QByteArray("\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
const QByteArray kSocksRefused = QByteArray("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);

// "host:port" or "[v6]:port".
bool splitHostPort(const QString &target, QString *host, quint16 *port)
{
    const qsizetype colon = target.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    *host = target.left(colon);
    if (host->startsWith(QLatin1Char('[')) && host->endsWith(QLatin1Char(']')))
        *host = host->mid(1, host->size() - 2);
    bool ok = false;
    *port = target.mid(colon + 1).toUShort(&ok);
    return ok && !host->isEmpty();
}

} // namespace

// One client connection: reads what the client opens with, then pipes bytes both ways.
class FakeProxy::Connection final : public QObject
{
public:
    Connection(QTcpSocket *client, State *state, QObject *parent)
        : QObject(parent)
        , m_client(client)
        , m_state(state)
    {
        m_client->setParent(this);
        connect(m_client, &QTcpSocket::readyRead, this, &Connection::onClientData);
        connect(m_client, &QTcpSocket::disconnected, this, [this] {
            if (m_upstream)
                m_upstream->abort();
            m_phase = Phase::Done;
            deleteLater();
        });
        if (m_client->bytesAvailable() > 0)
            onClientData();
    }

private:
    enum class Phase { Head, Socks, Connecting, Piping, Done };

    void onClientData()
    {
        if (!m_client->isOpen())
            return;
        m_buffer += m_client->readAll();
        switch (m_phase) {
        case Phase::Head:
            if (m_buffer.startsWith('\x05')) {
                m_phase = Phase::Socks;
                socks();
            } else {
                head();
            }
            break;
        case Phase::Socks:
            socks();
            break;
        case Phase::Connecting:
            break; // kept until the upstream connection is up
        case Phase::Piping:
            m_upstream->write(m_buffer);
            m_buffer.clear();
            break;
        case Phase::Done:
            m_buffer.clear();
            break;
        }
    }

    void record(const QByteArray &kind, const QString &target, const QByteArray &authorization)
    {
        QMutexLocker lock(&m_state->mutex);
        m_state->seen.append({kind, target, authorization});
    }

    void refuse(const QByteArray &answer)
    {
        m_phase = Phase::Done;
        m_client->write(answer);
        m_client->disconnectFromHost();
    }

    void head()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        const QByteArray method = first.value(0);
        const QString target = QString::fromUtf8(first.value(1));
        QByteArray authorization;
        QByteArray rest; // the other header lines, Proxy-* dropped, for the upstream
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            if (line.isEmpty())
                continue;
            const QByteArray name = line.left(line.indexOf(':')).trimmed().toLower();
            if (name == "proxy-authorization")
                authorization = line.mid(line.indexOf(':') + 1).trimmed();
            if (!name.startsWith("proxy-"))
                rest += line + "\r\n";
        }
        record(method, target, authorization);
        QByteArray credentials;
        {
            QMutexLocker lock(&m_state->mutex);
            credentials = m_state->credentials;
        }
        if (!credentials.isEmpty() && authorization != "Basic " + credentials.toBase64())
            return refuse(kProxyAuth);

        QString host;
        quint16 port = 0;
        if (method == "CONNECT") {
            if (!splitHostPort(target, &host, &port))
                return refuse(kBadRequest);
            return open(host, port, "HTTP/1.1 200 Connection established\r\n\r\n", {}, kBadGateway);
        }
        const QUrl url(target);
        if (url.scheme() != QStringLiteral("http") || url.host().isEmpty())
            return refuse(kBadRequest);
        const QByteArray originForm = url.path(QUrl::FullyEncoded).isEmpty() ? QByteArray("/")
                                                                              : url.path(QUrl::FullyEncoded).toUtf8();
        const QByteArray query = url.hasQuery() ? '?' + url.query(QUrl::FullyEncoded).toUtf8() : QByteArray();
        const QByteArray request = method + ' ' + originForm + query + ' ' + first.value(2) + "\r\n" + rest + "\r\n";
        open(url.host(), quint16(url.port(80)), {}, request, kBadGateway);
    }

    void socks()
    {
        if (!m_greeted) {
            if (m_buffer.size() < 2 || m_buffer.size() < 2 + quint8(m_buffer[1]))
                return;
            m_buffer.remove(0, 2 + quint8(m_buffer[1]));
            m_client->write(QByteArray("\x05\x00", 2)); // no authentication
            m_greeted = true;
        }
        if (m_buffer.size() < 5)
            return;
        if (m_buffer[1] != '\x01')
            return refuse(kSocksRefused); // only CONNECT
        const char type = m_buffer[3];
        QString host;
        qsizetype used = 0;
        if (type == '\x01') {
            if (m_buffer.size() < 10)
                return;
            host = QStringLiteral("%1.%2.%3.%4").arg(quint8(m_buffer[4])).arg(quint8(m_buffer[5])).arg(quint8(m_buffer[6])).arg(quint8(m_buffer[7]));
            used = 8;
        } else if (type == '\x03') {
            const int n = quint8(m_buffer[4]);
            if (m_buffer.size() < 5 + n + 2)
                return;
            host = QString::fromLatin1(m_buffer.mid(5, n));
            used = 5 + n;
        } else {
            return refuse(kSocksRefused); // IPv6 is not needed here
        }
        const quint16 port = quint16((quint8(m_buffer[used]) << 8) | quint8(m_buffer[used + 1]));
        m_buffer.remove(0, used + 2);
        record("SOCKS5", QStringLiteral("%1:%2").arg(host).arg(port), {});
        open(host, port, kSocksOk, {}, kSocksRefused);
    }

    // Connects upstream; then sends `toClient` to the client and `toUpstream` plus whatever the
    // client sent meanwhile upstream, and pipes. `onFailure` goes to the client if it fails.
    void open(const QString &host, quint16 port, const QByteArray &toClient, const QByteArray &toUpstream, const QByteArray &onFailure)
    {
        QString upstreamHost = host;
        quint16 upstreamPort = port;
        {
            QMutexLocker lock(&m_state->mutex);
            if (!m_state->upstreamHost.isEmpty()) {
                upstreamHost = m_state->upstreamHost;
                upstreamPort = m_state->upstreamPort;
            }
        }
        m_phase = Phase::Connecting;
        m_upstream = new QTcpSocket(this);
        connect(m_upstream, &QTcpSocket::connected, this, [this, toClient, toUpstream] {
            m_client->write(toClient);
            m_upstream->write(toUpstream + m_buffer);
            m_buffer.clear();
            m_phase = Phase::Piping;
        });
        connect(m_upstream, &QTcpSocket::readyRead, this, [this] { m_client->write(m_upstream->readAll()); });
        // readyRead has handed over everything by now; the client gets the close after it.
        connect(m_upstream, &QTcpSocket::disconnected, m_client, &QTcpSocket::disconnectFromHost);
        connect(m_upstream, &QAbstractSocket::errorOccurred, this, [this, onFailure] {
            if (m_phase == Phase::Connecting)
                refuse(onFailure);
        });
        m_upstream->connectToHost(upstreamHost, upstreamPort);
    }

    QTcpSocket *m_client;
    QTcpSocket *m_upstream = nullptr;
    State *m_state;
    Phase m_phase = Phase::Head;
    bool m_greeted = false;
    QByteArray m_buffer; // from the client, not handled or forwarded yet
};

FakeProxy::FakeProxy(const QString &certFile, const QString &keyFile)
    : m_state(std::make_unique<State>())
{
    moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("fake-proxy"));
    m_thread.start();
    QMetaObject::invokeMethod(this, [this, certFile, keyFile] { listen(certFile, keyFile); }, Qt::BlockingQueuedConnection);
}

FakeProxy::~FakeProxy()
{
    QMetaObject::invokeMethod(this, &FakeProxy::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString FakeProxy::url() const
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http")).arg(m_port);
}

void FakeProxy::setRequiredCredentials(const QByteArray &userPassword)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->credentials = userPassword;
}

void FakeProxy::setUpstream(const QString &host, quint16 port)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->upstreamHost = host;
    m_state->upstreamPort = port;
}

QList<FakeProxy::Seen> FakeProxy::seen() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->seen;
}

void FakeProxy::listen(const QString &certFile, const QString &keyFile)
{
    if (!certFile.isEmpty()) {
        auto *server = new QSslServer(this);
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(certFile);
        QFile file(keyFile);
        const QSslKey key(file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray(), QSsl::Ec);
        if (certs.isEmpty() || key.isNull()) {
            m_error = QStringLiteral("cannot load %1 / %2").arg(certFile, keyFile);
            delete server;
            return;
        }
        conf.setLocalCertificate(certs.first());
        conf.setPrivateKey(key);
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        server->setSslConfiguration(conf);
        m_server = server;
        m_tls = true;
    } else {
        m_server = new QTcpServer(this);
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &FakeProxy::accept);
    if (!m_server->listen(QHostAddress::LocalHost, 0)) {
        m_error = m_server->errorString();
        return;
    }
    m_port = m_server->serverPort();
}

void FakeProxy::shutdown()
{
    delete m_server; // and every connection with it
    m_server = nullptr;
}

void FakeProxy::accept()
{
    while (QTcpSocket *s = m_server->nextPendingConnection())
        new Connection(s, m_state.get(), m_server);
}

} // namespace Switchboard::Test
