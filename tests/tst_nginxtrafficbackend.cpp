// NginxTrafficBackend without a running nginx: its settings, what it reads from the upstream
// file, and what it does to the file when the config test or the reload fails (stand-in
// commands play nginx; tst_nginx_integration runs the real one).

#include "backendhost.h"
#include "nginxtrafficbackend.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

const QByteArray upstreamText = QByteArrayLiteral("# canary upstream\n"
                                                  "upstream shop {\n"
                                                  "    zone shop 64k;\n"
                                                  "    server 127.0.0.1:8001 weight=256 max_fails=2; # v1\n"
                                                  "    server 127.0.0.1:8002 down; # v2\n"
                                                  "    keepalive 16;\n"
                                                  "}\n");

QStringList sh(const QString &script)
{
    return {QStringLiteral("sh"), QStringLiteral("-c"), script};
}

} // namespace

class TestNginxTrafficBackend final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString file() const { return m_dir.filePath(QStringLiteral("shop-upstream.conf")); }

    bool writeFile(const QByteArray &text) const
    {
        QFile f(file());
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
    }
    QByteArray fileText() const
    {
        QFile f(file());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    NginxTargetSettings settings(const QStringList &test = {QStringLiteral("true")},
                                 const QStringList &reload = {QStringLiteral("true")}) const
    {
        NginxTargetSettings s;
        s.upstreamFile = file();
        s.upstream = QStringLiteral("shop");
        s.stable = {QStringLiteral("127.0.0.1:8001")};
        s.canary = {QStringLiteral("127.0.0.1:8002")};
        s.testCommand = test;
        s.reloadCommand = reload;
        s.commandTimeoutMs = 2000;
        return s;
    }

    static ChangeResult apply(NginxTrafficBackend *b, double pct, const QMap<QString, int> &expected = {})
    {
        QSignalSpy done(b, &TrafficBackend::changeFinished);
        WeightChange c;
        c.canaryPercent = pct;
        c.expected = expected;
        b->apply(c); // direct call: the signal comes before apply returns
        return done.size() == 1 ? done.at(0).at(0).value<ChangeResult>() : ChangeResult{};
    }

    static QMap<QString, int> weights(int stable, int canary)
    {
        return {{QStringLiteral("127.0.0.1:8001"), stable}, {QStringLiteral("127.0.0.1:8002"), canary}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        QVERIFY(m_dir.isValid());
    }

    void init() { QVERIFY(writeFile(upstreamText)); }

    void settingsFromJson()
    {
        const QJsonObject o{{QStringLiteral("upstreamFile"), QStringLiteral("/etc/nginx/conf.d/shop-upstream.conf")},
                            {QStringLiteral("upstream"), QStringLiteral("shop")},
                            {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:8001")}},
                            {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:8002")}},
                            {QStringLiteral("testCommand"), QJsonArray{QStringLiteral("nginx"), QStringLiteral("-t"),
                                                                       QStringLiteral("-c"), QStringLiteral("/etc/nginx/nginx.conf")}},
                            {QStringLiteral("commandTimeoutMs"), 5000}};
        NginxTargetSettings s;
        QString error;
        QVERIFY2(NginxTargetSettings::fromJson(o, &s, &error), qPrintable(error));
        QCOMPARE(s.upstreamFile, QStringLiteral("/etc/nginx/conf.d/shop-upstream.conf"));
        QCOMPARE(s.testCommand.size(), 4);
        // Not given: the system nginx's reload.
        QCOMPARE(s.reloadCommand, (QStringList{QStringLiteral("nginx"), QStringLiteral("-s"), QStringLiteral("reload")}));
        QCOMPARE(s.commandTimeoutMs, 5000);
    }

    void badSettings_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("error");
        QTest::newRow("no file") << QStringLiteral("upstreamFile") << QJsonValue(QString())
                                 << QStringLiteral("nginx.upstreamFile: expected the path of the file that holds the upstream block");
        QTest::newRow("bad upstream") << QStringLiteral("upstream") << QJsonValue(QStringLiteral("a b"))
                                      << QStringLiteral("nginx.upstream: missing, or not an upstream name");
        QTest::newRow("no canary") << QStringLiteral("canary") << QJsonValue(QJsonArray())
                                   << QStringLiteral("nginx.canary: expected a non-empty array of server addresses as the upstream writes them");
        QTest::newRow("address with ;") << QStringLiteral("canary") << QJsonValue(QJsonArray{QStringLiteral("a;b")})
                                        << QStringLiteral("nginx.canary[0]: not a server address");
        QTest::newRow("twice") << QStringLiteral("canary") << QJsonValue(QJsonArray{QStringLiteral("127.0.0.1:8001")})
                               << QStringLiteral("nginx.canary[0]: \"127.0.0.1:8001\" is listed twice");
        QTest::newRow("command as string") << QStringLiteral("reloadCommand") << QJsonValue(QStringLiteral("nginx -s reload"))
                                           << QStringLiteral("nginx.reloadCommand: expected a non-empty array of strings "
                                                             "(an argv array such as [\"nginx\", \"-t\"]; no shell)");
        QTest::newRow("timeout") << QStringLiteral("commandTimeoutMs") << QJsonValue(0)
                                 << QStringLiteral("nginx.commandTimeoutMs: expected milliseconds between 100 and 600000");
    }
    void badSettings()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, error);
        QJsonObject o{{QStringLiteral("upstreamFile"), QStringLiteral("/x.conf")},
                      {QStringLiteral("upstream"), QStringLiteral("shop")},
                      {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:8001")}},
                      {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:8002")}}};
        o.insert(key, value);
        NginxTargetSettings s;
        QString actual;
        QVERIFY(!NginxTargetSettings::fromJson(o, &s, &actual));
        QCOMPARE(actual, error);
    }

    void refreshReadsTheConfiguredWeights()
    {
        NginxTrafficBackend b(settings());
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.weights(), weights(256, 0));
        QCOMPARE(s.members.at(0).state, QStringLiteral("UP"));
        QCOMPARE(s.members.at(1).state, QStringLiteral("DOWN (config)"));
        QCOMPARE(s.members.at(1).version, Version::Canary);
        QCOMPARE(s.split.canary, 0.0);
        QVERIFY(!s.readOnly);
    }

    void refreshErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("no such upstream") << QByteArray("upstream web { server 127.0.0.1:8001; }\n")
                                          << QStringLiteral("no \"upstream shop\" block (the file has: web)");
        QTest::newRow("unparsable") << QByteArray("upstream shop {\n server 127.0.0.1:8001\n}\n")
                                    << QStringLiteral("line 3: unexpected \"}\" (\"server\" on line 2 has no \";\")");
        QTest::newRow("none configured") << QByteArray("upstream shop { server 10.0.0.1:80; }\n")
                                         << QStringLiteral("upstream \"shop\" has none of the configured servers "
                                                           "127.0.0.1:8001, 127.0.0.1:8002 (it has: 10.0.0.1:80)");
        QTest::newRow("listed twice") << QByteArray("upstream shop {\n server 127.0.0.1:8001;\n server 127.0.0.1:8001;\n}\n")
                                      << QStringLiteral("upstream \"shop\" lists 127.0.0.1:8001 on 2 lines (lines 2 and 3): list it once");
    }
    void refreshErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, error);
        QVERIFY(writeFile(text));
        NginxTrafficBackend b(settings());
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), file() + QStringLiteral(": ") + error);
    }

    void missingFile()
    {
        NginxTargetSettings s = settings();
        s.upstreamFile = m_dir.filePath(QStringLiteral("nope.conf"));
        NginxTrafficBackend b(s);
        QSignalSpy failed(&b, &TrafficBackend::refreshFailed);
        b.refresh();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("cannot read %1: No such file or directory").arg(s.upstreamFile));
        QCOMPARE(apply(&b, 50).status, ChangeResult::Status::Failed);
    }

    void absentCanaryIsWeightZeroAndGetsALine()
    {
        QVERIFY(writeFile("upstream shop {\n    server 127.0.0.1:8001;\n}\n"));
        NginxTrafficBackend b(settings());
        QSignalSpy ok(&b, &TrafficBackend::snapshotReady);
        b.refresh();
        QCOMPARE(ok.size(), 1);
        const TrafficSnapshot s = ok.at(0).at(0).value<TrafficSnapshot>();
        QCOMPARE(s.weights(), weights(1, 0));
        QCOMPARE(s.members.at(1).state, QStringLiteral("DOWN (config: not in upstream)"));
        const ChangeResult r = apply(&b, 50, s.weights());
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(fileText(), QByteArray("upstream shop {\n    server 127.0.0.1:8001 weight=256;\n"
                                        "    server 127.0.0.1:8002 weight=256;\n}\n"));
        // No zone line: the result says what that means for the split.
        QVERIFY2(r.message.contains(QStringLiteral("has no zone")), qPrintable(r.message));
    }

    void applyWritesTestsAndReloads()
    {
        // The stand-ins log their calls, so the order test -> reload is visible.
        const QString log = m_dir.filePath(QStringLiteral("calls.log"));
        NginxTrafficBackend b(settings(sh(QStringLiteral("echo test >> '%1'").arg(log)),
                                       sh(QStringLiteral("echo reload >> '%1'").arg(log))));
        QFile::remove(log);
        QFile::setPermissions(file(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
        const ChangeResult r = apply(&b, 50, weights(256, 0));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.before, weights(256, 0));
        QCOMPARE(r.after, weights(256, 256));
        QCOMPARE(r.message, QStringLiteral("canary 50% · stable 50% (127.0.0.1:8001=256 127.0.0.1:8002=256) (nginx reloaded)"));
        QByteArray expected = upstreamText;
        expected.replace("server 127.0.0.1:8002 down;", "server 127.0.0.1:8002 weight=256;");
        QCOMPARE(fileText(), expected);
        // Replaced by a rename, but with the permissions the operator gave the file.
        const QFileDevice::Permissions modeBits = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                                  | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
                                                  | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFile::permissions(file()) & modeBits, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
        QFile calls(log);
        QVERIFY(calls.open(QIODevice::ReadOnly));
        QCOMPARE(calls.readAll(), QByteArray("test\nreload\n"));

        // 0%: `down`, never weight=0 (nginx rejects it).
        const ChangeResult back = apply(&b, 0, r.after);
        QVERIFY2(back.ok(), qPrintable(back.message));
        QVERIFY(!fileText().contains("weight=0"));
        expected.replace("server 127.0.0.1:8002 weight=256;", "server 127.0.0.1:8002 weight=256 down;");
        QCOMPARE(fileText(), expected);
    }

    void symlinkStaysALink()
    {
        // sites-enabled style: the configured path is a link to the real file.
        const QString real = m_dir.filePath(QStringLiteral("real-upstream.conf"));
        const QString link = m_dir.filePath(QStringLiteral("linked-upstream.conf"));
        QFile::remove(real);
        QFile::remove(link);
        QVERIFY(QFile::copy(file(), real));
        QVERIFY(QFile::link(real, link));
        NginxTargetSettings s = settings();
        s.upstreamFile = link;
        NginxTrafficBackend b(s);
        const ChangeResult r = apply(&b, 100, weights(256, 0));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY(QFileInfo(link).isSymLink());
        QFile f(real);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("server 127.0.0.1:8001 weight=256 max_fails=2 down; # v1"));
    }

    void sameWeightsWriteNothing()
    {
        const QString log = m_dir.filePath(QStringLiteral("calls.log"));
        QFile::remove(log);
        NginxTrafficBackend b(settings(sh(QStringLiteral("echo test >> '%1'").arg(log)), {QStringLiteral("true")}));
        const ChangeResult r = apply(&b, 0, weights(256, 0));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY2(r.message.endsWith(QStringLiteral("(already configured: nothing written, no reload)")), qPrintable(r.message));
        QVERIFY(!QFile::exists(log));
        QCOMPARE(fileText(), upstreamText);
    }

    void rejectedConfigRestoresTheFile()
    {
        // What nginx -t prints once the config has set an error_log: time, level, pid, message.
        NginxTrafficBackend b(settings(sh(QStringLiteral(
            "echo 'nginx: [warn] something harmless' >&2; "
            "echo '2026/01/01 10:00:00 [emerg] 42#42: invalid parameter \"weight=0\" in /x/shop-upstream.conf:5' >&2; "
            "echo 'nginx: configuration file /x/nginx.conf test failed' >&2; exit 1"))));
        const ChangeResult r = apply(&b, 50, weights(256, 0));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        // The command line is long (sh -c ...): checked around it.
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: nginx's config test rejected the new upstream: "
                                                     "invalid parameter \"weight=0\" in /x/shop-upstream.conf:5 (`sh -c ")),
                 qPrintable(r.message));
        QVERIFY2(r.message.endsWith(QStringLiteral("` exited 1); previous %1 restored").arg(file())), qPrintable(r.message));
        QCOMPARE(r.before, weights(256, 0));
        QCOMPARE(r.after, weights(256, 0));
        QCOMPARE(fileText(), upstreamText); // byte for byte
    }

    void failedReloadRestoresTheFile()
    {
        NginxTrafficBackend b(settings({QStringLiteral("true")},
                                       sh(QStringLiteral("echo 'nginx: [error] open() \"/run/nginx.pid\" failed (2: No such file or directory)' >&2; exit 1"))));
        const ChangeResult r = apply(&b, 100, weights(256, 0));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: the reload failed: open() \"/run/nginx.pid\" failed "
                                                     "(2: No such file or directory) (`sh -c ")),
                 qPrintable(r.message));
        QCOMPARE(r.after, weights(256, 0));
        QCOMPARE(fileText(), upstreamText);
    }

    void hangingCommandIsBounded()
    {
        NginxTargetSettings s = settings({QStringLiteral("sleep"), QStringLiteral("30")});
        s.commandTimeoutMs = 300;
        NginxTrafficBackend b(s);
        QElapsedTimer t;
        t.start();
        const ChangeResult r = apply(&b, 50);
        QVERIFY(t.elapsed() < 5000);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("`sleep 30` did not finish within 300 ms (killed)")), qPrintable(r.message));
        QCOMPARE(fileText(), upstreamText);
    }

    void missingCommandIsNamed()
    {
        NginxTrafficBackend b(settings({QStringLiteral("/nonexistent/nginx"), QStringLiteral("-t")}));
        const ChangeResult r = apply(&b, 50);
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.contains(QStringLiteral("cannot run `/nonexistent/nginx -t`")), qPrintable(r.message));
        QCOMPARE(fileText(), upstreamText);
    }

    void someoneElsesEditIsAConflict()
    {
        NginxTrafficBackend b(settings());
        QByteArray theirs = upstreamText;
        theirs.replace("server 127.0.0.1:8002 down;", "server 127.0.0.1:8002 weight=3;");
        QVERIFY(writeFile(theirs));
        const ChangeResult r = apply(&b, 50, weights(256, 0)); // the operator saw 0%
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QCOMPARE(r.message, QStringLiteral("weights changed since you last looked: you saw 127.0.0.1:8001=256 127.0.0.1:8002=0, "
                                           "now 127.0.0.1:8001=256 127.0.0.1:8002=3"));
        QCOMPARE(fileText(), theirs);
    }

    void unlistedServerIsNamed()
    {
        QByteArray text = upstreamText;
        text.replace("    keepalive", "    server 127.0.0.1:9000;\n    server 127.0.0.1:9001 backup;\n    keepalive");
        QVERIFY(writeFile(text));
        NginxTrafficBackend b(settings());
        const ChangeResult r = apply(&b, 10);
        QVERIFY2(r.ok(), qPrintable(r.message));
        QVERIFY2(r.message.endsWith(QStringLiteral("note: the upstream also sends traffic to 127.0.0.1:9000, which is neither "
                                                   "stable nor canary and not counted in the split")),
                 qPrintable(r.message));
        QVERIFY(fileText().contains("server 127.0.0.1:9000;\n    server 127.0.0.1:9001 backup;\n"));
    }
};

QTEST_GUILESS_MAIN(TestNginxTrafficBackend)
#include "tst_nginxtrafficbackend.moc"
