#include "presetstore.h"

#include "atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QStandardPaths>

namespace Switchboard {

namespace {

const QLatin1String suffix(".json");

// The gates the built-ins share: error ratio within max(1%, stable + 1 point), p99 within
// max(1.5 × stable, stable + 20 ms); 2 breaches in a row to fail, so one noisy scrape does not
// roll a release back.
//
// The p99 floor: a service answering in a few ms (the lab's, many internal ones) moves its p99
// by a ms or two between scrapes, and 1.5 × 2.4 ms is no bound at all; 20 ms over stable is
// still far below what a user notices, and on slow services 1.5 × stable is the larger bound.
//
// minRequests fits the lab's default traffic (lab/traffic: 40 req/s), the least a built-in must
// pass on: at the first step, 5% of 40 req/s is 2 canary req/s; the 30 s analysis after it
// counts them from the rates the metrics layer reports, which show a new weight's requests only
// about 6 s after the change (a 10 s rate window plus a poll), so about 2 × (30 − 6) = 48 are
// counted. 50 (the old value) paused a healthy canary at 49; 20 is reached after ~16 s and
// leaves a margin of more than 2× for slower polls and uneven traffic. It still catches a
// canary failing 20% of its requests: 20 requests at 20% are 4 errors, far above 1% + stable,
// so it rolls back at 5% about 20 s after the step (two breaching polls once 20 are counted).
QList<GateSpec> defaultGates()
{
    GateSpec errors;
    errors.name = QStringLiteral("error-ratio");
    errors.metric = GateSpec::Metric::ErrorRatio;
    errors.max = 0.01;
    errors.maxOverStable = 0.01;
    errors.combine = GateSpec::Combine::Any;
    errors.minRequests = 20;
    errors.failureLimit = 2;
    GateSpec p99;
    p99.name = QStringLiteral("p99-latency");
    p99.metric = GateSpec::Metric::P99Ms;
    p99.maxTimesStable = 1.5;
    p99.floorOverStable = 20;
    p99.minRequests = 20;
    p99.failureLimit = 2;
    return {errors, p99};
}

bool readPlanFile(const QString &path, const QString &name, RolloutPlan *out, QString *error, QByteArray *bytes = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return false;
    }
    const QByteArray text = f.readAll();
    RolloutPlan p;
    if (!RolloutPlan::fromJson(text, path, &p, error)) {
        if (bytes)
            *bytes = text;
        return false;
    }
    if (!name.isEmpty())
        p.name = name; // the file name is what `--preset NAME` finds, so it is the name
    *out = p;
    return true;
}

} // namespace

QString PresetStore::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/switchboard/presets");
}

QList<RolloutPlan> PresetStore::builtIns()
{
    RolloutPlan canary;
    canary.name = QStringLiteral("canary-5-25-50-100");
    canary.description = QStringLiteral("5% → 25% → 50% → 100%, 30 s analysis and 1 min pause at each weight");
    canary.strategy = RolloutPlan::Strategy::Canary;
    canary.gates = defaultGates();
    for (double w : {5.0, 25.0, 50.0}) {
        canary.steps.append(RolloutStep::setWeight(w));
        canary.steps.append(RolloutStep::analysis(30000, 3));
        canary.steps.append(RolloutStep::pause(60000));
    }
    canary.steps.append(RolloutStep::setWeight(100));

    RolloutPlan blueGreen = RolloutPlan::blueGreen(QStringLiteral("blue-green-5m-bake"), 60000, 5 * 60000, defaultGates());
    blueGreen.description = QStringLiteral("preview at 0% for 1 min, switch to 100%, bake 5 min with the old version kept ready");
    RolloutPlan rolling = RolloutPlan::rolling(QStringLiteral("rolling-one-by-one"), 4, 30000, defaultGates());
    rolling.description = QStringLiteral("one new server in and one old out per move (up to 4 moves), health-checked, "
                                         "30 s analysis after each; then the rest");
    return {canary, blueGreen, rolling};
}

PresetStore::PresetStore(const QString &folder)
    : m_folder(folder)
{
}

QString PresetStore::pathFor(const QString &name) const
{
    return QDir(m_folder).filePath(name + suffix);
}

QList<PresetStore::Entry> PresetStore::list() const
{
    QMap<QString, Entry> byName;
    for (const RolloutPlan &p : builtIns())
        byName.insert(p.name, Entry{p.name, QString(), true, QString(), p});
    const QFileInfoList files = QDir(m_folder).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QFileInfo &fi : files) {
        Entry e;
        e.name = fi.fileName().chopped(suffix.size());
        e.path = fi.filePath();
        if (!isValidPlanName(e.name)) {
            e.error = QStringLiteral("%1: the file name is not a usable preset name (letters, digits, '.', '_', '-')").arg(e.path);
            if (QFile f(e.path); f.open(QIODevice::ReadOnly))
                e.bytes = f.readAll();
        } else
            readPlanFile(e.path, e.name, &e.plan, &e.error, &e.bytes);
        byName.insert(e.name, e);
    }
    return byName.values();
}

bool PresetStore::exists(const QString &name) const
{
    if (QFileInfo::exists(pathFor(name)))
        return true;
    for (const RolloutPlan &p : builtIns())
        if (p.name == name)
            return true;
    return false;
}

bool PresetStore::load(const QString &name, RolloutPlan *out, QString *error) const
{
    if (!isValidPlanName(name)) {
        *error = QStringLiteral("\"%1\" is not a preset name").arg(name);
        return false;
    }
    const QString path = pathFor(name);
    if (QFileInfo::exists(path))
        return readPlanFile(path, name, out, error);
    for (const RolloutPlan &p : builtIns()) {
        if (p.name == name) {
            *out = p;
            return true;
        }
    }
    QStringList names;
    for (const Entry &e : list())
        names.append(e.name);
    *error = QStringLiteral("no preset named \"%1\" (have: %2)").arg(name, names.join(QStringLiteral(", ")));
    return false;
}

bool PresetStore::writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = QStringLiteral("%1: cannot create the folder").arg(QFileInfo(path).absolutePath());
        return false;
    }
    QString reason;
    if (!writeFileAtomically(path, bytes, &reason)) {
        *error = QStringLiteral("%1: %2").arg(path, reason);
        return false;
    }
    return true;
}

bool PresetStore::save(const RolloutPlan &plan, QString *error, bool replaceBroken)
{
    if (!isValidPlanName(plan.name)) {
        *error = plan.name.isEmpty() ? QStringLiteral("name: missing")
                                     : QStringLiteral("name: \"%1\" is not usable as a file name (letters, digits, '.', '_', '-')").arg(plan.name);
        return false;
    }
    if (const QString e = plan.validate(); !e.isEmpty()) {
        *error = e;
        return false;
    }
    const QString path = pathFor(plan.name);
    if (!replaceBroken && QFileInfo::exists(path)) {
        RolloutPlan old;
        QString why;
        if (!readPlanFile(path, plan.name, &old, &why)) {
            *error = QStringLiteral("%1 is not a valid plan, so it is left as it is; fix or remove it first (%2)").arg(path, why);
            return false;
        }
    }
    return writeFile(path, plan.toJsonBytes(), error);
}

bool PresetStore::duplicate(const QString &from, const QString &to, QString *error)
{
    RolloutPlan p;
    if (!load(from, &p, error))
        return false;
    if (!isValidPlanName(to)) {
        *error = QStringLiteral("\"%1\" is not usable as a preset name (letters, digits, '.', '_', '-')").arg(to);
        return false;
    }
    if (exists(to)) {
        *error = QStringLiteral("a preset named \"%1\" already exists").arg(to);
        return false;
    }
    p.name = to;
    return save(p, error);
}

bool PresetStore::remove(const QString &name, QString *error)
{
    const QString path = isValidPlanName(name) ? pathFor(name) : QString();
    if (!path.isEmpty() && QFileInfo::exists(path)) {
        QFile f(path);
        if (!f.remove()) {
            *error = QStringLiteral("%1: %2").arg(path, f.errorString());
            return false;
        }
        return true;
    }
    for (const RolloutPlan &p : builtIns()) {
        if (p.name == name) {
            *error = QStringLiteral("\"%1\" is built in and cannot be removed").arg(name);
            return false;
        }
    }
    *error = QStringLiteral("no preset named \"%1\"").arg(name);
    return false;
}

bool PresetStore::importFrom(const QString &path, QString *error, const QString &name, bool overwrite, QString *importedName)
{
    RolloutPlan p;
    if (!readPlanFile(path, QString(), &p, error))
        return false;
    QString target = name;
    if (target.isEmpty())
        target = p.name;
    if (target.isEmpty()) {
        target = QFileInfo(path).fileName();
        if (target.endsWith(suffix))
            target.chop(suffix.size());
    }
    if (!isValidPlanName(target)) {
        *error = QStringLiteral("\"%1\" is not usable as a preset name (letters, digits, '.', '_', '-')").arg(target);
        return false;
    }
    if (exists(target) && !overwrite) {
        *error = QStringLiteral("a preset named \"%1\" already exists (import with overwrite to replace it)").arg(target);
        return false;
    }
    p.name = target;
    // Overwrite is an explicit choice, so it may replace a broken file too; save() would not.
    if (!writeFile(pathFor(target), p.toJsonBytes(), error))
        return false;
    if (importedName)
        *importedName = target;
    return true;
}

bool PresetStore::exportTo(const QString &name, const QString &path, QString *error) const
{
    RolloutPlan p;
    if (!load(name, &p, error))
        return false;
    return writeFile(path, p.toJsonBytes(), error);
}

} // namespace Switchboard
