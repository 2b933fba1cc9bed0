#include "rollouthistory.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QTimeZone>

namespace Switchboard {

namespace {

qint64 historyTimeOf(const QJsonObject &e)
{
    const QDateTime t = QDateTime::fromString(e.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

double historyNumber(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? v.toDouble() : unknown();
}

RolloutRecord::Action historyAction(const QJsonObject &e)
{
    RolloutRecord::Action a;
    a.timeMs = historyTimeOf(e);
    a.user = e.value(QStringLiteral("user")).toString();
    a.pid = e.value(QStringLiteral("pid")).toInteger(0);
    a.action = e.value(QStringLiteral("action")).toString();
    a.result = e.value(QStringLiteral("result")).toString();
    a.reason = e.value(QStringLiteral("reason")).toString();
    a.canaryPercent = historyNumber(e, "canaryPercent");
    a.before = e.value(QStringLiteral("before")).toObject();
    a.after = e.value(QStringLiteral("after")).toObject();
    return a;
}

// Logs written before rollouts carried an id: the start time names them.
QString historyIdOf(const QJsonObject &start)
{
    const QString id = start.value(QStringLiteral("rollout")).toString();
    if (!id.isEmpty())
        return id;
    return QDateTime::fromMSecsSinceEpoch(historyTimeOf(start), Qt::UTC).toString(QStringLiteral("yyyyMMdd-HHmmss"));
}

// A rollout whose end is not in the log: say what the log does show.
void historyCloseUnfinished(RolloutRecord *r)
{
    r->outcome = QStringLiteral("unfinished");
    for (auto it = r->actions.crbegin(); it != r->actions.crend(); ++it) {
        if (it->action == QStringLiteral("rollback") && it->result == QStringLiteral("applied")) {
            r->outcomeReason = QStringLiteral("no end recorded; the last rollback applied at %1")
                                   .arg(QDateTime::fromMSecsSinceEpoch(it->timeMs, Qt::UTC).toString(Qt::ISODate));
            return;
        }
    }
    r->outcomeReason = QStringLiteral("no end recorded (still running, or the process ended first)");
}

} // namespace

QList<RolloutRecord> RolloutHistory::fromEntries(const QList<QJsonObject> &entries)
{
    QList<RolloutRecord> done;
    QHash<QString, RolloutRecord> open; // by target
    for (const QJsonObject &e : entries) {
        const QString target = e.value(QStringLiteral("target")).toString();
        const QString action = e.value(QStringLiteral("action")).toString();
        if (target.isEmpty())
            continue;
        if (action == QStringLiteral("rollout-start")) {
            if (open.contains(target)) {
                RolloutRecord r = open.take(target);
                historyCloseUnfinished(&r);
                done.append(r);
            }
            RolloutRecord r;
            r.id = historyIdOf(e);
            r.target = target;
            r.plan = e.value(QStringLiteral("plan")).toString();
            r.strategy = e.value(QStringLiteral("strategy")).toString();
            r.summary = e.value(QStringLiteral("reason")).toString();
            r.planJson = e.value(QStringLiteral("planJson")).toObject();
            r.startedBy = e.value(QStringLiteral("user")).toString();
            r.startMs = historyTimeOf(e);
            r.actions.append(historyAction(e));
            if (e.value(QStringLiteral("result")).toString() == QStringLiteral("failed")) {
                r.endMs = r.startMs;
                r.outcome = QStringLiteral("failed");
                r.outcomeReason = r.summary;
                done.append(r);
                continue;
            }
            open.insert(target, r);
            continue;
        }
        const auto it = open.find(target);
        if (it == open.end())
            continue; // an action outside any rollout
        RolloutRecord &r = *it;
        const QString id = e.value(QStringLiteral("rollout")).toString();
        if (!id.isEmpty() && id != r.id)
            continue; // another rollout's bookkeeping (a second engine on the same target)
        r.actions.append(historyAction(e));
        if (action == QStringLiteral("rollout-step")) {
            RolloutRecord::Step s;
            s.timeMs = historyTimeOf(e);
            s.number = e.value(QStringLiteral("step")).toInt();
            s.label = e.value(QStringLiteral("label")).toString();
            r.steps.append(s);
        } else if (action == QStringLiteral("rollout-gate")) {
            const QJsonObject g = e.value(QStringLiteral("gateResult")).toObject();
            RolloutRecord::Gate gate;
            gate.timeMs = historyTimeOf(e);
            gate.gate = g.value(QStringLiteral("gate")).toString();
            gate.metric = g.value(QStringLiteral("metric")).toString();
            gate.outcome = g.value(QStringLiteral("outcome")).toString(e.value(QStringLiteral("result")).toString());
            gate.text = e.value(QStringLiteral("reason")).toString();
            gate.canary = historyNumber(g, "canary");
            gate.stable = historyNumber(g, "stable");
            gate.threshold = historyNumber(g, "threshold");
            gate.canaryRequests = historyNumber(g, "canaryRequests");
            gate.consecutiveFailures = g.value(QStringLiteral("consecutiveFailures")).toInt();
            gate.failureLimit = g.value(QStringLiteral("failureLimit")).toInt(1);
            r.gates.append(gate);
        } else if (action == QStringLiteral("rollout-end")) {
            r.endMs = historyTimeOf(e);
            r.outcome = e.value(QStringLiteral("result")).toString();
            r.outcomeReason = e.value(QStringLiteral("reason")).toString();
            done.append(open.take(target));
        }
    }
    for (auto it = open.begin(); it != open.end(); ++it) {
        historyCloseUnfinished(&*it);
        done.append(*it);
    }
    std::stable_sort(done.begin(), done.end(), [](const RolloutRecord &a, const RolloutRecord &b) { return a.startMs < b.startMs; });
    return done;
}

bool RolloutHistory::readFile(const QString &path, QList<QJsonObject> *entries, QString *error, int *broken)
{
    entries->clear();
    if (broken)
        *broken = 0;
    QFile f(path);
    if (!f.exists())
        return true;
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty()) {
            if (broken)
                ++*broken;
            continue;
        }
        entries->append(o);
    }
    return true;
}

QList<RolloutRecord> RolloutHistory::forTarget(const QList<RolloutRecord> &all, const QString &target)
{
    QList<RolloutRecord> out;
    for (const RolloutRecord &r : all)
        if (r.target == target)
            out.append(r);
    return out;
}

const RolloutRecord *RolloutHistory::find(const QList<RolloutRecord> &all, const QString &id)
{
    for (const RolloutRecord &r : all)
        if (r.id == id)
            return &r;
    return nullptr;
}

} // namespace Switchboard
