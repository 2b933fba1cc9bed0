// The panel's Testers row, offscreen: routes in force shown, Add and Remove each confirmed
// inline (Esc sends nothing), progress and result shown, and everything off with the reason when
// the target's layer takes no route edits.

#include "confirmbarwidget.h"
#include "controllerdriver.h"
#include "simtarget.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "testersrowwidget.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

class TestTestersRow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerMetaTypes(); }

    void addAndRemoveWithConfirmation()
    {
        SimTarget t(100);
        ConfirmBarWidget bar;
        TestersRowWidget row(bar.confirmFn());
        row.resize(900, 100);
        row.show();
        row.setController(t.controller.get());
        QVERIFY(ControllerDriver::refreshed(t.controller.get()));
        auto *routes = row.findChild<QWidget *>(QStringLiteral("testersRoutes"));
        auto *name = row.findChild<QLineEdit *>(QStringLiteral("testersName"));
        auto *value = row.findChild<QLineEdit *>(QStringLiteral("testersValue"));
        auto *add = row.findChild<QPushButton *>(QStringLiteral("testersAdd"));
        auto *remove = row.findChild<QPushButton *>(QStringLiteral("testersRemove"));
        auto *progress = row.findChild<QWidget *>(QStringLiteral("testersProgress"));
        QVERIFY(routes && name && value && add && remove && progress);
        QCOMPARE(routes->property("text").toString(), QStringLiteral("none"));
        QVERIFY(!add->isEnabled()); // nothing typed yet
        QVERIFY(!remove->isEnabled());

        name->setText(QStringLiteral("X-Canary"));
        value->setText(QStringLiteral("always"));
        QVERIFY(add->isEnabled());
        // Esc: nothing is sent.
        QTest::mouseClick(add, Qt::LeftButton);
        QVERIFY(bar.isAsking());
        QVERIFY2(bar.question().contains(QStringLiteral("none → X-Canary: always → canary")), qPrintable(bar.question()));
        bar.cancel();
        QTest::qWait(200); // would be long enough for the simulator to answer a change
        QVERIFY(t.world->routes().isEmpty());

        QTest::mouseClick(add, Qt::LeftButton);
        bar.confirm();
        QTRY_COMPARE(t.world->routes().size(), 1);
        QTRY_COMPARE(routes->property("text").toString(), QStringLiteral("X-Canary: always → canary"));
        QTRY_VERIFY(progress->property("text").toString().startsWith(QStringLiteral("✓")));
        QTRY_VERIFY(remove->isEnabled());

        QTest::mouseClick(remove, Qt::LeftButton);
        QVERIFY(bar.isAsking());
        bar.confirm();
        QTRY_VERIFY(t.world->routes().isEmpty());
        QTRY_COMPARE(routes->property("text").toString(), QStringLiteral("none"));
        QVERIFY(!remove->isEnabled());
    }

    void offWithTheReasonWhenTheLayerTakesNoRoutes()
    {
        QTemporaryDir dir;
        const QString upstream = dir.filePath(QStringLiteral("up.conf"));
        QFile f(upstream);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("upstream shop { server 127.0.0.1:8001 weight=9; server 127.0.0.1:8002 weight=1; }\n");
        f.close();
        TargetConfig t;
        t.name = QStringLiteral("web");
        t.kind = QStringLiteral("nginx");
        t.settings = QJsonObject{{QStringLiteral("nginx"), QJsonObject{{QStringLiteral("upstreamFile"), upstream},
                                                                       {QStringLiteral("upstream"), QStringLiteral("shop")},
                                                                       {QStringLiteral("stable"), QJsonArray{QStringLiteral("127.0.0.1:8001")}},
                                                                       {QStringLiteral("canary"), QJsonArray{QStringLiteral("127.0.0.1:8002")}}}}};
        ControllerDriver driver(5000);
        QString error;
        const auto c = driver.controller(t, &error);
        QVERIFY2(c, qPrintable(error));
        QVERIFY(ControllerDriver::refreshed(c.get()));
        ConfirmBarWidget bar;
        TestersRowWidget row(bar.confirmFn());
        row.setController(c.get());
        auto *name = row.findChild<QLineEdit *>(QStringLiteral("testersName"));
        auto *add = row.findChild<QPushButton *>(QStringLiteral("testersAdd"));
        name->setText(QStringLiteral("X-Canary"));
        row.findChild<QLineEdit *>(QStringLiteral("testersValue"))->setText(QStringLiteral("always"));
        QVERIFY(!add->isEnabled());
        QVERIFY2(add->toolTip().contains(QStringLiteral("nginx.routes")), qPrintable(add->toolTip()));
        QVERIFY(!name->isEnabled());
    }
};

QTEST_MAIN(TestTestersRow)
#include "tst_testersrow.moc"
