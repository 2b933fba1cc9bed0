#pragma once
// What `status` says about one target after a read: split, members, each version's health
// with the age of its newest sample, whether anything shown is stale, and a reason for every
// value that is unknown (CONTRACTS.md: a null always comes with a note or metricsError).

#include <QJsonObject>
#include <QStringList>

namespace Switchboard {

class TargetController;

class StatusReport final
{
public:
    // `metricsWaitedMs` > 0: the metrics layer had not answered after that long.
    StatusReport(const TargetController &target, qint64 nowMs, int metricsWaitedMs = 0);

    QJsonObject json() const { return m_json; }
    // The same for a terminal, one line each.
    QStringList lines() const { return m_lines; }

    bool isStale() const { return m_stale; }
    QString metricsError() const { return m_metricsError; }
    QStringList notes() const { return m_notes; }

private:
    QJsonObject m_json;
    QStringList m_lines;
    QStringList m_notes;
    QString m_metricsError;
    bool m_stale = false;
};

// How long a read should wait for the target's metrics layer by default: its Prometheus
// connect timeout plus every attempt's timeout and the back-off between them, plus a margin;
// never less than `floorMs`.
int defaultMetricsWaitMs(const QJsonObject &targetSettings, int floorMs);

// The target's operator lease as last read: {"holder", "purpose", "live", "acquired",
// "renewed", "expires", "where", "you"}; a time not known is null.
QJsonObject leaseJson(const TargetController &target, qint64 nowMs);

} // namespace Switchboard
