// Where the app's other windows open: never over the action strip that holds ROLLBACK.
#include "windowplacement.h"

#include <QTest>

using namespace Switchboard;

class TestWindowPlacement : public QObject
{
    Q_OBJECT

private slots:
    void presetsAt1024x640StayBelowTheStrip()
    {
        // Measured under Xvfb + openbox: the main window maximised on a 1024x640 screen, its
        // action strip (slider, Apply, Promote full, ROLLBACK) across the top of the panel, and
        // the presets window wanting 900x560 for itself.
        const QRect screen(0, 0, 1024, 640);
        const QRect strip(213, 45, 803, 72);
        const QMargins frame(1, 23, 1, 4);
        const QRect outer = WindowPlacement::frameClearOf(screen, strip, QSize(900, 560), QSize(500, 300), frame);
        QVERIFY2(!outer.intersects(strip), qPrintable(QStringLiteral("%1,%2 %3x%4").arg(outer.x()).arg(outer.y())
                                                          .arg(outer.width()).arg(outer.height())));
        QVERIFY(screen.contains(outer));
        QVERIFY(outer.top() > strip.bottom());
        QCOMPARE(outer.width(), 902);        // the width it asked for, frame included
        QCOMPARE(outer.bottom(), 639);       // as tall as the screen lets it be below the strip
        QVERIFY(outer.height() >= 300 + 27); // never under its minimum
    }

    void roomAboveIsUsedWhenTheStripIsLow()
    {
        const QRect screen(0, 0, 1400, 900);
        const QRect strip(300, 800, 1000, 60);
        const QRect outer = WindowPlacement::frameClearOf(screen, strip, QSize(600, 400), QSize(300, 200), QMargins(0, 20, 0, 0));
        QVERIFY(!outer.intersects(strip));
        QVERIFY(outer.bottom() < strip.top());
        QCOMPARE(outer.size(), QSize(600, 420)); // room enough: exactly what it wants
        QCOMPARE(outer.center().x(), strip.center().x());
    }

    void besideWhenNeitherAboveNorBelowFits()
    {
        // A tall strip down the left of a small screen: the window goes to its right.
        const QRect screen(0, 0, 1024, 640);
        const QRect strip(0, 0, 200, 640);
        const QRect outer = WindowPlacement::frameClearOf(screen, strip, QSize(700, 500), QSize(400, 300), QMargins());
        QVERIFY(!outer.intersects(strip));
        QVERIFY(screen.contains(outer));
        QVERIFY(outer.left() > strip.right());
    }

    void nowhereClearShrinksToTheMinimumAtTheBottom()
    {
        const QRect screen(0, 0, 800, 400);
        const QRect strip(0, 150, 800, 100);
        const QRect outer = WindowPlacement::frameClearOf(screen, strip, QSize(700, 500), QSize(600, 200), QMargins());
        QCOMPARE(outer.size(), QSize(600, 200));
        QCOMPARE(outer.bottom(), 399);
        QVERIFY(screen.contains(outer));
    }
};

QTEST_GUILESS_MAIN(TestWindowPlacement)
#include "tst_windowplacement.moc"
