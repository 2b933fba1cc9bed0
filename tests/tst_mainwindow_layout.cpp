// The main window at its smallest size (1024x640) with long texts everywhere: nothing grows the
// window, Rollback stays visible and working, and every chart keeps readable ticks.
#include "mainwindowfixture.h"

#include "backendfactory.h"
#include "chartwidget.h"
#include "elidedlabel.h"
#include "resultbannerwidget.h"
#include "rolloutbarwidget.h"
#include "rolloutengine.h"
#include "targetconfig.h"
#include "targetpanelwidget.h"

#include <QComboBox>
#include <QPushButton>
#include <QTest>

using namespace Switchboard;

class TestMainWindowLayout : public MainWindowFixture
{
    Q_OBJECT

private slots:
    void init() { setUpWindow(); }
    void cleanup() { tearDownWindow(); }

    void fitsIn1024x640WithLongTexts()
    {
        // A second target with a very long name, selected once the window is small.
        TargetConfig t = demoTarget();
        t.name = QStringLiteral("payments-gateway-europe-west-primary-cluster-with-a-name-nobody-would-shorten-") + QString(80, QLatin1Char('x'));
        t.pollMs = 200;
        QString error;
        std::shared_ptr<SimWorld> world;
        auto host = createBackends(t, &error, &world);
        QVERIFY(host);
        TargetController longName(t, std::move(host), &m_log, nullptr);
        m_targets->setControllers({m_controller.get(), &longName});
        longName.start();
        writePlan(QStringLiteral("a-very-long-preset-name-that-goes-on-and-on-and-on-canary-5-25-50-100-and-more"), 80);

        m_window->resize(1024, 640);
        QTRY_COMPARE(m_window->size(), QSize(1024, 640));
        m_window->selectTarget(1);
        QCOMPARE(m_window->panel()->controller(), &longName);
        QTRY_VERIFY(longName.hasSnapshot());
        auto *combo = find<QComboBox>("presetCombo");
        QTRY_VERIFY(combo->findText(QStringLiteral("a-very-long-preset-name-that-goes-on-and-on-and-on-canary-5-25-50-100-and-more")) >= 0); // the bar follows the presets folder
        combo->setCurrentIndex(combo->findText(QStringLiteral("a-very-long-preset-name-that-goes-on-and-on-and-on-canary-5-25-50-100-and-more")));
        QVERIFY(find<RolloutBarWidget>("rolloutBar")->startSelected());
        answer(true);
        QTRY_VERIFY(find<RolloutBarWidget>("rolloutBar")->timelineText().contains(QStringLiteral("10% ✓")));
        QVERIFY(find<RolloutBarWidget>("rolloutBar")->timelineText().size() > 400);
        // Long errors: a result in the banner and the progress line.
        const QString longError = QStringLiteral("lb-eu-west-2.internal:9999 refused the runtime API command because ")
            + QString(300, QLatin1Char('e'));
        ChangeResult partial;
        partial.status = ChangeResult::Status::Partial;
        partial.message = longError;
        partial.requestedCanaryPercent = 10;
        find<ResultBannerWidget>("resultBanner")->showResult(partial);
        find<ElidedLabel>("progressLabel")->setText(QStringLiteral("✗ partial: ") + longError);
        world->setReachable(false); // the header carries the connection error too
        QTRY_COMPARE(longName.connectionState(), ConnectionState::Disconnected);
        QCoreApplication::processEvents();

        QVERIFY2(m_window->minimumSizeHint().width() <= 1024, qPrintable(QString::number(m_window->minimumSizeHint().width())));
        QVERIFY(m_window->minimumSize().width() <= 1024);
        QVERIFY(m_window->minimumSizeHint().height() <= 640);
        QCOMPARE(m_window->size(), QSize(1024, 640)); // the window did not grow
        auto *rollback = find<QPushButton>("rollbackButton");
        QVERIFY(rollback->isVisible());
        QVERIFY(rollback->isEnabled());
        const QRect inWindow(rollback->mapTo(m_window.get(), QPoint(0, 0)), rollback->size());
        QVERIFY2(m_window->rect().contains(inWindow), qPrintable(QStringLiteral("%1,%2 %3x%4").arg(inWindow.x()).arg(inWindow.y())
                                                                     .arg(inWindow.width()).arg(inWindow.height())));
        // The whole texts are a hover away.
        auto *header = find<ElidedLabel>("headerLabel");
        QVERIFY(header->isElided());
        QVERIFY(header->toolTip().contains(t.name));
        QVERIFY(find<ElidedLabel>("progressLabel")->toolTip().contains(longError));
        // And Rollback still works at this size, ending the rollout.
        world->setReachable(true);
        QTRY_COMPARE(longName.connectionState(), ConnectionState::Connected);
        QTest::mouseClick(rollback, Qt::LeftButton);
        QTRY_COMPARE(longName.rollout()->state(), RolloutEngine::State::RolledBack);
        m_window->panel()->setController(nullptr); // before `longName` goes
        m_targets->setControllers({m_controller.get()});
    }

    void chartsFitTheSmallestWindow()
    {
        // At 1024×640 every chart still has round time and value ticks, and is no smaller than
        // the 330×150 at which tst_chartwidget checks, under a Chinese locale, that no label is
        // cut to "...".
        m_window->resize(1024, 640);
        for (const char *name : {"errorChart", "latencyChart", "rpsChart", "weightChart"}) {
            auto *chart = find<ChartWidget>(name);
            QTRY_VERIFY(chart->pointCount(0) > 10);
            QTRY_VERIFY2(chart->width() < 420, name);
            QVERIFY2(chart->width() >= 330 && chart->height() >= 150, name);
            QTRY_VERIFY2(chart->timeLabels().size() >= 2, name);
            QVERIFY2(chart->valueLabels().size() >= 2, name);
        }
    }
};

QTEST_MAIN(TestMainWindowLayout)
#include "tst_mainwindow_layout.moc"
