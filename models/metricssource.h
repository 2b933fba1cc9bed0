#pragma once
// The seam to a metrics layer (Prometheus, HAProxy's own counters, the simulator): per-version
// health now and over a time range. Lives on its own thread like TrafficBackend.

#include "domain.h"

#include <QObject>

namespace Switchboard {

class MetricsSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~MetricsSource() override = default;

public Q_SLOTS:
    // Health of both versions now: answers instantReady or queryFailed.
    virtual void queryInstant() = 0;
    // History for charts; `token` comes back with the answer so a caller can drop stale ones.
    virtual void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) = 0;

Q_SIGNALS:
    void instantReady(const Switchboard::HealthSnapshot &health);
    void rangeReady(const Switchboard::HealthSeries &series, quint64 token);
    void queryFailed(const QString &error);
};

} // namespace Switchboard
