// `switchboard status` as scripts read it (issue 11): every part of the data judged on its own
// age (stale metrics behind a fresh split), a reason for every unknown value, a wait that
// covers the target's Prometheus timeouts and retries, a target's own error when it cannot be
// built, and --help/--version with no display at all.
#include "clirunner.h"
#include "stubprometheus.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

// The queries of the test's targets: no {{version}}, so each is run once and its series are
// told apart by the "version" label. p95 is switched off.
const QJsonObject kQueries{{QStringLiteral("rps"), QStringLiteral("q_rps")},       {QStringLiteral("errorRatio"), QStringLiteral("q_err")},
                           {QStringLiteral("p50"), QStringLiteral("q_p50")},       {QStringLiteral("p95"), QString()},
                           {QStringLiteral("p99"), QStringLiteral("q_p99")},       {QStringLiteral("sampleTime"), QStringLiteral("q_time")}};

double nowSec()
{
    return double(QDateTime::currentMSecsSinceEpoch()) / 1000;
}

// Healthy answers for both versions; `sampleAgeSec`: how old the newest scraped sample is.
QByteArray healthy(const QString &promql, double sampleAgeSec = 0)
{
    const double t = nowSec();
    const QString value = promql == QStringLiteral("q_rps") ? QStringLiteral("100")
                        : promql == QStringLiteral("q_err") ? QStringLiteral("0.01")
                        : promql == QStringLiteral("q_p50") ? QStringLiteral("5")
                        : promql == QStringLiteral("q_p99") ? QStringLiteral("20")
                                                            : QString::number(t - sampleAgeSec, 'f', 3);
    return StubPrometheus::vector({{QStringLiteral("v1"), value}, {QStringLiteral("v2"), value}}, t);
}

} // namespace

class TestCliStatus : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    int m_configs = 0;

    CliRunner::Result run(const QStringList &args, int timeoutMs = 60000)
    {
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(args, timeoutMs);
    }

    QString writeConfig(const QJsonObject &target)
    {
        const QString dir = m_home.filePath(QStringLiteral("cfg-%1").arg(++m_configs));
        QDir().mkpath(dir);
        QFile f(dir + QStringLiteral("/targets.json"));
        f.open(QIODevice::WriteOnly);
        const QJsonArray targets = target.contains(QStringLiteral("targets")) ? target.value(QStringLiteral("targets")).toArray()
                                                                                : QJsonArray{target};
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("targets"), targets}}).toJson());
        return dir;
    }

    // A simulated traffic layer with its metrics from `prometheus` (whatever the kind, a
    // "prometheus" object makes Prometheus the metrics layer).
    static QJsonObject simWithPrometheus(const StubPrometheus &prometheus, const QJsonObject &extra = {})
    {
        QJsonObject p{{QStringLiteral("url"), prometheus.url()}, {QStringLiteral("stableLabel"), QStringLiteral("v1")},
                      {QStringLiteral("canaryLabel"), QStringLiteral("v2")}, {QStringLiteral("queries"), kQueries}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            p.insert(it.key(), it.value());
        return {{QStringLiteral("name"), QStringLiteral("shop")}, {QStringLiteral("kind"), QStringLiteral("sim")},
                {QStringLiteral("sim"), QJsonObject{{QStringLiteral("initialCanaryPercent"), 25}}},
                {QStringLiteral("prometheus"), p}};
    }

    QJsonObject statusJson(const QString &dir, const QStringList &more = {}, CliRunner::Result *result = nullptr)
    {
        const CliRunner::Result r = run(QStringList{QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"),
                                                    QStringLiteral("--json"), QStringLiteral("--config"), dir} + more);
        if (result)
            *result = r;
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &err).object();
        if (r.code != 0 || err.error != QJsonParseError::NoError)
            qWarning("status: exit %d: %s %s", r.code, qPrintable(r.out), qPrintable(r.err));
        return o;
    }

    static QJsonObject health(const QJsonObject &status, const char *version)
    {
        return status.value(QStringLiteral("health")).toObject().value(QLatin1String(version)).toObject();
    }

private slots:
    // Samples an hour old behind a split read just now: dataAgeMs (the newest of all) stays
    // small, so each version says its own age, and "stale" and the note say what is old.
    void staleMetricsAreMarked()
    {
        StubPrometheus prometheus([](const QString &q) { return healthy(q, 3600); });
        const QJsonObject o = statusJson(writeConfig(simWithPrometheus(prometheus)));
        QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("shop"));
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 25.0);
        QVERIFY2(o.value(QStringLiteral("dataAgeMs")).toInteger() < 5000, QJsonDocument(o).toJson().constData()); // kept as it was
        QCOMPARE(o.value(QStringLiteral("stale")).toBool(true), true);
        for (const char *v : {"stable", "canary"}) {
            const QJsonObject h = health(o, v);
            QCOMPARE(h.value(QStringLiteral("rps")).toDouble(), 100.0);
            QVERIFY2(h.value(QStringLiteral("ageMs")).toInteger() > 3590000, v);
            QVERIFY2(h.value(QStringLiteral("ageMs")).toInteger() < 3700000, v);
        }
        const QString note = o.value(QStringLiteral("note")).toString();
        QVERIFY2(note.contains(QStringLiteral("stale: stable health")), qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("canary health")), qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("staleAfterMs is 5000 ms")), qPrintable(note));
    }

    void freshMetricsAreNotStale()
    {
        StubPrometheus prometheus([](const QString &q) { return healthy(q, 0); });
        const QJsonObject o = statusJson(writeConfig(simWithPrometheus(prometheus)));
        QCOMPARE(o.value(QStringLiteral("stale")).toBool(true), false);
        for (const char *v : {"stable", "canary"}) {
            QVERIFY2(health(o, v).value(QStringLiteral("ageMs")).isDouble(), v);
            QVERIFY2(health(o, v).value(QStringLiteral("ageMs")).toInteger() < 5000, v);
        }
        QVERIFY(!o.value(QStringLiteral("note")).toString().contains(QStringLiteral("stale")));
        // p95 is switched off in the target's queries: unknown, and the note says so.
        QVERIFY(health(o, "canary").value(QStringLiteral("p95Ms")).isNull());
        QVERIFY2(o.value(QStringLiteral("note")).toString().contains(QStringLiteral("canary p95Ms: not queried (prometheus.queries.p95 is empty)")),
                 qPrintable(o.value(QStringLiteral("note")).toString()));
    }

    // An empty answer for one version and a NaN for another: null, each with its reason.
    void emptyAndNaNAnswersSayWhy()
    {
        StubPrometheus prometheus([](const QString &q) {
            if (q == QStringLiteral("q_p99")) // no canary series at all
                return StubPrometheus::vector({{QStringLiteral("v1"), QStringLiteral("20")}}, nowSec());
            if (q == QStringLiteral("q_err"))
                return StubPrometheus::vector({{QStringLiteral("v1"), QStringLiteral("0.01")}, {QStringLiteral("v2"), QStringLiteral("NaN")}},
                                              nowSec());
            return healthy(q);
        });
        const QJsonObject o = statusJson(writeConfig(simWithPrometheus(prometheus)));
        QCOMPARE(health(o, "stable").value(QStringLiteral("p99Ms")).toDouble(), 20.0);
        QVERIFY(health(o, "canary").value(QStringLiteral("p99Ms")).isNull());
        QVERIFY(health(o, "canary").value(QStringLiteral("errorRatio")).isNull());
        QVERIFY2(!o.contains(QStringLiteral("metricsError")), qPrintable(o.value(QStringLiteral("metricsError")).toString()));
        const QString note = o.value(QStringLiteral("note")).toString();
        QVERIFY2(note.contains(QStringLiteral("canary errorRatio, p99Ms: no samples (the query returned an empty result, NaN or Inf)")),
                 qPrintable(note));
        QVERIFY2(!note.contains(QStringLiteral("stable errorRatio")), qPrintable(note));
    }

    // A Prometheus that never answers, with a timeout longer than the CLI's old fixed wait
    // (10 s): the CLI waits for the client to give up, so the answer carries the client's
    // error instead of nulls without a word.
    void slowPrometheusGivesAnErrorNotSilentNulls()
    {
        StubPrometheus prometheus([](const QString &) { return QByteArray(); });
        const QString dir = writeConfig(simWithPrometheus(prometheus, {{QStringLiteral("connectTimeoutMs"), 500},
                                                                        {QStringLiteral("timeoutMs"), 10500},
                                                                        {QStringLiteral("retries"), 0}}));
        QElapsedTimer took;
        took.start();
        const QJsonObject o = statusJson(dir);
        QVERIFY(took.elapsed() > 10000);
        QVERIFY(health(o, "canary").value(QStringLiteral("rps")).isNull());
        const QString error = o.value(QStringLiteral("metricsError")).toString();
        QVERIFY2(error.contains(QStringLiteral("rps query")), QJsonDocument(o).toJson().constData());
        QVERIFY2(error.contains(QStringLiteral("within 10.5 s")), qPrintable(error));
        QCOMPARE(prometheus.requests(), 1);
    }

    // An explicit --timeout-ms still wins; then the answer says the metrics layer was late.
    void explicitTimeoutWinsAndIsNamed()
    {
        StubPrometheus prometheus([](const QString &) { return QByteArray(); });
        const QString dir = writeConfig(simWithPrometheus(prometheus, {{QStringLiteral("timeoutMs"), 2000}, {QStringLiteral("retries"), 0}}));
        const QJsonObject o = statusJson(dir, {QStringLiteral("--timeout-ms"), QStringLiteral("800")});
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 25.0);
        QVERIFY(health(o, "stable").value(QStringLiteral("rps")).isNull());
        QCOMPARE(o.value(QStringLiteral("metricsError")).toString(), QStringLiteral("metrics layer did not answer within 800 ms"));
    }

    void noMetricsLayerIsNamed()
    {
        QTemporaryDir files;
        const QString upstream = files.filePath(QStringLiteral("upstream.conf"));
        QFile f(upstream);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("upstream shop {\n    server 127.0.0.1:8001 weight=75;\n    server 127.0.0.1:8002 weight=25;\n}\n");
        f.close();
        const QJsonObject nginx{{QStringLiteral("upstreamFile"), upstream},
                                {QStringLiteral("upstream"), QStringLiteral("shop")},
                                {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:8001")}},
                                {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:8002")}}};
        const QJsonObject o = statusJson(writeConfig({{QStringLiteral("name"), QStringLiteral("shop")},
                                                      {QStringLiteral("kind"), QStringLiteral("nginx")},
                                                      {QStringLiteral("nginx"), nginx}}));
        QCOMPARE(o.value(QStringLiteral("split")).toObject().value(QStringLiteral("canary")).toDouble(), 25.0);
        QVERIFY(health(o, "canary").value(QStringLiteral("rps")).isNull());
        QVERIFY(health(o, "canary").value(QStringLiteral("ageMs")).isNull());
        QCOMPARE(o.value(QStringLiteral("stale")).toBool(true), false);
        QVERIFY2(o.value(QStringLiteral("note")).toString().contains(QStringLiteral("no metrics layer configured for this target")),
                 QJsonDocument(o).toJson().constData());
    }

    // The simulator with no canary traffic: its unknown values are explained by the zero rate.
    void noTrafficIsTheReason()
    {
        const QJsonObject o = statusJson(writeConfig({{QStringLiteral("name"), QStringLiteral("shop")},
                                                      {QStringLiteral("kind"), QStringLiteral("sim")},
                                                      {QStringLiteral("sim"), QJsonObject{{QStringLiteral("initialCanaryPercent"), 0}}}}));
        QVERIFY(health(o, "canary").value(QStringLiteral("errorRatio")).isNull());
        const QString note = o.value(QStringLiteral("note")).toString();
        QVERIFY2(note.contains(QStringLiteral("canary errorRatio")) && note.contains(QStringLiteral("no requests (rps 0)")), qPrintable(note));
        QCOMPARE(o.value(QStringLiteral("stale")).toBool(true), false);
    }

    // A target that is in targets.json but cannot be built is named with its own error, even
    // when the other targets are fine (they used to hide it behind "no target named").
    void unusableTargetSaysWhy()
    {
        StubPrometheus prometheus([](const QString &q) { return healthy(q); });
        QJsonObject broken = simWithPrometheus(prometheus, {{QStringLiteral("retries"), 99}});
        broken.insert(QStringLiteral("name"), QStringLiteral("broken"));
        const QJsonObject fine{{QStringLiteral("name"), QStringLiteral("shop")}, {QStringLiteral("kind"), QStringLiteral("sim")}};
        const QString dir = writeConfig({{QStringLiteral("targets"), QJsonArray{fine, broken}}});
        const CliRunner::Result r = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("broken"),
                                         QStringLiteral("--config"), dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: target \"broken\"")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("retries")), qPrintable(r.err));
        QVERIFY2(r.err.contains(dir), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("no target named")), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        // The other target still works, and a name in no file still gets the old answer.
        QCOMPARE(run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--config"), dir}).code, 0);
        const CliRunner::Result missing = run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("nope"),
                                               QStringLiteral("--config"), dir});
        QCOMPARE(missing.code, 2);
        QVERIFY(missing.err.contains(QStringLiteral("no target named \"nope\"")));
    }

    // Over ssh, in CI or a container there is no display and no platform plugin chosen.
    void helpAndVersionNeedNoDisplay_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("--screenshot");
        QTest::newRow("-h") << QStringLiteral("-h") << QStringLiteral("set-weight");
        QTest::newRow("--version") << QStringLiteral("--version") << QStringLiteral("switchboard 0.");
    }
    void helpAndVersionNeedNoDisplay()
    {
        QFETCH(QString, flag);
        QFETCH(QString, expected);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QLatin1String(name));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(SWITCHBOARD_BINARY), {flag});
        QVERIFY(p.waitForFinished(30000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, qPrintable(out + QString::fromUtf8(p.readAllStandardError())));
        QVERIFY2(out.contains(expected), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestCliStatus)
#include "tst_cli_status.moc"
