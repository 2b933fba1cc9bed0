// NginxUpstreamFile: parsing an upstream block out of an nginx include and rendering new
// weights into it without touching anything else.

#include "nginxupstreamfile.h"

#include <QTest>

using namespace Switchboard;

namespace {

const QByteArray sample = QByteArrayLiteral(
    "# Managed by hand and by Switchboard.\n"
    "upstream other {\n"
    "    server 127.0.0.1:8001 weight=3;\n"
    "}\n"
    "\n"
    "upstream shop {\n"
    "    zone shop 64k;   # shared round-robin state\n"
    "    server 127.0.0.1:8001 weight=9 max_fails=3 fail_timeout=5s; # stable\n"
    "    server 127.0.0.1:8002 down;  # canary, off for now\n"
    "    server \"unix:/run/app.sock\" backup;\n"
    "    keepalive 16;\n"
    "}\n");

QMap<QString, int> w(std::initializer_list<std::pair<QString, int>> list)
{
    QMap<QString, int> m;
    for (const auto &p : list)
        m.insert(p.first, p.second);
    return m;
}

} // namespace

class TestNginxUpstream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheBlock()
    {
        NginxUpstreamFile f;
        QString error;
        QVERIFY2(NginxUpstreamFile::parse(sample, QStringLiteral("shop"), &f, &error), qPrintable(error));
        QVERIFY(f.hasZone());
        const QList<NginxUpstreamServer> s = f.servers();
        QCOMPARE(s.size(), 3);
        QCOMPARE(s.at(0).address, QStringLiteral("127.0.0.1:8001"));
        QCOMPARE(s.at(0).weight, 9);
        QVERIFY(!s.at(0).down);
        QCOMPARE(s.at(0).otherParams, (QStringList{QStringLiteral("max_fails=3"), QStringLiteral("fail_timeout=5s")}));
        QCOMPARE(s.at(0).line, 8);
        QCOMPARE(s.at(1).address, QStringLiteral("127.0.0.1:8002"));
        QCOMPARE(s.at(1).weight, 1); // nginx's default
        QVERIFY(s.at(1).down);
        QCOMPARE(s.at(1).effectiveWeight(), 0);
        QCOMPARE(s.at(2).address, QStringLiteral("unix:/run/app.sock")); // quotes removed
        QCOMPARE(s.at(2).otherParams, QStringList{QStringLiteral("backup")});
        // The same address in another upstream is not this block's.
        QCOMPARE(f.effectiveWeight(QStringLiteral("127.0.0.1:8001")), 9);
        QCOMPARE(f.effectiveWeight(QStringLiteral("127.0.0.1:9999")), 0); // absent: no traffic

        NginxUpstreamFile other;
        QVERIFY(NginxUpstreamFile::parse(sample, QStringLiteral("other"), &other, &error));
        QVERIFY(!other.hasZone());
        QCOMPARE(other.servers().size(), 1);
        QCOMPARE(other.servers().at(0).weight, 3);
    }

    void renderingTheSameWeightsChangesNothing()
    {
        NginxUpstreamFile f;
        QString error;
        QVERIFY(NginxUpstreamFile::parse(sample, QStringLiteral("shop"), &f, &error));
        QCOMPARE(f.render({}), sample);
        QCOMPARE(f.render(w({{QStringLiteral("127.0.0.1:8001"), 9}, {QStringLiteral("127.0.0.1:8002"), 0},
                             {QStringLiteral("127.0.0.1:9999"), 0}})),
                 sample);
    }

    void render_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("weight");
        QTest::addColumn<QByteArray>("expected");

        const QByteArray head = QByteArrayLiteral("upstream shop {\n    zone shop 64k;\n");
        const QByteArray tail = QByteArrayLiteral("}\n");
        auto row = [&](const char *name, const char *in, const char *addr, int weight, const char *out) {
            QTest::newRow(name) << QByteArray(head + in + tail) << QString::fromLatin1(addr) << weight
                                << QByteArray(head + out + tail);
        };
        row("new weight keeps other params and comment", "    server a:1 weight=5 max_fails=3; # v1\n", "a:1", 9,
            "    server a:1 weight=9 max_fails=3; # v1\n");
        // nginx rejects weight=0: 0% is `down`, with the weight left as it was.
        row("zero marks down", "    server a:1 weight=5 max_fails=3;\n", "a:1", 0,
            "    server a:1 weight=5 max_fails=3 down;\n");
        row("zero without weight param", "    server a:1;\n", "a:1", 0, "    server a:1 down;\n");
        row("zero when already down", "    server a:1 weight=5 down;\n", "a:1", 0, "    server a:1 weight=5 down;\n");
        row("up from down adds weight", "    server a:1 down;  # off\n", "a:1", 7, "    server a:1 weight=7;  # off\n");
        row("up from down replaces weight", "    server a:1 weight=3 down max_fails=2;\n", "a:1", 7,
            "    server a:1 weight=7 max_fails=2;\n");
        row("down first", "    server a:1 down weight=3;\n", "a:1", 4, "    server a:1 weight=4;\n");
        row("weight 1 needs no param", "    server a:1 down;\n", "a:1", 1, "    server a:1;\n");
        row("multi-line statement", "    server a:1\n        weight=5   # five\n        max_fails=1;\n", "a:1", 6,
            "    server a:1\n        weight=6   # five\n        max_fails=1;\n");
        row("absent gets a line", "    server a:1 weight=5;\n\tkeepalive 4;\n", "b:2", 3,
            "    server a:1 weight=5;\n    server b:2 weight=3;\n\tkeepalive 4;\n");
        row("absent stays out at zero", "    server a:1 weight=5;\n", "b:2", 0, "    server a:1 weight=5;\n");
        row("absent into an empty upstream", "", "b:2", 2, "    server b:2 weight=2;\n");
    }
    void render()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, address);
        QFETCH(int, weight);
        QFETCH(QByteArray, expected);
        NginxUpstreamFile f;
        QString error;
        QVERIFY2(NginxUpstreamFile::parse(input, QStringLiteral("shop"), &f, &error), qPrintable(error));
        const QByteArray out = f.render(w({{address, weight}}));
        QCOMPARE(out, expected);
        // What was rendered parses back to the weight asked for.
        NginxUpstreamFile back;
        QVERIFY2(NginxUpstreamFile::parse(out, QStringLiteral("shop"), &back, &error), qPrintable(error));
        QCOMPARE(back.effectiveWeight(address), weight);
        QVERIFY(!out.contains("weight=0"));
    }

    void renderSeveralServersKeepsEverythingElse()
    {
        NginxUpstreamFile f;
        QString error;
        QVERIFY(NginxUpstreamFile::parse(sample, QStringLiteral("shop"), &f, &error));
        const QByteArray out = f.render(w({{QStringLiteral("127.0.0.1:8001"), 0}, {QStringLiteral("127.0.0.1:8002"), 256}}));
        QByteArray expected = sample;
        expected.replace("weight=9 max_fails=3 fail_timeout=5s;", "weight=9 max_fails=3 fail_timeout=5s down;");
        expected.replace("server 127.0.0.1:8002 down;", "server 127.0.0.1:8002 weight=256;");
        QCOMPARE(out, expected);
        // And back again.
        NginxUpstreamFile again;
        QVERIFY(NginxUpstreamFile::parse(out, QStringLiteral("shop"), &again, &error));
        QByteArray back = sample;
        back.replace("server 127.0.0.1:8002 down;", "server 127.0.0.1:8002 weight=1;");
        QCOMPARE(again.render(w({{QStringLiteral("127.0.0.1:8001"), 9}, {QStringLiteral("127.0.0.1:8002"), 1}})), back);
    }

    void keepsBytesItDoesNotUnderstand()
    {
        // Not UTF-8, CRLF line ends, ${var} words, quotes with escapes, `#` inside a word.
        const QByteArray in = QByteArrayLiteral("# caf\xe9\r\nmap $x ${y}z { default \"a\\\"b;{}\"; }\r\n"
                                                "upstream shop {\r\n  server a#1:80 weight=2;\r\n  server b:80;\r\n}\r\n");
        NginxUpstreamFile f;
        QString error;
        QVERIFY2(NginxUpstreamFile::parse(in, QStringLiteral("shop"), &f, &error), qPrintable(error));
        QCOMPARE(f.servers().size(), 2);
        QCOMPARE(f.servers().at(0).address, QStringLiteral("a#1:80"));
        QByteArray expected = in;
        expected.replace("server b:80;", "server b:80 down;");
        QCOMPARE(f.render(w({{QStringLiteral("b:80"), 0}})), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("error");
        QTest::newRow("no such upstream") << QByteArray("upstream a { server x:1; }\nupstream b { server y:1; }\n")
                                          << QStringLiteral("no \"upstream shop\" block (the file has: a, b)");
        QTest::newRow("no upstream at all") << QByteArray("# empty\n")
                                            << QStringLiteral("no \"upstream shop\" block (the file has no upstream block)");
        QTest::newRow("twice") << QByteArray("upstream shop { server x:1; }\n\nupstream shop { server y:1; }\n")
                               << QStringLiteral("upstream \"shop\" is defined twice (lines 1 and 3)");
        QTest::newRow("missing semicolon") << QByteArray("upstream shop {\n  server x:1 weight=2\n}\n")
                                           << QStringLiteral("line 3: unexpected \"}\" (\"server\" on line 2 has no \";\")");
        QTest::newRow("missing brace") << QByteArray("upstream shop {\n  server x:1;\n")
                                       << QStringLiteral("unexpected end of file: the block opened on line 1 has no \"}\"");
        QTest::newRow("stray brace") << QByteArray("upstream shop { server x:1; }\n}\n")
                                     << QStringLiteral("line 2: unexpected \"}\"");
        QTest::newRow("last statement open") << QByteArray("upstream shop { server x:1; }\ninclude foo")
                                             << QStringLiteral("unexpected end of file: \"include\" on line 2 has no \";\"");
        QTest::newRow("quote") << QByteArray("upstream shop {\n  server \"x:1;\n}\n")
                               << QStringLiteral("line 2: unterminated quoted string");
        QTest::newRow("weight=0") << QByteArray("upstream shop {\n  server x:1 weight=0;\n}\n")
                                  << QStringLiteral("line 2: invalid parameter \"weight=0\" (nginx takes weight=1 and up; "
                                                    "a server that gets no traffic is marked down)");
        QTest::newRow("weight=abc") << QByteArray("upstream shop {\n\n  server x:1 weight=abc;\n}\n")
                                    << QStringLiteral("line 3: invalid parameter \"weight=abc\" (nginx takes weight=1 and up; "
                                                      "a server that gets no traffic is marked down)");
        QTest::newRow("no address") << QByteArray("upstream shop {\n  server;\n}\n")
                                    << QStringLiteral("line 2: \"server\" without an address");
        QTest::newRow("empty statement") << QByteArray("upstream shop {\n  ;\n}\n") << QStringLiteral("line 2: unexpected \";\"");
    }
    void errors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, error);
        NginxUpstreamFile f;
        QString actual;
        QVERIFY(!NginxUpstreamFile::parse(input, QStringLiteral("shop"), &f, &actual));
        QCOMPARE(actual, error);
    }
};

QTEST_GUILESS_MAIN(TestNginxUpstream)
#include "tst_nginxupstream.moc"
