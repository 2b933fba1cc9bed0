// Unit tests of the HAProxy runtime API client, the HAProxy traffic backend and the show-stat
// metrics source, without a real HAProxy: answers captured from haproxy 2.6 (the lab), an
// in-test fake runtime API on its own thread, and sockets that never answer.

#include "haproxyruntime.h"
#include "haproxystatsource.h"
#include "haproxytrafficbackend.h"
#include "backendhost.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QMutex>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>
#include <memory>

Q_DECLARE_METATYPE(Switchboard::HaproxyStatSource::Counters)

using namespace Switchboard;

namespace {

// `show stat shop 4 -1` from the lab's haproxy 2.6.12 after a few requests, verbatim.
const QString labShowStat = QStringLiteral(
    R"(# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
shop,shop-v1-a,0,0,0,1,,4,334,624,,0,,0,0,0,0,UP,256,1,0,0,0,9,0,,1,4,1,,4,,2,3,,3,L7OK,200,0,0,4,0,0,0,0,,,,4,0,0,,,,,0,,,0,0,1,1,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:53211,,http,,,,,,,,0,4,0,,,1,,0,0,1,1,0,1,0,0,1,256,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
shop,shop-v1-b,0,0,0,1,,3,246,477,,0,,0,0,0,0,UP,256,1,0,0,0,9,0,,1,4,2,,3,,2,3,,3,L7OK,200,0,0,3,0,0,0,0,,,,3,0,0,,,,,0,,,0,0,1,1,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:53211,,http,,,,,,,,0,3,0,,,1,,0,0,1,1,0,1,0,0,1,256,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
shop,shop-v2-a,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,0,1,0,0,0,9,0,,1,4,3,,0,,2,0,,0,L7OK,200,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:33199,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,0,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,

)");

// What the lab's haproxy answered to
// `get weight shop/shop-v1-a; get weight shop/nope; get weight nope/x; set weight shop/shop-v2-a 300; set weight shop/shop-v2-a 0`
const QString labMixedAnswer = QStringLiteral(
    "256 (initial 256)\n\nNo such server.\n\nNo such backend.\n\n"
    "Absolute weight can only be between 0 and 256 inclusive.\n\n\n");

// A free loopback port nobody listens on (right after this returns).
quint16 closedPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 p = s.serverPort();
    s.close();
    return p;
}

// A minimal runtime API on its own thread (the client under test blocks the test thread):
// `show stat B 4 -1`, `set weight B/S N`, `get weight B/S` over TCP, one line per connection,
// answering the way haproxy 2.6 does and closing. Records every command it ran.
class FakeHaproxy final
{
public:
    explicit FakeHaproxy(QMap<QString, int> weights)
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
    ~FakeHaproxy()
    {
        QMetaObject::invokeMethod(&m_ctx, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    QString endpoint() const { return QStringLiteral("tcp:127.0.0.1:%1").arg(m_port); }
    QStringList commands() const
    {
        QMutexLocker l(&m_mutex);
        return m_commands;
    }
    QMap<QString, int> weights() const
    {
        QMutexLocker l(&m_mutex);
        return m_weights;
    }
    void setWeight(const QString &server, int w)
    {
        QMutexLocker l(&m_mutex);
        m_weights[server] = w;
    }
    // What `show cli level` answers; empty: "Unknown command", as an HAProxy before 2.0.
    void setCliLevel(const QString &level)
    {
        QMutexLocker l(&m_mutex);
        m_level = level;
    }
    // `set weight` on this server answers with HAProxy's error text and changes nothing.
    void refuseSetWeight(const QString &server, const QString &answer)
    {
        QMutexLocker l(&m_mutex);
        m_refuse.insert(server, answer);
    }

private:
    void serve(QTcpSocket *s)
    {
        QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
            if (!s->canReadLine())
                return;
            const QString line = QString::fromUtf8(s->readLine()).trimmed();
            QString answer;
            for (const QString &raw : line.split(QLatin1Char(';')))
                answer += run(raw.trimmed());
            s->write(answer.toUtf8());
            s->disconnectFromHost();
        });
    }

    QString run(const QString &cmd)
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

    QThread m_thread;
    QObject m_ctx;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QMap<QString, int> m_weights;
    QMap<QString, QString> m_refuse;
    QString m_level;
    QStringList m_commands;
};

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

ChangeResult applyNow(HaproxyTrafficBackend &b, double pct, QMap<QString, int> expected = {}, bool force = false)
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

} // namespace

class TestHaproxyRuntime final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerMetaTypes(); }

    void endpointParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("canonicalOrError");
        QTest::newRow("unix") << QStringLiteral("unix:/run/haproxy/admin.sock") << true << QStringLiteral("unix:/run/haproxy/admin.sock");
        QTest::newRow("tcp") << QStringLiteral("tcp:127.0.0.1:9999") << true << QStringLiteral("tcp:127.0.0.1:9999");
        QTest::newRow("tcp name") << QStringLiteral("tcp:lb1.example:9999") << true << QStringLiteral("tcp:lb1.example:9999");
        QTest::newRow("tcp v6") << QStringLiteral("tcp:[::1]:9999") << true << QStringLiteral("tcp:[::1]:9999");
        QTest::newRow("v6 bare") << QStringLiteral("tcp:::1:9999") << false << QStringLiteral("in brackets");
        QTest::newRow("no scheme") << QStringLiteral("/run/haproxy/admin.sock") << false << QStringLiteral("expected unix:/path/to/admin.sock or tcp:HOST:PORT");
        QTest::newRow("http") << QStringLiteral("http://127.0.0.1:9999") << false << QStringLiteral("expected unix:");
        QTest::newRow("unix empty") << QStringLiteral("unix:") << false << QStringLiteral("path is empty");
        QTest::newRow("unix relative") << QStringLiteral("unix:admin.sock") << false << QStringLiteral("must be absolute");
        QTest::newRow("unix too long") << (QStringLiteral("unix:/") + QString(120, QLatin1Char('a'))) << false << QStringLiteral("longer than 107 bytes");
        QTest::newRow("tcp no port") << QStringLiteral("tcp:127.0.0.1") << false << QStringLiteral("expected unix:");
        QTest::newRow("tcp port 0") << QStringLiteral("tcp:127.0.0.1:0") << false << QStringLiteral("between 1 and 65535");
        QTest::newRow("tcp port big") << QStringLiteral("tcp:127.0.0.1:70000") << false << QStringLiteral("between 1 and 65535");
        QTest::newRow("tcp port text") << QStringLiteral("tcp:127.0.0.1:http") << false << QStringLiteral("between 1 and 65535");
        QTest::newRow("tcp no host") << QStringLiteral("tcp::9999") << false << QStringLiteral("expected unix:");
    }
    void endpointParse()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(QString, canonicalOrError);
        HaproxyEndpoint e;
        QString error;
        QCOMPARE(HaproxyEndpoint::parse(text, &e, &error), ok);
        if (ok)
            QCOMPARE(e.toString(), canonicalOrError);
        else
            QVERIFY2(error.contains(canonicalOrError) && error.contains(text), qPrintable(error));
    }

    void parseLabShowStat()
    {
        QList<HaproxyServerStat> rows;
        QString error;
        QVERIFY2(HaproxyRuntime::parseStat(labShowStat, &rows, &error), qPrintable(error));
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).proxy, QStringLiteral("shop"));
        QCOMPARE(rows.at(0).server, QStringLiteral("shop-v1-a"));
        QCOMPARE(rows.at(0).status, QStringLiteral("UP"));
        QCOMPARE(rows.at(0).state(), QStringLiteral("UP"));
        QCOMPARE(rows.at(0).weight, 256);
        QCOMPARE(rows.at(0).checkStatus, QStringLiteral("L7OK"));
        QCOMPARE(rows.at(0).number(QStringLiteral("stot")), qint64(4));
        QCOMPARE(rows.at(0).number(QStringLiteral("hrsp_2xx")), qint64(4));
        QCOMPARE(rows.at(0).number(QStringLiteral("req_rate")), qint64(-1)); // empty for servers
        QCOMPARE(rows.at(0).number(QStringLiteral("req_tot")), qint64(4)); // filled on 2.6, unlike REFERENCE.md says
        QCOMPARE(rows.at(0).fields.value(QStringLiteral("check_desc")), QStringLiteral("Layer7 check passed"));
        QCOMPARE(rows.at(1).server, QStringLiteral("shop-v1-b"));
        QCOMPARE(rows.at(1).number(QStringLiteral("stot")), qint64(3));
        QCOMPARE(rows.at(2).server, QStringLiteral("shop-v2-a"));
        QCOMPARE(rows.at(2).weight, 0);
        QCOMPARE(rows.at(2).fields.value(QStringLiteral("addr")), QStringLiteral("127.0.0.1:33199"));
    }

    void parseStatAfterOtherAnswers()
    {
        // `set weight ...; show stat ...` on one line: the empty answers of set come first.
        QList<HaproxyServerStat> rows;
        QString error;
        QVERIFY(HaproxyRuntime::parseStat(QStringLiteral("\n\n") + labShowStat, &rows, &error));
        QCOMPARE(rows.size(), 3);
    }

    void parseStatQuotedAndUweight()
    {
        // uweight wins over weight (the effective weight); quoted fields keep their commas.
        const QString csv = QStringLiteral("# pxname,svname,status,weight,check_desc,uweight,\n"
                                           "b,s1,UP 1/3,12,\"a, \"\"quoted\"\" text\",100,\n\n");
        QList<HaproxyServerStat> rows;
        QString error;
        QVERIFY(HaproxyRuntime::parseStat(csv, &rows, &error));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).weight, 100);
        QCOMPARE(rows.at(0).fields.value(QStringLiteral("check_desc")), QStringLiteral("a, \"quoted\" text"));
        QCOMPARE(rows.at(0).state(), QStringLiteral("UP"));
    }

    void parseStatError_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("error");
        QTest::newRow("no proxy") << QStringLiteral("No such proxy.\n\n") << QStringLiteral("No such proxy.");
        QTest::newRow("empty") << QString() << QStringLiteral("empty answer");
        QTest::newRow("garbage") << QStringLiteral("hello\n") << QStringLiteral("not CSV: \"hello\"");
    }
    void parseStatError()
    {
        QFETCH(QString, answer);
        QFETCH(QString, error);
        QList<HaproxyServerStat> rows;
        QString got;
        QVERIFY(!HaproxyRuntime::parseStat(answer, &rows, &got));
        QCOMPARE(got, error);
    }

    void state_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("state");
        QTest::newRow("UP") << QStringLiteral("UP") << QStringLiteral("UP");
        QTest::newRow("UP 1/3") << QStringLiteral("UP 1/3") << QStringLiteral("UP");
        QTest::newRow("DOWN 1/2") << QStringLiteral("DOWN 1/2") << QStringLiteral("DOWN");
        QTest::newRow("DOWN") << QStringLiteral("DOWN") << QStringLiteral("DOWN");
        QTest::newRow("DRAIN") << QStringLiteral("DRAIN") << QStringLiteral("DRAIN");
        QTest::newRow("MAINT") << QStringLiteral("MAINT") << QStringLiteral("MAINT");
        QTest::newRow("MAINT via") << QStringLiteral("MAINT (via shop/x)") << QStringLiteral("MAINT");
        QTest::newRow("NOLB") << QStringLiteral("NOLB") << QStringLiteral("NOLB");
        QTest::newRow("no check") << QStringLiteral("no check") << QStringLiteral("no check");
        QTest::newRow("UPPER is not UP") << QStringLiteral("UPPER") << QStringLiteral("UPPER");
    }
    void state()
    {
        QFETCH(QString, status);
        QFETCH(QString, state);
        HaproxyServerStat s;
        s.status = status;
        QCOMPARE(s.state(), state);
    }

    void weightAnswer_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("weight");
        QTest::addColumn<int>("initial");
        QTest::newRow("reference") << QStringLiteral("50 (initial 10)\n\n") << true << 50 << 10;
        QTest::newRow("lab") << QStringLiteral("256 (initial 256)\n\n") << true << 256 << 256;
        QTest::newRow("no server") << QStringLiteral("No such server.\n\n") << false << 0 << 0;
        QTest::newRow("empty") << QString() << false << 0 << 0;
    }
    void weightAnswer()
    {
        QFETCH(QString, answer);
        QFETCH(bool, ok);
        int w = 0;
        int i = 0;
        QCOMPARE(HaproxyRuntime::parseWeightAnswer(answer, &w, &i), ok);
        if (ok) {
            QTEST(w, "weight");
            QTEST(i, "initial");
        }
    }

    void errorsIn_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("errors");
        QTest::newRow("no server") << QStringLiteral("No such server.\n\n") << QStringLiteral("No such server.");
        QTest::newRow("no backend") << QStringLiteral("No such backend.\n\n") << QStringLiteral("No such backend.");
        QTest::newRow("range") << QStringLiteral("Absolute weight can only be between 0 and 256 inclusive.\n\n")
                               << QStringLiteral("Absolute weight can only be between 0 and 256 inclusive.");
        QTest::newRow("lab mixed") << labMixedAnswer
                                   << QStringLiteral("No such server. / No such backend. / "
                                                     "Absolute weight can only be between 0 and 256 inclusive.");
        QTest::newRow("weight ok") << QStringLiteral("256 (initial 256)\n\n") << QString();
        QTest::newRow("set ok") << QStringLiteral("\n") << QString();
        QTest::newRow("stat ok") << labShowStat << QString();
        QTest::newRow("unknown command") << QStringLiteral("Unknown command, but maybe one of the following ones is a better match:\n  show fd [num]\n\n")
                                         << QStringLiteral("Unknown command, but maybe one of the following ones is a better match:");
    }
    void errorsIn()
    {
        QFETCH(QString, answer);
        QTEST(HaproxyRuntime::errorsIn(answer), "errors");
    }

    void splitAnswers()
    {
        const QStringList a = HaproxyRuntime::splitAnswers(labMixedAnswer, 5);
        QCOMPARE(a, (QStringList{QStringLiteral("256 (initial 256)"), QStringLiteral("No such server."),
                                 QStringLiteral("No such backend."),
                                 QStringLiteral("Absolute weight can only be between 0 and 256 inclusive."), QString()}));
        // set, set, show stat: two empty answers, then the CSV.
        const QStringList b = HaproxyRuntime::splitAnswers(QStringLiteral("\n\n") + labShowStat, 3);
        QCOMPARE(b.size(), 3);
        QVERIFY(b.at(0).isEmpty() && b.at(1).isEmpty());
        QVERIFY(b.at(2).startsWith(QLatin1String("# pxname,")));
        // A line closed before every answer came: the missing ones are empty.
        QCOMPARE(HaproxyRuntime::splitAnswers(QStringLiteral("No such server.\n\n"), 3),
                 (QStringList{QStringLiteral("No such server."), QString(), QString()}));
    }

    void settings_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error"); // empty: valid
        const QByteArray good = R"({"endpoints": ["unix:/run/haproxy/admin.sock", "tcp:127.0.0.1:9999"],
            "backend": "shop", "stable": ["shop-v1-a", "shop-v1-b"], "canary": ["shop-v2-a"]})";
        QTest::newRow("contract example") << good << QString();
        QTest::newRow("timeouts") << QByteArray(R"({"endpoints": ["tcp:h:1"], "backend": "b", "stable": ["a"], "canary": ["c"],
            "connectTimeoutMs": 200, "commandTimeoutMs": 900})") << QString();
        QTest::newRow("no endpoints") << QByteArray(R"({"backend": "b", "stable": ["a"], "canary": ["c"]})")
                                      << QStringLiteral("haproxy.endpoints: expected a non-empty array");
        QTest::newRow("bad endpoint") << QByteArray(R"({"endpoints": ["tcp:h:1", "udp:h:2"], "backend": "b", "stable": ["a"], "canary": ["c"]})")
                                      << QStringLiteral("haproxy.endpoints[1]: \"udp:h:2\": expected unix:/path/to/admin.sock or tcp:HOST:PORT");
        QTest::newRow("same endpoint twice") << QByteArray(R"({"endpoints": ["tcp:h:1", "tcp:h:1"], "backend": "b", "stable": ["a"], "canary": ["c"]})")
                                             << QStringLiteral("haproxy.endpoints[1]: \"tcp:h:1\" is listed twice");
        QTest::newRow("no backend") << QByteArray(R"({"endpoints": ["tcp:h:1"], "stable": ["a"], "canary": ["c"]})")
                                    << QStringLiteral("haproxy.backend: missing");
        QTest::newRow("no canary") << QByteArray(R"({"endpoints": ["tcp:h:1"], "backend": "b", "stable": ["a"], "canary": []})")
                                   << QStringLiteral("haproxy.canary: expected a non-empty array");
        QTest::newRow("server in both") << QByteArray(R"({"endpoints": ["tcp:h:1"], "backend": "b", "stable": ["a"], "canary": ["a"]})")
                                        << QStringLiteral("haproxy.canary[0]: \"a\" is listed twice");
        QTest::newRow("injection") << QByteArray(R"({"endpoints": ["tcp:h:1"], "backend": "b", "stable": ["a; shutdown"], "canary": ["c"]})")
                                   << QStringLiteral("haproxy.stable[0]: not a server name");
        QTest::newRow("bad timeout") << QByteArray(R"({"endpoints": ["tcp:h:1"], "backend": "b", "stable": ["a"], "canary": ["c"], "commandTimeoutMs": 0})")
                                     << QStringLiteral("haproxy.commandTimeoutMs: must be");
    }
    void settings()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        HaproxyTargetSettings s;
        QString got;
        const bool ok = HaproxyTargetSettings::fromJson(QJsonDocument::fromJson(json).object(), &s, &got);
        QCOMPARE(ok, error.isEmpty());
        if (!ok)
            QVERIFY2(got.startsWith(error), qPrintable(got));
    }

    // --- the client against sockets that misbehave ----------------------------------------

    void refusedTcp()
    {
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(port), &e, &err));
        HaproxyRuntime rt(e);
        QString answer;
        QString error;
        bool delivered = true;
        QVERIFY(!rt.execute({QStringLiteral("show info")}, &answer, &error, &delivered));
        QCOMPARE(error, QStringLiteral("tcp:127.0.0.1:%1: connection refused").arg(port));
        QVERIFY(!delivered);
    }

    void missingUnixSocket()
    {
        QTemporaryDir dir;
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(QStringLiteral("unix:") + dir.path() + QStringLiteral("/none.sock"), &e, &err));
        QString answer;
        QString error;
        QVERIFY(!HaproxyRuntime(e).execute({QStringLiteral("show info")}, &answer, &error));
        QCOMPARE(error, e.toString() + QStringLiteral(": no socket at this path"));
    }

    void silentServer_data()
    {
        QTest::addColumn<bool>("unix");
        QTest::newRow("tcp") << false;
        QTest::newRow("unix") << true;
    }
    void silentServer()
    {
        // Accepts (the kernel completes the handshake; this thread never reads) and never
        // answers: the call must give up at the command timeout, not hang.
        QFETCH(bool, unix);
        QTcpServer tcp;
        QLocalServer local;
        QTemporaryDir dir;
        QString text;
        if (unix) {
            QVERIFY(local.listen(dir.path() + QStringLiteral("/silent.sock")));
            text = QStringLiteral("unix:") + local.fullServerName();
        } else {
            QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
            text = QStringLiteral("tcp:127.0.0.1:%1").arg(tcp.serverPort());
        }
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(text, &e, &err));
        HaproxyRuntime rt(e, {300, 400});
        QElapsedTimer t;
        t.start();
        QString answer;
        QString error;
        bool delivered = false;
        QVERIFY(!rt.execute({QStringLiteral("show stat")}, &answer, &error, &delivered));
        const qint64 ms = t.elapsed();
        QCOMPARE(error, text + QStringLiteral(": no complete answer within 400 ms"));
        QVERIFY(delivered);
        QVERIFY2(ms >= 350 && ms < 1500, qPrintable(QString::number(ms)));
    }

    void roundTripWithFake()
    {
        FakeHaproxy fake(labStart());
        HaproxyEndpoint e;
        QString err;
        QVERIFY(HaproxyEndpoint::parse(fake.endpoint(), &e, &err));
        HaproxyRuntime rt(e);
        int w = -1;
        QString error;
        QVERIFY2(rt.getWeight(QStringLiteral("shop"), QStringLiteral("shop-v1-a"), &w, &error), qPrintable(error));
        QCOMPARE(w, 256);
        QVERIFY(!rt.getWeight(QStringLiteral("shop"), QStringLiteral("nope"), &w, &error));
        QCOMPARE(error, fake.endpoint() + QStringLiteral(": get weight shop/nope: No such server."));
        QList<HaproxyServerStat> rows;
        QVERIFY(!rt.showStat(QStringLiteral("nope"), &rows, &error));
        QCOMPARE(error, fake.endpoint() + QStringLiteral(": show stat nope: No such proxy."));
        // Several commands, one line, one connection.
        QString answer;
        QVERIFY(rt.execute({QStringLiteral("set weight shop/shop-v2-a 7"), QStringLiteral("get weight shop/shop-v2-a")}, &answer, &error));
        QCOMPARE(answer, QStringLiteral("\n7 (initial 256)\n\n"));
    }

    // --- the traffic backend against the fake ---------------------------------------------

    void backendRefresh()
    {
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.members.size(), 3);
        QCOMPARE(s.members.at(2).name, QStringLiteral("shop-v2-a"));
        QCOMPARE(s.members.at(2).version, Version::Canary);
        QCOMPARE(s.members.at(0).state, QStringLiteral("UP"));
        QCOMPARE(s.members.at(0).checkStatus, QStringLiteral("L7OK"));
        QCOMPARE(s.split.canary, 0.0);
        QVERIFY(!s.readOnly); // "Unknown command" (HAProxy < 2.0): no level known, not read-only
        // The level is asked on the first refresh, before the read.
        QCOMPARE(fake.commands(), (QStringList{QStringLiteral("show cli level"), QStringLiteral("show stat shop 4 -1")}));
    }

    void parseLevel_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("level");
        QTest::newRow("admin") << QStringLiteral("admin\n\n") << QStringLiteral("admin");
        QTest::newRow("operator") << QStringLiteral("operator\n") << QStringLiteral("operator");
        QTest::newRow("user") << QStringLiteral("user\n\n") << QStringLiteral("user");
        QTest::newRow("old haproxy") << QStringLiteral("Unknown command. Please enter one of the following commands only :\n  help\n\n")
                                     << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void parseLevel()
    {
        QFETCH(QString, answer);
        QFETCH(QString, level);
        QCOMPARE(HaproxyTrafficBackend::parseLevel(answer), level);
    }

    void backendReadOnlyBelowAdmin_data()
    {
        QTest::addColumn<QString>("level");
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("admin") << QStringLiteral("admin") << false;
        QTest::newRow("operator") << QStringLiteral("operator") << true;
        QTest::newRow("user") << QStringLiteral("user") << true;
    }

    void backendReadOnlyBelowAdmin()
    {
        QFETCH(QString, level);
        QFETCH(bool, readOnly);
        FakeHaproxy admin(labStart());
        admin.setCliLevel(QStringLiteral("admin"));
        FakeHaproxy fake(labStart());
        fake.setCliLevel(level);
        HaproxyTrafficBackend b(settingsFor({admin.endpoint(), fake.endpoint()}));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.readOnly, readOnly);
        if (readOnly) {
            QVERIFY2(s.readOnlyReason.contains(fake.endpoint() + QStringLiteral(" is at level ") + level), qPrintable(s.readOnlyReason));
            QVERIFY2(!s.readOnlyReason.contains(admin.endpoint()), qPrintable(s.readOnlyReason));
            QVERIFY(s.readOnlyReason.contains(QStringLiteral("set weight needs level admin")));
        } else {
            QVERIFY(s.readOnlyReason.isEmpty());
        }
        // Known before acting: nothing is sent to either endpoint.
        const ChangeResult r = applyNow(b, 25);
        QCOMPARE(r.status, readOnly ? ChangeResult::Status::Failed : ChangeResult::Status::Applied);
        bool anySet = false;
        for (const FakeHaproxy *f : {&admin, &fake})
            for (const QString &c : f->commands())
                anySet = anySet || c.startsWith(QLatin1String("set weight"));
        QCOMPARE(anySet, !readOnly);
        if (readOnly) {
            QVERIFY2(r.message.contains(QStringLiteral("read-only")), qPrintable(r.message));
            QCOMPARE(fake.weights(), labStart());
        }
    }

    void backendAsksLevelOncePerNRefreshes()
    {
        FakeHaproxy fake(labStart());
        fake.setCliLevel(QStringLiteral("admin"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        for (int i = 0; i < HaproxyTrafficBackend::kLevelEvery + 1; ++i)
            b.refresh();
        QCOMPARE(fake.commands().count(QStringLiteral("show cli level")), 2);
        // A reload lowered the level: the next check finds it, and the target turns read-only.
        fake.setCliLevel(QStringLiteral("operator"));
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        for (int i = 0; i < HaproxyTrafficBackend::kLevelEvery; ++i)
            b.refresh();
        QCOMPARE(ok.size(), HaproxyTrafficBackend::kLevelEvery);
        QVERIFY(!ok.at(HaproxyTrafficBackend::kLevelEvery - 2).at(0).value<TrafficSnapshot>().readOnly);
        QVERIFY(ok.constLast().at(0).value<TrafficSnapshot>().readOnly);
    }

    void backendUnknownServer()
    {
        FakeHaproxy fake(labStart());
        HaproxyTargetSettings s = settingsFor({fake.endpoint()});
        s.canary = {QStringLiteral("shop-v3-a"), QStringLiteral("shop-v3-b")};
        HaproxyTrafficBackend b(s);
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(),
                 fake.endpoint() + QStringLiteral(": backend \"shop\" has no server named shop-v3-a, shop-v3-b "
                                                  "(it has: shop-v1-a, shop-v1-b, shop-v2-a)"));
    }

    void backendEndpointsDisagree()
    {
        FakeHaproxy a(labStart());
        FakeHaproxy b(labStart());
        b.setWeight(QStringLiteral("shop-v2-a"), 10);
        HaproxyTrafficBackend backend(settingsFor({a.endpoint(), b.endpoint()}));
        QSignalSpy failed(&backend, &TrafficBackend::refreshFailed);
        backend.refresh();
        QCOMPARE(failed.size(), 1);
        const QString msg = failed.at(0).at(0).toString();
        QVERIFY2(msg.startsWith(QStringLiteral("endpoints disagree: ")), qPrintable(msg));
        QVERIFY2(msg.contains(b.endpoint() + QStringLiteral(" has shop-v1-a=256 shop-v1-b=256 shop-v2-a=10")), qPrintable(msg));
        // A forced change brings them back together.
        const ChangeResult r = applyNow(backend, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QCOMPARE(a.weights(), labStart());
        QCOMPARE(b.weights(), labStart());
    }

    void backendOrder_data()
    {
        QTest::addColumn<double>("from");
        QTest::addColumn<double>("to");
        QTest::addColumn<QStringList>("sets"); // in the order sent
        QTest::newRow("0 -> 50: canary up first") << 0.0 << 50.0
            << QStringList{QStringLiteral("set weight shop/shop-v2-a 256"), QStringLiteral("set weight shop/shop-v1-a 128"),
                           QStringLiteral("set weight shop/shop-v1-b 128")};
        QTest::newRow("50 -> 0: stable up first") << 50.0 << 0.0
            << QStringList{QStringLiteral("set weight shop/shop-v1-a 256"), QStringLiteral("set weight shop/shop-v1-b 256"),
                           QStringLiteral("set weight shop/shop-v2-a 0")};
        QTest::newRow("0 -> 100") << 0.0 << 100.0
            << QStringList{QStringLiteral("set weight shop/shop-v2-a 256"), QStringLiteral("set weight shop/shop-v1-a 0"),
                           QStringLiteral("set weight shop/shop-v1-b 0")};
        QTest::newRow("100 -> 0") << 100.0 << 0.0
            << QStringList{QStringLiteral("set weight shop/shop-v1-a 256"), QStringLiteral("set weight shop/shop-v1-b 256"),
                           QStringLiteral("set weight shop/shop-v2-a 0")};
        QTest::newRow("0 -> 0: nothing to set") << 0.0 << 0.0 << QStringList{};
    }
    void backendOrder()
    {
        QFETCH(double, from);
        QFETCH(double, to);
        QFETCH(QStringList, sets);
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        QCOMPARE(applyNow(b, from).status, ChangeResult::Status::Applied);
        const qsizetype skip = fake.commands().size();
        const ChangeResult r = applyNow(b, to);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QStringList sent;
        const QStringList all = fake.commands();
        for (qsizetype i = skip; i < all.size(); ++i)
            if (all.at(i).startsWith(QLatin1String("set weight")))
                sent.append(all.at(i));
        QCOMPARE(sent, sets);
        QCOMPARE(r.after, fake.weights());
    }

    void backendConflict()
    {
        FakeHaproxy fake(labStart());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        fake.setWeight(QStringLiteral("shop-v2-a"), 77); // someone else, after the operator looked
        const ChangeResult r = applyNow(b, 50, labStart());
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("you saw shop-v1-a=256 shop-v1-b=256 shop-v2-a=0, now shop-v1-a=256 shop-v1-b=256 shop-v2-a=77")),
                 qPrintable(r.message));
        QCOMPARE(fake.weights().value(QStringLiteral("shop-v2-a")), 77);
        for (const QString &c : fake.commands())
            QVERIFY2(!c.startsWith(QLatin1String("set")), qPrintable(c));
        QCOMPARE(applyNow(b, 50, labStart(), true).status, ChangeResult::Status::Applied);
    }

    void backendPartialOnRefusal()
    {
        // Moving to 50%: the canary goes up, then one stable server refuses to go down.
        FakeHaproxy fake(labStart());
        fake.refuseSetWeight(QStringLiteral("shop-v1-b"), QStringLiteral("Permission denied"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        const ChangeResult r = applyNow(b, 50);
        QCOMPARE(r.status, ChangeResult::Status::Partial);
        QVERIFY2(r.message.contains(fake.endpoint() + QStringLiteral(": set weight shop/shop-v1-b 128: Permission denied")),
                 qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("shop-v1-b is 256, wanted 128")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QStringLiteral("now shop-v1-a=128 shop-v1-b=256 shop-v2-a=256")), qPrintable(r.message));
        QCOMPARE(r.after, fake.weights());
    }

    void backendRaiseFailsNoLower()
    {
        // If the canary cannot go up, stable must not go down (that could leave nobody serving).
        FakeHaproxy fake(labStart());
        fake.refuseSetWeight(QStringLiteral("shop-v2-a"), QStringLiteral("Permission denied"));
        HaproxyTrafficBackend b(settingsFor({fake.endpoint()}));
        const ChangeResult r = applyNow(b, 100);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: ")), qPrintable(r.message));
        QCOMPARE(fake.weights(), labStart());
    }

    void backendDeadSecondEndpoint()
    {
        FakeHaproxy fake(labStart());
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyTrafficBackend b(settingsFor({fake.endpoint(), dead}));
        // Refresh: named, with how many answered.
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), dead + QStringLiteral(": connection refused (1 of 2 endpoints answer)"));
        // An ordinary change is refused before anything moves...
        ChangeResult r = applyNow(b, 50);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QCOMPARE(fake.weights(), labStart());
        // ...a forced one (rollback) goes where it can, and says where it could not.
        fake.setWeight(QStringLiteral("shop-v2-a"), 256);
        r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Partial);
        QVERIFY2(r.message.contains(QStringLiteral("applied on ") + fake.endpoint()), qPrintable(r.message));
        QVERIFY2(r.message.contains(dead + QStringLiteral(": connection refused (not changed)")), qPrintable(r.message));
        QCOMPARE(fake.weights(), labStart());
    }

    void backendAllDead()
    {
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyTrafficBackend b(settingsFor({dead}));
        const ChangeResult r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QCOMPARE(r.message, QStringLiteral("nothing changed: ") + dead + QStringLiteral(": connection refused"));
    }

    // --- the show-stat metrics source -------------------------------------------------------

    void statSample_data()
    {
        using C = HaproxyStatSource::Counters;
        QTest::addColumn<C>("prev");
        QTest::addColumn<C>("cur");
        QTest::addColumn<double>("rps");
        QTest::addColumn<double>("errorRatio"); // NaN: unknown
        QTest::newRow("steady") << C{100, 100, 0} << C{300, 300, 10} << 100.0 << 0.05;
        QTest::newRow("idle") << C{100, 100, 1} << C{100, 100, 1} << 0.0 << unknown();
        QTest::newRow("restart") << C{5000, 5000, 50} << C{40, 40, 4} << 20.0 << 0.1;
    }
    void statSample()
    {
        using C = HaproxyStatSource::Counters;
        QFETCH(C, prev);
        QFETCH(C, cur);
        QFETCH(double, rps);
        QFETCH(double, errorRatio);
        const HaproxyStatSource::Reading a{{QStringLiteral("s1"), prev}, {QStringLiteral("s2"), C{}}};
        const HaproxyStatSource::Reading b{{QStringLiteral("s1"), cur}, {QStringLiteral("s2"), C{}}};
        const HealthSample s = HaproxyStatSource::sample(a, b, {QStringLiteral("s1"), QStringLiteral("s2")}, 2000, 42);
        QCOMPARE(s.timeMs, qint64(42));
        QCOMPARE(s.rps, rps);
        if (isKnown(errorRatio))
            QCOMPARE(s.errorRatio, errorRatio);
        else
            QVERIFY(!isKnown(s.errorRatio));
        QVERIFY(!isKnown(s.p50Ms) && !isKnown(s.p99Ms));
    }

    void statSampleUnknown()
    {
        // No previous reading, or a server missing from one: unknown, never 0.
        const HaproxyStatSource::Reading b{{QStringLiteral("s1"), {10, 10, 0}}};
        QVERIFY(!isKnown(HaproxyStatSource::sample({}, b, {QStringLiteral("s1")}, 1000, 1).rps));
        QVERIFY(!isKnown(HaproxyStatSource::sample(b, b, {QStringLiteral("s1"), QStringLiteral("s2")}, 1000, 1).rps));
        QVERIFY(!isKnown(HaproxyStatSource::sample(b, b, {QStringLiteral("s1")}, 0, 1).rps));
    }

    void statSourceAgainstFake()
    {
        FakeHaproxy fake(labStart());
        HaproxyStatSource src(settingsFor({fake.endpoint()}));
        QSignalSpy ok(&src, &MetricsSource::instantReady);
        QSignalSpy range(&src, &MetricsSource::rangeReady);
        src.queryInstant();
        QCOMPARE(ok.size(), 1);
        QVERIFY(!isKnown(ok.at(0).at(0).value<HealthSnapshot>().stable.rps)); // one reading: no rate yet
        src.queryRange(0, std::numeric_limits<qint64>::max(), 1000, 7);
        QCOMPARE(range.size(), 1);
        QCOMPARE(range.at(0).at(1).toULongLong(), quint64(7));
        QVERIFY(range.at(0).at(0).value<HealthSeries>().stable.isEmpty());
        src.queryInstant();
        QCOMPARE(ok.size(), 2);
        const HealthSnapshot h = ok.at(1).at(0).value<HealthSnapshot>();
        QCOMPARE(h.stable.rps, 0.0);
        QVERIFY(!isKnown(h.canary.errorRatio));
        src.queryRange(0, std::numeric_limits<qint64>::max(), 1, 8);
        QCOMPARE(range.at(1).at(0).value<HealthSeries>().stable.size(), 1);
    }

    void statSourceDead()
    {
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closedPort());
        HaproxyStatSource src(settingsFor({dead}));
        QSignalSpy failed(&src, &MetricsSource::queryFailed);
        src.queryInstant();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), dead + QStringLiteral(": connection refused"));
    }
};

QTEST_GUILESS_MAIN(TestHaproxyRuntime)
#include "tst_haproxyruntime.moc"
