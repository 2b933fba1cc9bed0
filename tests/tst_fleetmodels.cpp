// The fleet table's models (issue 16): every one passes QAbstractItemModelTester while targets
// connect, fail, get filtered, sorted and grouped; what each holds; the connection chatter summed
// up in the event log.
#include "fleetfilterproxy.h"
#include "fleetfixture.h"
#include "fleetgroupmodel.h"
#include "fleettablemodel.h"
#include "simworld.h"
#include "targetcontroller.h"

#include <QAbstractItemModelTester>
#include <QJsonObject>
#include <QTest>

using namespace Switchboard;

namespace {

QStringList proxyNames(const QAbstractItemModel &m)
{
    QStringList out;
    for (int row = 0; row < m.rowCount(); ++row)
        out << m.index(row, FleetTableModel::Name).data().toString();
    return out;
}

} // namespace

class TestFleetModels : public QObject
{
    Q_OBJECT
private slots:
    void everyModelPassesTheTesterWhileTheFleetChanges()
    {
        FleetFixture f;
        QAbstractItemModelTester table(f.fleet.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        FleetFilterProxy proxy;
        proxy.setSourceModel(f.fleet.get());
        proxy.sort(FleetTableModel::Name);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FleetGroupModel groups;
        groups.setSourceModel(&proxy);
        QAbstractItemModelTester groupTester(&groups, QAbstractItemModelTester::FailureReportingMode::QtTest);

        f.startAll();
        QTRY_VERIFY(std::all_of(f.controllers.cbegin(), f.controllers.cend(),
                                [](const auto &c) { return c->connectionState() == ConnectionState::Connected; }));
        groups.setGrouped(true);
        QCOMPARE(groups.rowCount(), 3);
        f.world(QStringLiteral("catalog"))->setReachable(false); // re-sorts: attention first
        QTRY_COMPARE(f.controller(QStringLiteral("catalog"))->connectionState(), ConnectionState::Disconnected);
        f.fleet->tick();
        proxy.setSearchText(QStringLiteral("pay"));
        QCOMPARE(groups.rowCount(), 1);
        proxy.setSearchText(QString());
        proxy.sort(FleetTableModel::Split, Qt::DescendingOrder);
        groups.setGrouped(false);
        proxy.setKindFilter(QStringLiteral("haproxy"));
        QCOMPARE(groups.rowCount(), 2);
        proxy.setKindFilter(QString());
        f.targets.setControllers({f.controller(QStringLiteral("auth"))});
        QCOMPARE(groups.rowCount(), 1);
    }

    void tableHoldsOneRowPerTargetWithItsColumns()
    {
        FleetFixture f;
        f.startAll();
        QTRY_VERIFY(f.controller(QStringLiteral("payments-api"))->hasSnapshot());
        const int row = f.fleet->rowOf(QStringLiteral("payments-api"));
        QVERIFY(row >= 0);
        QCOMPARE(f.fleet->rowCount(), 5);
        QCOMPARE(f.fleet->columnCount(), int(FleetTableModel::ColumnCount));
        auto cell = [&](int column, int role = Qt::DisplayRole) { return f.fleet->index(row, column).data(role); };
        QCOMPARE(cell(FleetTableModel::Name).toString(), QStringLiteral("payments-api"));
        QCOMPARE(cell(FleetTableModel::Kind).toString(), QStringLiteral("haproxy"));
        QCOMPARE(cell(FleetTableModel::Group).toString(), QStringLiteral("payments"));
        QVERIFY2(cell(FleetTableModel::Split).toString().startsWith(QStringLiteral("20% / ")), qPrintable(cell(FleetTableModel::Split).toString()));
        QCOMPARE(cell(FleetTableModel::Split, FleetTableModel::SortRole).toDouble(), 20.0);
        QCOMPARE(f.fleet->groups(), (QStringList{QStringLiteral("discovery"), QStringLiteral("payments")}));
        QCOMPARE(f.fleet->kinds(), (QStringList{QStringLiteral("haproxy"), QStringLiteral("nginx"), QStringLiteral("sim")}));
        // Data age moves with the model's clock, and old data makes the target need someone.
        QTRY_VERIFY(cell(FleetTableModel::DataAge, FleetTableModel::SortRole).toLongLong() < 5000);
        // (Once its first health reading is in: until then it is "stale: no fresh health data".)
        QTRY_VERIFY2_WITH_TIMEOUT(!cell(0, FleetTableModel::AttentionRole).toBool(),
                                  qPrintable(cell(0, FleetTableModel::AttentionReasonRole).toString()), 10000);
        f.controller(QStringLiteral("payments-api"))->stop();
        f.nowMs = QDateTime::currentMSecsSinceEpoch() + 60000;
        f.fleet->tick();
        QVERIFY(cell(FleetTableModel::DataAge, FleetTableModel::SortRole).toLongLong() >= 60000);
        QVERIFY(cell(0, FleetTableModel::AttentionRole).toBool());
        QVERIFY2(cell(0, FleetTableModel::AttentionReasonRole).toString().startsWith(QStringLiteral("stale")),
                 qPrintable(cell(0, FleetTableModel::AttentionReasonRole).toString()));
    }

    void lastActionAndWhoComeFromTheAuditLog()
    {
        FleetFixture f;
        QAbstractItemModelTester tester(f.fleet.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(f.fleet.get(), &QAbstractItemModel::dataChanged);
        const int row = f.fleet->rowOf(QStringLiteral("search"));
        f.fleet->noteAuditEntry(QJsonObject{{QStringLiteral("time"), QStringLiteral("2026-12-01T10:42:03.000Z")},
                                            {QStringLiteral("user"), QStringLiteral("ana")},
                                            {QStringLiteral("target"), QStringLiteral("search")},
                                            {QStringLiteral("action"), QStringLiteral("rollback")},
                                            {QStringLiteral("result"), QStringLiteral("applied")},
                                            {QStringLiteral("reason"), QStringLiteral("5xx after deploy")}});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.constFirst().at(0).value<QModelIndex>().row(), row);
        const QString shown = f.fleet->index(row, FleetTableModel::LastAction).data().toString();
        QVERIFY2(shown.startsWith(QStringLiteral("rollback applied · ana ")), qPrintable(shown));
        QVERIFY(f.fleet->index(row, FleetTableModel::LastAction).data(Qt::ToolTipRole).toString().contains(QStringLiteral("5xx after deploy")));
        // An older entry read late does not replace the newer one.
        f.fleet->noteAuditEntry(QJsonObject{{QStringLiteral("time"), QStringLiteral("2026-12-01T09:00:00.000Z")},
                                            {QStringLiteral("user"), QStringLiteral("bo")},
                                            {QStringLiteral("target"), QStringLiteral("search")},
                                            {QStringLiteral("action"), QStringLiteral("set-weight")}});
        QVERIFY(f.fleet->index(row, FleetTableModel::LastAction).data().toString().contains(QStringLiteral("ana")));
        // Another target's entry leaves this row alone.
        QVERIFY(f.fleet->index(f.fleet->rowOf(QStringLiteral("auth")), FleetTableModel::LastAction).data().toString().isEmpty());
    }

    void searchMatchesEveryWordAnywhere()
    {
        FleetFixture f;
        FleetFilterProxy proxy;
        proxy.setSourceModel(f.fleet.get());
        proxy.sort(FleetTableModel::Name);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSearchText(QStringLiteral("PAY"));
        QCOMPARE(proxyNames(proxy), (QStringList{QStringLiteral("payments-api"), QStringLiteral("payments-db")}));
        proxy.setSearchText(QStringLiteral("discovery hap")); // group and kind, both must match
        QCOMPARE(proxyNames(proxy), QStringList{QStringLiteral("catalog")});
        proxy.setSearchText(QStringLiteral("nothing-like-it"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QString());
        QCOMPARE(proxy.rowCount(), 5);
    }

    void stateAndKindFiltersAndAttentionFirst()
    {
        FleetFixture f;
        FleetFilterProxy proxy;
        proxy.setSourceModel(f.fleet.get());
        proxy.sort(FleetTableModel::Name);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        f.startAll();
        QTRY_VERIFY(std::all_of(f.controllers.cbegin(), f.controllers.cend(),
                                [](const auto &c) { return c->connectionState() == ConnectionState::Connected; }));
        QTRY_COMPARE(proxyNames(proxy), (QStringList{QStringLiteral("auth"), QStringLiteral("catalog"), QStringLiteral("payments-api"),
                                                     QStringLiteral("payments-db"), QStringLiteral("search")}));
        f.world(QStringLiteral("search"))->setReachable(false);
        QTRY_COMPARE(f.controller(QStringLiteral("search"))->connectionState(), ConnectionState::Disconnected);
        // Needing someone comes first, by default and in either order.
        QTRY_COMPARE(proxyNames(proxy).constFirst(), QStringLiteral("search"));
        proxy.sort(FleetTableModel::Name, Qt::DescendingOrder);
        QCOMPARE(proxyNames(proxy), (QStringList{QStringLiteral("search"), QStringLiteral("payments-db"), QStringLiteral("payments-api"),
                                                 QStringLiteral("catalog"), QStringLiteral("auth")}));
        proxy.setAttentionFirst(false);
        QCOMPARE(proxyNames(proxy).constFirst(), QStringLiteral("search")); // plain name order, descending
        QCOMPARE(proxyNames(proxy).at(1), QStringLiteral("payments-db"));
        proxy.sort(FleetTableModel::Name, Qt::AscendingOrder);
        QCOMPARE(proxyNames(proxy).constLast(), QStringLiteral("search"));
        // Sorting by a number column sorts numbers, not text: 20 > 10 > 0.
        proxy.sort(FleetTableModel::Split, Qt::DescendingOrder);
        QCOMPARE(proxyNames(proxy).mid(0, 2), (QStringList{QStringLiteral("payments-api"), QStringLiteral("search")}));

        proxy.setStateFilter(QStringLiteral("disconnected"));
        QCOMPARE(proxyNames(proxy), QStringList{QStringLiteral("search")});
        proxy.setStateFilter(FleetFilterProxy::attentionFilter());
        QCOMPARE(proxyNames(proxy), QStringList{QStringLiteral("search")});
        proxy.setStateFilter(QStringLiteral("healthy"));
        QCOMPARE(proxy.rowCount(), 4);
        proxy.setKindFilter(QStringLiteral("haproxy"));
        proxy.sort(FleetTableModel::Name, Qt::AscendingOrder);
        QCOMPARE(proxyNames(proxy), (QStringList{QStringLiteral("catalog"), QStringLiteral("payments-api")}));
        // A filter follows the data: back online, it is healthy again.
        proxy.setKindFilter(QString());
        f.world(QStringLiteral("search"))->setReachable(true);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.rowCount(), 5, 10000);
    }

    void groupsFollowTheFlatOrder()
    {
        FleetFixture f;
        FleetFilterProxy proxy;
        proxy.setSourceModel(f.fleet.get());
        proxy.sort(FleetTableModel::Name);
        FleetGroupModel groups;
        groups.setSourceModel(&proxy);
        QAbstractItemModelTester tester(&groups, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(groups.rowCount(), 5); // flat until asked
        QVERIFY(!groups.isGroupRow(groups.index(0, 0)));
        groups.setGrouped(true);
        // In the order of each group's first target by name: auth (none), catalog (discovery), payments.
        QCOMPARE(groups.rowCount(), 3);
        QCOMPARE(groups.index(0, 0).data(FleetTableModel::GroupRole).toString(), QString());
        QCOMPARE(groups.index(1, 0).data(FleetTableModel::GroupRole).toString(), QStringLiteral("discovery"));
        const QModelIndex payments = groups.index(2, 0);
        QVERIFY(groups.isGroupRow(payments));
        QVERIFY2(payments.data().toString().startsWith(QStringLiteral("payments · 2 targets")), qPrintable(payments.data().toString()));
        QCOMPARE(groups.rowCount(payments), 2);
        QCOMPARE(groups.index(1, FleetTableModel::Name, payments).data().toString(), QStringLiteral("payments-db"));
        QCOMPARE(groups.mapToSource(groups.index(0, 0, payments)).data().toString(), QStringLiteral("payments-api"));
        QCOMPARE(groups.mapFromSource(proxy.index(0, 0)), groups.index(0, 0, groups.index(0, 0)));

        // A target needing someone takes its group to the top, counted in the group's line.
        f.startAll();
        QTRY_VERIFY(f.controller(QStringLiteral("payments-db"))->connectionState() == ConnectionState::Connected);
        f.world(QStringLiteral("payments-db"))->setReachable(false);
        QTRY_COMPARE(groups.index(0, 0).data(FleetTableModel::GroupRole).toString(), QStringLiteral("payments"));
        QVERIFY(groups.index(0, 0).data(FleetTableModel::AttentionRole).toBool());
        QVERIFY2(groups.index(0, 0).data().toString().contains(QStringLiteral("1 need")), qPrintable(groups.index(0, 0).data().toString()));
        QCOMPARE(groups.index(0, FleetTableModel::Name, groups.index(0, 0)).data().toString(), QStringLiteral("payments-db"));
    }

    void connectionChatterIsOneLine()
    {
        QList<FleetFixture::Spec> specs;
        for (int i = 0; i < 12; ++i)
            specs.append(FleetFixture::Spec{QStringLiteral("svc-%1").arg(i, 2, 10, QLatin1Char('0')), QString(), QStringLiteral("sim"), 0});
        FleetFixture f(specs);
        f.log.setConnectedWindowMs(400);
        f.startAll();
        QTRY_VERIFY(std::all_of(f.controllers.cbegin(), f.controllers.cend(),
                                [](const auto &c) { return c->connectionState() == ConnectionState::Connected; }));
        QTRY_VERIFY(std::any_of(f.log.events().cbegin(), f.log.events().cend(),
                                [](const auto &e) { return e.text.startsWith(QStringLiteral("12 targets connected")); }));
        int connectedLines = 0;
        QString line;
        for (const auto &e : f.log.events())
            if (e.text.contains(QStringLiteral("connected"))) {
                ++connectedLines;
                line = e.text;
            }
        QCOMPARE(connectedLines, 1);
        QVERIFY2(line.startsWith(QStringLiteral("12 targets connected: svc-00, svc-01")), qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("and 4 more")), qPrintable(line));
        // One target alone keeps its own line.
        EventLogModel single;
        single.addConnected(QStringLiteral("shop"), QStringLiteral("connected (haproxy)"));
        single.flushConnected();
        QCOMPARE(single.rowCount(), 1);
        QCOMPARE(single.events().constFirst().target, QStringLiteral("shop"));
        QCOMPARE(single.events().constFirst().text, QStringLiteral("connected (haproxy)"));
    }
};

QTEST_MAIN(TestFleetModels)
#include "tst_fleetmodels.moc"
