#include "phasedtimer.h"

#include <QRandomGenerator>

#include <algorithm>

namespace Switchboard {

PhasedTimer::PhasedTimer(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(std::max(1, intervalMs))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        armNext();
        Q_EMIT timeout();
    });
}

void PhasedTimer::start()
{
    m_clock.start();
    m_phaseMs = qint64(QRandomGenerator::global()->bounded(quint32(m_intervalMs)));
    m_timer.start(int(m_phaseMs));
}

void PhasedTimer::stop()
{
    m_timer.stop();
}

void PhasedTimer::setInterval(int intervalMs)
{
    m_intervalMs = std::max(1, intervalMs);
    if (m_timer.isActive())
        start();
}

void PhasedTimer::armNext()
{
    // The next slot of the grid strictly after now. A precise timer can fire a millisecond
    // early, so a slot less than a millisecond away counts as this one.
    const qint64 now = m_clock.elapsed() + 1;
    const qint64 k = now <= m_phaseMs ? 1 : (now - m_phaseMs) / m_intervalMs + 1;
    const qint64 next = m_phaseMs + k * m_intervalMs;
    m_timer.start(int(next - m_clock.elapsed()));
}

} // namespace Switchboard
