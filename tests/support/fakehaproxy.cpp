#include "fakehaproxy.h"

#include <QSignalSpy>
#include <QTcpSocket>

using namespace Switchboard;

const QString labShowStat = QStringLiteral(
    R"(# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
shop,shop-v1-a,0,0,0,1,,4,334,624,,0,,0,0,0,0,UP,256,1,0,0,0,9,0,,1,4,1,,4,,2,3,,3,L7OK,200,0,0,4,0,0,0,0,,,,4,0,0,,,,,0,,,0,0,1,1,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:53211,,http,,,,,,,,0,4,0,,,1,,0,0,1,1,0,1,0,0,1,256,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
shop,shop-v1-b,0,0,0,1,,3,246,477,,0,,0,0,0,0,UP,256,1,0,0,0,9,0,,1,4,2,,3,,2,3,,3,L7OK,200,0,0,3,0,0,0,0,,,,3,0,0,,,,,0,,,0,0,1,1,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:53211,,http,,,,,,,,0,3,0,,,1,,0,0,1,1,0,1,0,0,1,256,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
shop,shop-v2-a,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,0,1,0,0,0,9,0,,1,4,3,,0,,2,0,,0,L7OK,200,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:33199,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,0,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,

)");

const QString labMixedAnswer = QStringLiteral(
    "256 (initial 256)\n\nNo such server.\n\nNo such backend.\n\n"
    "Absolute weight can only be between 0 and 256 inclusive.\n\n\n");

quint16 closedPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 p = s.serverPort();
    s.close();
    return p;
}

FakeHaproxy::FakeHaproxy(QMap<QString, int> weights)
    : m_weights(std::move(weights))
{
    m_ctx.moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(&m_ctx, [this] {
        m_server = new QTcpServer(&m_ctx);
        m_server->listen(QHostAddress::LocalHost, 0);
        m_port = m_server->serverPort();
        QObject::connect(m_server, &QTcpServer::newConnection, &m_ctx, [this] {
            while (QTcpSocket *s = m_server->nextPendingConnection())
                serve(s);
        });
    }, Qt::BlockingQueuedConnection);
}

FakeHaproxy::~FakeHaproxy()
{
    QMetaObject::invokeMethod(&m_ctx, [this] {
        delete m_server;
        // Interactive clients keep their connections: they end with the fake, on its thread.
        qDeleteAll(m_ctx.findChildren<QTcpSocket *>());
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QStringList FakeHaproxy::commands() const
{
    QMutexLocker l(&m_mutex);
    return m_commands;
}

QMap<QString, int> FakeHaproxy::weights() const
{
    QMutexLocker l(&m_mutex);
    return m_weights;
}

void FakeHaproxy::setWeight(const QString &server, int w)
{
    QMutexLocker l(&m_mutex);
    m_weights[server] = w;
}

void FakeHaproxy::setCliLevel(const QString &level)
{
    QMutexLocker l(&m_mutex);
    m_level = level;
}

void FakeHaproxy::refuseSetWeight(const QString &server, const QString &answer)
{
    QMutexLocker l(&m_mutex);
    m_refuse.insert(server, answer);
}

int FakeHaproxy::connections() const
{
    QMutexLocker l(&m_mutex);
    return m_connections;
}

void FakeHaproxy::dropConnections()
{
    QMetaObject::invokeMethod(&m_ctx, [this] {
        for (QTcpSocket *s : m_ctx.findChildren<QTcpSocket *>())
            s->abort();
    }, Qt::BlockingQueuedConnection);
}

void FakeHaproxy::serve(QTcpSocket *s)
{
    {
        QMutexLocker l(&m_mutex);
        ++m_connections;
    }
    s->setParent(&m_ctx);
    QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
    QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
        // Interactive mode (`prompt`) as haproxy 2.6 has it: the connection stays open, and each
        // command's answer is followed by "> ". Without it: one line, its answer, and close.
        while (s->canReadLine()) {
            const QString line = QString::fromUtf8(s->readLine()).trimmed();
            const bool interactive = s->property("prompt").toBool();
            if (line == QLatin1String("prompt")) {
                s->setProperty("prompt", !interactive);
                s->write(interactive ? "\n" : "\n> ");
                continue;
            }
            QString answer;
            for (const QString &raw : line.split(QLatin1Char(';')))
                answer += run(raw.trimmed()) + (interactive ? QStringLiteral("> ") : QString());
            s->write(answer.toUtf8());
            if (!interactive) {
                s->disconnectFromHost();
                return;
            }
        }
    });
}

QString FakeHaproxy::run(const QString &cmd)
{
    QMutexLocker l(&m_mutex);
    m_commands.append(cmd);
    const QStringList w = cmd.split(QLatin1Char(' '));
    if (cmd == QLatin1String("show stat shop 4 -1")) {
        QString out = QStringLiteral("# pxname,svname,status,weight,check_status,stot,hrsp_2xx,hrsp_5xx,uweight,\n");
        for (auto it = m_weights.cbegin(); it != m_weights.cend(); ++it)
            out += QStringLiteral("shop,%1,UP,%2,L7OK,0,0,0,%2,\n").arg(it.key()).arg(it.value());
        return out + QLatin1Char('\n');
    }
    if (cmd == QLatin1String("show cli level") && !m_level.isEmpty())
        return m_level + QStringLiteral("\n\n");
    if (w.size() >= 3 && w.at(0) == QLatin1String("show") && w.at(1) == QLatin1String("stat"))
        return QStringLiteral("No such proxy.\n\n");
    if (w.size() == 4 && w.at(0) == QLatin1String("set") && w.at(1) == QLatin1String("weight")) {
        const QString server = w.at(2).section(QLatin1Char('/'), 1);
        if (!m_weights.contains(server))
            return QStringLiteral("No such server.\n\n");
        if (m_refuse.contains(server))
            return m_refuse.value(server) + QStringLiteral("\n\n");
        const int v = w.at(3).toInt();
        if (v < 0 || v > 256)
            return QStringLiteral("Absolute weight can only be between 0 and 256 inclusive.\n\n");
        m_weights[server] = v;
        return QStringLiteral("\n");
    }
    if (w.size() == 3 && w.at(0) == QLatin1String("get") && w.at(1) == QLatin1String("weight")) {
        const QString server = w.at(2).section(QLatin1Char('/'), 1);
        if (!m_weights.contains(server))
            return QStringLiteral("No such server.\n\n");
        return QStringLiteral("%1 (initial 256)\n\n").arg(m_weights.value(server));
    }
    return QStringLiteral("Unknown command. Please enter one of the following commands only :\n  help\n\n");
}

QMap<QString, int> labStart()
{
    return {{QStringLiteral("shop-v1-a"), 256}, {QStringLiteral("shop-v1-b"), 256}, {QStringLiteral("shop-v2-a"), 0}};
}

HaproxyTargetSettings settingsFor(const QStringList &endpoints)
{
    HaproxyTargetSettings s;
    for (const QString &e : endpoints) {
        HaproxyEndpoint ep;
        QString err;
        if (HaproxyEndpoint::parse(e, &ep, &err))
            s.endpoints.append(ep);
    }
    s.backend = QStringLiteral("shop");
    s.stable = {QStringLiteral("shop-v1-a"), QStringLiteral("shop-v1-b")};
    s.canary = {QStringLiteral("shop-v2-a")};
    s.timeouts = {500, 1500};
    return s;
}

ChangeResult applyNow(HaproxyTrafficBackend &b, double pct, QMap<QString, int> expected, bool force)
{
    QSignalSpy spy(&b, &TrafficBackend::changeFinished);
    WeightChange c;
    c.canaryPercent = pct;
    c.expected = expected;
    c.force = force;
    b.apply(c); // direct call: the backend answers synchronously on this thread
    if (spy.size() != 1)
        return {};
    return spy.at(0).at(0).value<ChangeResult>();
}
