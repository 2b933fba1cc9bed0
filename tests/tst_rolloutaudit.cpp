// Issue 11: the audit log records a rollout's start (and a refused one) and every resume, in
// the audit log's format, next to the weight changes the plan makes; an ignored resume writes
// nothing.
#include "auditlog.h"
#include "rolloutengine.h"
#include "rolloutplan.h"
#include "simtarget.h"
#include "targetcontroller.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using State = RolloutEngine::State;

namespace {

struct AuditFile
{
    AuditFile() : audit(dir.filePath(QStringLiteral("audit.jsonl"))) {}
    QTemporaryDir dir;
    AuditLog audit;

    QList<QJsonObject> entries(const QString &action = {})
    {
        QList<QJsonObject> out;
        if (!audit.drain(5000)) // written on the log's own thread
            return out;
        QFile f(audit.path());
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (!line.isEmpty() && (action.isEmpty() || o.value(QStringLiteral("action")).toString() == action))
                out.append(o);
        }
        return out;
    }
};

struct Fixture : AuditFile, SimTarget
{
    Fixture() : SimTarget(100, &audit) {}
};

// 10%, a pause until the operator resumes, 100%: no gates, so nothing but the operator decides.
RolloutPlan plan()
{
    RolloutPlan p;
    p.name = QStringLiteral("audited");
    p.steps = {RolloutStep::setWeight(10), RolloutStep::pause(), RolloutStep::setWeight(100)};
    return p;
}

void checkContractFields(const QJsonObject &o)
{
    for (const char *key : {"time", "user", "target", "action", "before", "after", "reason", "result"})
        QVERIFY2(o.contains(QLatin1String(key)), key);
    QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("demo"));
    QCOMPARE(o.value(QStringLiteral("user")).toString(), AuditLog::currentUser());
}

} // namespace

class TestRolloutAudit final : public QObject
{
    Q_OBJECT
private slots:
    void startAndEveryResumeAreAudited()
    {
        Fixture f;
        f.controller->start();
        QTRY_VERIFY(f.controller->hasSnapshot());
        RolloutEngine *e = f.controller->startRollout(plan());
        QVERIFY(e);
        QList<QJsonObject> starts = f.entries(QStringLiteral("rollout-start"));
        QCOMPARE(starts.size(), 1); // written when it starts, before any traffic moves
        checkContractFields(starts.constFirst());
        const QJsonObject start = starts.constFirst();
        QCOMPARE(start.value(QStringLiteral("result")).toString(), QStringLiteral("started"));
        QCOMPARE(start.value(QStringLiteral("plan")).toString(), QStringLiteral("audited"));
        QCOMPARE(start.value(QStringLiteral("strategy")).toString(), QStringLiteral("canary"));
        QCOMPARE(start.value(QStringLiteral("reason")).toString(), QStringLiteral("plan \"audited\": %1").arg(plan().summary()));
        QCOMPARE(start.value(QStringLiteral("before")).toObject(), start.value(QStringLiteral("after")).toObject());
        QVERIFY(!start.value(QStringLiteral("before")).toObject().isEmpty()); // the weights it starts from

        QTRY_COMPARE(e->state(), State::Paused); // the plan's "until resumed"
        QCOMPARE(e->currentStep(), 1);
        QVERIFY(f.entries(QStringLiteral("rollout-resume")).isEmpty());
        e->resume();
        QTRY_COMPARE(e->state(), State::Promoted);
        // Ignored: nothing to resume, nothing audited.
        e->resume();
        const QList<QJsonObject> resumes = f.entries(QStringLiteral("rollout-resume"));
        QCOMPARE(resumes.size(), 1);
        checkContractFields(resumes.constFirst());
        const QJsonObject resume = resumes.constFirst();
        QCOMPARE(resume.value(QStringLiteral("result")).toString(), QStringLiteral("resumed"));
        QCOMPARE(resume.value(QStringLiteral("step")).toInt(), 2);
        QCOMPARE(resume.value(QStringLiteral("plan")).toString(), QStringLiteral("audited"));
        QVERIFY2(resume.value(QStringLiteral("reason")).toString().contains(
                     QStringLiteral("resumed by the operator at step 2/3 (pause (until resumed)); was paused: the plan pauses here")),
                 qPrintable(resume.value(QStringLiteral("reason")).toString()));
        // The order of the trail: start, the plan's change to 10%, the resume, the change to 100%.
        // (The plan's own bookkeeping, steps entered, gates and pauses, is left out here.)
        QStringList actions;
        for (const QJsonObject &o : f.entries()) {
            const QString action = o.value(QStringLiteral("action")).toString();
            if (!QStringList{QStringLiteral("rollout-step"), QStringLiteral("rollout-gate"), QStringLiteral("rollout-pause"),
                             QStringLiteral("rollout-end")}.contains(action))
                actions.append(action);
        }
        QCOMPARE(actions, (QStringList{QStringLiteral("rollout-start"), QStringLiteral("set-weight"), QStringLiteral("rollout-resume"),
                                       QStringLiteral("set-weight")}));
    }

    void secondResumeIsAuditedToo()
    {
        Fixture f;
        f.controller->start();
        QTRY_VERIFY(f.controller->hasSnapshot());
        RolloutPlan p = plan();
        p.steps = {RolloutStep::setWeight(10), RolloutStep::pause(60000), RolloutStep::setWeight(100)};
        RolloutEngine *e = f.controller->startRollout(p);
        QTRY_COMPARE(e->currentStep(), 1);
        for (int i = 0; i < 2; ++i) {
            e->pause();
            QCOMPARE(e->state(), State::Paused);
            e->resume();
            QCOMPARE(e->state(), State::Running);
        }
        const QList<QJsonObject> resumes = f.entries(QStringLiteral("rollout-resume"));
        QCOMPARE(resumes.size(), 2);
        for (const QJsonObject &o : resumes)
            QVERIFY(o.value(QStringLiteral("reason")).toString().endsWith(QStringLiteral("was paused: paused by the operator")));
        e->abort();
        QTRY_VERIFY(e->isFinished());
    }

    void refusedStartIsAuditedAsFailed()
    {
        Fixture f;
        f.controller->start();
        QTRY_VERIFY(f.controller->hasSnapshot());
        RolloutPlan p = plan();
        p.steps = {RolloutStep::setWeight(10)}; // never reaches 100
        RolloutEngine *e = f.controller->startRollout(p);
        QCOMPARE(e->state(), State::Failed);
        const QList<QJsonObject> starts = f.entries(QStringLiteral("rollout-start"));
        QCOMPARE(starts.size(), 1);
        QCOMPARE(starts.constFirst().value(QStringLiteral("result")).toString(), QStringLiteral("failed"));
        QCOMPARE(starts.constFirst().value(QStringLiteral("reason")).toString(), e->reason());
        QCOMPARE(f.entries().size(), 1); // and no weight changed
    }
};

QTEST_GUILESS_MAIN(TestRolloutAudit)
#include "tst_rolloutaudit.moc"
