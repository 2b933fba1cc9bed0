// The switchboard binary as users script it: verbs, exit codes, JSON, the screenshot option,
// and a broken targets.json that is reported and left alone.
#include "clirunner.h"

#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

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
        // Presets live in the config home (CONTRACTS.md).
        const QString presets = m_home.filePath(QStringLiteral("config/switchboard/presets"));
        QDir().mkpath(presets);
        QFile f(presets + QStringLiteral("/quick.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                "\"failureLimit\":1}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":300,\"intervals\":2}},"
                "{\"setWeight\":50},{\"analysis\":{\"durationMs\":300,\"intervals\":2}},{\"setWeight\":100}]}");
        f.close();
        const Run r = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                           QStringLiteral("quick"), QStringLiteral("--config"), dir});
        QVERIFY2(r.code == exitCode, qPrintable(r.out + r.err));
        const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
        QVERIFY2(lines.size() >= 3, qPrintable(r.out)); // one line per step and gate
        QVERIFY2(lines.constLast().contains(lastLine), qPrintable(r.out));
        if (exitCode == 3) {
            QVERIFY2(r.out.contains(QStringLiteral("errors")), qPrintable(r.out)); // the gate that tripped, with its values
            // The rollback is in the audit log, with the gate as the reason.
            QFile audit(m_home.filePath(QStringLiteral("data/switchboard/audit.jsonl")));
            QVERIFY(audit.open(QIODevice::ReadOnly));
            const QList<QByteArray> entries = audit.readAll().trimmed().split('\n');
            const QJsonObject last = QJsonDocument::fromJson(entries.constLast()).object();
            QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("rollback"));
            QVERIFY(last.value(QStringLiteral("reason")).toString().contains(QStringLiteral("errors")));
        }
        const Run missing = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                                 QStringLiteral("nope"), QStringLiteral("--config"), dir});
        QCOMPARE(missing.code, 2);
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
