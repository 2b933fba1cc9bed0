// ChangeQueue without a backend thread: one change on the wire and one waiting, a rollback
// displacing what waits, the audit entry of each change, and each result carrying its change's id.
#include "auditlog.h"
#include "changequeue.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;
using Change = ChangeQueue::Change;

namespace {

Change setWeight(double percent, const QString &reason = QStringLiteral("test"))
{
    Change c;
    c.change.canaryPercent = percent;
    c.change.reason = reason;
    c.action = QStringLiteral("set-weight");
    return c;
}

Change rollback(const QString &reason = QStringLiteral("test"))
{
    Change c;
    c.change.canaryPercent = 0;
    c.change.force = true;
    c.change.reason = reason;
    c.action = QStringLiteral("rollback");
    return c;
}

ChangeResult applied(double percent)
{
    ChangeResult r;
    r.status = ChangeResult::Status::Applied;
    r.requestedCanaryPercent = percent;
    r.message = QStringLiteral("ok");
    r.before = {{QStringLiteral("v1"), 100}, {QStringLiteral("v2"), 0}};
    r.after = {{QStringLiteral("v1"), int(100 - percent)}, {QStringLiteral("v2"), int(percent)}};
    return r;
}

Change sentAt(const QSignalSpy &spy, int i)
{
    return spy.at(i).at(0).value<Change>();
}

QList<QJsonObject> auditLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.isEmpty())
            out.append(QJsonDocument::fromJson(line).object());
    }
    return out;
}

} // namespace

class TestChangeQueue : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<Change>();
        qRegisterMetaType<ChangeResult>();
    }

    void oneOnTheWireNewestWaits()
    {
        ChangeQueue q(QStringLiteral("shop"), nullptr);
        QSignalSpy sent(&q, &ChangeQueue::sendRequested);
        QSignalSpy finished(&q, &ChangeQueue::finished);
        QVERIFY(!q.isBusy());
        q.submit(setWeight(10));
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sentAt(sent, 0).change.canaryPercent, 10.0);
        QVERIFY(q.isBusy());
        q.submit(setWeight(20));
        q.submit(setWeight(30)); // the newest replaces the one waiting
        QCOMPARE(sent.size(), 1);
        QCOMPARE(q.queued()->change.canaryPercent, 30.0);

        q.finish(applied(10));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<Change>().change.canaryPercent, 10.0);
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sentAt(sent, 1).change.canaryPercent, 30.0);
        QVERIFY(!q.queued());
        q.finish(applied(30));
        QCOMPARE(finished.size(), 2);
        QCOMPARE(sent.size(), 2); // 20 was replaced: never sent
        QVERIFY(!q.isBusy());
    }

    void rollbackDisplacesAndStays()
    {
        ChangeQueue q(QStringLiteral("shop"), nullptr);
        QSignalSpy sent(&q, &ChangeQueue::sendRequested);
        q.submit(setWeight(60));
        q.submit(setWeight(70));
        q.submit(rollback(QStringLiteral("first"))); // replaces the waiting 70
        q.submit(setWeight(80));                     // does not replace the rollback
        QCOMPARE(q.queued()->action, QStringLiteral("rollback"));
        q.submit(rollback(QStringLiteral("second"))); // a newer rollback may
        QCOMPARE(q.queued()->change.reason, QStringLiteral("second"));
        q.finish(applied(60));
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sentAt(sent, 1).action, QStringLiteral("rollback"));
        QCOMPARE(sentAt(sent, 1).change.reason, QStringLiteral("second"));
        q.finish(applied(0));
        QCOMPARE(sent.size(), 2);
    }

    void changeAskedForOnAResultQueuesByTheRules()
    {
        // Whoever hears of a result may ask for the next change at once: a rollback asked then
        // still displaces the change that was waiting, rather than both going out.
        ChangeQueue q(QStringLiteral("shop"), nullptr);
        QSignalSpy sent(&q, &ChangeQueue::sendRequested);
        q.submit(setWeight(10));
        q.submit(setWeight(50));
        connect(&q, &ChangeQueue::finished, &q, [&q] { q.submit(rollback()); }, Qt::SingleShotConnection);
        q.finish(applied(10));
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sentAt(sent, 1).action, QStringLiteral("rollback"));
        QVERIFY(!q.queued());
    }

    void resultsCarryTheirChangesId()
    {
        ChangeQueue q(QStringLiteral("shop"), nullptr);
        QSignalSpy sent(&q, &ChangeQueue::sendRequested);
        QSignalSpy finished(&q, &ChangeQueue::finished);
        const quint64 predicted = q.nextId();
        const quint64 a = q.submit(setWeight(40));
        QCOMPARE(a, predicted);
        QVERIFY(a != 0);
        QCOMPARE(sentAt(sent, 0).change.id, a);
        Change second = setWeight(40); // the same percent: only the id tells them apart
        second.change.expected = {{QStringLiteral("v1"), 100}, {QStringLiteral("v2"), 0}};
        const quint64 b = q.submit(second);
        QVERIFY(b != a);
        const quint64 refused = q.takeId(); // refused before the queue: an id all the same
        QVERIFY(refused != a && refused != b);
        QCOMPARE(q.nextId(), refused + 1);

        ChangeResult r = applied(40);
        r.id = 12345; // backends do not set it; whatever they send is overwritten
        q.finish(r);
        QCOMPARE(finished.at(0).at(1).value<ChangeResult>().id, a);
        // The waiting change was made against the view before `a`: it now expects what `a` left.
        QCOMPARE(sentAt(sent, 1).change.id, b);
        QCOMPARE(sentAt(sent, 1).change.expected, applied(40).after);
        q.finish(applied(40));
        QCOMPARE(finished.at(1).at(1).value<ChangeResult>().id, b);
        QCOMPARE(finished.at(1).at(1).value<ChangeResult>().requestedCanaryPercent, 40.0);

        // An answer with nothing on the wire belongs to no change.
        q.finish(applied(5));
        QCOMPARE(finished.at(2).at(1).value<ChangeResult>().id, quint64(0));
    }

    void everyChangeIsAudited()
    {
        QTemporaryDir dir;
        AuditLog audit(dir.filePath(QStringLiteral("audit.jsonl")));
        ChangeQueue q(QStringLiteral("shop"), &audit);
        QSignalSpy finished(&q, &ChangeQueue::finished);
        QSignalSpy sent(&q, &ChangeQueue::sendRequested);
        const qint64 before = steadyNowNs();
        q.submit(setWeight(25, QStringLiteral("canary test")));
        // The queue stamps when the change was asked for: the layer measures its confirmation from there.
        QCOMPARE(sent.size(), 1);
        QVERIFY(sentAt(sent, 0).change.requestedAtNs >= before);
        QVERIFY(sentAt(sent, 0).change.requestedAtNs <= steadyNowNs());
        ChangeResult confirmed = applied(25);
        confirmed.confirmedAfterNs = 1234567; // 1.234567 ms, audited as 1.234 (to the microsecond)
        q.finish(confirmed);
        Change step;
        step.change.canaryPercent = unknown();
        step.action = QStringLiteral("promote");
        step.step = true;
        q.submit(step); // no reason given: "operator"
        ChangeResult failed;
        failed.status = ChangeResult::Status::Failed;
        failed.message = QStringLiteral("no steps here");
        q.finish(failed);
        QCOMPARE(finished.size(), 2);
        QVERIFY(finished.at(0).at(2).toString().isEmpty());

        QVERIFY(audit.drain(5000)); // the log writes on its own thread
        const QList<QJsonObject> lines = auditLines(audit.path());
        QCOMPARE(lines.size(), 2);
        const QJsonObject &first = lines.at(0);
        QCOMPARE(first.value(QStringLiteral("target")).toString(), QStringLiteral("shop"));
        QCOMPARE(first.value(QStringLiteral("action")).toString(), QStringLiteral("set-weight"));
        QCOMPARE(first.value(QStringLiteral("reason")).toString(), QStringLiteral("canary test"));
        QCOMPARE(first.value(QStringLiteral("result")).toString(), statusName(ChangeResult::Status::Applied));
        QCOMPARE(first.value(QStringLiteral("canaryPercent")).toDouble(), 25.0);
        QCOMPARE(first.value(QStringLiteral("before")).toObject().value(QStringLiteral("v2")).toInt(), 0);
        QCOMPARE(first.value(QStringLiteral("after")).toObject().value(QStringLiteral("v2")).toInt(), 25);
        QCOMPARE(first.value(QStringLiteral("message")).toString(), QStringLiteral("ok"));
        QCOMPARE(first.value(QStringLiteral("confirmedAfterMs")).toDouble(), 1.234);
        const QJsonObject &second = lines.at(1);
        QCOMPARE(second.value(QStringLiteral("action")).toString(), QStringLiteral("promote"));
        QCOMPARE(second.value(QStringLiteral("reason")).toString(), QStringLiteral("operator"));
        QCOMPARE(second.value(QStringLiteral("step")).toBool(), true);
        QVERIFY(!second.contains(QStringLiteral("canaryPercent")));
        QCOMPARE(second.value(QStringLiteral("result")).toString(), statusName(ChangeResult::Status::Failed));
        QVERIFY(!second.contains(QStringLiteral("confirmedAfterMs"))); // not applied: nothing confirmed
    }

    void auditFailureIsReported()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        AuditLog audit(dir.filePath(QStringLiteral("file/audit.jsonl"))); // a folder that is a file
        ChangeQueue q(QStringLiteral("shop"), &audit);
        QSignalSpy finished(&q, &ChangeQueue::finished);
        q.submit(setWeight(5));
        q.finish(applied(5));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(1).value<ChangeResult>().status, ChangeResult::Status::Applied);
        // The log writes on its own thread: the failure is told by drain() (and by the error
        // handler, or the next change's auditError), never lost.
        QString error;
        QVERIFY(!audit.drain(5000, &error));
        QVERIFY2(error.contains(QStringLiteral("audit log")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestChangeQueue)
#include "tst_changequeue.moc"
