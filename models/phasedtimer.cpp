#include "phasedtimer.h"

#include <QRandomGenerator>

#include <algorithm>

namespace Switchboard {

PhasedTimer::PhasedTimer(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(std::max(1, intervalMs))
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_phased) {
            m_phased = true;
            m_timer.start(m_intervalMs);
        }
        Q_EMIT timeout();
    });
}

void PhasedTimer::start()
{
    m_phased = false;
    m_timer.start(int(QRandomGenerator::global()->bounded(quint32(m_intervalMs))));
}

void PhasedTimer::stop()
{
    m_timer.stop();
}

} // namespace Switchboard
