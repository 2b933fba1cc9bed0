#pragma once
// The readings a statistical gate judges: stable's and the canary's health over a sliding window
// (the analysis window), one entry per reading, so the judge sees request and error counts and
// one latency value per poll for each version. The counts are integrated from the rates the
// metrics layer reports (rps × the time the reading covers), as a Prometheus rate() would give.

#include "domain.h"

#include <QList>

namespace Switchboard {

class StatWindow final
{
public:
    struct Counts
    {
        double requests = 0;
        double errors = 0;
        int readings = 0;
    };

    // 0 keeps every reading since the last reset().
    void setMaxAgeMs(qint64 ms) { m_maxAgeMs = ms; }
    qint64 maxAgeMs() const { return m_maxAgeMs; }
    // A new canary weight is a new population.
    void reset();
    // One usable reading; a reading already taken in (same sample times) is ignored. A gap
    // longer than maxGapMs counts as maxGapMs: requests nobody saw are not evidence.
    void add(const HealthSnapshot &h, qint64 maxGapMs);
    Counts counts(Version v) const;
    // The version's known values of one metric (a member of HealthSample), oldest first.
    QList<double> values(Version v, double HealthSample::*metric) const;
    qsizetype size() const { return m_readings.size(); }

private:
    struct Reading
    {
        HealthSample sample;
        double coveredMs = 0; // time since this version's previous reading, capped
    };
    void trim(qint64 newestMs);

    qint64 m_maxAgeMs = 0;
    QList<Reading> m_stable;
    QList<Reading> m_canary;
    QList<qint64> m_readings; // canary sample time of each reading taken in
};

} // namespace Switchboard
