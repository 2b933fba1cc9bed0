#pragma once
// A periodic timer whose first tick comes at a random moment within its interval. Targets are
// started together (a workspace opens them all at once): with plain timers their polls and
// lease reads would arrive in lockstep, hundreds of answers in one event-loop pass every
// interval. Precise timers throughout: a coarse one may move up to 5% to land on a round
// fraction of the second, which gathers a fleet's random phases back into a few instants.

#include <QObject>
#include <QTimer>

namespace Switchboard {

class PhasedTimer final : public QObject
{
    Q_OBJECT
public:
    explicit PhasedTimer(int intervalMs, QObject *parent = nullptr);

    // The first timeout at a random moment within the interval, then one every interval.
    void start();
    void stop();

Q_SIGNALS:
    void timeout();

private:
    QTimer m_timer;
    int m_intervalMs;
    bool m_phased = false; // the first timeout has come: the timer now runs at the interval
};

} // namespace Switchboard
