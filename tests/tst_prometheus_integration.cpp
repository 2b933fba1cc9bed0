// PrometheusMetricsSource against the real lab: canary at 50% through HAProxy's runtime API,
// canary app failing 10% with 200 ms added latency, real load, Prometheus scraping every second.
// The source runs on its own thread as in the app, so answers cross threads as queued signals.

#include "backendfactory.h"
#include "labfixture.h"
#include "prometheusmetricssource.h"
#include "targetconfig.h"

#include <QDateTime>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <cmath>
#include <memory>

using namespace Switchboard;

namespace {

// Sends one runtime API line to HAProxy's admin TCP port and returns its answer (HAProxy closes
// the connection after answering).
QString haproxy(int port, const QByteArray &command)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!s.waitForConnected(3000))
        return QStringLiteral("connect failed: ") + s.errorString();
    s.write(command + '\n');
    QByteArray out;
    while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
        out += s.readAll();
    out += s.readAll();
    return QString::fromUtf8(out);
}

// Lives on the test thread: the source's signals reach it queued, as they reach the controller
// in the app, and QSignalSpy watches it on the thread that waits.
class Relay final : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void instantReady(const Switchboard::HealthSnapshot &health);
    void rangeReady(const Switchboard::HealthSeries &series, quint64 token);
    void queryFailed(const QString &error);
};

} // namespace

class TestPrometheusIntegration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void healthUnderCanaryFaults();
    void rangeOnTheStepGrid();
    void cleanupTestCase();

private:
    // Runs a slot of the source on its thread.
    template<typename F>
    void onSourceThread(F f)
    {
        QMetaObject::invokeMethod(m_source, f, Qt::QueuedConnection);
    }

    std::unique_ptr<LabFixture> m_lab;
    Relay m_relay;
    QThread m_thread;
    PrometheusMetricsSource *m_source = nullptr;
};

void TestPrometheusIntegration::initTestCase()
{
    registerMetaTypes();
    m_lab = std::make_unique<LabFixture>();
    LAB_START_OR_SKIP(*m_lab, QStringLiteral("wrk"));

    // The lab's own targets.json, read the way the app reads it.
    const TargetConfigResult config = loadTargetConfig(m_lab->configDir() + QStringLiteral("/targets.json"));
    QVERIFY2(config.ok(), qPrintable(config.error));
    TargetConfig target;
    for (const TargetConfig &t : config.targets) {
        if (t.name == QStringLiteral("lab"))
            target = t;
    }
    QCOMPARE(target.kind, QStringLiteral("haproxy"));
    QString error;
    std::unique_ptr<MetricsSource> metrics = createMetricsSource(target, &error);
    QVERIFY2(metrics, qPrintable(error));
    m_source = qobject_cast<PrometheusMetricsSource *>(metrics.get());
    QVERIFY2(m_source, "a target with a \"prometheus\" object gets the Prometheus source");
    metrics.release();
    connect(m_source, &MetricsSource::instantReady, &m_relay, &Relay::instantReady);
    connect(m_source, &MetricsSource::rangeReady, &m_relay, &Relay::rangeReady);
    connect(m_source, &MetricsSource::queryFailed, &m_relay, &Relay::queryFailed);
    m_thread.setObjectName(QStringLiteral("prometheus-test"));
    m_source->moveToThread(&m_thread);
    m_thread.start();
}

void TestPrometheusIntegration::cleanupTestCase()
{
    if (m_source) {
        PrometheusMetricsSource *source = m_source;
        QMetaObject::invokeMethod(source, [source] { delete source; }, Qt::BlockingQueuedConnection);
        m_source = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
    m_lab.reset(); // lab/down
}

void TestPrometheusIntegration::healthUnderCanaryFaults()
{
    // 50% canary: stable servers 128 + 128, canary 256. Straight to the admin socket, so this
    // test does not depend on Switchboard's own HAProxy backend.
    const int admin = m_lab->port("ADMIN_PORT");
    const QString set = haproxy(admin, "set weight shop/shop-v1-a 128; set weight shop/shop-v1-b 128; set weight shop/shop-v2-a 256");
    QVERIFY2(set.trimmed().isEmpty(), qPrintable(set));
    QCOMPARE(haproxy(admin, "get weight shop/shop-v2-a").section(QLatin1Char(' '), 0, 0), QStringLiteral("256"));

    QString out;
    QCOMPARE(m_lab->runScript(QStringLiteral("fault"), {QStringLiteral("v2"), QStringLiteral("error=0.1"), QStringLiteral("latency_ms=200")}, &out), 0);

    // 15 s of load: a full 10 s rate window of 1 s scrapes, with room for the first scrapes.
    QProcess wrk;
    wrk.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&wrk, &QProcess::finished);
    wrk.start(QStringLiteral("wrk"), {QStringLiteral("-t2"), QStringLiteral("-c8"), QStringLiteral("-d15s"),
                                      QStringLiteral("--timeout"), QStringLiteral("5s"), m_lab->frontUrl()});
    QVERIFY(wrk.waitForStarted(5000));
    QVERIFY(finished.wait(30000));
    const QString wrkOut = QString::fromLocal8Bit(wrk.readAll());
    QCOMPARE(wrk.exitCode(), 0);
    const QStringList wrkLines = wrkOut.split(QLatin1Char('\n'));
    for (const QString &line : wrkLines) {
        if (line.contains(QStringLiteral("requests in")) || line.contains(QStringLiteral("Non-2xx")))
            qInfo().noquote() << "wrk:" << line.trimmed();
    }

    QSignalSpy ready(&m_relay, &Relay::instantReady);
    QSignalSpy failed(&m_relay, &Relay::queryFailed);
    const qint64 asked = QDateTime::currentMSecsSinceEpoch();
    onSourceThread([source = m_source] { source->queryInstant(); });
    // A failure arrives instead of the answer: say which, rather than only "timed out".
    QVERIFY2(ready.wait(15000), qPrintable(failed.value(0).value(0).toString()));
    const HealthSnapshot h = ready.at(0).at(0).value<HealthSnapshot>();
    qInfo("stable: rps %.1f err %.4f p50 %.1f ms p99 %.1f ms | canary: rps %.1f err %.4f p50 %.1f ms p99 %.1f ms",
          h.stable.rps, h.stable.errorRatio, h.stable.p50Ms, h.stable.p99Ms, h.canary.rps, h.canary.errorRatio, h.canary.p50Ms,
          h.canary.p99Ms);

    // Traffic split as set: each version's share of the rate is near half.
    QVERIFY(h.stable.rps > 0 && h.canary.rps > 0);
    const double canaryShare = h.canary.rps / (h.stable.rps + h.canary.rps);
    QVERIFY2(std::fabs(canaryShare - 0.5) < 0.15, qPrintable(QString::number(canaryShare)));

    // The app fails exactly every 10th canary request; a 10 s window holds a few hundred.
    QVERIFY2(std::fabs(h.canary.errorRatio - 0.10) <= 0.04, qPrintable(QString::number(h.canary.errorRatio)));
    QVERIFY2(isKnown(h.stable.errorRatio) && h.stable.errorRatio < 0.01, qPrintable(QString::number(h.stable.errorRatio)));

    // Latency comes from the histogram buckets (..., 0.1, 0.25, 0.5, ...): every canary request
    // takes 200 ms + a little, i.e. lands in (0.1, 0.25], where histogram_quantile interpolates
    // p99 to 100 + 0.99 * 150 = 248.5 ms. Up to 500 ms (the next bucket bound) is tolerated for
    // a loaded machine pushing more than 1% of requests past 250 ms.
    QVERIFY2(h.canary.p99Ms >= 200 && h.canary.p99Ms <= 500, qPrintable(QString::number(h.canary.p99Ms)));
    QVERIFY2(isKnown(h.stable.p99Ms) && h.stable.p99Ms < 100, qPrintable(QString::number(h.stable.p99Ms)));
    // p95 from the same histogram: inside the same bucket (100 + 0.95 * 150 = 242.5 ms), and
    // never above p99 or below p50.
    QVERIFY2(h.canary.p95Ms >= 200 && h.canary.p95Ms <= h.canary.p99Ms, qPrintable(QString::number(h.canary.p95Ms)));
    QVERIFY2(h.canary.p95Ms >= h.canary.p50Ms, qPrintable(QString::number(h.canary.p95Ms)));

    // Timestamps are the newest scraped samples: at most a few scrape intervals old.
    for (const HealthSample &s : {h.stable, h.canary}) {
        QVERIFY2(s.timeMs <= asked + 1000 && s.timeMs > asked - 5000, qPrintable(QString::number(asked - s.timeMs)));
    }
}

void TestPrometheusIntegration::rangeOnTheStepGrid()
{
    QSignalSpy ready(&m_relay, &Relay::rangeReady);
    QSignalSpy failed(&m_relay, &Relay::queryFailed);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = now - 30000 + 123; // deliberately off the grid
    const int step = 2000;
    onSourceThread([source = m_source, from, now, step] { source->queryRange(from, now, step, 77); });
    // A failure arrives instead of the answer: say which, rather than only "timed out".
    QVERIFY2(ready.wait(15000), qPrintable(failed.value(0).value(0).toString()));
    QCOMPARE(ready.at(0).at(1).toULongLong(), quint64(77));
    const HealthSeries series = ready.at(0).at(0).value<HealthSeries>();

    const qint64 first = (from + step - 1) / step * step;
    const int expected = int((now - first) / step + 1);
    QCOMPARE(series.stable.size(), expected);
    QCOMPARE(series.canary.size(), expected);
    int knownErrorPoints = 0;
    for (int i = 0; i < series.canary.size(); ++i) {
        QCOMPARE(series.stable[i].timeMs, first + qint64(i) * step);
        QCOMPARE(series.canary[i].timeMs, series.stable[i].timeMs);
        QCOMPARE(series.canary[i].timeMs % step, 0);
        if (isKnown(series.canary[i].errorRatio)) {
            ++knownErrorPoints;
            QVERIFY2(series.canary[i].errorRatio >= 0 && series.canary[i].errorRatio <= 0.3,
                     qPrintable(QString::number(series.canary[i].errorRatio)));
        }
    }
    // The load ran through most of the last 30 s: most points have a canary error ratio.
    QVERIFY2(knownErrorPoints >= expected / 3, qPrintable(QString::number(knownErrorPoints)));
}

QTEST_GUILESS_MAIN(TestPrometheusIntegration)
#include "tst_prometheus_integration.moc"
