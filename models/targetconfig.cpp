#include "targetconfig.h"

#include "jsonposition.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QStandardPaths>

namespace Switchboard {

QStringList knownTargetKinds()
{
    return {QStringLiteral("sim"), QStringLiteral("haproxy"), QStringLiteral("nginx"),
            QStringLiteral("gateway-api"), QStringLiteral("istio"), QStringLiteral("argo-rollouts"),
            QStringLiteral("deployments"), QStringLiteral("deployment")};
}

QString defaultConfigDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/switchboard");
}

QString targetsFilePath(const QString &configDir)
{
    return QDir(configDir).filePath(QStringLiteral("targets.json"));
}

TargetConfig demoTarget()
{
    TargetConfig t;
    t.name = QStringLiteral("demo");
    t.kind = QStringLiteral("sim");
    t.pollMs = 1000;
    t.settings = QJsonObject{{QStringLiteral("name"), t.name},
                             {QStringLiteral("kind"), t.kind},
                             {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 42}}}};
    return t;
}

TargetConfigResult parseTargetConfig(const QByteArray &json, const QString &path)
{
    TargetConfigResult r;
    r.path = path;
    r.fileFound = true;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError) {
        r.error = QStringLiteral("%1: %2: %3").arg(path, jsonPosition(json, err.offset), err.errorString());
        return r;
    }
    if (!doc.isObject() || !doc.object().value(QStringLiteral("targets")).isArray()) {
        r.error = QStringLiteral("%1: expected an object with a \"targets\" array").arg(path);
        return r;
    }
    const QJsonArray arr = doc.object().value(QStringLiteral("targets")).toArray();
    QSet<QString> names;
    for (int i = 0; i < arr.size(); ++i) {
        const QString where = QStringLiteral("%1: targets[%2]").arg(path).arg(i);
        if (!arr.at(i).isObject()) {
            r.error = where + QStringLiteral(": expected an object");
            return r;
        }
        const QJsonObject o = arr.at(i).toObject();
        TargetConfig t;
        t.settings = o;
        t.name = o.value(QStringLiteral("name")).toString();
        t.kind = o.value(QStringLiteral("kind")).toString();
        if (t.name.isEmpty()) {
            r.error = where + QStringLiteral(".name: missing or not a string");
            return r;
        }
        if (names.contains(t.name)) {
            r.error = where + QStringLiteral(".name: \"%1\" is used twice").arg(t.name);
            return r;
        }
        names.insert(t.name);
        if (!knownTargetKinds().contains(t.kind)) {
            r.error = where + QStringLiteral(".kind: \"%1\" is not one of %2")
                                  .arg(t.kind, knownTargetKinds().join(QStringLiteral(", ")));
            return r;
        }
        if (o.contains(QStringLiteral("pollMs"))) {
            const int poll = o.value(QStringLiteral("pollMs")).toInt(-1);
            if (poll < 100 || poll > 600000) {
                r.error = where + QStringLiteral(".pollMs: must be a whole number of ms between 100 and 600000");
                return r;
            }
            t.pollMs = poll;
        }
        if (o.contains(QStringLiteral("readOnly"))) {
            if (!o.value(QStringLiteral("readOnly")).isBool()) {
                r.error = where + QStringLiteral(".readOnly: must be true or false");
                return r;
            }
            t.readOnly = o.value(QStringLiteral("readOnly")).toBool();
            if (t.readOnly)
                t.readOnlyReason = QStringLiteral("marked \"readOnly\" in targets.json");
        }
        if (t.kind != QStringLiteral("sim") && !o.value(t.kind).isObject()) {
            r.error = where + QStringLiteral(".%1: missing the \"%1\" object with the connection settings").arg(t.kind);
            return r;
        }
        r.targets.append(t);
    }
    if (r.targets.isEmpty())
        r.error = QStringLiteral("%1: \"targets\" is empty").arg(path);
    return r;
}

TargetConfigResult loadTargetConfig(const QString &path)
{
    QFile f(path);
    if (!f.exists()) {
        TargetConfigResult r;
        r.path = path;
        r.error = QStringLiteral("%1: no such file").arg(path);
        return r;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        TargetConfigResult r;
        r.path = path;
        r.fileFound = true;
        r.error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return r;
    }
    return parseTargetConfig(f.readAll(), path);
}

} // namespace Switchboard
