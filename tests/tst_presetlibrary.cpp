// The presets folder as the GUI sees it (PresetLibrary): listed and written off the calling
// thread, operations in the order asked, answers only to a context still alive, and a list that
// follows the folder when files are added, edited or removed by hand.
#include "presetlibrary.h"
#include "support/presetfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

using PresetFiles::writeRaw;

RolloutPlan customPlan(const QString &name, double firstWeight)
{
    return PresetFiles::plan(name, firstWeight);
}

QByteArray planBytes(const QString &name, double firstWeight)
{
    return customPlan(name, firstWeight).toJsonBytes();
}

} // namespace

class TestPresetLibrary : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listsTheBuiltInsAtOnceAndTheFolderLater()
    {
        QTemporaryDir dir;
        QVERIFY(writeRaw(dir.filePath(QStringLiteral("mine.json")), planBytes(QStringLiteral("mine"), 10)));
        PresetLibrary library(dir.path());
        // Nothing read yet on this thread: the read's answer comes through the event loop.
        QVERIFY(!library.hasListed());
        QCOMPARE(library.entries().size(), PresetStore::builtIns().size());
        QVERIFY(!library.entry(QStringLiteral("mine")));
        QVERIFY(library.entry(QStringLiteral("canary-5-25-50-100")));
        QSignalSpy listed(&library, &PresetLibrary::listChanged);
        QVERIFY(listed.wait(10000));
        QVERIFY(library.hasListed());
        const auto mine = library.entry(QStringLiteral("mine"));
        QVERIFY(mine && mine->ok());
        QCOMPARE(mine->plan.steps.constFirst().weight, 10.0);
    }

    void operationsRunInTheOrderAsked()
    {
        QTemporaryDir dir;
        PresetLibrary library(dir.path());
        QStringList answers;
        QObject context;
        // Asked back to back without waiting: save, remove, save again; then a refused remove.
        library.save(customPlan(QStringLiteral("a"), 10), &context, [&answers](bool ok, const QString &) {
            answers.append(ok ? QStringLiteral("save ok") : QStringLiteral("save failed"));
        });
        library.remove(QStringLiteral("a"), &context, [&answers](bool ok, const QString &) {
            answers.append(ok ? QStringLiteral("remove ok") : QStringLiteral("remove failed"));
        });
        library.save(customPlan(QStringLiteral("a"), 30), &context, [&answers](bool ok, const QString &) {
            answers.append(ok ? QStringLiteral("save ok") : QStringLiteral("save failed"));
        });
        QString refusal;
        library.remove(QStringLiteral("canary-5-25-50-100"), &context, [&answers, &refusal](bool ok, const QString &error) {
            answers.append(ok ? QStringLiteral("remove ok") : QStringLiteral("remove failed"));
            refusal = error;
        });
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 4, 10000);
        QCOMPARE(answers, (QStringList{QStringLiteral("save ok"), QStringLiteral("remove ok"), QStringLiteral("save ok"),
                                       QStringLiteral("remove failed")}));
        QVERIFY2(refusal.contains(QStringLiteral("built in")), qPrintable(refusal));
        // The listing that came with the last answer shows the last save.
        const auto a = library.entry(QStringLiteral("a"));
        QVERIFY(a && a->ok());
        QCOMPARE(a->plan.steps.constFirst().weight, 30.0);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("a.json"))));
    }

    void importAndExportGoThroughTheFolder()
    {
        QTemporaryDir dir;
        QTemporaryDir elsewhere;
        PresetLibrary library(dir.path());
        QObject context;
        const QString source = elsewhere.filePath(QStringLiteral("team-plan.json"));
        QVERIFY(writeRaw(source, planBytes(QStringLiteral("team"), 20)));
        QString imported;
        bool importOk = false;
        library.importFrom(source, &context, [&](bool ok, const QString &, const QString &name) {
            importOk = ok;
            imported = name;
        });
        QTRY_VERIFY_WITH_TIMEOUT(!imported.isEmpty(), 10000);
        QVERIFY(importOk);
        QCOMPARE(imported, QStringLiteral("team")); // the plan's own name
        QVERIFY(library.entry(QStringLiteral("team")));
        const QString out = elsewhere.filePath(QStringLiteral("back.json"));
        bool exported = false;
        library.exportTo(QStringLiteral("team"), out, &context, [&exported](bool ok, const QString &) { exported = ok; });
        QTRY_VERIFY_WITH_TIMEOUT(exported, 10000);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("\"setWeight\": 20"));
    }

    void noAnswerOnceTheAskerIsGone()
    {
        QTemporaryDir dir;
        PresetLibrary library(dir.path());
        bool answered = false;
        {
            QObject context;
            library.save(customPlan(QStringLiteral("late"), 10), &context, [&answered](bool, const QString &) { answered = true; });
        }
        // The save itself still happens (the operator asked for it); only the answer is dropped.
        QTRY_VERIFY_WITH_TIMEOUT(library.entry(QStringLiteral("late")).has_value(), 10000);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("late.json"))));
        QVERIFY(!answered);
    }

    void followsFilesChangedByHand()
    {
        QTemporaryDir dir;
        PresetLibrary library(dir.path());
        QSignalSpy listed(&library, &PresetLibrary::listChanged);
        QVERIFY(listed.wait(10000));
        // Added (as a terminal's `switchboard` or a `git pull` would), without any reload() call.
        const QString path = dir.filePath(QStringLiteral("byhand.json"));
        QVERIFY(writeRaw(path, planBytes(QStringLiteral("byhand"), 5)));
        QTRY_VERIFY_WITH_TIMEOUT(library.entry(QStringLiteral("byhand")).has_value(), 10000);
        QCOMPARE(library.entry(QStringLiteral("byhand"))->plan.steps.constFirst().weight, 5.0);
        // Edited in place.
        QVERIFY(writeRaw(path, planBytes(QStringLiteral("byhand"), 15)));
        QTRY_COMPARE_WITH_TIMEOUT(library.entry(QStringLiteral("byhand"))->plan.steps.constFirst().weight, 15.0, 10000);
        // Broken: listed with its error and its text as it is.
        QVERIFY(writeRaw(path, "{\"steps\": ["));
        QTRY_VERIFY_WITH_TIMEOUT(!library.entry(QStringLiteral("byhand"))->ok(), 10000);
        QCOMPARE(library.entry(QStringLiteral("byhand"))->bytes, QByteArray("{\"steps\": ["));
        // Removed.
        QVERIFY(QFile::remove(path));
        QTRY_VERIFY_WITH_TIMEOUT(!library.entry(QStringLiteral("byhand")).has_value(), 10000);
    }

    void followsAFolderCreatedLater()
    {
        QTemporaryDir dir;
        // A new user: neither Switchboard's config folder nor the presets folder exists yet.
        const QString folder = dir.filePath(QStringLiteral("switchboard/presets"));
        PresetLibrary library(folder);
        QSignalSpy listed(&library, &PresetLibrary::listChanged);
        QVERIFY(listed.wait(10000));
        QCOMPARE(library.entries().size(), PresetStore::builtIns().size());
        // The first preset of this user, saved from a terminal: the folder appears with it.
        QVERIFY(writeRaw(folder + QStringLiteral("/first.json"), planBytes(QStringLiteral("first"), 10)));
        QTRY_VERIFY_WITH_TIMEOUT(library.entry(QStringLiteral("first")).has_value(), 10000);
        QVERIFY(writeRaw(folder + QStringLiteral("/second.json"), planBytes(QStringLiteral("second"), 10)));
        QTRY_VERIFY_WITH_TIMEOUT(library.entry(QStringLiteral("second")).has_value(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestPresetLibrary)
#include "tst_presetlibrary.moc"
