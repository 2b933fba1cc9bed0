#include "kubeleasestore.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <nlohmann/json.hpp>

using json = nlohmann::json;

namespace Switchboard {

namespace {

const char purposeKey[] = "switchboard.dev/purpose";

// MicroTime: RFC 3339 with microseconds, UTC.
std::string microTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000Z")).toStdString();
}

qint64 fromMicroTime(const json &o, const char *key)
{
    if (!o.contains(key) || !o[key].is_string())
        return 0;
    const QDateTime t = QDateTime::fromString(QString::fromStdString(o[key].get<std::string>()), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

} // namespace

KubeLeaseStore::KubeLeaseStore(const KubeTargetSettings &target, const QString &resourceKind)
    : m_target(target)
    , m_name(leaseName(resourceKind, target.name))
    , m_client(std::make_unique<KubeClient>(target.clientSettings()))
{
}

KubeLeaseStore::~KubeLeaseStore() = default;

QString KubeLeaseStore::leaseName(const QString &resourceKind, const QString &resource)
{
    QString n = QStringLiteral("switchboard-%1-%2").arg(resourceKind, resource).toLower();
    static const QRegularExpression bad(QStringLiteral("[^a-z0-9-]+"));
    n.replace(bad, QStringLiteral("-"));
    n = n.left(63);
    while (n.endsWith(QLatin1Char('-')))
        n.chop(1);
    return n;
}

QString KubeLeaseStore::where() const
{
    return QStringLiteral("Lease %1/%2").arg(m_target.ns.isEmpty() ? QStringLiteral("(context namespace)") : m_target.ns, m_name);
}

QString KubeLeaseStore::collection() const
{
    return QStringLiteral("/apis/coordination.k8s.io/v1/namespaces/%1/leases").arg(m_target.namespaceFor(m_client->config()));
}

bool KubeLeaseStore::read(OperatorLease *out, QString *version, QString *error)
{
    *out = OperatorLease{};
    version->clear();
    if (!m_client->ensureConfig(error))
        return false;
    const KubeClient::Reply r = m_client->get(collection() + QLatin1Char('/') + m_name);
    if (r.error == KubeClient::Reply::Error::NotFound)
        return true; // nobody ever took it
    if (!r.ok()) {
        *error = r.message;
        return false;
    }
    const json o = json::parse(r.body.toStdString(), nullptr, false);
    if (!o.is_object() || !o.contains("metadata")) {
        *error = QStringLiteral("the Lease %1 is not a JSON object").arg(m_name);
        return false;
    }
    const json spec = o.value("spec", json::object());
    out->holder = QString::fromStdString(spec.value("holderIdentity", std::string()));
    out->durationS = spec.value("leaseDurationSeconds", 0);
    out->transitions = spec.value("leaseTransitions", 0);
    out->acquiredMs = fromMicroTime(spec, "acquireTime");
    out->renewedMs = fromMicroTime(spec, "renewTime");
    const json annotations = o["metadata"].value("annotations", json::object());
    out->purpose = QString::fromStdString(annotations.value(purposeKey, std::string()));
    *version = QString::fromStdString(o["metadata"].value("resourceVersion", std::string()));
    if (version->isEmpty())
        *version = QStringLiteral("?"); // exists, but says no version: a PUT without one
    return true;
}

LeaseStore::Write KubeLeaseStore::write(const OperatorLease &lease, const QString &version, QString *error)
{
    if (!m_client->ensureConfig(error))
        return Write::Failed;
    json o = {{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata", {{"name", m_name.toStdString()}, {"annotations", {{purposeKey, lease.purpose.toStdString()}}}}},
              {"spec",
               {{"holderIdentity", lease.holder.toStdString()},
                {"leaseTransitions", lease.transitions},
                {"acquireTime", microTime(lease.acquiredMs)},
                {"renewTime", microTime(lease.renewedMs)}}}};
    // The API server refuses leaseDurationSeconds <= 0: a released lease has none.
    if (lease.durationS > 0)
        o["spec"]["leaseDurationSeconds"] = lease.durationS;
    KubeClient::Reply r;
    if (version.isEmpty()) {
        r = m_client->post(collection(), QByteArray::fromStdString(o.dump()));
    } else {
        if (version != QLatin1String("?"))
            o["metadata"]["resourceVersion"] = version.toStdString();
        r = m_client->put(collection() + QLatin1Char('/') + m_name, QByteArray::fromStdString(o.dump()));
    }
    if (r.error == KubeClient::Reply::Error::Conflict)
        return Write::Conflict; // AlreadyExists (POST) or a stale resourceVersion (PUT)
    if (!r.ok()) {
        *error = r.message;
        return Write::Failed;
    }
    return Write::Ok;
}

} // namespace Switchboard
