// How fast does a rollback reach HAProxy? Starts the lab, then per method alternates a 50%
// canary with a rollback (100% stable) and times each rollback from the call to the moment
// HAProxy's runtime API reports the rollback weights (this program polls `get weight` in a tight
// loop on a persistent interactive session of its own on the admin TCP socket). Methods, in the
// same run:
//   - switchboard: TargetController::rollback through BackendHost and HaproxyTrafficBackend
//     (both lab endpoints, unix + tcp, as targets.json has them; and tcp only): persistent
//     sessions, one round trip per endpoint, all endpoints at once;
//   - connect per change, in process: HaproxyRuntime (a connection per command line, what
//     Switchboard did before its sessions), the three `set weight` on one line;
//   - by hand: a new bash per change writing the three `set weight` commands to the TCP socket
//     (`exec 3<>/dev/tcp/...`), what an operator's script without socat would do.
//
// Usage: bench_rollback [CHANGES]   (default 1000 rollbacks per method)

#include "backendfactory.h"
#include "eventlogmodel.h"
#include "haproxyruntime.h"
#include "haproxysession.h"
#include "labfixture.h"
#include "targetcontroller.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

using namespace Switchboard;

namespace {

const QString rollbackLine = QStringLiteral("set weight shop/shop-v2-a 0; set weight shop/shop-v1-a 256; set weight shop/shop-v1-b 256");
const QString halfLine = QStringLiteral("set weight shop/shop-v1-a 128; set weight shop/shop-v1-b 128; set weight shop/shop-v2-a 256");

struct Row
{
    QString method;
    QList<double> ms;
    int failures = 0;
};

// Polls until HAProxy reports the rollback weights; false after 5 s. Between two polls the
// watcher sleeps 50 µs: on two cores a watcher that never yields competes with HAProxy and
// with the thread under test for the CPU, and the scheduler's time slices (milliseconds) then
// show up in the figures of every method. The same watch times every method.
bool waitForRollback(HaproxySession &poll)
{
    QElapsedTimer t;
    t.start();
    const QStringList cmds{QStringLiteral("get weight shop/shop-v2-a"), QStringLiteral("get weight shop/shop-v1-a"),
                           QStringLiteral("get weight shop/shop-v1-b")};
    while (t.elapsed() < 5000) {
        QStringList a;
        QString error;
        if (!poll.execute(cmds, &a, &error))
            continue;
        int w[3] = {-1, -1, -1};
        for (int i = 0; i < 3; ++i)
            HaproxyRuntime::parseWeightAnswer(a.at(i), &w[i]);
        if (w[0] == 0 && w[1] == 256 && w[2] == 256)
            return true;
        static const long pauseUs = qEnvironmentVariableIntValue("SWITCHBOARD_BENCH_WATCH_US") > 0
                                        ? qEnvironmentVariableIntValue("SWITCHBOARD_BENCH_WATCH_US") : 50;
        const timespec pause{0, pauseUs * 1000};
        nanosleep(&pause, nullptr);
    }
    return false;
}

TargetConfig labTarget(const LabFixture &lab, bool unixToo)
{
    QJsonArray endpoints;
    if (unixToo)
        endpoints.append(QString(QStringLiteral("unix:") + lab.value("ADMIN_SOCK")));
    endpoints.append(QStringLiteral("tcp:127.0.0.1:%1").arg(lab.port("ADMIN_PORT")));
    TargetConfig t;
    t.name = QStringLiteral("lab");
    t.kind = QStringLiteral("haproxy");
    t.pollMs = 600000; // no polling: only the reads the controller does around each change
    t.settings = QJsonObject{{QStringLiteral("haproxy"),
                              QJsonObject{{QStringLiteral("endpoints"), endpoints},
                                          {QStringLiteral("backend"), QStringLiteral("shop")},
                                          {QStringLiteral("stable"), QJsonArray{QStringLiteral("shop-v1-a"), QStringLiteral("shop-v1-b")}},
                                          {QStringLiteral("canary"), QJsonArray{QStringLiteral("shop-v2-a")}}}}};
    return t;
}

// *confirmed (may be null) gets Switchboard's own figure for the same rollbacks: from the call
// to the answers of the round trip that set the weights and read them back (ChangeResult::
// confirmedAfterNs, taken on the traffic thread), which the watch above cannot resolve.
Row viaSwitchboard(const LabFixture &lab, HaproxySession &poll, bool unixToo, int n, Row *confirmed = nullptr)
{
    Row row;
    row.method = unixToo ? QStringLiteral("switchboard rollback (unix+tcp)") : QStringLiteral("switchboard rollback (tcp)");
    const TargetConfig t = labTarget(lab, unixToo);
    QString error;
    std::unique_ptr<BackendHost> host = createBackends(t, &error);
    if (!host) {
        std::fprintf(stderr, "bench_rollback: %s\n", qPrintable(error));
        row.failures = n;
        return row;
    }
    EventLogModel log;
    TargetController c(t, std::move(host), &log, nullptr);
    for (int i = 0; i < n; ++i) {
        {
            QSignalSpy done(&c, &TargetController::actionFinished);
            QSignalSpy read(&c, &TargetController::snapshotChanged);
            c.setCanaryPercent(50, QStringLiteral("bench"), true);
            if (!done.wait(10000) || !done.at(0).at(0).value<ChangeResult>().ok()) {
                ++row.failures;
                continue;
            }
            // The controller reads the weights after every change; the rollback is timed once
            // that read is done, as an operator's would come (not queued behind it).
            if (read.isEmpty() && !read.wait(10000)) {
                ++row.failures;
                continue;
            }
        }
        QSignalSpy done(&c, &TargetController::actionFinished);
        QElapsedTimer timer;
        timer.start();
        c.rollback(QStringLiteral("bench"));
        // This thread blocks while polling; the backend works on its own thread meanwhile.
        const bool seen = waitForRollback(poll);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        const bool finished = done.size() > 0 || done.wait(10000);
        const ChangeResult r = finished ? done.at(0).at(0).value<ChangeResult>() : ChangeResult{};
        if (!seen || !finished || !r.ok()) {
            ++row.failures;
            continue;
        }
        row.ms.append(ms);
        if (confirmed && r.confirmedAfterNs > 0)
            confirmed->ms.append(double(r.confirmedAfterNs) / 1e6);
        else if (confirmed)
            ++confirmed->failures;
    }
    return row;
}

Row connectPerChange(const LabFixture &lab, HaproxySession &poll, int n)
{
    Row row;
    row.method = QStringLiteral("connect per change (HaproxyRuntime)");
    HaproxyEndpoint e;
    QString error;
    HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(lab.port("ADMIN_PORT")), &e, &error);
    const HaproxyRuntime rt(e);
    for (int i = 0; i < n; ++i) {
        QStringList ignored;
        if (!poll.execute({halfLine}, &ignored, &error)) {
            ++row.failures;
            continue;
        }
        QElapsedTimer timer;
        timer.start();
        QString answer;
        const bool sent = rt.execute({rollbackLine}, &answer, &error);
        const bool seen = sent && waitForRollback(poll);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (!seen) {
            ++row.failures;
            continue;
        }
        row.ms.append(ms);
    }
    return row;
}

Row byHand(const LabFixture &lab, HaproxySession &poll, int n)
{
    Row row;
    row.method = QStringLiteral("by hand: bash /dev/tcp per change");
    const QString script = QStringLiteral("exec 3<>/dev/tcp/127.0.0.1/%1; printf '%2\\n' >&3; cat <&3")
                               .arg(lab.port("ADMIN_PORT"))
                               .arg(rollbackLine);
    for (int i = 0; i < n; ++i) {
        QStringList answers;
        QString error;
        if (!poll.execute({halfLine}, &answers, &error)) {
            ++row.failures;
            continue;
        }
        QProcess p;
        QElapsedTimer timer;
        timer.start();
        p.start(QStringLiteral("bash"), {QStringLiteral("-c"), script});
        const bool seen = waitForRollback(poll);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        const bool exited = p.waitForFinished(5000) && p.exitCode() == 0;
        if (!seen || !exited) {
            ++row.failures;
            continue;
        }
        row.ms.append(ms);
    }
    return row;
}

double percentile(QList<double> sorted, double p)
{
    if (sorted.isEmpty())
        return std::nan("");
    const qsizetype i = std::clamp<qsizetype>(qsizetype(std::ceil(p * double(sorted.size()))) - 1, 0, sorted.size() - 1);
    return sorted.at(i);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    registerMetaTypes();
    const int n = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 1000;

    LabFixture lab;
    if (!lab.start()) {
        std::fprintf(stderr, "bench_rollback: %s\n", qPrintable(lab.error()));
        return 2;
    }
    HaproxyEndpoint e;
    QString error;
    HaproxyEndpoint::parse(QStringLiteral("tcp:127.0.0.1:%1").arg(lab.port("ADMIN_PORT")), &e, &error);
    HaproxySession poll(e);
    poll.setFollowReloads(false); // the watch, not a method under test: no `show info` per poll

    std::printf("bench_rollback: %d rollbacks per method (each after a 50%% canary), haproxy lab on loopback\n", n);
    std::fflush(stdout);
    QList<Row> rows;
    rows.append(viaSwitchboard(lab, poll, true, n));
    Row confirmed;
    confirmed.method = QStringLiteral("  same, its own read-back (tcp)");
    rows.append(viaSwitchboard(lab, poll, false, n, &confirmed));
    rows.append(connectPerChange(lab, poll, n));
    rows.append(byHand(lab, poll, n));

    std::printf("\n| %-34s | %5s | %7s | %7s | %7s | %8s |\n", "method", "n", "p50 ms", "p99 ms", "max ms", "failures");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", "------------------------------------", "-------", "---------", "---------",
                "---------", "----------");
    for (Row &r : rows) {
        std::sort(r.ms.begin(), r.ms.end());
        std::printf("| %-34s | %5lld | %7.2f | %7.2f | %7.2f | %8d |\n", qPrintable(r.method), qint64(r.ms.size()),
                    percentile(r.ms, 0.50), percentile(r.ms, 0.99), r.ms.isEmpty() ? std::nan("") : r.ms.constLast(),
                    r.failures);
    }
    const double ours = percentile(rows.at(1).ms, 0.50);
    const double hand = percentile(rows.constLast().ms, 0.50);
    std::printf("\np50: switchboard (tcp) is %.1fx faster than by hand; p99 switchboard (tcp) %.3f ms\n", hand / ours,
                percentile(rows.at(1).ms, 0.99));
    // Not a row of the table: the watch times every method alike; this is what Switchboard itself
    // saw of the same rollbacks, with the watch's resolution (a poll round trip and its pause) left out.
    std::sort(confirmed.ms.begin(), confirmed.ms.end());
    std::printf("switchboard (tcp), from the call to HAProxy's answer to the change's own read-back (the traffic thread's "
                "clock): p50 %.3f ms, p99 %.3f ms, max %.3f ms (%lld of %d)\n",
                percentile(confirmed.ms, 0.50), percentile(confirmed.ms, 0.99),
                confirmed.ms.isEmpty() ? std::nan("") : confirmed.ms.constLast(), qint64(confirmed.ms.size()), n);
    return 0;
}
