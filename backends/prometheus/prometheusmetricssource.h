#pragma once
// Prometheus as a target's metrics layer: per-version rate, error ratio and latency from PromQL
// templates in the target's "prometheus" settings, now (instant queries) and over a range.
//
// Query shape. A template holding {{version}} is run once per version and must return at most
// one series. Any other template is run once for both versions and its series are told apart by
// the label `versionLabel` ("version"); the defaults are of that kind (`sum by (version)` over
// `version=~"{{versions}}"`), which halves the requests per poll.
// Placeholders: {{version}} (stableLabel or canaryLabel), {{versions}} (a regex matching both),
// {{window}} (rateWindow, "10s"), {{backend}} (haproxy.backend of a kind "haproxy" target).
// Each is escaped for use inside a PromQL double-quoted string; {{window}} is a bare duration.

#include "metricssource.h"
#include "prometheusclient.h"

#include <QStringList>

#include <QMutex>

#include <memory>

namespace Switchboard {

class PrometheusMetricsSource final : public MetricsSource
{
    Q_OBJECT
public:
    struct Settings
    {
        PrometheusClient::Settings client;
        QString stableLabel;
        QString canaryLabel;
        QString versionLabel = QStringLiteral("version");
        QString rateWindow = QStringLiteral("10s");
        QString backend;
        // PromQL templates; an empty one is not queried and its value stays unknown.
        QString rps;
        QString errorRatio; // 0..1
        QString p50;        // milliseconds
        QString p95;        // milliseconds
        QString p99;        // milliseconds
        // Per version, the Unix time (s) of the newest scraped sample: the health's timestamp,
        // so the data age shows a scrape that stopped. Empty: the evaluation time is used.
        QString sampleTime;

        // Reads target.settings["prometheus"]: the client keys (see PrometheusClient::Settings)
        // plus stableLabel, canaryLabel, versionLabel, rateWindow and
        // queries {rps, errorRatio, p50, p99, sampleTime}. False with *error naming the key.
        static bool fromTarget(const TargetConfig &target, Settings *out, QString *error);
    };

    // The built-in templates, which work on the lab's app metrics.
    static QString defaultQuery(const QString &key);

    explicit PrometheusMetricsSource(Settings settings, QObject *parent = nullptr);
    ~PrometheusMetricsSource() override;

    // A template with its placeholders filled in; {{version}} becomes `version`, {{window}}
    // becomes `window` when given (range queries widen it to their step), else rateWindow.
    static QString expand(const QString &tmpl, const Settings &settings, const QString &version,
                          const QString &window = QString());
    // A Prometheus duration ("10s", "1m30s", "500ms") in milliseconds; -1 if it is not one.
    static qint64 durationMs(const QString &duration);

    // Runs one PromQL string (placeholders allowed, {{version}} = stableLabel) and answers one
    // short line: the result or the error. Blocks up to the client timeouts: call it off the GUI
    // thread (the settings dialog does, on its own worker).
    static QString testQuery(const Settings &settings, const QString &promql, bool *ok = nullptr);

public Q_SLOTS:
    void queryInstant() override;
    void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) override;
    // testQuery with this source's client, answered by testQueryFinished.
    void runTestQuery(const QString &promql, quint64 token) override;
    // Re-reads the "prometheus" object (queries, labels, client keys) and a new client with it.
    void reconfigure(const QJsonObject &targetSettings) override;

Q_SIGNALS:
    // Prometheus' "warnings" (e.g. partial data from a federated setup), when they change.
    void warningsChanged(const QStringList &warnings);

protected:
    void onStopRequested() override;

private:
    struct PerVersion;
    bool instant(const QString &tmpl, qint64 timeMs, PerVersion *out, QString *error);
    bool range(const QString &tmpl, qint64 startMs, qint64 endMs, qint64 stepMs, const QString &window, QList<HealthSample> *stable,
               QList<HealthSample> *canary, double HealthSample::*field, QString *error);
    bool split(const PromResponse &r, const QString &version, const PromSeries **stable,
               const PromSeries **canary, QString *error) const;
    void noteWarnings(const QStringList &warnings);

    Settings m_settings;
    std::unique_ptr<PrometheusClient> m_client;
    QMutex m_clientLock; // onStopRequested() comes from another thread while reconfigure() swaps m_client
    QStringList m_pollWarnings;
    QStringList m_lastWarnings;
};

} // namespace Switchboard
