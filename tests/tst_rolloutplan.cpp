// Rollout plans: the documented JSON form, round trips, the strategy factories and every
// validation message naming its field.
#include "rolloutplan.h"

#include <QTest>

using namespace Switchboard;

namespace {

RolloutPlan parse(const QByteArray &json)
{
    RolloutPlan p;
    QString error;
    if (!RolloutPlan::fromJson(json, QStringLiteral("test.json"), &p, &error))
        qFatal("plan did not parse: %s", qPrintable(error));
    return p;
}

const QByteArray gates = R"("gates":[{"name":"err","metric":"errorRatio","max":0.01}])";

} // namespace

class TestRolloutPlan : public QObject
{
    Q_OBJECT
private slots:
    void parsesDocumentedExample()
    {
        const RolloutPlan p = parse(R"({"name":"canary-5-25-50-100","strategy":"canary",
            "gates":[{"name":"error-ratio","metric":"errorRatio","max":0.01,"maxOverStable":0.01,"combine":"any",
                      "minRequests":50,"failureLimit":2}],
            "steps":[{"setWeight":5},{"pause":{"durationMs":60000}},
                     {"analysis":{"durationMs":30000,"intervals":3,"gates":[{"metric":"p99Ms","maxTimesStable":1.5}]}},
                     {"pause":{}},{"setWeight":100}]})");
        QCOMPARE(p.name, QStringLiteral("canary-5-25-50-100"));
        QCOMPARE(p.strategy, RolloutPlan::Strategy::Canary);
        QCOMPARE(p.steps.size(), 5);
        QCOMPARE(p.steps.at(0).kind, RolloutStep::Kind::SetWeight);
        QCOMPARE(p.steps.at(0).weight, 5.0);
        QCOMPARE(p.steps.at(1).durationMs, 60000);
        QCOMPARE(p.steps.at(2).kind, RolloutStep::Kind::Analysis);
        QCOMPARE(p.steps.at(2).intervals, 3);
        QCOMPARE(p.steps.at(2).gates.size(), 1);
        QCOMPARE(p.steps.at(3).durationMs, 0); // until resumed
        QCOMPARE(p.gates.size(), 1);
        QCOMPARE(p.gates.at(0).failureLimit, 2);
        // An analysis step judges its own gates, or else the plan's.
        QCOMPARE(p.gatesFor(2).constFirst().metric, GateSpec::Metric::P99Ms);
        QCOMPARE(p.gatesFor(1).constFirst().name, QStringLiteral("error-ratio"));
        QCOMPARE(p.steps.at(1).label(), QStringLiteral("pause 1:00"));
        QCOMPARE(p.steps.at(2).label(), QStringLiteral("analysis 0:30"));
        QCOMPARE(p.steps.at(3).label(), QStringLiteral("pause (until resumed)"));
        QCOMPARE(p.steps.at(4).label(), QStringLiteral("100%"));
        QCOMPARE(p.summary(), QStringLiteral("5% → pause 1:00 → analysis 0:30 → pause (until resumed) → 100%"));
    }

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("canary") << QByteArray(QByteArray(R"({"name":"a","description":"d","strategy":"canary",)") + gates
                                              + R"(,"steps":[{"setWeight":12.5},{"analysis":{"durationMs":1000,"intervals":2}},{"pause":{}},{"setWeight":100}]})");
        QTest::newRow("blue-green") << QByteArray(QByteArray(R"({"name":"b","strategy":"blueGreen",)") + gates
                                                  + R"(,"steps":[{"setWeight":0},{"pause":{"durationMs":500}},{"setWeight":100},{"analysis":{"durationMs":300000}}]})");
        QTest::newRow("rolling") << QByteArray(R"({"name":"c","strategy":"rolling","steps":[{"setWeight":50},{"setWeight":100}]})");
    }
    void roundTrip()
    {
        QFETCH(QByteArray, json);
        const RolloutPlan p = parse(json);
        RolloutPlan back;
        QString error;
        QVERIFY2(RolloutPlan::fromJson(p.toJsonBytes(), QString(), &back, &error), qPrintable(error));
        QCOMPARE(back.toJson(), p.toJson());
    }

    void validationNamesTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        auto steps = [](const char *s, const char *strategy = "canary") -> QByteArray {
            return QByteArray(R"({"name":"p","strategy":")") + strategy + "\"," + gates + R"(,"steps":)" + s + "}";
        };
        QTest::newRow("weight too high") << steps(R"([{"setWeight":5},{"pause":{}},{"setWeight":150}])") << QStringLiteral("steps[2].setWeight: must be 0..100");
        QTest::newRow("weight as text") << steps(R"([{"setWeight":"5"}])") << QStringLiteral("steps[0].setWeight: must be 0..100");
        QTest::newRow("unknown kind") << steps(R"([{"setWeight":5},{"wait":{}}])") << QStringLiteral("steps[1]: unknown step kind \"wait\"");
        QTest::newRow("two kinds") << steps(R"([{"setWeight":5,"pause":{}}])") << QStringLiteral("steps[0]: must be an object with exactly one of");
        QTest::newRow("step not object") << steps(R"([5])") << QStringLiteral("steps[0]: must be an object");
        QTest::newRow("no steps") << QByteArray(R"({"name":"p"})") << QStringLiteral("steps: missing");
        QTest::newRow("steps not array") << QByteArray(R"({"steps":{}})") << QStringLiteral("steps: must be an array");
        QTest::newRow("empty steps") << steps("[]") << QStringLiteral("steps: a plan needs at least one step");
        QTest::newRow("pause not object") << steps(R"([{"setWeight":5},{"pause":60000}])") << QStringLiteral("steps[1].pause: must be an object ({} waits until resumed)");
        QTest::newRow("pause negative") << steps(R"([{"pause":{"durationMs":-1}}])") << QStringLiteral("steps[0].pause.durationMs: must be a whole number >= 0");
        QTest::newRow("pause unknown key") << steps(R"([{"pause":{"duration":5}}])") << QStringLiteral("steps[0].pause.duration: unknown key");
        QTest::newRow("analysis unknown key") << steps(R"([{"setWeight":5},{"analysis":{"timeout":1}}])") << QStringLiteral("steps[1].analysis.timeout: unknown key");
        QTest::newRow("analysis intervals") << steps(R"([{"analysis":{"intervals":0}}])") << QStringLiteral("steps[0].analysis.intervals: must be a whole number >= 1");
        QTest::newRow("analysis gate") << steps(R"([{"analysis":{"gates":[{"metric":"p99Ms"}]}}])") << QStringLiteral("steps[0].analysis.gates[0]: needs a bound");
        QTest::newRow("analysis without gates")
            << QByteArray(R"({"steps":[{"setWeight":5},{"analysis":{}},{"setWeight":100}]})")
            << QStringLiteral("steps[1].analysis.gates: missing, and the plan has no \"gates\"");
        QTest::newRow("plan gate") << QByteArray(R"({"gates":[{"metric":"errorRatio","max":2}],"steps":[{"setWeight":100}]})") << QStringLiteral("gates[0].max: errorRatio is a ratio");
        QTest::newRow("gates not array") << QByteArray(R"({"gates":{},"steps":[{"setWeight":100}]})") << QStringLiteral("gates: must be an array");
        QTest::newRow("duplicate gate") << QByteArray(R"({"gates":[{"metric":"p99Ms","max":1},{"metric":"p99Ms","max":2}],"steps":[{"setWeight":100}]})")
                                        << QStringLiteral("gates[1].name: \"p99Ms\" used twice");
        QTest::newRow("no setWeight") << steps(R"([{"pause":{"durationMs":5}}])") << QStringLiteral("steps: a plan needs at least one setWeight");
        QTest::newRow("does not end at 100") << steps(R"([{"setWeight":5},{"setWeight":50}])") << QStringLiteral("steps: the last setWeight must be 100 to promote (it is 50)");
        QTest::newRow("bad strategy") << QByteArray(R"({"strategy":"linear","steps":[{"setWeight":100}]})") << QStringLiteral("strategy: must be");
        QTest::newRow("unknown top key") << QByteArray(R"({"colour":"red","steps":[{"setWeight":100}]})") << QStringLiteral("colour: unknown key");
        QTest::newRow("bad name") << QByteArray(R"({"name":"../evil","steps":[{"setWeight":100}]})") << QStringLiteral("name: \"../evil\" is not usable");
        QTest::newRow("blue-green weight") << steps(R"([{"setWeight":0},{"setWeight":50},{"setWeight":100},{"analysis":{}}])", "blueGreen")
                                           << QStringLiteral("steps[1].setWeight: a blueGreen plan only switches between 0 and 100");
        QTest::newRow("blue-green no bake") << steps(R"([{"setWeight":0},{"setWeight":100}])", "blueGreen")
                                            << QStringLiteral("steps: a blueGreen plan needs an analysis step after the switch");
        QTest::newRow("blue-green twice") << steps(R"([{"setWeight":100},{"analysis":{}},{"setWeight":0},{"setWeight":100},{"analysis":{}}])", "blueGreen")
                                          << QStringLiteral("steps: a blueGreen plan switches to 100 exactly once (found 2)");
        QTest::newRow("moveServers outside rolling") << steps(R"([{"moveServers":1},{"setWeight":100}])", "canary")
                                                     << QStringLiteral("steps[0].moveServers: only a rolling plan moves single servers (this one is canary)");
        QTest::newRow("moveServers not whole") << steps(R"([{"moveServers":1.5},{"setWeight":100}])", "rolling")
                                               << QStringLiteral("steps[0].moveServers: must be a whole number of servers, 1..10000");
        QTest::newRow("moveServers zero") << steps(R"([{"moveServers":0},{"setWeight":100}])", "rolling")
                                          << QStringLiteral("steps[0].moveServers: must be a whole number");
        QTest::newRow("moveServers back") << steps(R"([{"moveServers":2},{"moveServers":1},{"setWeight":100}])", "rolling")
                                          << QStringLiteral("steps[1].moveServers: a rolling plan never goes back (1 after 2)");
        QTest::newRow("moveServers after a weight") << steps(R"([{"setWeight":50},{"moveServers":1},{"setWeight":100}])", "rolling")
                                                    << QStringLiteral("steps[1].moveServers: a rolling plan never goes back (1 after 50%)");
        QTest::newRow("rolling without the last 100") << steps(R"([{"moveServers":1},{"moveServers":2}])", "rolling")
                                                      << QStringLiteral("steps: a rolling plan ends with {\"setWeight\": 100}");
        QTest::newRow("rolling back down") << steps(R"([{"setWeight":50},{"pause":{}},{"setWeight":30},{"setWeight":100}])", "rolling")
                                           << QStringLiteral("steps[2].setWeight: a rolling plan never goes back (30 after 50)");
        QTest::newRow("syntax") << QByteArray("{\n  \"steps\": [\n    {\"setWeight\": 5},,\n  ]\n}") << QStringLiteral("test.json: line 3");
        QTest::newRow("not an object") << QByteArray("[]") << QStringLiteral("test.json: a plan is a JSON object");
    }
    void validationNamesTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        RolloutPlan p;
        p.name = QStringLiteral("untouched");
        QString e;
        QVERIFY(!RolloutPlan::fromJson(json, QStringLiteral("test.json"), &p, &e));
        QVERIFY2(e.contains(error), qPrintable(e));
        if (!error.startsWith(QStringLiteral("test.json")))
            QVERIFY2(e.startsWith(QStringLiteral("test.json: ") + error), qPrintable(e));
        QCOMPARE(p.name, QStringLiteral("untouched")); // no half-parsed plan comes out
    }

    void rollingFactoryMovesServersThenFinishes()
    {
        const RolloutPlan p = RolloutPlan::rolling(QStringLiteral("r"), 3, 1000, {});
        QCOMPARE(p.validate(), QString());
        QCOMPARE(p.summary(), QStringLiteral("1 server → pause 0:01 → 2 servers → pause 0:01 → 3 servers → pause 0:01 → 100%"));
        // Round trip through the file form.
        RolloutPlan back;
        QString error;
        QVERIFY2(RolloutPlan::fromJson(p.toJsonBytes(), {}, &back, &error), qPrintable(error));
        QCOMPARE(back.toJson(), p.toJson());
        QCOMPARE(back.steps.at(2).kind, RolloutStep::Kind::MoveServers);
        QCOMPARE(back.steps.at(2).servers, 2);
    }

    void blueGreenFactory()
    {
        GateSpec g;
        g.metric = GateSpec::Metric::ErrorRatio;
        g.max = 0.01;
        g.name = QStringLiteral("err");
        const RolloutPlan p = RolloutPlan::blueGreen(QStringLiteral("bg"), 60000, 300000, {g});
        QCOMPARE(p.validate(), QString());
        QCOMPARE(p.bakeMs(), 300000);
        QCOMPARE(p.steps.constFirst().weight, 0.0);
        QCOMPARE(p.toJson().value(QStringLiteral("strategy")).toString(), QStringLiteral("blueGreen"));
    }

    void validateCatchesCodeBuiltPlans()
    {
        RolloutPlan p;
        p.steps = {RolloutStep::setWeight(101)};
        QCOMPARE(p.validate(), QStringLiteral("steps[0].setWeight: must be 0..100"));
        p.steps = {RolloutStep::setWeight(10), RolloutStep::analysis(), RolloutStep::setWeight(100)};
        QVERIFY(p.validate().startsWith(QStringLiteral("steps[1].analysis.gates")));
    }
};

QTEST_GUILESS_MAIN(TestRolloutPlan)
#include "tst_rolloutplan.moc"
