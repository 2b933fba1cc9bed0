#pragma once
// The HAProxy unit tests' fixtures (tst_haproxyruntime*): answers captured from haproxy 2.6 (the
// lab), a fake runtime API on its own thread, and the target settings and calls they share.

#include "haproxyruntime.h"
#include "haproxystatsource.h"
#include "haproxytrafficbackend.h"

#include <QMap>
#include <QMutex>
#include <QStringList>
#include <QTcpServer>
#include <QThread>

class QTcpSocket;

Q_DECLARE_METATYPE(Switchboard::HaproxyStatSource::Counters)

// `show stat shop 4 -1` from the lab's haproxy 2.6.12 after a few requests, verbatim.
extern const QString labShowStat;
// What the lab's haproxy answered to
// `get weight shop/shop-v1-a; get weight shop/nope; get weight nope/x; set weight shop/shop-v2-a 300; set weight shop/shop-v2-a 0`
extern const QString labMixedAnswer;

// A free loopback port nobody listens on (right after this returns).
quint16 closedPort();

// A minimal runtime API on its own thread (the client under test blocks the test thread):
// `show stat B 4 -1`, `set weight B/S N`, `get weight B/S` over TCP, one line per connection,
// answering the way haproxy 2.6 does and closing, or in interactive mode (`prompt`) as many as
// come, each answer followed by "> ". Records every command it ran.
class FakeHaproxy final
{
public:
    explicit FakeHaproxy(QMap<QString, int> weights);
    ~FakeHaproxy();

    QString endpoint() const { return QStringLiteral("tcp:127.0.0.1:%1").arg(m_port); }
    QStringList commands() const;
    QMap<QString, int> weights() const;
    void setWeight(const QString &server, int w);
    // `set weight` on this server answers with HAProxy's error text and changes nothing.
    void refuseSetWeight(const QString &server, const QString &answer);
    // What `show cli level` answers; empty: "Unknown command", as an HAProxy before 2.0.
    void setCliLevel(const QString &level);
    // Connections accepted so far.
    int connections() const;
    // Cuts every open connection, as a restarted HAProxy would.
    void dropConnections();

private:
    void serve(QTcpSocket *s);

    QString run(const QString &cmd);

    QThread m_thread;
    QObject m_ctx;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QMap<QString, int> m_weights;
    QMap<QString, QString> m_refuse;
    QString m_level;
    QStringList m_commands;
    int m_connections = 0;
};

QMap<QString, int> labStart();
Switchboard::HaproxyTargetSettings settingsFor(const QStringList &endpoints);
Switchboard::ChangeResult applyNow(Switchboard::HaproxyTrafficBackend &b, double pct, QMap<QString, int> expected = {},
                                   bool force = false);
