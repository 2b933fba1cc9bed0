// bench_promrange [RUNS] — fetch + parse of one big range query (1,000 series x 1,000 points)
// with PrometheusClient (which parses the answer while it arrives), side by side with Debian's
// `promtool query range` and a bare `curl` fetch of the same query, and their ratio. The curl
// fetches take turns with PrometheusClient's runs, and the ratio is also given per pair.
//
// The bench starts its own Prometheus on a free loopback port with a temporary data folder that
// it backfills first: it writes the series as OpenMetrics text and runs
// `promtool tsdb create-blocks-from openmetrics` into the data folder. Needs prometheus and
// promtool; /usr/bin/time (package "time") for promtool's peak memory.
// Prints a table: method, runs, median ms, max RSS MiB (whole process peak during the runs).

#include "prometheusclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <malloc.h>

using namespace Switchboard;

namespace {

constexpr int kSeries = 1000;
constexpr int kPoints = 1000;

// Kernel counters of this process, in KiB.
qint64 procStatusKiB(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so each run's peak is its own.
void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    if (v.isEmpty())
        return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

bool run(const QString &program, const QStringList &args, QString *output, int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        *output = QStringLiteral("timed out");
        return false;
    }
    *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

struct Row
{
    QString method;
    int runs = 0;
    double medianMs = 0;
    double maxRssMiB = -1;
    QString note;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 5;
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    const QString timeTool = QFile::exists(QStringLiteral("/usr/bin/time")) ? QStringLiteral("/usr/bin/time") : QString();
    if (prometheus.isEmpty() || promtool.isEmpty()) {
        std::fprintf(stderr, "bench_promrange: needs prometheus and promtool (Debian package prometheus)\n");
        return 2;
    }
    QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/sb-bench-prom-XXXXXX"));
    if (!tmp.isValid())
        return 2;

    // --- backfill: OpenMetrics text, then promtool into the TSDB folder --------------------
    // Two hours back, on whole seconds: old enough to sit in a finished block, well inside the
    // default 15-day retention.
    const qint64 t0 = (QDateTime::currentSecsSinceEpoch() / 3600) * 3600 - 2 * 3600;
    const QString om = tmp.filePath(QStringLiteral("bench.om"));
    QElapsedTimer timer;
    timer.start();
    {
        std::ofstream out(QFile::encodeName(om).toStdString());
        out << "# HELP bench_series Synthetic series for the range query bench.\n# TYPE bench_series gauge\n";
        for (int s = 0; s < kSeries; ++s) {
            for (int p = 0; p < kPoints; ++p)
                out << "bench_series{series=\"" << s << "\"} " << ((s * 7 + p) % 1000) / 10.0 << ' ' << t0 + p << '\n';
        }
        out << "# EOF\n";
    }
    std::printf("wrote %d x %d samples as OpenMetrics (%.0f MB) in %lld ms\n", kSeries, kPoints, QFileInfo(om).size() / 1e6,
                timer.elapsed());
    const QString data = tmp.filePath(QStringLiteral("data"));
    QDir().mkpath(data);
    QString out;
    timer.restart();
    if (!run(promtool, {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"), QStringLiteral("openmetrics"), om, data}, &out)) {
        std::fprintf(stderr, "promtool backfill failed:\n%s\n", qPrintable(out));
        return 1;
    }
    std::printf("promtool tsdb create-blocks-from openmetrics: %lld ms\n", timer.elapsed());
    QFile::remove(om);

    // --- Prometheus on a free port -----------------------------------------------------------
    const QString config = tmp.filePath(QStringLiteral("prometheus.yml"));
    {
        QFile f(config);
        if (!f.open(QIODevice::WriteOnly))
            return 2;
        f.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n");
    }
    const int port = freePort();
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    QProcess server;
    server.setStandardOutputFile(tmp.filePath(QStringLiteral("prometheus.log")));
    server.setStandardErrorFile(tmp.filePath(QStringLiteral("prometheus.log")));
    server.start(prometheus, {QStringLiteral("--config.file=") + config, QStringLiteral("--storage.tsdb.path=") + data,
                              QStringLiteral("--storage.tsdb.retention.time=30d"),
                              QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)});
    if (!server.waitForStarted(5000))
        return 1;
    auto stopServer = [&server] {
        server.terminate();
        if (!server.waitForFinished(10000)) {
            server.kill();
            server.waitForFinished();
        }
    };

    PrometheusClient::Settings settings;
    settings.url = url;
    settings.timeoutMs = 120000;
    settings.retries = 0;
    PrometheusClient client(settings);
    const QString query = QStringLiteral("bench_series");
    const qint64 startMs = t0 * 1000;
    const qint64 endMs = (t0 + kPoints - 1) * 1000;
    // Ready when every backfilled series answers (the blocks load at start-up).
    timer.restart();
    bool ready = false;
    while (timer.elapsed() < 60000 && !ready) {
        const PrometheusClient::Reply r = client.query(QStringLiteral("count(bench_series)"), endMs);
        ready = r.ok() && r.response.series.size() == 1 && r.response.series[0].samples[0].value == kSeries;
        if (!ready)
            QThread::msleep(250);
    }
    if (!ready) {
        std::fprintf(stderr, "Prometheus on %s did not serve the backfilled series within 60 s (log: %s)\n", qPrintable(url),
                     qPrintable(tmp.filePath(QStringLiteral("prometheus.log"))));
        tmp.setAutoRemove(false);
        stopServer();
        return 1;
    }
    std::printf("Prometheus ready with the backfill in %lld ms; query_range %s, %d series x %d points, step 1s\n\n",
                timer.elapsed(), qPrintable(query), kSeries, kPoints);

    QList<Row> rows;

    // --- external tools: wall clock via QProcess, peak RSS via /usr/bin/time ------------------
    // One run; false (said on stderr) when the tool failed.
    auto runExternal = [&](const QString &method, const QString &program, const QStringList &args, QList<double> *wall,
                           double *peak) {
        QProcess p;
        p.setStandardOutputFile(QProcess::nullDevice());
        const QString timeFile = tmp.filePath(QStringLiteral("time.txt"));
        QElapsedTimer t;
        t.start();
        if (!timeTool.isEmpty())
            p.start(timeTool, QStringList{QStringLiteral("-f"), QStringLiteral("%M"), QStringLiteral("-o"), timeFile, program} + args);
        else
            p.start(program, args);
        p.waitForFinished(300000);
        wall->append(double(t.nsecsElapsed()) / 1e6);
        if (p.exitCode() != 0) {
            std::fprintf(stderr, "%s failed: %s\n", qPrintable(method), p.readAllStandardError().constData());
            return false;
        }
        QFile f(timeFile);
        if (f.open(QIODevice::ReadOnly))
            *peak = std::max(*peak, f.readAll().trimmed().split('\n').last().toDouble() / 1024.0);
        return true;
    };
    auto external = [&](const QString &method, const QString &program, const QStringList &args, const QString &note) {
        QList<double> wall;
        double peak = -1;
        for (int i = 0; i < runs; ++i)
            if (!runExternal(method, program, args, &wall, &peak))
                return;
        rows.append({method, runs, median(wall), peak, note});
    };
    const QString start = QString::number(t0);
    const QString end = QString::number(t0 + kPoints - 1);
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    const QString curlMethod = QStringLiteral("curl CLI, fetch only (baseline)");
    const QStringList curlArgs{QStringLiteral("-sf"), QStringLiteral("--compressed"), url + QStringLiteral("/api/v1/query_range"),
                               QStringLiteral("--data-urlencode"), QStringLiteral("query=") + query, QStringLiteral("-d"),
                               QStringLiteral("start=") + start, QStringLiteral("-d"), QStringLiteral("end=") + end,
                               QStringLiteral("-d"), QStringLiteral("step=1"), QStringLiteral("-G")};
    QList<double> curlWall;
    double curlPeak = -1;
    bool curlOk = !curl.isEmpty();

    // --- PrometheusClient: fetch + parse, each run paired with a curl fetch ------------------
    // The two take turns (in alternating order), so a change of pace on the machine or in
    // Prometheus during the runs falls on both alike; the ratio is also given per pair.
    QList<double> pairRatios;
    {
        QList<double> wall, transfer, parse;
        qint64 peakKiB = 0;
        qint64 baseKiB = 0;
        for (int i = 0; i < runs; ++i) {
            if (curlOk && i % 2 == 1)
                curlOk = runExternal(curlMethod, curl, curlArgs, &curlWall, &curlPeak);
            // Hand the previous run's freed heap back to the kernel, then restart the peak
            // counter: each run's peak is its own, not glibc's cached arenas.
            malloc_trim(0);
            resetPeakRss();
            baseKiB = std::max(baseKiB, procStatusKiB("VmRSS"));
            QElapsedTimer t;
            t.start();
            {
                const PrometheusClient::Reply r = client.queryRange(query, startMs, endMs, 1000);
                wall.append(double(t.nsecsElapsed()) / 1e6);
                if (!r.ok()) {
                    std::fprintf(stderr, "query failed: %s\n", qPrintable(r.error));
                    stopServer();
                    return 1;
                }
                std::size_t points = 0;
                for (const PromSeries &s : r.response.series)
                    points += s.samples.size();
                if (r.response.series.size() != std::size_t(kSeries) || points != std::size_t(kSeries) * kPoints) {
                    std::fprintf(stderr, "unexpected answer: %zu series, %zu points\n", r.response.series.size(), points);
                    stopServer();
                    return 1;
                }
                transfer.append(r.transferMs);
                parse.append(r.parseMs);
            }
            peakKiB = std::max(peakKiB, procStatusKiB("VmHWM"));
            if (curlOk && i % 2 == 0)
                curlOk = runExternal(curlMethod, curl, curlArgs, &curlWall, &curlPeak);
            if (curlOk && curlWall.size() == wall.size())
                pairRatios.append(wall.constLast() / curlWall.constLast());
        }
        rows.append({QStringLiteral("PrometheusClient (libcurl + parse)"), runs, median(wall), peakKiB / 1024.0,
                     QStringLiteral("transfer %1 ms + parse %2 ms; RSS before a run %3 MiB")
                         .arg(median(transfer), 0, 'f', 0)
                         .arg(median(parse), 0, 'f', 0)
                         .arg(baseKiB / 1024.0, 0, 'f', 0)});
    }

    external(QStringLiteral("promtool query range -o json"), promtool,
             {QStringLiteral("query"), QStringLiteral("range"), QStringLiteral("-o"), QStringLiteral("json"),
              QStringLiteral("--start=") + start, QStringLiteral("--end=") + end, QStringLiteral("--step=1s"), url, query},
             QStringLiteral("Go client; decodes and prints the JSON again (to /dev/null)"));
    external(QStringLiteral("promtool query range (promql text)"), promtool,
             {QStringLiteral("query"), QStringLiteral("range"), QStringLiteral("--start=") + start, QStringLiteral("--end=") + end,
              QStringLiteral("--step=1s"), url, query},
             QStringLiteral("default output format"));
    if (curlOk && !curlWall.isEmpty())
        rows.append({curlMethod, int(curlWall.size()), median(curlWall), curlPeak,
                     QStringLiteral("no parsing: the floor for any client; run in turn with PrometheusClient")});
    stopServer();

    std::printf("%-38s %5s %10s %12s  %s\n", "method", "runs", "median ms", "max RSS MiB", "notes");
    for (const Row &r : std::as_const(rows)) {
        const QString rss = r.maxRssMiB < 0 ? QStringLiteral("n/a") : QString::number(r.maxRssMiB, 'f', 1);
        std::printf("%-38s %5d %10.0f %12s  %s\n", qPrintable(r.method), r.runs, r.medianMs, qPrintable(rss), qPrintable(r.note));
    }
    if (timeTool.isEmpty())
        std::printf("(install the \"time\" package for the external tools' peak memory)\n");
    if (rows.size() >= 2 && rows.constLast().method.startsWith(QLatin1String("curl")) && rows.constLast().medianMs > 0)
        std::printf("\nPrometheusClient (fetch + parse while it arrives) / curl fetch only: %.2fx of the medians, "
                    "%.2fx median of the %lld pairs (min %.2fx, max %.2fx)\n",
                    rows.constFirst().medianMs / rows.constLast().medianMs, median(pairRatios), qint64(pairRatios.size()),
                    *std::min_element(pairRatios.cbegin(), pairRatios.cend()), *std::max_element(pairRatios.cbegin(), pairRatios.cend()));
    return 0;
}
