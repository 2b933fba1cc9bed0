#include "statwindow.h"

#include <algorithm>

namespace Switchboard {

void StatWindow::reset()
{
    m_stable.clear();
    m_canary.clear();
    m_readings.clear();
}

void StatWindow::add(const HealthSnapshot &h, qint64 maxGapMs)
{
    if (h.canary.timeMs <= 0 || (!m_readings.isEmpty() && h.canary.timeMs <= m_readings.constLast()))
        return;
    m_readings.append(h.canary.timeMs);
    auto put = [maxGapMs](QList<Reading> *list, const HealthSample &s) {
        if (s.timeMs <= 0 || (!list->isEmpty() && s.timeMs <= list->constLast().sample.timeMs))
            return;
        // The first reading covers one gap's worth: its rate stands for the time before it.
        const double covered = list->isEmpty() ? double(maxGapMs)
                                               : double(std::min(s.timeMs - list->constLast().sample.timeMs, maxGapMs));
        list->append({s, covered});
    };
    put(&m_stable, h.stable);
    put(&m_canary, h.canary);
    trim(h.canary.timeMs);
    // A bound on the work per judgement (Mann-Whitney's shift estimate is quadratic): ten
    // minutes of one-second polls.
    constexpr qsizetype kMaxReadings = 600;
    while (m_canary.size() > kMaxReadings)
        m_canary.removeFirst();
    while (m_stable.size() > kMaxReadings)
        m_stable.removeFirst();
    while (m_readings.size() > kMaxReadings)
        m_readings.removeFirst();
}

void StatWindow::trim(qint64 newestMs)
{
    if (m_maxAgeMs <= 0)
        return;
    const qint64 from = newestMs - m_maxAgeMs;
    auto drop = [from](QList<Reading> *list) {
        while (!list->isEmpty() && list->constFirst().sample.timeMs <= from)
            list->removeFirst();
    };
    drop(&m_stable);
    drop(&m_canary);
    while (!m_readings.isEmpty() && m_readings.constFirst() <= from)
        m_readings.removeFirst();
}

StatWindow::Counts StatWindow::counts(Version v) const
{
    Counts c;
    for (const Reading &r : v == Version::Stable ? m_stable : m_canary) {
        if (!isKnown(r.sample.rps) || !isKnown(r.sample.errorRatio))
            continue;
        const double n = r.sample.rps * r.coveredMs / 1000.0;
        c.requests += n;
        c.errors += n * r.sample.errorRatio;
        ++c.readings;
    }
    return c;
}

QList<double> StatWindow::values(Version v, double HealthSample::*metric) const
{
    QList<double> out;
    for (const Reading &r : v == Version::Stable ? m_stable : m_canary) {
        const double x = r.sample.*metric;
        // A version without traffic has no latency; 0 rps readings are no points.
        if (isKnown(x) && !(isKnown(r.sample.rps) && r.sample.rps <= 0))
            out.append(x);
    }
    return out;
}

} // namespace Switchboard
