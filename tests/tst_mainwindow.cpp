// The main window under the offscreen platform, on the simulator: what the operator clicks is
// what the traffic layer receives, and the split bar shows what holds.
#include "mainwindowfixture.h"

#include "backendfactory.h"
#include "chartwidget.h"
#include "confirmbarwidget.h"
#include "elidedlabel.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "auditlog.h"
#include "auditlogdialog.h"
#include "presetsdialog.h"
#include "presetlibrary.h"
#include "resultbannerwidget.h"
#include "rollouthistorydialog.h"
#include "rolloutbarwidget.h"
#include "rolloutengine.h"
#include "simworld.h"
#include "splitbarwidget.h"
#include "targetconfig.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"
#include "targetpanelwidget.h"
#include "targetsettingsdialog.h"
#include "targetstatus.h"
#include "targetstatuswidget.h"
#include "timeseriesmodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <QTextDocument>

using namespace Switchboard;

class TestMainWindow : public MainWindowFixture
{
    Q_OBJECT

private slots:
    void init() { setUpWindow(); }
    void cleanup() { tearDownWindow(); }

    void targetListModelIsSound()
    {
        QAbstractItemModelTester tester(m_targets.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m_targets->rowCount(), 1);
        QTRY_COMPARE(m_targets->data(m_targets->index(0), TargetListModel::StateRole).toString(), QStringLiteral("healthy"));
        QCOMPARE(m_targets->data(m_targets->index(0), TargetListModel::CanaryPercentRole).toDouble(), 10.0);
    }

    void splitBarShowsLiveSplit()
    {
        auto *bar = find<SplitBarWidget>("splitBar");
        QTRY_COMPARE(bar->canaryPercent(), 10.0);
        QCOMPARE(bar->text(), QStringLiteral("stable 90% · canary 10%"));
        QVERIFY(!bar->isStale());
    }

    void sliderMovesNothingUntilApply()
    {
        auto *slider = find<QSlider>("canarySlider");
        auto *spin = find<QSpinBox>("canarySpin");
        slider->setFocus();
        for (int i = 0; i < 10; ++i)
            QTest::keyClick(slider, Qt::Key_Right); // drag by keyboard: 10 → 20
        QCOMPARE(slider->value(), 20);
        QCOMPARE(spin->value(), 20);
        // Let several polls pass: the traffic layer must still hold 10%.
        QSignalSpy snap(m_controller.get(), &TargetController::snapshotChanged);
        QTRY_VERIFY(snap.size() >= 3);
        QCOMPARE(worldCanary(), 10.0);
        QCOMPARE(slider->value(), 20); // a poll does not yank the slider back while editing
        QCOMPARE(find<ChartWidget>("weightChart")->markerItems().size(), 0);

        QTest::mouseClick(find<QPushButton>("applyButton"), Qt::LeftButton);
        QTRY_COMPARE(worldCanary(), 20.0);
        QCOMPARE(m_confirmations, 0); // 20% needs no confirmation
        QTRY_COMPARE(find<SplitBarWidget>("splitBar")->text(), QStringLiteral("stable 80% · canary 20%"));
        // The change is marked on every chart's time axis.
        for (const char *chart : {"errorChart", "latencyChart", "rpsChart", "weightChart"})
            QTRY_COMPARE(find<ChartWidget>(chart)->markerItems().size(), 1);
    }

    void aboveHalfAsksFirst()
    {
        auto *spin = find<QSpinBox>("canarySpin");
        spin->setValue(75);
        QTest::mouseClick(find<QPushButton>("applyButton"), Qt::LeftButton);
        QCOMPARE(m_confirmations, 1);
        QVERIFY(m_lastQuestion.contains(QStringLiteral("before: stable 90% → canary 10%")));
        QVERIFY(m_lastQuestion.contains(QStringLiteral("after: stable 25% → canary 75%")));
        // While it asks, nothing moves.
        QSignalSpy asking(m_controller.get(), &TargetController::snapshotChanged);
        QTRY_VERIFY(asking.size() >= 2);
        QCOMPARE(worldCanary(), 10.0);
        answer(false); // Esc
        QSignalSpy snap(m_controller.get(), &TargetController::snapshotChanged);
        QTRY_VERIFY(snap.size() >= 2);
        QCOMPARE(worldCanary(), 10.0); // refused: nothing moved
        QTest::mouseClick(find<QPushButton>("applyButton"), Qt::LeftButton);
        QCOMPARE(m_confirmations, 2);
        answer(true); // Enter
        QTRY_COMPARE(worldCanary(), 75.0);
    }

    void promoteFullAsksFirst()
    {
        QTest::mouseClick(find<QPushButton>("promoteFullButton"), Qt::LeftButton);
        QCOMPARE(m_confirmations, 1);
        QVERIFY(m_lastQuestion.contains(QStringLiteral("before: stable 90% → canary 10%")));
        QVERIFY(m_lastQuestion.contains(QStringLiteral("after: stable 0% → canary 100%")));
        answer(true);
        QTRY_COMPARE(worldCanary(), 100.0);
        QTRY_VERIFY(!find<QPushButton>("promoteFullButton")->isEnabled());
    }

    void rollbackIsOneClickAndShortcut()
    {
        auto *rollback = find<QPushButton>("rollbackButton");
        QTRY_VERIFY(rollback->isEnabled());
        QTest::mouseClick(rollback, Qt::LeftButton);
        QTRY_COMPARE(worldCanary(), 0.0);
        QCOMPARE(m_confirmations, 0); // never a dialog
        QTRY_COMPARE(find<SplitBarWidget>("splitBar")->text(), QStringLiteral("stable 100% · canary 0%"));
        QTRY_VERIFY(!rollback->isEnabled()); // nothing to roll back at 0%
        bool logged = false;
        for (const auto &e : m_log.events())
            logged |= e.text.startsWith(QStringLiteral("rollback applied"));
        QVERIFY(logged);

        // Shortcut, from anywhere in the window.
        m_controller->setCanaryPercent(40, QStringLiteral("test"));
        QTRY_COMPARE(worldCanary(), 40.0);
        QTRY_VERIFY(rollback->isEnabled());
        QTest::keyClick(find<QSlider>("canarySlider"), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(worldCanary(), 0.0);
        QCOMPARE(m_confirmations, 0);
    }

    void exportsFullSeries()
    {
        QTRY_VERIFY(m_controller->healthHistory()->rowCount() > 800);
        QTemporaryDir dir;
        // Written off the GUI thread: exported() answers with the file, or the error.
        QSignalSpy exported(m_window->panel(), &TargetPanelWidget::exported);
        const QString csv = dir.filePath(QStringLiteral("demo.csv"));
        const int rowsAsked = m_controller->healthHistory()->rowCount();
        m_window->panel()->exportCsv(csv);
        QVERIFY(exported.wait(5000));
        QVERIFY2(exported.at(0).at(1).toString().isEmpty(), qPrintable(exported.at(0).at(1).toString()));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QCOMPARE(lines.constFirst(), QByteArray("time,timeMs,stableRps,canaryRps,stableErrorPct,canaryErrorPct,"
                                                 "stableP50Ms,canaryP50Ms,stableP99Ms,canaryP99Ms,setCanaryPct,measuredCanaryPct"));
        QVERIFY(lines.size() > rowsAsked); // every row, not the drawn subset
        QCOMPARE(lines.at(1).split(',').size(), 12);
        const QString png = dir.filePath(QStringLiteral("demo.png"));
        m_window->panel()->exportPng(png);
        QVERIFY(exported.wait(5000));
        QVERIFY2(exported.at(1).at(1).toString().isEmpty(), qPrintable(exported.at(1).at(1).toString()));
        QVERIFY(!QImage(png).isNull());
        // An unwritable place is an error, not a crash or a half file.
        m_window->panel()->exportCsv(QStringLiteral("/proc/nope/x.csv"));
        QVERIFY(exported.wait(5000));
        QVERIFY(exported.at(2).at(1).toString().contains(QStringLiteral("/proc/nope/x.csv")));
    }

    void settingsDialogTestsQueriesOnTheMetricsThread()
    {
        TargetSettingsDialog dialog(m_controller.get(), QString());
        QSignalSpy done(&dialog, &TargetSettingsDialog::testFinished);
        dialog.setQuery(QStringLiteral("rps"), QStringLiteral("sum(rate(app_requests_total[10s]))"));
        dialog.testQuery(QStringLiteral("rps"));
        QVERIFY(done.wait(5000));
        // The simulator has no query language, and says so rather than pretending.
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QVERIFY(dialog.lastResult().contains(QStringLiteral("takes no queries")));
        QVERIFY(!dialog.save()); // no file behind the demo target
    }

    void serversLineShowsWeightsAndHealthChecks()
    {
        QList<Member> m{{QStringLiteral("web-v1-1"), Version::Stable, 0, QStringLiteral("UP"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v1-2"), Version::Stable, 256, QStringLiteral("UP"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v2-1"), Version::Canary, 256, QStringLiteral("DOWN"), QStringLiteral("L7STS")},
                        {QStringLiteral("web-v2-2"), Version::Canary, 0, QStringLiteral("DOWN 1/2"), QStringLiteral("L7OK")},
                        {QStringLiteral("web-v2-3"), Version::Canary, 0, QStringLiteral("MAINT"), QStringLiteral("L7OK")}};
        // The texts are decided in TargetStatus (tst_targetstatus); the view draws the same in colour.
        QTextDocument doc;
        doc.setHtml(TargetStatusWidget::serversHtml(TargetStatus::serversOf(m)));
        const QStringList lines = doc.toPlainText().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2); // one per version, stable first
        QCOMPARE(lines.at(0), QStringLiteral("■ web-v1-1 0 ✓ · web-v1-2 256 ✓"));
        QCOMPARE(lines.at(1), QStringLiteral("■ web-v2-1 256 ✗ DOWN · web-v2-2 0 … DOWN 1/2 · web-v2-3 0 MAINT"));
        // Many servers are summed up, DOWN ones still called out.
        QList<Member> many;
        for (int i = 0; i < 12; ++i)
            many.append({QStringLiteral("s%1").arg(i), Version::Canary, i < 9 ? 10 : 0, i == 3 ? QStringLiteral("DOWN") : QStringLiteral("UP"),
                         QStringLiteral("L7OK")});
        doc.setHtml(TargetStatusWidget::serversHtml(TargetStatus::serversOf(many)));
        QCOMPARE(doc.toPlainText(), QStringLiteral("■ 12 servers, 9 with traffic, 1 DOWN"));
        // And the panel shows the live members of its target.
        QTRY_VERIFY(find<QLabel>("serversLabel")->text().contains(QStringLiteral("app-v2-a")));
    }

    void readOnlyTargetShowsBadgeAndDisablesEveryAction()
    {
        // A sim target marked readOnly in targets.json, in a window of its own.
        const TargetConfigResult cfg = parseTargetConfig(
            "{\"targets\":[{\"name\":\"ro\",\"kind\":\"sim\",\"readOnly\":true,\"pollMs\":200,\"sim\":{\"initialCanaryPercent\":30}}]}",
            QStringLiteral("targets.json"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.error));
        QString error;
        std::shared_ptr<SimWorld> world;
        auto host = createBackends(cfg.targets.first(), &error, &world);
        QVERIFY2(host, qPrintable(error));
        TargetController controller(cfg.targets.first(), std::move(host), &m_log, nullptr);
        TargetListModel targets;
        targets.setControllers({&controller});
        MainWindow window(&targets, &m_log, m_presets.get());
        writePlan(QStringLiteral("ro-plan"), 1);
        controller.start();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY(controller.hasSnapshot());
        QVERIFY(controller.isReadOnly());
        const QString reason = QStringLiteral("marked \"readOnly\" in targets.json");
        QCOMPARE(controller.readOnlyReason(), reason);

        auto *badge = window.findChild<QLabel *>(QStringLiteral("readOnlyBadge"));
        QVERIFY(badge);
        QTRY_VERIFY(badge->isVisible());
        QVERIFY2(badge->toolTip().contains(reason), qPrintable(badge->toolTip()));
        // Everything is still shown: the split is there.
        QTRY_COMPARE(window.findChild<SplitBarWidget *>(QStringLiteral("splitBar"))->text(), QStringLiteral("stable 70% · canary 30%"));

        // Every action off before any click, each saying why.
        for (const char *name : {"applyButton", "promoteFullButton", "rollbackButton", "startRolloutButton", "pauseButton",
                                 "promoteStepButton"}) {
            auto *b = window.findChild<QPushButton *>(QLatin1String(name));
            QVERIFY2(b, name);
            QVERIFY2(!b->isEnabled(), name);
            QVERIFY2(b->toolTip().contains(reason), qPrintable(QLatin1String(name) + QStringLiteral(": ") + b->toolTip()));
        }
        QVERIFY(!window.findChild<QSlider *>(QStringLiteral("canarySlider"))->isEnabled());
        QVERIFY(window.findChild<QPushButton *>(QStringLiteral("rollbackButton"))->toolTip().contains(QStringLiteral("cannot roll back")));
        // Ctrl+Shift+R asks nothing of the controller either (a change would start, or be
        // refused, before keyClick returns).
        QSignalSpy started(&controller, &TargetController::actionStarted);
        QSignalSpy finished(&controller, &TargetController::actionFinished);
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(started.size(), 0);
        QCOMPARE(finished.size(), 0);
        QCOMPARE(TrafficSplit::fromMembers(world->members()).canary, 30.0);

        // Metrics settings: Test still works, Save is off with the reason.
        QTemporaryDir dir;
        TargetSettingsDialog dialog(&controller, dir.filePath(QStringLiteral("targets.json")));
        auto *save = dialog.findChild<QPushButton *>(QStringLiteral("saveButton"));
        QVERIFY(save);
        QVERIFY(!save->isEnabled());
        QVERIFY2(save->toolTip().contains(reason), qPrintable(save->toolTip()));
        QVERIFY(!dialog.save());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("targets.json"))));

        // The writable fixture target shows no badge.
        QVERIFY(!find<QLabel>("readOnlyBadge")->isVisible());
        QVERIFY(find<QPushButton>("applyButton")->toolTip().isEmpty());
    }

    void settingsDialogSaveAppliesToTheRunningTarget()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("targets.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"targets\": [{\"name\": \"demo\", \"kind\": \"sim\", \"sim\": {\"seed\": 42}}]}\n");
        f.close();
        TargetSettingsDialog dialog(m_controller.get(), path);
        QSignalSpy applied(m_controller.get(), &TargetController::settingsApplied);
        dialog.setQuery(QStringLiteral("p99"), QStringLiteral("my_p99{{versions}}"));
        QSignalSpy saved(&dialog, &TargetSettingsDialog::saved);
        QVERIFY(dialog.save()); // written off the GUI thread
        QVERIFY(!dialog.save()); // one save at a time
        QVERIFY(saved.wait(5000));
        QCOMPARE(saved.constFirst().at(0).toBool(), true);
        QVERIFY(applied.size() > 0 || applied.wait(5000));
        QCOMPARE(applied.constFirst().at(0).toBool(), true);
        // The running controller has them (no reopen), and so does the file.
        const auto queries = [](const QJsonObject &settings) {
            return settings.value(QStringLiteral("prometheus")).toObject().value(QStringLiteral("queries")).toObject();
        };
        QCOMPARE(queries(m_controller->config().settings).value(QStringLiteral("p99")).toString(), QStringLiteral("my_p99{{versions}}"));
        const TargetConfigResult onDisk = loadTargetConfig(path);
        QVERIFY2(onDisk.ok(), qPrintable(onDisk.error));
        QCOMPARE(queries(onDisk.targets.constFirst().settings).value(QStringLiteral("p99")).toString(), QStringLiteral("my_p99{{versions}}"));
        bool logged = false;
        for (const auto &e : m_log.events())
            logged |= e.text == QStringLiteral("metrics settings applied");
        QVERIFY(logged);

        // A file that no longer has the target: the error shows, the running target keeps its queries.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"targets\": [{\"name\": \"other\", \"kind\": \"sim\"}]}\n");
        f.close();
        dialog.setQuery(QStringLiteral("p99"), QStringLiteral("not_saved{{versions}}"));
        QVERIFY(dialog.save());
        QVERIFY(saved.wait(5000));
        QCOMPARE(saved.at(1).at(0).toBool(), false);
        QVERIFY2(dialog.lastResult().startsWith(QStringLiteral("✗")), qPrintable(dialog.lastResult()));
        QCOMPARE(queries(m_controller->config().settings).value(QStringLiteral("p99")).toString(), QStringLiteral("my_p99{{versions}}"));
    }

    void rolloutRunsFromTheBarAndRollbackEndsIt()
    {
        // A short plan in the presets folder: 10% → analysis → 100%.
        QFile f(m_presetDir.filePath(QStringLiteral("quick.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05}],"
                "\"steps\":[{\"setWeight\":10},{\"pause\":{}},{\"setWeight\":100}]}");
        f.close();
        auto *bar = find<RolloutBarWidget>("rolloutBar");
        QVERIFY(bar);
        auto *combo = find<QComboBox>("presetCombo");
        QTRY_VERIFY(combo->findText(QStringLiteral("quick")) >= 0); // the bar follows the presets folder
        combo->setCurrentIndex(combo->findText(QStringLiteral("quick")));
        QVERIFY(bar->startSelected());
        QCOMPARE(m_confirmations, 1); // starting a plan moves traffic: it asks
        QVERIFY(m_lastQuestion.contains(QStringLiteral("10%")));
        QVERIFY(!m_controller->isRolloutActive()); // not before the answer
        answer(true);
        QVERIFY(m_controller->isRolloutActive());
        // The plan waits at its "until resumed" pause with 10% on the canary.
        QTRY_COMPARE(worldCanary(), 10.0);
        QTRY_VERIFY(bar->timelineText().contains(QStringLiteral("10% ✓")));
        QTRY_COMPARE(m_targets->data(m_targets->index(0), TargetListModel::StateRole).toString(), QStringLiteral("paused"));
        QVERIFY(find<QPushButton>("pauseButton")->text() == QStringLiteral("Resume"));
        // Rollback during the rollout ends the rollout too (it must not carry on to 100%).
        QTest::mouseClick(find<QPushButton>("rollbackButton"), Qt::LeftButton);
        QTRY_COMPARE(worldCanary(), 0.0);
        QTRY_COMPARE(m_controller->rollout()->state(), RolloutEngine::State::RolledBack);
        QTRY_COMPARE(m_targets->data(m_targets->index(0), TargetListModel::StateRole).toString(), QStringLiteral("degraded"));
        QVERIFY(!m_controller->isRolloutActive());
        QVERIFY(find<QPushButton>("startRolloutButton")->isEnabled()); // a new one may start
    }

    // Issue 11: Start's confirmation says which gates the current traffic cannot feed their
    // minRequests within their analysis, and how many requests they will get.
    void startWarnsWhenTrafficIsTooThin()
    {
        QFile f(m_presetDir.filePath(QStringLiteral("thin.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                "\"minRequests\":1000000}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":30000}},{\"setWeight\":100}]}");
        f.close();
        QTRY_VERIFY(m_controller->hasHealth()); // the rate it forecasts from
        auto *bar = find<RolloutBarWidget>("rolloutBar");
        auto *combo = find<QComboBox>("presetCombo");
        QTRY_VERIFY(combo->findText(QStringLiteral("thin")) >= 0); // the bar follows the presets folder
        combo->setCurrentIndex(combo->findText(QStringLiteral("thin")));
        const double canaryBefore = worldCanary();
        QVERIFY(bar->startSelected()); // asks, inline
        QCOMPARE(m_confirmations, 1);
        QVERIFY2(m_lastQuestion.contains(QStringLiteral("Warning: the current traffic is too thin for some gates:")), qPrintable(m_lastQuestion));
        QVERIFY2(m_lastQuestion.contains(QStringLiteral("step 2/3 (analysis 0:30 at 10%): gate errors needs 1000000 canary requests; ")),
                 qPrintable(m_lastQuestion));
        answer(false); // the operator reads it and does not start
        QVERIFY(!m_controller->rollout()); // nothing started
        QCOMPARE(worldCanary(), canaryBefore);
        // The built-in canary plan is fed by the demo's traffic: no warning.
        combo->setCurrentIndex(combo->findText(QStringLiteral("canary-5-25-50-100")));
        QVERIFY(bar->startSelected());
        QCOMPARE(m_confirmations, 2);
        QVERIFY2(!m_lastQuestion.contains(QStringLiteral("Warning")), qPrintable(m_lastQuestion));
        answer(false);
        QVERIFY(!m_controller->rollout());
    }

    void presetsDialogValidatesAndKeepsFiles()
    {
        PresetsDialog dialog(m_presets.get());
        QSignalSpy done(&dialog, &PresetsDialog::operationFinished);
        // Each operation runs off the GUI thread; the dialog tells when it is over.
        const auto finished = [&done](bool ok) {
            if (!done.wait(10000))
                return false;
            return done.takeFirst().at(0).toBool() == ok;
        };
        QVERIFY(dialog.names().contains(QStringLiteral("canary-5-25-50-100")));
        QVERIFY(dialog.duplicateCurrent(QStringLiteral("mine")));
        QVERIFY(finished(true));
        QVERIFY(QFile::exists(m_presetDir.filePath(QStringLiteral("mine.json"))));
        QVERIFY(dialog.names().contains(QStringLiteral("mine")));
        QFile f(m_presetDir.filePath(QStringLiteral("mine.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray before = f.readAll();
        f.close();
        // A bad edit is refused at once with the field named, and the file stays as it was.
        dialog.select(QStringLiteral("mine"));
        dialog.setEditorText(QStringLiteral("{\"strategy\":\"canary\",\"steps\":[{\"setWeight\":150}]}"));
        QVERIFY(!dialog.saveCurrent());
        QVERIFY2(dialog.message().contains(QStringLiteral("setWeight")), qPrintable(dialog.message()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        f.close();
        // A second duplicate under the same name is refused by the folder, and says so.
        QVERIFY(dialog.duplicateCurrent(QStringLiteral("mine")));
        QVERIFY(finished(false));
        QVERIFY2(dialog.message().contains(QStringLiteral("already exists")), qPrintable(dialog.message()));
        const QString exported = m_presetDir.filePath(QStringLiteral("out/exported.json"));
        QDir().mkpath(m_presetDir.filePath(QStringLiteral("out")));
        dialog.select(QStringLiteral("mine"));
        // Asked one after the other without waiting: they run in that order.
        QVERIFY(dialog.exportCurrent(exported));
        QVERIFY(dialog.removeCurrent());
        QVERIFY(finished(true));
        QVERIFY(QFile::exists(exported));
        QVERIFY(finished(true));
        QVERIFY(!dialog.names().contains(QStringLiteral("mine")));
        QVERIFY(dialog.importFile(exported));
        QVERIFY(finished(true));
        QVERIFY(dialog.names().contains(QStringLiteral("mine")) || dialog.names().contains(QStringLiteral("exported")));
        // A file broken by hand shows up by itself, marked, with its text in the editor when chosen.
        QFile broken(m_presetDir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"steps\": [");
        broken.close();
        QTRY_VERIFY(dialog.names().contains(QStringLiteral("broken")));
        dialog.select(QStringLiteral("broken"));
        QCOMPARE(dialog.editorText(), QStringLiteral("{\"steps\": ["));
        // Fixed in the editor and saved: the fix replaces the broken file.
        dialog.setEditorText(QStringLiteral("{\"strategy\":\"canary\",\"steps\":[{\"setWeight\":50},{\"setWeight\":100}]}"));
        QVERIFY(dialog.saveCurrent());
        QVERIFY(finished(true));
        QVERIFY(broken.open(QIODevice::ReadOnly));
        QVERIFY(broken.readAll().contains("\"setWeight\": 50"));
        broken.close();
        QVERIFY(dialog.names().contains(QStringLiteral("broken")));
        QVERIFY2(dialog.message().startsWith(QStringLiteral("saved ")), qPrintable(dialog.message()));
    }

    void auditViewFiltersAndExports()
    {
        QTemporaryDir dir;
        AuditLog log(dir.filePath(QStringLiteral("audit.jsonl")));
        for (const char *action : {"set-weight", "rollback", "set-weight"}) {
            AuditLog::Entry e;
            e.target = QStringLiteral("shop");
            e.action = QString::fromLatin1(action);
            e.reason = QStringLiteral("operator");
            e.result = QStringLiteral("applied");
            QVERIFY(log.append(e));
        }
        AuditLog::Entry other;
        other.target = QStringLiteral("cart");
        other.action = QStringLiteral("rollback");
        other.reason = QStringLiteral("gate error-ratio FAIL");
        QVERIFY(log.append(other));
        QVERIFY(log.drain(10000)); // the audit log writes on its own thread
        AuditLogDialog dialog(log.path());
        QSignalSpy read(&dialog, &AuditLogDialog::rowsRead);
        QVERIFY(read.wait(5000)); // read off the GUI thread
        QCOMPARE(dialog.visibleRows(), 4);
        dialog.setTargetFilter(QStringLiteral("shop"));
        QCOMPARE(dialog.visibleRows(), 3);
        dialog.setActionFilter(QStringLiteral("rollback"));
        QCOMPARE(dialog.visibleRows(), 1);
        dialog.setTargetFilter(QString());
        dialog.setTextFilter(QStringLiteral("error-ratio"));
        QCOMPARE(dialog.visibleRows(), 1);
        const QString out = dir.filePath(QStringLiteral("export.jsonl"));
        QSignalSpy exported(&dialog, &AuditLogDialog::exportFinished);
        dialog.exportVisible(out); // written off the GUI thread
        QVERIFY(exported.wait(5000));
        QVERIFY2(exported.at(0).at(2).toString().isEmpty(), qPrintable(exported.at(0).at(2).toString()));
        QCOMPARE(exported.at(0).at(1).toInt(), 1);
        // A folder that is not there: the error names the file, nothing is half written.
        const QString nowhere = dir.filePath(QStringLiteral("no-such-dir/export.jsonl"));
        dialog.exportVisible(nowhere);
        QVERIFY(exported.wait(5000));
        QVERIFY2(exported.at(1).at(2).toString().startsWith(nowhere), qPrintable(exported.at(1).at(2).toString()));
        QVERIFY(!QFile::exists(nowhere));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QCOMPARE(text.count('\n'), 1);
        QVERIFY(text.contains("\"target\":\"cart\""));

        // Open while actions happen: a new entry shows without Reload, and a target first seen
        // now can be chosen.
        dialog.setTextFilter(QString());
        dialog.setActionFilter(QString());
        QCOMPARE(dialog.visibleRows(), 4);
        AuditLog::Entry late;
        late.target = QStringLiteral("search");
        late.action = QStringLiteral("rollback");
        late.reason = QStringLiteral("operator");
        QVERIFY(log.append(late));
        QVERIFY(log.drain(10000));
        QTRY_COMPARE(dialog.visibleRows(), 5);
        dialog.setTargetFilter(QStringLiteral("search"));
        QCOMPARE(dialog.visibleRows(), 1);
    }

    void chartsHaveDataAndSayWhyNot()
    {
        auto *errors = find<ChartWidget>("errorChart");
        auto *weight = find<ChartWidget>("weightChart");
        QTRY_VERIFY(errors->pointCount(0) > 100);
        QTRY_VERIFY(errors->pointCount(1) > 100);
        QTRY_VERIFY(weight->pointCount(0) > 100);
        QVERIFY(errors->emptyMessage().isEmpty());
        m_world->setReachable(false);
        QTRY_VERIFY(find<SplitBarWidget>("splitBar")->isStale() || m_controller->connectionState() == ConnectionState::Disconnected);
        QTRY_VERIFY(m_window->findChild<QWidget *>(QStringLiteral("headerLabel"))->property("text").toString().contains(QStringLiteral("disconnected")));
    }

    void rollbackWhileAQuestionIsOpen()
    {
        find<QSpinBox>("canarySpin")->setValue(80);
        QTest::mouseClick(find<QPushButton>("applyButton"), Qt::LeftButton);
        QVERIFY(m_window->panel()->confirmBar()->isAsking());
        QVERIFY(!QApplication::activeModalWidget());
        // The question does not stand in the way: Rollback goes through, and 80% never happens.
        QTest::mouseClick(find<QPushButton>("rollbackButton"), Qt::LeftButton);
        QTRY_COMPARE(worldCanary(), 0.0);
        // Another target selected: the open question is withdrawn, never answered for it.
        m_window->panel()->setController(nullptr);
        QVERIFY(!m_window->panel()->confirmBar()->isAsking());
        QVERIFY(!m_window->panel()->confirmBar()->isVisible());
    }

    void noWindowStandsBeforeRollback()
    {
        QFile audit(QDir(m_presetDir.path()).filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(audit.open(QIODevice::WriteOnly));
        audit.close();
        m_window->setAuditLogPath(audit.fileName());
        auto *rollback = find<QPushButton>("rollbackButton");
        const auto opened = [this](const QString &which) -> QWidget * {
            if (which == QLatin1String("presets")) {
                QTest::mouseClick(find<QPushButton>("presetsButton"), Qt::LeftButton);
                return m_window->findChild<PresetsDialog *>();
            }
            if (which == QLatin1String("settings")) {
                QTest::mouseClick(find<QPushButton>("settingsButton"), Qt::LeftButton);
                return m_window->findChild<TargetSettingsDialog *>();
            }
            if (which == QLatin1String("history")) {
                find<QAction>("rolloutHistoryAction")->trigger();
                return m_window->findChild<RolloutHistoryDialog *>();
            }
            find<QAction>("auditAction")->trigger();
            return m_window->findChild<AuditLogDialog *>();
        };
        for (const QString &which : {QStringLiteral("presets"), QStringLiteral("settings"), QStringLiteral("audit"),
                                     QStringLiteral("history")}) {
            QWidget *window = opened(which);
            QVERIFY2(window, qPrintable(which));
            QVERIFY(window->isWindow());
            QVERIFY(QTest::qWaitForWindowExposed(window));
            window->activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(window));
            QCOMPARE(window->windowModality(), Qt::NonModal);
            QVERIFY2(!QApplication::activeModalWidget(), qPrintable(which));
            // It opened clear of the action strip: ROLLBACK is in sight, not just in reach.
            const QWidget *strip = find<QWidget>("actionStrip");
            const QRect stripOnScreen(strip->mapToGlobal(QPoint(0, 0)), strip->size());
            QVERIFY2(!window->frameGeometry().intersects(stripOnScreen), qPrintable(which));
            QVERIFY(window->frameGeometry().intersects(window->screen()->availableGeometry()));

            // The shortcut, typed in the other window.
            m_controller->setCanaryPercent(40, QStringLiteral("test"));
            QTRY_COMPARE(worldCanary(), 40.0);
            QTRY_VERIFY(rollback->isEnabled());
            QTest::keyClick(window, Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
            QTRY_COMPARE(worldCanary(), 0.0);
            // And the button, with the other window still open.
            m_controller->setCanaryPercent(30, QStringLiteral("test"));
            QTRY_COMPARE(worldCanary(), 30.0);
            QTRY_VERIFY(rollback->isEnabled());
            QVERIFY(window->isVisible());
            QTest::mouseClick(rollback, Qt::LeftButton);
            QTRY_COMPARE(worldCanary(), 0.0);
            window->close();
            QTRY_VERIFY(!window->isVisible());
        }
        QCOMPARE(m_confirmations, 0);
    }

    void partialResultGoesToABannerAndRetryGoesThroughTheRollout()
    {
        auto *banner = find<ResultBannerWidget>("resultBanner");
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());
        ChangeResult partial;
        partial.status = ChangeResult::Status::Partial;
        partial.message = QStringLiteral("lb-2 did not answer");
        partial.requestedCanaryPercent = 30;
        // No rollout: Retry sends the change again, to every node.
        banner->showResult(partial);
        QVERIFY(banner->isVisible());
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY(banner->text().contains(QStringLiteral("lb-2 did not answer")));
        QTest::mouseClick(find<QPushButton>("retryButton"), Qt::LeftButton);
        QVERIFY(!banner->isVisible());
        QTRY_COMPARE(worldCanary(), 30.0);

        // A rollout runs: Retry goes through it, never around it.
        writePlan(QStringLiteral("quick"), 1);
        auto *bar = find<RolloutBarWidget>("rolloutBar");
        auto *combo = find<QComboBox>("presetCombo");
        QTRY_VERIFY(combo->findText(QStringLiteral("quick")) >= 0); // the bar follows the presets folder
        combo->setCurrentIndex(combo->findText(QStringLiteral("quick")));
        QVERIFY(bar->startSelected());
        answer(true);
        QTRY_COMPARE(m_controller->rollout()->state(), RolloutEngine::State::Paused); // at its "until resumed" pause
        QTRY_COMPARE(worldCanary(), 10.0);
        // A rollback that reached only some nodes: Retry asks the rollout to roll back.
        partial.requestedCanaryPercent = 0;
        banner->showResult(partial);
        QTest::mouseClick(find<QPushButton>("retryButton"), Qt::LeftButton);
        QTRY_COMPARE(m_controller->rollout()->state(), RolloutEngine::State::RolledBack);
        QVERIFY2(m_controller->rollout()->reason().contains(QStringLiteral("aborted by the operator")),
                 qPrintable(m_controller->rollout()->reason())); // the plan was asked, not bypassed
        QTRY_COMPARE(worldCanary(), 0.0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
