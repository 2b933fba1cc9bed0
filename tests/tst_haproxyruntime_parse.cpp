// Unit tests of what the HAProxy runtime API client reads and the target's settings: endpoints,
// answers captured from haproxy 2.6 (the lab, support/fakehaproxy.h), server states, weight
// answers and errors. No socket.
#include "backendhost.h"
#include "fakehaproxy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Switchboard;

class TestHaproxyRuntimeParse final : public QObject
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
        QCOMPARE(rows.at(0).field(QStringLiteral("check_desc")), QStringLiteral("Layer7 check passed"));
        QCOMPARE(rows.at(1).server, QStringLiteral("shop-v1-b"));
        QCOMPARE(rows.at(1).number(QStringLiteral("stot")), qint64(3));
        QCOMPARE(rows.at(2).server, QStringLiteral("shop-v2-a"));
        QCOMPARE(rows.at(2).weight, 0);
        QCOMPARE(rows.at(2).field(QStringLiteral("addr")), QStringLiteral("127.0.0.1:33199"));
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
        QCOMPARE(rows.at(0).field(QStringLiteral("check_desc")), QStringLiteral("a, \"quoted\" text"));
        QCOMPARE(rows.at(0).state(), QStringLiteral("UP"));
    }

    void parseStatFollowsTheHeaderOfEachAnswer()
    {
        // The column index is kept between answers with the same header: one with other columns
        // (another HAProxy version behind the same target, a reload to a newer one) must be read
        // by its own header, and the rows read before keep theirs.
        QList<HaproxyServerStat> lab;
        QString error;
        QVERIFY(HaproxyRuntime::parseStat(labShowStat, &lab, &error));
        const QString other = QStringLiteral("# pxname,svname,weight,stot,\nshop,shop-v2-a,9,77,\n\n");
        QList<HaproxyServerStat> rows;
        QVERIFY(HaproxyRuntime::parseStat(other, &rows, &error));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).proxy, QStringLiteral("shop"));
        QCOMPARE(rows.at(0).server, QStringLiteral("shop-v2-a"));
        QCOMPARE(rows.at(0).weight, 9); // no uweight column: the effective weight
        QCOMPARE(rows.at(0).number(QStringLiteral("stot")), qint64(77));
        QCOMPARE(rows.at(0).number(QStringLiteral("hrsp_5xx")), qint64(-1)); // not a column here
        QCOMPARE(lab.at(0).number(QStringLiteral("stot")), qint64(4));
        QVERIFY(HaproxyRuntime::parseStat(labShowStat, &rows, &error));
        QCOMPARE(rows.at(1).server, QStringLiteral("shop-v1-b"));
        QCOMPARE(rows.at(1).number(QStringLiteral("stot")), qint64(3));
        QCOMPARE(rows.at(2).weight, 0);
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
};

QTEST_GUILESS_MAIN(TestHaproxyRuntimeParse)
#include "tst_haproxyruntime_parse.moc"
