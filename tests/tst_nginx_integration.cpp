// The nginx target end to end on the real lab (lab/up): TargetController -> BackendHost ->
// NginxTrafficBackend -> the upstream include, `nginx -t`, `nginx -s reload`, checked against
// the split that real HTTP requests through the lab's nginx frontend actually get.

#include "controllerdriver.h"
#include "labclient.h"
#include "labfixture.h"
#include "targetcontroller.h"
#include "weightchange.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Switchboard;

namespace {

// nginx's smooth weighted round robin with a shared zone is exact over a cycle of the weights;
// over 300 requests the only slack is where the cycle is cut: allow 3 points, like HAProxy.
constexpr double splitTolerance = 3.0;
constexpr int requestsPerCheck = 300;

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

} // namespace

class TestNginxIntegration final : public QObject
{
    Q_OBJECT

private:
    LabFixture m_lab;
    ControllerDriver m_driver{20000}; // a change is a file write, `nginx -t` and a reload
    QJsonObject m_labTarget;    // "lab-nginx" as lab/up wrote it into targets.json
    QByteArray m_initialUpstream; // the include as lab/up wrote it: 0% canary

    QString upstreamFile() const { return m_lab.value("NGINX_UPSTREAM_FILE"); }
    quint16 nginxPort() const { return quint16(m_lab.port("NGINX_PORT")); }
    QString v1() const { return QStringLiteral("127.0.0.1:%1").arg(m_lab.port("APP_V1_PORT")); }
    QString v2() const { return QStringLiteral("127.0.0.1:%1").arg(m_lab.port("APP_V2_PORT")); }
    QMap<QString, int> weights(int stable, int canary) const { return {{v1(), stable}, {v2(), canary}}; }

    // The lab's target, with `nginx` keys overridden; without "prometheus" (nginx counts nothing
    // per upstream server, and these tests check the split with real requests).
    TargetConfig target(const QJsonObject &overrides = {}) const
    {
        TargetConfig t;
        t.name = m_labTarget.value(QStringLiteral("name")).toString();
        t.kind = m_labTarget.value(QStringLiteral("kind")).toString();
        QJsonObject nginx = m_labTarget.value(QStringLiteral("nginx")).toObject();
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            nginx.insert(it.key(), it.value());
        t.settings = QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("kind"), t.kind}, {QStringLiteral("nginx"), nginx}};
        return t;
    }

    // One change through the driver; then, if nginx was reloaded, the wait until the new workers
    // are the ones accepting (the reload signal is asynchronous: `nginx -s reload` returns
    // before the master has started them).
    ChangeResult change(TargetController *c, double pct, bool force = false, bool rollback = false)
    {
        const QSet<int> before = activeWorkers();
        const ChangeResult r = m_driver.change(c, pct, force, rollback);
        if (r.message.contains(QStringLiteral("(nginx reloaded)")) && !waitForNewWorkers(before))
            qWarning("nginx did not replace its workers after the reload");
        return r;
    }

    // The running master's workers that accept connections (not those shutting down).
    QSet<int> activeWorkers() const { return m_lab.nginxWorkers(); }
    bool waitForNewWorkers(const QSet<int> &old) const
    {
        return QTest::qWaitFor([&] {
            const QSet<int> now = activeWorkers();
            return now.size() == 2 && !now.intersects(old);
        }, 10000);
    }

    // Runs the lab's own reload command (the one in targets.json).
    bool reloadNginx() const
    {
        const QJsonArray argv = m_labTarget.value(QStringLiteral("nginx")).toObject().value(QStringLiteral("reloadCommand")).toArray();
        QStringList args;
        for (const QJsonValue &v : argv)
            args.append(v.toString());
        const QSet<int> before = activeWorkers();
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(args.takeFirst(), args);
        if (!p.waitForFinished(10000) || p.exitCode() != 0) {
            qWarning("reload: %s", p.readAll().constData());
            return false;
        }
        return waitForNewWorkers(before);
    }

private Q_SLOTS:
    void initTestCase()
    {
        registerMetaTypes();
        LAB_START_OR_SKIP(m_lab);
        const QJsonArray targets = QJsonDocument::fromJson(readFile(m_lab.configDir() + QStringLiteral("/targets.json")))
                                       .object()
                                       .value(QStringLiteral("targets"))
                                       .toArray();
        for (const QJsonValue &t : targets)
            if (t.toObject().value(QStringLiteral("name")) == QStringLiteral("lab-nginx"))
                m_labTarget = t.toObject();
        QVERIFY2(!m_labTarget.isEmpty(), "lab/up wrote no lab-nginx target");
        m_initialUpstream = readFile(upstreamFile());
        QVERIFY(m_initialUpstream.contains("zone shop 64k;"));
        QCOMPARE(activeWorkers().size(), 2);
    }

    void init()
    {
        // Every test starts from the lab's initial upstream: 0% canary, loaded by nginx.
        if (readFile(upstreamFile()) != m_initialUpstream) {
            QVERIFY(writeFile(upstreamFile(), m_initialUpstream));
            QVERIFY(reloadNginx());
        }
    }

    void readsTheConfiguredUpstream()
    {
        auto c = m_driver.controller(target());
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        QCOMPARE(c->connectionState(), ConnectionState::Connected);
        const TrafficSnapshot s = c->snapshot();
        QCOMPARE(s.weights(), weights(256, 0));
        QCOMPARE(s.members.at(0).state, QStringLiteral("UP"));
        QCOMPARE(s.members.at(1).state, QStringLiteral("DOWN (config)"));
        QCOMPARE(s.split.canary, 0.0);
        QVERIFY(!s.readOnly);
        QVERIFY2(s.note.isEmpty(), qPrintable(s.note)); // zone present, no other servers
    }

    void splitMatchesRequests_data() { ControllerDriver::addSplitRows(); }
    void splitMatchesRequests()
    {
        QFETCH(double, canary);
        auto c = m_driver.controller(target());
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        const ChangeResult r = change(c.get(), canary);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(c->connectionState(), ConnectionState::Connected);
        QCOMPARE(c->snapshot().split.canary, canary); // the plan is exact for these
        QCOMPARE(r.after, c->snapshot().weights());
        // Never weight=0 as a parameter (the lab file's comment mentions it).
        static const QRegularExpression weightZero(QStringLiteral("\\sweight=0[\\s;]"));
        QVERIFY(!weightZero.match(QString::fromUtf8(readFile(upstreamFile()))).hasMatch());

        ControllerDriver::verifySplit(nginxPort(), canary, requestsPerCheck, splitTolerance, r.message);
    }

    void rollbackSendsEverythingToStable()
    {
        auto c = m_driver.controller(target());
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        QCOMPARE(change(c.get(), 50).status, ChangeResult::Status::Applied);
        const ChangeResult r = change(c.get(), 0, false, true);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(r.before, weights(256, 256));
        QCOMPARE(r.after, weights(256, 0));
        // The canary is `down` again (its weight= kept), nothing else in the file moved.
        QByteArray expected = m_initialUpstream;
        expected.replace(QByteArray(v2().toUtf8() + " down;"), QByteArray(v2().toUtf8() + " weight=256 down;"));
        QCOMPARE(readFile(upstreamFile()), expected);
        ControllerDriver::verifyAllStable(nginxPort(), 200);
    }

    void rejectedChangeLeavesNginxUntouched()
    {
        // A canary address nginx cannot take: the new server line fails `nginx -t`.
        auto c = m_driver.controller(target({{QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:notaport")}}}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        QCOMPARE(c->snapshot().members.at(1).state, QStringLiteral("DOWN (config: not in upstream)"));
        const QSet<int> workers = activeWorkers();

        QSignalSpy done(c.get(), &TargetController::actionFinished);
        c->setCanaryPercent(50, QStringLiteral("test"));
        // Traffic meanwhile, while the backend writes, tests and restores on its thread.
        const SplitCounts during = LabClient::measure(nginxPort(), 100);
        QVERIFY(done.size() == 1 || done.wait(20000));
        const ChangeResult r = done.at(0).at(0).value<ChangeResult>();
        qInfo("%s", qPrintable(r.message));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: nginx's config test rejected the new upstream: "
                                                     "invalid port in upstream \"127.0.0.1:notaport\" in %1:")
                                          .arg(upstreamFile())),
                 qPrintable(r.message));
        QVERIFY2(r.message.endsWith(QStringLiteral("previous %1 restored").arg(upstreamFile())), qPrintable(r.message));
        QCOMPARE(readFile(upstreamFile()), m_initialUpstream); // byte for byte
        QCOMPARE(activeWorkers(), workers);                    // never reloaded
        QCOMPARE(during.other, 0);
        QCOMPARE(during.v1, 100);
        const SplitCounts after = LabClient::measure(nginxPort(), 100);
        QCOMPARE(after.other, 0);
        QCOMPARE(after.v1, 100);
    }

    void failedReloadRestoresTheFile()
    {
        // A reload command that cannot find the master: nginx's own "open() ... failed".
        const QString conf = m_lab.dir() + QStringLiteral("/nginx/nopid.conf");
        QByteArray text = readFile(m_lab.value("NGINX_CONF"));
        text.replace("nginx/nginx.pid;", "nginx/missing.pid;");
        QVERIFY(writeFile(conf, text));
        const QString nginxDir = m_lab.dir() + QStringLiteral("/nginx");
        QJsonArray reload = m_labTarget.value(QStringLiteral("nginx")).toObject().value(QStringLiteral("reloadCommand")).toArray();
        reload = QJsonArray{reload.at(0), QStringLiteral("-s"), QStringLiteral("reload"), QStringLiteral("-p"), nginxDir,
                            QStringLiteral("-c"), conf};
        auto c = m_driver.controller(target({{QStringLiteral("reloadCommand"), reload}}));
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get()));
        const QSet<int> workers = activeWorkers();
        const ChangeResult r = change(c.get(), 100);
        qInfo("%s", qPrintable(r.message));
        QCOMPARE(r.status, ChangeResult::Status::Failed);
        QVERIFY2(r.message.startsWith(QStringLiteral("nothing changed: the reload failed: open() \"%1/missing.pid\" failed")
                                          .arg(nginxDir)),
                 qPrintable(r.message));
        QCOMPARE(r.after, weights(256, 0));
        QCOMPARE(readFile(upstreamFile()), m_initialUpstream);
        QCOMPARE(activeWorkers(), workers);
        QCOMPARE(LabClient::measure(nginxPort(), 50).v1, 50);
        QFile::remove(conf);
    }

    void concurrentEditIsAConflict()
    {
        auto c = m_driver.controller(target());
        QVERIFY(c);
        QVERIFY(ControllerDriver::refreshed(c.get())); // the operator sees 0%
        QCOMPARE(c->snapshot().weights(), weights(256, 0));
        // Someone else edits the include meanwhile (not reloaded yet: the file is the truth).
        QByteArray theirs = m_initialUpstream;
        theirs.replace(QByteArray(v2().toUtf8() + " down;"), QByteArray(v2().toUtf8() + " weight=77;"));
        QVERIFY(theirs != m_initialUpstream);
        QVERIFY(writeFile(upstreamFile(), theirs));

        ChangeResult r = change(c.get(), 50);
        QCOMPARE(r.status, ChangeResult::Status::Conflict);
        QVERIFY2(r.message.contains(QStringLiteral("you saw ") + describeWeights(weights(256, 0)))
                     && r.message.contains(QStringLiteral("now ") + describeWeights(weights(256, 77))),
                 qPrintable(r.message));
        QCOMPARE(readFile(upstreamFile()), theirs); // not applied: their edit stands

        // Forcing goes through, from their weights.
        r = change(c.get(), 50, true);
        QVERIFY2(r.status == ChangeResult::Status::Applied, qPrintable(r.message));
        QCOMPARE(r.before, weights(256, 77));
        QCOMPARE(r.after, weights(256, 256));
        const SplitCounts n = LabClient::measure(nginxPort(), 200);
        QCOMPARE(n.other, 0);
        QVERIFY2(std::abs(n.canaryPercent() - 50.0) <= splitTolerance, qPrintable(QString::number(n.canaryPercent())));
    }

    void missingUpstreamIsAClearError()
    {
        auto c = m_driver.controller(target({{QStringLiteral("upstream"), QStringLiteral("shopp")}}));
        QVERIFY(c);
        QSignalSpy state(c.get(), &TargetController::connectionStateChanged);
        c->refreshNow();
        QVERIFY(state.wait(5000));
        QCOMPARE(c->connectionState(), ConnectionState::Disconnected);
        QCOMPARE(c->lastError(), upstreamFile() + QStringLiteral(": no \"upstream shopp\" block (the file has: shop)"));
    }
};

QTEST_GUILESS_MAIN(TestNginxIntegration)
#include "tst_nginx_integration.moc"
