// Issue 14: desktop notifications through org.freedesktop.Notifications on a session bus the
// test starts itself (Debian's dbus-daemon) with a small fake notification service on it; the
// answer when there is no service or no bus (so the GUI falls back to the tray); the tray's own
// answer without a tray; and the window title while the window is in the background.
#include "desktopnotifier.h"
#include "fakenotificationservice.h"
#include "testsessionbus.h"
#include "titlealert.h"
#include "traynotifier.h"

#include <QApplication>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QWidget>

using namespace Switchboard;

class TestDesktopNotifier : public QObject
{
    Q_OBJECT

private slots:
    void notifiesThroughTheFreedesktopService()
    {
        TestSessionBus bus;
        if (bus.address().isEmpty())
            QSKIP(qPrintable(QStringLiteral("no session bus for the test: %1").arg(bus.error())));
        FakeNotificationService service(bus.address());
        QVERIFY2(service.isRegistered(), qPrintable(service.error()));
        DesktopNotifier notifier(bus.address());
        QSignalSpy shown(&notifier, &DesktopNotifier::shown);
        QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);
        notifier.show(QStringLiteral("shop: rolled back"), QStringLiteral("gate error-ratio FAIL: canary 20.00% > 1.20%"), true);
        QVERIFY(shown.wait(5000));
        QCOMPARE(unavailable.size(), 0);
        QCOMPARE(shown.constFirst().constFirst().toUInt(), 1u); // the service's id
        QCOMPARE(service.calls().size(), 1);
        const FakeNotificationService::Call call = service.calls().constFirst();
        QCOMPARE(call.summary, QStringLiteral("shop: rolled back"));
        QVERIFY(call.body.contains(QStringLiteral("20.00% > 1.20%")));
        QCOMPARE(call.hints.value(QStringLiteral("urgency")).toInt(), 2); // critical
        QCOMPARE(call.app, QCoreApplication::applicationName());
        notifier.show(QStringLiteral("shop: promoted"), QStringLiteral("done"), false);
        QTRY_COMPARE(service.calls().size(), 2);
        QCOMPARE(service.calls().constLast().hints.value(QStringLiteral("urgency")).toInt(), 1);
    }

    void busWithoutTheServiceSaysUnavailable()
    {
        TestSessionBus bus;
        if (bus.address().isEmpty())
            QSKIP(qPrintable(QStringLiteral("no session bus for the test: %1").arg(bus.error())));
        DesktopNotifier notifier(bus.address());
        QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);
        notifier.show(QStringLiteral("shop: failed"), QStringLiteral("body"), true);
        QVERIFY(unavailable.wait(5000));
        QCOMPARE(unavailable.constFirst().at(0).toString(), QStringLiteral("shop: failed")); // handed on to the tray
        QVERIFY(!unavailable.constFirst().at(2).toString().isEmpty());
    }

    void noBusSaysUnavailable()
    {
        DesktopNotifier notifier(QStringLiteral("unix:path=/nonexistent/switchboard-test-bus"));
        QSignalSpy unavailable(&notifier, &DesktopNotifier::unavailable);
        notifier.show(QStringLiteral("shop: failed"), QStringLiteral("body"), true);
        QVERIFY(unavailable.wait(5000));
    }

    void trayAnswersFalseWithoutATray()
    {
        if (QSystemTrayIcon::isSystemTrayAvailable())
            QSKIP("this platform has a system tray; the offscreen one used in CI has none");
        TrayNotifier tray;
        QVERIFY(!tray.show(QStringLiteral("shop: rolled back"), QStringLiteral("body"), true));
    }

    void titleMarksTheBackgroundWindowUntilActivated()
    {
        QWidget window;
        window.setWindowTitle(QStringLiteral("Switchboard"));
        TitleAlert alert(&window);
        QVERIFY(!window.isActiveWindow());
        alert.alert(QStringLiteral("shop: rolled back"));
        QCOMPARE(window.windowTitle(), QStringLiteral("(!) shop: rolled back — Switchboard"));
        alert.alert(QStringLiteral("cart: paused, needs you")); // the newest wins, the base stays
        QCOMPARE(window.windowTitle(), QStringLiteral("(!) cart: paused, needs you — Switchboard"));
        window.show();
        window.activateWindow();
        QApplication::setActiveWindow(&window);
        QTRY_VERIFY(window.isActiveWindow());
        QTRY_COMPARE(window.windowTitle(), QStringLiteral("Switchboard"));
        QVERIFY(!alert.isShowing());
        alert.alert(QStringLiteral("shop: rolled back")); // in front of the operator: no mark
        QCOMPARE(window.windowTitle(), QStringLiteral("Switchboard"));
    }
};

QTEST_MAIN(TestDesktopNotifier)
#include "tst_desktopnotifier.moc"
