#pragma once
// Drives a TargetController on the lab the way the lab tests do, without its poll timer, and
// checks the split that real requests then get: the steps the HAProxy and nginx integration
// and zero-downtime tests share.

#include "domain.h"
#include "eventlogmodel.h"

#include <QList>
#include <QString>

#include <memory>

namespace Switchboard {
class TargetController;
}

class ControllerDriver final
{
public:
    // What one action through the controller came to.
    struct Step
    {
        bool finished = false; // actionFinished came within the driver's timeout
        bool reread = false;   // and so did the read the controller does after every change
        Switchboard::ChangeResult result;
    };

    // `changeTimeoutMs`: how long one change may take on this kind (an nginx change reloads).
    explicit ControllerDriver(int changeTimeoutMs);

    // A controller on `target` that logs to this driver's log; null when the target's backends
    // cannot be built, with the reason in *error, or as a warning when `error` is null.
    std::unique_ptr<Switchboard::TargetController> controller(const Switchboard::TargetConfig &target,
                                                              QString *error = nullptr);

    // A fresh snapshot (the tests drive every read themselves).
    static bool refreshed(Switchboard::TargetController *c);

    // Sets the canary to `percent` (or rolls back) with `reason`, then waits for the read the
    // controller does after the change, so the next change starts from what the layer now holds.
    Step step(Switchboard::TargetController *c, double percent, const QString &reason, bool force = false,
              bool rollback = false) const;
    // step() as the integration tests use it: the result, a default (failed) one on a timeout.
    Switchboard::ChangeResult change(Switchboard::TargetController *c, double percent, bool force = false,
                                     bool rollback = false) const;

    // The zero-downtime walk: 0 -> 10 -> 50 -> 100 % and a rollback, `gapMs` before the first
    // change and after each, while the caller's traffic runs. Fails the current test (QVERIFY) at
    // the first change that does not apply; the caller checks QTest::currentTestFailed(). The
    // results in order through `results`.
    void walkAndRollBack(Switchboard::TargetController *c, int gapMs, QList<Switchboard::ChangeResult> *results) const;

    // The rows splitMatchesRequests runs on every lab kind: column "canary" (double).
    static void addSplitRows();
    // `requests` through the frontend on `port` after the canary was set to `canary` %: all
    // answered by v1 or v2, none by v2 at 0 %, none by v1 at 100 %, else within `tolerance`
    // points. `detail`, when given, ends the logged line in parentheses.
    static void verifySplit(quint16 port, double canary, int requests, double tolerance, const QString &detail = {});
    // After a rollback: every one of `requests` answered by v1.
    static void verifyAllStable(quint16 port, int requests);

private:
    int m_changeTimeoutMs;
    Switchboard::EventLogModel m_log;
};
