#pragma once
// One rollout as the audit log tells it (RolloutHistory gathers it): who started which plan on
// which target, each step with its time, each gate result with its numbers, every action in its
// window with who and why (other operators' and scripts' included), and how it ended. A value
// for the history list and the evidence report.

#include "domain.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Switchboard {

struct RolloutRecord
{
    struct Step
    {
        qint64 timeMs = 0;
        int number = 0; // 1-based, as the log says "step 2/6"
        QString label;  // "25%", "analysis 0:30"
    };
    struct Gate
    {
        qint64 timeMs = 0; // when the engine judged it
        QString gate;
        QString metric;
        QString outcome; // pass, fail, inconclusive
        QString text;    // the engine's line: "error-ratio fail: canary 20.1% > 1.00% ..."
        double canary = unknown();
        double stable = unknown();
        double threshold = unknown();
        double canaryRequests = unknown();
        int consecutiveFailures = 0;
        int failureLimit = 1;
    };
    struct Action
    {
        qint64 timeMs = 0;
        QString user;
        qint64 pid = 0; // 0: not recorded
        QString action;
        QString result;
        QString reason;
        double canaryPercent = unknown(); // what a weight change asked for
        QJsonObject before;
        QJsonObject after;
    };

    QString id;     // the engine's id, or one made of the start time for older logs
    QString target;
    QString plan;
    QString strategy;
    QString summary; // the start entry's reason: the plan's steps in a line
    QJsonObject planJson;
    QString startedBy;
    qint64 startMs = 0;
    qint64 endMs = 0; // 0: no end recorded (still running, or the process died)
    // promoted, rolled back, failed, or unfinished (no end recorded)
    QString outcome;
    QString outcomeReason;
    QList<Step> steps;
    QList<Gate> gates;
    QList<Action> actions; // every entry of the target in the rollout's window, in order

    bool isFinished() const { return endMs > 0; }
};

} // namespace Switchboard
