// The fleet view (issue 16) as the operator drives it: search as you type, sort by a header
// click, filter by state and kind, group, and the keyboard (Ctrl+F, arrows, Enter opens the
// target in the main panel, Ctrl+Alt+R rolls the selected one back after an inline question).
#include "confirmbarwidget.h"
#include "fleetfilterproxy.h"
#include "fleetfixture.h"
#include "fleetgroupmodel.h"
#include "fleetviewwidget.h"
#include "mainwindow.h"
#include "presetlibrary.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "targetpanelwidget.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Switchboard;

class TestFleetView : public QObject
{
    Q_OBJECT

    std::unique_ptr<FleetFixture> m_fleet;
    std::unique_ptr<FleetViewWidget> m_view;

    template<typename T>
    T *find(const char *name) const
    {
        T *w = m_view->findChild<T *>(QLatin1String(name));
        if (!w)
            qFatal("no %s", name);
        return w;
    }
    void waitConnected()
    {
        QTRY_VERIFY(std::all_of(m_fleet->controllers.cbegin(), m_fleet->controllers.cend(),
                                [](const auto &c) { return c->connectionState() == ConnectionState::Connected; }));
    }

private slots:
    void init()
    {
        m_fleet = std::make_unique<FleetFixture>();
        m_view = std::make_unique<FleetViewWidget>(m_fleet->fleet.get());
        m_view->resize(900, 500);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }
    void cleanup()
    {
        m_view.reset();
        m_fleet.reset();
    }

    void viewModelsPassTheTester()
    {
        QAbstractItemModelTester proxy(m_view->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester groups(m_view->groups(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_fleet->startAll();
        waitConnected();
        QTest::keyClicks(find<QLineEdit>("fleetSearch"), QStringLiteral("se"));
        find<QCheckBox>("fleetGroup")->click();
        find<QLineEdit>("fleetSearch")->clear();
        m_view->view()->header()->setSortIndicator(FleetTableModel::DataAge, Qt::DescendingOrder);
        find<QCheckBox>("fleetGroup")->click();
        QCOMPARE(m_view->shownNames().size(), 5);
    }

    void searchAsYouType()
    {
        auto *search = find<QLineEdit>("fleetSearch");
        QCOMPARE(m_view->shownNames().size(), 5);
        QTest::keyClicks(search, QStringLiteral("p"));
        QCOMPARE(m_view->shownNames().size(), 3); // "haproxy" matches too: kinds are searched
        QTest::keyClicks(search, QStringLiteral("ay"));
        QCOMPARE(m_view->shownNames(), (QStringList{QStringLiteral("payments-api"), QStringLiteral("payments-db")}));
        QTest::keyClicks(search, QStringLiteral("ments-d"));
        QCOMPARE(m_view->shownNames(), QStringList{QStringLiteral("payments-db")});
        QCOMPARE(find<QLabel>("fleetCount")->text(), QStringLiteral("1 of 5"));
        for (int i = 0; i < 8; ++i)
            QTest::keyClick(search, Qt::Key_Backspace); // back to "pay"
        QCOMPARE(m_view->shownNames().size(), 2);
    }

    void sortByAnyColumnFromTheHeader()
    {
        QHeaderView *header = m_view->view()->header();
        const auto click = [header](int column) {
            QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                              QPoint(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2));
        };
        QCOMPARE(m_view->shownNames(), (QStringList{QStringLiteral("auth"), QStringLiteral("catalog"), QStringLiteral("payments-api"),
                                                    QStringLiteral("payments-db"), QStringLiteral("search")}));
        click(FleetTableModel::Name); // the same column again: descending
        QCOMPARE(m_view->shownNames().constFirst(), QStringLiteral("search"));
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
        m_fleet->startAll();
        waitConnected();
        header->setSortIndicator(FleetTableModel::Group, Qt::AscendingOrder);
        QCOMPARE(m_view->shownNames().constFirst(), QStringLiteral("auth")); // no group sorts first
        QCOMPARE(m_view->shownNames().mid(1, 2), (QStringList{QStringLiteral("catalog"), QStringLiteral("search")}));
        click(FleetTableModel::Split);
        QCOMPARE(header->sortIndicatorSection(), int(FleetTableModel::Split));
        const Qt::SortOrder order = header->sortIndicatorOrder();
        const QStringList bySplit = m_view->shownNames();
        QCOMPARE(order == Qt::AscendingOrder ? bySplit.constLast() : bySplit.constFirst(), QStringLiteral("payments-api")); // 20%
    }

    void filterByStateAndKind()
    {
        m_fleet->startAll();
        waitConnected();
        auto *kind = find<QComboBox>("fleetKind");
        QCOMPARE(kind->count(), 4); // all, haproxy, nginx, sim
        kind->setCurrentIndex(kind->findData(QStringLiteral("nginx")));
        QCOMPARE(m_view->shownNames(), QStringList{QStringLiteral("payments-db")});
        kind->setCurrentIndex(0);
        auto *state = find<QComboBox>("fleetState");
        m_fleet->world(QStringLiteral("catalog"))->setReachable(false);
        QTRY_COMPARE(m_fleet->controller(QStringLiteral("catalog"))->connectionState(), ConnectionState::Disconnected);
        state->setCurrentIndex(state->findData(QStringLiteral("disconnected")));
        QCOMPARE(m_view->shownNames(), QStringList{QStringLiteral("catalog")});
        state->setCurrentIndex(state->findData(FleetFilterProxy::attentionFilter()));
        QCOMPARE(m_view->shownNames(), QStringList{QStringLiteral("catalog")});
        state->setCurrentIndex(state->findData(QStringLiteral("healthy")));
        QCOMPARE(m_view->shownNames().size(), 4);
        QVERIFY(!m_view->shownNames().contains(QStringLiteral("catalog")));
    }

    void needingSomeoneComesFirstAndGroupsGroup()
    {
        m_fleet->startAll();
        waitConnected();
        m_fleet->world(QStringLiteral("search"))->setReachable(false);
        QTRY_COMPARE(m_view->shownNames().constFirst(), QStringLiteral("search"));
        find<QCheckBox>("fleetAttentionFirst")->click();
        QCOMPARE(m_view->shownNames().constLast(), QStringLiteral("search"));
        find<QCheckBox>("fleetAttentionFirst")->click();
        find<QCheckBox>("fleetGroup")->click();
        FleetGroupModel *groups = m_view->groups();
        QCOMPARE(groups->rowCount(), 3);
        QCOMPARE(groups->index(0, 0).data(FleetTableModel::GroupRole).toString(), QStringLiteral("discovery"));
        QVERIFY(m_view->view()->isExpanded(groups->index(0, 0)));
        QCOMPARE(m_view->shownNames(), (QStringList{QStringLiteral("search"), QStringLiteral("catalog"), QStringLiteral("auth"),
                                                    QStringLiteral("payments-api"), QStringLiteral("payments-db")}));
    }

    void keyboardFindMoveOpen()
    {
        QSignalSpy opened(m_view.get(), &FleetViewWidget::openRequested);
        m_view->activateWindow();
        QTest::keyClick(m_view->view(), Qt::Key_F, Qt::ControlModifier);
        auto *search = find<QLineEdit>("fleetSearch");
        QTRY_VERIFY(search->hasFocus());
        QTest::keyClicks(search, QStringLiteral("pay"));
        QTest::keyClick(search, Qt::Key_Down); // into the rows, on the first one
        QVERIFY(m_view->view()->hasFocus());
        QCOMPARE(m_view->currentTarget()->name(), QStringLiteral("payments-api"));
        QTest::keyClick(m_view->view(), Qt::Key_Down);
        QCOMPARE(m_view->currentTarget()->name(), QStringLiteral("payments-db"));
        QCOMPARE(opened.size(), 0); // moving opens nothing
        QTest::keyClick(m_view->view(), Qt::Key_Return);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.constFirst().at(0).value<TargetController *>(), m_fleet->controller(QStringLiteral("payments-db")));
        // Enter in the search box opens the first target shown.
        search->clear();
        QTest::keyClicks(search, QStringLiteral("cat"));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(opened.size(), 2);
        QCOMPARE(opened.constLast().at(0).value<TargetController *>(), m_fleet->controller(QStringLiteral("catalog")));
        // The current row survives the filter changing around it.
        search->clear();
        QCOMPARE(m_view->currentTarget()->name(), QStringLiteral("catalog"));
    }

    void rollbackTheSelectedTargetAfterConfirming()
    {
        m_fleet->startAll();
        waitConnected();
        QTRY_COMPARE(m_fleet->controller(QStringLiteral("payments-api"))->snapshot().split.canary, 20.0);
        m_view->selectTarget(QStringLiteral("payments-api"));
        m_view->view()->setFocus();
        ConfirmBarWidget *bar = m_view->confirmBar();
        QTest::keyClick(m_view->view(), Qt::Key_R, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(bar->isAsking());
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY2(bar->question().contains(QStringLiteral("payments-api")), qPrintable(bar->question()));
        QVERIFY2(bar->question().contains(QStringLiteral("canary 20% → canary 0%")), qPrintable(bar->question()));
        QTest::keyClick(bar, Qt::Key_Escape); // cancelled: nothing moves
        QVERIFY(!bar->isAsking());
        QCOMPARE(m_fleet->canaryOf(QStringLiteral("payments-api")), 20.0);
        QTest::keyClick(m_view->view(), Qt::Key_R, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(bar->isAsking());
        QTest::keyClick(bar, Qt::Key_Return);
        QTRY_COMPARE(m_fleet->canaryOf(QStringLiteral("payments-api")), 0.0);
        QCOMPARE(m_fleet->canaryOf(QStringLiteral("search")), 10.0); // only the selected one
        // Moving to another row withdraws an open question instead of answering it for that row.
        m_view->selectTarget(QStringLiteral("search"));
        m_view->rollbackCurrent();
        QVERIFY(bar->isAsking());
        m_view->selectTarget(QStringLiteral("catalog"));
        QVERIFY(!bar->isAsking());
        QCOMPARE(m_fleet->canaryOf(QStringLiteral("search")), 10.0);
    }

    void enterOpensTheTargetInTheMainWindow()
    {
        m_view.reset();
        QTemporaryDir presetDir;
        PresetLibrary presets(presetDir.path());
        MainWindow window(&m_fleet->targets, &m_fleet->log, &presets);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.panel()->controller(), m_fleet->controller(QStringLiteral("payments-api"))); // row 0 at start
        FleetViewWidget *fleet = window.fleet();
        fleet->selectTarget(QStringLiteral("search"));
        QCOMPARE(window.panel()->controller(), m_fleet->controller(QStringLiteral("payments-api")));
        QTest::keyClick(fleet->view(), Qt::Key_Return);
        QCOMPARE(window.panel()->controller(), m_fleet->controller(QStringLiteral("search")));
        window.selectTarget(m_fleet->targets.rowCount() - 1); // the window's own API selects and opens
        QCOMPARE(window.panel()->controller(), m_fleet->controller(QStringLiteral("auth")));
        QCOMPARE(fleet->currentTarget(), m_fleet->controller(QStringLiteral("auth")));
    }
};

QTEST_MAIN(TestFleetView)
#include "tst_fleetview.moc"
