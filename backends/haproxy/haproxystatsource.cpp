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

HaproxyStatSource::HaproxyStatSource(const HaproxyTargetSettings &settings, int windowMs, int maxAgeMs, QObject *parent)
    : MetricsSource(parent)
    , m_settings(settings)
    , m_windowMs(windowMs)
    , m_maxAgeMs(maxAgeMs)
{
}

HaproxyStatSource::~HaproxyStatSource() = default;

const HaproxyStatSource::Kept *HaproxyStatSource::base(qint64 nowNs) const
{
    if (m_kept.empty())
        return nullptr;
    if (m_windowMs <= 0)
        return &m_kept.back();
    const qint64 windowNs = qint64(m_windowMs) * 1000000;
    // The newest reading that is at least a window old; the oldest one while none is yet.
    for (auto it = m_kept.crbegin(); it != m_kept.crend(); ++it) {
        if (nowNs - it->atNs >= windowNs)
            return &*it;
    }
    return &m_kept.front();
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
    s.responses = double(responses);
    s.errorRatio = responses > 0 ? double(std::min(errors, responses)) / double(responses) : unknown();
    return s;
}

void HaproxyStatSource::queryInstant()
{
    // Made here, not in the constructor: the reader belongs to the thread the source runs on.
    if (!m_reader)
        m_reader = HaproxyStatReader::forThread(m_settings);
    QString error;
    const std::shared_ptr<const HaproxyStatReader::Reading> reading = m_reader->read(m_settings.backend, m_maxAgeMs, &error);
    if (!reading) {
        Q_EMIT queryFailed(error);
        return;
    }
    if (const auto failed = reading->errors.constFind(m_settings.backend); failed != reading->errors.cend()) {
        Q_EMIT queryFailed(*failed);
        return;
    }
    Reading now;
    for (const HaproxyServerStat &row : reading->servers.value(m_settings.backend))
        now.insert(row.server, Counters::from(row));
    // Intervals come from a monotonic clock: wall clock jumps must not fake a rate.
    const qint64 nowNs = reading->atNs;
    if (m_keptEndpoint != reading->endpoint) {
        m_kept.clear();
        m_keptEndpoint = reading->endpoint;
    }
    // The same shared reading again (this target polled again before the reader renewed it):
    // the same sample from the same base, kept once.
    const bool repeated = !m_kept.empty() && m_kept.back().atNs == nowNs;
    if (repeated)
        m_kept.pop_back();
    const Kept *from = base(nowNs);
    const bool haveBase = from != nullptr;
    const double elapsed = haveBase ? double(nowNs - from->atNs) / 1e6 : 0.0;
    HealthSnapshot h;
    h.stable = sample(haveBase ? from->reading : Reading(), now, m_settings.stable, elapsed, reading->timeMs);
    h.canary = sample(haveBase ? from->reading : Reading(), now, m_settings.canary, elapsed, reading->timeMs);
    m_kept.push_back({nowNs, now});
    // Keep what the window needs and one reading older than it.
    const qint64 windowNs = qint64(std::max(m_windowMs, 0)) * 1000000;
    while (m_kept.size() > 2 && nowNs - m_kept[1].atNs >= windowNs)
        m_kept.pop_front();
    if (haveBase && !repeated) {
        m_stableHistory.append(h.stable);
        m_canaryHistory.append(h.canary);
        if (m_stableHistory.size() > maxHistory) {
            m_stableHistory.removeFirst();
            m_canaryHistory.removeFirst();
        }
    }
    Q_EMIT instantReady(h);
}

void HaproxyStatSource::queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token)
{
    HealthSeries series;
    series.stable = thin(m_stableHistory, fromMs, toMs, stepMs);
    series.canary = thin(m_canaryHistory, fromMs, toMs, stepMs);
    Q_EMIT rangeReady(series, token);
}

} // namespace Switchboard
