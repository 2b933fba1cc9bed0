#include "argorolloutbackend.h"

#include "kubeleasestore.h"

#include "kubeclient.h"
#include "kubelistreader.h"
#include "kubeweightedroute.h"
#include "weightchange.h"

#include <QDateTime>

#include <limits>

namespace Switchboard {

using json = nlohmann::json;

namespace {

// What one GET of a Rollout says, in the terms of its kubectl plugin.
struct Rollout
{
    json object;
    std::string resourceVersion; // every patch carries it: Argo must not act on a state nobody saw
    QString phase;
    QString message;
    bool canary = false;
    bool blueGreen = false;
    int steps = 0;
    int stepIndex = 0; // status.currentStepIndex, 0 when absent (as the plugin counts)
    bool hasStepIndex = false;
    bool specPaused = false;
    QStringList pauseReasons; // status.pauseConditions[].reason; non-empty = paused by the controller
    bool aborted = false;
    bool promotingFull = false;
    QString stableRS;
    QString currentPodHash;
    bool oneVersion = false; // nothing in flight: the current pods are the stable ones
    QString weightSource;
    QList<Member> members;
    QString note;

    QMap<QString, int> weights() const
    {
        QMap<QString, int> w;
        for (const Member &m : members)
            w.insert(m.name, m.weight);
        return w;
    }
};

const json &child(const json &o, const char *key)
{
    static const json empty = json::object();
    if (!o.is_object())
        return empty;
    const auto it = o.find(key);
    return it != o.end() && it->is_object() ? *it : empty;
}

bool flag(const json &o, const char *key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_boolean() && it->get<bool>();
}

bool integer(const json &o, const char *key, int *out)
{
    const auto it = o.find(key);
    if (it == o.end() || !it->is_number_integer())
        return false;
    // Range-checked before narrowing: a number outside int is a bad answer, never a wrapped one.
    if (it->is_number_unsigned() ? it->get<unsigned long long>() > unsigned(std::numeric_limits<int>::max())
                                 : it->get<long long>() < std::numeric_limits<int>::min()
                                       || it->get<long long>() > std::numeric_limits<int>::max())
        return false;
    *out = int(it->get<long long>());
    return true;
}

bool parseRollout(const json &o, const QString &name, Rollout *r, QString *error)
{
    const QString kind = kubeText(o, "kind");
    if (!kind.isEmpty() && kind != QStringLiteral("Rollout")) {
        *error = QStringLiteral("the resource is a %1, not a Rollout").arg(kind);
        return false;
    }
    const json &spec = child(o, "spec");
    const json &strategy = child(spec, "strategy");
    const json &status = child(o, "status");
    r->canary = strategy.contains("canary") && strategy["canary"].is_object();
    r->blueGreen = strategy.contains("blueGreen") && strategy["blueGreen"].is_object();
    if (!r->canary && !r->blueGreen) {
        *error = QStringLiteral("spec.strategy has neither canary nor blueGreen");
        return false;
    }
    const json &canarySpec = child(strategy, "canary");
    const auto stepsIt = canarySpec.find("steps");
    const bool hasSteps = stepsIt != canarySpec.end() && stepsIt->is_array();
    r->steps = hasSteps ? int(stepsIt->size()) : 0;
    r->specPaused = flag(spec, "paused");
    r->phase = kubeText(status, "phase");
    r->message = kubeText(status, "message").simplified();
    r->hasStepIndex = integer(status, "currentStepIndex", &r->stepIndex);
    if (!r->hasStepIndex)
        r->stepIndex = 0;
    r->aborted = flag(status, "abort");
    r->promotingFull = flag(status, "promoteFull");
    if (const auto pc = status.find("pauseConditions"); pc != status.end() && pc->is_array()) {
        for (const json &c : *pc)
            r->pauseReasons.append(kubeText(c, "reason").isEmpty() ? QStringLiteral("paused") : kubeText(c, "reason"));
    }
    r->stableRS = kubeText(status, "stableRS");
    if (r->stableRS.isEmpty())
        r->stableRS = kubeText(child(status, "canary"), "stableRS"); // controllers before v0.9
    r->currentPodHash = kubeText(status, "currentPodHash");
    r->oneVersion = r->stableRS.isEmpty() || r->currentPodHash.isEmpty() || r->stableRS == r->currentPodHash;
    // An aborted rollout is degraded whatever else its status still says (a pause, a full
    // promotion asked for before the abort): the controller holds it at stable until a retry.
    if (r->phase.isEmpty())
        r->phase = r->aborted ? QStringLiteral("Degraded")
                   : r->specPaused || !r->pauseReasons.isEmpty() ? QStringLiteral("Paused") : QStringLiteral("Unknown");

    // The canary weight: what the controller last set on the traffic router when it reports it
    // (status.canary.weights, with trafficRouting), else what the steps ask for, found as Argo
    // does (GetCurrentSetWeight: abort -> 0, past the last step -> 100, else the latest setWeight
    // at or before the current step). Without traffic routing Argo approximates that weight
    // with replica counts; reading ReplicaSets would cost more requests per poll.
    int canaryWeight = 0;
    int stableWeight = 100;
    const json &weights = child(child(status, "canary"), "weights");
    if (r->blueGreen) {
        r->weightSource = QStringLiteral("blue-green: the active service takes all traffic");
    } else if (r->oneVersion) {
        r->weightSource = QStringLiteral("one version running");
    } else if (integer(child(weights, "canary"), "weight", &canaryWeight)) {
        if (!integer(child(weights, "stable"), "weight", &stableWeight))
            stableWeight = 100 - canaryWeight;
        r->weightSource = QStringLiteral("weights from status.canary.weights");
    } else {
        if (r->aborted) {
            canaryWeight = 0;
            r->weightSource = QStringLiteral("weight 0 while aborted");
        } else if (r->promotingFull) {
            canaryWeight = 100;
            r->weightSource = QStringLiteral("weight 100 while promoting fully");
        } else if (r->steps == 0 || r->stepIndex >= r->steps) {
            canaryWeight = 100;
            r->weightSource = QStringLiteral("weight 100 after the last step");
        } else {
            for (int i = r->stepIndex; i >= 0; --i) {
                const json &step = (*stepsIt)[size_t(i)];
                if (integer(step, "setWeight", &canaryWeight))
                    break;
            }
            r->weightSource = QStringLiteral("weight from the steps' setWeight");
        }
        stableWeight = 100 - canaryWeight;
    }

    auto rsName = [&name](const QString &hash, const char *fallback) {
        return hash.isEmpty() ? QStringLiteral("%1 (%2)").arg(name, QLatin1String(fallback)) : name + QLatin1Char('-') + hash;
    };
    Member stable;
    stable.version = Version::Stable;
    stable.state = r->phase;
    if (r->oneVersion) {
        stable.name = rsName(r->currentPodHash.isEmpty() ? r->stableRS : r->currentPodHash, "stable");
        stable.weight = 100;
        r->members = {stable};
    } else {
        stable.name = rsName(r->stableRS, "stable");
        stable.weight = stableWeight;
        Member canary;
        canary.name = rsName(r->currentPodHash, "canary");
        canary.version = Version::Canary;
        canary.weight = canaryWeight;
        canary.state = r->phase;
        r->members = {stable, canary};
    }

    QStringList note;
    note.append(r->message.isEmpty() ? r->phase : QStringLiteral("%1: %2").arg(r->phase, r->message));
    if (r->canary && r->steps > 0)
        note.append(QStringLiteral("step %1/%2").arg(std::min(r->stepIndex, r->steps)).arg(r->steps));
    if (!r->pauseReasons.isEmpty())
        note.append(QStringLiteral("paused (%1)").arg(r->pauseReasons.join(QStringLiteral(", "))));
    else if (r->specPaused)
        note.append(QStringLiteral("paused (spec.paused)"));
    if (r->aborted)
        note.append(QStringLiteral("aborted"));
    else if (r->promotingFull)
        note.append(QStringLiteral("promoting fully"));
    note.append(r->weightSource);
    r->note = note.join(QStringLiteral(" · "));
    r->resourceVersion = kubeText(child(o, "metadata"), "resourceVersion").toStdString();
    r->object = o;
    return true;
}

// With `listMaxAgeMs` > 0 (a periodic refresh) the Rollout may come out of the thread's list of
// the namespace's Rollouts that young (KubeListReader); *readAtMs gets when it was read.
bool readRollout(KubeClient &client, const QString &path, const QString &what, const QString &name, Rollout *r,
                 QString *error, int listMaxAgeMs = 0, qint64 *readAtMs = nullptr)
{
    const KubeClient::Reply reply = KubeListReader::forThread().get(client, path, listMaxAgeMs, readAtMs);
    if (!reply.ok()) {
        *error = QStringLiteral("%1: %2").arg(what, reply.message);
        return false;
    }
    const json o = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    QString why = QStringLiteral("the API server's answer is not a JSON object");
    if (!o.is_object() || !parseRollout(o, name, r, &why)) {
        *error = QStringLiteral("%1: %2").arg(what, why);
        return false;
    }
    return true;
}

QByteArray bytes(const json &j)
{
    return QByteArray::fromStdString(j.dump());
}

} // namespace

bool ArgoRolloutBackend::Settings::fromJson(const QJsonObject &o, Settings *out, QString *error)
{
    Settings s;
    if (!KubeTargetSettings::fromJson(o, QStringLiteral("argo-rollouts"), {QStringLiteral("argoproj.io/v1alpha1")}, &s.target, error))
        return false;
    *out = s;
    return true;
}

bool ArgoRolloutBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    Settings s;
    if (!Settings::fromJson(settings, &s, error))
        return false;
    out->lease = std::make_unique<KubeLeaseStore>(s.target, QStringLiteral("argo-rollouts"));
    out->sharedServerKey = s.target.sharedServerKey();
    out->traffic = std::make_unique<ArgoRolloutBackend>(std::move(s));
    return true;
}

ArgoRolloutBackend::ArgoRolloutBackend(Settings settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(std::move(settings))
    , m_client(std::make_unique<KubeClient>(m_settings.target.clientSettings()))
    , m_access({{QStringLiteral("argoproj.io"), QStringLiteral("rollouts"), QString()},
                {QStringLiteral("argoproj.io"), QStringLiteral("rollouts"), QStringLiteral("status")}})
{
}

ArgoRolloutBackend::~ArgoRolloutBackend() = default;

QString ArgoRolloutBackend::what() const
{
    const QString ns = m_client->config().contextName.isEmpty() ? m_settings.target.ns
                                                                : m_settings.target.namespaceFor(m_client->config());
    return QStringLiteral("Rollout %1/%2").arg(ns.isEmpty() ? QStringLiteral("?") : ns, m_settings.target.name);
}

namespace {

// The header routes Argo has in force: each setHeaderRoute step already passed sets (or, with no
// match, removes) its managed route. Values other than exact are shown with their kind.
QList<TrafficRoute> argoHeaderRoutes(const json &object, int stepIndex, QStringList *managed)
{
    QMap<QString, QList<TrafficRoute>> byName;
    const json canary = object.value("spec", json::object()).value("strategy", json::object()).value("canary", json::object());
    for (const json &m : canary.value("trafficRouting", json::object()).value("managedRoutes", json::array()))
        if (m.is_object())
            managed->append(QString::fromStdString(m.value("name", std::string())));
    const json steps = canary.value("steps", json::array());
    for (int i = 0; i < stepIndex && i < int(steps.size()); ++i) {
        if (!steps[size_t(i)].is_object() || !steps[size_t(i)].contains("setHeaderRoute"))
            continue;
        const json &step = steps[size_t(i)]["setHeaderRoute"];
        const QString name = QString::fromStdString(step.value("name", std::string()));
        QList<TrafficRoute> routes;
        for (const json &m : step.value("match", json::array())) {
            TrafficRoute r;
            r.name = QString::fromStdString(m.value("headerName", std::string()));
            const json value = m.value("headerValue", json::object());
            for (const char *kind : {"exact", "prefix", "regex"}) {
                if (value.contains(kind)) {
                    const QString v = QString::fromStdString(value.value(kind, std::string()));
                    r.value = std::string(kind) == "exact" ? v : QStringLiteral("%1 %2").arg(QLatin1String(kind), v);
                }
            }
            routes.append(r);
        }
        byName.insert(name, routes);
    }
    QList<TrafficRoute> out;
    for (const QList<TrafficRoute> &routes : std::as_const(byName))
        out += routes;
    return out;
}

} // namespace

void ArgoRolloutBackend::editRoutes(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    r.status = ChangeResult::Status::Failed;
    r.message = QStringLiteral("nothing changed: Argo Rollouts owns the header routes of %1 (trafficRouting.managedRoutes and "
                               "setHeaderRoute steps): change them in the Rollout's steps, not here")
                    .arg(what());
    Q_EMIT changeFinished(r);
}

void ArgoRolloutBackend::refresh()
{
    QString error;
    if (!m_client->ensureConfig(&error)) {
        Q_EMIT refreshFailed(QStringLiteral("Rollout %1: %2").arg(m_settings.target.name, error));
        return;
    }
    Rollout r;
    const QString path = m_settings.target.path(m_client->config(), QStringLiteral("rollouts"));
    qint64 readAtMs = 0;
    if (!readRollout(*m_client, path, what(), m_settings.target.name, &r, &error, KubeListReader::refreshMaxAgeMs, &readAtMs)) {
        Q_EMIT refreshFailed(error + kubeWarningSuffix(m_client->warnings()));
        return;
    }
    TrafficSnapshot s;
    s.timeMs = readAtMs; // a shared list's time: the data is that old
    s.members = r.members;
    s.split = TrafficSplit::fromMembers(s.members);
    s.note = (QStringList{r.note} + m_client->warnings()).join(QStringLiteral("; "));
    QStringList managed;
    s.routes = argoHeaderRoutes(r.object, r.stepIndex, &managed);
    s.routesRefusal = QStringLiteral("Argo Rollouts owns these routes (managedRoutes: %1): change them in the Rollout's setHeaderRoute steps")
                          .arg(managed.isEmpty() ? QStringLiteral("none") : managed.join(QStringLiteral(", ")));
    // After the read, so an unreachable server costs one timeout, not two.
    s.readOnlyReason = m_access.update(*m_client, m_settings.target.namespaceFor(m_client->config()), m_settings.target.name,
                                       QDateTime::currentMSecsSinceEpoch());
    s.readOnly = !s.readOnlyReason.isEmpty();
    Q_EMIT snapshotReady(s);
}

void ArgoRolloutBackend::apply(const WeightChange &change)
{
    if (!change.memberWeights.isEmpty()) {
        ChangeResult r;
        r.requestedCanaryPercent = change.canaryPercent;
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("Argo Rollouts moves Pods by its own steps: per-server moves do not apply (use a canary plan)");
        Q_EMIT changeFinished(r);
    } else if (change.canaryPercent == 100.0) {
        Q_EMIT changeFinished(run(Action::PromoteFull, &change));
    } else if (change.canaryPercent == 0.0) {
        Q_EMIT changeFinished(run(Action::Abort, &change));
    } else {
        ChangeResult r;
        r.requestedCanaryPercent = change.canaryPercent;
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("Argo Rollouts sets weights by its steps: use Promote/Abort");
        Q_EMIT changeFinished(r);
    }
}

void ArgoRolloutBackend::promote()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("promote"), run(Action::Promote, nullptr));
}

void ArgoRolloutBackend::promoteStep()
{
    Q_EMIT stepPromoted(run(Action::Promote, nullptr));
}

void ArgoRolloutBackend::promoteFull()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("promote-full"), run(Action::PromoteFull, nullptr));
}

void ArgoRolloutBackend::abort()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("abort"), run(Action::Abort, nullptr));
}

void ArgoRolloutBackend::retry()
{
    Q_EMIT rolloutActionFinished(QStringLiteral("retry"), run(Action::Retry, nullptr));
}

ChangeResult ArgoRolloutBackend::run(Action action, const WeightChange *change)
{
    // Every patch carries the resourceVersion it was decided on, so a 409 means Argo (or someone)
    // moved the rollout in between. A rollback (abort, or a forced change) is about the end
    // state: it reads again and goes on, a bounded number of times. Anything else was decided on
    // what the operator saw: they get the new state and decide again.
    const bool persist = change ? change->force : action == Action::Abort;
    int conflicts = 0;
    for (;;) {
        bool conflicted = false;
        ChangeResult r = runOnce(action, change, &conflicted);
        if (!conflicted)
            return conflicts == 0 ? r : withConflicts(r, conflicts);
        ++conflicts;
        if (persist && conflicts < kubeForcedAttempts)
            continue;
        if (persist) {
            r.status = ChangeResult::Status::Failed;
            r.message = QStringLiteral("%1 kept changing on the server: gave up after %2 conflicts, nothing of ours written")
                            .arg(what()).arg(conflicts);
            return r;
        }
        // Show what holds now, as a refresh would.
        Rollout now;
        QString error;
        const QString path = m_settings.target.path(m_client->config(), QStringLiteral("rollouts"));
        if (readRollout(*m_client, path, what(), m_settings.target.name, &now, &error)) {
            r.after = now.weights();
            r.message = QStringLiteral("%1 changed after it was read: nothing written; it is now %2. Look again and decide")
                            .arg(what(), now.note);
        }
        return r;
    }
}

ChangeResult ArgoRolloutBackend::withConflicts(ChangeResult r, int conflicts) const
{
    r.message += QStringLiteral(" (after %1 conflict%2: %3 changed between read and write, read again and went on)")
                     .arg(conflicts).arg(conflicts == 1 ? QString() : QStringLiteral("s"), what());
    return r;
}

ChangeResult ArgoRolloutBackend::runOnce(Action action, const WeightChange *change, bool *conflicted)
{
    *conflicted = false;
    ChangeResult r;
    // Promote and retry ask for no particular percent: Argo's steps decide.
    r.requestedCanaryPercent = action == Action::PromoteFull ? 100.0 : (action == Action::Abort ? 0.0 : unknown());
    if (change)
        r.requestedCanaryPercent = change->canaryPercent;
    QString error;
    if (!m_client->ensureConfig(&error)) {
        r.message = QStringLiteral("nothing changed: Rollout %1: %2").arg(m_settings.target.name, error);
        return r;
    }
    if (const QString denied = m_access.denial(); !denied.isEmpty()) {
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(denied); // known to be refused: no PATCH
        return r;
    }
    const QString path = m_settings.target.path(m_client->config(), QStringLiteral("rollouts"));
    const QString name = m_settings.target.name;
    Rollout before;
    if (!readRollout(*m_client, path, what(), name, &before, &error)) {
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        return r;
    }
    r.before = before.weights();
    r.after = r.before;
    auto done = [&r](const QString &message) {
        r.status = ChangeResult::Status::Applied;
        r.message = message;
        return r;
    };
    auto failed = [&r](const QString &message) {
        r.status = ChangeResult::Status::Failed;
        r.message = message;
        return r;
    };

    // The patches, as the kubectl plugin builds them (cmd/promote, abort, retry).
    json statusPatch;  // for the status subresource; null: none
    json specPatch;    // for the object; null: none
    json fallbackPatch; // for the object when the status subresource does not exist
    QString sent;
    switch (action) {
    case Action::PromoteFull:
        if (before.oneVersion)
            return failed(QStringLiteral("nothing to promote: %1 runs one version, there is no canary").arg(what()));
        if (before.promotingFull && !before.aborted) // aborted, the old request does nothing: send it again
            return done(QStringLiteral("%1 is already being promoted fully: nothing written").arg(what()));
        statusPatch = {{"status", {{"promoteFull", true}}}};
        // The plugin sends nothing to an old controller here; the object patch is what the same
        // controllers take for abort and retry, so it gets the same body.
        fallbackPatch = statusPatch;
        sent = QStringLiteral("promote --full sent: Argo Rollouts skips the remaining steps and moves to 100% canary");
        break;
    case Action::Abort:
        if (before.oneVersion)
            return done(QStringLiteral("%1 runs one version, all traffic is on it: nothing to abort, nothing written").arg(what()));
        if (before.aborted)
            return done(QStringLiteral("%1 is already aborted: nothing written").arg(what()));
        statusPatch = {{"status", {{"abort", true}}}};
        fallbackPatch = statusPatch;
        sent = QStringLiteral("abort sent: Argo Rollouts moves all traffic back to stable");
        break;
    case Action::Retry:
        statusPatch = {{"status", {{"abort", false}}}};
        fallbackPatch = statusPatch;
        sent = QStringLiteral("retry sent: the rollout leaves the aborted state and runs its steps again");
        break;
    case Action::Promote: {
        fallbackPatch = {{"spec", {{"paused", false}}}, {"status", {{"pauseConditions", nullptr}}}};
        if (before.specPaused)
            specPatch = {{"spec", {{"paused", false}}}};
        if (!before.pauseReasons.isEmpty()) {
            statusPatch = {{"status", {{"pauseConditions", nullptr}}}};
            sent = QStringLiteral("promote sent: pause (%1) cleared at step %2/%3")
                       .arg(before.pauseReasons.join(QStringLiteral(", ")))
                       .arg(before.stepIndex)
                       .arg(before.steps);
        } else if (before.canary && before.stepIndex < before.steps) {
            // Nothing paused (an analysis or experiment step runs): skip the current step. Past
            // the last step the plugin would send the same index again, a no-op: we say so instead.
            const int next = before.stepIndex + 1;
            statusPatch = {{"status", {{"pauseConditions", nullptr}, {"currentStepIndex", next}}}};
            fallbackPatch["status"]["currentStepIndex"] = next;
            sent = QStringLiteral("promote sent: step %1 -> %2 of %3").arg(before.stepIndex).arg(next).arg(before.steps);
        } else if (before.specPaused) {
            sent = QStringLiteral("promote sent: spec.paused cleared");
        }
        if (statusPatch.is_null() && specPatch.is_null())
            return failed(QStringLiteral("nothing to promote: %1 is not paused and has no step to skip").arg(what()));
        break;
    }
    }

    if (change && action != Action::Promote) {
        // The operator decided on a view; Argo may have stepped on since. Same check as every
        // backend (a forced change, i.e. a rollback, skips it).
        QMap<QString, int> unused;
        ChangeResult check = r;
        if (!checkAndPlan(*change, before.members, r.before, &unused, &check))
            return check;
    }

    if (before.resourceVersion.empty())
        return failed(QStringLiteral("nothing changed: %1 has no metadata.resourceVersion, and a write without one could act "
                                     "on a step nobody saw").arg(what()));
    auto guarded = [](json patch, const std::string &resourceVersion) {
        patch["metadata"]["resourceVersion"] = resourceVersion;
        return bytes(patch);
    };

    auto failure = [&](const KubeClient::Reply &reply, bool touched) {
        switch (reply.error) {
        case KubeClient::Reply::Error::Conflict:
            *conflicted = !touched;
            r.status = ChangeResult::Status::Conflict;
            r.message = QStringLiteral("%1: %2: nothing written; look again").arg(what(), reply.message);
            break;
        case KubeClient::Reply::Error::Timeout:
        case KubeClient::Reply::Error::Network:
            r.status = touched ? ChangeResult::Status::Partial : ChangeResult::Status::Failed;
            r.message = QStringLiteral("%1: %2: the change may or may not have been applied, refresh to see").arg(what(), reply.message);
            break;
        default:
            r.status = touched ? ChangeResult::Status::Partial : ChangeResult::Status::Failed;
            r.message = QStringLiteral("%1%2: %3")
                            .arg(touched ? QStringLiteral("status patched, then ") : QStringLiteral("nothing changed: "), what(), reply.message);
            break;
        }
        return r;
    };

    KubeClient::Reply last;
    bool touched = false;
    bool fellBack = false;
    std::string version = before.resourceVersion;
    if (!statusPatch.is_null()) {
        last = m_client->patch(path + QStringLiteral("/status"), guarded(statusPatch, version));
        if (last.error == KubeClient::Reply::Error::NotFound) {
            // No status subresource (controllers before v0.10): one patch on the object.
            specPatch = fallbackPatch;
            fellBack = true;
        } else if (!last.ok()) {
            return failure(last, false);
        } else {
            touched = true;
            // The object patch that follows builds on our own status write.
            const json written = json::parse(last.body.constData(), last.body.constData() + last.body.size(), nullptr, false);
            version = kubeText(child(written, "metadata"), "resourceVersion").toStdString();
        }
    }
    if (!specPatch.is_null()) {
        last = m_client->patch(path, guarded(specPatch, version));
        if (!last.ok())
            return failure(last, touched);
    }

    Rollout after;
    const json o = json::parse(last.body.constData(), last.body.constData() + last.body.size(), nullptr, false);
    if (o.is_object() && parseRollout(o, name, &after, &error))
        r.after = after.weights();
    r.status = ChangeResult::Status::Applied;
    r.message = QStringLiteral("%1 (%2)%3")
                    .arg(sent, what(),
                         fellBack ? QStringLiteral("; no status subresource, so the object was patched") : QString());
    return r;
}

} // namespace Switchboard
