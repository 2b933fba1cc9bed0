// "Deploy new version…" offscreen, on a deployments target against FakeKubeServer: shown with
// the current image only where the layer runs images, asks for the image in a window that
// blocks nothing, confirms inline with before → after, and the canary Deployment then runs it.

#include "confirmbarwidget.h"
#include "deployactionwidget.h"
#include "kubedeploymenttestdata.h"
#include "kubetestharness.h"

#include <QApplication>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QTest>

using namespace Switchboard;
using namespace Switchboard::Test;

class TestDeployAction : public QObject
{
    Q_OBJECT

private slots:
    void deploysThroughPromptAndConfirmation()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        FakeKubeServer server;
        server.setRequiredBearer(kToken);
        server.setPodReadyDelayMs(80);
        server.put(deploymentPath(QStringLiteral("shop-v1")), deploymentJson(QStringLiteral("shop-v1"), QStringLiteral("stable"), 2, QStringLiteral("shop:v1")));
        server.put(deploymentPath(QStringLiteral("shop-v2")), deploymentJson(QStringLiteral("shop-v2"), QStringLiteral("canary"), 1, QStringLiteral("shop:v2")));
        QVERIFY(waitForReady(server, QStringLiteral("shop-v2"), 1));
        Harness h(deploymentsTarget(writeKubeconfig(dir.path(), server.url())));
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));

        QWidget window;
        auto *bar = new ConfirmBarWidget(&window);
        auto *action = new DeployActionWidget(bar->confirmFn(), &window);
        auto *layout = new QVBoxLayout(&window);
        layout->addWidget(action);
        layout->addWidget(bar);
        action->setController(h.controller.get());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!action->isVisible()); // no reading yet: nothing known to deploy over

        TrafficSnapshot s;
        QVERIFY(h.refresh(&s));
        QTRY_VERIFY(action->isVisible());
        auto *label = action->findChild<QLabel *>(QStringLiteral("deployImageLabel"));
        auto *button = action->findChild<QPushButton *>(QStringLiteral("deployButton"));
        QVERIFY(label && button);
        QVERIFY2(label->text().contains(QStringLiteral("shop:v2")), qPrintable(label->text()));
        QVERIFY(button->isEnabled());

        QSignalSpy asked(bar, &ConfirmBarWidget::asked);
        QTest::mouseClick(button, Qt::LeftButton);
        QInputDialog *prompt = nullptr;
        QTRY_VERIFY((prompt = action->findChild<QInputDialog *>()) != nullptr);
        QVERIFY(!prompt->isModal()); // Rollback stays reachable
        QCOMPARE(prompt->textValue(), QStringLiteral("shop:v2"));
        prompt->setTextValue(QStringLiteral("shop:v3"));
        prompt->accept();
        QTRY_COMPARE(asked.size(), 1);
        QCOMPARE(asked.first().at(1).toString(), QStringLiteral("app: shop:v2 → shop:v3"));
        QCOMPARE(server.requests("PATCH").size(), 0); // nothing before the confirmation

        QSignalSpy done(h.controller.get(), &TargetController::deployFinished);
        bar->confirm();
        QVERIFY(done.wait(15000));
        const DeployResult r = done.first().at(0).value<DeployResult>();
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(imageOf(server, QStringLiteral("shop-v2")), QStringLiteral("shop:v3"));
    }

    void hiddenWhereNoImagesRun()
    {
        QWidget window;
        auto *bar = new ConfirmBarWidget(&window);
        auto *action = new DeployActionWidget(bar->confirmFn(), &window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!action->isVisible()); // no controller: no image to replace
    }
};

QTEST_MAIN(TestDeployAction)
#include "tst_deployaction.moc"
