#include "kubetargetsettings.h"

#include "jsonsettings.h"

#include <QJsonValue>
#include <QRegularExpression>

namespace Switchboard {

namespace {

// Names go into URL paths: DNS-1123 only, so nothing can smuggle "/.." or "?" in.
bool isDnsName(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"));
    return re.match(s).hasMatch();
}

} // namespace

bool KubeTargetSettings::fromJson(const QJsonObject &o, const QString &kind, const QStringList &apiVersions,
                                  KubeTargetSettings *out, QString *error)
{
    KubeTargetSettings s;
    s.kind = kind;
    auto bad = [&](const QString &message) {
        *error = kind + QLatin1Char('.') + message;
        return false;
    };
    // Names and paths are compared and put into URLs: stray spaces are never meant.
    auto string = [&o](const char *key, QString *dest) {
        if (!readOptionalString(o, key, dest))
            return false;
        *dest = dest->trimmed();
        return true;
    };
    auto integer = [&o](const char *key, int lo, int hi, int *dest) { return readOptionalInt(o, key, lo, hi, dest); };
    if (!string("kubeconfig", &s.kubeconfig))
        return bad(QStringLiteral("kubeconfig: expected a path to a kubeconfig file"));
    if (!string("context", &s.context))
        return bad(QStringLiteral("context: expected the name of a kubeconfig context"));
    if (!string("namespace", &s.ns) || (!s.ns.isEmpty() && !isDnsName(s.ns)))
        return bad(QStringLiteral("namespace: expected a Kubernetes namespace name (lower case, digits, '-')"));
    if (!string("name", &s.name) || s.name.isEmpty() || !isDnsName(s.name))
        return bad(QStringLiteral("name: expected the name of the resource (lower case, digits, '-', '.')"));
    s.apiVersion = apiVersions.value(0);
    if (!string("apiVersion", &s.apiVersion) || !apiVersions.contains(s.apiVersion))
        return bad(QStringLiteral("apiVersion: expected one of %1").arg(apiVersions.join(QStringLiteral(", "))));
    if (!integer("connectTimeoutMs", 1, 600000, &s.connectTimeoutMs))
        return bad(QStringLiteral("connectTimeoutMs: expected milliseconds, 1..600000"));
    if (!integer("timeoutMs", 1, 600000, &s.timeoutMs))
        return bad(QStringLiteral("timeoutMs: expected milliseconds, 1..600000"));
    *out = s;
    return true;
}

KubeClient::Settings KubeTargetSettings::clientSettings() const
{
    KubeClient::Settings c;
    c.kubeconfig = kubeconfig;
    c.context = context;
    c.connectTimeoutMs = connectTimeoutMs;
    c.timeoutMs = timeoutMs;
    return c;
}

QString KubeTargetSettings::sharedServerKey() const
{
    return QStringLiteral("kubernetes %1 %2").arg(kubeconfig, context);
}

QString KubeTargetSettings::namespaceFor(const KubeConfig &config) const
{
    if (!ns.isEmpty())
        return ns;
    return config.defaultNamespace.isEmpty() ? QStringLiteral("default") : config.defaultNamespace;
}

QString KubeTargetSettings::path(const KubeConfig &config, const QString &plural) const
{
    return QStringLiteral("/apis/%1/namespaces/%2/%3/%4").arg(apiVersion, namespaceFor(config), plural, name);
}

} // namespace Switchboard
