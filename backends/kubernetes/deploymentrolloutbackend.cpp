#include "deploymentrolloutbackend.h"

#include "kubeleasestore.h"

#include "jsonsettings.h"
#include "kubeclient.h"
#include "kubedeploymentdriver.h"
#include "kubeimagereference.h"
#include "kubelistreader.h"
#include "kuberolloutstatus.h"
#include "kubeweightedroute.h"

#include <QDateTime>
#include <QUrl>

#include <algorithm>

namespace Switchboard {

using json = nlohmann::json;

// Outside the anonymous namespace: DeploymentRolloutBackend::View, declared in the header,
// holds a list of these.
struct RolloutReplicaSet
{
    QString name;
    QString hash;
    qint64 revision = 0;
    json podTemplate;
};

namespace {

constexpr int kRolloutWriteAttempts = 5;
const char *const kRevisionKey = "deployment.kubernetes.io/revision";

// The ReplicaSets `deployment` owns, newest revision first.
bool listOwnedReplicaSets(KubeClient &client, const QString &ns, const KubeDeployment &d, QList<RolloutReplicaSet> *out, QString *error)
{
    const KubeClient::Reply reply = client.get(QStringLiteral("/apis/apps/v1/namespaces/%1/replicasets?labelSelector=%2")
                                                   .arg(ns, QString::fromLatin1(QUrl::toPercentEncoding(d.selectorQuery()))));
    if (!reply.ok()) {
        *error = QStringLiteral("ReplicaSets of %1: %2").arg(d.name, reply.message);
        return false;
    }
    const json o = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    if (!o.is_object() || !o.contains("items") || !o["items"].is_array()) {
        *error = QStringLiteral("ReplicaSets of %1: the answer is not a list").arg(d.name);
        return false;
    }
    out->clear();
    for (const json &item : o["items"]) {
        const json meta = item.value("metadata", json::object());
        bool owned = false;
        for (const json &ref : meta.value("ownerReferences", json::array()))
            owned |= kubeText(ref, "kind") == QLatin1String("Deployment") && kubeText(ref, "name") == d.name;
        if (!owned)
            continue;
        RolloutReplicaSet rs;
        rs.name = kubeText(meta, "name");
        rs.hash = kubeText(meta.value("labels", json::object()), "pod-template-hash");
        rs.revision = kubeText(meta.value("annotations", json::object()), kRevisionKey).toLongLong();
        rs.podTemplate = item.value("spec", json::object()).value("template", json::object());
        out->append(rs);
    }
    std::sort(out->begin(), out->end(), [](const RolloutReplicaSet &a, const RolloutReplicaSet &b) { return a.revision > b.revision; });
    return true;
}

// A pod template without its pod-template-hash label: what `rollout undo` compares and sends.
json withoutHash(json tmpl)
{
    if (tmpl.contains("metadata") && tmpl["metadata"].contains("labels") && tmpl["metadata"]["labels"].is_object()) {
        tmpl["metadata"]["labels"].erase("pod-template-hash");
        if (tmpl["metadata"]["labels"].empty())
            tmpl["metadata"].erase("labels");
    }
    return tmpl;
}

} // namespace

struct DeploymentRolloutBackend::View
{
    KubeDeployment deployment;
    QList<RolloutReplicaSet> replicaSets;
    QList<KubePod> pods;
    KubeRolloutStatus status;
    QList<Member> members;
};

bool DeploymentRolloutBackend::Settings::fromJson(const QJsonObject &o, Settings *out, QString *error)
{
    Settings s;
    if (!KubeTargetSettings::fromJson(o, QStringLiteral("deployment"), {QStringLiteral("apps/v1")}, &s.target, error))
        return false;
    if (!readOptionalString(o, "container", &s.container)) {
        *error = QStringLiteral("deployment.container: expected a container name");
        return false;
    }
    if (!readOptionalInt(o, "readyTimeoutMs", 100, 3600000, &s.readyTimeoutMs)) {
        *error = QStringLiteral("deployment.readyTimeoutMs: expected milliseconds, 100..3600000");
        return false;
    }
    if (!readOptionalInt(o, "pollMs", 20, 60000, &s.pollMs)) {
        *error = QStringLiteral("deployment.pollMs: expected milliseconds, 20..60000");
        return false;
    }
    *out = s;
    return true;
}

bool DeploymentRolloutBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    Settings s;
    if (!Settings::fromJson(settings, &s, error))
        return false;
    out->lease = std::make_unique<KubeLeaseStore>(s.target, QStringLiteral("deployment"));
    out->sharedServerKey = s.target.sharedServerKey();
    out->traffic = std::make_unique<DeploymentRolloutBackend>(std::move(s));
    return true;
}

DeploymentRolloutBackend::DeploymentRolloutBackend(Settings settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(std::move(settings))
    , m_client(std::make_unique<KubeClient>(m_settings.target.clientSettings()))
    , m_access({{QStringLiteral("apps"), QStringLiteral("deployments"), QString()}})
{
    m_driver = std::make_unique<KubeDeploymentDriver>(*m_client, [this] { return isStopRequested(); }, m_settings.pollMs);
}

DeploymentRolloutBackend::~DeploymentRolloutBackend() = default;

QString DeploymentRolloutBackend::ns() const
{
    return m_settings.target.namespaceFor(m_client->config());
}

QString DeploymentRolloutBackend::path() const
{
    return m_settings.target.path(m_client->config(), QStringLiteral("deployments"));
}

QString DeploymentRolloutBackend::what() const
{
    return QStringLiteral("Deployment %1/%2").arg(ns(), m_settings.target.name);
}

bool DeploymentRolloutBackend::read(View *v, QString *error, int listMaxAgeMs, qint64 *readAtMs)
{
    bool missing = false;
    if (!KubeDeployment::read(*m_client, path(), what(), &v->deployment, error, &missing, listMaxAgeMs, readAtMs)) {
        if (missing)
            *error = QStringLiteral("%1 not found: create it, or fix deployment.name").arg(what());
        return false;
    }
    if (!listOwnedReplicaSets(*m_client, ns(), v->deployment, &v->replicaSets, error) || !m_driver->pods(ns(), v->deployment, &v->pods, error))
        return false;
    v->status = KubeRolloutStatus::of(v->deployment);
    // The newest revision is the new version; pods of older ones are the old version. Once
    // rolled out, one version runs and it is the stable one.
    const QString newHash = v->replicaSets.isEmpty() ? QString() : v->replicaSets.first().hash;
    bool oldPods = false;
    for (const KubePod &p : std::as_const(v->pods))
        oldPods |= p.templateHash != newHash;
    const bool oneVersion = !oldPods; // no older pods left: whatever still starts is the only version
    v->members.clear();
    for (const KubePod &p : std::as_const(v->pods))
        v->members.append(p.member(!oneVersion && p.templateHash == newHash ? Version::Canary : Version::Stable));
    return true;
}

void DeploymentRolloutBackend::refresh()
{
    QString error;
    if (!m_client->ensureConfig(&error)) {
        Q_EMIT refreshFailed(QStringLiteral("Deployment %1: %2").arg(m_settings.target.name, error));
        return;
    }
    View v;
    qint64 readAtMs = 0;
    if (!read(&v, &error, KubeListReader::refreshMaxAgeMs, &readAtMs)) {
        Q_EMIT refreshFailed(error + kubeWarningSuffix(m_client->warnings()));
        return;
    }
    TrafficSnapshot s;
    s.timeMs = readAtMs; // a shared list's time: the data is that old
    s.members = v.members;
    s.split = TrafficSplit::fromMembers(s.members);
    QStringList notes{v.status.message};
    if (!v.deployment.revision.isEmpty())
        notes.append(QStringLiteral("revision %1").arg(v.deployment.revision));
    if (v.deployment.paused)
        notes.append(QStringLiteral("paused (spec.paused)"));
    notes.append(v.deployment.strategyText());
    if (v.deployment.specReplicas == 0)
        notes.append(QStringLiteral("WARNING: scaled to 0 replicas: nothing serves"));
    notes += m_client->warnings();
    s.note = notes.join(QStringLiteral(" · "));
    const int c = v.deployment.containerIndex(m_settings.container);
    if (c >= 0) {
        s.imageContainer = v.deployment.containers.at(c).first;
        s.image = v.deployment.containers.at(c).second;
    }
    s.readOnlyReason = m_access.update(*m_client, ns(), m_settings.target.name, QDateTime::currentMSecsSinceEpoch());
    s.readOnly = !s.readOnlyReason.isEmpty();
    Q_EMIT snapshotReady(s);
}

void DeploymentRolloutBackend::apply(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    if (!change.memberWeights.isEmpty()) {
        r.message = QStringLiteral("nothing changed: Kubernetes moves this Deployment's pods by maxSurge/maxUnavailable; "
                                   "per-server moves do not apply (use kind deployments for a pod-by-pod plan)");
        return Q_EMIT changeFinished(r);
    }
    if (change.canaryPercent == 0) {
        r = undo(change.force);
    } else if (change.canaryPercent == 100) {
        r = setPaused(false);
    } else {
        r.message = QStringLiteral("nothing changed: Kubernetes sets this split by maxSurge/maxUnavailable; only 0% "
                                   "(rollout undo) and 100% (resume) apply, Pause holds it where it is");
    }
    r.requestedCanaryPercent = change.canaryPercent;
    Q_EMIT changeFinished(r);
}

void DeploymentRolloutBackend::promoteStep()
{
    Q_EMIT stepPromoted(setPaused(false));
}

void DeploymentRolloutBackend::pauseRollout()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("pause"), setPaused(true));
}

void DeploymentRolloutBackend::resumeRollout()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("resume"), setPaused(false));
}

ChangeResult DeploymentRolloutBackend::setPaused(bool paused)
{
    ChangeResult r;
    r.requestedCanaryPercent = paused ? unknown() : 100.0;
    QString error;
    if (!m_client->ensureConfig(&error)) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        return r;
    }
    if (const QString denied = m_access.denial(); !denied.isEmpty()) {
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(denied);
        return r;
    }
    View v;
    if (!read(&v, &error)) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        return r;
    }
    for (const Member &m : std::as_const(v.members))
        r.before.insert(m.name, m.weight);
    r.after = r.before;
    const QString word = paused ? QStringLiteral("paused") : QStringLiteral("resumed");
    if (v.deployment.paused == paused) {
        r.status = ChangeResult::Status::Applied;
        r.message = QStringLiteral("%1 is already %2: nothing written (%3)").arg(what(), word, v.status.message);
        return r;
    }
    const KubeClient::Reply reply = m_driver->setPaused(path(), paused, v.deployment.resourceVersion);
    if (!reply.ok()) {
        r.status = reply.error == KubeClient::Reply::Error::Conflict ? ChangeResult::Status::Conflict : ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1: %2").arg(what(), reply.message);
        return r;
    }
    r.status = ChangeResult::Status::Applied;
    r.message = QStringLiteral("%1 %2 (spec.paused %3)").arg(what(), word, paused ? QStringLiteral("true") : QStringLiteral("false"));
    return r;
}

ChangeResult DeploymentRolloutBackend::undo(bool force)
{
    ChangeResult r;
    r.requestedCanaryPercent = 0;
    QString error;
    if (!m_client->ensureConfig(&error)) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        return r;
    }
    if (const QString denied = m_access.denial(); !denied.isEmpty()) {
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(denied);
        return r;
    }
    int conflicts = 0;
    for (int attempt = 0; attempt < kRolloutWriteAttempts; ++attempt) {
        View v;
        if (!read(&v, &error)) {
            r.message = QStringLiteral("nothing changed: %1").arg(error);
            return r;
        }
        r.before.clear();
        for (const Member &m : std::as_const(v.members))
            r.before.insert(m.name, m.weight);
        r.after = r.before;
        // As kubectl: the current revision is the Deployment's; the previous one is the
        // highest revision below it.
        const qint64 current = v.deployment.revision.isEmpty() ? (v.replicaSets.isEmpty() ? 0 : v.replicaSets.first().revision)
                                                               : v.deployment.revision.toLongLong();
        const RolloutReplicaSet *previous = nullptr;
        for (const RolloutReplicaSet &rs : std::as_const(v.replicaSets)) {
            if (rs.revision < current) {
                previous = &rs;
                break;
            }
        }
        if (!previous) {
            r.status = ChangeResult::Status::Applied;
            r.message = QStringLiteral("%1 has no revision before %2: nothing to undo, nothing written").arg(what()).arg(current);
            return r;
        }
        const json tmpl = withoutHash(previous->podTemplate);
        const json currentTemplate = withoutHash(v.deployment.object.value("spec", json::object()).value("template", json::object()));
        if (tmpl == currentTemplate && !v.deployment.paused) {
            r.status = ChangeResult::Status::Applied;
            r.message = QStringLiteral("%1 already runs revision %2's template: nothing written").arg(what()).arg(previous->revision);
            return r;
        }
        // kubectl's patch: the template replaced; the resourceVersion in it makes the write
        // conditional. kubectl refuses a paused Deployment; the way back must not be refused,
        // so it is resumed in the same write (the controller would not roll otherwise).
        json patch = json::array({{{"op", "replace"}, {"path", "/metadata/resourceVersion"}, {"value", v.deployment.resourceVersion}},
                                  {{"op", "replace"}, {"path", "/spec/template"}, {"value", tmpl}}});
        if (v.deployment.paused)
            patch.push_back({{"op", "replace"}, {"path", "/spec/paused"}, {"value", false}});
        const KubeClient::Reply reply = m_client->patch(path(), QByteArray::fromStdString(patch.dump()), QByteArrayLiteral("application/json-patch+json"));
        if (reply.ok()) {
            r.status = ChangeResult::Status::Applied;
            r.message = QStringLiteral("rollout undo: %1 back to revision %2's template (was revision %3)%4")
                            .arg(what()).arg(previous->revision).arg(current)
                            .arg(v.deployment.paused ? QStringLiteral("; it was paused, so it was resumed") : QString());
            if (conflicts > 0)
                r.message += QStringLiteral(" (after %1 conflict%2: read again and went on)").arg(conflicts).arg(conflicts == 1 ? QString() : QStringLiteral("s"));
            return r;
        }
        if (reply.error != KubeClient::Reply::Error::Conflict || !force) {
            r.status = reply.error == KubeClient::Reply::Error::Conflict ? ChangeResult::Status::Conflict : ChangeResult::Status::Failed;
            r.message = QStringLiteral("nothing changed: %1: %2").arg(what(), reply.message);
            return r;
        }
        ++conflicts;
    }
    r.status = ChangeResult::Status::Failed;
    r.message = QStringLiteral("rollout undo: %1 refused it %2 times with 409; roll back by hand").arg(what()).arg(conflicts);
    return r;
}

void DeploymentRolloutBackend::deployImage(const QString &image, const QString &container)
{
    DeployResult r;
    r.imageAfter = image;
    auto answer = [this, &r](ChangeResult::Status status, const QString &message) {
        r.status = status;
        r.message = message;
        Q_EMIT imageDeployed(r);
    };
    QString error;
    if (!m_client->ensureConfig(&error))
        return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    r.resource = what();
    if (const QString bad = KubeImageReference::problem(image); !bad.isEmpty())
        return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(bad));
    if (const QString denied = m_access.denial(); !denied.isEmpty())
        return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: read-only: %1").arg(denied));
    int conflicts = 0;
    for (int attempt = 0;; ++attempt) {
        KubeDeployment d;
        if (!KubeDeployment::read(*m_client, path(), r.resource, &d, &error))
            return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
        const QString wanted = container.isEmpty() ? m_settings.container : container;
        const int c = d.containerIndex(wanted);
        if (c < 0)
            return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1 has no container \"%2\"").arg(r.resource, wanted));
        r.container = d.containers.at(c).first;
        r.imageBefore = d.containers.at(c).second;
        if (r.imageBefore == image)
            break;
        const KubeClient::Reply reply = m_driver->setImage(path(), r.container, image, d.resourceVersion);
        if (reply.ok())
            break;
        if (reply.error != KubeClient::Reply::Error::Conflict || attempt + 1 >= kRolloutWriteAttempts)
            return answer(reply.error == KubeClient::Reply::Error::Conflict ? ChangeResult::Status::Conflict : ChangeResult::Status::Failed,
                          QStringLiteral("nothing changed: %1: %2").arg(r.resource, reply.message));
        ++conflicts;
    }
    const KubeDeploymentDriver::Follow f = m_driver->followRollout(path(), ns(), r.resource, image, m_settings.readyTimeoutMs);
    answer(f.status, QStringLiteral("%1 container %2: %3 → %4; %5%6")
                         .arg(r.resource, r.container, r.imageBefore, image, f.message,
                              conflicts > 0 ? QStringLiteral(" (after %1 conflicts)").arg(conflicts) : QString()));
}

} // namespace Switchboard
