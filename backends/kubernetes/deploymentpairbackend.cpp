#include "deploymentpairbackend.h"

#include "kubeleasestore.h"

#include "jsonsettings.h"
#include "kubeclient.h"
#include "kubedeploymentdriver.h"
#include "kubeimagereference.h"
#include "kubelistreader.h"
#include "kuberolloutstatus.h"
#include "kubeweightedroute.h"

#include <QDateTime>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace Switchboard {

using json = nlohmann::json;

namespace {

constexpr int kPairWriteAttempts = 5;

bool isPairDnsName(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"));
    return re.match(s).hasMatch();
}

QMap<QString, int> podWeights(const QList<Member> &members)
{
    QMap<QString, int> w;
    for (const Member &m : members)
        w.insert(m.name, m.weight);
    return w;
}

QString pct(double v)
{
    return QString::number(v, 'g', 4) + QLatin1Char('%');
}

} // namespace

struct DeploymentPairBackend::Pair
{
    KubeDeployment stable;
    KubeDeployment canary;
    QList<KubePod> stablePods;
    QList<KubePod> canaryPods;

    QList<Member> members() const
    {
        QList<Member> out;
        auto add = [&out](const KubeDeployment &d, const QList<KubePod> &pods, Version v) {
            for (const KubePod &p : pods)
                out.append(p.member(v));
            if (pods.isEmpty()) {
                // A Deployment without pods still is a version: listed, so the operator sees it
                // and a rolling plan has somewhere to move to.
                Member m;
                m.name = QStringLiteral("%1 (no pods)").arg(d.name);
                m.version = v;
                m.state = QStringLiteral("scaled to %1").arg(d.specReplicas);
                out.append(m);
            }
        };
        add(stable, stablePods, Version::Stable);
        add(canary, canaryPods, Version::Canary);
        return out;
    }
    int ready() const { return KubeDeploymentDriver::readyCount(stablePods) + KubeDeploymentDriver::readyCount(canaryPods); }
};

bool DeploymentPairBackend::Settings::fromJson(const QJsonObject &o, Settings *out, QString *error)
{
    Settings s;
    auto bad = [error](const QString &message) {
        *error = QStringLiteral("deployments.") + message;
        return false;
    };
    if (!readOptionalString(o, "stable", &s.stable) || !isPairDnsName(s.stable.trimmed()))
        return bad(QStringLiteral("stable: expected the name of the stable Deployment"));
    if (!readOptionalString(o, "canary", &s.canary) || !isPairDnsName(s.canary.trimmed()))
        return bad(QStringLiteral("canary: expected the name of the canary Deployment"));
    s.stable = s.stable.trimmed();
    s.canary = s.canary.trimmed();
    if (s.stable == s.canary)
        return bad(QStringLiteral("canary: must name another Deployment than stable"));
    if (!readOptionalInt(o, "replicas", 1, 10000, &s.replicas))
        return bad(QStringLiteral("replicas: expected the total number of pods to keep, 1..10000"));
    if (!readOptionalString(o, "container", &s.container))
        return bad(QStringLiteral("container: expected a container name"));
    if (!readOptionalString(o, "service", &s.service) || (!s.service.isEmpty() && !isPairDnsName(s.service)))
        return bad(QStringLiteral("service: expected the name of the Service in front of both Deployments"));
    if (!readOptionalInt(o, "readyTimeoutMs", 100, 3600000, &s.readyTimeoutMs))
        return bad(QStringLiteral("readyTimeoutMs: expected milliseconds, 100..3600000"));
    if (!readOptionalInt(o, "pollMs", 20, 60000, &s.pollMs))
        return bad(QStringLiteral("pollMs: expected milliseconds, 20..60000"));
    QJsonObject common = o;
    common.insert(QStringLiteral("name"), s.stable);
    if (!KubeTargetSettings::fromJson(common, QStringLiteral("deployments"), {QStringLiteral("apps/v1")}, &s.target, error))
        return false;
    *out = s;
    return true;
}

bool DeploymentPairBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    Settings s;
    if (!Settings::fromJson(settings, &s, error))
        return false;
    out->lease = std::make_unique<KubeLeaseStore>(s.target, QStringLiteral("deployments"));
    out->sharedServerKey = s.target.sharedServerKey();
    out->traffic = std::make_unique<DeploymentPairBackend>(std::move(s));
    return true;
}

DeploymentPairBackend::DeploymentPairBackend(Settings settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(std::move(settings))
    , m_client(std::make_unique<KubeClient>(m_settings.target.clientSettings()))
    , m_access({{QStringLiteral("apps"), QStringLiteral("deployments"), QStringLiteral("scale")},
                {QStringLiteral("apps"), QStringLiteral("deployments"), QString()}})
    , m_accessCanary({{QStringLiteral("apps"), QStringLiteral("deployments"), QStringLiteral("scale")},
                      {QStringLiteral("apps"), QStringLiteral("deployments"), QString()}})
{
    m_driver = std::make_unique<KubeDeploymentDriver>(*m_client, [this] { return isStopRequested(); }, m_settings.pollMs);
}

DeploymentPairBackend::~DeploymentPairBackend() = default;

int DeploymentPairBackend::canaryPods(double percent, int total)
{
    if (!std::isfinite(percent) || total <= 0)
        return 0;
    const double exact = std::clamp(percent, 0.0, 100.0) * total / 100.0;
    return std::clamp(int(std::floor(exact + 0.5 + 1e-9)), 0, total);
}

QString DeploymentPairBackend::roundingText(double percent, int total)
{
    const int pods = canaryPods(percent, total);
    const double becomes = total > 0 ? 100.0 * pods / total : 0;
    if (std::abs(becomes - percent) < 1e-9)
        return {};
    return QStringLiteral("%1 of %2 pods is %3 pod%4 (%5)")
        .arg(pct(percent)).arg(total).arg(pods).arg(pods == 1 ? QString() : QStringLiteral("s")).arg(pct(becomes));
}

QString DeploymentPairBackend::ns() const
{
    return m_settings.target.namespaceFor(m_client->config());
}

QString DeploymentPairBackend::pathOf(const QString &name) const
{
    return QStringLiteral("/apis/apps/v1/namespaces/%1/deployments/%2").arg(ns(), name);
}

QString DeploymentPairBackend::what(const QString &name) const
{
    return QStringLiteral("Deployment %1/%2").arg(ns(), name);
}

bool DeploymentPairBackend::readPair(Pair *p, QString *error, bool *notFound, int listMaxAgeMs, qint64 *readAtMs)
{
    if (readAtMs)
        *readAtMs = QDateTime::currentMSecsSinceEpoch();
    for (auto [name, d, pods, key] : {std::tuple{m_settings.stable, &p->stable, &p->stablePods, "stable"},
                                      std::tuple{m_settings.canary, &p->canary, &p->canaryPods, "canary"}}) {
        bool missing = false;
        qint64 at = 0;
        if (!KubeDeployment::read(*m_client, pathOf(name), what(name), d, error, &missing, listMaxAgeMs, &at)) {
            if (missing)
                *error = QStringLiteral("%1 not found (deployments.%2): create it, or fix the name").arg(what(name), QLatin1String(key));
            if (notFound)
                *notFound = missing;
            return false;
        }
        if (readAtMs)
            *readAtMs = std::min(*readAtMs, at);
        if (!m_driver->pods(ns(), *d, pods, error))
            return false;
    }
    return true;
}

void DeploymentPairBackend::refresh()
{
    QString error;
    if (!m_client->ensureConfig(&error)) {
        Q_EMIT refreshFailed(QStringLiteral("deployments %1/%2: %3").arg(m_settings.stable, m_settings.canary, error));
        return;
    }
    Pair p;
    qint64 readAtMs = 0;
    if (!readPair(&p, &error, nullptr, KubeListReader::refreshMaxAgeMs, &readAtMs)) {
        Q_EMIT refreshFailed(error + kubeWarningSuffix(m_client->warnings()));
        return;
    }
    m_seenStable = p.stable.specReplicas;
    m_seenCanary = p.canary.specReplicas;
    TrafficSnapshot s;
    s.timeMs = readAtMs; // a shared list's time: the data is that old
    s.members = p.members();
    const int total = p.stable.specReplicas + p.canary.specReplicas;
    if (total > 0) {
        s.split.canary = 100.0 * p.canary.specReplicas / total;
        s.split.stable = 100.0 - s.split.canary;
    }
    QStringList notes;
    notes.append(QStringLiteral("set: canary %1 of %2 pods").arg(p.canary.specReplicas).arg(total));
    notes.append(QStringLiteral("Ready: stable %1/%2, canary %3/%4")
                     .arg(KubeDeploymentDriver::readyCount(p.stablePods)).arg(p.stable.specReplicas)
                     .arg(KubeDeploymentDriver::readyCount(p.canaryPods)).arg(p.canary.specReplicas));
    if (total == 0)
        notes.append(QStringLiteral("WARNING: both Deployments are scaled to 0: nothing serves"));
    // One Service must select both versions' pods, or the split is not a split.
    QMap<QString, QString> selector;
    if (!m_settings.service.isEmpty()) {
        const KubeClient::Reply reply = m_client->get(QStringLiteral("/api/v1/namespaces/%1/services/%2").arg(ns(), m_settings.service));
        const json o = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
        if (!reply.ok()) {
            notes.append(QStringLiteral("WARNING: Service %1: %2").arg(m_settings.service, reply.message));
        } else if (o.is_object() && o.contains("spec") && o["spec"].contains("selector") && o["spec"]["selector"].is_object()) {
            for (auto it = o["spec"]["selector"].begin(); it != o["spec"]["selector"].end(); ++it)
                selector.insert(QString::fromStdString(it.key()), it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString());
        }
    }
    auto covers = [&selector](const KubeDeployment &d) {
        for (auto it = selector.cbegin(); it != selector.cend(); ++it)
            if (d.templateLabels.value(it.key()) != it.value())
                return false;
        return true;
    };
    if (!selector.isEmpty()) {
        QStringList uncovered;
        for (const KubeDeployment *d : {&p.stable, &p.canary})
            if (!covers(*d))
                uncovered.append(d->name);
        if (!uncovered.isEmpty())
            notes.append(QStringLiteral("WARNING: Service %1's selector does not select the pods of %2: they get no traffic from it")
                             .arg(m_settings.service, uncovered.join(QStringLiteral(", "))));
    } else if (m_settings.service.isEmpty()) {
        bool shared = false;
        for (auto it = p.stable.templateLabels.cbegin(); it != p.stable.templateLabels.cend(); ++it)
            shared |= it.key() != QLatin1String("pod-template-hash") && p.canary.templateLabels.value(it.key()) == it.value();
        if (!shared)
            notes.append(QStringLiteral("WARNING: the pods of %1 and %2 share no label, so no Service selects both").arg(p.stable.name, p.canary.name));
    }
    notes += m_client->warnings();
    s.note = notes.join(QStringLiteral(" · "));
    const int c = p.canary.containerIndex(m_settings.container);
    if (c >= 0) {
        s.imageContainer = p.canary.containers.at(c).first;
        s.image = p.canary.containers.at(c).second;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QString denied = m_access.update(*m_client, ns(), m_settings.stable, now);
    const QString deniedCanary = m_accessCanary.update(*m_client, ns(), m_settings.canary, now);
    if (denied.isEmpty())
        denied = deniedCanary;
    s.readOnlyReason = denied;
    s.readOnly = !denied.isEmpty();
    Q_EMIT snapshotReady(s);
}

void DeploymentPairBackend::apply(const WeightChange &change)
{
    bool conflicted = false;
    Q_EMIT changeFinished(applyOnce(change, &conflicted));
}

ChangeResult DeploymentPairBackend::applyOnce(const WeightChange &change, bool *conflicted)
{
    *conflicted = false;
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    auto finish = [&r](ChangeResult::Status status, const QString &message) {
        r.status = status;
        r.message = message;
        return r;
    };
    QString error;
    if (!m_client->ensureConfig(&error))
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    for (const KubeAccessReview *a : {&m_access, &m_accessCanary})
        if (!a->denial().isEmpty())
            return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: read-only: %1").arg(a->denial()));
    Pair before;
    if (!readPair(&before, &error))
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    r.before = podWeights(before.members());
    r.after = r.before;
    const int total = m_settings.replicas > 0 ? m_settings.replicas
                    : m_unfinishedTotal > 0   ? m_unfinishedTotal
                                              : before.stable.specReplicas + before.canary.specReplicas;
    if (total <= 0)
        return finish(ChangeResult::Status::Failed,
                      QStringLiteral("nothing changed: zero total replicas (%1 and %2 are both at 0 and deployments.replicas is not set)")
                          .arg(before.stable.name, before.canary.name));
    const bool checkView = !change.force && !change.expected.isEmpty() && m_seenStable >= 0;
    if (checkView && (before.stable.specReplicas != m_seenStable || before.canary.specReplicas != m_seenCanary)) {
        *conflicted = true;
        return finish(ChangeResult::Status::Conflict,
                      QStringLiteral("nothing written: the Deployments were scaled since the last reading (stable %1 → %2, canary %3 → %4); look again")
                          .arg(m_seenStable).arg(before.stable.specReplicas).arg(m_seenCanary).arg(before.canary.specReplicas));
    }

    // The canary's pods after the change.
    int canaryTarget = 0;
    QString rounding;
    const bool rolling = !change.memberWeights.isEmpty();
    if (rolling) {
        // A rolling move takes k old servers out and puts k new ones in: k canary pods.
        int drained = 0;
        for (const KubePod &p : std::as_const(before.stablePods))
            drained += change.memberWeights.contains(p.name) && change.memberWeights.value(p.name) == 0;
        canaryTarget = std::min(total, drained);
    } else {
        if (!std::isfinite(change.canaryPercent) || change.canaryPercent < 0 || change.canaryPercent > 100)
            return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: a canary percent is 0..100"));
        canaryTarget = canaryPods(change.canaryPercent, total);
        rounding = roundingText(change.canaryPercent, total);
    }
    const bool rollback = !rolling && canaryTarget == 0 && change.force;
    const int readyBefore = before.ready();
    QStringList done;   // what was written, in order, for the message
    int conflicts = 0;
    bool touched = false;

    // One scale write, guarded: read, check it is still what the change was decided on
    // (unless forced), write with that read's resourceVersion; a 409 from a write racing a
    // status update reads again (bounded).
    auto scaleTo = [&](const QString &name, int expectedNow, int replicas, QString *why) -> ChangeResult::Status {
        for (int attempt = 0; attempt < kPairWriteAttempts; ++attempt) {
            KubeDeployment d;
            if (!KubeDeployment::read(*m_client, pathOf(name), what(name), &d, why))
                return ChangeResult::Status::Failed;
            if (!change.force && d.specReplicas != expectedNow) {
                *why = QStringLiteral("%1 was scaled by someone else meanwhile (%2 → %3)").arg(what(name)).arg(expectedNow).arg(d.specReplicas);
                return ChangeResult::Status::Conflict;
            }
            if (d.specReplicas == replicas)
                return ChangeResult::Status::Applied;
            const KubeClient::Reply reply = m_driver->scale(pathOf(name), replicas, d.resourceVersion);
            if (reply.ok()) {
                done.append(QStringLiteral("%1 %2 → %3").arg(name).arg(d.specReplicas).arg(replicas));
                touched = true;
                return ChangeResult::Status::Applied;
            }
            if (reply.error != KubeClient::Reply::Error::Conflict) {
                *why = QStringLiteral("%1: %2").arg(what(name), reply.message);
                return ChangeResult::Status::Failed;
            }
            ++conflicts;
            *why = QStringLiteral("%1: %2").arg(what(name), reply.message);
        }
        return ChangeResult::Status::Conflict;
    };

    // Moves to (stable, canary) make-before-break. Returns Applied or the failure.
    auto moveTo = [&](int stableWant, int canaryWant, int stableNow, int canaryNow) -> ChangeResult::Status {
        const bool canaryGrows = canaryWant > canaryNow;
        const bool stableGrows = stableWant > stableNow;
        QString why;
        struct Side
        {
            QString name;
            int now;
            int target;
        };
        const Side grow = canaryGrows ? Side{m_settings.canary, canaryNow, canaryWant} : Side{m_settings.stable, stableNow, stableWant};
        const Side shrink = canaryGrows ? Side{m_settings.stable, stableNow, stableWant} : Side{m_settings.canary, canaryNow, canaryWant};
        if (canaryGrows || stableGrows) {
            const ChangeResult::Status s = scaleTo(grow.name, grow.now, grow.target, &why);
            if (s != ChangeResult::Status::Applied) {
                *conflicted = s == ChangeResult::Status::Conflict && !touched;
                r.message = why;
                return touched && s != ChangeResult::Status::Conflict ? ChangeResult::Status::Partial : s;
            }
            // Make before break: the other side shrinks only once enough pods are Ready. A
            // rollback needs as many Ready pods as served when it began (the canary's are
            // going), else the grown side's new pods.
            const int need = rollback ? std::min(readyBefore, grow.target) : grow.target;
            KubeDeployment last;
            QList<KubePod> pods;
            const bool isCanary = canaryGrows;
            const KubeDeploymentDriver::Wait w = m_driver->waitFor(
                pathOf(grow.name), ns(), what(grow.name), m_settings.readyTimeoutMs,
                [need](const KubeDeployment &, const QList<KubePod> &p) { return KubeDeploymentDriver::readyCount(p) >= need; },
                [rollback, need](const KubeDeployment &d, const QList<KubePod> &p) {
                    if (rollback)
                        return false; // the way back waits its whole time for the old version
                    int failing = 0;
                    for (const KubePod &pod : p)
                        failing += pod.failing;
                    return d.progressDeadlineExceeded || (failing > 0 && KubeDeploymentDriver::readyCount(p) + (int(p.size()) - failing) < need);
                },
                &last, &pods, &why);
            if (w != KubeDeploymentDriver::Wait::Done) {
                r.newVersionFailing = isCanary && (w == KubeDeploymentDriver::Wait::TimedOut || w == KubeDeploymentDriver::Wait::Failed);
                const int readyNow = KubeDeploymentDriver::readyCount(pods);
                QString reason;
                switch (w) {
                case KubeDeploymentDriver::Wait::TimedOut:
                    reason = QStringLiteral("only %1 of %2 pods Ready after %3 s").arg(readyNow).arg(need).arg(m_settings.readyTimeoutMs / 1000.0);
                    break;
                case KubeDeploymentDriver::Wait::Failed:
                    reason = last.progressDeadlineExceeded ? QStringLiteral("progress deadline exceeded")
                                                           : QStringLiteral("pods failing, %1 of %2 Ready").arg(readyNow).arg(need);
                    break;
                case KubeDeploymentDriver::Wait::Stopped:
                    reason = QStringLiteral("stopped while waiting for Ready pods");
                    break;
                default:
                    reason = why;
                    break;
                }
                r.message = QStringLiteral("stopped: %1 scaled %2 → %3 but %4: %5; %6 left at %7, so traffic stays on Ready pods")
                                .arg(grow.name).arg(grow.now).arg(grow.target).arg(reason, KubeDeploymentDriver::notReadyText(pods), shrink.name)
                                .arg(shrink.now);
                return readyNow > 0 && isCanary ? ChangeResult::Status::Partial : ChangeResult::Status::Failed;
            }
        }
        if (shrink.target != shrink.now) {
            const ChangeResult::Status s = scaleTo(shrink.name, shrink.now, shrink.target, &why);
            if (s != ChangeResult::Status::Applied) {
                r.message = QStringLiteral("%1 done, then %2").arg(done.join(QStringLiteral(", ")), why);
                return touched ? ChangeResult::Status::Partial : s;
            }
        }
        return ChangeResult::Status::Applied;
    };

    int stableNow = before.stable.specReplicas;
    int canaryNow = before.canary.specReplicas;
    const int stableTarget = total - canaryTarget;
    const int unfinishedBefore = m_unfinishedTotal;
    m_unfinishedTotal = total; // until the change is through
    auto stopped = [&](ChangeResult::Status status) {
        if (!touched) // nothing scaled: the pair is as it was
            m_unfinishedTotal = unfinishedBefore;
        return finish(status, r.message);
    };
    if (rolling && canaryTarget > canaryNow && stableTarget < stableNow) {
        // One pod at a time: canary +1 (Ready), stable -1, and again.
        while (canaryNow < canaryTarget) {
            const int nextStable = std::max(stableTarget, stableNow - 1);
            const ChangeResult::Status s = moveTo(nextStable, canaryNow + 1, stableNow, canaryNow);
            if (s != ChangeResult::Status::Applied)
                return stopped(s);
            ++canaryNow;
            stableNow = nextStable;
        }
        if (stableNow != stableTarget) {
            const ChangeResult::Status s = moveTo(stableTarget, canaryNow, stableNow, canaryNow);
            if (s != ChangeResult::Status::Applied)
                return stopped(s);
        }
    } else {
        const ChangeResult::Status s = moveTo(stableTarget, canaryTarget, stableNow, canaryNow);
        if (s != ChangeResult::Status::Applied)
            return stopped(s);
    }

    m_unfinishedTotal = -1;
    Pair after;
    if (readPair(&after, &error)) {
        r.after = podWeights(after.members());
        m_seenStable = after.stable.specReplicas;
        m_seenCanary = after.canary.specReplicas;
    }
    QString message = QStringLiteral("canary %1 of %2 pods (%3)").arg(canaryTarget).arg(total).arg(pct(100.0 * canaryTarget / total));
    if (!rounding.isEmpty())
        message += QStringLiteral(": %1").arg(rounding);
    message += done.isEmpty() ? QStringLiteral("; already so, nothing written") : QStringLiteral("; scaled %1").arg(done.join(QStringLiteral(", then ")));
    message += QStringLiteral("; Ready now: stable %1, canary %2")
                   .arg(KubeDeploymentDriver::readyCount(after.stablePods))
                   .arg(KubeDeploymentDriver::readyCount(after.canaryPods));
    if (conflicts > 0)
        message += QStringLiteral(" (after %1 conflict%2: read again and went on)").arg(conflicts).arg(conflicts == 1 ? QString() : QStringLiteral("s"));
    return finish(ChangeResult::Status::Applied, message);
}

void DeploymentPairBackend::deployImage(const QString &image, const QString &container)
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
    r.resource = what(m_settings.canary);
    if (const QString bad = KubeImageReference::problem(image); !bad.isEmpty())
        return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(bad));
    if (const QString denied = m_accessCanary.denial(); !denied.isEmpty())
        return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: read-only: %1").arg(denied));
    const QString path = pathOf(m_settings.canary);
    int conflicts = 0;
    for (int attempt = 0;; ++attempt) {
        KubeDeployment d;
        if (!KubeDeployment::read(*m_client, path, r.resource, &d, &error))
            return answer(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
        const QString wanted = container.isEmpty() ? m_settings.container : container;
        const int c = d.containerIndex(wanted);
        if (c < 0)
            return answer(ChangeResult::Status::Failed,
                          QStringLiteral("nothing changed: %1 has no container \"%2\"").arg(r.resource, wanted));
        r.container = d.containers.at(c).first;
        r.imageBefore = d.containers.at(c).second;
        if (r.imageBefore == image)
            break; // already so: follow it to Ready all the same
        const KubeClient::Reply reply = m_driver->setImage(path, r.container, image, d.resourceVersion);
        if (reply.ok())
            break;
        // A status update between our read and write is no reason to give up on a deploy the
        // operator asked for: the image is what was asked, whatever the replica counts.
        if (reply.error != KubeClient::Reply::Error::Conflict || attempt + 1 >= kPairWriteAttempts)
            return answer(reply.error == KubeClient::Reply::Error::Conflict ? ChangeResult::Status::Conflict : ChangeResult::Status::Failed,
                          QStringLiteral("nothing changed: %1: %2").arg(r.resource, reply.message));
        ++conflicts;
    }
    const QString suffix = conflicts > 0 ? QStringLiteral(" (after %1 conflict%2)").arg(conflicts).arg(conflicts == 1 ? QString() : QStringLiteral("s"))
                                         : QString();
    const KubeDeploymentDriver::Follow f = m_driver->followRollout(path, ns(), r.resource, image, m_settings.readyTimeoutMs);
    answer(f.status, QStringLiteral("%1 container %2: %3 → %4; %5%6").arg(r.resource, r.container, r.imageBefore, image, f.message, suffix));
}

} // namespace Switchboard
