#pragma once
// A TargetController over scripted backends and a test clock, with a RolloutEngine on it: what
// the RolloutEngine tests (tst_rolloutengine*) drive, transition by transition. Rolling plans run
// on a scripted target with several servers per version, whose weights go through the backends'
// own checkAndPlan.

#include "eventlogmodel.h"
#include "rolloutengine.h"
#include "targetcontroller.h"
#include "trafficbackend.h"
#include "metricssource.h"

#include <QHash>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QSignalSpy>
#include <QStringList>

#include <memory>

namespace ScriptedTarget {

using namespace Switchboard;

// What the scripted backends answer; shared with their worker thread.
struct Script
{
    QMutex mutex;
    qint64 clock = 1'000'000;
    double canaryPercent = 0;
    QList<ChangeResult::Status> nextResults; // consumed per apply; empty = Applied
    HealthSnapshot health;
    QString metricsError;
    bool trafficUp = true;
    // Server mode (rolling plans): these members, changed with the backends' own checkAndPlan;
    // `applied` records the weights after every change. Empty: the two-member percent mode.
    QList<Member> members;
    QList<QMap<QString, int>> applied;
    // Health-check states (state, check) that take effect with the next change, so a test can
    // place a flip exactly between a move and the read after it.
    QHash<QString, QPair<QString, QString>> onApply;
};

QMap<QString, int> weightsOf(const QList<Member> &members);

class ScriptedTraffic final : public TrafficBackend
{
public:
    explicit ScriptedTraffic(std::shared_ptr<Script> s) : m_s(std::move(s)) {}
    void refresh() override;
    void apply(const WeightChange &change) override;

private:
    void applyToMembers(const WeightChange &change, ChangeResult &r);

    std::shared_ptr<Script> m_s;
};

class ScriptedMetrics final : public MetricsSource
{
public:
    explicit ScriptedMetrics(std::shared_ptr<Script> s) : m_s(std::move(s)) {}
    void queryInstant() override;
    void queryRange(qint64, qint64, int, quint64 token) override { Q_EMIT rangeReady({}, token); }

private:
    std::shared_ptr<Script> m_s;
};

// The signal may already have come while an earlier wait spun the event loop.
bool waitFor(QSignalSpy &spy, int ms = 5000);
HealthSample sample(double rps, double err, double p99);
GateSpec errorGate(int failureLimit = 1, double minRequests = 0);
RolloutPlan plan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates = {errorGate()});

struct Rig
{
    explicit Rig(const RolloutPlan &p, const QList<Member> &members = {});
    void advance(qint64 ms);
    // Server mode: what the traffic layer's health check says of `name` from now on.
    void setHealth(const QString &name, const QString &state, const QString &check);
    // A read of the traffic layer that the controller (and the engine) has seen.
    bool read();
    void set(const QString &metricsError, bool trafficUp = true);
    // One poll: the clock moves on a bit and the controller reads both backends. Returns once
    // the controller holds this very observation (an answer already on the way is skipped).
    bool observe(const HealthSample &canary = sample(40, 0.003, 45));
    // Starts once the controller has read both backends, and returns once the first step's
    // change is applied and the controller's read after it is in, so no old answer is still
    // on its way when a test moves the clock.
    bool startAndApply();
    std::shared_ptr<Script> script;
    EventLogModel log;
    std::unique_ptr<TargetController> controller;
    std::unique_ptr<RolloutEngine> engine;
    QStringList lines;
};

extern const HealthSample bad;

// Three servers per version, the new ones without traffic, all passing their checks.
QList<Member> threeAndThree();
RolloutPlan rollingPlan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates = {});
// "v1-a v1-b | v2-a": who has traffic, old servers first.
QString serving(const QMap<QString, int> &weights);

} // namespace ScriptedTarget
