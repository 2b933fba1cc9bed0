#include "kubeweightedroutebackend.h"

#include "kubeclient.h"
#include "kubelistreader.h"
#include "kubetesterrule.h"
#include "kubeweightedroute.h"

#include <QDateTime>
#include <QSet>

namespace Switchboard {

using json = nlohmann::json;

KubeWeightedRouteBackend::KubeWeightedRouteBackend(const KubeTargetSettings &target, QString kind, QString plural,
                                                   QObject *parent)
    : TrafficBackend(parent)
    , m_target(target)
    , m_kind(std::move(kind))
    , m_plural(std::move(plural))
    , m_client(std::make_unique<KubeClient>(m_target.clientSettings()))
    , m_access({{m_target.apiVersion.section(QLatin1Char('/'), 0, 0), m_plural, QString()}})
{
}

KubeWeightedRouteBackend::~KubeWeightedRouteBackend() = default;

KubeWeightedRouteBackend::MemberMatch KubeWeightedRouteBackend::matchMembers(const QHash<QString, int> &weights,
                                                                             const QStringList &present,
                                                                             const QStringList &stable,
                                                                             const QStringList &canary)
{
    MemberMatch match;
    for (const auto &[names, version] : {std::pair{&stable, Version::Stable}, std::pair{&canary, Version::Canary}}) {
        for (const QString &n : *names) {
            if (!weights.contains(n)) {
                match.missing.append(n);
                continue;
            }
            Member m;
            m.name = n;
            m.version = version;
            m.weight = weights.value(n);
            match.members.append(m);
        }
    }
    for (const QString &n : present) {
        if (!stable.contains(n) && !canary.contains(n))
            match.unlisted.append(n);
    }
    return match;
}

bool KubeWeightedRouteBackend::indexSetting(const QJsonObject &o, const QString &key, const QString &usage, int *out,
                                            QString *error)
{
    const QJsonValue index = o.value(key);
    if (index.isUndefined())
        return true;
    const double d = index.toDouble(-1);
    if (!index.isDouble() || d != double(int(d)) || d < 0 || d > 1000) {
        *error = usage;
        return false;
    }
    *out = int(d);
    return true;
}

QJsonArray KubeWeightedRouteBackend::oneOrMany(const QJsonValue &value)
{
    if (value.isArray())
        return value.toArray();
    if (value.isString() || value.isObject())
        return QJsonArray{value};
    return {};
}

bool KubeWeightedRouteBackend::distinctNames(const QStringList &names, const QString &twice, QString *error)
{
    QSet<QString> seen;
    for (const QString &n : names) {
        if (seen.contains(n)) {
            *error = twice.arg(n);
            return false;
        }
        seen.insert(n);
    }
    return true;
}

QString KubeWeightedRouteBackend::what() const
{
    const QString ns = m_client->config().contextName.isEmpty() ? m_target.ns : m_target.namespaceFor(m_client->config());
    return QStringLiteral("%1 %2/%3").arg(m_kind, ns.isEmpty() ? QStringLiteral("?") : ns, m_target.name);
}

bool KubeWeightedRouteBackend::ready(QString *path, QString *error)
{
    QString why;
    if (!m_client->ensureConfig(&why)) {
        *error = QStringLiteral("%1 %2: %3").arg(m_kind, m_target.name, why);
        return false;
    }
    *path = m_target.path(m_client->config(), m_plural);
    return true;
}

void KubeWeightedRouteBackend::refresh()
{
    QString path;
    QString error;
    KubeWeightedRoute route;
    const KubeTesterRule testers = testerRule();
    const KubeRouteParser parse = [this, &testers](const json &object, KubeWeightedRoute *r, QString *why) {
        return parseRoute(testers.withoutOurs(object), r, why);
    };
    qint64 readAtMs = 0;
    if (!ready(&path, &error)
        || !kubeReadRoute(*m_client, path, what(), parse, &route, &error, KubeListReader::refreshMaxAgeMs, &readAtMs)) {
        Q_EMIT refreshFailed(error + kubeWarningSuffix(m_client->warnings()));
        return;
    }
    TrafficSnapshot s = kubeSnapshot(route, m_client->warnings());
    s.timeMs = readAtMs; // a shared list's time: the data is that old
    s.routes = testers.routes(route.object);
    s.routesRefusal.clear();
    // After the read, so an unreachable server costs one timeout, not two.
    s.readOnlyReason = m_access.update(*m_client, m_target.namespaceFor(m_client->config()), m_target.name,
                                       QDateTime::currentMSecsSinceEpoch());
    s.readOnly = !s.readOnlyReason.isEmpty();
    Q_EMIT snapshotReady(s);
}

void KubeWeightedRouteBackend::apply(const WeightChange &change)
{
    QString path;
    QString error;
    if (!ready(&path, &error)) {
        ChangeResult r;
        r.requestedCanaryPercent = change.canaryPercent;
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        Q_EMIT changeFinished(r);
        return;
    }
    if (const QString denied = m_access.denial(); !denied.isEmpty()) {
        // Known to be refused: no PATCH goes out.
        ChangeResult r;
        r.requestedCanaryPercent = change.canaryPercent;
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(denied);
        Q_EMIT changeFinished(r);
        return;
    }
    const KubeTesterRule testers = testerRule();
    const KubeRouteParser parse = [this, &testers](const json &object, KubeWeightedRoute *r, QString *why) {
        return parseRoute(testers.withoutOurs(object), r, why);
    };
    // The kind patches the operator's entries by index; our tester entry goes back where it was.
    const KubeRoutePatcher patch = [this, &testers](const KubeWeightedRoute &route, const QMap<QString, int> &target) {
        KubeWeightedRoute foreign = route;
        foreign.object = testers.withoutOurs(route.object);
        json p = weightPatch(foreign, target);
        const char *key = testers.arrayKey();
        QString unused;
        json withOurs = p["spec"][key];
        foreign.object["spec"][key] = p["spec"][key];
        if (testers.rebuild(foreign.object, testers.routes(route.object), &withOurs, &unused))
            p["spec"][key] = withOurs;
        return p;
    };
    ChangeResult r = kubeApplyRoute(*m_client, path, what(), parse, patch, change);
    // A rollback takes the testers off the canary too, once the weights are back.
    if (change.clearRoutes && (r.ok() || r.status == ChangeResult::Status::Partial)) {
        const ChangeResult routes = changeRoutes(path, RouteEdit{RouteEdit::Op::Clear, {}, {}}, true);
        r.routesTouched = true;
        r.routesBefore = routes.routesBefore;
        r.routesAfter = routes.routesAfter;
        if (!routes.ok()) {
            r.status = ChangeResult::Status::Partial;
            r.message += QStringLiteral("; tester routes NOT cleared: %1").arg(routes.message);
        } else if (!routes.routesBefore.isEmpty()) {
            r.message += QStringLiteral("; tester routes cleared");
        }
    }
    Q_EMIT changeFinished(r);
}

void KubeWeightedRouteBackend::editRoutes(const WeightChange &change)
{
    QString path;
    QString error;
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    r.routesTouched = true;
    if (!ready(&path, &error) || !change.routeEdit) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        Q_EMIT changeFinished(r);
        return;
    }
    if (const QString denied = m_access.denial(); !denied.isEmpty()) {
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(denied);
        Q_EMIT changeFinished(r);
        return;
    }
    Q_EMIT changeFinished(changeRoutes(path, change.routeEdit, false));
}

ChangeResult KubeWeightedRouteBackend::changeRoutes(const QString &path, const std::optional<RouteEdit> &edit, bool force)
{
    const KubeTesterRule testers = testerRule();
    for (int attempt = 1;; ++attempt) {
        ChangeResult r;
        r.routesTouched = true;
        const KubeClient::Reply got = m_client->get(path);
        json object = got.ok() ? json::parse(got.body.constData(), got.body.constData() + got.body.size(), nullptr, false) : json();
        if (!got.ok() || !object.is_object()) {
            r.message = QStringLiteral("nothing changed: %1: %2").arg(what(), got.ok() ? QStringLiteral("not a JSON object") : got.message);
            return r;
        }
        r.routesBefore = r.routesAfter = testers.routes(object);
        if (edit && edit->conflictsWith(r.routesBefore)) {
            r.status = ChangeResult::Status::Conflict;
            r.message = QStringLiteral("routes changed meanwhile: now %1").arg(describeRoutes(r.routesBefore));
            return r;
        }
        const QList<TrafficRoute> target = edit ? edit->applyTo(r.routesBefore) : QList<TrafficRoute>();
        const QString done = QStringLiteral("%1: routes now %2").arg(what(), describeRoutes(target));
        if (target == r.routesBefore) {
            r.status = ChangeResult::Status::Applied;
            r.message = done + QStringLiteral(" (already so, nothing written)");
            return r;
        }
        json array;
        QString error;
        if (!testers.rebuild(object, target, &array, &error)) {
            r.message = QStringLiteral("nothing changed: %1: %2").arg(what(), error);
            return r;
        }
        const std::string version = object.contains("metadata") ? object["metadata"].value("resourceVersion", std::string()) : std::string();
        if (version.empty()) {
            r.message = QStringLiteral("nothing changed: %1 has no metadata.resourceVersion").arg(what());
            return r;
        }
        json patch{{"spec", {{testers.arrayKey(), array}}}, {"metadata", {{"resourceVersion", version}}}};
        const KubeClient::Reply reply = m_client->patch(path, QByteArray::fromStdString(patch.dump()));
        if (reply.error == KubeClient::Reply::Error::Conflict) {
            if (force && attempt < kubeForcedAttempts)
                continue;
            r.status = force ? ChangeResult::Status::Failed : ChangeResult::Status::Conflict;
            r.message = QStringLiteral("%1 changed on the server after it was read (resourceVersion %2): nothing written; look again (%3)")
                            .arg(what(), QString::fromStdString(version), reply.message);
            return r;
        }
        if (!reply.ok()) {
            const bool unknown = reply.error == KubeClient::Reply::Error::Timeout || reply.error == KubeClient::Reply::Error::Network;
            r.message = unknown ? QStringLiteral("%1: %2: the change may or may not have been applied, refresh to see").arg(what(), reply.message)
                                : QStringLiteral("nothing changed: %1: %2").arg(what(), reply.message);
            return r;
        }
        const json after = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
        r.routesAfter = after.is_object() ? testers.routes(after) : r.routesBefore;
        const bool same = RouteEdit{RouteEdit::Op::Clear, {}, target}.conflictsWith(r.routesAfter) == false;
        r.status = same ? ChangeResult::Status::Applied : ChangeResult::Status::Partial;
        r.message = same ? done
                         : QStringLiteral("%1: the server holds routes %2, not the %3 that was sent (does its schema keep the rule's name?)")
                               .arg(what(), describeRoutes(r.routesAfter), describeRoutes(target));
        return r;
    }
}

} // namespace Switchboard
