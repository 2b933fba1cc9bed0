#pragma once
// Test scaffolding: a forward proxy on 127.0.0.1:0, on its own thread, so blocking clients can
// go through it from the test thread. One port speaks what the client opens with: plain HTTP
// proxy requests in absolute form ("GET http://host:port/path HTTP/1.1", forwarded in origin
// form), CONNECT tunnels, and SOCKS5 (no authentication, CONNECT only). With a certificate it
// is an https:// proxy (TLS to the proxy, then the same). It records what every client asked
// for, can require Basic proxy credentials, and can send every connection to one upstream
// whatever host was asked for (a proxy that knows names the test machine cannot resolve).

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>

#include <memory>

class QTcpServer;
class QTcpSocket;

namespace Switchboard::Test {

class FakeProxy final : public QObject
{
    Q_OBJECT
public:
    struct Seen
    {
        QByteArray kind;   // the HTTP method ("GET", "PATCH", "CONNECT") or "SOCKS5"
        QString target;    // the absolute URL, or host:port for CONNECT and SOCKS5
        QByteArray proxyAuthorization; // the Proxy-Authorization header, when sent
    };

    // Empty certificate and key: a plain http:// proxy.
    explicit FakeProxy(const QString &certFile = {}, const QString &keyFile = {});
    ~FakeProxy() override;

    QString url() const; // http://127.0.0.1:PORT, or https:// with a certificate
    quint16 port() const { return m_port; }
    QString error() const { return m_error; } // why it does not listen, if it does not

    // Non-empty: requests without "Proxy-Authorization: Basic base64(userPassword)" get 407.
    void setRequiredCredentials(const QByteArray &userPassword);
    // Non-empty host: every connection goes to host:port, whatever the client asked for.
    void setUpstream(const QString &host, quint16 port);

    QList<Seen> seen() const;

private:
    struct State;
    class Connection;
    void listen(const QString &certFile, const QString &keyFile);
    void shutdown();
    void accept();

    QThread m_thread;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    bool m_tls = false;
    QString m_error;
    std::unique_ptr<State> m_state;
};

} // namespace Switchboard::Test
