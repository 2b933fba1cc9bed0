// The main window in Simplified Chinese at its smallest size, 1024x640 (issue 14): the text is
// Chinese and has glyphs, ROLLBACK is in view, no button's text is cut, no label that matters
// is elided, the action strip's buttons do not overlap, and the charts keep readable ticks.
#include "mainwindowfixture.h"

#include "chartwidget.h"
#include "elidedlabel.h"
#include "languagesetup.h"
#include "targetpanelwidget.h"

#include <QFontDatabase>
#include <QMenuBar>
#include <QPushButton>
#include <QTest>

using namespace Switchboard;

class TestMainWindowZh : public MainWindowFixture
{
    Q_OBJECT

    LanguageSetup m_language;

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_language.install(QStringLiteral("zh_CN"), &error), qPrintable(error));
        // A CJK font must be there (fonts-noto-cjk in scripts/install-deps), or Chinese draws as boxes.
        QVERIFY2(!QFontDatabase::families(QFontDatabase::SimplifiedChinese).isEmpty(), "no Simplified Chinese font installed");
    }
    void init() { setUpWindow(); }
    void cleanup() { tearDownWindow(); }

    void chineseFitsIn1024x640()
    {
        m_window->resize(1024, 640);
        QTRY_COMPARE(m_window->size(), QSize(1024, 640));
        QVERIFY(m_window->minimumSizeHint().width() <= 1024);
        QVERIFY(m_window->minimumSizeHint().height() <= 640);

        auto *rollback = find<QPushButton>("rollbackButton");
        QCOMPARE(rollback->text(), QStringLiteral("回滚"));
        QVERIFY(rollback->isVisible());
        const QRect inWindow(rollback->mapTo(m_window.get(), QPoint(0, 0)), rollback->size());
        QVERIFY(m_window->rect().contains(inWindow));

        // Every visible button shows its whole text, and none overlaps another in its row.
        const QList<QPushButton *> buttons = m_window->findChildren<QPushButton *>();
        QList<QPushButton *> shown;
        for (QPushButton *b : buttons) {
            if (!b->isVisibleTo(m_window.get()) || b->text().isEmpty())
                continue;
            shown.append(b);
            const int textWidth = b->fontMetrics().horizontalAdvance(QString(b->text()).remove(QLatin1Char('&')));
            QVERIFY2(b->width() >= textWidth, qPrintable(QStringLiteral("%1: %2 < %3").arg(b->text()).arg(b->width()).arg(textWidth)));
        }
        QVERIFY(shown.size() >= 5);
        for (int i = 0; i < shown.size(); ++i)
            for (int j = i + 1; j < shown.size(); ++j) {
                const QRect a(shown[i]->mapTo(m_window.get(), QPoint(0, 0)), shown[i]->size());
                const QRect b(shown[j]->mapTo(m_window.get(), QPoint(0, 0)), shown[j]->size());
                QVERIFY2(!a.intersects(b), qPrintable(shown[i]->text() + QStringLiteral(" / ") + shown[j]->text()));
            }

        // The header (target · kind · state · age) is whole and in Chinese.
        auto *header = find<ElidedLabel>("headerLabel");
        QTRY_VERIFY(header->text().contains(QStringLiteral("已连接")));
        QVERIFY2(!header->isElided(), qPrintable(header->text()));
        QTRY_VERIFY(find<ElidedLabel>("connectionLabel")->text().contains(QStringLiteral("已连接"))); // the clock updates it
        QVERIFY(!find<ElidedLabel>("connectionLabel")->isElided());

        // Charts: Chinese titles, and their axes keep round ticks, none cut to "…".
        for (const char *name : {"errorChart", "latencyChart", "rpsChart", "weightChart"}) {
            auto *chart = find<ChartWidget>(name);
            QTRY_VERIFY2(chart->pointCount(0) > 5, name);
            QTRY_VERIFY2(chart->timeLabels().size() >= 2, name);
            QVERIFY2(chart->valueLabels().size() >= 2, name);
            for (const QString &l : chart->timeLabels() + chart->valueLabels())
                QVERIFY2(!l.contains(QStringLiteral("…")) && !l.contains(QStringLiteral("...")), qPrintable(l));
        }
        QVERIFY(find<ChartWidget>("errorChart")->chart()->title().contains(QStringLiteral("错误率")));
        // The menus are Chinese too.
        QStringList menus;
        for (QAction *a : m_window->menuBar()->actions())
            menus << a->text();
        QCOMPARE(menus, QStringList({QStringLiteral("文件(&F)"), QStringLiteral("视图(&V)"), QStringLiteral("帮助(&H)")}));
    }
};

QTEST_MAIN(TestMainWindowZh)
#include "tst_mainwindow_zh.moc"
