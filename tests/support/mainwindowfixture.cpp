#include "mainwindowfixture.h"

#include "backendfactory.h"
#include "targetconfig.h"
#include "targetpanelwidget.h"

#include <QApplication>
#include <QFile>
#include <QTest>

using namespace Switchboard;

void MainWindowFixture::setUpWindow()
{
    TargetConfig t = demoTarget();
    t.pollMs = 200;
    QString error;
    auto host = createBackends(t, &error, &m_world);
    QVERIFY(host);
    m_controller = std::make_unique<TargetController>(t, std::move(host), &m_log, nullptr);
    m_targets = std::make_unique<TargetListModel>();
    m_targets->setControllers({m_controller.get()});
    m_confirmations = 0;
    m_lastQuestion.clear();
    m_presets = std::make_unique<PresetLibrary>(m_presetDir.path());
    m_window = std::make_unique<MainWindow>(m_targets.get(), &m_log, m_presets.get());
    connect(m_window->panel()->confirmBar(), &ConfirmBarWidget::asked, this, [this](const QString &, const QString &text) {
        ++m_confirmations;
        m_lastQuestion = text;
    });
    m_controller->start();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY(m_controller->hasSnapshot());
}

void MainWindowFixture::tearDownWindow()
{
    m_window.reset();
    m_targets.reset();
    m_controller.reset();
}

void MainWindowFixture::answer(bool yes)
{
    ConfirmBarWidget *bar = m_window->panel()->confirmBar();
    QVERIFY(bar->isVisible());
    QVERIFY(bar->isAsking());
    QVERIFY(!QApplication::activeModalWidget()); // nothing modal stands in front of Rollback
    QTest::keyClick(bar, yes ? Qt::Key_Return : Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    QVERIFY(!bar->isAsking());
}

void MainWindowFixture::writePlan(const QString &name, int steps)
{
    QFile f(m_presetDir.filePath(name + QStringLiteral(".json")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray json = "{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05}],"
                      "\"steps\":[{\"setWeight\":10},{\"pause\":{}}";
    for (int i = 0; i < steps; ++i)
        json += ",{\"setWeight\":" + QByteArray::number(11 + i % 88) + "}";
    f.write(json + ",{\"setWeight\":100}]}"); // a plan ends at 100%
}
