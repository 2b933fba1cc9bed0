#include "kubeweightedroutebackend.h"

#include "kubeclient.h"
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
    const KubeRouteParser parse = [this](const json &object, KubeWeightedRoute *r, QString *why) {
        return parseRoute(object, r, why);
    };
    if (!ready(&path, &error) || !kubeReadRoute(*m_client, path, what(), parse, &route, &error)) {
        Q_EMIT refreshFailed(error + kubeWarningSuffix(m_client->warnings()));
        return;
    }
    TrafficSnapshot s = kubeSnapshot(route, m_client->warnings());
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
    const KubeRouteParser parse = [this](const json &object, KubeWeightedRoute *r, QString *why) {
        return parseRoute(object, r, why);
    };
    const KubeRoutePatcher patch = [this](const KubeWeightedRoute &route, const QMap<QString, int> &target) {
        return weightPatch(route, target);
    };
    Q_EMIT changeFinished(kubeApplyRoute(*m_client, path, what(), parse, patch, change));
}

} // namespace Switchboard
