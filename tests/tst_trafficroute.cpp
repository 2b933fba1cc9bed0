// Tester routes in the models: parsing and checking a route, what an edit does to the routes in
// force, the plan step in presets, the chart marker, and the simulator under a controller:
// routes shown, audited, cleared by a rollback unless kept, and a plan that starts with testers.

#include "auditlog.h"
#include "chartmarkermodel.h"
#include "rolloutengine.h"
#include "rolloutplan.h"
#include "simtarget.h"
#include "simworld.h"
#include "targetcontroller.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

const TrafficRoute kHeader{TrafficRoute::Match::Header, QStringLiteral("X-Canary"), QStringLiteral("always")};
const TrafficRoute kCookie{TrafficRoute::Match::Cookie, QStringLiteral("canary"), QStringLiteral("always")};

ChangeResult editAndWait(TargetController *c, const RouteEdit &e)
{
    QSignalSpy spy(c, &TargetController::actionFinished);
    c->editRoutes(e, QStringLiteral("test"));
    return nextResult(spy);
}

} // namespace

class TestTrafficRoute final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerMetaTypes(); }

    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::newRow("header") << QStringLiteral("X-Canary=always") << true;
        QTest::newRow("spaces trimmed") << QStringLiteral(" X-Canary = always ") << true;
        QTest::newRow("no value") << QStringLiteral("X-Canary=") << false;
        QTest::newRow("no name") << QStringLiteral("=always") << false;
        QTest::newRow("no equals") << QStringLiteral("X-Canary") << false;
        QTest::newRow("space in value") << QStringLiteral("X-Canary=a b") << false;
        QTest::newRow("semicolon") << QStringLiteral("X-Canary=a;b") << false;
        QTest::newRow("quote") << QStringLiteral("X-Canary=a\"b") << false;
        QTest::newRow("bad name") << QStringLiteral("X Canary=a") << false;
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        TrafficRoute r;
        QString error;
        QCOMPARE(TrafficRoute::parse(TrafficRoute::Match::Header, text, &r, &error), ok);
        QCOMPARE(error.isEmpty(), ok);
        if (ok)
            QCOMPARE(r, kHeader);
    }

    void jsonFollowsTheContract()
    {
        QCOMPARE(kHeader.toJson(), (QJsonObject{{QStringLiteral("header"), QStringLiteral("X-Canary")},
                                                {QStringLiteral("value"), QStringLiteral("always")},
                                                {QStringLiteral("to"), QStringLiteral("canary")}}));
        QCOMPARE(kCookie.toJson().value(QStringLiteral("cookie")).toString(), QStringLiteral("canary"));
        TrafficRoute back;
        QString error;
        QVERIFY(TrafficRoute::fromJson(kCookie.toJson(), &back, &error));
        QCOMPARE(back, kCookie);
        QVERIFY(!TrafficRoute::fromJson(QJsonObject{{QStringLiteral("header"), QStringLiteral("A")}, {QStringLiteral("cookie"), QStringLiteral("b")},
                                                    {QStringLiteral("value"), QStringLiteral("v")}}, &back, &error));
        QCOMPARE(kHeader.describe(), QStringLiteral("X-Canary: always → canary"));
    }

    void editsOnTheRoutesInForce()
    {
        RouteEdit add{RouteEdit::Op::Add, kHeader, {}};
        QCOMPARE(add.applyTo({}), QList<TrafficRoute>{kHeader});
        QCOMPARE(add.applyTo({kHeader}), QList<TrafficRoute>{kHeader}); // already there: no duplicate
        const TrafficRoute lower{TrafficRoute::Match::Header, QStringLiteral("x-canary"), QStringLiteral("beta")};
        RouteEdit removeAll{RouteEdit::Op::Remove, {TrafficRoute::Match::Header, QStringLiteral("X-CANARY"), QString()}, {}};
        QCOMPARE(removeAll.applyTo({kHeader, lower, kCookie}), QList<TrafficRoute>{kCookie}); // header names ignore case
        RouteEdit removeOne{RouteEdit::Op::Remove, lower, {}};
        QCOMPARE(removeOne.applyTo({kHeader, lower}), QList<TrafficRoute>{kHeader});
        const RouteEdit clear{RouteEdit::Op::Clear, {}, {}};
        QVERIFY(clear.applyTo({kHeader, kCookie}).isEmpty());
        RouteEdit checked{RouteEdit::Op::Add, kCookie, QList<TrafficRoute>{kHeader}};
        QVERIFY(!checked.conflictsWith({kHeader}));
        QVERIFY(checked.conflictsWith({}));
        QVERIFY(!RouteEdit{}.conflictsWith({kHeader})); // no expectation: no check
    }

    void planStepRoundTrips()
    {
        const QByteArray text = R"({"strategy":"canary","steps":[{"route":{"header":"X-Canary","value":"always"}},
            {"pause":{}},{"route":null},{"setWeight":100}]})";
        RolloutPlan plan;
        QString error;
        QVERIFY2(RolloutPlan::fromJson(text, QStringLiteral("p.json"), &plan, &error), qPrintable(error));
        QCOMPARE(plan.steps.size(), 4);
        QCOMPARE(plan.steps.at(0).kind, RolloutStep::Kind::Route);
        QCOMPARE(*plan.steps.at(0).route, kHeader);
        QVERIFY(!plan.steps.at(2).route);
        QCOMPARE(plan.steps.at(0).label(), QStringLiteral("route X-Canary: always"));
        QCOMPARE(plan.steps.at(2).label(), QStringLiteral("clear routes"));
        RolloutPlan again;
        QVERIFY2(RolloutPlan::fromJson(plan.toJsonBytes(), QString(), &again, &error), qPrintable(error));
        QCOMPARE(again.toJson(), plan.toJson());
        QVERIFY(!RolloutPlan::fromJson(R"({"steps":[{"route":{"header":"X Y","value":"a"}},{"setWeight":100}]})", QString(), &plan, &error));
        QVERIFY2(error.contains(QStringLiteral("steps[0].route")), qPrintable(error));
        QVERIFY(!RolloutPlan::fromJson(R"({"steps":[{"route":{"header":"X","value":"a","typo":1}},{"setWeight":100}]})", QString(), &plan, &error));
    }

    void chartMarksRouteChanges()
    {
        ChartMarkerModel m;
        m.addRouteChange(1000, {}, {kHeader}, QStringLiteral("applied"));
        m.addRouteChange(2000, {kHeader}, {kHeader}, {}); // no change: no marker
        m.addRouteChange(3000, {kHeader}, {}, {});
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.markers().at(0).kind, ChartMarkerModel::Kind::Route);
        QCOMPARE(m.markers().at(0).label, QStringLiteral("testers +X-Canary: always"));
        QCOMPARE(m.markers().at(1).label, QStringLiteral("testers cleared"));
    }

    void simulatorRoutesAreAuditedAndClearedByRollback()
    {
        QTemporaryDir dir;
        AuditLog audit(dir.filePath(QStringLiteral("audit.jsonl")));
        SimTarget t(200, &audit);
        TargetController *c = t.controller.get();
        QSignalSpy snap(c, &TargetController::snapshotChanged);
        c->refreshNow();
        QVERIFY(snap.wait());
        QVERIFY(c->snapshot().routes.isEmpty());
        QCOMPARE(c->snapshot().routesRefusal, QString());

        const ChangeResult r = editAndWait(c, RouteEdit{RouteEdit::Op::Add, kHeader, {}});
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(t.world->routes(), QList<TrafficRoute>{kHeader});
        QCOMPARE(c->snapshot().routes, QList<TrafficRoute>{kHeader});
        QCOMPARE(c->chartMarkers()->markers().constLast().kind, ChartMarkerModel::Kind::Route);
        // The simulator's testers reach the canary whatever the weights.
        const qint64 now = QDateTime::currentMSecsSinceEpoch() + 1000;
        QVERIFY(t.world->health(Version::Canary, now).rps > 0);

        // A stale view conflicts and changes nothing.
        const ChangeResult stale = editAndWait(c, RouteEdit{RouteEdit::Op::Add, kCookie, QList<TrafficRoute>{}});
        QCOMPARE(stale.status, ChangeResult::Status::Conflict);
        QCOMPARE(t.world->routes().size(), 1);

        QSignalSpy done(c, &TargetController::actionFinished);
        c->rollback(QStringLiteral("keep"), true);
        QVERIFY(nextResult(done).ok());
        QCOMPARE(t.world->routes().size(), 1); // kept
        done.clear();
        c->rollback(QStringLiteral("default"));
        const ChangeResult back = nextResult(done);
        QVERIFY(back.ok());
        QVERIFY(back.routesTouched);
        QVERIFY(t.world->routes().isEmpty());

        QString error;
        QVERIFY(audit.drain(5000, &error));
        QFile f(dir.filePath(QStringLiteral("audit.jsonl")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        const QJsonObject first = QJsonDocument::fromJson(lines.at(0)).object();
        QCOMPARE(first.value(QStringLiteral("action")).toString(), QStringLiteral("route"));
        QCOMPARE(first.value(QStringLiteral("routesAfter")).toArray().at(0).toObject(), kHeader.toJson());
        const QJsonObject last = QJsonDocument::fromJson(lines.at(lines.size() - 2)).object();
        QCOMPARE(last.value(QStringLiteral("action")).toString(), QStringLiteral("rollback"));
        QVERIFY(last.value(QStringLiteral("routesAfter")).toArray().isEmpty());
    }

    void planStartsWithTestersOnly()
    {
        SimTarget t(100);
        TargetController *c = t.controller.get();
        QSignalSpy snap(c, &TargetController::snapshotChanged);
        c->start();
        QVERIFY(snap.wait());
        RolloutPlan plan;
        QString error;
        QVERIFY(RolloutPlan::fromJson(R"({"steps":[{"setWeight":0},{"route":{"cookie":"canary","value":"always"}},{"pause":{}},
            {"route":null},{"setWeight":100}]})", QString(), &plan, &error));
        RolloutEngine *e = c->startRollout(plan);
        QVERIFY(e);
        QTRY_COMPARE_WITH_TIMEOUT(e->state(), RolloutEngine::State::Paused, 5000); // the pause after the route
        QCOMPARE(e->currentStep(), 2);
        QCOMPARE(t.world->routes(), QList<TrafficRoute>{kCookie});
        QCOMPARE(c->snapshot().split.canary, 0.0); // testers only, no weight yet
        e->resume();
        QTRY_COMPARE_WITH_TIMEOUT(e->state(), RolloutEngine::State::Promoted, 5000);
        QVERIFY(t.world->routes().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTrafficRoute)
#include "tst_trafficroute.moc"
