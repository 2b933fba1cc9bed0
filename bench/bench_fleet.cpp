// How does the GUI hold up with a big fleet? Opens N simulator targets (default 300, polled every
// second) in the real main window (fleet table, panel, event log) on the offscreen platform and,
// for a measuring period, records the GUI event loop's lag: a 10 ms timer's lateness, p50 and p99.
// Prints the lag, the process' CPU over the period (user + system, as % of one core), its
// thread count and its peak memory (VmHWM).
//
// With HAPROXY_TARGETS > 0 (default 50) it also starts the lab (tests/support's LabFixture) and
// opens that many more targets on the lab's HAProxy backend "shop", each as the lab's own
// target "lab" is (runtime API, fast signal, Prometheus), polled every second; without a lab
// (HAProxy or Prometheus missing) it says so and measures the simulator targets alone.
//
// Usage: QT_QPA_PLATFORM=offscreen bench_fleet [TARGETS] [SECONDS] [HAPROXY_TARGETS]
//        (default 300 simulator targets, 20 s, 50 HAProxy targets)

#include "backendfactory.h"
#ifdef SWITCHBOARD_BENCH_LAB
#include "labfixture.h"
#endif
#include "eventlogmodel.h"
#include "haproxystatreader.h"
#include "mainwindow.h"
#include "presetlibrary.h"
#include "targetconfig.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

using namespace Switchboard;

namespace {

QByteArray procStatus(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(qsizetype(qstrlen(key))).trimmed();
    return {};
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(std::min(v.size() - 1, size_t(p * double(v.size()))));
}

// BENCH_SLOWEST=1: times every event the GUI thread delivers and prints the slowest kinds
// (receiver class and event type), to find what makes the lag's tail; and for each tick late
// by more than 8 ms, what the GUI thread delivered since the previous one and the CPU time it
// got meanwhile (less than the wall time: the thread was waiting for a CPU).
class TimingApplication final : public QApplication
{
public:
    using QApplication::QApplication;
    bool notify(QObject *receiver, QEvent *event) override
    {
        // Only the GUI thread's events (the worker threads' events come through here too).
        if (!timing || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        QByteArray what = QByteArray(receiver->metaObject()->className()) + " type " + QByteArray::number(int(event->type()));
        if (receiver->parent())
            what += QByteArray(" in ") + receiver->parent()->metaObject()->className();
        ++depth;
        const bool r = QApplication::notify(receiver, event);
        --depth;
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > 2 && depth == 0) {
            Slow &s = slowest[what];
            ++s.count;
            s.worst = std::max(s.worst, ms);
        }
        if (depth == 0) {
            Window &w = window[what];
            ++w.count;
            w.ms += ms;
            Window &all = total[what];
            ++all.count;
            all.ms += ms;
        }
        return r;
    }
    struct Slow
    {
        int count = 0;
        double worst = 0;
    };
    struct Window
    {
        int count = 0;
        double ms = 0;
    };
    std::map<QByteArray, Window> window;
    std::map<QByteArray, Window> total; // over the whole measurement
    bool timing = false;
    int depth = 0;
    std::map<QByteArray, Slow> slowest;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TimingApplication app(argc, argv);
    const int targets = argc > 1 ? std::max(1, atoi(argv[1])) : 300;
    const int seconds = argc > 2 ? std::max(1, atoi(argv[2])) : 20;
    int haproxyTargets = argc > 3 ? std::max(0, atoi(argv[3])) : 50;

    EventLogModel log;
    std::vector<std::unique_ptr<TargetController>> controllers;
    QList<TargetController *> list;
    // Builds one target as the app does; false (said on stderr) when its backends cannot be made.
    auto add = [&](const TargetConfig &t) {
        QString error;
        auto host = createBackends(t, &error);
        if (!host) {
            std::fprintf(stderr, "bench_fleet: %s\n", qPrintable(error));
            return false;
        }
        controllers.push_back(std::make_unique<TargetController>(t, std::move(host), &log, nullptr));
        list << controllers.back().get();
        return true;
    };
    for (int i = 0; i < targets; ++i) {
        TargetConfig t;
        t.name = QStringLiteral("svc-%1").arg(i, 3, 10, QLatin1Char('0'));
        t.kind = QStringLiteral("sim");
        t.pollMs = 1000;
        t.settings = QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("kind"), t.kind},
                                 {QStringLiteral("group"), QStringLiteral("team-%1").arg(i % 12)},
                                 {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), i}}}};
        if (!add(t))
            return 2;
    }
#ifdef SWITCHBOARD_BENCH_LAB
    LabFixture lab;
    if (haproxyTargets > 0 && !lab.start()) {
        std::fprintf(stderr, "bench_fleet: no lab (%s): simulator targets only\n", qPrintable(lab.error()));
        haproxyTargets = 0;
    }
    TargetConfig labTarget;
    if (haproxyTargets > 0) {
        const TargetConfigResult config = loadTargetConfig(lab.configDir() + QStringLiteral("/targets.json"));
        for (const TargetConfig &t : config.targets)
            if (t.name == QStringLiteral("lab"))
                labTarget = t;
        if (labTarget.name.isEmpty()) {
            std::fprintf(stderr, "bench_fleet: the lab's targets.json has no \"lab\": %s\n", qPrintable(config.error));
            haproxyTargets = 0;
        }
    }
    for (int i = 0; i < haproxyTargets; ++i) {
        TargetConfig t = labTarget;
        t.name = QStringLiteral("shop-%1").arg(i, 2, 10, QLatin1Char('0'));
        if (!add(t))
            return 2;
    }
#else
    haproxyTargets = 0;
#endif
    TargetListModel model;
    model.setControllers(list);
    QTemporaryDir presetDir;
    PresetLibrary presets(presetDir.path());
    MainWindow window(&model, &log, &presets);
    window.show();
    for (auto &c : controllers)
        c->start();

    // Warm-up: every target connects and backfills its charts' window.
    std::vector<double> lags;
    QElapsedTimer clock;
    qint64 last = 0;
    bool measuring = false;
    double cpuAtStart = 0;
    qint64 fastAnswers = 0; // the HAProxy targets' fast-signal answers while measuring
    for (int i = targets; i < int(controllers.size()); ++i)
        QObject::connect(controllers.at(size_t(i)).get(), &TargetController::fastHealthChanged, &app, [&] {
            if (measuring)
                ++fastAnswers;
        });
    qint64 statTripsAtStart = 0;
    double lastCpu = 0; // the GUI thread's own CPU time (ms) at the previous tick
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring && last > 0)
            lags.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        const double cpuNow = double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
        const double cpuWindow = cpuNow - lastCpu;
        lastCpu = cpuNow;
        if (measuring && last > 0 && app.timing && double(now - last) / 1e6 > 18) {
            std::printf("late tick %.1f ms (GUI thread CPU %.1f ms):", double(now - last) / 1e6, cpuWindow);
            for (const auto &[what, w] : app.window)
                std::printf(" [%s x%d %.2fms]", what.constData(), w.count, w.ms);
            std::printf("\n");
        }
        // BENCH_TIMELINE=1 (with BENCH_SLOWEST=1): per tick, the time and how many target answers
        // and timers the GUI thread ran since the previous one; lockstep shows as a peak per second.
        if (measuring && app.timing && qEnvironmentVariableIntValue("BENCH_TIMELINE") != 0) {
            int tc = 0, tm = 0;
            for (const auto &[what, w] : app.window) {
                if (what.startsWith("Switchboard::TargetController type 43")) tc += w.count;
                if (what.startsWith("QTimer type 1")) tm += w.count;
            }
            std::printf("timeline %lld ms: %d answers, %d timers\n", static_cast<long long>(now / 1000000), tc, tm);
        }
        app.window.clear();
        last = now;
    });
    clock.start();
    probe.start();
    QTimer::singleShot(5000, &app, [&] {
        app.timing = qEnvironmentVariableIntValue("BENCH_SLOWEST") != 0;
        measuring = true;
        cpuAtStart = cpuSeconds();
        statTripsAtStart = HaproxyStatReader::allRoundTrips();
        clock.restart();
        last = 0;
    });
    QTimer::singleShot(5000 + seconds * 1000, &app, [&] {
        const double cpu = (cpuSeconds() - cpuAtStart) / double(seconds) * 100.0;
        std::printf("bench_fleet: %d simulator targets and %d HAProxy targets on the lab polled every 1 s, %d s measured after "
                    "5 s warm-up\n", targets, haproxyTargets, seconds);
        std::printf("  GUI event-loop lag (10 ms timer): p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu samples)\n",
                    percentile(lags, 0.5), percentile(lags, 0.99), percentile(lags, 1.0), lags.size());
        std::printf("  CPU %.0f%% of one core; threads %s; peak memory %s\n", cpu, procStatus("Threads:").constData(),
                    procStatus("VmHWM:").constData());
        int connected = 0;
        for (size_t i = size_t(targets); i < controllers.size(); ++i)
            connected += controllers.at(i)->connectionState() == ConnectionState::Connected ? 1 : 0;
        if (haproxyTargets > 0)
            std::printf("  HAProxy targets connected at the end: %d of %d\n", connected, haproxyTargets);
        if (haproxyTargets > 0)
            std::printf("  HAProxy counters: %.1f show-stat round trips/s for %d targets, %.1f fast-signal answers/s per target\n",
                        double(HaproxyStatReader::allRoundTrips() - statTripsAtStart) / double(seconds), haproxyTargets,
                        double(fastAnswers) / double(seconds) / double(haproxyTargets));
        for (const auto &[what, slow] : app.slowest)
            std::printf("  slow events (> 2 ms): %-60s %4d times, worst %.1f ms\n", what.constData(), slow.count, slow.worst);
        for (const auto &[what, all] : app.total)
            if (all.count >= seconds)
                std::printf("  events: %-60s %7.1f/s, %.3f ms each\n", what.constData(), double(all.count) / double(seconds),
                            all.ms / double(all.count));
        QApplication::quit();
    });
    const int rc = app.exec();
    for (auto &c : controllers)
        c->requestStop();
    return rc;
}
