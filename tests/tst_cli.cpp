// The switchboard binary as users script it: verbs, exit codes, JSON, the screenshot option,
// a broken targets.json that is reported and left alone, and Ctrl-C/SIGTERM during `run`.
#include "clirunner.h"

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <csignal>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// The binary running in the background, so a test can act at a known point of its run.
class Background final
{
public:
    QProcess process;
    QByteArray out;
    QByteArray err;

    QString output() const { return QString::fromUtf8(out + err); }

    // True once stdout or stderr holds `fragment`; false when the time is up or the binary ended
    // without printing it.
    bool waitForOutput(const QString &fragment, int timeoutMs)
    {
        const bool done = QTest::qWaitFor([this, &fragment] {
            collect();
            return output().contains(fragment) || process.state() == QProcess::NotRunning;
        }, timeoutMs);
        collect();
        return done && output().contains(fragment);
    }

    bool waitForExit(int timeoutMs)
    {
        const bool ended = process.waitForFinished(timeoutMs);
        collect();
        return ended;
    }

    void sendSignal(int sig) { ::kill(pid_t(process.processId()), sig); }

private:
    void collect()
    {
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
    }
};

// A preset that sets the canary to 5% and then holds it for ten minutes: a run of it sits in
// the pause step far longer than any test waits. No gates, so nothing but the signal can end
// the pause (a gate could pause or roll back on a slow poll and make the test flaky).
const QByteArray holdAtFivePreset("{\"strategy\":\"canary\",\"steps\":[{\"setWeight\":5},"
                                  "{\"pause\":{\"durationMs\":600000}},{\"setWeight\":100}]}");

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;

    using Run = CliRunner::Result;

    // In m_home: the user's real config and audit log stay out of it.
    Run run(const QStringList &args, int timeoutMs = 60000)
    {
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(args, timeoutMs);
    }

    QString writeConfig(const QByteArray &json)
    {
        const QString dir = m_home.filePath(QStringLiteral("cfg-%1").arg(++m_configs));
        QDir().mkpath(dir);
        QFile f(dir + QStringLiteral("/targets.json"));
        f.open(QIODevice::WriteOnly);
        f.write(json);
        return dir;
    }
    int m_configs = 0;

    // Presets live in the config home (CONTRACTS.md).
    void writePreset(const QString &name, const QByteArray &json)
    {
        const QString presets = m_home.filePath(QStringLiteral("config/switchboard/presets"));
        QDir().mkpath(presets);
        QFile f(presets + QLatin1Char('/') + name + QStringLiteral(".json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
    }

    void startRun(Background &cli, const QString &preset, const QString &configDir)
    {
        CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path())
            .start(cli.process, {QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"),
                                 QStringLiteral("--preset"), preset, QStringLiteral("--config"), configDir});
    }

    // The last action that moved (or tried to move) traffic: a rollout's own bookkeeping
    // entries (its steps, gates, pauses and end) come after it.
    QJsonObject lastAuditEntry() const
    {
        QFile audit(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")));
        if (!audit.open(QIODevice::ReadOnly))
            return {};
        const QList<QByteArray> lines = audit.readAll().trimmed().split('\n');
        for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
            const QJsonObject o = QJsonDocument::fromJson(*it).object();
            // The rollout's own entries and the verdict's state changes go beside the actions.
            const QString action = o.value(QStringLiteral("action")).toString();
            if (!action.startsWith(QStringLiteral("rollout-")) && action != QLatin1String("verdict"))
                return o;
        }
        return {};
    }

private slots:
    void helpAndVersion()
    {
        const Run help = run({QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QStringLiteral("--demo")));
        QVERIFY(help.out.contains(QStringLiteral("--screenshot")));
        QVERIFY(help.out.contains(QStringLiteral("set-weight")));
        const Run version = run({QStringLiteral("--version")});
        QCOMPARE(version.code, 0);
        QVERIFY(version.out.contains(QStringLiteral("switchboard 0.")));
    }

    void statusJsonFollowsContract()
    {
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"sim\":{\"seed\":1,\"initialCanaryPercent\":25}}]}");
        const Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                           QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(r.out));
        QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("shop"));
        QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("sim"));
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 25.0);
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("stable")).toDouble(), 75.0);
        QCOMPARE(o.value(QStringLiteral("members")).toArray().size(), 3);
        const QJsonObject canary = o.value(QStringLiteral("health")).toObject().value(QStringLiteral("canary")).toObject();
        QVERIFY(canary.value(QStringLiteral("rps")).toDouble() > 0);
        QVERIFY(canary.contains(QStringLiteral("p99Ms")));
        QVERIFY(canary.value(QStringLiteral("p95Ms")).toDouble() > canary.value(QStringLiteral("p50Ms")).toDouble());
        QVERIFY(o.value(QStringLiteral("dataAgeMs")).isDouble());
    }

    void unknownValuesAreNull()
    {
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"sim\":{\"initialCanaryPercent\":0}}]}");
        const Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                           QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        const QJsonObject canary = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("health"))
                                       .toObject().value(QStringLiteral("canary")).toObject();
        // No canary traffic: error ratio and latency are unknown, never 0.
        QVERIFY(canary.value(QStringLiteral("errorRatio")).isNull());
        QVERIFY(canary.value(QStringLiteral("p99Ms")).isNull());
    }

    void changesAndExitCodes()
    {
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\"}]}");
        Run r = run({QStringLiteral("set-weight"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--canary"),
                     QStringLiteral("30"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("canary 30%")), qPrintable(r.out));
        r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("canary 0%")));
        r = run({QStringLiteral("promote"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--full"),
                 QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("canary 100%")));
        // Every action is in the audit log.
        QFile audit(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")));
        QVERIFY(audit.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = audit.readAll().trimmed().split('\n');
        QVERIFY(lines.size() >= 3);
        QCOMPARE(QJsonDocument::fromJson(lines.constLast()).object().value(QStringLiteral("action")).toString(),
                 QStringLiteral("promote"));

        r = run({QStringLiteral("set-weight"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--canary"),
                 QStringLiteral("150"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.startsWith(QStringLiteral("switchboard: ")));
        r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("nope"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("no target named \"nope\"")));
        r = run({QStringLiteral("promote"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2); // no rollout running: say so rather than guess
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1); // one line
    }

    // An nginx target with `true` as test and reload: its weights live in a file, so a refused
    // change can be checked byte for byte. `extra` goes into the target object.
    QString writeNginxTarget(const QByteArray &extra, QString *upstreamFile)
    {
        const QString dir = m_home.filePath(QStringLiteral("nginx-%1").arg(m_configs + 1));
        QDir().mkpath(dir);
        *upstreamFile = dir + QStringLiteral("/shop-upstream.conf");
        QFile up(*upstreamFile);
        up.open(QIODevice::WriteOnly);
        up.write("upstream shop {\n    server 127.0.0.1:8001 weight=90;\n    server 127.0.0.1:8002 weight=10;\n}\n");
        up.close();
        return writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"nginx\"" + extra + ",\"nginx\":{\"upstreamFile\":\""
                           + upstreamFile->toUtf8() + "\",\"upstream\":\"shop\",\"stable\":[\"127.0.0.1:8001\"],"
                           "\"canary\":[\"127.0.0.1:8002\"],\"testCommand\":[\"true\"],\"reloadCommand\":[\"true\"]}}]}");
    }

    static QByteArray fileBytes(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    void readOnlyRefusesEveryWrite_data()
    {
        QTest::addColumn<QByteArray>("extra");   // in the target object
        QTest::addColumn<bool>("globalFlag");    // --read-only on the command line
        QTest::addColumn<QString>("reason");
        QTest::newRow("targets.json readOnly") << QByteArray(",\"readOnly\":true") << false << QStringLiteral("marked \"readOnly\" in targets.json");
        QTest::newRow("--read-only") << QByteArray() << true << QStringLiteral("started with --read-only");
    }

    void readOnlyRefusesEveryWrite()
    {
        QFETCH(QByteArray, extra);
        QFETCH(bool, globalFlag);
        QFETCH(QString, reason);
        QString upstream;
        const QString dir = writeNginxTarget(extra, &upstream);
        const QByteArray before = fileBytes(upstream);
        QFile::remove(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")));
        writePreset(QStringLiteral("hold-at-five"), holdAtFivePreset);
        const QStringList flag = globalFlag ? QStringList{QStringLiteral("--read-only")} : QStringList{};
        const QList<QStringList> verbs{
            {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("30")},
            {QStringLiteral("set-weight"), QStringLiteral("--canary"), QStringLiteral("30"), QStringLiteral("--force")},
            {QStringLiteral("promote"), QStringLiteral("--full")},
            {QStringLiteral("promote")},
            {QStringLiteral("rollback")},
            {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("hold-at-five")}};
        for (const QStringList &verb : verbs) {
            const Run r = run(verb + QStringList{QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir} + flag);
            QVERIFY2(r.code == 2, qPrintable(verb.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.out + r.err));
            QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: target shop is read-only: ")), qPrintable(r.err));
            QVERIFY2(r.err.contains(reason), qPrintable(r.err));
            QCOMPARE(r.err.count(QLatin1Char('\n')), 1); // one line
            QVERIFY2(!r.out.contains(QStringLiteral("applied")), qPrintable(r.out));
            QCOMPARE(fileBytes(upstream), before); // nothing written
        }
        // Refused before anything was sent: no action in the audit log.
        QVERIFY(!QFile::exists(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")))
                || fileBytes(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl"))).trimmed().isEmpty());

        // status still works and says so.
        const Run st = run(QStringList{QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                                       QStringLiteral("--config"), dir} + flag);
        QCOMPARE(st.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(st.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("readOnly")), QJsonValue(true));
        QVERIFY2(o.value(QStringLiteral("note")).toString().contains(QStringLiteral("read-only: ")), qPrintable(st.out));
        QVERIFY2(o.value(QStringLiteral("note")).toString().contains(reason), qPrintable(st.out));
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 10.0);
    }

    void writableTargetIsNotReadOnly()
    {
        // The same target without the flag: status says readOnly false, and the change goes through.
        QString upstream;
        const QString dir = writeNginxTarget({}, &upstream);
        Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                     QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("readOnly")), QJsonValue(false));
        r = run({QStringLiteral("set-weight"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--canary"),
                 QStringLiteral("30"), QStringLiteral("--config"), dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                 QStringLiteral("--config"), dir});
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("split")).toObject()
                     .value(QStringLiteral("canary")).toDouble(), 30.0);
    }

    void readOnlyMustBeABoolean()
    {
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"readOnly\":\"yes\"}]}");
        const Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("targets[0].readOnly: must be true or false")), qPrintable(r.err));
    }

    void runPresetToTheEnd_data()
    {
        QTest::addColumn<QByteArray>("sim");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("lastLine");
        QTest::newRow("healthy canary is promoted") << QByteArray("{\"initialCanaryPercent\":0}") << 0
                                                    << QStringLiteral("promoted: traffic left at canary 100%");
        QTest::newRow("bad canary is rolled back") << QByteArray("{\"initialCanaryPercent\":0,\"canaryErrorRatio\":0.2}") << 3
                                                   << QStringLiteral("rolled back");
    }
    void runPresetToTheEnd()
    {
        QFETCH(QByteArray, sim);
        QFETCH(int, exitCode);
        QFETCH(QString, lastLine);
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"pollMs\":200,\"sim\":" + sim + "}]}");
        writePreset(QStringLiteral("quick"),
                    "{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                    "\"failureLimit\":1}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":300,\"intervals\":2}},"
                    "{\"setWeight\":50},{\"analysis\":{\"durationMs\":300,\"intervals\":2}},{\"setWeight\":100}]}");
        const Run r = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                           QStringLiteral("quick"), QStringLiteral("--config"), dir});
        QVERIFY2(r.code == exitCode, qPrintable(r.out + r.err));
        const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
        QVERIFY2(lines.size() >= 3, qPrintable(r.out)); // one line per step and gate
        QVERIFY2(lines.constLast().contains(lastLine), qPrintable(r.out));
        if (exitCode == 3) {
            QVERIFY2(r.out.contains(QStringLiteral("errors")), qPrintable(r.out)); // the gate that tripped, with its values
            // The rollback is in the audit log, with the gate as the reason.
            const QJsonObject last = lastAuditEntry();
            QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("rollback"));
            QVERIFY(last.value(QStringLiteral("reason")).toString().contains(QStringLiteral("errors")));
        }
        const Run missing = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                                 QStringLiteral("nope"), QStringLiteral("--config"), dir});
        QCOMPARE(missing.code, 2);
    }

    // Issue 11: before any traffic moves, `run` says which gates today's traffic cannot feed
    // their minRequests within their analysis, and how many they will get.
    void runWarnsWhenTrafficIsTooThin()
    {
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"pollMs\":200,\"sim\":{\"initialCanaryPercent\":0}}]}");
        writePreset(QStringLiteral("thin"),
                    "{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                    "\"minRequests\":1000000}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":300}},{\"setWeight\":100}]}");
        const Run r = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                           QStringLiteral("thin"), QStringLiteral("--config"), dir});
        QVERIFY2(r.code == 2, qPrintable(r.out + r.err)); // and it does pause as inconclusive
        const QStringList lines = r.out.split(QLatin1Char('\n'));
        const auto warning = std::find_if(lines.cbegin(), lines.cend(), [](const QString &l) { return l.startsWith(QStringLiteral("warning: ")); });
        QVERIFY2(warning != lines.cend(), qPrintable(r.out));
        QVERIFY2(warning->startsWith(QStringLiteral("warning: step 2/3 (analysis 300 ms at 10%): gate errors needs 1000000 canary requests; ")),
                 qPrintable(*warning));
        QVERIFY2(warning->endsWith(QStringLiteral(", so it will pause as inconclusive")), qPrintable(*warning));
        const auto firstStep = std::find_if(lines.cbegin(), lines.cend(), [](const QString &l) { return l.startsWith(QStringLiteral("step 1/3")); });
        QVERIFY(firstStep != lines.cend());
        QVERIFY(warning < firstStep); // said before starting
        // A plan the traffic can feed says nothing of the sort.
        writePreset(QStringLiteral("fed"),
                    "{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                    "\"minRequests\":1}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":1000000}},{\"setWeight\":100}]}");
        Background cli;
        startRun(cli, QStringLiteral("fed"), dir);
        QVERIFY2(cli.waitForOutput(QStringLiteral("step 2/3"), 30000), qPrintable(cli.output()));
        QVERIFY2(!cli.output().contains(QStringLiteral("warning:")), qPrintable(cli.output()));
        cli.sendSignal(SIGTERM);
        QVERIFY2(cli.waitForExit(30000), qPrintable(cli.output()));
    }

    // Ctrl-C (or a SIGTERM from CI or systemd) during `run` pauses the rollout and leaves the
    // canary's share where it is: stopping a script must never move traffic by itself.
    void interruptPausesAndLeavesTraffic_data()
    {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
    }
    void interruptPausesAndLeavesTraffic()
    {
        QFETCH(int, sig);
        const QString dir = writeConfig("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"pollMs\":200,"
                                        "\"sim\":{\"initialCanaryPercent\":0}}]}");
        writePreset(QStringLiteral("hold"), holdAtFivePreset);
        Background cli;
        startRun(cli, QStringLiteral("hold"), dir);
        // The engine enters the pause only once the 5% step has been applied.
        QVERIFY2(cli.waitForOutput(QStringLiteral("step 2/3 (pause"), 30000), qPrintable(cli.output()));
        QVERIFY2(cli.output().contains(QStringLiteral("canary at 5%")), qPrintable(cli.output()));

        cli.sendSignal(sig);
        QVERIFY2(cli.waitForExit(30000), qPrintable(cli.output()));
        // Handled: a normal exit with the documented code, not death by the signal.
        QCOMPARE(cli.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.process.exitCode(), 2);
        const QString err = QString::fromUtf8(cli.err);
        QVERIFY2(err.count(QLatin1Char('\n')) == 1, qPrintable(err)); // one line, as every error
        QVERIFY2(err.startsWith(QStringLiteral("switchboard: interrupted: rollout paused at step 2")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("traffic left at canary 5%")), qPrintable(err));
        const QString out = QString::fromUtf8(cli.out);
        QVERIFY2(out.contains(QStringLiteral("paused: paused by the operator")), qPrintable(out));
        QVERIFY2(!out.contains(QStringLiteral("ROLLBACK")) && !out.contains(QStringLiteral("rolled back")), qPrintable(out));
        QVERIFY2(!out.contains(QStringLiteral("waiting for the change")), qPrintable(out)); // nothing was on the wire
        // The simulator's weights die with the process; the audit log does not: the last change
        // made is the 5% step, with no rollback after it.
        const QJsonObject last = lastAuditEntry();
        QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("set-weight"));
        QCOMPARE(last.value(QStringLiteral("canaryPercent")).toDouble(), 5.0);
        QCOMPARE(last.value(QStringLiteral("result")).toString(), QStringLiteral("applied"));
    }

    // Ctrl-C while a step's change is on the wire: that change cannot be called back (the backend
    // finishes it even as the process ends), so the run waits for it and reports the weights it
    // left, not the ones from before it. nginx keeps its weights in a file, so what the run
    // left behind can be read after it ends; its reload command is the test's own: it reads a
    // FIFO to its end, so it runs exactly as long as the test holds the FIFO open for writing.
    void interruptWaitsForChangeOnTheWire()
    {
        QTemporaryDir files;
        QVERIFY(files.isValid());
        const QString upstream = files.filePath(QStringLiteral("upstream.conf"));
        const QString fifo = files.filePath(QStringLiteral("reload.fifo"));
        {
            QFile f(upstream);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("upstream shop {\n    zone shop 64k;\n    server 127.0.0.1:8001 weight=100;\n    server 127.0.0.1:8002 down;\n}\n");
        }
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QJsonObject nginx{{QStringLiteral("upstreamFile"), upstream},
                                {QStringLiteral("upstream"), QStringLiteral("shop")},
                                {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:8001")}},
                                {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:8002")}},
                                {QStringLiteral("testCommand"), QJsonArray{QStringLiteral("true")}},
                                {QStringLiteral("reloadCommand"),
                                 QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("cat \"$0\" >/dev/null"), fifo}},
                                {QStringLiteral("commandTimeoutMs"), 60000}};
        const QJsonObject target{{QStringLiteral("name"), QStringLiteral("shop")}, {QStringLiteral("kind"), QStringLiteral("nginx")},
                                 {QStringLiteral("pollMs"), 200}, {QStringLiteral("nginx"), nginx}};
        const QString dir = writeConfig(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{target}}}).toJson());
        writePreset(QStringLiteral("hold"), holdAtFivePreset);

        // Opening a FIFO for writing without blocking only works once a reader has it open:
        // success means the reload is running, so the new upstream file is written and the
        // change is on the wire. Closing it ends the reload.
        int writer = -1;
        const auto closeWriter = qScopeGuard([&writer] {
            if (writer >= 0)
                ::close(writer); // whatever failed, no `cat` is left blocked on the FIFO
        });
        Background cli;
        startRun(cli, QStringLiteral("hold"), dir);
        QVERIFY2(QTest::qWaitFor([&writer, &fifo] {
            writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
            return writer >= 0;
        }, 30000), qPrintable(QStringLiteral("the reload never started: ") + cli.output()));

        cli.sendSignal(SIGINT);
        QVERIFY2(cli.waitForOutput(QStringLiteral("interrupted: waiting for the change under way to finish"), 30000),
                 qPrintable(cli.output()));
        QCOMPARE(cli.process.state(), QProcess::Running); // it waits; it does not report yet
        QVERIFY2(cli.err.isEmpty(), cli.err.constData());

        ::close(writer);
        writer = -1;
        QVERIFY2(cli.waitForExit(30000), qPrintable(cli.output()));
        QCOMPARE(cli.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.process.exitCode(), 2);
        const QString err = QString::fromUtf8(cli.err);
        QVERIFY2(err.count(QLatin1Char('\n')) == 1, qPrintable(err));
        QVERIFY2(err.startsWith(QStringLiteral("switchboard: interrupted: rollout paused at step 1")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("traffic left at canary 5%")), qPrintable(err));
        const QString out = QString::fromUtf8(cli.out);
        QVERIFY2(out.contains(QStringLiteral("canary at 5%")), qPrintable(out)); // the result was seen...
        QVERIFY2(!out.contains(QStringLiteral("step 2/3")), qPrintable(out)); // ...and the plan did not go on

        // What the message says is what the traffic layer holds...
        const Run status = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"),
                                QStringLiteral("--config"), dir});
        QCOMPARE(status.code, 0);
        QVERIFY2(status.out.contains(QStringLiteral("canary 5.0%")), qPrintable(status.out));
        // ...and the change that landed after Ctrl-C is in the audit log.
        const QJsonObject last = lastAuditEntry();
        QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("set-weight"));
        QCOMPARE(last.value(QStringLiteral("canaryPercent")).toDouble(), 5.0);
        QCOMPARE(last.value(QStringLiteral("result")).toString(), QStringLiteral("applied"));
    }

    QStringList auditActions() const
    {
        QFile audit(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")));
        QStringList actions;
        if (audit.open(QIODevice::ReadOnly))
            for (const QByteArray &line : audit.readAll().trimmed().split('\n'))
                actions.append(QJsonDocument::fromJson(line).object().value(QStringLiteral("action")).toString());
        return actions;
    }

    void rollbackGraduallyStepsBack()
    {
        const QString dir = writeConfig(R"({"targets":[{"name":"shop","kind":"sim","pollMs":100,"sim":{"initialCanaryPercent":40}}]})");
        const qsizetype before = auditActions().size();
        const Run r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--gradual"),
                           QStringLiteral("--steps"), QStringLiteral("20,10,0"), QStringLiteral("--hold-ms"), QStringLiteral("300"),
                           QStringLiteral("--config"), dir});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("gradual rollback: canary at 20%")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("gradual rollback: canary at 10%")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("shop: rolled back: canary at 0% in 3 step(s)")), qPrintable(r.out));
        // Each step is on the record; the last one is a rollback like any other.
        QCOMPARE(auditActions().mid(before), (QStringList{QStringLiteral("rollback-step"), QStringLiteral("rollback-step"),
                                                          QStringLiteral("rollback")}));
    }

    void rollbackGraduallyGoesStraightToZeroOnABreach()
    {
        const QString dir = writeConfig(R"({"targets":[{"name":"shop","kind":"sim","pollMs":100,
            "sim":{"initialCanaryPercent":40,"canaryErrorRatio":0.3},
            "verdict":{"gates":[{"name":"err","metric":"errorRatio","max":0.05}]}}]})");
        const Run r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--gradual"),
                           QStringLiteral("--hold-ms"), QStringLiteral("60000"), QStringLiteral("--config"), dir}, 30000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("gate err FAIL")) && r.out.contains(QStringLiteral("straight to 0%")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral("canary at 10%")), qPrintable(r.out)); // no second step
        QCOMPARE(lastAuditEntry().value(QStringLiteral("action")).toString(), QStringLiteral("rollback"));
        QCOMPARE(lastAuditEntry().value(QStringLiteral("after")).toObject().value(QStringLiteral("app-v2-a")).toInt(), 0);
    }

    void rollbackFlagsAreChecked()
    {
        const QString dir = writeConfig(R"({"targets":[{"name":"shop","kind":"sim","sim":{"initialCanaryPercent":40}}]})");
        Run r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--steps"),
                     QStringLiteral("20,0"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("go with rollback --gradual")), qPrintable(r.err));
        r = run({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--gradual"),
                 QStringLiteral("--steps"), QStringLiteral("10,20"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: --steps: must go down")), qPrintable(r.err));
    }

    void statusJsonHasTheVerdict_data()
    {
        QTest::addColumn<QByteArray>("sim");
        QTest::addColumn<QString>("state"); // empty: null
        QTest::addColumn<QString>("note");
        QTest::newRow("healthy canary") << QByteArray(R"({"initialCanaryPercent":25})") << QStringLiteral("healthy") << QString();
        QTest::newRow("failing canary") << QByteArray(R"({"initialCanaryPercent":25,"canaryErrorRatio":0.047,"stableErrorRatio":0.0024})")
                                        << QStringLiteral("failing") << QString();
        QTest::newRow("no canary traffic") << QByteArray(R"({"initialCanaryPercent":0})") << QString()
                                           << QStringLiteral("verdict: the canary gets no traffic");
    }
    void statusJsonHasTheVerdict()
    {
        QFETCH(QByteArray, sim);
        QFETCH(QString, state);
        QFETCH(QString, note);
        // Staleness has tests of its own: here a reading must not turn stale (verdict null) while
        // a loaded machine runs the CLI (seen once under ASan in a parallel ctest).
        const QString dir = writeConfig(R"({"targets":[{"name":"shop","kind":"sim","staleAfterMs":60000,"sim":)" + sim + "}]}");
        const Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--json"),
                           QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(o.contains(QStringLiteral("verdict")), qPrintable(r.out));
        if (state.isEmpty()) {
            QVERIFY(o.value(QStringLiteral("verdict")).isNull());
            QVERIFY2(o.value(QStringLiteral("note")).toString().contains(note), qPrintable(r.out));
            return;
        }
        const QJsonObject v = o.value(QStringLiteral("verdict")).toObject();
        QCOMPARE(v.value(QStringLiteral("state")).toString(), state);
        const QJsonObject errorGate = v.value(QStringLiteral("gates")).toArray().at(0).toObject();
        QCOMPARE(errorGate.value(QStringLiteral("gate")).toString(), QStringLiteral("error-ratio"));
        const QJsonObject stats = errorGate.value(QStringLiteral("stats")).toObject();
        QVERIFY2(stats.value(QStringLiteral("pValue")).isDouble(), qPrintable(r.out));
        if (state == QStringLiteral("failing"))
            QVERIFY2(stats.value(QStringLiteral("pValue")).toDouble() < 1e-6, qPrintable(r.out));
        // The contract's fields are all still there.
        for (const char *key : {"target", "kind", "split", "members", "health", "dataAgeMs"})
            QVERIFY(o.contains(QLatin1String(key)));
    }

    void brokenConfigIsReportedAndUntouched()
    {
        const QByteArray broken("{\n  \"targets\": [\n    {\"name\": \"shop\" \"kind\": \"sim\"}\n  ]\n}\n");
        const QString dir = writeConfig(broken);
        const Run r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(dir + QStringLiteral("/targets.json: line 3")), qPrintable(r.err));
        // The GUI falls back to the simulator and says why; the file stays as it was.
        const QString shot = m_home.filePath(QStringLiteral("fallback.png"));
        const Run gui = run({QStringLiteral("--config"), dir, QStringLiteral("--screenshot"), shot, QStringLiteral("--after-ms"),
                             QStringLiteral("300")});
        QCOMPARE(gui.code, 0);
        QVERIFY(gui.err.contains(QStringLiteral("line 3")));
        QVERIFY(gui.err.contains(QStringLiteral("falling back to the built-in simulator")));
        QFile f(dir + QStringLiteral("/targets.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), broken);
    }

    void screenshotWritesPicture()
    {
        const QString shot = m_home.filePath(QStringLiteral("shot.png"));
        const Run r = run({QStringLiteral("--demo"), QStringLiteral("--screenshot"), shot, QStringLiteral("--after-ms"),
                           QStringLiteral("1500")});
        QCOMPARE(r.code, 0);
        const QImage img(shot);
        QVERIFY(!img.isNull());
        QVERIFY(img.width() >= 800 && img.height() >= 600);
        // The split bar's blue and amber are in the picture: it shows a split, not an empty window.
        bool blue = false;
        bool amber = false;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width(); x += 4) {
                const QRgb p = img.pixel(x, y);
                blue |= p == qRgb(0x2f, 0x6f, 0xde);
                amber |= p == qRgb(0xe8, 0x9a, 0x0c);
            }
        QVERIFY(blue);
        QVERIFY(amber);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
