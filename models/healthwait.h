#pragma once
// The rolling plans' wait for the traffic layer's health checks, as a decision from the
// members' health and the time: wait, passed, roll back (with the reason) or pause (with the
// reason), and the log line to say once. Kept out of the RolloutEngine so every case can be
// tested from a member list and a clock value alone.
//
// Two moments of a move step:
// - before the move, for the servers about to get traffic: one DOWN rolls back (the new version
//   fails), one still deciding (DOWN 1/2, UP 1/3) or in maintenance is waited for;
// - after the move, for every new-version server with traffic, for as long as the plan runs:
//   one DOWN rolls back; while the move's wait is on, undecided ones are waited for and the step
//   passes once none is left.
// Undecided for longer than timeoutMs since the wait began pauses the plan: a person has to look.

#include "domain.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

class HealthWait final
{
public:
    // How long a move waits for its new servers' checks to decide before pausing.
    static constexpr qint64 timeoutMs = 30000;

    struct Decision
    {
        enum class Kind {
            Idle,     // nothing to decide (no wait on, nobody failing)
            Wait,     // checks still deciding
            Passed,   // go on: give the traffic (before the move) or take the next step (after)
            RollBack, // a new server fails its check
            Pause,    // undecided for too long
        };
        Kind kind = Kind::Idle;
        QString reason; // RollBack and Pause: why, for the engine's state and log
        QString line;   // a line to log, said once (empty when nothing new to say)
    };

    // A new step: no wait on, nothing said yet.
    void reset();
    // Before giving `added` traffic. Starts the clock on the first undecided answer.
    Decision beforeTraffic(const QString &step, const QList<Member> &members, const QStringList &added, qint64 nowMs);
    // The move was applied: its new servers' checks must now pass.
    void start(qint64 nowMs);
    // A fresh read of the members. A failing new server with traffic always rolls back;
    // `deciding` false (the plan is paused) leaves the wait itself for later.
    Decision withTraffic(const QString &step, const QList<Member> &members, bool deciding);
    // The clock moved: Pause once undecided for longer than timeoutMs, else Idle.
    Decision onTick(const QString &step, qint64 nowMs) const;

    bool isWaiting() const { return m_waiting; }
    // Since when this step waits for health checks, -1 when it does not.
    qint64 sinceMs() const { return m_sinceMs; }

private:
    // Sets decision.line to `line` unless it was the last thing said.
    void sayOnce(Decision *d, const QString &step, const QString &what);

    bool m_waiting = false; // a move was applied; its new servers' checks must pass
    qint64 m_sinceMs = -1;
    QString m_said;         // the last "waiting for" text, without the step: said once
};

} // namespace Switchboard
