#include "prometheusmetricssource.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <cmath>

Q_DECLARE_LOGGING_CATEGORY(lcPrometheus)

namespace Switchboard {

namespace {

const QString kVersion = QStringLiteral("{{version}}");
const QString kVersions = QStringLiteral("{{versions}}");
const QString kWindow = QStringLiteral("{{window}}");
const QString kBackend = QStringLiteral("{{backend}}");

// Prometheus caps a range query at 11,000 points per series.
constexpr qint64 kMaxPoints = 11000;

// For the inside of a PromQL double-quoted string.
QString promqlString(QString s)
{
    s.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    s.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    s.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return s;
}

// RE2 (Prometheus' regex engine) rejects escaped letters and non-ASCII, so QRegularExpression's
// escape() is not usable: escape exactly RE2's metacharacters.
QString regexQuote(const QString &s)
{
    static const QString meta = QStringLiteral("\\.+*?()|[]{}^$");
    QString out;
    for (const QChar c : s) {
        if (meta.contains(c))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

double knownOrNaN(double v)
{
    // Inf is a real Prometheus answer (x/0), but not a health value anyone can act on.
    return std::isfinite(v) ? v : unknown();
}

QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString::number(v, 'g', 6);
}

QString labelText(const std::map<std::string, std::string> &labels)
{
    QString name;
    QStringList parts;
    for (const auto &[k, v] : labels) {
        if (k == "__name__")
            name = QString::fromStdString(v);
        else
            parts.append(QString::fromStdString(k) + QStringLiteral("=\"") + QString::fromStdString(v) + QLatin1Char('"'));
    }
    QString text = name + QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
    if (text.size() > 120)
        text = text.left(117) + QStringLiteral("...");
    return text;
}

QString unknownPlaceholder(const QString &tmpl)
{
    static const QRegularExpression re(QStringLiteral("\\{\\{([^{}]*)\\}\\}"));
    static const QStringList known{QStringLiteral("version"), QStringLiteral("versions"), QStringLiteral("window"),
                                   QStringLiteral("backend")};
    for (auto it = re.globalMatch(tmpl); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (!known.contains(m.captured(1)))
            return m.captured(0);
    }
    return {};
}

QString describe(PrometheusClient &client, const PrometheusMetricsSource::Settings &settings, const QString &promql,
                 bool *ok)
{
    if (ok)
        *ok = false;
    if (const QString bad = unknownPlaceholder(promql); !bad.isEmpty())
        return QStringLiteral("unknown placeholder %1 (known: {{version}}, {{versions}}, {{window}}, {{backend}})").arg(bad);
    const PrometheusClient::Reply reply = client.query(PrometheusMetricsSource::expand(promql, settings, settings.stableLabel));
    if (!reply.ok())
        return reply.error;
    const PromResponse &r = reply.response;
    QString text;
    switch (r.resultType) {
    case PromResponse::ResultType::Scalar:
        text = QStringLiteral("scalar %1").arg(number(r.scalar.value));
        break;
    case PromResponse::ResultType::String:
        text = QStringLiteral("string \"%1\"").arg(QString::fromStdString(r.text).left(100));
        break;
    case PromResponse::ResultType::Vector: {
        if (r.series.empty()) {
            text = QStringLiteral("no series (nothing matches now)");
            break;
        }
        QStringList shown;
        for (std::size_t i = 0; i < r.series.size() && i < 3; ++i)
            shown.append(labelText(r.series[i].labels) + QLatin1Char(' ') + number(r.series[i].samples.front().value));
        text = QStringLiteral("%1 series: %2").arg(r.series.size()).arg(shown.join(QStringLiteral("; ")));
        if (r.series.size() > 3)
            text += QStringLiteral("; ...");
        break;
    }
    case PromResponse::ResultType::Matrix: {
        std::size_t points = 0;
        for (const PromSeries &s : r.series)
            points += s.samples.size();
        text = QStringLiteral("range vector: %1 series, %2 samples (wrap it in rate(...) or similar)")
                   .arg(r.series.size())
                   .arg(points);
        break;
    }
    case PromResponse::ResultType::None:
        text = QStringLiteral("no result");
        break;
    }
    if (!reply.warnings.isEmpty())
        text += QStringLiteral(" (warnings: %1)").arg(reply.warnings.join(QStringLiteral("; ")));
    if (settings.client.insecureSkipTlsVerify)
        text += QStringLiteral(" [TLS verification is off]");
    if (ok)
        *ok = true;
    return text;
}

struct Metric
{
    const char *name;
    QString PrometheusMetricsSource::Settings::*tmpl;
    double HealthSample::*field;
};

const Metric kMetrics[] = {
    {"rps", &PrometheusMetricsSource::Settings::rps, &HealthSample::rps},
    {"errorRatio", &PrometheusMetricsSource::Settings::errorRatio, &HealthSample::errorRatio},
    {"p50", &PrometheusMetricsSource::Settings::p50, &HealthSample::p50Ms},
    {"p95", &PrometheusMetricsSource::Settings::p95, &HealthSample::p95Ms},
    {"p99", &PrometheusMetricsSource::Settings::p99, &HealthSample::p99Ms},
};

} // namespace

struct PrometheusMetricsSource::PerVersion
{
    double stable = unknown();
    double canary = unknown();
};

QString PrometheusMetricsSource::defaultQuery(const QString &key)
{
    // One query per metric for both versions (sum by (version)); see the header.
    const QString total = QStringLiteral("sum by (version) (rate(app_requests_total{version=~\"{{versions}}\"}[{{window}}]))");
    if (key == QStringLiteral("rps"))
        return total;
    if (key == QStringLiteral("errorRatio")) {
        // `or ... * 0`: a version that served no 5xx yet has no 5xx series at all, and a plain
        // division would drop it (unknown) instead of answering 0. No traffic stays 0/0 = NaN.
        return QStringLiteral("(sum by (version) (rate(app_requests_total{version=~\"{{versions}}\",code=~\"5..\"}[{{window}}]))"
                              " or %1 * 0) / %1")
            .arg(total);
    }
    const QString quantile = QStringLiteral(
        "histogram_quantile(%1, sum by (version, le) (rate(app_request_duration_seconds_bucket{version=~\"{{versions}}\"}[{{window}}]))) * 1000");
    if (key == QStringLiteral("p50"))
        return quantile.arg(QStringLiteral("0.5"));
    if (key == QStringLiteral("p95"))
        return quantile.arg(QStringLiteral("0.95"));
    if (key == QStringLiteral("p99"))
        return quantile.arg(QStringLiteral("0.99"));
    if (key == QStringLiteral("sampleTime"))
        return QStringLiteral("max by (version) (timestamp(app_requests_total{version=~\"{{versions}}\"}))");
    return {};
}

bool PrometheusMetricsSource::Settings::fromTarget(const TargetConfig &target, Settings *out, QString *error)
{
    const QString prefix = QStringLiteral("target \"%1\": ").arg(target.name);
    auto bad = [&prefix, error](const QString &message) {
        *error = prefix + message;
        return false;
    };
    const QJsonValue pv = target.settings.value(QStringLiteral("prometheus"));
    if (!pv.isObject())
        return bad(QStringLiteral("prometheus: expected an object with at least \"url\", \"stableLabel\" and \"canaryLabel\""));
    const QJsonObject p = pv.toObject();

    Settings s;
    QString clientError;
    if (!PrometheusClient::Settings::fromJson(p, &s.client, &clientError))
        return bad(clientError);

    auto string = [&p](const char *key, QString *dest) {
        const QJsonValue v = p.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        if (!v.isString())
            return false;
        *dest = v.toString();
        return true;
    };
    if (!string("stableLabel", &s.stableLabel) || s.stableLabel.isEmpty())
        return bad(QStringLiteral("prometheus.stableLabel: expected the stable version's label value, e.g. \"v1\""));
    if (!string("canaryLabel", &s.canaryLabel) || s.canaryLabel.isEmpty())
        return bad(QStringLiteral("prometheus.canaryLabel: expected the canary version's label value, e.g. \"v2\""));
    if (s.stableLabel == s.canaryLabel)
        return bad(QStringLiteral("prometheus: stableLabel and canaryLabel are both \"%1\"").arg(s.stableLabel));
    static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    if (!string("versionLabel", &s.versionLabel) || !labelName.match(s.versionLabel).hasMatch())
        return bad(QStringLiteral("prometheus.versionLabel: expected a label name such as \"version\""));
    static const QRegularExpression duration(QStringLiteral("^([0-9]+(ms|s|m|h|d|w|y))+$"));
    if (!string("rateWindow", &s.rateWindow) || !duration.match(s.rateWindow).hasMatch())
        return bad(QStringLiteral("prometheus.rateWindow: expected a Prometheus duration such as \"10s\" or \"1m\""));

    if (target.kind == QStringLiteral("haproxy"))
        s.backend = target.settings.value(QStringLiteral("haproxy")).toObject().value(QStringLiteral("backend")).toString();

    const QJsonValue qv = p.value(QStringLiteral("queries"));
    if (!qv.isUndefined() && !qv.isObject())
        return bad(QStringLiteral("prometheus.queries: expected an object {\"rps\": \"PromQL\", ...}"));
    const QJsonObject queries = qv.toObject();
    QString PrometheusMetricsSource::Settings::*const fields[] = {&Settings::rps, &Settings::errorRatio, &Settings::p50,
                                                                  &Settings::p95, &Settings::p99, &Settings::sampleTime};
    const char *const keys[] = {"rps", "errorRatio", "p50", "p95", "p99", "sampleTime"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        const QString key = QLatin1String(keys[i]);
        const QJsonValue v = queries.value(key);
        if (v.isUndefined()) {
            s.*fields[i] = defaultQuery(key);
            continue;
        }
        if (!v.isString())
            return bad(QStringLiteral("prometheus.queries.%1: expected a PromQL string (\"\" to leave it out)").arg(key));
        const QString tmpl = v.toString().trimmed();
        if (const QString unknownName = unknownPlaceholder(tmpl); !unknownName.isEmpty())
            return bad(QStringLiteral("prometheus.queries.%1: unknown placeholder %2").arg(key, unknownName));
        if (tmpl.contains(kBackend) && s.backend.isEmpty())
            return bad(QStringLiteral("prometheus.queries.%1: uses {{backend}}, but the target has no haproxy.backend").arg(key));
        s.*fields[i] = tmpl;
    }
    *out = s;
    return true;
}

PrometheusMetricsSource::PrometheusMetricsSource(Settings settings, QObject *parent)
    : MetricsSource(parent)
    , m_settings(std::move(settings))
    , m_client(std::make_unique<PrometheusClient>(m_settings.client))
{
}

PrometheusMetricsSource::~PrometheusMetricsSource() = default;

void PrometheusMetricsSource::reconfigure(const QJsonObject &targetSettings)
{
    TargetConfig target;
    target.settings = targetSettings;
    Settings next;
    QString error;
    if (!Settings::fromTarget(target, &next, &error))
        return Q_EMIT reconfigured(false, error.remove(QStringLiteral("target \"\": "))); // the controller names the target
    m_settings = std::move(next);
    {
        const QMutexLocker lock(&m_clientLock);
        m_client = std::make_unique<PrometheusClient>(m_settings.client);
        if (isStopRequested())
            m_client->cancel();
    }
    Q_EMIT reconfigured(true, {});
}

void PrometheusMetricsSource::onStopRequested()
{
    // The query under way (and its retries) ends within libcurl's next progress tick.
    const QMutexLocker lock(&m_clientLock);
    m_client->cancel();
}

qint64 PrometheusMetricsSource::durationMs(const QString &duration)
{
    static const QRegularExpression part(QStringLiteral("([0-9]+)(ms|s|m|h|d|w|y)"));
    static const QHash<QString, qint64> unit{{QStringLiteral("ms"), 1},          {QStringLiteral("s"), 1000},
                                             {QStringLiteral("m"), 60000},       {QStringLiteral("h"), 3600000},
                                             {QStringLiteral("d"), 86400000},    {QStringLiteral("w"), 7 * 86400000LL},
                                             {QStringLiteral("y"), 365 * 86400000LL}};
    qint64 total = 0;
    qsizetype at = 0;
    for (auto it = part.globalMatch(duration); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedStart() != at)
            return -1;
        at = m.capturedEnd();
        total += m.captured(1).toLongLong() * unit.value(m.captured(2));
    }
    return at == duration.size() && at > 0 ? total : -1;
}

QString PrometheusMetricsSource::expand(const QString &tmpl, const Settings &settings, const QString &version,
                                        const QString &window)
{
    QString out = tmpl;
    out.replace(kVersions, promqlString(regexQuote(settings.stableLabel) + QLatin1Char('|') + regexQuote(settings.canaryLabel)));
    out.replace(kVersion, promqlString(version));
    out.replace(kWindow, window.isEmpty() ? settings.rateWindow : window);
    out.replace(kBackend, promqlString(settings.backend));
    return out;
}

QString PrometheusMetricsSource::testQuery(const Settings &settings, const QString &promql, bool *ok)
{
    PrometheusClient client(settings.client);
    return describe(client, settings, promql, ok);
}

void PrometheusMetricsSource::runTestQuery(const QString &promql, quint64 token)
{
    bool ok = false;
    const QString text = describe(*m_client, m_settings, promql, &ok);
    Q_EMIT testQueryFinished(token, ok, text);
}

void PrometheusMetricsSource::noteWarnings(const QStringList &warnings)
{
    for (const QString &w : warnings) {
        if (!m_pollWarnings.contains(w))
            m_pollWarnings.append(w);
    }
}

bool PrometheusMetricsSource::split(const PromResponse &r, const QString &version, const PromSeries **stable,
                                    const PromSeries **canary, QString *error) const
{
    if (!version.isEmpty()) {
        if (r.series.size() > 1) {
            *error = QStringLiteral("returned %1 series for version \"%2\"; aggregate them to one, e.g. sum(...)")
                         .arg(r.series.size())
                         .arg(version);
            return false;
        }
        if (!r.series.empty())
            *(version == m_settings.stableLabel ? stable : canary) = &r.series.front();
        return true;
    }
    const std::string label = m_settings.versionLabel.toStdString();
    const std::string stableValue = m_settings.stableLabel.toStdString();
    const std::string canaryValue = m_settings.canaryLabel.toStdString();
    for (const PromSeries &s : r.series) {
        const auto it = s.labels.find(label);
        if (it == s.labels.end())
            continue;
        const PromSeries **slot = it->second == stableValue ? stable : it->second == canaryValue ? canary : nullptr;
        if (!slot)
            continue;
        if (*slot) {
            *error = QStringLiteral("returned several series with %1=\"%2\"; aggregate them, e.g. sum by (%1) (...)")
                         .arg(m_settings.versionLabel, QString::fromStdString(it->second));
            return false;
        }
        *slot = &s;
    }
    if (!r.series.empty() && !*stable && !*canary) {
        *error = QStringLiteral("none of its %1 series has %2=\"%3\" or \"%4\"; group it by (%2), or use {{version}}")
                     .arg(r.series.size())
                     .arg(m_settings.versionLabel, m_settings.stableLabel, m_settings.canaryLabel);
        return false;
    }
    return true;
}

bool PrometheusMetricsSource::instant(const QString &tmpl, qint64 timeMs, PerVersion *out, QString *error)
{
    const bool perVersion = tmpl.contains(kVersion);
    const QStringList versions = perVersion ? QStringList{m_settings.stableLabel, m_settings.canaryLabel} : QStringList{QString()};
    for (const QString &v : versions) {
        const PrometheusClient::Reply reply = m_client->query(expand(tmpl, m_settings, v), timeMs);
        noteWarnings(reply.warnings);
        if (!reply.ok()) {
            *error = reply.error;
            return false;
        }
        if (reply.response.resultType != PromResponse::ResultType::Vector) {
            *error = QStringLiteral("expected an instant vector, got a %1").arg(QLatin1String(promResultTypeName(reply.response.resultType)));
            return false;
        }
        const PromSeries *stable = nullptr;
        const PromSeries *canary = nullptr;
        if (!split(reply.response, v, &stable, &canary, error))
            return false;
        if (stable)
            out->stable = knownOrNaN(stable->samples.front().value);
        if (canary)
            out->canary = knownOrNaN(canary->samples.front().value);
    }
    return true;
}

void PrometheusMetricsSource::queryInstant()
{
    m_pollWarnings.clear();
    // One evaluation time for every query of the poll, so the values describe the same moment.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    HealthSnapshot h;
    h.stable.timeMs = h.canary.timeMs = now;
    for (const Metric &m : kMetrics) {
        const QString &tmpl = m_settings.*m.tmpl;
        if (tmpl.isEmpty())
            continue;
        PerVersion v;
        QString error;
        if (!instant(tmpl, now, &v, &error)) {
            Q_EMIT queryFailed(QLatin1String(m.name) + QStringLiteral(" query: ") + error);
            return;
        }
        h.stable.*m.field = v.stable;
        h.canary.*m.field = v.canary;
    }
    if (!m_settings.sampleTime.isEmpty()) {
        PerVersion t;
        QString error;
        if (!instant(m_settings.sampleTime, now, &t, &error)) {
            Q_EMIT queryFailed(QStringLiteral("sampleTime query: ") + error);
            return;
        }
        // Seconds; no series (a version without samples) keeps the evaluation time.
        auto stamp = [now](double seconds, qint64 *timeMs) {
            if (isKnown(seconds) && seconds > 0)
                *timeMs = std::min(now, qint64(std::llround(seconds * 1000)));
        };
        stamp(t.stable, &h.stable.timeMs);
        stamp(t.canary, &h.canary.timeMs);
    }
    if (m_pollWarnings != m_lastWarnings) {
        for (const QString &w : std::as_const(m_pollWarnings))
            qCWarning(lcPrometheus, "Prometheus warning: %s", qUtf8Printable(w));
        m_lastWarnings = m_pollWarnings;
        Q_EMIT warningsChanged(m_lastWarnings);
    }
    Q_EMIT instantReady(h);
}

bool PrometheusMetricsSource::range(const QString &tmpl, qint64 startMs, qint64 endMs, qint64 stepMs, const QString &window,
                                    QList<HealthSample> *stable, QList<HealthSample> *canary,
                                    double HealthSample::*field, QString *error)
{
    const bool perVersion = tmpl.contains(kVersion);
    const QStringList versions = perVersion ? QStringList{m_settings.stableLabel, m_settings.canaryLabel} : QStringList{QString()};
    for (const QString &v : versions) {
        const PrometheusClient::Reply reply = m_client->queryRange(expand(tmpl, m_settings, v, window), startMs, endMs, stepMs);
        noteWarnings(reply.warnings);
        if (!reply.ok()) {
            *error = reply.error;
            return false;
        }
        if (reply.response.resultType != PromResponse::ResultType::Matrix) {
            *error = QStringLiteral("expected a range result (matrix), got a %1")
                         .arg(QLatin1String(promResultTypeName(reply.response.resultType)));
            return false;
        }
        const PromSeries *s = nullptr;
        const PromSeries *c = nullptr;
        if (!split(reply.response, v, &s, &c, error))
            return false;
        // Points land on the grid by index; anything off the grid (not expected) is dropped.
        auto put = [startMs, stepMs, field](const PromSeries *series, QList<HealthSample> *out) {
            if (!series)
                return;
            for (const PromSample &p : series->samples) {
                const qint64 offset = p.timeMs - startMs;
                if (offset < 0 || offset % stepMs != 0 || offset / stepMs >= out->size())
                    continue;
                (*out)[offset / stepMs].*field = knownOrNaN(p.value);
            }
        };
        put(s, stable);
        put(c, canary);
    }
    return true;
}

void PrometheusMetricsSource::queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token)
{
    if (stepMs <= 0 || toMs < fromMs) {
        Q_EMIT queryFailed(QStringLiteral("Prometheus: bad range (from %1 to %2, step %3 ms)").arg(fromMs).arg(toMs).arg(stepMs));
        return;
    }
    m_pollWarnings.clear();
    // The first grid point at or after `from`: windows asked for at different times share points.
    const qint64 step = stepMs;
    const qint64 start = fromMs % step == 0 ? fromMs : fromMs - ((fromMs % step) + step) % step + step;
    HealthSeries out;
    if (start > toMs) {
        Q_EMIT rangeReady(out, token);
        return;
    }
    const qint64 points = (toMs - start) / step + 1;
    if (points > kMaxPoints) {
        Q_EMIT queryFailed(QStringLiteral("Prometheus: %1 points per series is more than Prometheus' %2; use a larger step")
                               .arg(points)
                               .arg(kMaxPoints));
        return;
    }
    const qint64 end = start + (points - 1) * step;
    // A rate window shorter than the step would look at a slice of each step only (a 10 s rate
    // every 90 s misses 80 s of spikes): widen it to the step, as Grafana's $__rate_interval does.
    const qint64 windowMs = durationMs(m_settings.rateWindow);
    const QString window = step > windowMs ? QString::number(step) + QStringLiteral("ms") : QString();
    out.stable.reserve(points);
    out.canary.reserve(points);
    for (qint64 t = start; t <= end; t += step) {
        HealthSample sample;
        sample.timeMs = t;
        out.stable.append(sample);
        out.canary.append(sample);
    }
    for (const Metric &m : kMetrics) {
        const QString &tmpl = m_settings.*m.tmpl;
        if (tmpl.isEmpty())
            continue;
        QString error;
        if (!range(tmpl, start, end, step, window, &out.stable, &out.canary, m.field, &error)) {
            Q_EMIT queryFailed(QLatin1String(m.name) + QStringLiteral(" query: ") + error);
            return;
        }
    }
    Q_EMIT rangeReady(out, token);
}

} // namespace Switchboard
