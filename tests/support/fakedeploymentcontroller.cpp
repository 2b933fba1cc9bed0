#include "fakedeploymentcontroller.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <functional>

namespace Switchboard::Test {

using json = nlohmann::json;

namespace {

const char *const kRevision = "deployment.kubernetes.io/revision";
const char *const kCreated = "fake.switchboard/created-ms";
const char *const kBehaviour = "fake.switchboard/pods";

void bumpVersion(json &o)
{
    json &meta = o["metadata"];
    const std::string rv = meta.value("resourceVersion", std::string("0"));
    meta["resourceVersion"] = std::to_string(std::stoll(rv.empty() ? std::string("0") : rv) + 1);
}

// Sets o[key] = value; true (and the object's resourceVersion bumped by the caller) if it changed.
bool assign(json &holder, const char *key, const json &value)
{
    if (holder.contains(key) && holder[key] == value)
        return false;
    holder[key] = value;
    return true;
}

QStringList segments(const QString &path)
{
    return path.split(QLatin1Char('/'));
}

json templateWithoutHash(json tmpl)
{
    if (tmpl.contains("metadata") && tmpl["metadata"].contains("labels"))
        tmpl["metadata"]["labels"].erase("pod-template-hash");
    return tmpl;
}

std::string hashOf(const json &tmpl)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    size_t h = std::hash<std::string>{}(templateWithoutHash(tmpl).dump());
    std::string out;
    for (int i = 0; i < 10; ++i) {
        out += alphabet[h % (sizeof(alphabet) - 1)];
        h /= (sizeof(alphabet) - 1);
    }
    return out;
}

// maxSurge / maxUnavailable of `desired`: an int, or a percent rounded up (surge) or down.
int resolve(const json &v, int desired, bool roundUp)
{
    if (v.is_number_integer())
        return v.get<int>();
    if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (!s.empty() && s.back() == '%') {
            const double x = std::stod(s.substr(0, s.size() - 1)) * desired / 100.0;
            return int(roundUp ? std::ceil(x) : std::floor(x));
        }
        return std::stoi(s);
    }
    return int(roundUp ? std::ceil(desired * 0.25) : std::floor(desired * 0.25));
}

bool podReady(const json &pod)
{
    for (const json &c : pod["status"].value("conditions", json::array()))
        if (c.value("type", "") == "Ready")
            return c.value("status", "") == "True";
    return false;
}

std::string ownerOf(const json &o)
{
    for (const json &r : o["metadata"].value("ownerReferences", json::array()))
        return r.value("name", "");
    return {};
}

} // namespace

int FakeDeploymentController::Moment::total() const
{
    int n = 0;
    for (int v : ready)
        n += v;
    return n;
}

void FakeDeploymentController::reconcile(std::map<QString, json> &objects, qint64 nowMs)
{
    QStringList deployments, replicaSets, pods;
    for (const auto &[path, o] : objects) {
        const QStringList p = segments(path);
        if (p.size() == 8 && p[1] == QLatin1String("apis") && p[2] == QLatin1String("apps") && p[6] == QLatin1String("deployments"))
            deployments.append(path);
    }
    // Pods first (time passes for them), then ReplicaSets and Deployments react, then pods again
    // for the ones just created.
    for (auto &[path, o] : objects)
        if (segments(path).value(5) == QLatin1String("pods") && segments(path).size() == 7)
            reconcilePod(o, nowMs);
    for (const QString &d : std::as_const(deployments))
        reconcileDeployment(objects, d, nowMs);
    for (const auto &[path, o] : objects) {
        const QStringList p = segments(path);
        if (p.size() == 8 && p[6] == QLatin1String("replicasets"))
            replicaSets.append(path);
    }
    for (const QString &rs : std::as_const(replicaSets))
        reconcileReplicaSet(objects, rs, nowMs);
    for (const QString &d : std::as_const(deployments))
        reconcileDeployment(objects, d, nowMs); // status after the pods changed
    const QMap<QString, int> ready = readyByDeployment(objects);
    if (ready != m_lastReady) {
        m_lastReady = ready;
        m_history.append({nowMs, QStringLiteral("ready"), ready});
    }
}

void FakeDeploymentController::recordWrite(const std::map<QString, json> &objects, const QString &event, qint64 nowMs)
{
    m_history.append({nowMs, event, readyByDeployment(objects)});
}

QMap<QString, int> FakeDeploymentController::readyByDeployment(const std::map<QString, json> &objects) const
{
    QMap<QString, int> rsOwner; // unused values; keys "<ns>/<rs>" -> deployment via names below
    std::map<std::string, std::string> deploymentOfRs;
    QMap<QString, int> ready;
    for (const auto &[path, o] : objects) {
        const QStringList p = segments(path);
        if (p.size() == 8 && p[6] == QLatin1String("replicasets"))
            deploymentOfRs[p[5].toStdString() + "/" + p[7].toStdString()] = ownerOf(o);
        if (p.size() == 8 && p[6] == QLatin1String("deployments"))
            ready.insert(p[7], 0);
    }
    for (const auto &[path, o] : objects) {
        const QStringList p = segments(path);
        if (p.size() != 7 || p[5] != QLatin1String("pods") || !podReady(o))
            continue;
        const auto it = deploymentOfRs.find(p[4].toStdString() + "/" + ownerOf(o));
        if (it != deploymentOfRs.end())
            ready[QString::fromStdString(it->second)] += 1;
    }
    return ready;
}

void FakeDeploymentController::reconcileDeployment(std::map<QString, json> &objects, const QString &path, qint64 nowMs)
{
    json &d = objects.at(path);
    const QStringList p = segments(path);
    const QString ns = p[5];
    const std::string name = p[7].toStdString();
    json &spec = d["spec"];
    const json tmpl = spec.value("template", json::object());
    const std::string hash = hashOf(tmpl);
    const QString rsPrefix = QStringLiteral("/apis/apps/v1/namespaces/%1/replicasets/").arg(ns);
    const QString newPath = rsPrefix + QString::fromStdString(name + "-" + hash);
    QStringList owned;
    long long maxRevision = 0;
    for (const auto &[rsPath, rs] : objects) {
        if (rsPath.startsWith(rsPrefix) && ownerOf(rs) == name) {
            owned.append(rsPath);
            maxRevision = std::max(maxRevision, std::stoll(rs["metadata"]["annotations"].value(kRevision, std::string("0"))));
        }
    }
    const bool paused = spec.value("paused", false);
    const int desired = spec.value("replicas", 1);
    bool changed = false;
    if (!paused) {
        if (!objects.count(newPath)) {
            json rsTemplate = tmpl;
            rsTemplate["metadata"]["labels"]["pod-template-hash"] = hash;
            json selector = spec.value("selector", json::object());
            selector["matchLabels"]["pod-template-hash"] = hash;
            json labels = rsTemplate["metadata"]["labels"];
            objects[newPath] = {{"apiVersion", "apps/v1"},
                                {"kind", "ReplicaSet"},
                                {"metadata",
                                 {{"name", name + "-" + hash},
                                  {"namespace", ns.toStdString()},
                                  {"labels", labels},
                                  {"annotations", {{kRevision, std::to_string(maxRevision + 1)}}},
                                  {"ownerReferences", json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", name}}})},
                                  {"resourceVersion", "1"}}},
                                {"spec", {{"replicas", owned.isEmpty() ? desired : 0}, {"selector", selector}, {"template", rsTemplate}}},
                                {"status", {{"replicas", 0}}}};
            owned.append(newPath);
            maxRevision += 1;
        } else {
            json &ann = objects[newPath]["metadata"]["annotations"];
            if (std::stoll(ann.value(kRevision, std::string("0"))) < maxRevision) {
                // A template seen before (a rollback) becomes the newest revision again.
                ann[kRevision] = std::to_string(maxRevision + 1);
                bumpVersion(objects[newPath]);
                maxRevision += 1;
            }
        }
    }
    auto readyOf = [&objects](const QString &rsPath) {
        const std::string rsName = segments(rsPath).value(7).toStdString();
        const QString podPrefix = QStringLiteral("/api/v1/namespaces/%1/pods/").arg(segments(rsPath).value(5));
        int n = 0;
        int total = 0;
        for (const auto &[pp, pod] : objects) {
            if (pp.startsWith(podPrefix) && ownerOf(pod) == rsName) {
                ++total;
                n += podReady(pod);
            }
        }
        return std::pair{n, total};
    };
    auto replicasOf = [&objects](const QString &rsPath) -> int { return objects.at(rsPath)["spec"].value("replicas", 0); };
    auto setReplicas = [&objects](const QString &rsPath, int n) {
        json &rs = objects.at(rsPath);
        if (assign(rs["spec"], "replicas", n))
            bumpVersion(rs);
    };
    if (objects.count(newPath)) {
        json &meta = d["metadata"];
        const std::string revision = objects[newPath]["metadata"]["annotations"].value(kRevision, std::string("1"));
        if (!meta.contains("annotations") || meta["annotations"].value(kRevision, std::string()) != revision) {
            meta["annotations"][kRevision] = revision;
            changed = true;
        }
    }
    if (!paused && objects.count(newPath)) {
        const json rolling = spec.value("strategy", json::object()).value("rollingUpdate", json::object());
        int surge = resolve(rolling.value("maxSurge", json("25%")), desired, true);
        int unavailable = resolve(rolling.value("maxUnavailable", json("25%")), desired, false);
        if (surge == 0 && unavailable == 0)
            unavailable = 1;
        QStringList old;
        for (const QString &rs : std::as_const(owned))
            if (rs != newPath)
                old.append(rs);
        int oldReplicas = 0;
        for (const QString &rs : std::as_const(old))
            oldReplicas += replicasOf(rs);
        if (oldReplicas == 0) {
            setReplicas(newPath, desired);
        } else {
            int all = oldReplicas + replicasOf(newPath);
            if (replicasOf(newPath) < desired) {
                const int up = std::min(desired - replicasOf(newPath), desired + surge - all);
                if (up > 0)
                    setReplicas(newPath, replicasOf(newPath) + up);
            } else if (replicasOf(newPath) > desired) {
                setReplicas(newPath, desired);
            }
            all = oldReplicas + replicasOf(newPath);
            const int minAvailable = desired - unavailable;
            const auto [newReady, newPods] = readyOf(newPath);
            Q_UNUSED(newPods);
            const int newUnavailable = std::max(0, replicasOf(newPath) - newReady);
            int maxScaledDown = all - minAvailable - newUnavailable;
            // Unhealthy old pods go first, then healthy ones while enough stay available.
            for (const QString &rs : std::as_const(old)) {
                if (maxScaledDown <= 0)
                    break;
                const int unhealthy = std::max(0, replicasOf(rs) - readyOf(rs).first);
                const int cut = std::min(unhealthy, maxScaledDown);
                if (cut > 0) {
                    setReplicas(rs, replicasOf(rs) - cut);
                    maxScaledDown -= cut;
                }
            }
            int available = newReady;
            for (const QString &rs : std::as_const(old))
                available += std::min(readyOf(rs).first, replicasOf(rs));
            int canCut = available - minAvailable;
            for (const QString &rs : std::as_const(old)) {
                const int cut = std::min(replicasOf(rs), canCut);
                if (cut > 0) {
                    setReplicas(rs, replicasOf(rs) - cut);
                    canCut -= cut;
                }
            }
        }
    }
    // Status, as the controller writes it.
    int replicas = 0, updated = 0, ready = 0;
    for (const QString &rs : std::as_const(owned)) {
        const auto [r, total] = readyOf(rs);
        replicas += total;
        ready += r;
        if (rs == newPath)
            updated = total;
    }
    const int updatedReady = objects.count(newPath) ? readyOf(newPath).first : 0;
    Q_UNUSED(updatedReady);
    json status = d.value("status", json::object());
    json next = status;
    next["observedGeneration"] = d["metadata"].value("generation", 1);
    next["replicas"] = replicas;
    next["updatedReplicas"] = updated;
    next["readyReplicas"] = ready;
    next["availableReplicas"] = ready;
    next["unavailableReplicas"] = std::max(0, desired - ready);
    const std::string signature = hash + "/" + std::to_string(desired) + "/" + std::to_string(updated) + "/" + std::to_string(ready)
                                  + "/" + std::to_string(replicas);
    Progress &progress = m_progress[path];
    if (progress.signature != signature) {
        progress.signature = signature;
        progress.sinceMs = nowMs;
    }
    const bool complete = updated == desired && replicas == updated && ready >= desired;
    const int deadlineS = spec.value("progressDeadlineSeconds", 600);
    json condition = {{"type", "Progressing"}};
    const std::string rsName = name + "-" + hash;
    if (paused) {
        condition.update({{"status", "Unknown"}, {"reason", "DeploymentPaused"}, {"message", "Deployment is paused"}});
    } else if (complete) {
        condition.update({{"status", "True"}, {"reason", "NewReplicaSetAvailable"},
                          {"message", "ReplicaSet \"" + rsName + "\" has successfully progressed."}});
    } else if (nowMs - progress.sinceMs > qint64(deadlineS) * 1000) {
        condition.update({{"status", "False"}, {"reason", "ProgressDeadlineExceeded"},
                          {"message", "ReplicaSet \"" + rsName + "\" has timed out progressing."}});
    } else {
        condition.update({{"status", "True"}, {"reason", "ReplicaSetUpdated"}, {"message", "ReplicaSet \"" + rsName + "\" is progressing."}});
    }
    next["conditions"] = json::array({condition});
    if (next != status) {
        d["status"] = next;
        changed = true;
    }
    if (changed)
        bumpVersion(d);
}

void FakeDeploymentController::reconcileReplicaSet(std::map<QString, json> &objects, const QString &path, qint64 nowMs)
{
    json &rs = objects.at(path);
    const QStringList p = segments(path);
    const std::string name = p[7].toStdString();
    const QString podPrefix = QStringLiteral("/api/v1/namespaces/%1/pods/").arg(p[5]);
    QStringList pods;
    for (const auto &[pp, pod] : objects)
        if (pp.startsWith(podPrefix) && ownerOf(pod) == name)
            pods.append(pp);
    const int want = rs["spec"].value("replicas", 0);
    const json tmpl = rs["spec"].value("template", json::object());
    while (pods.size() < want) {
        const std::string podName = name + "-" + std::to_string(++m_podCounter);
        std::string image;
        if (tmpl["spec"].contains("containers") && !tmpl["spec"]["containers"].empty())
            image = tmpl["spec"]["containers"][0].value("image", "");
        const auto b = m_behaviour.find(QString::fromStdString(image));
        json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata",
                     {{"name", podName},
                      {"namespace", p[5].toStdString()},
                      {"labels", tmpl["metadata"].value("labels", json::object())},
                      {"annotations", {{kCreated, std::to_string(nowMs)}, {kBehaviour, int(b == m_behaviour.end() ? Pods::BecomeReady : b->second)}}},
                      {"ownerReferences", json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", name}}})},
                      {"resourceVersion", "1"}}},
                    {"spec", tmpl.value("spec", json::object())},
                    {"status", json::object()}};
        reconcilePod(pod, nowMs);
        const QString podPath = podPrefix + QString::fromStdString(podName);
        objects[podPath] = pod;
        pods.append(podPath);
    }
    if (pods.size() > want) {
        // Not-Ready pods go first, then the newest, as the ReplicaSet controller ranks them.
        std::sort(pods.begin(), pods.end(), [&objects](const QString &a, const QString &b) {
            const json &pa = objects.at(a), &pb = objects.at(b);
            if (podReady(pa) != podReady(pb))
                return !podReady(pa);
            return std::stoll(pa["metadata"]["annotations"].value(kCreated, std::string("0")))
                   > std::stoll(pb["metadata"]["annotations"].value(kCreated, std::string("0")));
        });
        while (pods.size() > want)
            objects.erase(pods.takeFirst());
    }
    int ready = 0;
    for (const QString &pp : std::as_const(pods))
        ready += podReady(objects.at(pp));
    json status = {{"replicas", int(pods.size())}, {"readyReplicas", ready}, {"availableReplicas", ready},
                   {"observedGeneration", rs["metadata"].value("generation", 1)}};
    if (rs["status"] != status) {
        rs["status"] = status;
        bumpVersion(rs);
    }
}

void FakeDeploymentController::reconcilePod(json &pod, qint64 nowMs)
{
    const json ann = pod["metadata"].value("annotations", json::object());
    const qint64 created = std::stoll(ann.value(kCreated, std::string("0")));
    const Pods behaviour = Pods(ann.value(kBehaviour, 0));
    const bool due = nowMs - created >= m_readyDelayMs;
    const std::string container = pod["spec"].contains("containers") && !pod["spec"]["containers"].empty()
                                      ? pod["spec"]["containers"][0].value("name", "app")
                                      : std::string("app");
    const std::string image = pod["spec"].contains("containers") && !pod["spec"]["containers"].empty()
                                  ? pod["spec"]["containers"][0].value("image", "")
                                  : std::string();
    bool ready = false;
    json state = {{"waiting", {{"reason", "ContainerCreating"}}}};
    int restarts = 0;
    std::string phase = "Pending";
    switch (behaviour) {
    case Pods::BecomeReady:
        if (due) {
            ready = true;
            state = {{"running", {{"startedAt", "2026-01-01T00:00:00Z"}}}};
            phase = "Running";
        }
        break;
    case Pods::NeverReady:
        state = {{"running", {{"startedAt", "2026-01-01T00:00:00Z"}}}};
        phase = "Running";
        break;
    case Pods::CrashLoop:
        if (due) {
            state = {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "back-off 40s restarting failed container=" + container}}}};
            restarts = 3;
            phase = "Running";
        }
        break;
    case Pods::ImagePullBackOff:
        state = {{"waiting", {{"reason", "ImagePullBackOff"}, {"message", "Back-off pulling image \"" + image + "\""}}}};
        break;
    }
    json status = {{"phase", phase},
                   {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"},
                                                {"reason", ready ? "" : "ContainersNotReady"}}})},
                   {"containerStatuses", json::array({{{"name", container}, {"image", image}, {"ready", ready},
                                                       {"restartCount", restarts}, {"state", state}}})}};
    if (pod["status"] != status) {
        pod["status"] = status;
        bumpVersion(pod);
    }
}

} // namespace Switchboard::Test
