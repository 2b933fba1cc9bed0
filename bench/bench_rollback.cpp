// How fast does a rollback reach HAProxy? Starts the lab, then per method alternates a 50%
// canary with a rollback (100% stable) and times each rollback twice over, on two clocks:
//   - its own answer: from the call to the moment the caller holds HAProxy's answer in which
//     HAProxy reports the rollback weights (each method reads them back in the round trip that
//     sets them: Switchboard's `show stat`, the others' `get weight`). Nothing else talks to
//     HAProxy meanwhile; a watch checks afterwards that the weights hold. This is the figure
//     the methods are compared on;
//   - an independent watch: from the call to the moment this program's own session, polling
//     `get weight` in a loop on the admin TCP socket, sees the weights. The same watch for every
//     method, but its resolution (a poll round trip and its pause, some 0.1-0.2 ms) adds to
//     every figure and it races the method under test for two cores; kept as a cross-check.
// Methods, in the same run:
//   - switchboard: TargetController::rollback through BackendHost and HaproxyTrafficBackend
//     (both lab endpoints, unix + tcp, as targets.json has them; and tcp only): persistent
//     sessions, one round trip per endpoint, all endpoints at once; its answer is the
//     controller's actionFinished, back on the calling thread;
//   - connect per change, in process: HaproxyRuntime (a connection per command line, what
//     Switchboard did before its sessions), the three `set weight` and their read-back on one
//     line, on the calling thread (which a GUI must never do);
//   - by hand: a new bash per change writing the same line to the TCP socket
//     (`exec 3<>/dev/tcp/...`), what an operator's script without socat would do, and printing
//     the answer with bash's own `read` (no `cat` to start: the quickest a script gets); its answer
//     is the read-back in bash's output, timed as it comes out (before bash has exited).
//
// Usage: bench_rollback [CHANGES]   (default 1000 rollbacks per method and clock)

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
const QString readBackLine = QStringLiteral("get weight shop/shop-v2-a; get weight shop/shop-v1-a; get weight shop/shop-v1-b");
const QString halfLine = QStringLiteral("set weight shop/shop-v1-a 128; set weight shop/shop-v1-b 128; set weight shop/shop-v2-a 256");

enum class Clock { OwnAnswer, Watch };

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

// True when `answer` (the answers to readBackLine, HAProxy's "0 (initial 256)" lines, perhaps
// after the empty answers of the `set weight` commands) reports the rollback weights.
bool answerShowsRollback(const QString &answer)
{
    QList<int> weights;
    for (const QString &line : answer.split(QLatin1Char('\n'))) {
        int w = -1;
        if (HaproxyRuntime::parseWeightAnswer(line.trimmed(), &w))
            weights.append(w);
    }
    return weights == QList<int>{0, 256, 256};
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

QString clockName(Clock clock)
{
    return clock == Clock::OwnAnswer ? QString() : QStringLiteral(", watched");
}

// *confirmed (may be null) gets Switchboard's own figure for the same rollbacks: from the call
// to the answers of the round trip that set the weights and read them back (ChangeResult::
// confirmedAfterNs, taken on the traffic thread, before the answer travels back).
Row viaSwitchboard(const LabFixture &lab, HaproxySession &poll, bool unixToo, Clock clock, int n, Row *confirmed = nullptr)
{
    Row row;
    row.method = (unixToo ? QStringLiteral("switchboard (unix+tcp%1)") : QStringLiteral("switchboard (tcp%1)")).arg(clockName(clock));
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
    QElapsedTimer timer;
    qint64 answeredNs = -1;
    // Stamped as the answer reaches the calling thread, before anything else looks at it.
    QObject::connect(&c, &TargetController::actionFinished, &c, [&] {
        if (answeredNs < 0)
            answeredNs = timer.nsecsElapsed();
    });
    const QMap<QString, int> rolledBack{{QStringLiteral("shop-v2-a"), 0}, {QStringLiteral("shop-v1-a"), 256}, {QStringLiteral("shop-v1-b"), 256}};
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
        answeredNs = -1;
        timer.start();
        c.rollback(QStringLiteral("bench"));
        double ms = 0;
        bool seen = false;
        if (clock == Clock::Watch) {
            // This thread blocks while polling; the backend works on its own thread meanwhile.
            seen = waitForRollback(poll);
            ms = double(timer.nsecsElapsed()) / 1e6;
        }
        const bool finished = done.size() > 0 || done.wait(10000);
        const ChangeResult r = finished ? done.at(0).at(0).value<ChangeResult>() : ChangeResult{};
        if (clock == Clock::OwnAnswer) {
            ms = double(answeredNs) / 1e6;
            seen = finished && r.after == rolledBack && waitForRollback(poll);
        }
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

Row connectPerChange(const LabFixture &lab, HaproxySession &poll, Clock clock, int n)
{
    Row row;
    row.method = QStringLiteral("connect per change%1").arg(clockName(clock));
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
        const bool sent = rt.execute({rollbackLine, readBackLine}, &answer, &error);
        double ms = double(timer.nsecsElapsed()) / 1e6;
        bool seen = false;
        if (clock == Clock::Watch) {
            seen = sent && waitForRollback(poll);
            ms = double(timer.nsecsElapsed()) / 1e6;
        } else {
            seen = sent && answerShowsRollback(answer) && waitForRollback(poll);
        }
        if (!seen) {
            ++row.failures;
            continue;
        }
        row.ms.append(ms);
    }
    return row;
}

Row byHand(const LabFixture &lab, HaproxySession &poll, Clock clock, int n)
{
    Row row;
    row.method = QStringLiteral("by hand: bash /dev/tcp%1").arg(clockName(clock));
    const QString script = QStringLiteral("exec 3<>/dev/tcp/127.0.0.1/%1; printf '%2; %3\\n' >&3; while IFS= read -r line <&3; do printf '%s\\n' \"$line\"; done")
                               .arg(lab.port("ADMIN_PORT"))
                               .arg(rollbackLine, readBackLine);
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
        double ms = 0;
        bool seen = false;
        if (clock == Clock::Watch) {
            seen = waitForRollback(poll);
            ms = double(timer.nsecsElapsed()) / 1e6;
        }
        if (clock == Clock::OwnAnswer) {
            // Timed when HAProxy's read-back is out of bash (cat prints it as it comes), not at
            // bash's exit: the operator's terminal shows the answer then.
            QByteArray out;
            while (!answerShowsRollback(QString::fromUtf8(out)) && p.waitForReadyRead(5000))
                out += p.readAllStandardOutput();
            ms = double(timer.nsecsElapsed()) / 1e6;
            seen = answerShowsRollback(QString::fromUtf8(out)) && waitForRollback(poll);
        }
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

void printTable(QList<Row> *rows)
{
    std::printf("\n| %-36s | %5s | %7s | %7s | %7s | %8s |\n", "method", "n", "p50 ms", "p99 ms", "max ms", "failures");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", "--------------------------------------", "-------", "---------", "---------",
                "---------", "----------");
    for (Row &r : *rows) {
        std::sort(r.ms.begin(), r.ms.end());
        std::printf("| %-36s | %5lld | %7.3f | %7.3f | %7.3f | %8d |\n", qPrintable(r.method), qint64(r.ms.size()),
                    percentile(r.ms, 0.50), percentile(r.ms, 0.99), r.ms.isEmpty() ? std::nan("") : r.ms.constLast(),
                    r.failures);
    }
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

    std::printf("bench_rollback: %d rollbacks per method and clock (each after a 50%% canary), haproxy lab on loopback\n", n);
    std::fflush(stdout);
    // Switchboard's rows lead each table (tcp-only second: that is the one compared).
    QList<Row> own;
    QList<Row> watched;
    Row confirmed;
    confirmed.method = QStringLiteral("switchboard (tcp), traffic thread's clock");
    own.append(viaSwitchboard(lab, poll, true, Clock::OwnAnswer, n));
    own.append(viaSwitchboard(lab, poll, false, Clock::OwnAnswer, n, &confirmed));
    own.append(connectPerChange(lab, poll, Clock::OwnAnswer, n));
    own.append(byHand(lab, poll, Clock::OwnAnswer, n));
    watched.append(viaSwitchboard(lab, poll, true, Clock::Watch, n));
    watched.append(viaSwitchboard(lab, poll, false, Clock::Watch, n));
    watched.append(connectPerChange(lab, poll, Clock::Watch, n));
    watched.append(byHand(lab, poll, Clock::Watch, n));

    std::printf("\nFrom the call to the caller holding HAProxy's answer that reports the rollback weights:");
    printTable(&own);
    std::printf("\nThe same, seen by the independent watch (its poll round trip and pause add to every row):");
    printTable(&watched);

    const auto ratio = [](const QList<Row> &rows) { return percentile(rows.constLast().ms, 0.50) / percentile(rows.at(1).ms, 0.50); };
    std::printf("\np50: switchboard (tcp) is %.1fx faster than by hand (its own answer; %.1fx seen by the watch); "
                "p99 switchboard (tcp) %.3f ms (%.3f ms seen by the watch)\n",
                ratio(own), ratio(watched), percentile(own.at(1).ms, 0.99), percentile(watched.at(1).ms, 0.99));
    // What Switchboard itself recorded of the first table's tcp rollbacks (confirmedAfterMs in
    // the audit log): the same answer, on the traffic thread, before it travels back to the caller.
    std::sort(confirmed.ms.begin(), confirmed.ms.end());
    std::printf("%s (confirmedAfterMs, the answer before its way back to the caller): p50 %.3f ms, p99 %.3f ms, "
                "max %.3f ms (%lld of %d)\n",
                qPrintable(confirmed.method), percentile(confirmed.ms, 0.50), percentile(confirmed.ms, 0.99),
                confirmed.ms.isEmpty() ? std::nan("") : confirmed.ms.constLast(), qint64(confirmed.ms.size()), n);
    return 0;
}
