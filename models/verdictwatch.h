#pragma once
// Keeps a target's health verdict of canary against stable up to date, rollout or not: the
// target's verdict gates (targets.json "verdict", else the defaults below) judged on every new
// reading with the same gate logic rollouts use (GateWatch, evaluateGate, the statistical
// judge). It never moves traffic itself: the controller decides what a failing verdict does
// (nothing, unless the operator switched on "roll back automatically").
//
// targets.json, in a target:
//   "verdict": {"gates": [...gate objects as in a preset...],   // default: defaultGatesJson()
//               "windowMs": 60000,       // how far back the judges look (since the weight was set)
//               "autoRollback": false}   // roll back to 0% on a failing verdict outside a rollout

#include "verdict.h"

#include <QJsonArray>

namespace Switchboard {

class VerdictWatch final
{
public:
    struct Reading
    {
        bool hasSnapshot = false;
        double canaryPercent = unknown(); // the set split
        bool hasHealth = false;
        HealthSnapshot health;
        QString metricsError;
        bool stale = false; // the controller's isHealthStale()
        qint64 nowMs = 0;
        qint64 staleAfterMs = 0;
    };

    static constexpr qint64 defaultWindowMs = 60000;
    static QJsonArray defaultGatesJson();
    static QList<GateSpec> defaultGates();

    VerdictWatch();

    // Reads the target's "verdict" object. False with *error (naming the key) when it is
    // unusable; the defaults then stay in force and autoRollback stays off.
    bool configure(const QJsonObject &targetSettings, QString *error);
    const QList<GateSpec> &gates() const { return m_gates; }
    qint64 windowMs() const { return m_windowMs; }
    bool autoRollback() const { return m_autoRollback; }
    void setAutoRollback(bool on) { m_autoRollback = on; }

    // Judges one reading (a reading already judged keeps the verdict, bar staleness) and
    // returns the verdict now.
    const Verdict &observe(const Reading &in);
    const Verdict &current() const { return m_verdict; }
    // Fills the judges' window from history (the charts' first backfill) so a verdict is there
    // at once instead of a window later. Only the first time: later backfills change nothing.
    // Readings are paired by time; the series' last windowMs is used, judged one by one.
    void seed(const HealthSeries &series, double canaryPercentNow, qint64 staleAfterMs);

private:
    QList<GateSpec> m_gates;
    qint64 m_windowMs = defaultWindowMs;
    bool m_autoRollback = false;
    GateWatch m_watch;
    double m_lastPercent;
    bool m_seeded = false;
    Verdict m_verdict;
};

} // namespace Switchboard
