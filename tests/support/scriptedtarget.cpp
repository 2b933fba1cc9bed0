#include "scriptedtarget.h"

#include "backendhost.h"
#include "targetconfig.h"
#include "weightchange.h"

#include <QMutexLocker>

namespace ScriptedTarget {

QMap<QString, int> weightsOf(const QList<Member> &members)
{
    QMap<QString, int> w;
    for (const Member &m : members)
        w.insert(m.name, m.weight);
    return w;
}

void ScriptedTraffic::refresh()
{
    QMutexLocker lock(&m_s->mutex);
    if (!m_s->trafficUp)
        return Q_EMIT refreshFailed(QStringLiteral("scripted: connection refused"));
    TrafficSnapshot snap;
    snap.timeMs = m_s->clock;
    if (!m_s->members.isEmpty()) {
        snap.members = m_s->members;
        snap.split = TrafficSplit::fromMembers(snap.members);
        return Q_EMIT snapshotReady(snap);
    }
    snap.members = {{QStringLiteral("v1"), Version::Stable, int(1000 - 10 * m_s->canaryPercent), QStringLiteral("UP"), {}},
                    {QStringLiteral("v2"), Version::Canary, int(10 * m_s->canaryPercent), QStringLiteral("UP"), {}}};
    snap.split = TrafficSplit::fromMembers(snap.members);
    Q_EMIT snapshotReady(snap);
}

void ScriptedTraffic::apply(const WeightChange &change)
{
    QMutexLocker lock(&m_s->mutex);
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    if (!m_s->members.isEmpty())
        return applyToMembers(change, r);
    r.before = {{QStringLiteral("v1"), int(1000 - 10 * m_s->canaryPercent)}, {QStringLiteral("v2"), int(10 * m_s->canaryPercent)}};
    r.status = m_s->nextResults.isEmpty() ? ChangeResult::Status::Applied : m_s->nextResults.takeFirst();
    // Like the real backends: a change made against an outdated view is a conflict.
    if (r.ok() && !change.force && !change.expected.isEmpty() && change.expected != r.before)
        r.status = ChangeResult::Status::Conflict;
    r.message = QStringLiteral("scripted %1").arg(statusName(r.status));
    if (r.ok())
        m_s->canaryPercent = change.canaryPercent;
    r.after = {{QStringLiteral("v1"), int(1000 - 10 * m_s->canaryPercent)}, {QStringLiteral("v2"), int(10 * m_s->canaryPercent)}};
    Q_EMIT changeFinished(r);
}

void ScriptedTraffic::applyToMembers(const WeightChange &change, ChangeResult &r)
{
    r.before = weightsOf(m_s->members);
    for (Member &m : m_s->members) {
        if (m_s->onApply.contains(m.name))
            std::tie(m.state, m.checkStatus) = m_s->onApply.take(m.name);
    }
    QMap<QString, int> target;
    if (!m_s->nextResults.isEmpty()) {
        r.status = m_s->nextResults.takeFirst();
        r.message = QStringLiteral("scripted %1").arg(statusName(r.status));
    } else if (checkAndPlan(change, m_s->members, r.before, &target, &r)) {
        for (Member &m : m_s->members)
            m.weight = target.value(m.name, m.weight);
        m_s->applied.append(target);
        m_s->canaryPercent = TrafficSplit::fromMembers(m_s->members).canary;
        r.status = ChangeResult::Status::Applied;
        r.message = QStringLiteral("scripted Applied");
    }
    r.after = weightsOf(m_s->members);
    Q_EMIT changeFinished(r);
}

void ScriptedMetrics::queryInstant()
{
    QMutexLocker lock(&m_s->mutex);
    if (!m_s->metricsError.isEmpty())
        return Q_EMIT queryFailed(m_s->metricsError);
    HealthSnapshot h = m_s->health;
    h.stable.timeMs = h.canary.timeMs = m_s->clock; // a fresh observation at the test clock
    Q_EMIT instantReady(h);
}

bool waitFor(QSignalSpy &spy, int ms)
{
    return !spy.isEmpty() || spy.wait(ms);
}

HealthSample sample(double rps, double err, double p99)
{
    HealthSample s;
    s.rps = rps;
    s.errorRatio = err;
    s.p50Ms = p99 / 4;
    s.p99Ms = p99;
    return s;
}

GateSpec errorGate(int failureLimit, double minRequests)
{
    GateSpec g;
    g.name = QStringLiteral("error-ratio");
    g.metric = GateSpec::Metric::ErrorRatio;
    g.max = 0.01;
    g.maxOverStable = 0.01;
    g.combine = GateSpec::Combine::Any;
    g.failureLimit = failureLimit;
    g.minRequests = minRequests;
    return g;
}

RolloutPlan plan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates)
{
    RolloutPlan p;
    p.name = QStringLiteral("test");
    p.steps = steps;
    p.gates = gates;
    return p;
}

Rig::Rig(const RolloutPlan &p, const QList<Member> &members)
    : script(std::make_shared<Script>())
{
    script->members = members;
    TargetConfig t;
    t.name = QStringLiteral("scripted");
    t.kind = QStringLiteral("sim");
    t.pollMs = 100;
    script->health = {sample(760, 0.002, 40), sample(40, 0.003, 45)};
    auto host = std::make_unique<BackendHost>(std::make_unique<ScriptedTraffic>(script),
                                              std::make_unique<ScriptedMetrics>(script), QStringLiteral("scripted"));
    controller = std::make_unique<TargetController>(t, std::move(host), &log, nullptr);
    engine = std::make_unique<RolloutEngine>(controller.get(), p, [s = script] {
        QMutexLocker lock(&s->mutex);
        return s->clock;
    });
    QObject::connect(engine.get(), &RolloutEngine::logLine, engine.get(), [this](const QString &l) { lines.append(l); });
}

void Rig::advance(qint64 ms)
{
    QMutexLocker lock(&script->mutex);
    script->clock += ms;
}

void Rig::setHealth(const QString &name, const QString &state, const QString &check)
{
    QMutexLocker lock(&script->mutex);
    for (Member &m : script->members) {
        if (m.name == name) {
            m.state = state;
            m.checkStatus = check;
        }
    }
}

bool Rig::read()
{
    QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
    controller->refreshNow();
    return snap.wait(5000);
}

void Rig::set(const QString &metricsError, bool trafficUp)
{
    QMutexLocker lock(&script->mutex);
    script->metricsError = metricsError;
    script->trafficUp = trafficUp;
}

bool Rig::observe(const HealthSample &canary)
{
    qint64 t = 0;
    QString error;
    {
        QMutexLocker lock(&script->mutex);
        script->clock += 100;
        script->health.canary = canary;
        t = script->clock;
        error = script->metricsError;
    }
    for (int i = 0; i < 20; ++i) {
        QSignalSpy health(controller.get(), &TargetController::healthChanged);
        controller->refreshNow();
        if (!health.wait(5000))
            return false;
        if (error.isEmpty() ? controller->health().canary.timeMs == t && controller->metricsError().isEmpty()
                            : controller->metricsError() == error)
            return true;
    }
    return false;
}

bool Rig::startAndApply()
{
    QSignalSpy snap(controller.get(), &TargetController::snapshotChanged);
    QSignalSpy health(controller.get(), &TargetController::healthChanged);
    controller->refreshNow();
    if (!waitFor(snap) || !waitFor(health))
        return false;
    QSignalSpy done(controller.get(), &TargetController::actionFinished);
    QSignalSpy after(controller.get(), &TargetController::healthChanged);
    engine->start();
    return waitFor(done) && waitFor(after);
}

const HealthSample bad = sample(40, 0.2, 45);

QList<Member> threeAndThree()
{
    QList<Member> out;
    for (const char *n : {"v1-a", "v1-b", "v1-c"})
        out.append({QString::fromLatin1(n), Version::Stable, 256, QStringLiteral("UP"), QStringLiteral("L7OK")});
    for (const char *n : {"v2-a", "v2-b", "v2-c"})
        out.append({QString::fromLatin1(n), Version::Canary, 0, QStringLiteral("UP"), QStringLiteral("L7OK")});
    return out;
}

RolloutPlan rollingPlan(const QList<RolloutStep> &steps, const QList<GateSpec> &gates)
{
    RolloutPlan p = plan(steps, gates);
    p.strategy = RolloutPlan::Strategy::Rolling;
    return p;
}

QString serving(const QMap<QString, int> &weights)
{
    QStringList old;
    QStringList fresh;
    for (auto it = weights.cbegin(); it != weights.cend(); ++it) {
        if (it.value() > 0)
            (it.key().startsWith(QLatin1String("v1")) ? old : fresh).append(it.key());
    }
    return old.join(QLatin1Char(' ')) + QStringLiteral(" | ") + fresh.join(QLatin1Char(' '));
}

} // namespace ScriptedTarget
