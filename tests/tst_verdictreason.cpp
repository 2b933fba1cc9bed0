// What the window says decided a verdict (DisplayNames::verdictReason, gateResult): short, from
// the verdict's structured cause and the deciding gate's figures, in English and in Chinese;
// the English `reason` line (event log, audit, CLI) is left as the model wrote it.
#include "displaynames.h"
#include "languagesetup.h"

#include <QApplication>
#include <QTest>

using namespace Switchboard;

namespace {

GateResult gate(const QString &name, GateResult::Outcome outcome, GateResult::Cause cause)
{
    GateResult r;
    r.gate = name;
    r.metric = GateSpec::Metric::ErrorRatio;
    r.outcome = outcome;
    r.cause = cause;
    return r;
}

// error-ratio failing: canary 4.70% against a 1.21% limit.
GateResult failedErrorRatio()
{
    GateResult r = gate(QStringLiteral("error-ratio"), GateResult::Outcome::Fail, GateResult::Cause::None);
    r.canary = 0.047;
    r.threshold = 0.0121;
    return r;
}

Verdict decidedBy(const GateResult &r, Verdict::State state)
{
    Verdict v;
    v.state = state;
    v.applies = true;
    v.results = {gate(QStringLiteral("p99"), GateResult::Outcome::Pass, GateResult::Cause::None), r};
    v.why = Verdict::Why::Gate;
    v.gate = 1;
    v.reason = QStringLiteral("gate ") + r.text;
    return v;
}

} // namespace

class TestVerdictReason : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void english()
    {
        LanguageSetup language; // English plurals come from the English translation, as in the app
        QString error;
        QVERIFY2(language.install(QStringLiteral("en"), &error), qPrintable(error));
        GateResult failed = failedErrorRatio();
        QCOMPARE(DisplayNames::verdictReason(decidedBy(failed, Verdict::State::Failing)),
                 QStringLiteral("error-ratio failed: canary 4.70%, limit 1.21%"));
        // A statistical judge has no single limit.
        failed.threshold = unknown();
        QCOMPARE(DisplayNames::verdictReason(decidedBy(failed, Verdict::State::Failing)),
                 QStringLiteral("error-ratio failed: canary worse than stable"));
        GateResult breach = gate(QStringLiteral("err"), GateResult::Outcome::Inconclusive, GateResult::Cause::Confirming);
        breach.consecutiveFailures = 1;
        breach.failureLimit = 3;
        QCOMPARE(DisplayNames::verdictReason(decidedBy(breach, Verdict::State::Watch)),
                 QStringLiteral("err breached: 1 of 3 in a row fail it"));
        GateResult thin = gate(QStringLiteral("err"), GateResult::Outcome::Inconclusive, GateResult::Cause::TooFewRequests);
        thin.canaryRequests = 12;
        QCOMPARE(DisplayNames::verdictReason(decidedBy(thin, Verdict::State::NoData)),
                 QStringLiteral("err: too few canary requests to judge (12 so far)"));
        QCOMPARE(DisplayNames::verdictReason(decidedBy(gate(QStringLiteral("err"), GateResult::Outcome::Inconclusive,
                                                            GateResult::Cause::NoData),
                                                       Verdict::State::NoData)),
                 QStringLiteral("err: no data"));

        Verdict v;
        v.applies = true;
        v.why = Verdict::Why::Stale;
        v.staleAfterS = 5;
        QCOMPARE(DisplayNames::verdictReason(v), QStringLiteral("the newest health sample is older than 5.0 s"));
        v.why = Verdict::Why::MetricsError;
        v.metricsError = QStringLiteral("Prometheus: connection refused");
        QCOMPARE(DisplayNames::verdictReason(v), QStringLiteral("metrics: Prometheus: connection refused"));
        v.why = Verdict::Why::GatesPass;
        v.results = {gate(QStringLiteral("a"), GateResult::Outcome::Pass, GateResult::Cause::None)};
        QCOMPARE(DisplayNames::verdictReason(v), QStringLiteral("1 gate passes"));
        v.results.append(v.results.constFirst());
        QCOMPARE(DisplayNames::verdictReason(v), QStringLiteral("2 gates pass"));
        // No canary traffic: the badge says it, the reason adds nothing.
        v.why = Verdict::Why::NoTraffic;
        v.applies = false;
        QCOMPARE(DisplayNames::verdictReason(v), QString());
    }

    void chinese()
    {
        LanguageSetup language;
        QString error;
        QVERIFY2(language.install(QStringLiteral("zh_CN"), &error), qPrintable(error));
        GateResult failed = failedErrorRatio();
        QCOMPARE(DisplayNames::verdictReason(decidedBy(failed, Verdict::State::Failing)),
                 QStringLiteral("error-ratio 未通过：金丝雀 4.70%，上限 1.21%"));
        GateResult thin = gate(QStringLiteral("err"), GateResult::Outcome::Inconclusive, GateResult::Cause::TooFewRequests);
        QCOMPARE(DisplayNames::verdictReason(decidedBy(thin, Verdict::State::NoData)), QStringLiteral("err：金丝雀请求太少，无法判定"));
        Verdict v;
        v.applies = true;
        v.why = Verdict::Why::Stale;
        v.staleAfterS = 5;
        QVERIFY2(DisplayNames::verdictReason(v).startsWith(QStringLiteral("最新的健康样本已超过 5.0")),
                 qPrintable(DisplayNames::verdictReason(v)));
        v.why = Verdict::Why::GatesPass;
        v.results = {gate(QStringLiteral("a"), GateResult::Outcome::Pass, GateResult::Cause::None)};
        QCOMPARE(DisplayNames::verdictReason(v), QStringLiteral("1 个门控通过"));
    }
};

QTEST_MAIN(TestVerdictReason)
#include "tst_verdictreason.moc"
