// The presets folder: built-ins, round trips, atomic saves that leave no temporary file, broken
// files listed with their error and never rewritten, duplicate, remove, import and export.
#include "presetstore.h"
#include "support/presetfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Switchboard;

namespace {

RolloutPlan customPlan(const QString &name)
{
    return PresetFiles::plan(name);
}

using PresetFiles::readRaw;
using PresetFiles::writeRaw;

// A copy, not a pointer: callers pass store.list(), a temporary (ASan caught the dangling one).
std::optional<PresetStore::Entry> find(const QList<PresetStore::Entry> &list, const QString &name)
{
    for (const PresetStore::Entry &e : list)
        if (e.name == name)
            return e;
    return std::nullopt;
}

} // namespace

class TestPresetStore : public QObject
{
    Q_OBJECT
private slots:
    void defaultFolderFollowsXdg()
    {
        QVERIFY(PresetStore::defaultFolder().endsWith(QStringLiteral("/switchboard/presets")));
    }

    void builtInsAreListedAndValid()
    {
        QTemporaryDir dir;
        PresetStore store(dir.filePath(QStringLiteral("presets"))); // does not exist yet
        const QList<PresetStore::Entry> list = store.list();
        QCOMPARE(list.size(), 3);
        for (const PresetStore::Entry &e : list) {
            QVERIFY(e.builtIn);
            QVERIFY(e.path.isEmpty());
            QVERIFY2(e.ok(), qPrintable(e.error));
            QCOMPARE(e.plan.validate(), QString());
        }
        RolloutPlan canary;
        QString error;
        QVERIFY(store.load(QStringLiteral("canary-5-25-50-100"), &canary, &error));
        QList<double> weights;
        int analyses = 0;
        int pauses = 0;
        for (const RolloutStep &s : canary.steps) {
            if (s.kind == RolloutStep::Kind::SetWeight)
                weights.append(s.weight);
            analyses += s.kind == RolloutStep::Kind::Analysis;
            pauses += s.kind == RolloutStep::Kind::Pause && s.durationMs == 60000;
        }
        QCOMPARE(weights, (QList<double>{5, 25, 50, 100}));
        QCOMPARE(analyses, 3);
        QCOMPARE(pauses, 3);
        QCOMPARE(canary.gates.size(), 2);
        const GateSpec &err = canary.gates.at(0);
        QCOMPARE(err.metric, GateSpec::Metric::ErrorRatio);
        QCOMPARE(err.max, 0.01);
        QCOMPARE(err.maxOverStable, 0.01);
        QCOMPARE(err.combine, GateSpec::Combine::Any);
        QCOMPARE(err.minRequests, 20.0); // fits the lab's default traffic (issue 11, presetstore.cpp)
        QCOMPARE(err.failureLimit, 2);
        QCOMPARE(canary.gates.at(1).metric, GateSpec::Metric::P99Ms);
        QCOMPARE(canary.gates.at(1).maxTimesStable, 1.5);
        QCOMPARE(canary.gates.at(1).floorOverStable, 20.0); // max(1.5 × stable, stable + 20 ms)
        QCOMPARE(canary.gates.at(1).minRequests, 20.0);
        // Healthy at lab noise (p99 3.9 ms against 2.4 ms) passes; slow by more than 20 ms fails.
        GateInput in;
        in.canary.timeMs = in.stable.timeMs = 1000;
        in.canary.rps = 2;
        in.stable.rps = 38;
        in.canary.errorRatio = in.stable.errorRatio = 0;
        in.canary.p99Ms = 3.9;
        in.stable.p99Ms = 2.4;
        in.canaryRequests = 20;
        QCOMPARE(evaluateGate(canary.gates.at(1), in, 0).outcome, GateResult::Outcome::Pass);
        in.canary.p99Ms = 23;
        QCOMPARE(evaluateGate(canary.gates.at(1), in, 1).outcome, GateResult::Outcome::Fail);
        // A 20% error canary fails on its first 20 requests.
        in.canary.errorRatio = 0.2;
        QCOMPARE(evaluateGate(err, in, 1).outcome, GateResult::Outcome::Fail);

        RolloutPlan bg;
        QVERIFY(store.load(QStringLiteral("blue-green-5m-bake"), &bg, &error));
        QCOMPARE(bg.strategy, RolloutPlan::Strategy::BlueGreen);
        QCOMPARE(bg.bakeMs(), 5 * 60000);
        QCOMPARE(bg.steps.constFirst().weight, 0.0);
        QVERIFY(!QFileInfo::exists(store.folder())); // listing and loading write nothing
    }

    void saveLoadRoundTripIsAtomic()
    {
        QTemporaryDir dir;
        PresetStore store(dir.filePath(QStringLiteral("presets")));
        QString error;
        RolloutPlan p = customPlan(QStringLiteral("mine"));
        QVERIFY2(store.save(p, &error), qPrintable(error));
        p.steps[1].durationMs = 2000;
        QVERIFY2(store.save(p, &error), qPrintable(error)); // replaces
        QCOMPARE(store.pathFor(QStringLiteral("mine")), store.folder() + QStringLiteral("/mine.json"));
        // Only the preset itself: QSaveFile renamed its temporary file over it.
        const QStringList files = QDir(store.folder()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        QCOMPARE(files, QStringList{QStringLiteral("mine.json")});
        RolloutPlan back;
        QVERIFY2(store.load(QStringLiteral("mine"), &back, &error), qPrintable(error));
        QCOMPARE(back.toJson(), p.toJson());
        std::optional<PresetStore::Entry> e = find(store.list(), QStringLiteral("mine"));
        QVERIFY(e && e->ok() && !e->builtIn);
        QCOMPARE(e->path, store.pathFor(QStringLiteral("mine")));
        QCOMPARE(store.list().size(), PresetStore::builtIns().size() + 1);
    }

    void brokenFileIsListedAndNeverModified_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("syntax") << QByteArray("{\n  \"steps\": [\n    {\"setWeight\": 5\n") << QStringLiteral("line 4");
        QTest::newRow("invalid plan") << QByteArray(R"({"steps":[{"setWeight":500}]})") << QStringLiteral("steps[0].setWeight: must be 0..100");
    }
    void brokenFileIsListedAndNeverModified()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        QTemporaryDir dir;
        PresetStore store(dir.path());
        const QString path = store.pathFor(QStringLiteral("broken"));
        QVERIFY(writeRaw(path, bytes));
        const QDateTime modified = QFileInfo(path).lastModified();

        std::optional<PresetStore::Entry> e = find(store.list(), QStringLiteral("broken"));
        QVERIFY(e);
        QVERIFY(!e->ok());
        QVERIFY2(e->error.startsWith(path) && e->error.contains(error), qPrintable(e->error));
        RolloutPlan p;
        QString why;
        QVERIFY(!store.load(QStringLiteral("broken"), &p, &why));
        QVERIFY(why.contains(error));
        // Saving over it is refused: its author should see what was wrong, not lose the file.
        QVERIFY(!store.save(customPlan(QStringLiteral("broken")), &why));
        QVERIFY2(why.contains(QStringLiteral("left as it is")), qPrintable(why));
        QCOMPARE(readRaw(path), bytes);
        QCOMPARE(QFileInfo(path).lastModified(), modified);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("broken.json")});
        // Its fix, saved on purpose over it (the presets dialog showed the broken text), is written.
        QVERIFY2(store.save(customPlan(QStringLiteral("broken")), &why, true), qPrintable(why));
        QVERIFY(store.load(QStringLiteral("broken"), &p, &why));
        QCOMPARE(p.steps.constFirst().weight, 10.0);
    }

    void fileNameIsTheName()
    {
        QTemporaryDir dir;
        PresetStore store(dir.path());
        QVERIFY(writeRaw(store.pathFor(QStringLiteral("renamed")), customPlan(QStringLiteral("original")).toJsonBytes()));
        RolloutPlan p;
        QString error;
        QVERIFY2(store.load(QStringLiteral("renamed"), &p, &error), qPrintable(error));
        QCOMPARE(p.name, QStringLiteral("renamed"));
    }

    void fileOverridesBuiltInAndRemoveRestoresIt()
    {
        QTemporaryDir dir;
        PresetStore store(dir.path());
        QString error;
        QVERIFY(!store.remove(QStringLiteral("canary-5-25-50-100"), &error));
        QVERIFY(error.contains(QStringLiteral("built in")));
        QVERIFY(store.save(customPlan(QStringLiteral("canary-5-25-50-100")), &error));
        std::optional<PresetStore::Entry> e = find(store.list(), QStringLiteral("canary-5-25-50-100"));
        QVERIFY(e && !e->builtIn && e->plan.steps.size() == 3);
        QCOMPARE(store.list().size(), PresetStore::builtIns().size()); // overridden, not added
        QVERIFY2(store.remove(QStringLiteral("canary-5-25-50-100"), &error), qPrintable(error));
        e = find(store.list(), QStringLiteral("canary-5-25-50-100"));
        QVERIFY(e && e->builtIn && e->plan.steps.size() == 10);
        QVERIFY(!store.remove(QStringLiteral("nothing"), &error));
        QVERIFY(error.contains(QStringLiteral("no preset named")));
    }

    void duplicate()
    {
        QTemporaryDir dir;
        PresetStore store(dir.path());
        QString error;
        QVERIFY2(store.duplicate(QStringLiteral("blue-green-5m-bake"), QStringLiteral("bg-copy"), &error), qPrintable(error));
        RolloutPlan p;
        QVERIFY(store.load(QStringLiteral("bg-copy"), &p, &error));
        QCOMPARE(p.strategy, RolloutPlan::Strategy::BlueGreen);
        QCOMPARE(p.name, QStringLiteral("bg-copy"));
        QVERIFY(!store.duplicate(QStringLiteral("bg-copy"), QStringLiteral("blue-green-5m-bake"), &error));
        QVERIFY(error.contains(QStringLiteral("already exists")));
        QVERIFY(!store.duplicate(QStringLiteral("bg-copy"), QStringLiteral("../out"), &error));
        QVERIFY(!store.duplicate(QStringLiteral("missing"), QStringLiteral("x"), &error));
    }

    void importAndExport()
    {
        QTemporaryDir dir;
        PresetStore store(dir.filePath(QStringLiteral("presets")));
        QString error;
        const QString exported = dir.filePath(QStringLiteral("out/canary.json"));
        QVERIFY2(store.exportTo(QStringLiteral("canary-5-25-50-100"), exported, &error), qPrintable(error));
        // Importing under the built-in's name needs overwrite; under a new name it does not.
        QVERIFY(!store.importFrom(exported, &error));
        QVERIFY(error.contains(QStringLiteral("already exists")));
        QString imported;
        QVERIFY2(store.importFrom(exported, &error, QStringLiteral("team-canary"), false, &imported), qPrintable(error));
        QCOMPARE(imported, QStringLiteral("team-canary"));
        RolloutPlan a, b;
        QVERIFY(store.load(QStringLiteral("team-canary"), &a, &error));
        QVERIFY(store.load(QStringLiteral("canary-5-25-50-100"), &b, &error));
        QCOMPARE(a.steps.size(), b.steps.size());
        // A file without a name takes its file name.
        const QString unnamed = dir.filePath(QStringLiteral("quick.json"));
        QVERIFY(writeRaw(unnamed, R"({"steps":[{"setWeight":100}]})"));
        QVERIFY2(store.importFrom(unnamed, &error, {}, false, &imported), qPrintable(error));
        QCOMPARE(imported, QStringLiteral("quick"));
        // Invalid files are refused before anything is written.
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QVERIFY(writeRaw(bad, R"({"steps":[{"setWeight":5},{"jump":{}}]})"));
        QVERIFY(!store.importFrom(bad, &error));
        QVERIFY2(error.contains(QStringLiteral("steps[1]: unknown step kind \"jump\"")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(store.pathFor(QStringLiteral("bad"))));
        QVERIFY(!store.exportTo(QStringLiteral("missing"), dir.filePath(QStringLiteral("x.json")), &error));
    }

    void badNamesNeverBecomePaths_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("parent") << QStringLiteral("../evil");
        QTest::newRow("slash") << QStringLiteral("a/b");
        QTest::newRow("hidden") << QStringLiteral(".hidden");
        QTest::newRow("empty") << QString();
        QTest::newRow("space") << QStringLiteral("my plan");
    }
    void badNamesNeverBecomePaths()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        PresetStore store(dir.filePath(QStringLiteral("p")));
        QString error;
        QVERIFY(!store.save(customPlan(name), &error));
        QVERIFY(error.startsWith(QStringLiteral("name")));
        RolloutPlan p;
        QVERIFY(!store.load(name, &p, &error));
        QVERIFY(!QFileInfo::exists(store.folder()));
    }
};

QTEST_GUILESS_MAIN(TestPresetStore)
#include "tst_presetstore.moc"
