#pragma once
// HAProxy's own counters (`show stat`) as a metrics layer, for targets without Prometheus:
// per-version request rate and 5xx ratio from the difference between two readings.
//
// Only what the counters can give: HAProxy keeps no percentiles, so p50/p99 stay unknown (NaN;
// its `rtime` is an average and is not passed off as a percentile). With several endpoints the
// first one that answers is read: the numbers are that node's, not a sum over nodes.
//
// HAProxy keeps no history either. queryRange answers with the samples this source computed
// itself since it started (possibly none), never with an error, so a target without Prometheus
// does not show a permanent warning; charts fill up as the app runs.
//
// The same class is the fast signal (haproxy.fastSignalMs): polled every 250 ms next to
// Prometheus, its samples span a sliding window (haproxy.fastWindowMs, 1 s by default) rather
// than the last interval, so one unlucky quarter second does not make an error ratio.

#include "haproxyruntime.h"
#include "haproxystatreader.h"
#include "metricssource.h"

#include <deque>
#include <memory>
#include <vector>

namespace Switchboard {

class HaproxyStatSource final : public MetricsSource
{
    Q_OBJECT
public:
    // The counters of one server that the health numbers come from.
    struct Counters
    {
        qint64 requests = 0;  // stot: in HTTP mode one per request
        qint64 responses = 0; // hrsp_1xx..hrsp_5xx + hrsp_other
        qint64 errors = 0;    // hrsp_5xx

        static Counters from(const HaproxyServerStat &row);
        bool operator==(const Counters &) const = default;
    };
    using Reading = QMap<QString, Counters>; // server name -> counters

    // `windowMs` 0: each sample spans the time since the previous reading; otherwise the
    // newest reading at least that old (or the oldest one kept, just after a start).
    // `maxAgeMs`: a reading of the thread's shared HaproxyStatReader that young serves (the fast
    // signal: half its interval, so the targets on one HAProxy share one `show stat`); 0: a
    // fresh reading each time.
    explicit HaproxyStatSource(const HaproxyTargetSettings &settings, int windowMs = 0, int maxAgeMs = 0,
                               QObject *parent = nullptr);
    ~HaproxyStatSource() override;

    void queryInstant() override;
    void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) override;

    // One version's health between two readings `elapsedMs` apart. A counter that went down
    // means HAProxy restarted (reload, crash): the new value is what was counted since, so
    // rates never go negative. Requests/s is 0 for an idle version (a measured zero); the
    // error ratio is NaN when nothing was answered.
    static HealthSample sample(const Reading &previous, const Reading &current, const QStringList &servers,
                               double elapsedMs, qint64 timeMs);

private:
    struct Kept
    {
        qint64 atNs = 0; // steadyNowNs()
        Reading reading;
    };
    // The reading a new one is compared with; null when there is none yet.
    const Kept *base(qint64 nowNs) const;

    HaproxyTargetSettings m_settings;
    int m_windowMs = 0;
    int m_maxAgeMs = 0;
    std::shared_ptr<HaproxyStatReader> m_reader; // shared with the thread's other sources
    std::deque<Kept> m_kept;    // oldest first, all from m_keptEndpoint
    QString m_keptEndpoint;     // rates only between readings of the same endpoint
    QList<HealthSample> m_stableHistory;
    QList<HealthSample> m_canaryHistory;
};

} // namespace Switchboard
