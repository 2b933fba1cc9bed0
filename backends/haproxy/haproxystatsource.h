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

#include "haproxyruntime.h"
#include "metricssource.h"

#include <QElapsedTimer>

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

    explicit HaproxyStatSource(const HaproxyTargetSettings &settings, QObject *parent = nullptr);

    void queryInstant() override;
    void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) override;

    // One version's health between two readings `elapsedMs` apart. A counter that went down
    // means HAProxy restarted (reload, crash): the new value is what was counted since, so
    // rates never go negative. Requests/s is 0 for an idle version (a measured zero); the
    // error ratio is NaN when nothing was answered.
    static HealthSample sample(const Reading &previous, const Reading &current, const QStringList &servers,
                               double elapsedMs, qint64 timeMs);

private:
    HaproxyTargetSettings m_settings;
    QList<HaproxyRuntime> m_runtimes;
    Reading m_previous;
    QString m_previousEndpoint; // rates only between readings of the same endpoint
    QElapsedTimer m_previousAt;
    QList<HealthSample> m_stableHistory;
    QList<HealthSample> m_canaryHistory;
};

} // namespace Switchboard
