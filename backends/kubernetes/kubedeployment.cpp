#include "kubedeployment.h"

#include "kubeclient.h"
#include "kubelistreader.h"
#include "kubeweightedroute.h"

namespace Switchboard {

using json = nlohmann::json;

namespace {

const json &deploymentChild(const json &o, const char *key)
{
    static const json empty = json::object();
    if (!o.is_object())
        return empty;
    const auto it = o.find(key);
    return it != o.end() && it->is_object() ? *it : empty;
}

qint64 deploymentNumber(const json &o, const char *key, qint64 fallback)
{
    if (!o.is_object())
        return fallback;
    const auto it = o.find(key);
    return it != o.end() && it->is_number_integer() ? it->get<qint64>() : fallback;
}

// maxSurge and maxUnavailable are an int or a percent string.
QString intOrPercent(const json &o, const char *key, const char *fallback)
{
    const auto it = o.find(key);
    if (it == o.end() || it->is_null())
        return QString::fromLatin1(fallback);
    if (it->is_number_integer())
        return QString::number(it->get<long long>());
    return it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString::fromLatin1(fallback);
}

QMap<QString, QString> stringMap(const json &o)
{
    QMap<QString, QString> out;
    if (!o.is_object())
        return out;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it->is_string())
            out.insert(QString::fromStdString(it.key()), QString::fromStdString(it->get<std::string>()));
    }
    return out;
}

QString describeProbe(const json &probe)
{
    if (!probe.is_object() || probe.empty())
        return QStringLiteral("none");
    QString how;
    if (const json &h = deploymentChild(probe, "httpGet"); !h.empty()) {
        const QString port = h.contains("port") ? QString::fromStdString(h["port"].is_string() ? h["port"].get<std::string>()
                                                                                                : h["port"].dump())
                                                : QString();
        how = QStringLiteral("httpGet :%1%2").arg(port, kubeText(h, "path"));
    } else if (const json &t = deploymentChild(probe, "tcpSocket"); !t.empty()) {
        how = QStringLiteral("tcpSocket :%1").arg(QString::fromStdString(t.value("port", json()).dump()));
    } else if (!deploymentChild(probe, "exec").empty()) {
        how = QStringLiteral("exec");
    } else if (!deploymentChild(probe, "grpc").empty()) {
        how = QStringLiteral("grpc");
    } else {
        how = QStringLiteral("probe");
    }
    return QStringLiteral("%1 every %2s").arg(how).arg(deploymentNumber(probe, "periodSeconds", 10));
}

} // namespace

bool KubeDeployment::parse(const json &o, KubeDeployment *out, QString *error)
{
    if (!o.is_object()) {
        *error = QStringLiteral("the API server's answer is not a JSON object");
        return false;
    }
    const QString kind = kubeText(o, "kind");
    if (!kind.isEmpty() && kind != QLatin1String("Deployment")) {
        *error = QStringLiteral("the resource is a %1, not a Deployment").arg(kind);
        return false;
    }
    KubeDeployment d;
    const json &meta = deploymentChild(o, "metadata");
    const json &spec = deploymentChild(o, "spec");
    const json &status = deploymentChild(o, "status");
    d.name = kubeText(meta, "name");
    d.resourceVersion = kubeText(meta, "resourceVersion").toStdString();
    d.generation = deploymentNumber(meta, "generation", 0);
    d.revision = kubeText(deploymentChild(meta, "annotations"), "deployment.kubernetes.io/revision");
    d.specReplicas = int(deploymentNumber(spec, "replicas", 1));
    d.paused = spec.value("paused", json(false)).is_boolean() && spec.value("paused", false);
    d.observedGeneration = deploymentNumber(status, "observedGeneration", 0);
    d.replicas = int(deploymentNumber(status, "replicas", 0));
    d.updatedReplicas = int(deploymentNumber(status, "updatedReplicas", 0));
    d.readyReplicas = int(deploymentNumber(status, "readyReplicas", 0));
    d.availableReplicas = int(deploymentNumber(status, "availableReplicas", 0));
    if (const auto c = status.find("conditions"); c != status.end() && c->is_array()) {
        for (const json &cond : *c) {
            if (kubeText(cond, "type") != QLatin1String("Progressing"))
                continue;
            d.progressDeadlineExceeded = kubeText(cond, "reason") == QLatin1String("ProgressDeadlineExceeded");
            d.progressMessage = kubeText(cond, "message");
        }
    }
    const json &strategy = deploymentChild(spec, "strategy");
    d.strategy = kubeText(strategy, "type");
    if (d.strategy.isEmpty())
        d.strategy = QStringLiteral("RollingUpdate");
    const json &rolling = deploymentChild(strategy, "rollingUpdate");
    d.maxSurge = intOrPercent(rolling, "maxSurge", "25%");
    d.maxUnavailable = intOrPercent(rolling, "maxUnavailable", "25%");
    d.selector = stringMap(deploymentChild(deploymentChild(spec, "selector"), "matchLabels"));
    const json &tmpl = deploymentChild(spec, "template");
    d.templateLabels = stringMap(deploymentChild(deploymentChild(tmpl, "metadata"), "labels"));
    const json &podSpec = deploymentChild(tmpl, "spec");
    d.readinessProbe = QStringLiteral("none");
    if (const auto cs = podSpec.find("containers"); cs != podSpec.end() && cs->is_array()) {
        for (const json &c : *cs) {
            d.containers.append({kubeText(c, "name"), kubeText(c, "image")});
            if (d.readinessProbe == QLatin1String("none") && c.contains("readinessProbe"))
                d.readinessProbe = describeProbe(c["readinessProbe"]);
        }
    }
    d.object = o;
    *out = std::move(d);
    return true;
}

bool KubeDeployment::read(KubeClient &client, const QString &path, const QString &what, KubeDeployment *out, QString *error,
                          bool *notFound, int listMaxAgeMs, qint64 *readAtMs)
{
    const KubeClient::Reply reply = KubeListReader::forThread().get(client, path, listMaxAgeMs, readAtMs);
    if (notFound)
        *notFound = reply.error == KubeClient::Reply::Error::NotFound;
    if (!reply.ok()) {
        *error = QStringLiteral("%1: %2").arg(what, reply.message);
        return false;
    }
    const json o = json::parse(reply.body.constData(), reply.body.constData() + reply.body.size(), nullptr, false);
    QString why;
    if (!parse(o, out, &why)) {
        *error = QStringLiteral("%1: %2").arg(what, why);
        return false;
    }
    return true;
}

int KubeDeployment::containerIndex(const QString &name) const
{
    if (name.isEmpty())
        return containers.isEmpty() ? -1 : 0;
    for (qsizetype i = 0; i < containers.size(); ++i) {
        if (containers.at(i).first == name)
            return int(i);
    }
    return -1;
}

QString KubeDeployment::selectorQuery() const
{
    QStringList parts;
    for (auto it = selector.cbegin(); it != selector.cend(); ++it)
        parts.append(it.key() + QLatin1Char('=') + it.value());
    return parts.join(QLatin1Char(','));
}

QString KubeDeployment::strategyText() const
{
    if (strategy == QLatin1String("Recreate"))
        return QStringLiteral("strategy Recreate · readiness %1").arg(readinessProbe);
    return QStringLiteral("maxSurge %1 · maxUnavailable %2 · readiness %3").arg(maxSurge, maxUnavailable, readinessProbe);
}

} // namespace Switchboard
