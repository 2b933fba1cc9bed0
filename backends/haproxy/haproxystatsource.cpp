#include "haproxystatsource.h"

#include <QDateTime>

namespace Switchboard {

namespace {

// About an hour at the default 1 s poll: enough to draw the charts' longest window.
constexpr qsizetype maxHistory = 4000;

qint64 delta(qint64 previous, qint64 current)
{
    // Decreased: HAProxy restarted and counts from 0 again.
    return current >= previous ? current - previous : current;
}

QList<HealthSample> thin(const QList<HealthSample> &all, qint64 fromMs, qint64 toMs, int stepMs)
{
    QList<HealthSample> out;
    for (const HealthSample &s : all) {
        if (s.timeMs < fromMs || s.timeMs > toMs)
            continue;
        if (!out.isEmpty() && stepMs > 0 && s.timeMs - out.constLast().timeMs < stepMs)
            continue;
        out.append(s);
    }
    return out;
}

} // namespace

HaproxyStatSource::Counters HaproxyStatSource::Counters::from(const HaproxyServerStat &row)
{
    auto n = [&row](const char *field) { return std::max<qint64>(0, row.number(QLatin1String(field))); };
    Counters c;
    c.requests = n("stot");
    c.errors = n("hrsp_5xx");
    c.responses = n("hrsp_1xx") + n("hrsp_2xx") + n("hrsp_3xx") + n("hrsp_4xx") + c.errors + n("hrsp_other");
    return c;
}

HaproxyStatSource::HaproxyStatSource(const HaproxyTargetSettings &settings, QObject *parent)
    : MetricsSource(parent)
    , m_settings(settings)
{
    for (const HaproxyEndpoint &e : m_settings.endpoints)
        m_runtimes.append(HaproxyRuntime(e, m_settings.timeouts));
}

HealthSample HaproxyStatSource::sample(const Reading &previous, const Reading &current, const QStringList &servers,
                                       double elapsedMs, qint64 timeMs)
{
    HealthSample s;
    s.timeMs = timeMs;
    if (elapsedMs <= 0)
        return s;
    qint64 requests = 0;
    qint64 responses = 0;
    qint64 errors = 0;
    for (const QString &name : servers) {
        const auto prev = previous.constFind(name);
        const auto cur = current.constFind(name);
        if (prev == previous.cend() || cur == current.cend())
            return s; // a server without two readings: the version's numbers are unknown
        // A restart resets all of a server's counters at once; take each counter's own delta.
        requests += delta(prev->requests, cur->requests);
        responses += delta(prev->responses, cur->responses);
        errors += delta(prev->errors, cur->errors);
    }
    s.rps = double(requests) * 1000.0 / elapsedMs;
    s.errorRatio = responses > 0 ? double(std::min(errors, responses)) / double(responses) : unknown();
    return s;
}

void HaproxyStatSource::queryInstant()
{
    QStringList errors;
    for (const HaproxyRuntime &rt : std::as_const(m_runtimes)) {
        QList<HaproxyServerStat> rows;
        QString error;
        if (!rt.showStat(m_settings.backend, &rows, &error)) {
            errors.append(error);
            continue;
        }
        Reading now;
        for (const HaproxyServerStat &row : std::as_const(rows)) {
            if (row.proxy == m_settings.backend)
                now.insert(row.server, Counters::from(row));
        }
        const qint64 timeMs = QDateTime::currentMSecsSinceEpoch();
        // Intervals come from a monotonic clock: wall clock jumps must not fake a rate.
        const bool haveBase = m_previousAt.isValid() && m_previousEndpoint == rt.name();
        const double elapsed = haveBase ? double(m_previousAt.nsecsElapsed()) / 1e6 : 0.0;
        HealthSnapshot h;
        h.stable = sample(haveBase ? m_previous : Reading(), now, m_settings.stable, elapsed, timeMs);
        h.canary = sample(haveBase ? m_previous : Reading(), now, m_settings.canary, elapsed, timeMs);
        m_previous = now;
        m_previousEndpoint = rt.name();
        m_previousAt.start();
        if (haveBase) {
            m_stableHistory.append(h.stable);
            m_canaryHistory.append(h.canary);
            if (m_stableHistory.size() > maxHistory) {
                m_stableHistory.removeFirst();
                m_canaryHistory.removeFirst();
            }
        }
        Q_EMIT instantReady(h);
        return;
    }
    Q_EMIT queryFailed(errors.join(QStringLiteral("; ")));
}

void HaproxyStatSource::queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token)
{
    HealthSeries series;
    series.stable = thin(m_stableHistory, fromMs, toMs, stepMs);
    series.canary = thin(m_canaryHistory, fromMs, toMs, stepMs);
    Q_EMIT rangeReady(series, token);
}

} // namespace Switchboard
