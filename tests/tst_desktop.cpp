// Desktop conventions (issue 14): Quit under File with the platform shortcut, a Help menu (F1
// opens the shortcuts, the audit log's place, About with the version), the window's geometry
// remembered and never restored larger than the screen, and a dark palette followed by the
// charts and the header.
#include "mainwindowfixture.h"

#include "chartwidget.h"
#include "elidedlabel.h"
#include "helpdialog.h"
#include "targetpanelwidget.h"
#include "windowgeometry.h"

#include <QChart>
#include <QCategoryAxis>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QTest>

using namespace Switchboard;

namespace {

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x20, 0x21, 0x24));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::Base, QColor(0x17, 0x18, 0x1a));
    p.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2b, 0x2e));
    p.setColor(QPalette::Text, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::Button, QColor(0x30, 0x31, 0x34));
    p.setColor(QPalette::ButtonText, QColor(0xe8, 0xea, 0xed));
    p.setColor(QPalette::Mid, QColor(0x50, 0x50, 0x50));
    return p;
}

QAction *actionNamed(QMenu *menu, const char *name)
{
    for (QAction *a : menu->actions())
        if (a->objectName() == QLatin1String(name))
            return a;
    return nullptr;
}

} // namespace

class TestDesktop : public MainWindowFixture
{
    Q_OBJECT

private slots:
    void init() { setUpWindow(); }
    void cleanup()
    {
        QApplication::setPalette(QPalette());
        tearDownWindow();
    }

    void quitSitsUnderFileWithThePlatformShortcut()
    {
        auto *file = find<QMenu>("fileMenu");
        QVERIFY(file);
        QAction *quit = actionNamed(file, "quitAction");
        QVERIFY(quit);
        QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
        QVERIFY(!actionNamed(find<QMenu>("viewMenu"), "quitAction"));
        QCOMPARE(m_window->menuBar()->actions().first()->menu(), file);
        QCOMPARE(m_window->menuBar()->actions().last()->menu(), find<QMenu>("helpMenu"));
        quit->trigger();
        QTRY_VERIFY(!m_window->isVisible());
    }

    void f1OpensTheShortcutsWithoutBlocking()
    {
        QVERIFY(!m_window->findChild<HelpDialog *>(QStringLiteral("shortcutsDialog")));
        m_window->activateWindow();
        QTest::keyClick(find<QWidget>("canarySlider"), Qt::Key_F1);
        HelpDialog *help = nullptr;
        QTRY_VERIFY((help = m_window->findChild<HelpDialog *>(QStringLiteral("shortcutsDialog"))) && help->isVisible());
        QVERIFY(!help->isModal());
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY(help->text().contains(QKeySequence(QStringLiteral("Ctrl+Shift+R")).toString(QKeySequence::NativeText)));
        QVERIFY(help->text().contains(QKeySequence(QKeySequence::Quit).toString(QKeySequence::NativeText)));
        // Rollback still answers with help open.
        QVERIFY(find<QPushButton>("rollbackButton")->isEnabled());
    }

    void helpShowsTheAuditLogAndTheVersion()
    {
        m_window->setAuditLogPath(QStringLiteral("/var/tmp/sb-test/audit.jsonl"));
        auto *help = find<QMenu>("helpMenu");
        actionNamed(help, "auditLocationAction")->trigger();
        auto *where = m_window->findChild<HelpDialog *>(QStringLiteral("auditLocationDialog"));
        QVERIFY(where);
        QVERIFY(where->text().contains(QStringLiteral("/var/tmp/sb-test/audit.jsonl")));
        QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
        actionNamed(help, "aboutAction")->trigger();
        auto *about = m_window->findChild<HelpDialog *>(QStringLiteral("aboutDialog"));
        QVERIFY(about);
        QVERIFY(about->text().contains(QStringLiteral("Switchboard 9.8.7")));
        QVERIFY(!about->isModal());
    }

    void fittedKeepsAWindowInsideTheScreen()
    {
        const QRect screen(0, 0, 1366, 768);
        QCOMPARE(WindowGeometry::fitted(QRect(100, 50, 800, 600), screen), QRect(100, 50, 800, 600));
        QCOMPARE(WindowGeometry::fitted(QRect(0, 0, 2560, 1440), screen), QRect(0, 0, 1366, 768));
        QCOMPARE(WindowGeometry::fitted(QRect(1200, 700, 800, 600), screen), QRect(566, 168, 800, 600));
        QCOMPARE(WindowGeometry::fitted(QRect(-3000, 10, 800, 600), QRect(1920, 0, 1280, 1024)), QRect(1920, 10, 800, 600));
        QVERIFY(!WindowGeometry::fitted(QRect(), screen).isValid());
    }

    void geometryIsRememberedButNeverLargerThanTheScreen()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("window.ini")), QSettings::IniFormat);
        const QRect available = m_window->screen()->availableGeometry();
        QWidget plain; // no minimum size of its own: the clamping alone decides
        QVERIFY(!WindowGeometry::restore(&plain, settings)); // nothing saved yet

        // A size that fits comes back as it was.
        const QRect fits(available.topLeft() + QPoint(10, 10), available.size() / 2);
        settings.setValue(QStringLiteral("mainWindow/geometry"), fits);
        QVERIFY(WindowGeometry::restore(&plain, settings));
        QCOMPARE(plain.geometry(), fits);
        // One saved on a bigger monitor comes back inside this screen.
        settings.setValue(QStringLiteral("mainWindow/geometry"), QRect(available.topLeft() + QPoint(500, 400), available.size() * 2));
        QVERIFY(WindowGeometry::restore(&plain, settings));
        QVERIFY2(available.contains(plain.geometry()), qPrintable(QStringLiteral("%1x%2+%3+%4 in %5x%6")
                                                                      .arg(plain.width()).arg(plain.height()).arg(plain.x())
                                                                      .arg(plain.y()).arg(available.width()).arg(available.height())));

        // The first run (nothing saved) opens inside the screen, however small it is.
        settings.clear();
        {
            MainWindow first(m_targets.get(), &m_log, m_presets.get());
            first.rememberGeometryIn(&settings);
            QVERIFY2(first.width() <= std::max(available.width(), first.minimumSizeHint().width())
                         && first.height() <= std::max(available.height(), first.minimumSizeHint().height()),
                     qPrintable(QStringLiteral("%1x%2 on %3x%4").arg(first.width()).arg(first.height())
                                    .arg(available.width()).arg(available.height())));
            QVERIFY(first.width() < 1280 || available.width() >= 1280); // the built-in default did shrink
        }

        // The main window saves its geometry when it closes and the next one opens there.
        settings.clear();
        m_window->rememberGeometryIn(&settings);
        m_window->resize(m_window->minimumSizeHint() + QSize(30, 20));
        m_window->close();
        QCOMPARE(settings.value(QStringLiteral("mainWindow/geometry")).toRect(), m_window->geometry());
        MainWindow again(m_targets.get(), &m_log, m_presets.get());
        again.rememberGeometryIn(&settings);
        if (available.contains(m_window->geometry()))
            QCOMPARE(again.geometry(), m_window->geometry());
        QVERIFY(again.width() <= std::max(available.width(), again.minimumSizeHint().width()));
    }

    void chartsAndHeaderFollowADarkPalette()
    {
        auto *chart = find<ChartWidget>("errorChart");
        auto *header = find<ElidedLabel>("headerLabel");
        QVERIFY(chart->chart()->backgroundBrush().color().lightness() > 200); // light by default here
        QApplication::setPalette(darkPalette());
        QCoreApplication::processEvents();
        QVERIFY2(chart->chart()->backgroundBrush().color().lightness() < 60,
                 qPrintable(chart->chart()->backgroundBrush().color().name()));
        QVERIFY(chart->chart()->titleBrush().color().lightness() > 180);
        const auto axes = chart->chart()->axes();
        QVERIFY(!axes.isEmpty());
        for (QAbstractAxis *axis : axes)
            QVERIFY(axis->labelsBrush().color().lightness() > 180);
        QTRY_VERIFY2(header->textColor().lightness() > 180, qPrintable(header->textColor().name()));
        // Back to light: the charts follow again.
        QApplication::setPalette(QPalette());
        QCoreApplication::processEvents();
        QVERIFY(chart->chart()->backgroundBrush().color().lightness() > 200);
    }
};

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
