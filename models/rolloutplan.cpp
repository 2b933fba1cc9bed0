#include "rolloutplan.h"

#include "jsonposition.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace Switchboard {

namespace {

QString duration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

bool checkKeys(const QJsonObject &o, const QStringList &known, const QString &path, QString *error)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = QStringLiteral("%1%2%3: unknown key (known: %4)")
                         .arg(path, path.isEmpty() ? QString() : QStringLiteral("."), it.key(), known.join(QStringLiteral(", ")));
            return false;
        }
    }
    return true;
}

bool readGates(const QJsonValue &v, const QString &path, QList<GateSpec> *out, QString *error)
{
    if (v.isUndefined())
        return true;
    if (!v.isArray()) {
        *error = QStringLiteral("%1: must be an array of gates").arg(path);
        return false;
    }
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QString p = QStringLiteral("%1[%2]").arg(path).arg(i);
        if (!a.at(i).isObject()) {
            *error = QStringLiteral("%1: must be an object").arg(p);
            return false;
        }
        GateSpec g;
        if (!GateSpec::fromJson(a.at(i).toObject(), p, &g, error))
            return false;
        out->append(g);
    }
    return true;
}

// Reads an optional whole number >= lowest.
bool readWhole(const QJsonObject &o, const QString &key, const QString &path, qint64 lowest, qint64 *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != std::floor(d) || d < double(lowest)) {
        *error = QStringLiteral("%1.%2: must be a whole number >= %3").arg(path, key).arg(lowest);
        return false;
    }
    *out = qint64(d);
    return true;
}

bool readStep(const QJsonValue &v, const QString &path, RolloutStep *out, QString *error)
{
    const QStringList kinds{QStringLiteral("setWeight"), QStringLiteral("moveServers"), QStringLiteral("pause"),
                            QStringLiteral("analysis"), QStringLiteral("route")};
    const QJsonObject o = v.toObject();
    if (!v.isObject() || o.size() != 1) {
        *error = QStringLiteral("%1: must be an object with exactly one of %2").arg(path, kinds.join(QStringLiteral(", ")));
        return false;
    }
    const QString kind = o.begin().key();
    const QJsonValue body = o.begin().value();
    const QString p = path + QLatin1Char('.') + kind;
    if (kind == QStringLiteral("setWeight")) {
        if (!body.isDouble() || body.toDouble() < 0 || body.toDouble() > 100) {
            *error = QStringLiteral("%1: must be 0..100").arg(p);
            return false;
        }
        *out = RolloutStep::setWeight(body.toDouble());
        return true;
    }
    if (kind == QStringLiteral("moveServers")) {
        const double k = body.toDouble(-1);
        if (!body.isDouble() || k != std::floor(k) || k < 1 || k > 10000) {
            *error = QStringLiteral("%1: must be a whole number of servers, 1..10000").arg(p);
            return false;
        }
        *out = RolloutStep::moveServers(int(k));
        return true;
    }
    if (kind == QStringLiteral("route")) {
        if (body.isNull()) {
            *out = RolloutStep::clearRoutes();
            return true;
        }
        TrafficRoute route;
        QString why;
        if (!body.isObject()) {
            *error = QStringLiteral("%1: must be {\"header\": NAME, \"value\": VALUE}, {\"cookie\": ...} or null").arg(p);
            return false;
        }
        if (!checkKeys(body.toObject(), {QStringLiteral("header"), QStringLiteral("cookie"), QStringLiteral("value"), QStringLiteral("to")},
                       p, error))
            return false;
        if (!TrafficRoute::fromJson(body.toObject(), &route, &why)) {
            *error = QStringLiteral("%1: %2").arg(p, why);
            return false;
        }
        *out = RolloutStep::addRoute(route);
        return true;
    }
    if (!kinds.contains(kind)) {
        *error = QStringLiteral("%1: unknown step kind \"%2\" (%3)").arg(path, kind, kinds.join(QStringLiteral(", ")));
        return false;
    }
    if (!body.isObject()) {
        *error = QStringLiteral("%1: must be an object%2")
                     .arg(p, kind == QStringLiteral("pause") ? QStringLiteral(" ({} waits until resumed)") : QString());
        return false;
    }
    const QJsonObject b = body.toObject();
    RolloutStep s;
    if (kind == QStringLiteral("pause")) {
        s.kind = RolloutStep::Kind::Pause;
        if (!checkKeys(b, {QStringLiteral("durationMs")}, p, error)
            || !readWhole(b, QStringLiteral("durationMs"), p, 0, &s.durationMs, error))
            return false;
    } else {
        s.kind = RolloutStep::Kind::Analysis;
        qint64 intervals = 1;
        if (!checkKeys(b, {QStringLiteral("durationMs"), QStringLiteral("intervals"), QStringLiteral("gates")}, p, error)
            || !readWhole(b, QStringLiteral("durationMs"), p, 0, &s.durationMs, error)
            || !readWhole(b, QStringLiteral("intervals"), p, 1, &intervals, error)
            || !readGates(b.value(QStringLiteral("gates")), p + QStringLiteral(".gates"), &s.gates, error))
            return false;
        s.intervals = int(std::min<qint64>(intervals, 1000000));
    }
    *out = s;
    return true;
}

QString checkGateNames(const QList<GateSpec> &gates, const QString &path)
{
    QSet<QString> seen;
    for (qsizetype i = 0; i < gates.size(); ++i) {
        const QString n = gates.at(i).name.isEmpty() ? metricName(gates.at(i).metric) : gates.at(i).name;
        if (seen.contains(n))
            return QStringLiteral("%1[%2].name: \"%3\" used twice (give each gate its own \"name\")").arg(path).arg(i).arg(n);
        if (gates.at(i).failureLimit < 1)
            return QStringLiteral("%1[%2].failureLimit: must be at least 1").arg(path).arg(i);
        seen.insert(n);
    }
    return {};
}

} // namespace

QString strategyName(RolloutPlan::Strategy s)
{
    switch (s) {
    case RolloutPlan::Strategy::Canary: return QStringLiteral("canary");
    case RolloutPlan::Strategy::BlueGreen: return QStringLiteral("blueGreen");
    case RolloutPlan::Strategy::Rolling: return QStringLiteral("rolling");
    }
    return {};
}

bool isValidPlanName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$"));
    return re.match(name).hasMatch();
}

RolloutStep RolloutStep::setWeight(double percent)
{
    RolloutStep s;
    s.kind = Kind::SetWeight;
    s.weight = percent;
    return s;
}

RolloutStep RolloutStep::pause(qint64 durationMs)
{
    RolloutStep s;
    s.kind = Kind::Pause;
    s.durationMs = durationMs;
    return s;
}

RolloutStep RolloutStep::analysis(qint64 durationMs, int intervals, const QList<GateSpec> &gates)
{
    RolloutStep s;
    s.kind = Kind::Analysis;
    s.durationMs = durationMs;
    s.intervals = intervals;
    s.gates = gates;
    return s;
}

RolloutStep RolloutStep::moveServers(int servers)
{
    RolloutStep s;
    s.kind = Kind::MoveServers;
    s.servers = servers;
    return s;
}

RolloutStep RolloutStep::addRoute(const TrafficRoute &route)
{
    RolloutStep s;
    s.kind = Kind::Route;
    s.route = route;
    return s;
}

RolloutStep RolloutStep::clearRoutes()
{
    RolloutStep s;
    s.kind = Kind::Route;
    return s;
}

QString RolloutStep::label() const
{
    switch (kind) {
    case Kind::Route:
        if (!route)
            return QStringLiteral("clear routes");
        return route->match == TrafficRoute::Match::Header ? QStringLiteral("route %1: %2").arg(route->name, route->value)
                                                          : QStringLiteral("route cookie %1=%2").arg(route->name, route->value);
    case Kind::SetWeight: return QString::number(weight, 'g', 4) + QLatin1Char('%');
    case Kind::MoveServers: return servers == 1 ? QStringLiteral("1 server") : QStringLiteral("%1 servers").arg(servers);
    case Kind::Pause: return durationMs > 0 ? QStringLiteral("pause ") + duration(durationMs) : QStringLiteral("pause (until resumed)");
    case Kind::Analysis: return durationMs > 0 ? QStringLiteral("analysis ") + duration(durationMs) : QStringLiteral("analysis");
    }
    return {};
}

QJsonObject RolloutStep::toJson() const
{
    if (kind == Kind::SetWeight)
        return {{QStringLiteral("setWeight"), weight}};
    if (kind == Kind::MoveServers)
        return {{QStringLiteral("moveServers"), servers}};
    if (kind == Kind::Route) {
        if (!route)
            return {{QStringLiteral("route"), QJsonValue(QJsonValue::Null)}};
        QJsonObject r = route->toJson();
        r.remove(QStringLiteral("to"));
        return {{QStringLiteral("route"), r}};
    }
    QJsonObject body;
    if (durationMs > 0)
        body.insert(QStringLiteral("durationMs"), durationMs);
    if (kind == Kind::Pause)
        return {{QStringLiteral("pause"), body}};
    if (intervals != 1)
        body.insert(QStringLiteral("intervals"), intervals);
    if (!gates.isEmpty()) {
        QJsonArray a;
        for (const GateSpec &g : gates)
            a.append(g.toJson());
        body.insert(QStringLiteral("gates"), a);
    }
    return {{QStringLiteral("analysis"), body}};
}

QString RolloutPlan::validate() const
{
    if (!name.isEmpty() && !isValidPlanName(name))
        return QStringLiteral("name: \"%1\" is not usable as a file name (letters, digits, '.', '_', '-')").arg(name);
    if (steps.isEmpty())
        return QStringLiteral("steps: a plan needs at least one step");
    if (QString e = checkGateNames(gates, QStringLiteral("gates")); !e.isEmpty())
        return e;
    const QString kind = strategyName(strategy);
    double last = -1;
    int lastMove = 0;
    int switches = 0;
    int switchAt = -1;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const RolloutStep &s = steps.at(i);
        const QString p = QStringLiteral("steps[%1]").arg(i);
        if (s.kind == RolloutStep::Kind::MoveServers) {
            if (strategy != Strategy::Rolling)
                return QStringLiteral("%1.moveServers: only a rolling plan moves single servers (this one is %2)").arg(p, kind);
            if (s.servers < 1)
                return p + QStringLiteral(".moveServers: must be at least 1");
            if (s.servers < lastMove || last > 0)
                return QStringLiteral("%1.moveServers: a %2 plan never goes back (%3 after %4)")
                    .arg(p, kind, QString::number(s.servers), last > 0 ? QString::number(last) + QLatin1Char('%') : QString::number(lastMove));
            lastMove = s.servers;
            continue;
        }
        if (s.kind == RolloutStep::Kind::Route) {
            QString why;
            if (s.route && !TrafficRoute::validate(*s.route, &why))
                return QStringLiteral("%1.route: %2").arg(p, why);
            continue;
        }
        if (s.kind == RolloutStep::Kind::SetWeight) {
            if (!std::isfinite(s.weight) || s.weight < 0 || s.weight > 100)
                return p + QStringLiteral(".setWeight: must be 0..100");
            if (strategy == Strategy::BlueGreen && s.weight != 0 && s.weight != 100)
                return QStringLiteral("%1.setWeight: a %2 plan only switches between 0 and 100").arg(p, kind);
            if (strategy == Strategy::Rolling && s.weight < last)
                return QStringLiteral("%1.setWeight: a %2 plan never goes back (%3 after %4)").arg(p, kind).arg(s.weight).arg(last);
            if (s.weight == 100) {
                ++switches;
                switchAt = int(i);
            }
            last = s.weight;
            continue;
        }
        if (s.durationMs < 0)
            return p + (s.kind == RolloutStep::Kind::Pause ? QStringLiteral(".pause") : QStringLiteral(".analysis"))
                + QStringLiteral(".durationMs: must be >= 0");
        if (s.kind == RolloutStep::Kind::Analysis) {
            if (s.intervals < 1)
                return p + QStringLiteral(".analysis.intervals: must be at least 1");
            if (s.gates.isEmpty() && gates.isEmpty())
                return p + QStringLiteral(".analysis.gates: missing, and the plan has no \"gates\" to fall back on");
            if (QString e = checkGateNames(s.gates, p + QStringLiteral(".analysis.gates")); !e.isEmpty())
                return e;
        }
    }
    if (last < 0)
        return strategy == Strategy::Rolling && lastMove > 0
            ? QStringLiteral("steps: a rolling plan ends with {\"setWeight\": 100} (all new servers in, all old out)")
            : QStringLiteral("steps: a plan needs at least one setWeight");
    if (last != 100)
        return QStringLiteral("steps: the last setWeight must be 100 to promote (it is %1)").arg(last);
    if (strategy == Strategy::BlueGreen) {
        if (switches != 1)
            return QStringLiteral("steps: a %1 plan switches to 100 exactly once (found %2)").arg(kind).arg(switches);
        bool bake = false;
        for (qsizetype i = switchAt + 1; i < steps.size(); ++i)
            bake |= steps.at(i).kind == RolloutStep::Kind::Analysis;
        if (!bake)
            return QStringLiteral("steps: a %1 plan needs an analysis step after the switch to 100 (the bake)").arg(kind);
    }
    return {};
}

QList<GateSpec> RolloutPlan::gatesFor(int step) const
{
    if (step < 0 || step >= steps.size() || steps.at(step).gates.isEmpty())
        return gates;
    return steps.at(step).gates;
}

QString RolloutPlan::summary() const
{
    QStringList labels;
    for (const RolloutStep &s : steps)
        labels.append(s.label());
    return labels.join(QStringLiteral(" → "));
}

qint64 RolloutPlan::bakeMs() const
{
    qint64 total = 0;
    bool after = false;
    for (const RolloutStep &s : steps) {
        if (s.kind == RolloutStep::Kind::SetWeight)
            after = s.weight == 100;
        else if (s.kind == RolloutStep::Kind::MoveServers)
            after = false;
        else if (after)
            total += s.durationMs;
    }
    return total;
}

QJsonObject RolloutPlan::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), name);
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    o.insert(QStringLiteral("strategy"), strategyName(strategy));
    if (!gates.isEmpty()) {
        QJsonArray a;
        for (const GateSpec &g : gates)
            a.append(g.toJson());
        o.insert(QStringLiteral("gates"), a);
    }
    QJsonArray a;
    for (const RolloutStep &s : steps)
        a.append(s.toJson());
    o.insert(QStringLiteral("steps"), a);
    return o;
}

QByteArray RolloutPlan::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

bool RolloutPlan::fromJson(const QByteArray &json, const QString &source, RolloutPlan *out, QString *error)
{
    const QString prefix = source.isEmpty() ? QString() : source + QStringLiteral(": ");
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = prefix + QStringLiteral("%1: %2").arg(jsonPosition(json, pe.offset), pe.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = prefix + QStringLiteral("a plan is a JSON object");
        return false;
    }
    if (!fromJsonObject(doc.object(), out, error)) {
        *error = prefix + *error;
        return false;
    }
    return true;
}

bool RolloutPlan::fromJsonObject(const QJsonObject &o, RolloutPlan *out, QString *error)
{
    if (!checkKeys(o, {QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("strategy"),
                       QStringLiteral("gates"), QStringLiteral("steps")},
                   QString(), error))
        return false;
    RolloutPlan p;
    const QJsonValue name = o.value(QStringLiteral("name"));
    if (!name.isUndefined() && !name.isString()) {
        *error = QStringLiteral("name: must be a string");
        return false;
    }
    p.name = name.toString();
    p.description = o.value(QStringLiteral("description")).toString();
    const QJsonValue strategy = o.value(QStringLiteral("strategy"));
    if (!strategy.isUndefined()) {
        bool found = false;
        for (Strategy s : {Strategy::Canary, Strategy::BlueGreen, Strategy::Rolling}) {
            if (strategy == QJsonValue(strategyName(s))) {
                p.strategy = s;
                found = true;
            }
        }
        if (!found) {
            *error = QStringLiteral("strategy: must be \"canary\", \"blueGreen\" or \"rolling\"");
            return false;
        }
    }
    if (!readGates(o.value(QStringLiteral("gates")), QStringLiteral("gates"), &p.gates, error))
        return false;
    const QJsonValue steps = o.value(QStringLiteral("steps"));
    if (!steps.isArray()) {
        *error = QStringLiteral("steps: %1").arg(steps.isUndefined() ? QStringLiteral("missing") : QStringLiteral("must be an array"));
        return false;
    }
    const QJsonArray a = steps.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        RolloutStep s;
        if (!readStep(a.at(i), QStringLiteral("steps[%1]").arg(i), &s, error))
            return false;
        p.steps.append(s);
    }
    if (QString e = p.validate(); !e.isEmpty()) {
        *error = e;
        return false;
    }
    *out = p;
    return true;
}

RolloutPlan RolloutPlan::rolling(const QString &name, int moves, qint64 analysisMs, const QList<GateSpec> &gates)
{
    RolloutPlan p;
    p.name = name;
    p.strategy = Strategy::Rolling;
    p.gates = gates;
    moves = std::max(1, moves);
    p.description = QStringLiteral("one new server in and one old server out per move, up to %1 moves, each checked; then the rest").arg(moves);
    for (int k = 1; k <= moves; ++k) {
        p.steps.append(RolloutStep::moveServers(k));
        p.steps.append(gates.isEmpty() ? RolloutStep::pause(analysisMs) : RolloutStep::analysis(analysisMs));
    }
    p.steps.append(RolloutStep::setWeight(100));
    return p;
}

RolloutPlan RolloutPlan::blueGreen(const QString &name, qint64 previewMs, qint64 bakeMs, const QList<GateSpec> &gates)
{
    RolloutPlan p;
    p.name = name;
    p.strategy = Strategy::BlueGreen;
    p.gates = gates;
    p.steps = {RolloutStep::setWeight(0), RolloutStep::pause(previewMs), RolloutStep::setWeight(100),
               RolloutStep::analysis(bakeMs)};
    return p;
}

} // namespace Switchboard
