// Quitting and closing a target never wait on a server (issue 11 item 6): with a metrics
// server that accepts connections and never answers (Prometheus timeout 30 s, 2 retries),
// closing the target ends its backend calls at once, and the app process exits right after
// its window closes.

#include "backendfactory.h"
#include "backendhost.h"
#include "eventlogmodel.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QProcess>
#include <QSemaphore>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Switchboard;

namespace {

// A sim target whose metrics come from a "Prometheus" at `port` that never answers.
QJsonObject silentPrometheusTarget(quint16 port)
{
    return QJsonObject{
        {QStringLiteral("name"), QStringLiteral("silent")},
        {QStringLiteral("kind"), QStringLiteral("sim")},
        {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 1}}},
        {QStringLiteral("pollMs"), 200},
        {QStringLiteral("prometheus"),
         QJsonObject{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:%1").arg(port)},
                     {QStringLiteral("stableLabel"), QStringLiteral("v1")},
                     {QStringLiteral("canaryLabel"), QStringLiteral("v2")},
                     {QStringLiteral("timeoutMs"), 30000},
                     {QStringLiteral("retries"), 2}}},
    };
}

using Fleet = std::vector<std::unique_ptr<TargetController>>;

// The targets of a targets.json holding `targets`, each under a controller writing to `log`, as
// the app builds them. Empty, or what went wrong.
QString buildFleet(const QJsonArray &targets, EventLogModel *log, Fleet *fleet)
{
    const TargetConfigResult cfg = parseTargetConfig(QJsonDocument(QJsonObject{{QStringLiteral("targets"), targets}}).toJson(),
                                                     QStringLiteral("targets.json"));
    if (!cfg.ok())
        return cfg.error;
    for (const TargetConfig &t : cfg.targets) {
        QString error;
        std::unique_ptr<BackendHost> host = createBackends(t, &error);
        if (!host)
            return error;
        fleet->push_back(std::make_unique<TargetController>(t, std::move(host), log, nullptr));
    }
    return {};
}

} // namespace

class TestQuit : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerMetaTypes(); }

    // Simulated targets share one pair of worker threads, however many there are; each still
    // answers its own changes, and the threads end with the last target that used them.
    void simulatedTargetsShareTwoThreads()
    {
        QCOMPARE(BackendHost::sharedThreads(), 0);
        EventLogModel log;
        std::vector<std::unique_ptr<TargetController>> fleet;
        for (int i = 0; i < 40; ++i) {
            TargetConfig t = demoTarget();
            t.name = QStringLiteral("svc-%1").arg(i);
            QString error;
            std::unique_ptr<BackendHost> host = createBackends(t, &error);
            QVERIFY2(host, qPrintable(error));
            fleet.push_back(std::make_unique<TargetController>(t, std::move(host), &log, nullptr));
        }
        QCOMPARE(BackendHost::sharedThreads(), 2);
        QSignalSpy done(fleet.back().get(), &TargetController::actionFinished);
        QSignalSpy first(fleet.front().get(), &TargetController::actionFinished);
        fleet.back()->setCanaryPercent(30, QStringLiteral("test"), true);
        fleet.front()->rollback(QStringLiteral("test"));
        QVERIFY(done.wait(5000));
        QVERIFY(first.size() == 1 || first.wait(5000));
        QCOMPARE(done.at(0).at(0).value<ChangeResult>().requestedCanaryPercent, 30.0);
        QVERIFY(first.at(0).at(0).value<ChangeResult>().ok());
        fleet.erase(fleet.begin(), fleet.begin() + 39);
        QCOMPARE(BackendHost::sharedThreads(), 2);
        QElapsedTimer timer;
        timer.start();
        fleet.clear();
        QCOMPARE(BackendHost::sharedThreads(), 0);
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QStringLiteral("closing took %1 ms").arg(timer.elapsed())));
        QCOMPARE(BackendHost::strandedThreads(), 0);
    }

    // On a thread the targets of one server share, a rollback goes ahead of the reads still
    // queued there, its own target's or another's: it waits only for the call under way.
    void wayBackGoesAheadOfQueuedReads()
    {
        struct Log
        {
            QMutex mutex;
            QStringList calls;
            qsizetype record(const QString &call)
            {
                QMutexLocker lock(&mutex);
                calls.append(call);
                return calls.size();
            }
            QStringList all()
            {
                QMutexLocker lock(&mutex);
                return calls;
            }
        };
        class GateTraffic final : public TrafficBackend
        {
        public:
            GateTraffic(QString name, Log *log)
                : m_name(std::move(name))
                , m_log(log)
            {
            }
            QSemaphore entered;
            QSemaphore gate;
            void refresh() override
            {
                if (m_log->record(m_name + QStringLiteral(" refresh")) == 1) { // blocks, as on a slow server
                    entered.release();
                    gate.acquire();
                }
                Q_EMIT snapshotReady(TrafficSnapshot{});
            }
            void apply(const WeightChange &change) override
            {
                m_log->record(QStringLiteral("%1 apply %2").arg(m_name).arg(change.canaryPercent));
                ChangeResult r;
                r.status = ChangeResult::Status::Applied;
                Q_EMIT changeFinished(r);
            }

        private:
            QString m_name;
            Log *m_log;
        };
        Log log;
        QThread thread;
        auto *a = new GateTraffic(QStringLiteral("a"), &log);
        auto *b = new GateTraffic(QStringLiteral("b"), &log);
        a->moveToThread(&thread);
        b->moveToThread(&thread);
        thread.start();
        for (int i = 0; i < 3; ++i) {
            QMetaObject::invokeMethod(b, &TrafficBackend::refresh, Qt::QueuedConnection);
            QMetaObject::invokeMethod(a, &TrafficBackend::refresh, Qt::QueuedConnection);
        }
        QVERIFY(b->entered.tryAcquire(1, 5000));
        WeightChange back;
        back.canaryPercent = 0;
        back.force = true;
        // The spy records on the backends' thread: the answer can come before wait() starts, so
        // count rather than wait for the next one.
        QSignalSpy applied(a, &TrafficBackend::changeFinished);
        // On a failed check below, stop the thread before it is destroyed (else qFatal hides the failure).
        auto stopThread = qScopeGuard([&thread] {
            if (thread.isRunning()) {
                thread.quit();
                thread.wait(5000);
            }
        });
        TrafficBackend::postWayBack(a, back);
        b->gate.release();
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), qsizetype(1), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(log.all().size(), qsizetype(7), 5000);
        QCOMPARE(log.all(), (QStringList{QStringLiteral("b refresh"), QStringLiteral("a apply 0"), QStringLiteral("a refresh"),
                                         QStringLiteral("b refresh"), QStringLiteral("a refresh"), QStringLiteral("b refresh"),
                                         QStringLiteral("a refresh")}));
        QMetaObject::invokeMethod(a, [a, b, &thread] {
            delete a;
            delete b;
            thread.quit();
        }, Qt::QueuedConnection);
        QVERIFY(thread.wait(5000));
    }

    // The targets that read one Prometheus share at most four metrics threads, however many
    // there are; with every query hanging on a silent server, stopping them all (as the app
    // does when it quits) still takes under a second.
    void prometheusTargetsShareAFewThreads()
    {
        QCOMPARE(BackendHost::sharedThreads(), 0);
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QSignalSpy connected(&silent, &QTcpServer::newConnection);
        QJsonArray targets;
        for (int i = 0; i < 20; ++i) {
            QJsonObject t = silentPrometheusTarget(silent.serverPort());
            t[QStringLiteral("name")] = QStringLiteral("silent-%1").arg(i);
            targets.append(t);
        }
        EventLogModel log;
        Fleet fleet;
        const QString error = buildFleet(targets, &log, &fleet);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // The simulated traffic layers keep threads of their own here (their metrics are real).
        QVERIFY2(BackendHost::sharedThreads() >= 1 && BackendHost::sharedThreads() <= 4,
                 qPrintable(QString::number(BackendHost::sharedThreads())));
        for (const auto &c : fleet)
            c->start();
        QVERIFY(connected.wait(5000)); // a metrics thread is inside a query that will never end

        QElapsedTimer timer;
        timer.start();
        for (const auto &c : fleet)
            c->requestStop();
        fleet.clear();
        const qint64 ms = timer.elapsed();
        qInfo("stopping 20 targets on a silent Prometheus took %lld ms", ms);
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("stopping took %1 ms").arg(ms)));
        QCOMPARE(BackendHost::sharedThreads(), 0);
    }

    // Targets on one HAProxy that stopped answering (SIGSTOP, a hung box): their shared threads
    // sit in calls that end only at the session's own timeout. Stopping them all, as the app
    // does when it quits (Workspace: a StopScope, requestStop on each, then delete), waits
    // once for all, not once per target and thread.
    void haproxyTargetsOnAHungServerStopWithinOneWait()
    {
        QCOMPARE(BackendHost::sharedThreads(), 0);
        QTcpServer hung; // accepts (the kernel completes the handshake) and never answers
        QVERIFY(hung.listen(QHostAddress::LocalHost));
        QSignalSpy connected(&hung, &QTcpServer::newConnection);
        QJsonArray targets;
        for (int i = 0; i < 6; ++i)
            targets.append(QJsonObject{
                {QStringLiteral("name"), QStringLiteral("shop-%1").arg(i)},
                {QStringLiteral("kind"), QStringLiteral("haproxy")},
                {QStringLiteral("pollMs"), 200},
                {QStringLiteral("haproxy"),
                 QJsonObject{{QStringLiteral("endpoints"), QJsonArray{QStringLiteral("tcp:127.0.0.1:%1").arg(hung.serverPort())}},
                             {QStringLiteral("backend"), QStringLiteral("shop%1").arg(i)},
                             {QStringLiteral("stable"), QJsonArray{QStringLiteral("v1")}},
                             {QStringLiteral("canary"), QJsonArray{QStringLiteral("v2")}}}}});
        EventLogModel log;
        Fleet fleet;
        const QString error = buildFleet(targets, &log, &fleet);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(BackendHost::sharedThreads() >= 2); // traffic and counters of that HAProxy, shared
        for (const auto &c : fleet)
            c->start();
        // Both shared threads (traffic, counters) inside a call that will not be answered.
        QTRY_VERIFY_WITH_TIMEOUT(connected.size() >= 2, 5000);

        QElapsedTimer timer;
        timer.start();
        {
            const BackendHost::StopScope oneWait;
            for (const auto &c : fleet)
                c->requestStop();
            fleet.clear();
        }
        const qint64 ms = timer.elapsed();
        qInfo("stopping 6 targets on a hung HAProxy took %lld ms", ms);
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("stopping took %1 ms").arg(ms)));
    }

    // The targets that reload one nginx share a traffic thread; another nginx (another reload
    // command) gets one of its own. Each target still reads its own upstream file.
    void nginxTargetsShareTheirServersThread()
    {
        QCOMPARE(BackendHost::sharedThreads(), 0);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EventLogModel log;
        std::vector<std::unique_ptr<TargetController>> fleet;
        std::vector<std::unique_ptr<QSignalSpy>> read;
        for (int i = 0; i < 5; ++i) {
            const QString file = dir.filePath(QStringLiteral("upstream-%1.conf").arg(i));
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QStringLiteral("upstream svc%1 {\n    zone svc%1 64k;\n    server 127.0.0.1:%2 weight=256;\n"
                                   "    server 127.0.0.1:%3 weight=256 down;\n}\n")
                        .arg(i).arg(9100 + 2 * i).arg(9101 + 2 * i).toUtf8());
            f.close();
            // Four on one nginx, the last on another.
            const QJsonArray reload = i < 4 ? QJsonArray{QStringLiteral("true"), QStringLiteral("one")}
                                            : QJsonArray{QStringLiteral("true"), QStringLiteral("two")};
            TargetConfig t;
            t.name = QStringLiteral("nginx-%1").arg(i);
            t.kind = QStringLiteral("nginx");
            t.settings = QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("kind"), t.kind},
                                     {QStringLiteral("nginx"),
                                      QJsonObject{{QStringLiteral("upstreamFile"), file},
                                                  {QStringLiteral("upstream"), QStringLiteral("svc%1").arg(i)},
                                                  {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:%1").arg(9100 + 2 * i)}},
                                                  {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:%1").arg(9101 + 2 * i)}},
                                                  {QStringLiteral("testCommand"), QJsonArray{QStringLiteral("true")}},
                                                  {QStringLiteral("reloadCommand"), reload}}}};
            QString error;
            std::unique_ptr<BackendHost> host = createBackends(t, &error);
            QVERIFY2(host, qPrintable(error));
            fleet.push_back(std::make_unique<TargetController>(t, std::move(host), &log, nullptr));
            read.push_back(std::make_unique<QSignalSpy>(fleet.back().get(), &TargetController::snapshotChanged));
        }
        QCOMPARE(BackendHost::sharedThreads(), 2);
        for (const auto &c : fleet)
            c->refreshNow();
        for (size_t i = 0; i < fleet.size(); ++i) {
            QVERIFY(read.at(i)->size() > 0 || read.at(i)->wait(5000));
            QCOMPARE(fleet.at(i)->snapshot().members.size(), 2);
            QCOMPARE(fleet.at(i)->snapshot().members.at(0).name, QStringLiteral("127.0.0.1:%1").arg(9100 + 2 * int(i)));
        }
        // A change on one of the shared thread's targets is its own.
        QSignalSpy done(fleet.at(1).get(), &TargetController::actionFinished);
        fleet.at(1)->setCanaryPercent(50, QStringLiteral("test"), true);
        QVERIFY(done.wait(5000));
        const ChangeResult r = done.at(0).at(0).value<ChangeResult>();
        QVERIFY2(r.ok(), qPrintable(r.message));
        QFile changed(dir.filePath(QStringLiteral("upstream-1.conf")));
        QVERIFY(changed.open(QIODevice::ReadOnly));
        QVERIFY(!changed.readAll().contains("down;"));
        QFile untouched(dir.filePath(QStringLiteral("upstream-0.conf")));
        QVERIFY(untouched.open(QIODevice::ReadOnly));
        QVERIFY(untouched.readAll().contains("down;"));
        fleet.clear();
        QCOMPARE(BackendHost::sharedThreads(), 0);
    }

    void closingATargetCancelsTheCallUnderWay()
    {
        QTcpServer silent; // accepts (the kernel completes the handshake) and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QSignalSpy connected(&silent, &QTcpServer::newConnection);

        const TargetConfigResult cfg = parseTargetConfig(
            QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{silentPrometheusTarget(silent.serverPort())}}}).toJson(),
            QStringLiteral("targets.json"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.error));
        QString error;
        std::unique_ptr<BackendHost> host = createBackends(cfg.targets.first(), &error);
        QVERIFY2(host, qPrintable(error));
        EventLogModel log;
        auto controller = std::make_unique<TargetController>(cfg.targets.first(), std::move(host), &log, nullptr);
        controller->start();
        // The metrics thread is now inside a query that would take 30 s × 3 attempts.
        QVERIFY(connected.wait(5000));

        QElapsedTimer timer;
        timer.start();
        controller.reset();
        const qint64 ms = timer.elapsed();
        qInfo("closing the target took %lld ms", ms);
        // The host waits BackendHost::joinTimeoutMs at most; the margin is for a loaded machine.
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("closing took %1 ms").arg(ms)));
    }

    void appExitsAtOnceWhateverTheServerDoes()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QTemporaryDir config;
        QFile f(config.filePath(QStringLiteral("targets.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("targets"), QJsonArray{silentPrometheusTarget(silent.serverPort())}}}).toJson());
        f.close();

        // The window is saved after 1 s and the app quits: by then its metrics thread has been
        // waiting on the silent server for most of a second, with 90 s to go.
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), config.filePath(QStringLiteral("data")));
        app.setProcessEnvironment(env);
        QElapsedTimer timer;
        timer.start();
        app.start(QStringLiteral(SWITCHBOARD_BINARY),
                  {QStringLiteral("--config"), config.path(), QStringLiteral("--screenshot"),
                   config.filePath(QStringLiteral("shot.png")), QStringLiteral("--after-ms"), QStringLiteral("1000")});
        QVERIFY(app.waitForFinished(20000));
        const qint64 ms = timer.elapsed();
        qInfo("the app ran %lld ms (1000 of them waiting for the screenshot)", ms);
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(QFile::exists(config.filePath(QStringLiteral("shot.png"))));
        // Start-up and the 1 s wait, plus a bounded close; a hung quit would take 30 s or more.
        QVERIFY2(ms < 8000, qPrintable(QStringLiteral("the app took %1 ms").arg(ms)));
    }
};

QTEST_GUILESS_MAIN(TestQuit)
#include "tst_quit.moc"
