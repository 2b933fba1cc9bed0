#pragma once
// Plans and raw files for the presets folder's tests (tst_presetstore, tst_presetlibrary).

#include "rolloutplan.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace Switchboard::PresetFiles {

// A valid canary plan: `firstWeight`% → 1 s analysis → 100%, one error-ratio gate.
inline RolloutPlan plan(const QString &name, double firstWeight = 10)
{
    GateSpec g;
    g.name = QStringLiteral("err");
    g.metric = GateSpec::Metric::ErrorRatio;
    g.max = 0.02;
    RolloutPlan p;
    p.name = name;
    p.gates = {g};
    p.steps = {RolloutStep::setWeight(firstWeight), RolloutStep::analysis(1000), RolloutStep::setWeight(100)};
    return p;
}

// Written in place, as an editor or a hand-made script would, not atomically.
inline bool writeRaw(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

inline QByteArray readRaw(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace Switchboard::PresetFiles
