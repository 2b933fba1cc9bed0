#pragma once
// A periodic timer whose ticks keep a random phase of their own within the interval. Targets
// are started together (a workspace opens them all at once): with plain timers their polls and
// lease reads would arrive in lockstep, hundreds of answers in one event-loop pass every
// interval. The phase is kept on a grid of the timer's own (start + phase + k × interval), not
// by a periodic QTimer: a periodic timer counts from when it fired, so one stall of the GUI
// thread longer than the phases (opening 300 targets takes that) fires them all in one pass and
// leaves them aligned from then on, and Qt re-aligns any timer that falls a whole interval
// behind to the same instant. Precise timers throughout: a coarse one may move up to 5% to
// land on a round fraction of the second, which gathers a fleet's phases into a few instants.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Switchboard {

class PhasedTimer final : public QObject
{
    Q_OBJECT
public:
    explicit PhasedTimer(int intervalMs, QObject *parent = nullptr);

    // The first timeout at a random moment within the interval, then one on each later slot of
    // that grid; slots missed while the thread was busy are skipped, not fired together.
    void start();
    void stop();
    void setInterval(int intervalMs);
    bool isActive() const { return m_timer.isActive(); }

Q_SIGNALS:
    void timeout();

private:
    void armNext();

    QTimer m_timer; // single shot, armed for the next slot
    QElapsedTimer m_clock; // monotonic; started with the timer
    int m_intervalMs;
    qint64 m_phaseMs = 0; // the grid: slots at m_phaseMs + k × m_intervalMs on m_clock
};

} // namespace Switchboard
