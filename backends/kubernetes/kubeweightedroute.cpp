#include "kubeweightedroute.h"

#include "kubelistreader.h"
#include "weightchange.h"

#include <QDateTime>

#include <cmath>

namespace Switchboard {

using json = nlohmann::json;

QMap<QString, int> KubeWeightedRoute::weights() const
{
    QMap<QString, int> w;
    for (const Member &m : members)
        w.insert(m.name, m.weight);
    return w;
}

bool kubeWeight(const json &holder, int fallback, int *out)
{
    const auto it = holder.find("weight");
    if (it == holder.end() || it->is_null()) {
        *out = fallback;
        return true;
    }
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000000)
        return false;
    *out = int(it->get<long long>());
    return true;
}

QString kubeText(const json &holder, const char *key)
{
    if (!holder.is_object())
        return {};
    const auto it = holder.find(key);
    return it != holder.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

QString kubeWarningSuffix(const QStringList &warnings)
{
    return warnings.isEmpty() ? QString() : QStringLiteral(" [WARNING: %1]").arg(warnings.join(QStringLiteral("; ")));
}

bool planKubeWeights(const WeightChange &change, const QList<Member> &members, const QMap<QString, int> &live,
                     QMap<QString, int> *target, ChangeResult *result)
{
    if (!change.memberWeights.isEmpty()) {
        // A route's backendRefs are whole Services whose Pods Kubernetes rolls itself; their
        // weights are shares of 100, not per-server weights.
        result->status = ChangeResult::Status::Failed;
        result->message = QStringLiteral("nothing changed: a route splits traffic by percent between Services; "
                                         "moving single servers does not apply here (use a canary plan)");
        result->after = live;
        return false;
    }
    QMap<QString, int> unused;
    if (!checkAndPlan(change, members, live, &unused, result))
        return false;
    const int canaryTotal = int(std::lround(change.canaryPercent));
    int counts[2] = {0, 0};
    for (const Member &m : members)
        ++counts[m.version == Version::Canary ? 1 : 0];
    const int totals[2] = {100 - canaryTotal, canaryTotal};
    int seen[2] = {0, 0};
    target->clear();
    for (const Member &m : members) {
        const int v = m.version == Version::Canary ? 1 : 0;
        const int base = totals[v] / counts[v];
        const int extra = seen[v] < totals[v] % counts[v] ? 1 : 0;
        target->insert(m.name, base + extra);
        ++seen[v];
    }
    return true;
}

bool kubeReadRoute(KubeClient &client, const QString &path, const QString &what, const KubeRouteParser &parse,
                   KubeWeightedRoute *route, QString *error, int listMaxAgeMs, qint64 *readAtMs)
{
    const KubeClient::Reply reply = KubeListReader::forThread().get(client, path, listMaxAgeMs, readAtMs);
    if (!reply.ok()) {
        *error = QStringLiteral("%1: %2").arg(what, reply.message);
        return false;
    }
    json object = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    if (!object.is_object()) {
        *error = QStringLiteral("%1: the API server's answer is not a JSON object").arg(what);
        return false;
    }
    KubeWeightedRoute r;
    QString why;
    if (!parse(object, &r, &why)) {
        *error = QStringLiteral("%1: %2").arg(what, why);
        return false;
    }
    const auto meta = object.find("metadata");
    r.resourceVersion = meta != object.end() ? kubeText(*meta, "resourceVersion").toStdString() : std::string();
    r.object = std::move(object);
    *route = std::move(r);
    return true;
}

TrafficSnapshot kubeSnapshot(const KubeWeightedRoute &route, const QStringList &warnings)
{
    TrafficSnapshot s;
    s.timeMs = QDateTime::currentMSecsSinceEpoch();
    s.members = route.members;
    s.split = TrafficSplit::fromMembers(s.members);
    QStringList notes = warnings;
    if (!route.note.isEmpty())
        notes.prepend(route.note);
    s.note = notes.join(QStringLiteral("; "));
    return s;
}

namespace {

// One read, plan and guarded write. *conflicted: the write was refused with 409.
ChangeResult applyOnce(KubeClient &client, const QString &path, const QString &what, const KubeRouteParser &parse,
                       const KubeRoutePatcher &patcher, const WeightChange &change, bool *conflicted)
{
    *conflicted = false;
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    KubeWeightedRoute before;
    QString error;
    if (!kubeReadRoute(client, path, what, parse, &before, &error)) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        return r;
    }
    r.before = before.weights();
    r.after = r.before;
    // 1. Against what the operator saw; 2. the resourceVersion guards the rest of the way.
    QMap<QString, int> target;
    if (!planKubeWeights(change, before.members, r.before, &target, &r))
        return r;
    if (target == r.before) {
        r.status = ChangeResult::Status::Applied;
        r.message = QStringLiteral("%1 (already set, nothing written)").arg(describeApplied(before.members, target));
        return r;
    }
    if (before.resourceVersion.empty()) {
        r.message = QStringLiteral("nothing changed: %1 has no metadata.resourceVersion, and a write without one could "
                                   "overwrite someone else's change").arg(what);
        return r;
    }
    json patch = patcher(before, target);
    patch["metadata"]["resourceVersion"] = before.resourceVersion;
    const QByteArray body = QByteArray::fromStdString(patch.dump());
    const KubeClient::Reply reply = client.patch(path, body);
    if (!reply.ok()) {
        switch (reply.error) {
        case KubeClient::Reply::Error::Conflict:
            *conflicted = true;
            r.status = ChangeResult::Status::Conflict;
            r.message = QStringLiteral("%1 changed on the server after it was read (resourceVersion %2): nothing written; look again (%3)")
                            .arg(what, QString::fromStdString(before.resourceVersion), reply.message);
            break;
        case KubeClient::Reply::Error::Timeout:
        case KubeClient::Reply::Error::Network:
            r.status = ChangeResult::Status::Failed;
            r.message = QStringLiteral("%1: %2: the change may or may not have been applied, refresh to see").arg(what, reply.message);
            break;
        default:
            r.status = ChangeResult::Status::Failed;
            r.message = QStringLiteral("nothing changed: %1: %2").arg(what, reply.message);
            break;
        }
        return r;
    }
    const json object = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    KubeWeightedRoute after;
    if (!object.is_object() || !parse(object, &after, &error)) {
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1: written, but the answer does not show the members (%2): refresh to see")
                        .arg(what, error.isEmpty() ? QStringLiteral("not a JSON object") : error);
        return r;
    }
    r.after = after.weights();
    if (r.after != target) {
        // An admission webhook or a controller may rewrite what we sent.
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1: the server holds %2, not the %3 that was sent")
                        .arg(what, describeWeights(r.after), describeWeights(target));
        return r;
    }
    r.status = ChangeResult::Status::Applied;
    r.message = describeApplied(before.members, target);
    if (std::abs(change.canaryPercent - std::round(change.canaryPercent)) > 1e-9)
        r.message += QStringLiteral(" (asked %1%: weights here are whole percent)").arg(change.canaryPercent);
    return r;
}

} // namespace

ChangeResult kubeApplyRoute(KubeClient &client, const QString &path, const QString &what, const KubeRouteParser &parse,
                            const KubeRoutePatcher &patcher, const WeightChange &change)
{
    // A 409 means another writer got in between our read and our write. A change the operator
    // made on what they saw stops there: that view no longer holds. A forced one (a rollback,
    // set-weight --force) is about the end state, not the view: it reads again and writes again,
    // a bounded number of times.
    int conflicts = 0;
    for (;;) {
        bool conflicted = false;
        ChangeResult r = applyOnce(client, path, what, parse, patcher, change, &conflicted);
        if (conflicted && change.force && ++conflicts < kubeForcedAttempts)
            continue;
        if (conflicted && change.force) {
            r.status = ChangeResult::Status::Failed;
            r.message = QStringLiteral("%1 kept changing on the server: gave up after %2 conflicts, nothing of ours written; "
                                       "another writer (a controller, a GitOps sync?) keeps setting it")
                            .arg(what).arg(conflicts);
        } else if (conflicts > 0) {
            r.message += QStringLiteral(" (after %1 conflict%2: %3 changed between read and write, read again and re-applied)")
                             .arg(conflicts).arg(conflicts == 1 ? QString() : QStringLiteral("s"), what);
        }
        return r;
    }
}

} // namespace Switchboard
